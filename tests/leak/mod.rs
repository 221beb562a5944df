//! Helpers for the leak scan and cleanup tests (`tests/scan.rs`, `tests/clean.rs`): a vault
//! made through the real binary, realistic user folders built from the fixtures, snapshots of
//! a tree to compare before and after.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{certvault, entry_id_in, fixture};

pub const PASSPHRASE: &str = "sakura umbrella kettle nineteen";

/// A vault holding `legacy.p12` (online qualification, PIN 4821) and `hpki.p12`.
pub struct TestVault {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub pass: PathBuf,
    /// Entry ids of legacy.p12 and hpki.p12.
    pub legacy: String,
    pub hpki: String,
}

pub fn new_vault() -> TestVault {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("USB").join("CERTVAULT");
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASSPHRASE}\n")).unwrap();
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("recovery.txt"))
        .arg(&dir)
        .assert()
        .success();
    let add = |name: &str, pin: &str| {
        let out = certvault()
            .arg("add")
            .arg(fixture(name))
            .arg("--vault")
            .arg(&dir)
            .arg("--passphrase-file")
            .arg(&pass)
            .arg("--pin-file")
            .arg(fixture(pin))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        entry_id_in(&out)
    };
    let legacy = add("legacy.p12", "pin.txt");
    let hpki = add("hpki.p12", "hpki-pw.txt");
    TestVault { tmp, dir, pass, legacy, hpki }
}

impl TestVault {
    /// `certvault SUBCOMMAND ARGS… --vault DIR --passphrase-file F`.
    pub fn cmd(&self, subcommand: &str, args: &[&str]) -> assert_cmd::Command {
        let mut c = certvault();
        c.arg(subcommand).args(args).arg("--vault").arg(&self.dir).arg("--passphrase-file").arg(&self.pass);
        c
    }

    /// Runs and parses `--json` output; gives the exit code too.
    pub fn json(&self, subcommand: &str, args: &[&str]) -> (Value, i32) {
        let mut c = self.cmd(subcommand, args);
        c.arg("--json");
        json_of(c)
    }

    pub fn entries(&self) -> Vec<String> {
        let (v, code) = self.json("list", &[]);
        assert_eq!(code, 0);
        v["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect()
    }
}

pub fn json_of(mut c: assert_cmd::Command) -> (Value, i32) {
    let out = c.output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, code)
}

pub fn put(root: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

/// A zip archive of `entries` (stored, or deflated when `deflate`).
pub fn zip_of(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    use std::io::Write;
    let method = if deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A Windows recycle bin `$I` index (version 2) for `original`.
pub fn recycle_index(original: &str, size: u64) -> Vec<u8> {
    let units: Vec<u16> = original.encode_utf16().chain([0]).collect();
    let mut b = Vec::new();
    b.extend_from_slice(&2u64.to_le_bytes());
    b.extend_from_slice(&size.to_le_bytes());
    b.extend_from_slice(&((1_767_225_600u64 + 11_644_473_600) * 10_000_000).to_le_bytes());
    b.extend_from_slice(&(units.len() as u32).to_le_bytes());
    for u in units {
        b.extend_from_slice(&u.to_le_bytes());
    }
    b
}

/// What a tree holds: each regular file's bytes and each link's target, by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    File(Vec<u8>),
    Link(PathBuf),
}

pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Node> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_symlink() {
                out.insert(e.path(), Node::Link(std::fs::read_link(e.path()).unwrap()));
            } else if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.insert(e.path(), Node::File(std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out
}

/// The `hits` of a scan report, as (path relative to `root` [+ `!/entry`], class, entry).
pub fn hits_under(report: &Value, root: &Path) -> Vec<(String, String, Option<String>)> {
    let root = root.canonicalize().unwrap();
    let mut v: Vec<_> = report["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| {
            let path = PathBuf::from(h["path"].as_str().unwrap());
            let rel = path.strip_prefix(&root).ok()?.to_string_lossy().into_owned();
            let rel = match h["archive_entry"].as_str() {
                Some(e) => format!("{rel}!/{e}"),
                None => rel,
            };
            Some((rel, h["class"].as_str().unwrap().to_string(), h["entry"].as_str().map(str::to_string)))
        })
        .collect();
    v.sort();
    v
}
