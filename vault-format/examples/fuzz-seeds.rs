//! Writes the seed corpus of the vault-format fuzz targets (`fuzz/`, issue 7 part 3) from the
//! test vectors and this crate's own writers, so no seed is a hand-made blob:
//!
//! * `code/`: every `input:` of the `code_*` vectors, plus fresh codes of both kinds;
//! * `share/`: fresh 2-of-3 and 3-of-5 splits (all shares of a split in one file, one share per
//!   line, so the target also combines them), a lone share and a code where a share belongs;
//! * `payload/`: the decrypted tar of every `generation_*` vector that decrypts (well-formed and
//!   hostile ones: traversal, links, duplicates, oversize members…), plus a fresh payload;
//! * `manifest/`: the `manifest.json` member of each of those archives.
//!
//! Usage: `cargo run -p vault-format --example fuzz-seeds -- OUTDIR` (called by
//! `fuzz/make-corpus.sh`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use vault_format::secrecy::ExposeSecret;
use vault_format::{Code, CodeKind, Identity, Manifest, Payload, VaultHeader, share};

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).expect("usage: fuzz-seeds OUTDIR"));
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/testkit");
    for d in ["code", "share", "payload", "manifest"] {
        std::fs::create_dir_all(out.join(d)).expect("create seed folder");
    }
    let write = |dir: &str, name: &str, bytes: &[u8]| {
        std::fs::write(out.join(dir).join(name), bytes).expect("write seed");
    };

    let mut names: Vec<_> = std::fs::read_dir(&vectors)
        .expect("vectors/testkit")
        .map(|e| e.expect("dir entry").file_name().into_string().expect("ASCII name"))
        .collect();
    names.sort();
    for name in &names {
        let (headers, body) = load_vector(&vectors.join(name));
        if name.starts_with("code_") {
            if let Some(input) = headers.get("input") {
                write("code", name, input.as_bytes());
            }
        }
        if name.starts_with("generation_") {
            let Some(identity) = headers.get("identity").and_then(|i| Identity::from_str(i).ok()) else {
                continue;
            };
            let Some(tar) = age_decrypt(&body, &identity) else { continue };
            write("payload", name, &tar);
            if let Some(manifest) = tar_member(&tar, "manifest.json") {
                write("manifest", name, &manifest);
            }
        }
    }

    for (i, kind) in [CodeKind::Recovery, CodeKind::PinCode].into_iter().enumerate() {
        let code = Code::generate(kind);
        let printed = code.to_grouped_string();
        write("code", &format!("fresh_{i}"), printed.expose_secret().as_bytes());
        let sloppy = printed.expose_secret().to_lowercase().replace('-', " ");
        write("code", &format!("fresh_{i}_sloppy"), sloppy.as_bytes());
    }

    let code = Code::generate(CodeKind::Recovery);
    for (k, n) in [(2u8, 3u8), (3, 5)] {
        let shares = share::split(&code, k, n).expect("split");
        let lines: Vec<String> =
            shares.iter().map(|s| s.to_grouped_string().expose_secret().to_owned()).collect();
        write("share", &format!("split_{k}_of_{n}"), lines.join("\n").as_bytes());
        write("share", &format!("lone_{k}_of_{n}"), lines[0].as_bytes());
        // A share typed on a Japanese keyboard: full-width, lower case.
        let wide: String =
            lines[1]
                .to_lowercase()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c }
                })
                .collect();
        write("share", &format!("wide_{k}_of_{n}"), wide.as_bytes());
    }
    write("share", "code_not_share", code.to_grouped_string().expose_secret().as_bytes());

    let header =
        VaultHeader::from_json(&std::fs::read(vectors.join("../vault/vault.json")).expect("vault.json"))
            .expect("the test vault's header parses");
    let mut payload = Payload::new(Manifest::new(&header, 3, "2026-01-02T03:04:05Z".into()));
    payload.manifest.entries.clear();
    let tar = payload.to_tar().expect("an empty payload writes");
    write("payload", "fresh_empty", &tar);
    write("manifest", "fresh_empty", &payload.manifest.to_json());
}

/// A vector file: `key: value` lines, a blank line, the body (README.md).
fn load_vector(path: &Path) -> (BTreeMap<String, String>, Vec<u8>) {
    let bytes = std::fs::read(path).expect("read vector");
    let split = bytes.windows(2).position(|w| w == b"\n\n").unwrap_or(bytes.len());
    let head = String::from_utf8_lossy(&bytes[..split]);
    let headers =
        head.lines().filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    (headers, bytes.get(split + 2..).unwrap_or_default().to_vec())
}

fn age_decrypt(ciphertext: &[u8], identity: &Identity) -> Option<Vec<u8>> {
    let d = vault_format::age::Decryptor::new(ciphertext).ok()?;
    let mut r = d.decrypt(std::iter::once(identity as &dyn vault_format::age::Identity)).ok()?;
    let mut out = Vec::new();
    r.read_to_end(&mut out).ok()?;
    Some(out)
}

fn tar_member(tar: &[u8], wanted: &str) -> Option<Vec<u8>> {
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        if entry.path_bytes().as_ref() == wanted.as_bytes() {
            let mut out = Vec::new();
            entry.read_to_end(&mut out).ok()?;
            return Some(out);
        }
    }
    None
}
