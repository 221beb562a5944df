//! The vault commands through the real binary: init, add, list, remove, export, reveal-pin,
//! passwd; opening with passphrase or recovery code; the stock `age` tool both ways; and the
//! bad inputs of the vault issue.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

const PASSPHRASE: &str = "sakura umbrella kettle nineteen";

struct TestVault {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    dir: PathBuf,
    pass: PathBuf,
    recovery_code: String,
    recovery_identity: String,
    pin_code: String,
}

impl TestVault {
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.root.join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    /// `certvault <global flags> SUBCOMMAND --vault DIR <rest of args>`: the vault flag goes
    /// right after the subcommand so that a trailing flag in `args` can take its value next.
    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        const SUBCOMMANDS: &[&str] = &["add", "list", "remove", "export", "reveal-pin", "passwd"];
        let split = args.iter().position(|a| SUBCOMMANDS.contains(a)).expect("a subcommand") + 1;
        let mut c = certvault();
        c.args(&args[..split]).arg("--vault").arg(&self.dir).args(&args[split..]);
        c
    }

    fn with_pass(&self, args: &[&str]) -> assert_cmd::Command {
        let mut all = args.to_vec();
        let pass = self.pass.to_str().unwrap();
        let split = all.iter().position(|a| !a.starts_with("--") && *a != "ja").unwrap_or(0) + 1;
        all.splice(split..split, ["--passphrase-file", pass]);
        self.cmd(&all)
    }

    fn add(&self, fixture_name: &str, pin: &str) -> String {
        let out = self
            .with_pass(&["add"])
            .arg(fixture(fixture_name))
            .arg("--pin-file")
            .arg(fixture(pin))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        entry_id_in(&out)
    }

    fn list(&self) -> Value {
        let out = self.with_pass(&["list", "--json"]).assert().success().get_output().stdout.clone();
        serde_json::from_slice(&out).unwrap()
    }

    fn generations(&self) -> Vec<u64> {
        let mut v: Vec<u64> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_prefix("vault-")?.strip_suffix(".age")?.parse().ok()
            })
            .collect();
        v.sort();
        v
    }
}

fn new_vault() -> TestVault {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let dir = root.join("CERTVAULT");
    let pass = root.join("pass.txt");
    std::fs::write(&pass, format!("{PASSPHRASE}\n")).unwrap();
    let rec = root.join("recovery.txt");
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(&rec)
        .arg(&dir)
        .assert()
        .success();
    let text = std::fs::read_to_string(&rec).unwrap();
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("{key}"))
            .to_string()
    };
    TestVault {
        recovery_code: value("RECOVERY-CODE"),
        recovery_identity: value("RECOVERY-IDENTITY"),
        pin_code: value("PIN-CODE"),
        _tmp: tmp,
        root,
        dir,
        pass,
    }
}

fn stderr_of(a: assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stderr.clone()).unwrap()
}

#[test]
fn init_writes_the_layout_and_the_recovery_file() {
    let v = new_vault();
    for name in ["README.txt", "vault.json", "unlock.age", "vault-1.age"] {
        assert!(v.dir.join(name).is_file(), "{name} missing");
    }
    let readme = std::fs::read_to_string(v.dir.join("README.txt")).unwrap();
    assert!(readme.contains("復旧シート") && readme.contains("age -d"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(v.root.join("recovery.txt")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(v.recovery_code.len(), 29, "5 groups of 5 with hyphens: {}", v.recovery_code);
    assert!(v.recovery_identity.starts_with("AGE-SECRET-KEY-1"));
    assert_eq!(v.pin_code.len(), 29);
    // Nothing secret lies in the clear on the stick (program/ holds the programs themselves).
    assert!(v.dir.join("program").is_dir());
    for entry in std::fs::read_dir(&v.dir).unwrap().filter(|e| !e.as_ref().unwrap().path().is_dir()) {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&v.recovery_code) && !text.contains(&v.pin_code) && !text.contains(PASSPHRASE)
        );
        assert!(!text.contains(&v.recovery_identity));
    }
    assert_eq!(v.list()["entries"].as_array().unwrap().len(), 0);
}

#[test]
fn init_refuses_unsafe_or_unusable_setups() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, PASSPHRASE).unwrap();
    // Not removable media and no --allow-fixed-disk: no terminal to confirm on.
    let err = stderr_of(
        certvault()
            .arg("init")
            .arg(tmp.path().join("a"))
            .arg("--passphrase-file")
            .arg(&pass)
            .arg("--recovery-out")
            .arg(tmp.path().join("r1"))
            .assert()
            .code(2),
    );
    assert!(err.contains("not on removable media"), "{err}");
    // Nobody would see the codes.
    let err = stderr_of(
        certvault()
            .args(["init", "--allow-fixed-disk", "--passphrase-file"])
            .arg(&pass)
            .arg(tmp.path().join("b"))
            .assert()
            .code(2),
    );
    assert!(err.contains("--recovery-out"), "{err}");
    // Weak passphrases are refused with a reason.
    for weak in ["short", "password123456", "1111111111111"] {
        let weak_file = tmp.path().join("weak.txt");
        std::fs::write(&weak_file, weak).unwrap();
        let err = stderr_of(
            certvault()
                .args(["init", "--allow-fixed-disk", "--passphrase-file"])
                .arg(&weak_file)
                .arg("--recovery-out")
                .arg(tmp.path().join("r2"))
                .arg(tmp.path().join("c"))
                .assert()
                .code(2),
        );
        assert!(err.contains("passphrase"), "{weak}: {err}");
        assert!(!tmp.path().join("c").exists(), "nothing created for a weak passphrase");
    }
    // A non-empty folder, an existing vault, and a recovery file inside the vault.
    let full = tmp.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("photo.jpg"), "x").unwrap();
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("r3"))
        .arg(&full)
        .assert()
        .code(2);
    let inside = tmp.path().join("d");
    std::fs::create_dir(&inside).unwrap();
    let err = stderr_of(
        certvault()
            .args(["init", "--allow-fixed-disk", "--passphrase-file"])
            .arg(&pass)
            .arg("--recovery-out")
            .arg(inside.join("rec.txt"))
            .arg(&inside)
            .assert()
            .code(2),
    );
    assert!(err.contains("inside the vault folder"), "{err}");
}

#[test]
fn add_list_export_reveal_remove_round_trip() {
    let v = new_vault();
    let id = v.add("aes.p12", "pin.txt");
    let list = v.list();
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e["id"], id);
    assert_eq!(e["purpose"], "online-qualification");
    assert_eq!(e["pin_stored"], true);
    assert_eq!(e["certificate"]["institution_code"], "1312345678");
    let sha1 =
        after_eq(&openssl_x509("leaf.crt", &["-fingerprint", "-sha1"])).replace(':', "").to_lowercase();
    assert_eq!(e["certificate"]["leaf_sha1"], sha1);
    assert!(e["days_left"].as_i64().unwrap() > 800);
    assert_eq!(list["generation"], 2);
    assert_eq!(list["opened_generation"], 2);

    // Same file again: nothing changes.
    let again = v
        .with_pass(&["add"])
        .arg(fixture("aes.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(again).unwrap().contains("already in the vault"));
    assert_eq!(v.generations(), vec![1, 2]);

    // export writes the original bytes, 0600, and never overwrites.
    let out = v.root.join("vendor.p12");
    v.with_pass(&["export", &id, "--out"]).arg(&out).assert().success();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(fixture("aes.p12")).unwrap());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    v.with_pass(&["export", &id, "--out"]).arg(&out).assert().code(2);

    // reveal-pin needs the PIN code from the sheet.
    let code = v.file("pin-code.txt", &v.pin_code);
    let pin = v
        .with_pass(&["reveal-pin", &id, "--pin-code-file"])
        .arg(&code)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(pin).unwrap().trim(), "4821");
    let wrong = v.file("wrong-code.txt", &v.recovery_code);
    let err = stderr_of(v.with_pass(&["reveal-pin", &id, "--pin-code-file"]).arg(&wrong).assert().code(2));
    assert!(err.contains("recovery code, not the PIN code"), "{err}");

    // A second certificate, then remove the first.
    let id2 = v.add("ec.p12", "pin.txt");
    assert_eq!(v.list()["entries"].as_array().unwrap().len(), 2);
    v.with_pass(&["remove", &id]).assert().success();
    let after = v.list();
    let ids: Vec<&str> =
        after["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![id2.as_str()]);
    // Only the newest and the previous generation stay.
    assert_eq!(v.generations(), vec![3, 4]);
    v.with_pass(&["remove", "ffffffffffff"]).assert().code(2);
}

#[test]
fn hint_no_store_pin_and_purpose_override() {
    let v = new_vault();
    let out = v
        .with_pass(&["add", "--no-store-pin", "--hint", "受付の金庫", "--purpose", "other"])
        .arg(fixture("client.hpki-cardless-signature"))
        .arg("--pin-file")
        .arg(fixture("hpki-pw.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let id = entry_id_in(&out);
    let e = &v.list()["entries"][0];
    assert_eq!(e["pin_stored"], false);
    assert_eq!(e["hint"], "受付の金庫");
    assert_eq!(e["purpose"], "other");
    assert_eq!(e["original_file_name"], "client.hpki-cardless-signature");
    let code = v.file("pin-code.txt", &v.pin_code);
    let err = stderr_of(v.with_pass(&["reveal-pin", &id, "--pin-code-file"]).arg(&code).assert().code(2));
    assert!(err.contains("no stored PIN") && err.contains("受付の金庫"), "{err}");
}

#[test]
fn a_wrong_pin_is_refused_and_nothing_is_written() {
    let v = new_vault();
    let err = stderr_of(
        v.with_pass(&["add"])
            .arg(fixture("aes.p12"))
            .arg("--pin-file")
            .arg(fixture("wrong-pin.txt"))
            .assert()
            .code(2),
    );
    assert!(err.contains("wrong PIN"), "{err}");
    v.with_pass(&["add"])
        .arg(fixture("renamed-pdf.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .assert()
        .code(2);
    v.with_pass(&["add"])
        .arg(fixture("nokey.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .assert()
        .code(2);
    assert_eq!(v.generations(), vec![1]);
}

#[test]
fn a_newer_hpki_certificate_supersedes_the_old_one() {
    let v = new_vault();
    // Two HPKI certificates for the same clinic: the second is issued later.
    let dir = fixtures();
    let newer = v.root.join("hpki-new.p12");
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "cd '{d}' && openssl req -new -key hpki.key -subj '/C=JP/O=医療法人社団 さくら会 さくら内科クリニック/CN=1312345678 HPKI second client' -utf8 -out '{r}/n.csr' 2>/dev/null && \
             sleep 1 && openssl x509 -req -in '{r}/n.csr' -CA hpki-ca.crt -CAkey hpki-ca.key -set_serial 4242 -days 800 -out '{r}/n.crt' 2>/dev/null && \
             openssl pkcs12 -export -in '{r}/n.crt' -inkey hpki.key -certfile hpki-ca.crt -passout file:hpki-pw.txt -out '{n}'",
            d = dir.display(),
            r = v.root.display(),
            n = newer.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let old_id = v.add("client.hpki-cardless-signature", "hpki-pw.txt");
    let out = v
        .with_pass(&["add"])
        .arg(&newer)
        .arg("--pin-file")
        .arg(fixture("hpki-pw.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let new_id = entry_id_in(&out);
    let list = v.list();
    let old = list["entries"].as_array().unwrap().iter().find(|e| e["id"] == old_id.as_str()).unwrap();
    assert_eq!(old["superseded"]["by"], new_id.as_str());
    // One month after the new certificate's issue date.
    let not_before = openssl_date_to_rfc3339(
        &Command::new("openssl")
            .args(["x509", "-noout", "-startdate", "-in"])
            .arg(v.root.join("n.crt"))
            .output()
            .map(|o| String::from_utf8(o.stdout).unwrap())
            .unwrap(),
    );
    let (y, rest) = not_before.split_at(4);
    let m: u32 = rest[1..3].parse().unwrap();
    let (ny, nm) = if m == 12 { (y.parse::<u32>().unwrap() + 1, 1) } else { (y.parse().unwrap(), m + 1) };
    assert!(old["superseded"]["stops_working"].as_str().unwrap().starts_with(&format!("{ny:04}-{nm:02}-")));
}

#[test]
fn opening_with_the_recovery_code_and_its_mistakes() {
    let v = new_vault();
    v.add("aes.p12", "pin.txt");
    // The code as a person types it: lower case, spaces, O for 0.
    let typed = v.recovery_code.to_lowercase().replace('-', " ").replace('0', "o");
    let code = v.file("code.txt", &typed);
    let out = v
        .cmd(&["list", "--json", "--recovery-code-file"])
        .arg(&code)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(list["entries"].as_array().unwrap().len(), 1);

    // One mistyped character in group 3: the error names the group.
    let mut chars: Vec<char> = v.recovery_code.chars().collect();
    let i = 13; // inside the third group
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let bad = v.file("bad.txt", &chars.iter().collect::<String>());
    let err = stderr_of(v.cmd(&["list", "--recovery-code-file"]).arg(&bad).assert().code(2));
    assert!(err.contains("group 3"), "{err}");
    // The PIN code where the recovery code belongs.
    let pin_code = v.file("pc.txt", &v.pin_code);
    let err = stderr_of(v.cmd(&["list", "--recovery-code-file"]).arg(&pin_code).assert().code(2));
    assert!(err.contains("PIN code, not the recovery code"), "{err}");
    // Another vault's (valid) code.
    let other = new_vault();
    let foreign = v.file("foreign.txt", &other.recovery_code);
    let err = stderr_of(v.cmd(&["list", "--recovery-code-file"]).arg(&foreign).assert().code(2));
    assert!(err.contains("does not open this vault"), "{err}");
}

#[test]
fn wrong_passphrase_and_passwd() {
    let v = new_vault();
    v.add("aes.p12", "pin.txt");
    let wrong = v.file("wrong.txt", "sakura umbrella kettle twenty");
    let err = stderr_of(v.cmd(&["list", "--passphrase-file"]).arg(&wrong).assert().code(2));
    assert!(err.contains("wrong passphrase") && err.contains("--recovery-code-file"), "{err}");

    let new_pass = v.file("new.txt", "harbour lantern cedar quartz");
    v.with_pass(&["passwd", "--new-passphrase-file"]).arg(&new_pass).assert().success();
    v.with_pass(&["list"]).assert().code(2);
    v.cmd(&["list", "--passphrase-file"]).arg(&new_pass).assert().success();
    // A forgotten passphrase: the recovery code sets a new one.
    let code = v.file("code.txt", &v.recovery_code);
    let third = v.file("third.txt", "violet compass maple eleven");
    v.cmd(&["passwd", "--recovery-code-file"])
        .arg(&code)
        .arg("--new-passphrase-file")
        .arg(&third)
        .assert()
        .success();
    v.cmd(&["list", "--passphrase-file"]).arg(&third).assert().success();
    // A weak new passphrase changes nothing.
    let weak = v.file("weak.txt", "password");
    v.cmd(&["passwd", "--passphrase-file"])
        .arg(&third)
        .arg("--new-passphrase-file")
        .arg(&weak)
        .assert()
        .code(2);
    v.cmd(&["list", "--passphrase-file"]).arg(&third).assert().success();
    assert!(!std::fs::read_dir(&v.dir).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".tmp")));
}

#[test]
fn folders_that_are_not_vaults_or_are_too_new() {
    let v = new_vault();
    let tmp = tempfile::tempdir().unwrap();
    let err = stderr_of(
        certvault()
            .args(["list", "--vault"])
            .arg(tmp.path())
            .arg("--passphrase-file")
            .arg(&v.pass)
            .assert()
            .code(2),
    );
    assert!(err.contains("not a certvault vault"), "{err}");
    let err = stderr_of(
        certvault()
            .args(["list", "--vault"])
            .arg(tmp.path().join("missing"))
            .arg("--passphrase-file")
            .arg(&v.pass)
            .assert()
            .code(2),
    );
    assert!(err.contains("no such folder"), "{err}");
    let header = std::fs::read_to_string(v.dir.join("vault.json")).unwrap();
    let mut json: Value = serde_json::from_str(&header).unwrap();
    json["format_version"] = Value::from(99);
    std::fs::write(v.dir.join("vault.json"), serde_json::to_vec(&json).unwrap()).unwrap();
    let err = stderr_of(v.with_pass(&["list"]).assert().code(2));
    assert!(err.contains("newer certvault"), "{err}");
}

#[test]
fn a_damaged_newest_generation_falls_back_and_says_so() {
    for damage in ["truncate", "flip"] {
        let v = new_vault();
        let id = v.add("aes.p12", "pin.txt");
        v.add("ec.p12", "pin.txt");
        assert_eq!(v.generations(), vec![2, 3]);
        let newest = v.dir.join("vault-3.age");
        let mut bytes = std::fs::read(&newest).unwrap();
        match damage {
            "truncate" => bytes.truncate(bytes.len() / 2),
            _ => {
                let i = bytes.len() - 40;
                bytes[i] ^= 0x20;
            }
        }
        std::fs::write(&newest, &bytes).unwrap();
        let out = v.with_pass(&["list"]).assert().success().get_output().clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("vault-3.age cannot be opened") && err.contains("vault-2.age"),
            "{damage}: {err}"
        );
        let list = v.list();
        assert_eq!(list["opened_generation"], 2);
        assert_eq!(list["entries"][0]["id"], id.as_str());
        // No change is written on top of the fallback: it would drop what only generation 3
        // holds (tests/tamper.rs). With no other copy, sync keeps it aside and says that this
        // computer has seen a newer generation than the stick now holds; the next change
        // writes generation 3 again, from the good state.
        let err = stderr_of(
            v.with_pass(&["add"])
                .arg(fixture("legacy.p12"))
                .arg("--pin-file")
                .arg(fixture("pin.txt"))
                .assert()
                .code(2),
        );
        assert!(err.contains("vault-3.age") && err.contains("certvault sync"), "{damage}: {err}");
        let out = certvault().arg("sync").arg("--passphrase-file").arg(&v.pass).arg(&v.dir).assert().code(1);
        let out = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(out.contains("already seen generation 3"), "{damage}: {out}");
        assert!(v.dir.join("vault-3.age.damaged").exists());
        v.add("legacy.p12", "pin.txt");
        let list = v.list();
        assert_eq!(list["opened_generation"], 3);
        assert_eq!(list["entries"].as_array().unwrap().len(), 2);
    }
}

#[test]
fn leftovers_of_a_killed_write_are_tidied_and_the_last_good_generation_opens() {
    let v = new_vault();
    v.add("aes.p12", "pin.txt");
    // What a process killed between writing and renaming leaves behind.
    std::fs::write(v.dir.join(".certvault-vault-3.age.tmp"), b"half a generation").unwrap();
    assert_eq!(v.list()["opened_generation"], 2);
    v.add("ec.p12", "pin.txt");
    assert!(!v.dir.join(".certvault-vault-3.age.tmp").exists());
    assert_eq!(v.list()["opened_generation"], 3);
}

#[test]
fn a_second_process_is_told_who_holds_the_vault() {
    let v = new_vault();
    let lock = std::fs::OpenOptions::new().read(true).write(true).open(v.dir.join("certvault.lock")).unwrap();
    lock.lock().unwrap();
    std::fs::write(v.dir.join("certvault.lock"), "pid 4242 (certvault add) since 2026-11-22T00:00:00Z\n")
        .unwrap();
    let err = stderr_of(
        v.with_pass(&["add"])
            .arg(fixture("aes.p12"))
            .arg("--pin-file")
            .arg(fixture("pin.txt"))
            .assert()
            .code(2),
    );
    assert!(err.contains("in use by another certvault process") && err.contains("pid 4242"), "{err}");
    drop(lock);
    v.add("aes.p12", "pin.txt");
}

/// A vault on a tiny tmpfs (a full stick) and remounted read-only (a write-protected one).
#[test]
fn full_and_read_only_media_keep_the_previous_generation() {
    let v = new_vault();
    let mnt = v.root.join("stick");
    std::fs::create_dir(&mnt).unwrap();
    let mount = |args: &[&str]| {
        let st = Command::new("mount").args(args).status().expect("mount runs");
        assert!(st.success(), "mount {args:?} failed: these tests need root, as CI has");
    };
    let _guard = common::Tmpfs::mount(&mnt, "size=64k");
    let stick = mnt.join("CERTVAULT");
    std::fs::create_dir(&stick).unwrap();
    // The vault's own files: a 64 KiB stick has no room for the program, which is optional.
    for e in std::fs::read_dir(&v.dir).unwrap() {
        let e = e.unwrap();
        if e.path().is_file() {
            std::fs::copy(e.path(), stick.join(e.file_name())).unwrap();
        }
    }
    let on_stick = |args: &[&str]| {
        let mut c = certvault();
        c.args(args).arg("--vault").arg(&stick).arg("--passphrase-file").arg(&v.pass);
        c
    };
    let mut added = 0;
    let mut full_error = None;
    for f in [
        "aes.p12",
        "ec.p12",
        "legacy.p12",
        "nochain.p12",
        "expired.p12",
        "hpki.p12",
        "nomac.p12",
        "noenc.p12",
        "nochain-legacy.p12",
        "ber-aes.p12",
        "ber.p12",
    ] {
        let pin = if f == "hpki.p12" { "hpki-pw.txt" } else { "pin.txt" };
        let out = on_stick(&["add"]).arg(fixture(f)).arg("--pin-file").arg(fixture(pin)).output().unwrap();
        if out.status.code() == Some(2) {
            full_error = Some(String::from_utf8(out.stderr).unwrap());
            break;
        }
        assert!(out.status.success());
        added += 1;
    }
    let err = full_error.expect("the 64 KiB stick fills up");
    assert!(err.contains("medium is full") && err.contains("unchanged"), "{err}");
    let out = on_stick(&["list", "--json"]).output().unwrap();
    assert!(out.status.success(), "the vault still opens after a full-disk failure");
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["entries"].as_array().unwrap().len(), added);
    assert!(list["fallbacks"].as_array().unwrap().is_empty());

    // Write-protected: reading works, writing fails clearly.
    mount(&["-o", "remount,ro", mnt.to_str().unwrap()]);
    on_stick(&["list"]).assert().success();
    let out = on_stick(&["remove", list["entries"][0]["id"].as_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("read-only"), "{err}");
}

fn age(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new("age").args(args).current_dir(dir).output().expect("the stock age tool (Debian package age)")
}

#[test]
fn the_stock_age_tool_opens_the_vault_with_the_identity_and_the_passphrase() {
    let v = new_vault();
    let id = v.add("aes.p12", "pin.txt");
    // 1. The identity from --recovery-out (the sheet's QR holds the same string).
    let identity = v.file("identity.txt", &format!("{}\n", v.recovery_identity));
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "mkdir -p x && age -d -i '{}' '{}' | tar x -C x",
            identity.display(),
            v.dir.join("vault-2.age").display()
        ))
        .current_dir(&v.root)
        .status()
        .unwrap();
    assert!(out.success());
    assert_eq!(
        std::fs::read(v.root.join(format!("x/certs/{id}.p12"))).unwrap(),
        std::fs::read(fixture("aes.p12")).unwrap()
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(v.root.join("x/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["entries"][0]["id"], id.as_str());
    // The PIN opens with the PIN identity only; certvault's reveal-pin is the way there, so
    // here we check that the vault identity does NOT open it.
    assert!(!age(&["-d", "-i", identity.to_str().unwrap(), &format!("x/pins/{id}.age")], &v.root)
        .status
        .success());

    // 2. The passphrase, typed at age's terminal prompt.
    let answers = v.file("answers.txt", &format!("{PASSPHRASE}\n"));
    let pty = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/pty_answer.py");
    let st = Command::new("python3")
        .arg(&pty)
        .arg(&answers)
        .args(["--", "age", "-d", "-o"])
        .arg(v.root.join("from-passphrase.txt"))
        .arg(v.dir.join("unlock.age"))
        .status()
        .unwrap();
    assert!(st.success());
    let text = std::fs::read_to_string(v.root.join("from-passphrase.txt")).unwrap();
    assert!(text.contains(&v.recovery_identity) && text.contains(&v.recovery_code));
    let st = age(
        &["-d", "-i", "from-passphrase.txt", "-o", "g2.tar", v.dir.join("vault-2.age").to_str().unwrap()],
        &v.root,
    );
    assert!(st.status.success());
}

#[test]
fn certvault_opens_what_the_stock_tools_wrote() {
    let v = new_vault();
    let id = v.add("aes.p12", "pin.txt");
    let identity = v.file("identity.txt", &format!("{}\n", v.recovery_identity));
    let recipient = String::from_utf8(
        Command::new("age-keygen").arg("-y").arg(&identity).output().expect("age-keygen").stdout,
    )
    .unwrap();
    // Unpack generation 2 with age + tar, mark it generation 3, repack with GNU tar, encrypt
    // with age -r: a vault a person repaired by hand with stock tools.
    let script = format!(
        "set -e; mkdir g; age -d -i identity.txt '{g2}' | tar x -C g; \
         python3 -c \"import json;p='g/manifest.json';m=json.load(open(p));m['generation']=3;open(p,'w').write(json.dumps(m))\"; \
         (cd g && tar cf ../g3.tar manifest.json certs pins); age -r '{r}' -o '{g3}' g3.tar",
        g2 = v.dir.join("vault-2.age").display(),
        r = recipient.trim(),
        g3 = v.dir.join("vault-3.age").display()
    );
    assert!(Command::new("bash").arg("-c").arg(&script).current_dir(&v.root).status().unwrap().success());
    let list = v.list();
    assert_eq!(list["opened_generation"], 3);
    assert_eq!(list["entries"][0]["id"], id.as_str());

    // unlock.age re-encrypted with the stock tool's own passphrase mode (work factor 18).
    let plain = v.root.join("unlock.txt");
    let answers = v.file("answers.txt", &format!("{PASSPHRASE}\n{PASSPHRASE}\n{PASSPHRASE}\n"));
    let pty = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/pty_answer.py");
    let st = Command::new("python3")
        .arg(&pty)
        .arg(&answers)
        .args(["--", "age", "-d", "-o"])
        .arg(&plain)
        .arg(v.dir.join("unlock.age"))
        .status()
        .unwrap();
    assert!(st.success());
    let answers = v.file("answers2.txt", &format!("{PASSPHRASE}\n{PASSPHRASE}\n"));
    std::fs::remove_file(v.dir.join("unlock.age")).unwrap();
    let st = Command::new("python3")
        .arg(&pty)
        .arg(&answers)
        .args(["--", "age", "-p", "-o"])
        .arg(v.dir.join("unlock.age"))
        .arg(&plain)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(v.list()["entries"][0]["id"], id.as_str());
}

#[test]
fn messages_follow_the_language() {
    let v = new_vault();
    let wrong = v.file("wrong.txt", "sakura umbrella kettle twenty");
    let err = stderr_of(v.cmd(&["--lang", "ja", "list", "--passphrase-file"]).arg(&wrong).assert().code(2));
    assert!(err.contains("パスフレーズが違います"), "{err}");
}

/// Issue 16: `init` on a stick's top folder (here a folder of CERTVAULT_MEDIA_ROOTS holding
/// other files) creates CERTVAULT in it, where restore and the wizard look.
#[test]
fn init_on_a_stick_root_creates_certvault_in_it() {
    let tmp = tempfile::tempdir().unwrap();
    let stick = tmp.path().join("stick");
    std::fs::create_dir(&stick).unwrap();
    std::fs::write(stick.join("report.docx"), "x").unwrap();
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, PASSPHRASE).unwrap();
    let out = certvault()
        .env("CERTVAULT_MEDIA_ROOTS", &stick)
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("r.txt"))
        .arg(&stick)
        .assert()
        .success();
    let said = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let vault = stick.join("CERTVAULT");
    assert!(vault.join("vault.json").is_file(), "{said}");
    assert!(said.contains(&vault.display().to_string()), "{said}");
    assert!(stick.join("report.docx").is_file());
}
