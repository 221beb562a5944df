//! Regenerates `vectors/` (SPEC.md §12).
//!
//! ```text
//! CERTVAULT_WRITE_VECTORS=1 cargo run --release --example make-vectors
//! ```
//!
//! age encryption is randomized, so every run produces different ciphertexts: the
//! vectors are generated once and committed, and the tests read them. Everything that is
//! not a ciphertext (vault id, codes, keys, PIN, payload) is fixed, so a rerun changes only
//! the encrypted bytes. Broken inputs are built by hand here (raw tar headers, raw JSON),
//! not through the crate's writers, which refuse to produce them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use vault_format::age;
use vault_format::payload::Payload;
use vault_format::secrecy::{ExposeSecret, SecretString};
use vault_format::{
    Argon2Params, CertificateInfo, Code, CodeKind, Entry, Identity, KdfParams, Manifest, Purpose, UnlockFile,
    VaultHeader, VaultId, derive_identity, entry_id, seal_generation, seal_pin, sha256_hex,
};

const PASSPHRASE: &str = "correct horse battery staple 2025";
const PIN: &str = "4721";
/// Small parameters recorded in the test vault and most vectors, so tests stay fast.
const SMALL: Argon2Params = Argon2Params::new(1024, 1, 1);
const LOW_WORK_FACTOR: u8 = 10;

/// A few deterministic bytes from a label.
fn fixed<const N: usize>(label: &str) -> [u8; N] {
    let h = Sha256::digest(label.as_bytes());
    let mut out = [0u8; N];
    out.copy_from_slice(&h[..N]);
    out
}

fn fixed_code(kind: CodeKind, label: &str) -> Code {
    let mut b: [u8; 13] = fixed(label);
    b[12] &= 0xf0;
    Code::from_canonical_bytes(kind, &b).unwrap()
}

fn hexs(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

fn written(c: &Code) -> String {
    c.to_grouped_string().expose_secret().to_owned()
}

fn kind_name(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Recovery => "recovery",
        CodeKind::PinCode => "pin-code",
    }
}

fn argon2_line(p: &Argon2Params) -> String {
    format!("m_cost={} t_cost={} p_cost={}", p.m_cost, p.t_cost, p.p_cost)
}

struct Kit {
    dir: PathBuf,
    names: Vec<String>,
}

impl Kit {
    fn write(&mut self, name: &str, headers: &[(&str, String)], body: &[u8]) {
        assert!(!self.names.iter().any(|n| n == name), "duplicate vector {name}");
        let mut out = Vec::new();
        for (k, v) in headers {
            assert!(!v.contains('\n'), "{name}: header {k} has a newline");
            writeln!(out, "{k}: {v}").unwrap();
        }
        out.push(b'\n');
        out.extend_from_slice(body);
        fs::write(self.dir.join(name), out).unwrap();
        self.names.push(name.to_owned());
    }
}

const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Multiplication in GF(2^5) modulo x^5 + x^2 + 1 (SPEC.md §3.3).
fn gf32_mul(a: u8, b: u8) -> u8 {
    let (mut a, mut r) = (a, 0u8);
    for i in 0..5 {
        if b >> i & 1 == 1 {
            r ^= a;
        }
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= 0b100101;
        }
    }
    r
}

/// Written form of groups of 4 data symbols each, with check symbols (SPEC.md §3.3) whose
/// binding value is `binding(g)`.
fn groups_with_checks(data: &[u8], binding: impl Fn(u8) -> u8) -> String {
    let mut groups = Vec::new();
    for (g, d) in data.chunks(4).enumerate() {
        let c = gf32_mul(2, d[0])
            ^ gf32_mul(4, d[1])
            ^ gf32_mul(8, d[2])
            ^ gf32_mul(16, d[3])
            ^ binding(g as u8 + 1);
        groups.push(
            d.iter()
                .chain(std::iter::once(&c))
                .map(|v| ALPHABET.as_bytes()[*v as usize] as char)
                .collect::<String>(),
        );
    }
    groups.join("-")
}

/// age's ASCII armor (`age -a`): strict PEM, 64 base64 columns.
fn armor(bin: &[u8]) -> Vec<u8> {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b = String::new();
    for c in bin.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                b.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                b.push('=');
            }
        }
    }
    let mut out = String::from("-----BEGIN AGE ENCRYPTED FILE-----\n");
    for line in b.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END AGE ENCRYPTED FILE-----\n");
    out.into_bytes()
}

fn age_encrypt(r: &dyn age::Recipient, pt: &[u8]) -> Vec<u8> {
    let e = age::Encryptor::with_recipients(std::iter::once(r)).unwrap();
    let mut out = Vec::new();
    let mut w = e.wrap_output(&mut out).unwrap();
    w.write_all(pt).unwrap();
    w.finish().unwrap();
    out
}

/// A raw ustar member: name bytes, type flag, data, link name.
struct M<'a>(&'a [u8], u8, &'a [u8], &'a [u8]);

fn raw_tar(members: &[M]) -> Vec<u8> {
    let mut out = Vec::new();
    for M(name, kind, data, link) in members {
        let mut h = tar::Header::new_ustar();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        h.set_size(data.len() as u64);
        h.set_mode(if *kind == b'5' { 0o700 } else { 0o600 });
        h.set_mtime(vault_format::payload::MEMBER_MTIME);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::new(*kind));
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn main() {
    if std::env::var_os("CERTVAULT_WRITE_VECTORS").is_none() {
        eprintln!(
            "This rewrites vault-format/vectors/ with fresh ciphertexts.\n\
             Set CERTVAULT_WRITE_VECTORS=1 to do it."
        );
        std::process::exit(2);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
    let kit_dir = root.join("testkit");
    let vault_dir = root.join("vault");
    for d in [&kit_dir, &vault_dir] {
        if d.exists() {
            fs::remove_dir_all(d).unwrap();
        }
        fs::create_dir_all(d).unwrap();
    }
    let mut kit = Kit { dir: kit_dir, names: Vec::new() };

    // ---------------------------------------------------------------- the test vault
    let vault_id = VaultId::from_bytes(fixed("certvault vectors: vault id"));
    let r = fixed_code(CodeKind::Recovery, "certvault vectors: recovery code");
    let c = fixed_code(CodeKind::PinCode, "certvault vectors: PIN code");
    let kdf = KdfParams::both(SMALL);
    let vault_identity = derive_identity(&r, &vault_id, &kdf.recovery).unwrap();
    let pin_identity = derive_identity(&c, &vault_id, &kdf.pin_code).unwrap();
    let created = "2025-04-01T09:00:00Z".to_owned();
    let header =
        VaultHeader { vault_id, created: created.clone(), kdf, pin_recipient: pin_identity.to_public() };
    // Not a real PKCS#12 file: a tiny DER SEQUENCE { INTEGER 3, OCTET STRING }. This
    // crate never parses the .p12 bytes.
    let p12: Vec<u8> = {
        let body = b"certvault test vector, not a real PKCS#12 file";
        let mut v = vec![0x30, (3 + 2 + body.len()) as u8, 0x02, 0x01, 0x03, 0x04];
        v.push(body.len() as u8);
        v.extend_from_slice(body);
        v
    };
    let id = entry_id(&p12);
    let entry = Entry {
        id: id.clone(),
        purpose: Purpose::OnlineQualification,
        original_file_name: "202101010000777.p12".into(),
        size: p12.len() as u64,
        sha256: sha256_hex(&p12),
        added: "2025-04-01T09:05:00Z".into(),
        certificate: CertificateInfo {
            subject: "C=JP, O=Example, OU=Test Clinic, CN=1234567890".into(),
            institution_code: Some("1234567890".into()),
            issuer: "C=JP, O=Example, CN=Example Test CA".into(),
            serial: "01e240".into(),
            not_before: "2025-04-01T00:00:00Z".into(),
            not_after: "2028-03-31T23:59:59Z".into(),
            leaf_sha1: hexs(&fixed::<20>("leaf sha1")),
            leaf_sha256: hexs(&fixed::<32>("leaf sha256")),
            ca_sha1: vec![hexs(&fixed::<20>("ca sha1"))],
            key_type: "RSA".into(),
            key_bits: 2048,
        },
        pin_stored: true,
        hint: Some("受付の金庫の青いノート / blue notebook in the front-desk safe".into()),
        superseded: None,
    };
    let mut manifest = Manifest::new(&header, 1, "2025-04-01T09:05:00Z".into());
    manifest.entries.push(entry.clone());
    let sealed_pin = seal_pin(&SecretString::from(PIN), &header.pin_recipient).unwrap();
    let mut payload = Payload::new(manifest.clone());
    payload.certs.insert(id.clone(), p12.clone());
    payload.pins.insert(id.clone(), sealed_pin.clone());
    let unlock = UnlockFile::new(vault_id, r.clone(), vault_identity.clone()).unwrap();

    fs::write(vault_dir.join("vault.json"), header.to_json()).unwrap();
    fs::write(vault_dir.join("unlock.age"), unlock.encrypt(&SecretString::from(PASSPHRASE)).unwrap())
        .unwrap();
    let gen1 = seal_generation(&payload, &vault_identity.to_public()).unwrap();
    fs::write(vault_dir.join("vault-1.age"), &gen1).unwrap();
    fs::write(
        vault_dir.join("README.txt"),
        "これは certvault のテスト用の金庫です。本物の証明書は入っていません。\n\
         This is a certvault TEST vault. It holds no real certificate.\n\
         Passphrase, recovery code and PIN code: see ../README.md.\n",
    )
    .unwrap();
    let id_line = vault_identity.to_string().expose_secret().to_owned();
    let pin_id_line = pin_identity.to_string().expose_secret().to_owned();
    kit.write(
        "vault_complete",
        &[
            ("expect", "ok".into()),
            ("area", "vault".into()),
            (
                "comment",
                "the folder ../vault: open with the passphrase, reveal the PIN with the PIN code".into(),
            ),
            ("passphrase", PASSPHRASE.into()),
            ("recovery_code", written(&r)),
            ("pin_code", written(&c)),
            ("identity", id_line.clone()),
            ("pin_identity", pin_id_line.clone()),
            ("entry", id.clone()),
            ("pin", PIN.into()),
        ],
        b"",
    );

    // ---------------------------------------------------------------- codes (§3, §4)
    let code_vec = |kit: &mut Kit,
                    name: &str,
                    code: &Code,
                    input: &str,
                    p: &Argon2Params,
                    vid: &VaultId,
                    comment: &str| {
        let identity = derive_identity(code, vid, p).unwrap();
        kit.write(
            name,
            &[
                ("expect", "ok".into()),
                ("area", "code".into()),
                ("comment", comment.into()),
                ("kind", kind_name(code.kind()).into()),
                ("input", input.into()),
                ("canonical", hexs(code.expose_canonical_bytes())),
                ("vault_id", vid.to_string()),
                ("argon2", argon2_line(p)),
                ("identity", identity.to_string().expose_secret().to_owned()),
                ("recipient", identity.to_public().to_string()),
            ],
            b"",
        );
    };
    code_vec(
        &mut kit,
        "code_recovery_ok",
        &r,
        &written(&r),
        &SMALL,
        &vault_id,
        "the test vault's recovery code",
    );
    code_vec(&mut kit, "code_pin_ok", &c, &written(&c), &SMALL, &vault_id, "the test vault's PIN code");
    let zero_r = Code::from_canonical_bytes(CodeKind::Recovery, &[0; 13]).unwrap();
    let zero_c = Code::from_canonical_bytes(CodeKind::PinCode, &[0; 13]).unwrap();
    let zero_vid = VaultId::from_bytes([0; 16]);
    code_vec(
        &mut kit,
        "code_zero_recovery_ok",
        &zero_r,
        &written(&zero_r),
        &Argon2Params::new(8, 1, 1),
        &zero_vid,
        "all-zero value, all-zero vault id, minimum parameters",
    );
    code_vec(
        &mut kit,
        "code_zero_pin_ok",
        &zero_c,
        &written(&zero_c),
        &Argon2Params::new(8, 1, 1),
        &zero_vid,
        "same value as code_zero_recovery_ok, other kind: other check symbols and salt",
    );
    let ones: [u8; 13] = {
        let mut b = [0xff; 13];
        b[12] = 0xf0;
        b
    };
    let ones_r = Code::from_canonical_bytes(CodeKind::Recovery, &ones).unwrap();
    code_vec(
        &mut kit,
        "code_ones_recovery_ok",
        &ones_r,
        &written(&ones_r),
        &Argon2Params::new(8, 1, 1),
        &zero_vid,
        "all-ones value",
    );
    let w = written(&r);
    let sloppy: String = {
        // Lower case, spaces for hyphens, Crockford confusions, a full-width group.
        let mut s = String::new();
        for (i, g) in w.split('-').enumerate() {
            if i > 0 {
                s.push_str(if i == 2 { "ー" } else { " " });
            }
            let g = if i == 3 {
                g.chars().map(|ch| char::from_u32(u32::from(ch) + 0xFEE0).unwrap()).collect()
            } else {
                g.to_lowercase().replace('0', "o").replace('1', "l")
            };
            s.push_str(&g);
        }
        s
    };
    code_vec(
        &mut kit,
        "code_recovery_sloppy_ok",
        &r,
        &sloppy,
        &SMALL,
        &vault_id,
        "lower case, O/L confusions, spaces, a katakana long-vowel mark as separator, a full-width group",
    );
    code_vec(
        &mut kit,
        "code_recovery_default_params_ok",
        &r,
        &w,
        &Argon2Params::DEFAULT,
        &vault_id,
        "the real default parameters (about 1 s)",
    );

    let err_vec = |kit: &mut Kit,
                   name: &str,
                   kind: CodeKind,
                   input: &str,
                   expect: &str,
                   extra: &[(&str, String)],
                   comment: &str| {
        let mut h = vec![
            ("expect", expect.to_owned()),
            ("area", "code".to_owned()),
            ("comment", comment.to_owned()),
            ("kind", kind_name(kind).to_owned()),
            ("input", input.to_owned()),
        ];
        h.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
        kit.write(name, &h, b"");
    };
    let mut chars: Vec<char> = w.chars().collect();
    // Group 2 is chars 6..=10.
    let sub = |chars: &[char], i: usize| {
        let mut v = chars.to_vec();
        v[i] = if v[i] == '7' { 'X' } else { '7' };
        v.iter().collect::<String>()
    };
    err_vec(
        &mut kit,
        "code_substitution_group2",
        CodeKind::Recovery,
        &sub(&chars, 8),
        "checksum",
        &[("group", "2".into())],
        "one data symbol of group 2 mistyped",
    );
    err_vec(
        &mut kit,
        "code_check_symbol_group5",
        CodeKind::Recovery,
        &sub(&chars, 28),
        "checksum",
        &[("group", "5".into())],
        "the check symbol of group 5 mistyped",
    );
    let swap = {
        // Find adjacent distinct data symbols in group 4 (chars 18..=21).
        let mut v = chars.clone();
        let i = (18..21).find(|&i| v[i] != v[i + 1]).unwrap();
        v.swap(i, i + 1);
        v.iter().collect::<String>()
    };
    err_vec(
        &mut kit,
        "code_adjacent_swap_group4",
        CodeKind::Recovery,
        &swap,
        "checksum",
        &[("group", "4".into())],
        "two adjacent symbols of group 4 swapped",
    );
    let groups: Vec<&str> = w.split('-').collect();
    let swapped_groups = [groups[0], groups[2], groups[1], groups[3], groups[4]].join("-");
    err_vec(
        &mut kit,
        "code_groups_swapped",
        CodeKind::Recovery,
        &swapped_groups,
        "checksum",
        &[("group", "2".into())],
        "groups 2 and 3 typed in each other's place",
    );
    chars[14] = 'U';
    err_vec(
        &mut kit,
        "code_invalid_character_u",
        CodeKind::Recovery,
        &chars.iter().collect::<String>(),
        "invalid_character",
        &[("group", "3".into())],
        "U is not a Crockford symbol",
    );
    err_vec(
        &mut kit,
        "code_too_short",
        CodeKind::Recovery,
        &w.replace('-', "")[..24],
        "length",
        &[("symbols", "24".into())],
        "24 symbols, no separators",
    );
    let short_group = format!("{}{}", &w[..16], &w[17..]);
    err_vec(
        &mut kit,
        "code_group_too_short",
        CodeKind::Recovery,
        &short_group,
        "group_length",
        &[("group", "3".into())],
        "group 3 has four symbols",
    );
    err_vec(
        &mut kit,
        "code_pin_as_recovery",
        CodeKind::Recovery,
        &written(&c),
        "wrong_kind",
        &[("found", "pin-code".into())],
        "the PIN code typed where the recovery code was asked",
    );
    err_vec(
        &mut kit,
        "code_recovery_as_pin",
        CodeKind::PinCode,
        &w,
        "wrong_kind",
        &[("found", "recovery".into())],
        "the recovery code typed where the PIN code was asked",
    );
    err_vec(&mut kit, "code_empty", CodeKind::Recovery, " - - ", "empty", &[], "only separators");
    code_vec(
        &mut kit,
        "code_white_space_separators_ok",
        &r,
        &groups
            .join("\t")
            .replacen('\t', "\u{3000}", 1)
            .replacen('\t', "\u{a0}", 1)
            .replacen('\t', "\u{2003}", 1),
        &SMALL,
        &vault_id,
        "white space (Unicode White_Space) between groups: ideographic space, no-break space, em space, tab",
    );
    err_vec(
        &mut kit,
        "code_unit_separator",
        CodeKind::Recovery,
        &groups.join("\u{1f}"),
        "invalid_character",
        &[("group", "2".into())],
        "U+001F between groups: a control character, not white space",
    );

    // ---------------------------------------------------------------- header (§5)
    let hjson: serde_json::Value = serde_json::from_slice(&header.to_json()).unwrap();
    let header_vec = |kit: &mut Kit, name: &str, expect: &str, body: &[u8], comment: &str| {
        kit.write(
            name,
            &[("expect", expect.into()), ("area", "header".into()), ("comment", comment.into())],
            body,
        );
    };
    header_vec(&mut kit, "header_ok", "ok", &header.to_json(), "the test vault's vault.json");
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = hjson.clone();
        f(&mut v);
        let mut b = serde_json::to_vec_pretty(&v).unwrap();
        b.push(b'\n');
        b
    };
    header_vec(
        &mut kit,
        "header_unknown_member_ok",
        "ok",
        &edit(&|v| v["label"] = "USB stick A".into()),
        "unknown members are ignored",
    );
    header_vec(
        &mut kit,
        "header_newer_version",
        "unsupported_version",
        &edit(&|v| {
            v["format_version"] = 2.into();
            v["kdf"] = serde_json::json!({"scheme": "future"});
        }),
        "format_version 2, with a structure this reader does not know",
    );
    header_vec(
        &mut kit,
        "header_not_a_vault",
        "not_a_vault",
        &edit(&|v| v["format"] = "something-else".into()),
        "format is not certvault-vault",
    );
    header_vec(
        &mut kit,
        "header_memory_too_large",
        "kdf_out_of_range",
        &edit(&|v| v["kdf"]["recovery"]["m_cost"] = (2u32 * 1024 * 1024).into()),
        "m_cost 2 GiB exceeds the 1 GiB cap",
    );
    header_vec(
        &mut kit,
        "header_time_cost_too_large",
        "kdf_out_of_range",
        &edit(&|v| v["kdf"]["pin_code"]["t_cost"] = 1000.into()),
        "t_cost 1000 exceeds the cap of 16",
    );
    header_vec(
        &mut kit,
        "header_work_too_large",
        "kdf_out_of_range",
        &edit(&|v| {
            v["kdf"]["recovery"]["m_cost"] = (1024u32 * 1024).into();
            v["kdf"]["recovery"]["t_cost"] = 5.into();
        }),
        "1 GiB x 5 passes exceeds the 4 GiB-pass cap",
    );
    header_vec(
        &mut kit,
        "header_argon2_version_16",
        "kdf_unsupported",
        &edit(&|v| v["kdf"]["recovery"]["version"] = 16.into()),
        "Argon2 version 0x10",
    );
    header_vec(
        &mut kit,
        "header_argon2d",
        "kdf_unsupported",
        &edit(&|v| v["kdf"]["recovery"]["algorithm"] = "argon2d".into()),
        "only argon2id exists",
    );
    header_vec(
        &mut kit,
        "header_uppercase_vault_id",
        "invalid_field",
        &edit(&|v| v["vault_id"] = vault_id.to_string().to_uppercase().into()),
        "hex must be lower case",
    );
    header_vec(
        &mut kit,
        "header_bad_timestamp",
        "invalid_field",
        &edit(&|v| v["created"] = "2025-04-01 09:00:00+09:00".into()),
        "created is not YYYY-MM-DDTHH:MM:SSZ",
    );
    for (name, expect, created, comment) in [
        (
            "header_timestamp_fraction_ok",
            "ok",
            "2025-04-01T09:00:00.123Z",
            "a fraction of a second: readers accept it",
        ),
        ("header_leap_second_ok", "ok", "2016-12-31T23:59:60Z", "second 60 (a leap second)"),
        ("header_timestamp_lower_case_t", "invalid_field", "2025-04-01t09:00:00z", "lower-case t and z"),
        (
            "header_timestamp_february_30",
            "invalid_field",
            "2025-02-30T09:00:00Z",
            "a day that does not exist",
        ),
        (
            "header_timestamp_empty_fraction",
            "invalid_field",
            "2025-04-01T09:00:00.Z",
            "a point without digits",
        ),
    ] {
        header_vec(&mut kit, name, expect, &edit(&|v| v["created"] = created.into()), comment);
    }
    header_vec(
        &mut kit,
        "header_missing_pin_recipient",
        "malformed",
        &edit(&|v| {
            v.as_object_mut().unwrap().remove("pin_recipient");
        }),
        "pin_recipient absent",
    );
    header_vec(
        &mut kit,
        "header_ssh_pin_recipient",
        "invalid_field",
        &edit(&|v| v["pin_recipient"] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEJ0ZXN0".into()),
        "pin_recipient must be an age1 X25519 recipient",
    );
    {
        let text = String::from_utf8(header.to_json()).unwrap();
        let dup = text.replacen("\"created\"", "\"created\": \"2030-01-01T00:00:00Z\",\n  \"created\"", 1);
        header_vec(&mut kit, "header_duplicate_member", "malformed", dup.as_bytes(), "created appears twice");
        let dup = text.replacen(
            "\"format\"",
            "\"label\": \"USB stick A\",\n  \"label\": \"USB stick B\",\n  \"format\"",
            1,
        );
        header_vec(
            &mut kit,
            "header_duplicate_unknown_member",
            "malformed",
            dup.as_bytes(),
            "an unknown member twice: duplicates are refused whether the reader knows the name or not",
        );
        let dup = text.replacen("\"m_cost\"", "\"m_cost\": 1024,\n      \"m_cost\"", 1);
        assert_ne!(dup, text);
        header_vec(
            &mut kit,
            "header_duplicate_nested_member",
            "malformed",
            dup.as_bytes(),
            "kdf.recovery.m_cost twice, with equal values",
        );
    }
    header_vec(&mut kit, "header_not_json", "malformed", b"format = \"certvault-vault\"\n", "not JSON");
    header_vec(
        &mut kit,
        "header_not_object",
        "malformed",
        b"[\"certvault-vault\", 1]\n",
        "JSON, not an object",
    );
    header_vec(
        &mut kit,
        "header_too_large",
        "too_large",
        &edit(&|v| v["padding"] = "x".repeat(65536).into()),
        "65 KiB: over the 64 KiB limit (an unknown member, so only the size is wrong)",
    );
    header_vec(
        &mut kit,
        "header_format_version_missing",
        "malformed",
        &edit(&|v| {
            v.as_object_mut().unwrap().remove("format_version");
        }),
        "format_version absent",
    );
    header_vec(
        &mut kit,
        "header_format_version_string",
        "malformed",
        &edit(&|v| v["format_version"] = "1".into()),
        "format_version is the string \"1\"",
    );
    {
        let text = String::from_utf8(header.to_json()).unwrap();
        for (name, number) in
            [("header_format_version_fraction", "1.0"), ("header_format_version_exponent", "1e0")]
        {
            let b = text.replacen("\"format_version\": 1,", &format!("\"format_version\": {number},"), 1);
            assert_ne!(b, text);
            header_vec(
                &mut kit,
                name,
                "malformed",
                b.as_bytes(),
                &format!("format_version written {number}: a JSON integer has no fraction or exponent"),
            );
        }
    }
    header_vec(
        &mut kit,
        "header_format_version_zero",
        "invalid_field",
        &edit(&|v| v["format_version"] = 0.into()),
        "format_version 0 is below 1",
    );
    header_vec(
        &mut kit,
        "header_wrong_type",
        "malformed",
        &edit(&|v| v["kdf"]["recovery"]["m_cost"] = "1024".into()),
        "m_cost is a string",
    );
    header_vec(
        &mut kit,
        "header_short_vault_id",
        "invalid_field",
        &edit(&|v| v["vault_id"] = "19e761f80f0cc91d".into()),
        "vault_id of 16 hex digits",
    );
    header_vec(
        &mut kit,
        "header_output_len_64",
        "kdf_unsupported",
        &edit(&|v| v["kdf"]["pin_code"]["output_len"] = 64.into()),
        "output_len must be 32",
    );

    // ---------------------------------------------------------------- unlock (§6)
    let pass = SecretString::from(PASSPHRASE);
    let unlock_vec = |kit: &mut Kit, name: &str, expect: &str, body: &[u8], comment: &str| {
        kit.write(
            name,
            &[
                ("expect", expect.into()),
                ("area", "unlock".into()),
                ("comment", comment.into()),
                ("passphrase", PASSPHRASE.into()),
                ("argon2", argon2_line(&SMALL)),
            ],
            body,
        );
    };
    let scrypt_encrypt = |pt: &[u8], log_n: u8| {
        let mut rcp = age::scrypt::Recipient::new(pass.clone());
        rcp.set_work_factor(log_n);
        age_encrypt(&rcp, pt)
    };
    let good_pt = unlock.to_plaintext().expose_secret().to_owned();
    unlock_vec(
        &mut kit,
        "unlock_low_work_factor_ok",
        "ok",
        &scrypt_encrypt(good_pt.as_bytes(), LOW_WORK_FACTOR),
        "work factor 2^10: writers use 2^18, readers accept up to 2^22",
    );
    unlock_vec(
        &mut kit,
        "unlock_crlf_and_comments_ok",
        "ok",
        &scrypt_encrypt(
            format!("# edited on Windows\r\n\r\n{}", good_pt.replace('\n', "\r\n")).as_bytes(),
            LOW_WORK_FACTOR,
        ),
        "CRLF line ends, an extra comment and a blank line",
    );
    unlock_vec(
        &mut kit,
        "unlock_trailing_white_space_ok",
        "ok",
        &scrypt_encrypt(good_pt.replace('\n', " \t\u{3000}\n").as_bytes(), LOW_WORK_FACTOR),
        "white space (space, tab, ideographic space) at the end of every line",
    );
    unlock_vec(
        &mut kit,
        "unlock_leading_white_space",
        "invalid_plaintext",
        &scrypt_encrypt(good_pt.replace("AGE-SECRET-KEY-1", " AGE-SECRET-KEY-1").as_bytes(), LOW_WORK_FACTOR),
        "a space before the identity: the line starts with neither # nor AGE-SECRET-KEY-1",
    );
    kit.write(
        "unlock_wrong_passphrase",
        &[
            ("expect", "wrong_passphrase".into()),
            ("area", "unlock".into()),
            ("comment", "encrypted with another passphrase".into()),
            ("passphrase", PASSPHRASE.into()),
        ],
        &{
            let mut rcp = age::scrypt::Recipient::new(SecretString::from("another passphrase"));
            rcp.set_work_factor(LOW_WORK_FACTOR);
            age_encrypt(&rcp, good_pt.as_bytes())
        },
    );
    {
        // Work factor 23 > 22: a reader refuses before running scrypt. The header MAC is
        // then wrong too, but must not be reached.
        let ct = scrypt_encrypt(good_pt.as_bytes(), LOW_WORK_FACTOR);
        let text = String::from_utf8_lossy(&ct).into_owned();
        let start = text.find("-> scrypt ").unwrap();
        let end = start + text[start..].find('\n').unwrap();
        let line = &text[start..end];
        let new_line = format!("{} 23", line.rsplit_once(' ').unwrap().0);
        let mut hostile = ct[..start].to_vec();
        hostile.extend_from_slice(new_line.as_bytes());
        hostile.extend_from_slice(&ct[end..]);
        unlock_vec(&mut kit, "unlock_excessive_work", "excessive_work", &hostile, "scrypt work factor 2^23");
    }
    {
        let other = Identity::generate();
        let pt = good_pt.replace(&id_line, other.to_string().expose_secret());
        unlock_vec(
            &mut kit,
            "unlock_identity_mismatch",
            "identity_mismatch",
            &scrypt_encrypt(pt.as_bytes(), LOW_WORK_FACTOR),
            "decodes, but the identity is not the derivation of the code",
        );
        let pt = good_pt.replace(&written(&r), &written(&c));
        unlock_vec(
            &mut kit,
            "unlock_pin_code_line",
            "wrong_kind",
            &scrypt_encrypt(pt.as_bytes(), LOW_WORK_FACTOR),
            "the RECOVERY-CODE line holds a PIN code",
        );
        let pt: String = good_pt.lines().take(2).map(|l| format!("{l}\n")).collect();
        unlock_vec(
            &mut kit,
            "unlock_missing_identity",
            "invalid_plaintext",
            &scrypt_encrypt(pt.as_bytes(), LOW_WORK_FACTOR),
            "no AGE-SECRET-KEY-1 line",
        );
        let pt = format!("{good_pt}{}\n", other.to_string().expose_secret());
        unlock_vec(
            &mut kit,
            "unlock_two_identities",
            "invalid_plaintext",
            &scrypt_encrypt(pt.as_bytes(), LOW_WORK_FACTOR),
            "two AGE-SECRET-KEY-1 lines",
        );
        unlock_vec(
            &mut kit,
            "unlock_not_passphrase",
            "not_passphrase_encrypted",
            &age_encrypt(&other.to_public(), good_pt.as_bytes()),
            "encrypted to an X25519 recipient",
        );
    }

    {
        let other_vid = VaultId::from_bytes(fixed("certvault vectors: another vault id"));
        let pt = good_pt.replace(&vault_id.to_string(), &other_vid.to_string());
        kit.write(
            "unlock_vault_id_mismatch",
            &[
                ("expect", "vault_id_mismatch".into()),
                ("area", "unlock".into()),
                ("comment", "the vault line names another vault than vault_id (vault.json's)".into()),
                ("passphrase", PASSPHRASE.into()),
                ("argon2", argon2_line(&SMALL)),
                ("vault_id", vault_id.to_string()),
            ],
            &scrypt_encrypt(pt.as_bytes(), LOW_WORK_FACTOR),
        );
        let mut bad = written(&r).into_bytes();
        bad[8] = if bad[8] == b'7' { b'X' } else { b'7' };
        let pt = good_pt.replace(&written(&r), std::str::from_utf8(&bad).unwrap());
        unlock_vec(
            &mut kit,
            "unlock_bad_recovery_code",
            "invalid_code",
            &scrypt_encrypt(pt.as_bytes(), LOW_WORK_FACTOR),
            "the RECOVERY-CODE line fails its group 2 check",
        );
        // A second stanza next to the scrypt one (age: scrypt must be alone).
        let ct = scrypt_encrypt(good_pt.as_bytes(), LOW_WORK_FACTOR);
        let x = age_encrypt(&Identity::generate().to_public(), b"x");
        let xs = String::from_utf8_lossy(&x).into_owned();
        let x_start = xs.find("-> X25519 ").unwrap();
        let x_end = x_start + xs[x_start..].find("\n---").unwrap() + 1;
        let text = String::from_utf8_lossy(&ct).into_owned();
        let at = text.find("-> scrypt ").unwrap();
        let mut mixed = ct[..at].to_vec();
        mixed.extend_from_slice(&xs.as_bytes()[x_start..x_end]);
        mixed.extend_from_slice(&ct[at..]);
        unlock_vec(
            &mut kit,
            "unlock_scrypt_with_other_stanza",
            "malformed",
            &mixed,
            "an X25519 stanza before the scrypt stanza",
        );
        let armored = armor(&scrypt_encrypt(good_pt.as_bytes(), LOW_WORK_FACTOR));
        unlock_vec(
            &mut kit,
            "unlock_armored",
            "malformed",
            &armored,
            "an ASCII-armored age file (age -a): unlock.age is binary",
        );
        let mut b = scrypt_encrypt(good_pt.as_bytes(), LOW_WORK_FACTOR);
        let n = b.len() - 20;
        b[n] ^= 0x01;
        unlock_vec(
            &mut kit,
            "unlock_corrupt",
            "corrupt",
            &b,
            "one bit flipped in the payload, after the header",
        );
        let pt = [good_pt.as_bytes(), b"# \xff\n"].concat();
        unlock_vec(
            &mut kit,
            "unlock_plaintext_not_utf8",
            "invalid_plaintext",
            &scrypt_encrypt(&pt, LOW_WORK_FACTOR),
            "a comment line holding the byte 0xff",
        );
        let pt = format!("{good_pt}# {}\n", "x".repeat(4096 - good_pt.len() - 2));
        assert_eq!(pt.len(), 4097);
        unlock_vec(
            &mut kit,
            "unlock_plaintext_too_large",
            "invalid_plaintext",
            &scrypt_encrypt(pt.as_bytes(), LOW_WORK_FACTOR),
            "4097 bytes of plaintext (limit 4096)",
        );
        // Passphrase bytes (§6.2): NFC, then the bytes as typed; nothing trimmed.
        let nfc = "金庫のパスワード ガギグゲゴ 2025";
        let nfd: String = {
            use unicode_normalization::UnicodeNormalization;
            nfc.nfd().collect()
        };
        assert_ne!(nfc, nfd);
        let raw = |p: &str, log_n: u8| {
            let mut rcp = age::scrypt::Recipient::new(SecretString::from(p.to_owned()));
            rcp.set_work_factor(log_n);
            age_encrypt(&rcp, good_pt.as_bytes())
        };
        let pass_vec = |kit: &mut Kit, name: &str, expect: &str, typed: &str, body: &[u8], comment: &str| {
            kit.write(
                name,
                &[
                    ("expect", expect.into()),
                    ("area", "unlock".into()),
                    ("comment", comment.into()),
                    ("passphrase", typed.into()),
                    ("argon2", argon2_line(&SMALL)),
                ],
                body,
            );
        };
        pass_vec(
            &mut kit,
            "unlock_passphrase_nfd_typed_ok",
            "ok",
            &nfd,
            &unlock.encrypt_with_work_factor(&SecretString::from(nfc.to_owned()), LOW_WORK_FACTOR).unwrap(),
            "written by the crate (NFC); the passphrase typed decomposed (NFD, as macOS can): NFC first opens it",
        );
        pass_vec(
            &mut kit,
            "unlock_passphrase_nfd_written_ok",
            "ok",
            &nfd,
            &raw(&nfd, LOW_WORK_FACTOR),
            "scrypt over the NFD bytes (an un-normalising writer or age -p); typed the same: the raw bytes open it",
        );
        pass_vec(
            &mut kit,
            "unlock_passphrase_trailing_space_ok",
            "ok",
            &format!("{PASSPHRASE} "),
            &raw(&format!("{PASSPHRASE} "), LOW_WORK_FACTOR),
            "a passphrase ending in a space: nothing is trimmed",
        );
        pass_vec(
            &mut kit,
            "unlock_passphrase_not_trimmed",
            "wrong_passphrase",
            PASSPHRASE,
            &raw(&format!("{PASSPHRASE} "), LOW_WORK_FACTOR),
            "set with a trailing space, typed without it",
        );
    }

    // ---------------------------------------------------------------- PIN seal (§10)
    let pin_vec = |kit: &mut Kit, name: &str, expect: &str, pin: Option<&str>, body: &[u8], comment: &str| {
        let mut h = vec![
            ("expect", expect.to_owned()),
            ("area", "pin".to_owned()),
            ("comment", comment.to_owned()),
            ("identity", pin_id_line.clone()),
        ];
        if let Some(p) = pin {
            h.push(("pin", p.to_owned()));
        }
        kit.write(name, &h, body);
    };
    pin_vec(&mut kit, "pin_ok", "ok", Some(PIN), &sealed_pin, "the test vault's sealed PIN");
    pin_vec(
        &mut kit,
        "pin_empty_ok",
        "ok",
        Some(""),
        &age_encrypt(&header.pin_recipient, b""),
        "an empty PIN (some .p12 files have none)",
    );
    pin_vec(
        &mut kit,
        "pin_wrong_key",
        "wrong_key",
        None,
        &age_encrypt(&Identity::generate().to_public(), PIN.as_bytes()),
        "sealed to another PIN recipient",
    );
    pin_vec(
        &mut kit,
        "pin_not_utf8",
        "invalid_pin",
        None,
        &age_encrypt(&header.pin_recipient, &[0x34, 0xff, 0x32]),
        "plaintext is not UTF-8",
    );
    pin_vec(
        &mut kit,
        "pin_too_long",
        "invalid_pin",
        None,
        &age_encrypt(&header.pin_recipient, &[b'9'; 1025]),
        "plaintext longer than 1024 bytes",
    );

    pin_vec(&mut kit, "pin_not_age", "malformed", None, PIN.as_bytes(), "the PIN itself, not an age file");
    pin_vec(
        &mut kit,
        "pin_truncated",
        "corrupt",
        None,
        &sealed_pin[..sealed_pin.len() - 10],
        "the sealed PIN with its last 10 bytes cut off",
    );

    // ---------------------------------------------------------------- generations (§7, §8, §9)
    let vault_recipient = vault_identity.to_public();
    let gen_vec = |kit: &mut Kit, name: &str, expect: &str, file_name: &str, body: &[u8], comment: &str| {
        kit.write(
            name,
            &[
                ("expect", expect.into()),
                ("area", "generation".into()),
                ("comment", comment.into()),
                ("file_name", file_name.into()),
                ("vault_id", vault_id.to_string()),
                ("identity", id_line.clone()),
            ],
            body,
        );
    };
    let enc = |tar: &[u8]| age_encrypt(&vault_recipient, tar);
    let mjson = manifest.to_json();
    let cert_name = format!("certs/{id}.p12");
    let pin_name = format!("pins/{id}.age");
    let good = |extra: Vec<M>| {
        let mut v = vec![
            M(b"manifest.json", b'0', &mjson, b""),
            M(cert_name.as_bytes(), b'0', &p12, b""),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ];
        v.extend(extra);
        raw_tar(&v)
    };
    let medit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_slice(&mjson).unwrap();
        f(&mut v);
        let mut b = serde_json::to_vec_pretty(&v).unwrap();
        b.push(b'\n');
        b
    };
    let with_manifest = |m: &[u8]| {
        raw_tar(&[
            M(b"manifest.json", b'0', m, b""),
            M(cert_name.as_bytes(), b'0', &p12, b""),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ])
    };

    assert!(good(vec![]) == payload.to_tar().unwrap(), "raw_tar must match the writer");
    gen_vec(&mut kit, "generation_ok", "ok", "vault-1.age", &gen1, "the test vault's vault-1.age");
    gen_vec(
        &mut kit,
        "generation_truncated",
        "corrupt",
        "vault-1.age",
        &gen1[..gen1.len() - 40],
        "the last 40 bytes cut off",
    );
    {
        let mut b = gen1.clone();
        let n = b.len() - 100;
        b[n] ^= 0x01;
        gen_vec(
            &mut kit,
            "generation_bitflip",
            "corrupt",
            "vault-1.age",
            &b,
            "one bit flipped in the payload",
        );
        let hdr_end = gen1.windows(4).position(|w| w == b"\n---").unwrap();
        gen_vec(
            &mut kit,
            "generation_header_truncated",
            "malformed",
            "vault-1.age",
            &gen1[..hdr_end],
            "cut inside the age header",
        );
    }
    gen_vec(
        &mut kit,
        "generation_wrong_key",
        "wrong_key",
        "vault-1.age",
        &age_encrypt(&Identity::generate().to_public(), &good(vec![])),
        "encrypted to another identity",
    );
    gen_vec(&mut kit, "generation_not_age", "malformed", "vault-1.age", &good(vec![]), "a bare tar archive");
    gen_vec(
        &mut kit,
        "generation_number_mismatch",
        "generation_mismatch",
        "vault-2.age",
        &gen1,
        "vault-1.age renamed to vault-2.age",
    );
    gen_vec(
        &mut kit,
        "generation_vault_id_mismatch",
        "vault_id_mismatch",
        "vault-1.age",
        &enc(&with_manifest(&medit(&|v| v["vault_id"] = "00112233445566778899aabbccddeeff".into()))),
        "manifest from another vault",
    );
    gen_vec(
        &mut kit,
        "generation_manifest_newer_version",
        "unsupported_version",
        "vault-1.age",
        &enc(&with_manifest(&medit(&|v| {
            v["format_version"] = 2.into();
            v["entries"] = serde_json::json!({"moved": true});
        }))),
        "format_version 2, with a structure this reader does not know",
    );
    gen_vec(
        &mut kit,
        "generation_forward_compatible_ok",
        "ok",
        "vault-1.age",
        &enc(&with_manifest(&medit(&|v| {
            v["future_member"] = serde_json::json!([1, 2, 3]);
            v["entries"][0]["future_member"] = "x".into();
            v["entries"][0]["purpose"] = "hpki-signature".into();
        }))),
        "unknown members ignored, unknown purpose read as other",
    );
    gen_vec(
        &mut kit,
        "generation_manifest_invalid_entry_id",
        "invalid_manifest",
        "vault-1.age",
        &enc(&with_manifest(&medit(&|v| v["entries"][0]["id"] = "ABCDEF012345".into()))),
        "entry id in upper case (and not the sha256 prefix)",
    );
    gen_vec(
        &mut kit,
        "generation_manifest_file_name_path",
        "invalid_manifest",
        "vault-1.age",
        &enc(&with_manifest(&medit(&|v| {
            v["entries"][0]["original_file_name"] = "..\\..\\Windows\\evil.p12".into()
        }))),
        "original_file_name must be a base name",
    );
    gen_vec(
        &mut kit,
        "generation_manifest_kdf_out_of_range",
        "kdf_out_of_range",
        "vault-1.age",
        &enc(&with_manifest(&medit(&|v| v["kdf"]["pin_code"]["m_cost"] = 4_000_000.into()))),
        "hostile Argon2id memory in the manifest",
    );
    gen_vec(
        &mut kit,
        "generation_manifest_not_json",
        "invalid_manifest",
        "vault-1.age",
        &enc(&with_manifest(b"not json\n")),
        "manifest.json is not JSON",
    );
    {
        let two = medit(&|v| {
            let e = v["entries"][0].clone();
            v["entries"].as_array_mut().unwrap().push(e);
        });
        gen_vec(
            &mut kit,
            "generation_manifest_duplicate_entry",
            "invalid_manifest",
            "vault-1.age",
            &enc(&with_manifest(&two)),
            "the same entry twice",
        );
    }
    gen_vec(
        &mut kit,
        "generation_path_traversal",
        "unsafe_path",
        "vault-1.age",
        &enc(&good(vec![M(b"certs/../../evil.p12", b'0', b"x", b"")])),
        "a member named certs/../../evil.p12",
    );
    gen_vec(
        &mut kit,
        "generation_absolute_path",
        "unsafe_path",
        "vault-1.age",
        &enc(&good(vec![M(b"/tmp/evil", b'0', b"x", b"")])),
        "a member named /tmp/evil",
    );
    gen_vec(
        &mut kit,
        "generation_backslash_path",
        "unsafe_path",
        "vault-1.age",
        &enc(&good(vec![M(b"..\\evil.p12", b'0', b"x", b"")])),
        "a member named ..\\evil.p12",
    );
    {
        let t = raw_tar(&[
            M(b"manifest.json", b'0', &mjson, b""),
            M(cert_name.as_bytes(), b'2', b"", b"/etc/passwd"),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ]);
        gen_vec(
            &mut kit,
            "generation_symlink",
            "unsupported_entry_type",
            "vault-1.age",
            &enc(&t),
            "the cert member is a symlink to /etc/passwd",
        );
        let t = good(vec![M(b"certs/000000000000.p12", b'1', b"", b"manifest.json")]);
        gen_vec(
            &mut kit,
            "generation_hardlink",
            "unsupported_entry_type",
            "vault-1.age",
            &enc(&t),
            "a hard link member",
        );
        let t = good(vec![M(b"certs/000000000000.p12", b'3', b"", b"")]);
        gen_vec(
            &mut kit,
            "generation_device",
            "unsupported_entry_type",
            "vault-1.age",
            &enc(&t),
            "a character device member",
        );
    }
    gen_vec(
        &mut kit,
        "generation_unexpected_file",
        "unexpected_file",
        "vault-1.age",
        &enc(&good(vec![M(b"notes.txt", b'0', b"hello", b"")])),
        "a member outside the layout",
    );
    gen_vec(
        &mut kit,
        "generation_unexpected_directory",
        "unexpected_file",
        "vault-1.age",
        &enc(&good(vec![M(b"tmp/", b'5', b"", b"")])),
        "a directory other than certs/ and pins/",
    );
    gen_vec(
        &mut kit,
        "generation_directories_ok",
        "ok",
        "vault-1.age",
        &enc(&raw_tar(&[
            M(b"certs/", b'5', b"", b""),
            M(cert_name.as_bytes(), b'0', &p12, b""),
            M(b"manifest.json", b'0', &mjson, b""),
            M(b"pins/", b'5', b"", b""),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ])),
        "as repacked by a stock tar: directory members, manifest not first",
    );
    gen_vec(
        &mut kit,
        "generation_duplicate_file",
        "duplicate_file",
        "vault-1.age",
        &enc(&good(vec![M(cert_name.as_bytes(), b'0', &p12, b"")])),
        "the cert member twice",
    );
    {
        let mut bad = p12.clone();
        let n = bad.len() - 1;
        bad[n] ^= 0x20;
        let t = raw_tar(&[
            M(b"manifest.json", b'0', &mjson, b""),
            M(cert_name.as_bytes(), b'0', &bad, b""),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ]);
        gen_vec(
            &mut kit,
            "generation_sha256_mismatch",
            "checksum_mismatch",
            "vault-1.age",
            &enc(&t),
            "one byte of the .p12 changed",
        );
        let t = raw_tar(&[
            M(b"manifest.json", b'0', &mjson, b""),
            M(cert_name.as_bytes(), b'0', &p12[..p12.len() - 1], b""),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ]);
        gen_vec(
            &mut kit,
            "generation_size_mismatch",
            "size_mismatch",
            "vault-1.age",
            &enc(&t),
            "the .p12 is one byte short",
        );
        let t = raw_tar(&[
            M(b"manifest.json", b'0', &mjson, b""),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ]);
        gen_vec(
            &mut kit,
            "generation_missing_cert",
            "missing_file",
            "vault-1.age",
            &enc(&t),
            "no certs/<id>.p12",
        );
        let t = raw_tar(&[M(b"manifest.json", b'0', &mjson, b""), M(cert_name.as_bytes(), b'0', &p12, b"")]);
        gen_vec(
            &mut kit,
            "generation_missing_pin",
            "missing_file",
            "vault-1.age",
            &enc(&t),
            "pin_stored is true but no pins/<id>.age",
        );
        let no_pin = medit(&|v| v["entries"][0]["pin_stored"] = false.into());
        gen_vec(
            &mut kit,
            "generation_orphan_pin",
            "unreferenced_file",
            "vault-1.age",
            &enc(&with_manifest(&no_pin)),
            "a pin file for an entry whose pin_stored is false",
        );
        let t = good(vec![M(b"certs/0123456789ab.p12", b'0', b"x", b"")]);
        gen_vec(
            &mut kit,
            "generation_orphan_cert",
            "unreferenced_file",
            "vault-1.age",
            &enc(&t),
            "a cert file no entry refers to",
        );
        let t = raw_tar(&[
            M(cert_name.as_bytes(), b'0', &p12, b""),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ]);
        gen_vec(
            &mut kit,
            "generation_missing_manifest",
            "missing_manifest",
            "vault-1.age",
            &enc(&t),
            "no manifest.json",
        );
        let big = vec![b'a'; 64 * 1024 + 1];
        let t = raw_tar(&[
            M(b"manifest.json", b'0', &mjson, b""),
            M(cert_name.as_bytes(), b'0', &p12, b""),
            M(pin_name.as_bytes(), b'0', &big, b""),
        ]);
        gen_vec(
            &mut kit,
            "generation_oversize_pin",
            "too_large",
            "vault-1.age",
            &enc(&t),
            "a pin member of 65537 bytes (limit 65536)",
        );
        let mut t = good(vec![]);
        t[148] ^= 0x01; // first header's checksum field
        gen_vec(
            &mut kit,
            "generation_tar_bad_checksum",
            "malformed_archive",
            "vault-1.age",
            &enc(&t),
            "the first tar header's checksum is wrong",
        );
    }

    // ---------------------------------------------------------------- tar details (§8.4)
    {
        // What `tar cf - .` in an extracted generation writes: `./` names and directories.
        let t = raw_tar(&[
            M(b"./", b'5', b"", b""),
            M(b"./certs/", b'5', b"", b""),
            M(format!("./{cert_name}").as_bytes(), b'0', &p12, b""),
            M(b"./manifest.json", b'0', &mjson, b""),
            M(b"./pins/", b'5', b"", b""),
            M(format!("./{pin_name}").as_bytes(), b'0', &sealed_pin, b""),
        ]);
        gen_vec(
            &mut kit,
            "generation_dot_slash_ok",
            "ok",
            "vault-1.age",
            &enc(&t),
            "as `tar cf - .` writes it: ./ directory, ./ prefixes",
        );
        let t = good(vec![M(b"./manifest.json", b'0', &mjson, b"")]);
        gen_vec(
            &mut kit,
            "generation_dot_slash_duplicate",
            "duplicate_file",
            "vault-1.age",
            &enc(&t),
            "manifest.json and ./manifest.json: the same member twice",
        );
        let mut t = good(vec![]);
        t.truncate(t.len() - 1024);
        gen_vec(
            &mut kit,
            "generation_no_end_blocks_ok",
            "ok",
            "vault-1.age",
            &enc(&t),
            "the archive stops after the last member, without the two zero blocks",
        );
        let mut t = good(vec![]);
        t.truncate(t.len() - 512);
        t.extend_from_slice(&[0; 512]);
        t.extend_from_slice(&raw_tar(&[M(b"notes.txt", b'0', b"after the end", b"")]));
        gen_vec(
            &mut kit,
            "generation_data_after_end_ok",
            "ok",
            "vault-1.age",
            &enc(&t),
            "a member after the first zero block: the archive has ended, it is ignored",
        );
        let mut t = good(vec![]);
        let keep = t.len() - 1024 - 300;
        t.truncate(keep);
        gen_vec(
            &mut kit,
            "generation_archive_cut_in_member",
            "malformed_archive",
            "vault-1.age",
            &enc(&t),
            "the archive stops inside the last member's data",
        );
        let long = format!("certs/{}{id}.p12", "x/".repeat(60));
        let mut gnu = raw_tar(&[
            M(b"././@LongLink", b'L', format!("{long}\0").as_bytes(), b""),
            M(cert_name.as_bytes(), b'0', &p12, b""),
        ]);
        gnu.truncate(gnu.len() - 1024);
        let mut t = raw_tar(&[M(b"manifest.json", b'0', &mjson, b"")]);
        t.truncate(t.len() - 1024);
        t.extend_from_slice(&gnu);
        t.extend_from_slice(&raw_tar(&[M(pin_name.as_bytes(), b'0', &sealed_pin, b"")]));
        gen_vec(
            &mut kit,
            "generation_gnu_long_name",
            "unsupported_entry_type",
            "vault-1.age",
            &enc(&t),
            "a GNU long-name member (type L) before the cert member",
        );
        let record = format!("path={cert_name}\n");
        let record = format!("{} {record}", record.len() + 1 + (record.len() + 3).to_string().len());
        let mut t = raw_tar(&[
            M(b"manifest.json", b'0', &mjson, b""),
            M(b"PaxHeaders/x", b'x', record.as_bytes(), b""),
        ]);
        t.truncate(t.len() - 1024);
        t.extend_from_slice(&raw_tar(&[
            M(cert_name.as_bytes(), b'0', &p12, b""),
            M(pin_name.as_bytes(), b'0', &sealed_pin, b""),
        ]));
        gen_vec(
            &mut kit,
            "generation_pax_header",
            "unsupported_entry_type",
            "vault-1.age",
            &enc(&t),
            "a pax extended header (type x) before the cert member",
        );
        // The cert member's size in GNU base-256 (0x80, then the big-endian value).
        let mut t = good(vec![]);
        let m_blocks = 1 + mjson.len().div_ceil(512);
        let h = &mut t[m_blocks * 512..m_blocks * 512 + 512];
        assert_eq!(&h[..cert_name.len()], cert_name.as_bytes());
        h[124..136].fill(0);
        h[124] = 0x80;
        h[135] = p12.len() as u8;
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        gen_vec(
            &mut kit,
            "generation_base256_size",
            "malformed_archive",
            "vault-1.age",
            &enc(&t),
            "the cert member's size in base-256 instead of octal",
        );
        gen_vec(
            &mut kit,
            "generation_manifest_argon2d",
            "kdf_unsupported",
            "vault-1.age",
            &enc(&with_manifest(&medit(&|v| v["kdf"]["recovery"]["algorithm"] = "argon2d".into()))),
            "the manifest's KDF algorithm is not argon2id",
        );
        gen_vec(
            &mut kit,
            "generation_manifest_argon2_version_16",
            "kdf_unsupported",
            "vault-1.age",
            &enc(&with_manifest(&medit(&|v| v["kdf"]["pin_code"]["version"] = 16.into()))),
            "the manifest's Argon2 version is 0x10",
        );
        gen_vec(
            &mut kit,
            "generation_manifest_format_version_fraction",
            "invalid_manifest",
            "vault-1.age",
            &enc(&with_manifest(
                String::from_utf8(mjson.clone())
                    .unwrap()
                    .replacen("\"format_version\": 1,", "\"format_version\": 1.0,", 1)
                    .as_bytes(),
            )),
            "format_version written 1.0",
        );
        gen_vec(
            &mut kit,
            "generation_manifest_control_character",
            "invalid_manifest",
            "vault-1.age",
            &enc(&with_manifest(&medit(&|v| {
                v["entries"][0]["original_file_name"] = "cert\u{85}.p12".into()
            }))),
            "original_file_name holds U+0085 (a C1 control character)",
        );
        gen_vec(
            &mut kit,
            "generation_informational_ok",
            "ok",
            "vault-1.age",
            &enc(&with_manifest(&medit(&|v| {
                let c = &mut v["entries"][0]["certificate"];
                c["subject"] = "CN=1234567890,OU=Test Clinic,O=Example,C=JP".into();
                c["key_type"] = "rsa".into();
                c["institution_code"] = "12345".into();
                v["entries"][0]["superseded"] =
                    serde_json::json!({"by": "0123456789ab", "stops_working": "2026-05-01"});
            }))),
            "informational members readers do not check: RFC 4514 subject, key_type rsa, a 5-digit \
             institution_code, superseded.by naming an entry that is not in the manifest",
        );
        let program = |path: &str| {
            serde_json::json!({"path": path, "version": "0.1.0", "size": 3,
                               "sha256": sha256_hex(b"exe")})
        };
        gen_vec(
            &mut kit,
            "generation_programs_ok",
            "ok",
            "vault-1.age",
            &enc(&with_manifest(&medit(&|v| {
                v["programs"] = serde_json::json!([
                    program("windows-x86_64/certvault-gui.exe"),
                    program("linux-x86_64/certvault-gui")
                ]);
            }))),
            "two program files recorded for program/ (SPEC.md §2.6)",
        );
        gen_vec(
            &mut kit,
            "generation_manifest_program_path",
            "invalid_manifest",
            "vault-1.age",
            &enc(&with_manifest(&medit(&|v| {
                v["programs"] = serde_json::json!([program("windows-x86_64/../../certvault.exe")]);
            }))),
            "a programs path that would leave program/",
        );
    }

    // ---------------------------------------------------------------- shares (§3.6)
    {
        const S1: &str = "21AN4-P034H-AA64D-4S8EY-ESB5J-ETXRZ-VJ3M1";
        const S3: &str = "23ANC-J8H6X-607E1-19ZD2-ENTHW-821VJ-FQ6Q0";
        let rw = written(&r);
        let share_vec = |kit: &mut Kit,
                         name: &str,
                         expect: &str,
                         inputs: &[&str],
                         extra: &[(&str, String)],
                         comment: &str| {
            let mut h = vec![
                ("expect", expect.to_owned()),
                ("area", "share".to_owned()),
                ("comment", comment.to_owned()),
                ("inputs", inputs.join(", ")),
            ];
            h.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
            if expect == "ok" {
                h.push(("recovery_code", rw.clone()));
            }
            kit.write(name, &h, b"");
        };
        // Shares built from their parts (§3.6.1-3.6.2), independently of the crate.
        let enc_share = |k: u8, i: u8, set_id: u16, y: &[u8; 13]| -> String {
            let mut canon = vec![k, i];
            canon.extend_from_slice(&set_id.to_be_bytes());
            canon.extend_from_slice(y);
            let mut h = Sha256::new();
            h.update(b"certvault/v1/share");
            h.update(&canon);
            let t = h.finalize();
            let mut bits = y.to_vec();
            bits.extend_from_slice(&t[..2]);
            let mut data = vec![k, i, (set_id >> 5) as u8 & 31, set_id as u8 & 31];
            for n in 0..24 {
                let bit = n * 5;
                let word = (u16::from(bits[bit / 8]) << 8) | u16::from(*bits.get(bit / 8 + 1).unwrap_or(&0));
                data.push(((word >> (11 - bit % 8)) & 31) as u8);
            }
            groups_with_checks(&data, |g| g ^ 8)
        };
        let y1: [u8; 13] = [0xb0, 0x06, 0x45, 0x28, 0xc4, 0x26, 0x50, 0xe7, 0x65, 0x65, 0x76, 0xbb, 0x8d];
        assert_eq!(enc_share(2, 1, 0x155, &y1), S1, "the share encoder agrees with SPEC.md §3.6.5");
        share_vec(
            &mut kit,
            "share_combine_ok",
            "ok",
            &[S1, S3],
            &[],
            "SPEC.md §3.6.5: shares 1 and 3 give R",
        );
        share_vec(
            &mut kit,
            "share_combine_reversed_ok",
            "ok",
            &[S3, S1],
            &[],
            "the same shares in the other order",
        );
        let sloppy = S1.to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
        share_vec(&mut kit, "share_sloppy_ok", "ok", &[&sloppy, S3], &[], "typed as §3.4 step 1 allows");
        share_vec(&mut kit, "share_empty", "empty", &[" - "], &[], "only separators");
        let mut c1: Vec<char> = S1.chars().collect();
        c1[19] = 'U';
        let bad_char: String = c1.iter().collect();
        share_vec(
            &mut kit,
            "share_invalid_character",
            "invalid_character",
            &[&bad_char, S3],
            &[("group", "4".into())],
            "U after 15 symbols: group 4",
        );
        let late_bad = format!("{S1}-Q");
        share_vec(
            &mut kit,
            "share_invalid_character_after_35",
            "invalid_character",
            &[&late_bad.replace("-Q", "-U"), S3],
            &[("group", "7".into())],
            "U after all 35 symbols: still group 7",
        );
        share_vec(
            &mut kit,
            "share_is_recovery_code",
            "is_code",
            &[&rw],
            &[],
            "the recovery code typed as a share",
        );
        share_vec(
            &mut kit,
            "share_is_pin_code",
            "is_code",
            &[&written(&c)],
            &[],
            "the PIN code typed as a share",
        );
        let short_group = format!("{}{}", &S1[..30], &S1[31..]);
        share_vec(
            &mut kit,
            "share_group_length",
            "group_length",
            &[&short_group, S3],
            &[("group", "6".into())],
            "group 6 has four symbols",
        );
        share_vec(
            &mut kit,
            "share_length",
            "length",
            &[&S1[..35], S3],
            &[("symbols", "30".into())],
            "six groups",
        );
        let mut c1: Vec<char> = S1.chars().collect();
        c1[13] = if c1[13] == '7' { 'X' } else { '7' };
        let sub: String = c1.iter().collect();
        share_vec(
            &mut kit,
            "share_checksum_group3",
            "checksum",
            &[&sub, S3],
            &[("group", "3".into())],
            "one data symbol of group 3 mistyped",
        );
        // K = 1 with valid check symbols and a valid t: group 1 checks, so "not a share".
        share_vec(
            &mut kit,
            "share_threshold_1",
            "not_a_share",
            &[&enc_share(1, 1, 0x155, &y1)],
            &[],
            "group 1 says K = 1 (K is 2-9)",
        );
        share_vec(
            &mut kit,
            "share_index_0",
            "not_a_share",
            &[&enc_share(2, 0, 0x155, &y1)],
            &[],
            "group 1 says i = 0 (i is 1-9)",
        );
        {
            // K = 1 and a wrong group-2 check symbol: the group check comes first.
            let mut v: Vec<char> = enc_share(1, 1, 0x155, &y1).chars().collect();
            v[10] = if v[10] == '7' { 'X' } else { '7' };
            share_vec(
                &mut kit,
                "share_checksum_before_not_a_share",
                "checksum",
                &[&v.iter().collect::<String>()],
                &[("group", "2".into())],
                "K = 1 and group 2's check symbol wrong: checksum (group checks first)",
            );
        }
        {
            // Two symbols of group 2 changed so that its check symbol still matches.
            let v: Vec<char> = S1.chars().collect();
            let val = |ch: char| ALPHABET.find(ch).unwrap() as u8;
            let (d1, d2) = (val(v[6]), val(v[7]));
            let (n1, n2) = (0..32u8)
                .flat_map(|a| (0..32u8).map(move |b| (a, b)))
                .find(|&(a, b)| a != d1 && gf32_mul(2, a ^ d1) == gf32_mul(4, b ^ d2))
                .unwrap();
            let mut w = v.clone();
            w[6] = ALPHABET.as_bytes()[n1 as usize] as char;
            w[7] = ALPHABET.as_bytes()[n2 as usize] as char;
            share_vec(
                &mut kit,
                "share_share_checksum",
                "share_checksum",
                &[&w.iter().collect::<String>(), S3],
                &[],
                "two symbols of group 2 changed, its check symbol still matching: t does not",
            );
        }
        share_vec(
            &mut kit,
            "share_duplicate",
            "duplicate",
            &[S1, S1],
            &[("index", "1".into())],
            "share 1 twice",
        );
        share_vec(
            &mut kit,
            "share_not_enough",
            "not_enough",
            &[S3],
            &[("have", "1".into())],
            "one share of a 2-of-N split",
        );
        share_vec(
            &mut kit,
            "share_different_splits",
            "different_splits",
            &[S1, &enc_share(2, 3, 0x156, &y1)],
            &[],
            "share 3 of a split with another set id",
        );
        let mut y_bad = y1;
        y_bad[12] ^= 0x01;
        share_vec(
            &mut kit,
            "share_inconsistent",
            "inconsistent",
            &[&enc_share(2, 1, 0x155, &y_bad), S3],
            &[],
            "share 1 with one bit of y changed: R's four padding bits come out non-zero",
        );
    }

    // A listing, so a reader of the folder sees every vector at a glance.
    let mut index = String::from("# name\texpect\n");
    kit.names.sort();
    for n in &kit.names {
        let text = fs::read(kit.dir.join(n)).unwrap();
        let head = String::from_utf8_lossy(&text[..text.len().min(200)]).into_owned();
        let expect = head.lines().next().unwrap().trim_start_matches("expect: ").to_owned();
        let _ = writeln!(index, "{n}\t{expect}");
    }
    fs::write(root.join("INDEX.tsv"), index).unwrap();
    println!("wrote {} vectors and the test vault to {}", kit.names.len(), root.display());
}
