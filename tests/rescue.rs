//! `certvault rescue --from nss:DIR` through the real binary, on real NSS databases made here
//! with `certutil` and `pk12util` (Debian's libnss3-tools): a certificate that exists only in
//! a database is listed, rescued, the database and the original file deleted, and `restore
//! --to nss:NEWDIR` installs a certificate and key with the same thumbprint.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

const PASSPHRASE: &str = "sakura umbrella kettle nineteen";

struct Setup {
    tmp: tempfile::TempDir,
    vault: PathBuf,
    pass: PathBuf,
    pin_code_file: PathBuf,
    /// SHA-1 of the leaf as openssl prints it (AB:CD:…).
    sha1: String,
}

fn nss(tool: &str, db: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(tool)
        .arg("-d")
        .arg(format!("sql:{}", db.display()))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs (libnss3-tools): {e}"));
    (
        out.status.success(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

impl Setup {
    /// A vault, and an NSS database holding the test certificate with its key, imported from a
    /// file that is then deleted: the certificate lives only in the database.
    fn new(db: &str) -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        for d in ["inputs", "tmp", "home", "state"] {
            std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        let inputs = tmp.path().join("inputs");
        let vault = tmp.path().join("USB").join("CERTVAULT");
        let (pass, pin_code_file) = init_vault(&inputs, &vault, PASSPHRASE);

        let db = tmp.path().join(db);
        std::fs::create_dir_all(&db).unwrap();
        assert!(nss("certutil", &db, &["-N", "--empty-password"]).0, "certutil -N");
        let p12 = inputs.join("downloaded.p12");
        std::fs::copy(fixture("legacy.p12"), &p12).unwrap();
        let empty = inputs.join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        let (ok, text) = nss(
            "pk12util",
            &db,
            &[
                "-i",
                p12.to_str().unwrap(),
                "-w",
                fixture("pin.txt").to_str().unwrap(),
                "-k",
                empty.to_str().unwrap(),
            ],
        );
        assert!(ok, "pk12util -i: {text}");
        // As the manuals say: back up the download, then delete it. Only the store has it now.
        std::fs::remove_file(&p12).unwrap();
        let sha1 = after_eq(&openssl_x509("leaf.crt", &["-fingerprint", "-sha1"]));
        Setup { tmp, vault, pass, pin_code_file, sha1 }
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn cmd(&self, command: &str) -> assert_cmd::Command {
        let mut c = certvault();
        c.env("TMPDIR", self.dir("tmp"))
            .env("HOME", self.dir("home"))
            .env("XDG_STATE_HOME", self.dir("state"))
            .arg(command)
            .arg("--vault")
            .arg(&self.vault)
            .arg("--passphrase-file")
            .arg(&self.pass);
        c
    }

    fn rescue_json(&self, db: &Path, args: &[&str]) -> (Value, i32, String) {
        let out = self
            .cmd("rescue")
            .arg("--from")
            .arg(format!("nss:{}", db.display()))
            .args(args)
            .arg("--json")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (v, out.status.code().unwrap_or(-1), stderr)
    }
}

fn tools() -> bool {
    require_tool("certutil") && require_tool("pk12util") && require_tool("openssl")
}

#[test]
fn a_certificate_only_in_an_nss_database_is_rescued_and_restored_with_the_same_thumbprint() {
    if !tools() {
        return;
    }
    let s = Setup::new("old-nssdb");
    let db = s.dir("old-nssdb");

    // Listed, not in the vault, exportable; nothing rescued without a thumbprint or a terminal.
    let (v, code, stderr) = s.rescue_json(&db, &[]);
    assert_eq!(code, 1, "a certificate outside the vault is 'found something': {stderr}");
    let certs = v["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 1, "{v}");
    assert_eq!(certs[0]["sha1"], s.sha1.as_str());
    assert_eq!(certs[0]["institution_code"], "1312345678");
    assert_eq!(certs[0]["purpose"], "online-qualification");
    assert_eq!(certs[0]["exportable"], "yes");
    assert!(certs[0]["entry"].is_null());
    assert!(v["results"].as_array().unwrap().is_empty());
    assert!(stderr.contains("THUMBPRINT"), "{stderr}");

    // Rescued by its thumbprint (plain lower-case hex works as well as the colon form).
    let plain = s.sha1.replace(':', "").to_lowercase();
    let (v, code, stderr) = s.rescue_json(&db, &[&plain]);
    assert_eq!(code, 0, "{stderr}");
    let result = &v["results"][0];
    assert_eq!(result["outcome"], "rescued", "{v}");
    let id = result["entry"].as_str().unwrap().to_string();
    assert_eq!(v["certificates"][0]["entry"], id.as_str());

    // The entry: the certificate, with a stored password nobody was shown.
    let out = s.cmd("list").arg("--json").output().unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = list["entries"].as_array().unwrap().iter().find(|e| e["id"] == id.as_str()).unwrap().clone();
    assert_eq!(entry["pin_stored"], true);
    assert_eq!(entry["certificate"]["leaf_sha1"], plain.as_str());
    assert_eq!(entry["purpose"], "online-qualification");
    let out = s.cmd("reveal-pin").arg(&id).arg("--pin-code-file").arg(&s.pin_code_file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let password = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(password.len(), 24, "a generated password, not the original PIN");
    assert!(password.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(password, std::fs::read_to_string(fixture("pin.txt")).unwrap().trim());
    assert!(!stderr.contains(&password) && !v.to_string().contains(&password), "the password was shown");
    let leftovers: Vec<_> = std::fs::read_dir(s.dir("tmp")).unwrap().collect();
    assert!(leftovers.is_empty(), "rescue left files in its TMPDIR: {leftovers:?}");

    // Again: already in the vault, nothing exported, exit 0.
    let (v, code, _) = s.rescue_json(&db, &[&s.sha1]);
    assert_eq!((code, v["results"][0]["outcome"].as_str()), (0, Some("already-in-vault")));

    // The old computer is gone; the new one gets it from the vault.
    std::fs::remove_dir_all(&db).unwrap();
    let new_db = s.dir("new-nssdb");
    let out = certvault()
        .env("TMPDIR", s.dir("tmp"))
        .env("HOME", s.dir("home"))
        .env("XDG_STATE_HOME", s.dir("state"))
        .arg("restore")
        .arg(&id)
        .arg("--vault")
        .arg(&s.vault)
        .arg("--passphrase-file")
        .arg(&s.pass)
        .arg("--pin-code-file")
        .arg(&s.pin_code_file)
        .arg("--to")
        .arg(format!("nss:{}", new_db.display()))
        .arg("--no-root")
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["results"][0]["outcome"], "installed");
    assert_eq!(report["results"][0]["verified"], true);
    // Read back with NSS's own tools: the same thumbprint, and its private key.
    let (ok, listing) = nss("certutil", &new_db, &["-L"]);
    assert!(ok && listing.contains("u,u,u"), "{listing}");
    let nick = listing
        .lines()
        .find(|l| l.trim_end().ends_with("u,u,u"))
        .map(|l| l.trim_end().trim_end_matches("u,u,u").trim_end().to_string())
        .unwrap();
    let (ok, shown) = nss("certutil", &new_db, &["-L", "-n", &nick]);
    assert!(ok && shown.contains(&s.sha1), "certutil -L -n shows SHA-1 {}: {shown}", s.sha1);
    let (ok, keys) = nss("certutil", &new_db, &["-K"]);
    assert!(ok && keys.contains(&nick), "certutil -K lists the key: {keys}");
}

#[test]
fn a_thumbprint_the_store_does_not_hold_or_a_missing_database_is_an_error() {
    if !tools() {
        return;
    }
    let s = Setup::new("nssdb");
    let db = s.dir("nssdb");
    let (_, code, stderr) =
        s.rescue_json(&db, &["00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not_found"), "{stderr}");
    let (_, code, stderr) = s.rescue_json(&db, &["12345"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid_input"), "{stderr}");
    let (_, code, stderr) = s.rescue_json(&s.dir("no-such-db"), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no NSS database"), "{stderr}");
    // Nothing was sealed by any of these.
    let out = s.cmd("list").arg("--json").output().unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list["entries"].as_array().unwrap().is_empty());
}
