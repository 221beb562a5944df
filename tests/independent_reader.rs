//! The vault format read by programs written outside the crate, from `vault-format/SPEC.md`
//! and the age format alone: `vault-format/vectors/check_codes.py` (codes, Argon2id through
//! `cryptography`; shares) and `check_unlock.py` (vault.json, the KDF limits, `unlock.age`
//! through its own age decryption, Argon2id through `argon2-cffi`, generations through a
//! hand-written ustar reader, PIN seals, and the manifest's fields against the grammar of
//! SPEC.md §9.2). They check the committed vectors, and they open vaults that the real binary
//! writes.

mod common;
mod copies_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use copies_common::*;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vault-format/vectors")
}

/// python3 with the packages the checkers import (CI installs them: `.ci/run`).
fn require_python() -> bool {
    if !common::require_tool("python3") {
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import argon2.low_level, cryptography.hazmat.primitives.ciphers.aead"])
        .output()
        .is_ok_and(|o| o.status.success());
    common::require(ok, "the Python packages argon2-cffi and cryptography")
}

fn checker(script: &str) -> Command {
    let mut c = Command::new("python3");
    c.arg(vectors().join(script)).current_dir(vectors());
    c
}

/// The checker's "N passed, N failed" line: (passed, failed).
fn counts(stdout: &str) -> (usize, usize) {
    let line = stdout.lines().rfind(|l| l.contains(" passed, ")).unwrap_or_else(|| panic!("{stdout}"));
    let n: Vec<usize> = line.split(|c: char| !c.is_ascii_digit()).filter_map(|w| w.parse().ok()).collect();
    (n[0], n[1])
}

#[test]
fn the_format_vectors_pass_the_independent_python_checkers() {
    if !require_python() {
        return;
    }
    // Every vector of each area the checkers cover is run, and passes.
    let areas = |prefixes: &[&str]| {
        std::fs::read_dir(vectors().join("testkit"))
            .unwrap()
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                prefixes.iter().any(|p| name.starts_with(p))
            })
            .count()
    };
    let ok_codes = std::fs::read_dir(vectors().join("testkit"))
        .unwrap()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("code_")
                && std::fs::read_to_string(e.path()).unwrap().starts_with("expect: ok\n")
        })
        .count();
    for (script, expected) in [
        ("check_codes.py", areas(&["code_", "share_"])),
        ("check_unlock.py", areas(&["header_", "unlock_", "generation_", "pin_", "vault_"]) + ok_codes),
    ] {
        let out = checker(script).arg("testkit").output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{script}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(counts(&stdout), (expected, 0), "{script}: {stdout}");
    }
}

/// What `check_unlock.py --vault` reports for a folder, or its error.
fn independent_open(
    dir: &Path,
    passphrase: &Path,
    pin_code: &Path,
    pin: &Path,
) -> Result<serde_json::Value, String> {
    let out = checker("check_unlock.py")
        .arg("--vault")
        .arg(dir)
        .arg("--passphrase-file")
        .arg(passphrase)
        .arg("--pin-code-file")
        .arg(pin_code)
        .arg("--pin-file")
        .arg(pin)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn an_independent_reader_opens_what_the_binary_writes() {
    if !require_python() {
        return;
    }
    let s = Scratch::new();
    let dir = s.path("CERTVAULT");
    let rec = s.path("recovery.txt");
    let out = s.cmd().args(s.init_args(&dir, &rec)).output().unwrap();
    assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
    let pin_code = s.path("pin-code.txt");
    let recovery = std::fs::read_to_string(&rec).unwrap();
    let code = recovery.lines().find_map(|l| l.strip_prefix("PIN-CODE: ")).expect("a PIN-CODE line");
    std::fs::write(&pin_code, format!("{code}\n")).unwrap();
    let pin = common::fixture("pin.txt");
    for p12 in ["aes.p12", "ec.p12"] {
        s.add(&dir, &common::fixture(p12), &pin);
    }

    let report = independent_open(&dir, &s.pass, &pin_code, &pin).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["identity_is_derived_from_the_recovery_code"], true, "{report}");
    // The manifest the binary wrote (an RSA and an EC certificate) has exactly the form
    // SPEC.md §9.2 says writers write: members, hex, timestamps, subject/issuer, key_type.
    assert_eq!(report["writer_grammar_violations"], serde_json::json!([]), "{report}");
    let list =
        s.cmd().args(["list", "--json", "--vault"]).arg(&dir).arg("--passphrase-file").arg(&s.pass).output();
    let list: serde_json::Value = serde_json::from_slice(&list.unwrap().stdout).unwrap();
    let mut ids: Vec<&str> =
        list["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort();
    let entries = report["entries"].as_object().unwrap();
    assert_eq!(entries.keys().map(String::as_str).collect::<Vec<_>>(), ids, "{report}");
    // Each entry holds the original file's bytes and the PIN that was given.
    let mut digests: Vec<String> =
        entries.values().map(|e| e["sha256"].as_str().unwrap().to_string()).collect();
    digests.sort();
    let mut want: Vec<String> = ["aes.p12", "ec.p12"]
        .iter()
        .map(|f| sha256_hex(&std::fs::read(common::fixture(f)).unwrap()))
        .collect();
    want.sort();
    assert_eq!(digests, want);
    for e in entries.values() {
        assert_eq!((&e["pin_opens"], &e["pin_matches"]), (&true.into(), &true.into()), "{report}");
    }
    assert_eq!(report["generation"], 3, "{report}");

    // After passwd, the new passphrase opens it and the old one is refused, independently.
    let out = s.cmd().args(s.passwd_args(&dir)).output().unwrap();
    assert!(out.status.success(), "passwd: {}", String::from_utf8_lossy(&out.stderr));
    let again = independent_open(&dir, &s.new_pass, &pin_code, &pin).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again["entries"], report["entries"]);
    let err = independent_open(&dir, &s.pass, &pin_code, &pin).unwrap_err();
    assert!(err.contains("wrong_passphrase"), "{err}");
}
