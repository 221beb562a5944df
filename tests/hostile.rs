//! Hostile and broken input through the real binary (issue 7, part 3): zip bombs and lying zip
//! headers for `scan`, deeply nested ASN.1 and gigantic length fields for `inspect`, a symbolic
//! link loop in a scanned tree, a 10 GB sparse `x.p12`, file names that are not UTF-8.
//!
//! Every run is bounded: the child's address space is capped with `prlimit --as` (far below
//! what reading any of these inputs whole, or decompressing a bomb, would need), and `timeout`
//! guards against a hang (a generous limit, not a timing assertion). Each must end with a
//! certvault exit code (0, 1 or 2), never a panic (101), a signal or the timeout, and say what
//! it did with the input.

mod common;
mod leak;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use leak::*;
use serde_json::Value;

/// The child's address-space limit. certvault reads at most 4 MiB of a candidate file and
/// decompresses at most 64 MiB per archive; 384 MiB leaves room for the binary, its threads'
/// stacks and malloc arenas, and none for a 10 GB file or a bomb read whole.
const ADDRESS_SPACE_LIMIT: u64 = 384 << 20;

/// A hang guard, not a timing assertion: every case here takes seconds.
const TIMEOUT_SECONDS: &str = "600";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `certvault ARGS` under the memory cap and the hang guard, in English.
fn bounded<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let bin = assert_cmd::cargo::cargo_bin("certvault");
    let out: Output = Command::new("timeout")
        .args(["--kill-after=10", TIMEOUT_SECONDS, "prlimit"])
        .arg(format!("--as={ADDRESS_SPACE_LIMIT}"))
        .arg("--")
        .arg(&bin)
        .args(args)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("timeout and prlimit (coreutils, util-linux) run");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        matches!(run.code, 0..=2),
        "certvault ended with {:?} (124 = hang guard, 101 = panic, -1 = signal)\nstdout: {}\nstderr: {}",
        out.status,
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    assert!(!run.stderr.contains("memory allocation"), "ran out of memory: {}", run.stderr);
    run
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", run.stdout, run.stderr))
}

fn scan_json(dir: &Path) -> (Value, i32) {
    let run = bounded([OsStr::new("scan"), dir.as_os_str(), OsStr::new("--json")]);
    (json(&run), run.code)
}

/// Every path the report mentions anywhere (hits, not_pkcs12, skipped…), as text.
fn report_text(report: &Value) -> String {
    report.to_string()
}

/// Where `sig` starts in `bytes`, each occurrence.
fn find_all(bytes: &[u8], sig: &[u8]) -> Vec<usize> {
    bytes.windows(sig.len()).enumerate().filter(|(_, w)| *w == sig).map(|(i, _)| i).collect()
}

/// Rewrites the uncompressed size of every entry of a zip archive, in its local headers (offset
/// 22) and central directory headers (offset 24): an archive that lies about what it holds.
fn lie_about_sizes(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    for at in find_all(&zip, b"PK\x03\x04") {
        zip[at + 22..at + 26].copy_from_slice(&size.to_le_bytes());
    }
    for at in find_all(&zip, b"PK\x01\x02") {
        zip[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
    }
    zip
}

#[test]
fn the_memory_cap_is_low_enough_to_matter() {
    // The cap must stop a program that reads a large file whole, or the tests below prove
    // nothing: `head -c` into a shell variable is such a program.
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big");
    std::fs::File::create(&big).unwrap().set_len(2 * ADDRESS_SPACE_LIMIT).unwrap();
    let out = Command::new("prlimit")
        .arg(format!("--as={ADDRESS_SPACE_LIMIT}"))
        .args(["--", "python3", "-c", "import sys; open(sys.argv[1], 'rb').read()"])
        .arg(&big)
        .output()
        .unwrap();
    assert!(!out.status.success(), "reading {} bytes whole fit under the cap", 2 * ADDRESS_SPACE_LIMIT);
    assert!(String::from_utf8_lossy(&out.stderr).contains("MemoryError"));
}

#[test]
fn zip_bombs_and_lying_archives_are_refused_within_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let legacy = fixture_bytes("legacy.p12");
    // A good archive, one level: the scan still works under the cap.
    put(root, "good.zip", &zip_of(&[("202101010000777.p12", &legacy)], true));
    // Archives inside archives, three deep, a certificate at the bottom: one level is opened.
    let level3 = zip_of(&[("deep.p12", &legacy)], false);
    let level2 = zip_of(&[("level3.zip", &level3)], false);
    put(root, "nested.zip", &zip_of(&[("level2.zip", &level2), ("level2.p12", &level2)], false));
    // 256 MiB of zeros under a certificate name, deflated to ~250 KB: a ratio of ~1000:1.
    let zeros = vec![0u8; 256 << 20];
    let bomb = zip_of(&[("cert.p12", &zeros)], true);
    drop(zeros);
    put(root, "bomb.zip", &bomb);
    // The same bomb declaring 4 GiB - 1 (more than any certificate), and declaring 3000 bytes
    // (a believable size: the reader must stop at the declared size, not at the stream's end).
    put(root, "huge-declared.zip", &lie_about_sizes(bomb.clone(), u32::MAX));
    put(root, "small-declared.p12.zip", &lie_about_sizes(bomb, 3000));
    // Many small bombs in one archive: the per-archive budget (64 MiB) stops them.
    let chunk = vec![0u8; 4 << 20];
    let names: Vec<String> = (0..40).map(|i| format!("part{i}.p12")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &chunk[..])).collect();
    put(root, "many-bombs.zip", &zip_of(&entries, true));
    // More entries than the scan opens (20,000).
    let names: Vec<String> = (0..20_500).map(|i| format!("f{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    put(root, "too-many.zip", &zip_of(&entries, false));
    // An end record that claims a central directory of 4 GiB at an impossible offset.
    let mut eocd = zip_of(&[("a.p12", &legacy)], false);
    let at = *find_all(&eocd, b"PK\x05\x06").last().unwrap();
    eocd[at + 12..at + 16].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    eocd[at + 16..at + 20].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
    put(root, "lying-directory.zip", &eocd);

    let (report, code) = scan_json(root);
    assert_eq!(code, 1, "the good archive's certificate is a hit");
    let hits = hits_under(&report, root);
    assert_eq!(hits, vec![("good.zip!/202101010000777.p12".to_string(), "found".to_string(), None)]);
    let text = report_text(&report);
    for name in ["bomb.zip", "huge-declared.zip", "too-many.zip", "lying-directory.zip", "many-bombs.zip"] {
        assert!(text.contains(name), "{name} is not mentioned as skipped or refused: {text}");
    }
    assert!(!text.contains("deep.p12"), "an archive inside an archive was opened: {text}");
}

/// DER/BER builders for the ASN.1 cases.
fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = (n as u64).to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
    let mut v = vec![0x80 | bytes.len() as u8];
    v.extend(bytes);
    v
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(der_len(content.len()));
    v.extend_from_slice(content);
    v
}

/// `PFX { version 3, ContentInfo { data, [0] { OCTET STRING inner } } }`: a PKCS#12 envelope
/// around `inner`, so the parser reaches the inner bytes.
fn pfx_around(inner: &[u8]) -> Vec<u8> {
    pfx_with_content(&tlv(0x04, inner))
}

/// The same envelope with `content` (raw TLV bytes, perhaps lying) inside `[0]`.
fn pfx_with_content(content: &[u8]) -> Vec<u8> {
    let data_oid = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
    let mut content_info = data_oid.to_vec();
    content_info.extend(tlv(0xA0, content));
    let mut pfx = vec![0x02, 0x01, 0x03];
    pfx.extend(tlv(0x30, &content_info));
    tlv(0x30, &pfx)
}

fn nested_definite(depth: usize) -> Vec<u8> {
    let mut v = vec![0x05, 0x00];
    for _ in 0..depth {
        v = tlv(0x30, &v);
    }
    v
}

fn nested_indefinite(depth: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(depth * 4 + 2);
    for _ in 0..depth {
        v.extend_from_slice(&[0x30, 0x80]);
    }
    v.extend_from_slice(&[0x05, 0x00]);
    for _ in 0..depth {
        v.extend_from_slice(&[0x00, 0x00]);
    }
    v
}

#[test]
fn inspect_refuses_deep_nesting_and_gigantic_lengths_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let aes = fixture_bytes("aes.p12");
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("nested-definite.p12", nested_definite(5_000)),
        ("nested-indefinite.p12", nested_indefinite(200_000)),
        ("pfx-nested-definite.p12", pfx_around(&nested_definite(5_000))),
        ("pfx-nested-indefinite.p12", pfx_around(&nested_indefinite(200_000))),
        // Constructed OCTET STRINGs inside each other (BER chunking), 100,000 deep.
        (
            "pfx-nested-octets.p12",
            pfx_around(&{
                let mut v = Vec::new();
                for _ in 0..100_000 {
                    v.extend_from_slice(&[0x24, 0x80]);
                }
                v.extend_from_slice(&[0x04, 0x01, 0x00]);
                v.extend(std::iter::repeat_n(0u8, 200_000));
                v
            }),
        ),
    ];
    // Gigantic lengths: 8-byte and 4-byte length fields far beyond the file, on the outer
    // SEQUENCE and on an inner OCTET STRING, and a length that overflows when added to its
    // header.
    let mut outer8 = vec![0x30, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
    outer8.extend_from_slice(&aes[4..]);
    cases.push(("length-2^64.p12", outer8));
    let mut outer4 = vec![0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF];
    outer4.extend_from_slice(&aes[4..]);
    cases.push(("length-2^31.p12", outer4));
    cases.push((
        "pfx-inner-length-4GiB.p12",
        pfx_with_content(&[0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xF0, 0x30, 0x00]),
    ));
    cases.push((
        "pfx-inner-length-2^64.p12",
        pfx_with_content(&[0x04, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x30, 0x00]),
    ));
    cases.push(("nine-length-bytes.p12", vec![0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x02, 0x01, 0x03]));

    for (name, bytes) in &cases {
        let path = put(tmp.path(), name, bytes);
        let run = bounded([OsStr::new("inspect"), path.as_os_str()]);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(name), "{name}: the error does not name the file: {}", run.stderr);
        let run = bounded([OsStr::new("inspect"), path.as_os_str(), OsStr::new("--json")]);
        assert_eq!(run.code, 2, "{name} --json");
    }
    // The scan meets the same files and lists them, without a panic.
    let (report, _) = scan_json(tmp.path());
    let text = report_text(&report);
    for (name, _) in &cases {
        let outer = name.starts_with("length-") || name.starts_with("nine-") || name.starts_with("pfx-");
        if outer {
            assert!(text.contains(name), "{name} missing from the scan report: {text}");
        }
    }
}

#[test]
fn a_ten_gigabyte_sparse_p12_is_not_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.p12");
    // truncate -s 10G: no blocks on disk, 10 GB when read.
    std::fs::File::create(&path).unwrap().set_len(10 << 30).unwrap();
    let run = bounded([OsStr::new("inspect"), path.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("x.p12"), "{}", run.stderr);
    // A 10 GB file whose head is a real PKCS#12's.
    let head = tmp.path().join("head.p12");
    std::fs::write(&head, &fixture_bytes("aes.p12")[..64]).unwrap();
    std::fs::OpenOptions::new().write(true).open(&head).unwrap().set_len(10 << 30).unwrap();
    let run = bounded([OsStr::new("inspect"), head.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("head.p12"), "{}", run.stderr);
    let (report, code) = scan_json(tmp.path());
    assert_eq!(code, 1);
    let text = report_text(&report);
    assert!(text.contains("x.p12") && text.contains("head.p12"), "{text}");
    // recover-pin and add refuse it the same way, before any work.
    let run = bounded([OsStr::new("recover-pin"), path.as_os_str()]);
    assert_eq!(run.code, 2);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_in_a_scanned_tree_ends() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("home");
    put(&root, "Downloads/202101010000777.p12", &fixture_bytes("legacy.p12"));
    // Loops of every shape: to the parent, to the root, to itself, two links to each other.
    symlink("..", root.join("Downloads/up")).unwrap();
    symlink(&root, root.join("Downloads/root")).unwrap();
    symlink("self", root.join("self")).unwrap();
    symlink("b", root.join("a")).unwrap();
    symlink("a", root.join("b")).unwrap();
    std::fs::create_dir_all(root.join("deep/er")).unwrap();
    symlink("../../deep", root.join("deep/er/again")).unwrap();
    let (report, code) = scan_json(&root);
    assert_eq!(code, 1);
    assert_eq!(
        hits_under(&report, &root),
        vec![("Downloads/202101010000777.p12".to_string(), "found".to_string(), None)],
        "the certificate is found exactly once"
    );
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_scanned_and_inspected() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("home");
    std::fs::create_dir_all(&root).unwrap();
    let legacy = fixture_bytes("legacy.p12");
    // Latin-1 and Shift_JIS names as an old Windows share or zip would leave them, a lone
    // continuation byte, and a folder whose name is invalid too.
    let bad_dir = root.join(OsStr::from_bytes(b"\x8f\xd8\x96\xbe\x8f\x91"));
    std::fs::create_dir_all(&bad_dir).unwrap();
    let files: Vec<PathBuf> = vec![
        root.join(OsStr::from_bytes(b"certificat-cl\xe9.p12")),
        root.join(OsStr::from_bytes(b"\x80\xff.pfx")),
        bad_dir.join(OsStr::from_bytes(b"\x8f\xd8\x96\xbe\x8f\x91.p12")),
        root.join(OsStr::from_bytes(b"no-extension-\xfe")),
    ];
    for f in &files {
        std::fs::write(f, &legacy).unwrap();
    }
    let (report, code) = scan_json(&root);
    assert_eq!(code, 1);
    let hits = report["hits"].as_array().unwrap();
    assert_eq!(hits.len(), files.len(), "every copy is found whatever its name: {report}");
    for h in hits {
        assert_eq!(h["class"], "found");
    }
    // The human report too (names shown lossily, not a crash on printing them).
    let run = bounded([OsStr::new("scan"), root.as_os_str()]);
    assert_eq!(run.code, 1);
    // inspect reads it and names it.
    let pin = fixture("pin.txt");
    let run =
        bounded([OsStr::new("inspect"), files[1].as_os_str(), OsStr::new("--pin-file"), pin.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(".pfx"), "{}", run.stdout);
    let run = bounded([OsStr::new("inspect"), files[0].as_os_str(), OsStr::new("--json")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    json(&run);
}

#[test]
fn a_bug_met_in_one_folder_neither_stops_nor_hangs_the_scan() {
    // The debug-only switch makes the walk panic in every folder it reads, as a parser bug on
    // a hostile file would (one did: fuzz/regressions/sniff): the scan must still end, with
    // exit code 0, 1 or 2 under the hang guard, and name the folders it could not examine.
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "Downloads/202101010000777.p12", &fixture_bytes("legacy.p12"));
    let bin = assert_cmd::cargo::cargo_bin("certvault");
    let out = Command::new("timeout")
        .args(["--kill-after=10", TIMEOUT_SECONDS])
        .arg(&bin)
        .args(["--lang", "en", "scan", "--json"])
        .arg(tmp.path())
        .env("CERTVAULT_DEBUG_PANIC_AT", "scan-folder")
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(matches!(code, Some(0..=2)), "{:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = report.to_string();
    assert!(text.contains("internal error"), "{text}");
    assert!(text.contains(&tmp.path().canonicalize().unwrap().display().to_string()), "{text}");
}
