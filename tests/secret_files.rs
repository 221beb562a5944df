//! Secret files as people write them, through the real binary: Windows Notepad starts a UTF-8
//! file with a byte-order mark (U+FEFF), which is not part of the secret, whatever the secret:
//! PIN, passphrase, recovery code, PIN code, share. And a PIN file given for a certificate file
//! that has no password is said to be unused, not silently ignored.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;
use vault_format::secrecy::ExposeSecret;

const PASSPHRASE: &str = "sakura umbrella kettle nineteen";
/// What Notepad writes first in a file saved as UTF-8.
const BOM: &str = "\u{FEFF}";

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// `certvault init` with `pass_file`; the recovery code and PIN code it shows.
fn init(root: &Path, vault: &Path, pass_file: &Path) -> (String, String) {
    let recovery = root.join("recovery.txt");
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(pass_file)
        .arg("--recovery-out")
        .arg(&recovery)
        .arg(vault)
        .assert()
        .success();
    let text = std::fs::read_to_string(&recovery).unwrap();
    let value = |key: &str| {
        text.lines().find_map(|l| l.strip_prefix(&format!("{key}: "))).expect("a code line").to_string()
    };
    (value("RECOVERY-CODE"), value("PIN-CODE"))
}

fn list_with(vault: &Path, flags: &[(&str, &Path)]) -> Value {
    let mut cmd = certvault();
    cmd.args(["list", "--json", "--vault"]).arg(vault);
    for (flag, file) in flags {
        cmd.arg(flag).arg(file);
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn a_byte_order_mark_at_the_start_is_not_part_of_any_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();

    // PIN: Notepad's "4821" with its mark and a CRLF opens the file.
    let pin = write(root, "pin.txt", &format!("{BOM}4821\r\n"));
    let out = certvault()
        .args(["inspect", "--json", "--pin-file"])
        .arg(&pin)
        .arg(fixture("aes.p12"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(serde_json::from_slice::<Value>(&out).unwrap()["pin"], "correct");

    // Passphrase: set from a file with the mark, the same words without it open the vault.
    let vault = root.join("CERTVAULT");
    let (recovery_code, pin_code) =
        init(root, &vault, &write(root, "pass-notepad.txt", &format!("{BOM}{PASSPHRASE}\r\n")));
    let plain_pass = write(root, "pass.txt", &format!("{PASSPHRASE}\n"));
    list_with(&vault, &[("--passphrase-file", &plain_pass)]);
    let out = certvault()
        .args(["add", "--vault"])
        .arg(&vault)
        .arg("--passphrase-file")
        .arg(&plain_pass)
        .arg("--pin-file")
        .arg(&pin)
        .arg(fixture("aes.p12"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let entry = entry_id_in(&out);

    // Recovery code typed into Notepad.
    let code_file = write(root, "recovery-code.txt", &format!("{BOM}{recovery_code}\r\n"));
    let listed = list_with(&vault, &[("--recovery-code-file", &code_file)]);
    assert!(listed.to_string().contains(&entry), "{listed}");

    // Two of three shares of that code, each typed into Notepad.
    let code = vault_format::Code::parse_any(&recovery_code).unwrap();
    let shares = vault_format::share::split(&code, 2, 3).unwrap();
    let share_files: Vec<PathBuf> = shares
        .iter()
        .enumerate()
        .map(|(i, s)| {
            write(
                root,
                &format!("share-{i}.txt"),
                &format!("{BOM}{}\r\n", s.to_grouped_string().expose_secret()),
            )
        })
        .collect();
    let listed = list_with(&vault, &[("--share-file", &share_files[0]), ("--share-file", &share_files[2])]);
    assert!(listed.to_string().contains(&entry), "{listed}");

    // PIN code: reveal-pin shows the stored PIN.
    let pin_code_file = write(root, "pin-code.txt", &format!("{BOM}{pin_code}\r\n"));
    let out = certvault()
        .args(["reveal-pin", &entry, "--vault"])
        .arg(&vault)
        .arg("--passphrase-file")
        .arg(&plain_pass)
        .arg("--pin-code-file")
        .arg(&pin_code_file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(out).unwrap().trim(), "4821");
}

#[test]
fn add_says_when_a_pin_file_is_not_used() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let vault = root.join("CERTVAULT");
    let pass = write(root, "pass.txt", &format!("{PASSPHRASE}\n"));
    init(root, &vault, &pass);
    let out = certvault()
        .args(["add", "--vault"])
        .arg(&vault)
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .arg(fixture("nopassword.p12"))
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(stderr.contains("nopassword.p12") && stderr.contains("pin.txt was not used"), "{stderr}");
}
