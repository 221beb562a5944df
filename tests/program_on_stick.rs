//! The program on the stick (issue 15, vault-format/SPEC.md §2.6): `init`, `clone` and `sync`
//! put the certvault programs into `program/<platform>/`, list their SHA-256 in the manifest
//! and on the sheet, and `verify` reports a missing, altered or older one; `sync` repairs it.
//! Run with the real binary, on real files; the sheet is read back with pdftotext.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{certvault, init_vault};
use sha2::{Digest, Sha256};

const PASS: &str = "sakura umbrella kettle nineteen";
const PLATFORM: &str = "linux-x86_64";

fn sha256(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The program files next to the binary under test that carry certvault's version marker:
/// what init is expected to copy (`certvault`; `certvault-gui` too once `cargo test
/// --workspace` has built it, as CI does).
fn programs_under_test() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_BIN_EXE_certvault")).parent().unwrap().to_path_buf();
    let marker = format!("\0certvault-program-version={}\0", env!("CARGO_PKG_VERSION"));
    let carries =
        |p: &PathBuf| std::fs::read(p).is_ok_and(|b| b.windows(marker.len()).any(|w| w == marker.as_bytes()));
    let found: Vec<PathBuf> = ["certvault", "certvault-gui"]
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file() && carries(p))
        .collect();
    assert!(found.iter().any(|p| p.ends_with("certvault")), "the binary under test carries the marker");
    found
}

fn verify_json(vault: &Path, pass: &Path) -> (i32, serde_json::Value) {
    let out =
        certvault().args(["verify", "--json", "--passphrase-file"]).arg(pass).arg(vault).output().unwrap();
    (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap())
}

fn states(report: &serde_json::Value, copy: usize) -> Vec<(String, String)> {
    report["copies"][copy]["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].as_str().unwrap().to_owned(), p["state"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn init_puts_the_program_on_the_stick_and_lists_it_on_the_sheet() {
    if !common::require_tool("pdftotext") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("stick/CERTVAULT");
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).unwrap();
    std::fs::create_dir_all(vault.parent().unwrap()).unwrap();
    let sheet = tmp.path().join("sheet.pdf");
    certvault()
        .args(["--lang", "ja", "init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("rec.txt"))
        .arg("--sheet-out")
        .arg(&sheet)
        .arg(&vault)
        .assert()
        .success();
    let expected = programs_under_test();
    let text =
        String::from_utf8(Command::new("pdftotext").arg(&sheet).arg("-").output().unwrap().stdout).unwrap();
    for program in &expected {
        let name = program.file_name().unwrap().to_str().unwrap();
        let copied = vault.join("program").join(PLATFORM).join(name);
        assert_eq!(
            std::fs::read(&copied).unwrap(),
            std::fs::read(program).unwrap(),
            "{name} copied as it is"
        );
        // The sheet prints the hash in groups of eight, as a technician compares it.
        let digest = sha256(program);
        let grouped: Vec<&str> = (0..64).step_by(8).map(|i| &digest[i..i + 8]).collect();
        assert!(text.contains(&grouped.join(" ")), "the sheet shows {name}'s SHA-256:\n{text}");
        assert!(text.contains(&format!("program/{PLATFORM}/{name}")), "{text}");
    }
    // The stick says which file to double-click, in Japanese first.
    let readme = std::fs::read_to_string(vault.join("README.txt")).unwrap();
    let double_click = readme.find("certvault-gui.exe").zip(readme.find("をダブルクリック"));
    assert!(double_click.is_some_and(|(file, verb)| file < verb), "{readme}");
    let (code, report) = verify_json(&vault, &pass);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["programs_ok"], true);
    let want: Vec<(String, String)> = expected
        .iter()
        .map(|p| (format!("{PLATFORM}/{}", p.file_name().unwrap().to_str().unwrap()), "ok".into()))
        .collect();
    assert_eq!(states(&report, 0), want);
}

#[test]
fn verify_reports_a_changed_byte_and_sync_writes_the_program_again() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("a/CERTVAULT");
    let (pass, _) = init_vault(tmp.path(), &vault, PASS);
    let program = vault.join("program").join(PLATFORM).join("certvault");
    let good = std::fs::read(&program).unwrap();
    let mut bytes = good.clone();
    bytes[4096] ^= 0x01;
    std::fs::write(&program, &bytes).unwrap();

    let (code, report) = verify_json(&vault, &pass);
    assert_eq!(code, 1, "an altered program fails verify: {report}");
    assert_eq!(report["programs_ok"], false);
    assert!(states(&report, 0).contains(&(format!("{PLATFORM}/certvault"), "altered".into())), "{report}");
    let human = certvault()
        .args(["--lang", "en", "verify", "--passphrase-file"])
        .arg(&pass)
        .arg(&vault)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(
        stdout.contains("/certvault is not the one the vault lists") && stdout.contains("do not run it"),
        "{stdout}"
    );

    let out = certvault()
        .args(["--lang", "en", "sync", "--passphrase-file"])
        .arg(&pass)
        .arg(&vault)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("program/linux-x86_64/certvault"),
        "sync says what it wrote"
    );
    assert_eq!(std::fs::read(&program).unwrap(), good, "sync wrote the listed bytes back");
    assert_eq!(verify_json(&vault, &pass).0, 0);
}

#[test]
fn clone_carries_the_program_and_a_missing_one_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a/CERTVAULT");
    let b = tmp.path().join("b/CERTVAULT");
    let (pass, _) = init_vault(tmp.path(), &a, PASS);
    certvault()
        .args(["clone", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--vault")
        .arg(&a)
        .arg(&b)
        .assert()
        .success();
    for program in programs_under_test() {
        let rel = Path::new("program").join(PLATFORM).join(program.file_name().unwrap());
        assert_eq!(sha256(&a.join(&rel)), sha256(&b.join(&rel)), "{rel:?} on both sticks");
    }
    std::fs::remove_file(b.join("program").join(PLATFORM).join("certvault")).unwrap();
    let out = certvault()
        .args(["--lang", "ja", "verify", "--passphrase-file"])
        .arg(&pass)
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("certvault がありません"), "named in Japanese: {stdout}");
    // --no-program leaves the folder as it is; without it sync takes the file from stick a.
    certvault()
        .args(["sync", "--no-program", "--passphrase-file"])
        .arg(&pass)
        .arg(&a)
        .arg(&b)
        .assert()
        .code(1);
    assert!(!b.join("program").join(PLATFORM).join("certvault").exists());
    certvault().args(["sync", "--passphrase-file"]).arg(&pass).arg(&a).arg(&b).assert().success();
    assert!(b.join("program").join(PLATFORM).join("certvault").is_file());
}

#[test]
fn no_program_makes_a_vault_without_it_and_sync_adds_it_later() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("CERTVAULT");
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).unwrap();
    certvault()
        .args(["init", "--no-program", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("rec.txt"))
        .arg(&vault)
        .assert()
        .success();
    assert!(!vault.join("program").exists());
    let (code, report) = verify_json(&vault, &pass);
    assert_eq!((code, report["copies"][0]["programs"].as_array().unwrap().len()), (0, 0));
    // A vault made without the program (or before certvault carried it) gets it from sync,
    // listed in a new generation.
    certvault().args(["sync", "--passphrase-file"]).arg(&pass).arg(&vault).assert().success();
    let (code, report) = verify_json(&vault, &pass);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["newest_generation"], 2);
    assert_eq!(states(&report, 0).len(), programs_under_test().len(), "{report}");
}

/// A stick too small for the program (a 512 KiB tmpfs) still gets the vault: the program is
/// left out with a warning, nothing half-written stays, and verify lists no program.
#[test]
fn a_full_stick_gets_the_vault_without_the_program() {
    if !common::require_root("mounting a tiny tmpfs as a full stick") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("stick");
    std::fs::create_dir(&mnt).unwrap();
    let _stick = common::Tmpfs::mount(&mnt, "size=512k");
    let vault = mnt.join("CERTVAULT");
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).unwrap();
    let out = certvault()
        .args(["--lang", "en", "init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("rec.txt"))
        .arg(&vault)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Could not put the program") && stderr.contains("The vault itself is fine"),
        "{stderr}"
    );
    let left: Vec<_> = walk(&vault.join("program"));
    assert!(left.is_empty(), "no partial program file stays: {left:?}");
    let (code, report) = verify_json(&vault, &pass);
    assert_eq!(code, 0, "{report}");
    assert!(report["copies"][0]["programs"].as_array().unwrap().is_empty());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    read.flatten().flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] }).collect()
}
