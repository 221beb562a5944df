//! `certvault recover-pin` through the real binary.

mod common;

use common::*;
use std::time::{Duration, Instant};

/// Every fixture whose PIN is 4821 at the usual iteration count: SHA-1, SHA-224 and SHA-256
/// MACs (the SIMD lanes where the CPU has them), SHA-512 (the scalar check), no MAC (the
/// encrypted key), BER, EC keys, a hidden chain, a file without keys.
#[test]
fn finds_the_pin_of_every_fixture() {
    for file in [
        "legacy.p12",
        "aes.p12",
        "nomac.p12",
        "ber.p12",
        "ber-aes.p12",
        "nochain.p12",
        "nochain-legacy.p12",
        "expired.p12",
        "utctime-1950.p12",
        "negative-serial.p12",
        "not-ca-in-chain.p12",
        "ec.p12",
        "nokey.p12",
        "sha224mac.p12",
        "sha512mac.p12",
        "202101010000777.p12",
    ] {
        let out = certvault()
            .args(["recover-pin", "--max-digits", "4"])
            .arg(fixture(file))
            .assert()
            .code(0)
            .get_output()
            .clone();
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "4821", "{file}");
    }
}

/// `recover-pin` takes the widest SIMD lanes this CPU has for SHA-1 and SHA-256 MACs. The
/// core's unit tests compare every width the CPU runs with the scalar reference; a width it
/// lacks is named here, loudly, as not tested on this machine.
#[test]
fn the_search_uses_the_widest_lanes_this_cpu_has() {
    use certvault_core::pkcs12::{mac_lanes::LaneWidth, Pkcs12File};
    for width in [LaneWidth::Avx512, LaneWidth::Avx2] {
        if !width.available() {
            eprintln!("NOT RUN here: the {width:?} lanes (this CPU lacks them)");
        }
    }
    for file in ["legacy.p12", "aes.p12"] {
        let bytes = std::fs::read(fixture(file)).unwrap();
        let parsed = Pkcs12File::parse(&bytes).unwrap();
        let checker = parsed.pin_checker().unwrap();
        assert_eq!(checker.lanes().map(|lanes| lanes.width()), LaneWidth::detect(), "{file}");
        assert!(checker.check("4821") && !checker.check("0000"), "{file}");
    }
}

#[test]
fn json_result_for_scripts() {
    let out = certvault()
        .args(["recover-pin", "--json"])
        .arg(fixture("aes.p12"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["found"], true);
    assert_eq!(v["pin"], "4821");
}

#[test]
fn exits_1_when_no_numeric_pin_opens_the_file() {
    let out = certvault()
        .args(["recover-pin", "--max-digits", "3"])
        .arg(fixture("long-password.p12"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8(out.stderr).unwrap().contains("No numeric PIN of up to 3 digits"));
}

#[test]
fn rejects_bad_arguments_and_files() {
    certvault().args(["recover-pin", "--max-digits", "9"]).arg(fixture("aes.p12")).assert().code(2);
    certvault().args(["recover-pin", "--max-digits", "0"]).arg(fixture("aes.p12")).assert().code(2);
    certvault().arg("recover-pin").arg(fixture("renamed-pdf.p12")).assert().code(2);
    certvault().arg("recover-pin").arg(fixture("camellia.p12")).assert().code(2);
    // Nothing to find in a file without a password.
    certvault().arg("recover-pin").arg(fixture("nopassword.p12")).assert().code(0).stdout("");
}

#[test]
fn stops_at_once_on_ctrl_c() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("certvault"))
        .args(["recover-pin", "--max-digits", "8"])
        .arg(fixture("long-password.p12"))
        .env("LANG", "C")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let sent = Instant::now();
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc_kill(child.id() as i32, 2) };
    let deadline = Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(sent.elapsed() < deadline, "recover-pin did not stop after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(2));
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8(out.stderr).unwrap().contains("stopped (Ctrl-C)"));
    assert!(out.stdout.is_empty());
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}
