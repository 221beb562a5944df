//! The release bundle's packing (tools/release/bundle.py, docs/release.md): the same inputs
//! give the same archive bytes, the quick start is where a clinic looks for it and reads as
//! Notepad needs it, and every licence is in. (The programs themselves are built by
//! tools/release.sh; here two small files stand in for them.)

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Packs `platform` from the stand-in programs and an extra folder into `dist`.
fn pack(platform: &str, programs: &[PathBuf], extra: &Path, dist: &Path) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/release/bundle.py");
    let out = Command::new("python3")
        .arg(script)
        .args([platform, "9.8.7", "0123456789ab"])
        .arg(dist)
        .args(programs)
        .arg("--")
        .arg(extra)
        .env("SOURCE_DATE_EPOCH", "1764979200")
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "bundle.py failed: {}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Stand-in programs and a guide, written at a given time (which must not matter).
fn inputs(dir: &Path, names: &[&str], mtime_offset: u64) -> (Vec<PathBuf>, PathBuf) {
    let when =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000 + mtime_offset);
    let programs: Vec<PathBuf> = names
        .iter()
        .map(|n| {
            let p = dir.join(n);
            std::fs::write(&p, format!("program {n}")).unwrap();
            std::fs::File::options().write(true).open(&p).unwrap().set_modified(when).unwrap();
            p
        })
        .collect();
    let extra = dir.join("extra");
    std::fs::create_dir_all(extra.join("guide/ja")).unwrap();
    std::fs::write(extra.join("guide/ja/index.html"), "<html>説明書</html>").unwrap();
    std::fs::write(extra.join("guide/index.html"), "<html>guide</html>").unwrap();
    (programs, extra)
}

#[test]
fn the_windows_zip_is_the_same_every_time_and_has_what_a_clinic_opens() {
    if !common::require_tool("python3") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut zips = Vec::new();
    for (run, offset) in [("a", 0), ("b", 86_400)] {
        let dir = tmp.path().join(run);
        std::fs::create_dir_all(&dir).unwrap();
        let (programs, extra) = inputs(&dir, &["certvault.exe", "certvault-gui.exe"], offset);
        zips.push(pack("windows-x86_64", &programs, &extra, &dir.join("dist")));
    }
    let (a, b) = (std::fs::read(&zips[0]).unwrap(), std::fs::read(&zips[1]).unwrap());
    assert!(a == b, "two packings of the same files differ");
    assert_eq!(zips[0].file_name().unwrap(), "certvault-9.8.7-windows-x86_64.zip");

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
    // Decoded as UTF-8 only when the entry says so (the language-encoding flag).
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    let top = "certvault-9.8.7-windows-x86_64/";
    for want in [
        "certvault.exe",
        "certvault-gui.exe",
        "はじめにお読みください.txt",
        "README-en.txt",
        "guide/ja/index.html",
        "licenses/LICENSE-MIT",
        "licenses/LICENSE-APACHE",
        "licenses/IPA_Font_License_Agreement_v1.0.txt",
        "licenses/DejaVu-LICENSE.txt",
        "licenses/GUST-FONT-LICENSE.txt",
        "licenses/CertvaultCode-README.txt",
    ] {
        assert!(names.contains(&format!("{top}{want}")), "{want} is not in the zip: {names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries are in a fixed order");
    let mut quick = Vec::new();
    zip.by_name(&format!("{top}はじめにお読みください.txt")).unwrap().read_to_end(&mut quick).unwrap();
    assert!(quick.starts_with(b"\xef\xbb\xbf"), "Notepad needs the BOM");
    let quick = String::from_utf8(quick[3..].to_vec()).unwrap();
    assert!(quick.contains("\r\n") && !quick.replace("\r\n", "").contains('\n'), "CRLF line ends");
    for want in ["certvault-gui.exe", "9.8.7", "0123456789ab", "guide/ja/index.html", "詳細情報"] {
        assert!(quick.contains(want), "the quick start lacks {want}:\n{quick}");
    }
    assert!(!quick.contains('{'), "a placeholder is left:\n{quick}");
}

#[test]
fn the_linux_archive_is_the_same_every_time() {
    if !common::require_tool("python3") || !common::require_tool("tar") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut archives = Vec::new();
    for (run, offset) in [("a", 0), ("b", 3600)] {
        let dir = tmp.path().join(run);
        std::fs::create_dir_all(&dir).unwrap();
        let (programs, extra) = inputs(&dir, &["certvault", "certvault-gui"], offset);
        archives.push(pack("linux-x86_64", &programs, &extra, &dir.join("dist")));
    }
    assert!(std::fs::read(&archives[0]).unwrap() == std::fs::read(&archives[1]).unwrap(), "packings differ");
    let list = Command::new("tar").arg("-tvzf").arg(&archives[0]).output().unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(
        list.contains("rwxr-xr-x") && list.contains("certvault-9.8.7-linux-x86_64/certvault-gui"),
        "{list}"
    );
    assert!(list.contains("certvault-9.8.7-linux-x86_64/はじめにお読みください.txt"), "{list}");
    assert!(!list.contains("詳細情報"), "no Windows advice on Linux");
    let quick = Command::new("tar")
        .args(["-xOzf"])
        .arg(&archives[0])
        .arg("certvault-9.8.7-linux-x86_64/README-en.txt")
        .output()
        .unwrap();
    let quick = String::from_utf8(quick.stdout).unwrap();
    assert!(
        quick.contains("\"certvault-gui\"") && !quick.contains("\r\n") && !quick.contains("More info"),
        "{quick}"
    );
}
