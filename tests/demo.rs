//! `certvault demo` through the real binary, as the README's first command runs it: the
//! artefacts it leaves (the recovery sheet, whose QR codes decode to the vault's keys; the
//! report; the vault; the restored certificate), that it touches nothing of the user's (home,
//! state folder, NSS database), and that the certificate it makes in memory is a real PKCS#12
//! file that openssl reads and whose chain openssl verifies.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// In CI every tool the tests call is installed (`.ci/run`): there a missing one is a failure.
fn need(tool: &str) -> bool {
    let present = have(tool);
    assert!(present || std::env::var_os("CI").is_none(), "{tool} is missing in CI");
    present
}

struct Demo {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    dir: PathBuf,
    stdout: String,
}

impl Demo {
    fn play(&self) -> PathBuf {
        self.dir.join("playground")
    }
}

/// Runs `certvault demo DIR` (or, with `default_dir`, `certvault demo` in a fresh folder, as
/// the README's first command does) with a home of its own, as on a fresh machine.
fn run_demo(lang: &str, default_dir: bool) -> Demo {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let cwd = tmp.path().join("work");
    std::fs::create_dir_all(&cwd).unwrap();
    let dir = if default_dir { cwd.join("certvault-demo") } else { tmp.path().join("demo") };
    let mut cmd = certvault();
    cmd.current_dir(&cwd).args(["--lang", lang, "demo"]);
    if !default_dir {
        cmd.arg(&dir);
    }
    let out = cmd
        .env("HOME", &home)
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env_remove("CERTVAULT_STATE_DIR")
        .env_remove("CERTVAULT_MEDIA_ROOTS")
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    Demo { _tmp: tmp, home, dir, stdout }
}

fn openssl(args: &[&str], dir: &Path) -> String {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_demo_leaves_a_sheet_and_a_report_and_touches_nothing_of_the_users() {
    let demo = run_demo("en", false);
    let play = demo.play();

    // Every step was explained and shown.
    for step in ["inspect", "init", "add", "sheet", "scan", "clean", "restore", "status"] {
        assert!(
            demo.stdout.contains(&format!("$ certvault {step} ")),
            "step {step} missing:\n{}",
            demo.stdout
        );
    }

    // The sheet.
    let sheet = demo.dir.join("recovery-sheet.pdf");
    let pdf = std::fs::read(&sheet).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // The report: eight steps, each with its exit code, and where things are.
    let report = std::fs::read_to_string(demo.dir.join("report.txt")).unwrap();
    assert_eq!(report.matches("   exit ").count(), 8, "{report}");
    assert!(!report.contains("unexpected"), "{report}");
    assert!(report.contains("exit 1 (ok)"), "scan finds the copies: {report}");
    assert!(report.contains("Certificate copies left on the old terminal: 0"), "{report}");

    // The vault on the pretend stick, with the certificate in it.
    let vault = play.join("USB-STICK/CERTVAULT");
    assert!(vault.join("vault.json").is_file());
    let list = certvault()
        .args(["list", "--json", "--vault"])
        .arg(&vault)
        .arg("--passphrase-file")
        .arg(play.join("secrets/passphrase.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list: serde_json::Value = serde_json::from_slice(&list).unwrap();
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry["purpose"], "online-qualification");
    assert_eq!(entry["certificate"]["institution_code"], "1399999999");
    assert!(entry["certificate"]["subject"].as_str().unwrap().contains("さくら内科クリニック"));
    assert_eq!(entry["pin_stored"], true);

    // clean removed both copies on the old terminal (the renamed one too).
    assert!(!play.join("old-terminal/Downloads/202601010000999.p12").exists());
    assert!(!play.join("old-terminal/Desktop/証明書のコピー").exists());

    // restore installed it in the throwaway NSS database, or wrote the file.
    let sha1 = entry["certificate"]["leaf_sha1"].as_str().unwrap().to_uppercase();
    if have("certutil") {
        let db = format!("sql:{}", play.join("new-terminal/nssdb").display());
        let out = Command::new("certutil").args(["-L", "-d", &db]).output().unwrap();
        let listing = String::from_utf8_lossy(&out.stdout);
        assert!(listing.contains("u,u,u"), "the key is in the database: {listing}");
    } else {
        assert!(play.join("new-terminal/202601010000999.p12").is_file());
    }
    // The logs went to the demo's own state folder; restore recorded the certificate there.
    let restore_log = std::fs::read_to_string(play.join("state/restore-log.jsonl")).unwrap();
    assert!(restore_log.to_uppercase().contains(&sha1), "{restore_log}");
    // scan recorded the two copies, clean that none is left: status has nothing to say about them.
    let scans: Vec<serde_json::Value> = std::fs::read_to_string(play.join("state/scan-log.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(scans.len(), 2);
    assert_eq!(
        (scans[0]["command"].as_str(), scans[0]["remaining"].as_array().unwrap().len()),
        (Some("scan"), 2)
    );
    assert_eq!(
        (scans[1]["command"].as_str(), scans[1]["remaining"].as_array().unwrap().len()),
        (Some("clean"), 0)
    );
    assert!(!demo.stdout.contains("certificate copies still on this computer"));
    let sheets = std::fs::read_to_string(play.join("state/sheet-log.jsonl")).unwrap();
    assert_eq!(sheets.lines().count(), 1, "{sheets}");

    // Nothing of the user's: no state folder, no NSS database, nothing in the home at all.
    let in_home: Vec<_> = std::fs::read_dir(&demo.home).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(in_home.is_empty(), "the demo wrote into the home: {in_home:?}");

    // The sheet's QR codes hold the vault's recovery identity and the PIN identity.
    if need("pdftoppm") && need("zbarimg") {
        let png = demo.dir.join("sheet");
        let ok = Command::new("pdftoppm")
            .args(["-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&sheet)
            .arg(&png)
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let out =
            Command::new("zbarimg").args(["--raw", "-q"]).arg(png.with_extension("png")).output().unwrap();
        let codes = String::from_utf8_lossy(&out.stdout);
        let recovery = std::fs::read_to_string(play.join("secrets/recovery.txt")).unwrap();
        let identity = recovery.lines().find_map(|l| l.strip_prefix("RECOVERY-IDENTITY:")).unwrap().trim();
        assert!(codes.lines().any(|l| l.trim() == identity), "QR codes: {codes}");
        assert_eq!(codes.lines().filter(|l| l.starts_with("AGE-SECRET-KEY-1")).count(), 2, "{codes}");
    }
}

#[test]
fn the_demo_certificate_is_a_pkcs12_file_that_openssl_reads_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (p12, ca) =
        certvault_core::demo::make_clinic_certificate("4821", now - 3600, now + 400 * 86_400).unwrap();
    std::fs::write(tmp.path().join("demo.p12"), &p12).unwrap();
    std::fs::write(tmp.path().join("pin.txt"), "4821").unwrap();
    std::fs::write(tmp.path().join("ca.der"), &ca).unwrap();
    let dir = tmp.path();
    // The MAC and both encrypted parts open with the PIN, and only with it.
    openssl(
        &["pkcs12", "-in", "demo.p12", "-passin", "file:pin.txt", "-clcerts", "-nokeys", "-out", "leaf.pem"],
        dir,
    );
    openssl(
        &["pkcs12", "-in", "demo.p12", "-passin", "file:pin.txt", "-cacerts", "-nokeys", "-out", "ca.pem"],
        dir,
    );
    openssl(
        &["pkcs12", "-in", "demo.p12", "-passin", "file:pin.txt", "-nocerts", "-nodes", "-out", "key.pem"],
        dir,
    );
    let wrong = Command::new("openssl")
        .args(["pkcs12", "-in", "demo.p12", "-passin", "pass:1234", "-nokeys", "-out", "x.pem"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    // The CA signed the client certificate, and the key is the certificate's.
    assert!(openssl(&["verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "leaf.pem"], dir)
        .contains("leaf.pem: OK"));
    let cert_pub = openssl(&["x509", "-in", "leaf.pem", "-noout", "-pubkey"], dir);
    let key_pub = openssl(&["pkey", "-in", "key.pem", "-pubout"], dir);
    assert_eq!(cert_pub, key_pub);
    // The Japanese clinic name and the institution code are in the subject, as UTF-8.
    let subject = openssl(&["x509", "-in", "leaf.pem", "-noout", "-subject", "-nameopt", "utf8"], dir);
    assert!(
        subject.contains(certvault_core::demo::DEMO_CLINIC) && subject.contains("1399999999"),
        "{subject}"
    );
    // The same CA certificate as returned.
    openssl(&["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca-from-p12.der"], dir);
    assert_eq!(std::fs::read(dir.join("ca-from-p12.der")).unwrap(), ca);

    // Our own reader: inspect verifies the PIN and finds the matching key.
    let out = certvault()
        .args(["inspect", "--json"])
        .arg(dir.join("demo.p12"))
        .arg("--pin-file")
        .arg(dir.join("pin.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let text = report.to_string();
    assert!(text.contains("\"matches\""), "{text}");
    assert!(text.contains("1399999999"), "{text}");
}

#[test]
fn the_readme_starts_with_the_demo() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let first = readme.lines().find(|l| l.starts_with("    ")).unwrap().trim();
    assert_eq!(first, "cargo run --release -- demo");
}

#[test]
fn the_demo_speaks_japanese_in_its_default_folder_and_refuses_a_folder_that_is_not_empty() {
    let demo = run_demo("ja", true);
    assert!(demo.stdout.contains("証明書と PIN を保管庫にしまう"), "{}", demo.stdout);
    assert!(demo.stdout.contains("完了しました"));
    let report = std::fs::read_to_string(demo.dir.join("report.txt")).unwrap();
    assert!(report.contains("古い端末に残った証明書のコピー: 0 件"), "{report}");
    // Running it again into the same folder changes nothing.
    let before = std::fs::read(demo.dir.join("report.txt")).unwrap();
    certvault().arg("demo").arg(&demo.dir).assert().code(2);
    assert_eq!(std::fs::read(demo.dir.join("report.txt")).unwrap(), before);
}
