//! Outside text never reaches the terminal raw: a certificate subject, a file name, a hint or
//! an original file name holding ESC sequences or bidi overrides is shown escaped by `inspect`,
//! `add`, `list`, `scan` and `clean` (SECURITY.md, "Secrets hygiene"). The certificate and its
//! file are made here with openssl.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
const RLO: char = '\u{202e}';
const PASSPHRASE: &str = "sakura umbrella kettle nineteen";

/// A certificate whose organisation clears the screen and reverses the text after it, in a
/// `.p12` (PIN 1234) whose file name sets the terminal's colour.
fn hostile_certificate(dir: &Path) -> PathBuf {
    let run = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let subject = format!("/O=Clinic {ESC}[2J{RLO}gpj.exe/CN=1234567890");
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
        "-days",
        "30",
        "-utf8",
        "-subj",
        &subject,
    ]);
    std::fs::write(dir.join("pin.txt"), "1234\n").unwrap();
    let name = format!("cert{ESC}[31m{RLO}.p12");
    run(&["pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem", "-passout", "file:pin.txt", "-out", &name]);
    dir.join(name)
}

/// No raw control or bidi character but the line breaks.
fn assert_no_raw(what: &str, output: &[u8]) {
    let text = String::from_utf8_lossy(output);
    let raw: Vec<char> = text.chars().filter(|&c| (c.is_control() && c != '\n') || c == RLO).collect();
    assert!(raw.is_empty(), "{what}: raw characters {raw:?} in:\n{text}");
}

/// Nothing raw, and the escape shown instead, so the user still sees that something odd is there.
fn assert_escaped(what: &str, output: &[u8]) {
    assert_no_raw(what, output);
    let text = String::from_utf8_lossy(output);
    assert!(text.contains("\\u{1b}"), "{what}: the escape is shown:\n{text}");
}

#[test]
fn subjects_file_names_and_hints_are_escaped_in_every_human_output() {
    let tmp = tempfile::tempdir().unwrap();
    let certs = tmp.path().join("downloads");
    std::fs::create_dir(&certs).unwrap();
    let p12 = hostile_certificate(&certs);
    let pin = certs.join("pin.txt");

    let out = certvault().arg("inspect").arg(&p12).arg("--pin-file").arg(&pin).assert().success();
    assert_escaped("inspect", &out.get_output().stdout);
    // JSON keeps the real text, escaped the JSON way.
    let out =
        certvault().arg("inspect").arg(&p12).arg("--pin-file").arg(&pin).arg("--json").assert().success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(json.to_string().contains("\\u001b[2J"), "{json}");

    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, PASSPHRASE).unwrap();
    let vault = tmp.path().join("CERTVAULT");
    certvault()
        .env("CERTVAULT_TEST_CHEAP_KDF", "1")
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("recovery.txt"))
        .arg(&vault)
        .assert()
        .success();
    let hint = format!("kept in the {ESC}]0;owned{BEL} safe");
    let out = certvault()
        .arg("add")
        .arg(&p12)
        .arg("--vault")
        .arg(&vault)
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("--pin-file")
        .arg(&pin)
        .arg("--hint")
        .arg(&hint)
        .assert()
        .success();
    let output = out.get_output();
    assert_escaped("add (summary on stderr)", &output.stderr);
    assert_no_raw("add (stdout)", &output.stdout);

    let out = certvault()
        .arg("list")
        .arg("--vault")
        .arg(&vault)
        .arg("--passphrase-file")
        .arg(&pass)
        .assert()
        .success();
    let listed = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert_escaped("list", listed.as_bytes());
    assert!(listed.contains("\\u{1b}]0;owned\\u{7}"), "the hint, escaped:\n{listed}");
    // The vault stores the name without its control characters (SPEC.md §9.2); the bidi
    // override it may keep is shown escaped.
    assert!(listed.contains("cert_[31m\\u{202e}.p12"), "the original file name, escaped:\n{listed}");

    let out = certvault()
        .arg("scan")
        .arg(&certs)
        .arg("--vault")
        .arg(&vault)
        .arg("--passphrase-file")
        .arg(&pass)
        .assert();
    assert_escaped("scan", &out.get_output().stdout);
    let out = certvault()
        .arg("clean")
        .arg(&certs)
        .arg("--vault")
        .arg(&vault)
        .arg("--passphrase-file")
        .arg(&pass)
        .assert()
        .code(1);
    assert_escaped("clean (dry run)", &out.get_output().stdout);
}
