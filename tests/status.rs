//! `certvault status` through the real binary: vaults whose certificates expire in 100, 30, 5
//! and -1 days (made with `openssl ca -startdate/-enddate` from the fixture CA), exit codes,
//! the order of the checklist and the JSON shape; the records of this computer (sheet, verify,
//! scan, restore logs) in a temporary state folder, never the user's.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

const PASSPHRASE: &str = "sakura umbrella kettle nineteen";

/// A clinic certificate (the fixture CA and key) that ends `days` days (plus an hour) from
/// now, as a PKCS#12 file with the fixture PIN.
fn certificate_ending_in(dir: &Path, days: i64) -> PathBuf {
    certificate(dir, days.min(0) + 30, days)
}

/// A vault and a state folder of its own.
struct Setup {
    tmp: tempfile::TempDir,
    vault: PathBuf,
    pass: PathBuf,
    state: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let pass = tmp.path().join("pass.txt");
        std::fs::write(&pass, PASSPHRASE).unwrap();
        let state = tmp.path().join("state");
        Setup { vault: tmp.path().join("CERTVAULT"), pass, state, tmp }
    }

    fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// certvault with a home, state folder and media list of this test only.
    fn cmd(&self) -> assert_cmd::Command {
        let mut c = certvault();
        c.env("HOME", self.path())
            .env("XDG_STATE_HOME", self.path().join("xdg-state"))
            .env("CERTVAULT_STATE_DIR", &self.state)
            .env("CERTVAULT_MEDIA_ROOTS", "");
        c
    }

    fn init(&self, sheet: bool) {
        let mut c = self.cmd();
        c.arg("init").arg(&self.vault).arg("--passphrase-file").arg(&self.pass).arg("--allow-fixed-disk");
        c.arg("--recovery-out").arg(self.path().join("recovery.txt"));
        if sheet {
            c.arg("--sheet-out").arg(self.path().join("first-sheet.pdf"));
        }
        c.assert().success();
    }

    fn add(&self, p12: &Path) {
        self.cmd()
            .arg("add")
            .arg(p12)
            .arg("--vault")
            .arg(&self.vault)
            .arg("--passphrase-file")
            .arg(&self.pass)
            .arg("--pin-file")
            .arg(fixture("pin.txt"))
            .assert()
            .success();
    }

    fn sheet(&self, name: &str) {
        self.cmd()
            .args(["sheet", "--vault"])
            .arg(&self.vault)
            .arg("--passphrase-file")
            .arg(&self.pass)
            .arg("--out")
            .arg(self.path().join(name))
            .assert()
            .success();
    }

    fn vault_id(&self) -> String {
        let header: Value =
            serde_json::from_slice(&std::fs::read(self.vault.join("vault.json")).unwrap()).unwrap();
        header["vault_id"].as_str().unwrap().to_string()
    }

    /// Appends one JSON line to the log `name` of this test's state folder.
    fn log(&self, name: &str, record: Value) {
        use std::io::Write;
        std::fs::create_dir_all(&self.state).unwrap();
        let mut f =
            std::fs::OpenOptions::new().append(true).create(true).open(self.state.join(name)).unwrap();
        writeln!(f, "{record}").unwrap();
    }

    /// A verify run `days_ago` days ago that found `current` current copies.
    fn verified(&self, days_ago: i64, current: usize) {
        let copies: Vec<Value> = (0..current)
            .map(|i| serde_json::json!({"path": format!("/media/stick{i}/CERTVAULT"), "state": "current", "generation": 2}))
            .collect();
        self.log(
            "verify-log.jsonl",
            serde_json::json!({"time": rfc3339(now() - days_ago * DAY), "vault_id": self.vault_id(),
                "newest_generation": 2, "copies": copies}),
        );
    }

    /// `certvault status --json` (with the vault when `vault`): exit code and report.
    fn status(&self, vault: bool) -> (i32, Value) {
        let mut c = self.cmd();
        c.args(["status", "--json"]);
        if vault {
            c.arg("--vault").arg(&self.vault).arg("--passphrase-file").arg(&self.pass);
        }
        let out = c.output().unwrap();
        let code = out.status.code().unwrap();
        assert!(code == 0 || code == 1, "status failed: {}", String::from_utf8_lossy(&out.stderr));
        (code, serde_json::from_slice(&out.stdout).expect("status --json prints JSON"))
    }

    /// A vault holding one certificate that ends in `days` days, its sheet printed for the
    /// current generation and two copies verified yesterday: only expiry can need attention.
    fn with_certificate(days: i64) -> Setup {
        let s = Setup::new();
        let p12 = certificate_ending_in(s.path(), days);
        s.init(true);
        s.add(&p12);
        s.sheet("sheet.pdf");
        s.verified(1, 2);
        s
    }
}

fn kinds(report: &Value) -> Vec<String> {
    report["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_string()).collect()
}

fn item<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {report}"))
}

#[test]
fn a_certificate_ending_in_100_days_needs_nothing() {
    let s = Setup::with_certificate(100);
    let (code, report) = s.status(true);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["needs_attention"], false);
    assert!(kinds(&report).is_empty(), "{report}");
    assert_eq!(report["vault"]["entries"], 1);
    assert_eq!(report["vault"]["generation"], 2);
    assert_eq!(report["vault"]["vault_id"], s.vault_id().as_str());
    // People see the same.
    let out = s
        .cmd()
        .args(["status", "--vault"])
        .arg(&s.vault)
        .arg("--passphrase-file")
        .arg(&s.pass)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("Nothing needs attention."));
}

#[test]
fn a_certificate_ending_in_30_days_is_a_soon_item() {
    let s = Setup::with_certificate(30);
    let (code, report) = s.status(true);
    assert_eq!(code, 1);
    assert_eq!(report["needs_attention"], true);
    assert_eq!(kinds(&report), ["certificate-expiring"]);
    let i = item(&report, "certificate-expiring");
    assert_eq!(i["level"], "soon");
    assert_eq!(i["days"], 30);
    assert_eq!(i["reminder"], "30");
    assert_eq!(i["institution_code"], "1312345678");
    assert_eq!(i["purpose"], "online-qualification");
    assert!(i["entry"].as_str().unwrap().len() >= 8);
    assert!(i["message"].as_str().unwrap().contains("in 30 days"), "{i}");
    assert!(i["command"].as_str().unwrap().starts_with("certvault add "));
}

#[test]
fn a_certificate_ending_in_5_days_is_urgent_and_daily() {
    let s = Setup::with_certificate(5);
    let (code, report) = s.status(true);
    assert_eq!(code, 1);
    let i = item(&report, "certificate-expiring");
    assert_eq!(i["level"], "urgent");
    assert_eq!(i["days"], 5);
    assert_eq!(i["reminder"], "daily");
    // The human checklist marks it as urgent, in Japanese too.
    let out = s
        .cmd()
        .args(["--lang", "ja", "status", "--vault"])
        .arg(&s.vault)
        .arg("--passphrase-file")
        .arg(&s.pass)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("[!!]") && text.contains("あと 5 日"), "{text}");
}

#[test]
fn an_expired_certificate_comes_first_with_the_other_items_after_it() {
    // No sheet printed, never verified: those items follow the expired certificate.
    let s = Setup::new();
    let p12 = certificate_ending_in(s.path(), -1);
    s.init(false);
    s.add(&p12);
    let (code, report) = s.status(true);
    assert_eq!(code, 1);
    assert_eq!(kinds(&report), ["certificate-expired", "single-copy", "sheet-never-printed"]);
    let i = item(&report, "certificate-expired");
    assert_eq!(i["level"], "urgent");
    assert_eq!(i["days"], -1);
    assert_eq!(i["reminder"], "expired");
    assert!(item(&report, "single-copy")["command"]
        .as_str()
        .unwrap()
        .starts_with("certvault clone --vault "));
    assert!(item(&report, "sheet-never-printed")["command"]
        .as_str()
        .unwrap()
        .starts_with("certvault sheet --vault "));
    // Printing the sheet and verifying two copies leaves only the expired certificate.
    s.sheet("sheet.pdf");
    s.verified(0, 2);
    let (code, report) = s.status(true);
    assert_eq!(code, 1);
    assert_eq!(kinds(&report), ["certificate-expired"]);
}

#[test]
fn sheet_verify_and_scan_records_are_checked() {
    let s = Setup::new();
    let p12 = certificate_ending_in(s.path(), 100);
    // init --sheet-out records a sheet of generation 1; add makes generation 2.
    s.init(true);
    s.add(&p12);
    let sheets = std::fs::read_to_string(s.state.join("sheet-log.jsonl")).unwrap();
    assert_eq!(sheets.lines().count(), 1, "{sheets}");
    // A verify of two copies seven months ago.
    s.verified(200, 2);
    // A scan of a folder with a copy that is not in the vault, recorded by scan itself.
    let terminal = s.path().join("terminal");
    std::fs::create_dir_all(&terminal).unwrap();
    std::fs::copy(fixture("hpki.p12"), terminal.join("client.p12")).unwrap();
    s.cmd()
        .arg("scan")
        .arg(&terminal)
        .arg("--vault")
        .arg(&s.vault)
        .arg("--passphrase-file")
        .arg(&s.pass)
        .assert()
        .code(1);
    let (code, report) = s.status(true);
    assert_eq!(code, 1);
    assert_eq!(kinds(&report), ["stray-copies", "not-verified", "sheet-outdated"], "{report}");
    let stray = item(&report, "stray-copies");
    assert_eq!(stray["level"], "urgent");
    assert_eq!(stray["paths"][0], terminal.join("client.p12").display().to_string());
    assert!(stray["message"].as_str().unwrap().contains("1 of them not in the vault"), "{stray}");
    assert_eq!(item(&report, "not-verified")["days"], -200);
    assert!(item(&report, "sheet-outdated")["message"].as_str().unwrap().contains("generation 1"));
    // Once the copy is gone, the scan record no longer counts.
    std::fs::remove_file(terminal.join("client.p12")).unwrap();
    let (_, report) = s.status(true);
    assert_eq!(kinds(&report), ["not-verified", "sheet-outdated"]);
}

/// Restore records for certificates ending in 100, 30, 5 and -1 days, as `restore` writes them.
fn installed(s: &Setup, days: i64, sha1: &str) {
    s.log(
        "restore-log.jsonl",
        serde_json::json!({
            "time": rfc3339(now() - 10 * DAY), "vault_id": "00112233445566778899aabbccddeeff", "generation": 2,
            "entry": format!("entry{days}"), "purpose": "online-qualification", "institution_code": "1312345678",
            "leaf_sha1": sha1, "not_after": rfc3339(now() + days * DAY + 3600),
            "target": "nss:/home/clinic/.pki/nssdb", "root_trusted": true, "certvault_version": "0.1.0"
        }),
    );
}

#[test]
fn without_a_vault_the_installed_certificates_are_checked_from_the_records_alone() {
    let s = Setup::new();
    // Nothing recorded: nothing to do, and no secret asked for.
    let (code, report) = s.status(false);
    assert_eq!(code, 0);
    assert_eq!(kinds(&report), ["no-vault"]);
    assert!(report["vault"].is_null());

    for (days, sha1) in [(30, "aa"), (100, "bb"), (-1, "cc"), (5, "dd")] {
        installed(&s, days, sha1);
    }
    let (code, report) = s.status(false);
    assert_eq!(code, 1);
    let items = report["items"].as_array().unwrap();
    let order: Vec<(String, Option<i64>)> =
        items.iter().map(|i| (i["kind"].as_str().unwrap().to_string(), i["days"].as_i64())).collect();
    let expected = [
        ("certificate-expired", Some(-1)),
        ("certificate-expiring", Some(5)),
        ("certificate-expiring", Some(30)),
    ];
    for (got, want) in order.iter().zip(expected) {
        assert_eq!((got.0.as_str(), got.1), want, "{report}");
    }
    // Then the information: four installed certificates and the missing vault.
    let rest: Vec<&str> = order[3..].iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(rest, ["installed", "installed", "installed", "installed", "no-vault"]);
    assert_eq!(items[0]["paths"][0], "nss:/home/clinic/.pki/nssdb");
    for i in items {
        for key in ["kind", "level", "message"] {
            assert!(i[key].is_string(), "{i}");
        }
    }
    assert!(report["time"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn status_errors_exit_2() {
    let s = Setup::new();
    // Not a vault.
    std::fs::create_dir_all(&s.vault).unwrap();
    s.cmd().args(["status", "--vault"]).arg(&s.vault).arg("--passphrase-file").arg(&s.pass).assert().code(2);
    // A wrong passphrase.
    let other = s.path().join("other");
    s.init(true);
    std::fs::write(&other, "not the passphrase at all").unwrap();
    s.cmd()
        .args(["status", "--json", "--vault"])
        .arg(&s.vault)
        .arg("--passphrase-file")
        .arg(&other)
        .assert()
        .code(2);
}

#[test]
fn a_replaced_certificate_shows_its_last_working_day_then_that_it_stopped() {
    // Renewed: the old certificate (from 60 days ago, ending in 20 days) is superseded by one
    // issued yesterday; for the online-qualification certificate it works until its own end.
    let s = Setup::new();
    let old = certificate(s.path(), 60, 20);
    let new = certificate(s.path(), 1, 400);
    s.init(true);
    s.add(&old);
    s.add(&new);
    s.sheet("sheet.pdf");
    s.verified(1, 2);
    let (code, report) = s.status(true);
    assert_eq!(code, 1, "{report}");
    assert_eq!(kinds(&report), ["superseded-stops-working"], "{report}");
    let i = item(&report, "superseded-stops-working");
    assert_eq!(i["level"], "soon");
    // Its last day is the calendar day of its end.
    let end_day = time::OffsetDateTime::from_unix_timestamp(now() + 20 * DAY + 3600).unwrap().date();
    let today = time::OffsetDateTime::from_unix_timestamp(now()).unwrap().date();
    assert_eq!(i["days"], (end_day - today).whole_days());
    assert_eq!(i["date"], end_day.to_string());
    assert!(i["command"].as_str().unwrap().starts_with("certvault restore "), "{i}");
    assert_eq!(report["vault"]["entries"], 1, "the replaced one is not counted");

    // Once that day has passed it is information only: nothing needs attention. (Two days
    // back: one day back plus the hour of margin is today's date in the day's last hour.)
    let s = Setup::new();
    let old = certificate(s.path(), 400, -2);
    let new = certificate(s.path(), 1, 400);
    s.init(true);
    s.add(&old);
    s.add(&new);
    s.sheet("sheet.pdf");
    s.verified(1, 2);
    let (code, report) = s.status(true);
    assert_eq!(code, 0, "{report}");
    assert_eq!(kinds(&report), ["superseded-stopped"]);
    let i = item(&report, "superseded-stopped");
    assert_eq!(i["level"], "info");
    assert!(i["command"].as_str().unwrap().starts_with("certvault remove "), "{i}");
}

#[test]
fn a_recovery_sheet_pdf_in_documents_is_a_warning_with_or_without_the_vault() {
    let s = Setup::new();
    // init writes the first sheet to the home folder itself, which status does not look in.
    s.init(true);
    let (_, report) = s.status(false);
    assert!(!kinds(&report).contains(&"sheet-pdf-left".to_string()), "{report}");
    // Saved to Documents (and an ordinary PDF on the Desktop): a warning naming the file.
    let documents = s.path().join("Documents/clinic");
    std::fs::create_dir_all(&documents).unwrap();
    std::fs::copy(s.path().join("first-sheet.pdf"), documents.join("sheet.pdf")).unwrap();
    std::fs::create_dir_all(s.path().join("Desktop")).unwrap();
    std::fs::write(s.path().join("Desktop/flyer.pdf"), b"%PDF-1.4\n%%EOF\n").unwrap();
    for vault in [false, true] {
        let (code, report) = s.status(vault);
        assert_eq!(code, 1, "{report}");
        let left = item(&report, "sheet-pdf-left");
        assert_eq!(left["level"], "soon");
        assert_eq!(left["paths"].as_array().unwrap().len(), 1, "{left}");
        assert!(left["paths"][0].as_str().unwrap().ends_with("Documents/clinic/sheet.pdf"), "{left}");
        assert!(left["message"].as_str().unwrap().contains("delete the PDF"), "{left}");
    }
}

#[test]
fn a_sheet_printed_on_another_computer_for_this_generation_counts_there() {
    let s = Setup::new();
    let p12 = certificate_ending_in(s.path(), 100);
    s.init(false);
    s.add(&p12);
    // Printed here for generation 2: recorded in this computer's log and next to the vault.
    s.sheet("sheet.pdf");
    assert!(s.vault.join("sheets-printed.jsonl").is_file());
    let on_another_computer = || {
        let out = s
            .cmd()
            .env("CERTVAULT_STATE_DIR", s.path().join("other-computer"))
            .args(["status", "--json", "--vault"])
            .arg(&s.vault)
            .arg("--passphrase-file")
            .arg(&s.pass)
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).expect("status --json prints JSON")
    };
    let report = on_another_computer();
    assert!(!kinds(&report).iter().any(|k| k.starts_with("sheet-")), "{report}");
    // Without that record (a sheet printed by an older certvault), that computer cannot know.
    std::fs::remove_file(s.vault.join("sheets-printed.jsonl")).unwrap();
    assert!(kinds(&on_another_computer()).contains(&"sheet-never-printed".to_string()));
}
