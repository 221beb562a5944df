//! The bodies of the fuzz targets in `fuzz/` (issue 7, part 3), shared with `cargo test`:
//! `fuzz/fuzz_targets/*.rs` include this file, and `tests/fuzz_corpus.rs` runs every input of
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` through the same function, so a
//! crash once found stays a plain test.
//!
//! Each function takes arbitrary bytes, drives one parser of untrusted input as far as it goes,
//! and checks what must hold for any input: no panic, no runaway, and round trips that come
//! back equal. Any panic (an `assert!` here or an overflow or index bug in the parser) is a
//! finding.
#![allow(dead_code)]

use std::io::Cursor;

use certvault_core::pkcs12::Pkcs12File;
use vault_format::secrecy::ExposeSecret;
use vault_format::{Code, Manifest, Payload, Share};

/// The PIN the seed corpus's files are made with (`tests/fixtures/make-fixtures.sh`), so that
/// mutations of a real file reach the MAC and decryption code with a correct password.
const SEED_PIN: &str = "4821";

/// Iteration counts above this are not tried with a PIN in the fuzzer: the KDF's cost is the
/// file's to choose (up to the parser's own 10,000,000 cap) and would only slow fuzzing down.
const MAX_FUZZ_ITERATIONS: u64 = 4096;

/// PKCS#12 reading (`core/src/pkcs12/`) and the X.509 reading of every certificate it shows
/// (`core/src/certificate/x509.rs`): parse, describe, read the visible parts, and open with the seed PIN when
/// the file's KDFs are cheap.
pub fn pkcs12(data: &[u8]) {
    let Ok(p12) = Pkcs12File::parse(data) else { return };
    let structure = p12.structure();
    let _ = p12.unsupported_algorithm();
    let _ = p12.needs_password();
    for bag in p12.visible().certificates {
        let _ = certvault_core::certificate::x509::parse(&bag.der);
    }
    let costly = structure.mac.iter().chain(structure.parts.iter().flat_map(|p| {
        p.encryption.iter().chain(p.bags.iter().flatten().filter_map(|b| b.encryption.as_ref()))
    }));
    if costly.into_iter().any(|a| a.iterations.unwrap_or(0) > MAX_FUZZ_ITERATIONS) {
        return;
    }
    if let Ok(opened) = p12.open(SEED_PIN) {
        for bag in &opened.certificates {
            if let Ok(info) = certvault_core::certificate::x509::parse(&bag.der) {
                for key in &opened.keys {
                    let _ = certvault_core::certificate::x509::key_matches(&key.pkcs8, &info);
                }
            }
        }
    }
}

/// X.509 certificates on their own (`core/src/certificate/x509.rs`), as found in certificate bags.
pub fn x509(data: &[u8]) {
    let _ = certvault_core::certificate::x509::parse(data);
}

/// The generation payload reader (vault-format `payload.rs`, tar): whatever it accepts must
/// validate, write back to an archive and read back equal.
pub fn payload(data: &[u8]) {
    let Ok(p) = Payload::from_tar(data) else { return };
    assert!(p.validate().is_ok(), "from_tar accepted a payload that does not validate");
    let tar = p.to_tar().expect("an accepted payload writes back");
    assert_eq!(Payload::from_tar(&tar).expect("a written payload reads back"), p);
}

/// `manifest.json` (vault-format `manifest.rs`): whatever it accepts round-trips.
pub fn manifest(data: &[u8]) {
    let Ok(m) = Manifest::from_json(data) else { return };
    assert!(m.validate().is_ok(), "from_json accepted a manifest that does not validate");
    let again = Manifest::from_json(&m.to_json()).expect("a written manifest reads back");
    assert_eq!(again, m);
}

/// The typable-code parser (recovery code R, PIN code C): a code it accepts prints back to a
/// string that parses to the same value.
pub fn code(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(code) = Code::parse_any(text) else { return };
    let printed = code.to_grouped_string();
    let again = Code::parse(code.kind(), printed.expose_secret()).expect("a printed code parses");
    assert_eq!(again.expose_canonical_bytes(), code.expose_canonical_bytes());
}

/// Shamir share parsing (vault-format `share.rs`), one share per line, then combining what
/// parsed: a share it accepts prints back to the same share.
pub fn share(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut shares = Vec::new();
    for line in text.lines().take(16) {
        let Ok(share) = Share::parse(line) else { continue };
        let printed = share.to_grouped_string();
        let again = Share::parse(printed.expose_secret()).expect("a printed share parses");
        assert_eq!(
            (again.threshold(), again.index(), again.set_id(), again.check_value()),
            (share.threshold(), share.index(), share.set_id(), share.check_value())
        );
        shares.push(share);
    }
    let _ = vault_format::share::combine(&shares);
}

/// The content sniffer of `scan` (`core/src/scan/sniff.rs`) on a file's head, and the zip reader
/// (`core/src/scan/archive.rs`) with its bomb limits on the whole input.
pub fn sniff(data: &[u8]) {
    use certvault_core::scan::{archive, sniff};
    let head = &data[..data.len().min(sniff::HEAD_LEN)];
    let kind = sniff::sniff(head);
    if let sniff::Kind::Pkcs12 { total_len: Some(n) } = kind {
        assert!(n >= 2, "a declared PKCS#12 length smaller than its own header");
    }
    if kind == sniff::Kind::Zip || data.len() >= 22 {
        if let Ok(scanned) =
            archive::scan_zip(Cursor::new(data), data.len() as u64, &archive::Limits::default())
        {
            for hit in &scanned.hits {
                if let Ok(bytes) = &hit.content {
                    assert!(bytes.len() as u64 <= hit.size, "read more than the entry declares");
                }
            }
        }
    }
}
