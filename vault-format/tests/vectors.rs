//! Runs every test vector in `vectors/testkit/` (SPEC.md §12) through the public API and
//! maps the outcome to the vector's `expect:` class.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use vault_format::secrecy::{ExposeSecret, SecretString};
use vault_format::{
    Argon2Params, Code, CodeError, CodeKind, HeaderError, Identity, KdfError, ManifestError, OpenError,
    PayloadError, PinError, Share, ShareError, UnlockError, UnlockFile, VaultHeader, VaultId, VerifyError,
    derive_identity, open_generation, open_pin, parse_generation_file_name,
};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

struct Vector {
    name: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Vector {
    fn load(path: &Path) -> Vector {
        let bytes = fs::read(path).unwrap();
        let split = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .unwrap_or_else(|| panic!("{}: no blank line after the headers", path.display()));
        let head = std::str::from_utf8(&bytes[..split]).unwrap();
        let mut headers = BTreeMap::new();
        for line in head.lines() {
            let (k, v) = line
                .split_once(": ")
                .or_else(|| line.strip_suffix(':').map(|k| (k, "")))
                .unwrap_or_else(|| panic!("{}: bad header line {line:?}", path.display()));
            assert!(
                headers.insert(k.to_owned(), v.to_owned()).is_none(),
                "{}: header {k} twice",
                path.display()
            );
        }
        Vector {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            headers,
            body: bytes[split + 2..].to_vec(),
        }
    }

    fn h(&self, k: &str) -> &str {
        self.headers.get(k).map(String::as_str).unwrap_or_else(|| panic!("{}: no header {k}", self.name))
    }

    fn argon2(&self) -> Argon2Params {
        let mut p = [0u32; 3];
        for (i, part) in self.h("argon2").split(' ').enumerate() {
            p[i] = part.split_once('=').unwrap().1.parse().unwrap();
        }
        Argon2Params::new(p[0], p[1], p[2])
    }

    fn identity(&self, k: &str) -> Identity {
        Identity::from_str(self.h(k)).unwrap()
    }
}

fn kind(s: &str) -> CodeKind {
    match s {
        "recovery" => CodeKind::Recovery,
        "pin-code" => CodeKind::PinCode,
        _ => panic!("unknown kind {s}"),
    }
}

/// Outcome class, plus the detail a vector may pin (group, found kind, symbol count).
type Outcome = (String, Option<String>);

fn ok() -> Outcome {
    ("ok".into(), None)
}

fn code_class(e: &CodeError) -> Outcome {
    match e {
        CodeError::Empty => ("empty".into(), None),
        CodeError::InvalidCharacter { group, .. } => ("invalid_character".into(), Some(group.to_string())),
        CodeError::GroupLength { group, .. } => ("group_length".into(), Some(group.to_string())),
        CodeError::Length { symbols } => ("length".into(), Some(symbols.to_string())),
        CodeError::Checksum { group } => ("checksum".into(), Some(group.to_string())),
        CodeError::WrongKind { found, .. } => (
            "wrong_kind".into(),
            Some(
                match found {
                    CodeKind::Recovery => "recovery",
                    CodeKind::PinCode => "pin-code",
                }
                .into(),
            ),
        ),
        e => (format!("unexpected {e:?}"), None),
    }
}

fn kdf_class(e: &KdfError) -> String {
    match e {
        KdfError::OutOfRange { .. } => "kdf_out_of_range".into(),
        KdfError::Unsupported => "kdf_unsupported".into(),
        e => format!("unexpected {e:?}"),
    }
}

fn run_code(v: &Vector) -> Outcome {
    let code = match Code::parse(kind(v.h("kind")), v.h("input")) {
        Ok(c) => c,
        Err(e) => return code_class(&e),
    };
    let canonical: String = code.expose_canonical_bytes().iter().map(|b| format!("{b:02x}")).collect();
    if canonical != v.h("canonical") {
        return ("canonical mismatch".into(), None);
    }
    // The written form re-parses to the same value (normalisation is lossless).
    let again = Code::parse(code.kind(), code.to_grouped_string().expose_secret()).unwrap();
    assert_eq!(again.expose_canonical_bytes(), code.expose_canonical_bytes());
    let vid = VaultId::from_str(v.h("vault_id")).unwrap();
    let id = match derive_identity(&code, &vid, &v.argon2()) {
        Ok(id) => id,
        Err(e) => return (kdf_class(&e), None),
    };
    if id.to_string().expose_secret() != v.h("identity") {
        return ("identity mismatch".into(), None);
    }
    if id.to_public().to_string() != v.h("recipient") {
        return ("recipient mismatch".into(), None);
    }
    ok()
}

fn header_class(r: Result<VaultHeader, HeaderError>) -> Outcome {
    let c = match r {
        Ok(h) => {
            // Re-encoding a valid header and parsing it again gives the same value.
            assert_eq!(VaultHeader::from_json(&h.to_json()).unwrap(), h);
            "ok".into()
        }
        Err(HeaderError::TooLarge) => "too_large".into(),
        Err(HeaderError::Malformed(_)) => "malformed".into(),
        Err(HeaderError::NotAVault) => "not_a_vault".into(),
        Err(HeaderError::UnsupportedVersion { found, supported }) => {
            assert_eq!(supported, 1);
            assert!(found > 1);
            "unsupported_version".into()
        }
        Err(HeaderError::InvalidField { .. }) => "invalid_field".into(),
        Err(HeaderError::Kdf(e)) => kdf_class(&e),
        Err(e) => format!("unexpected {e:?}"),
    };
    (c, None)
}

fn run_unlock(v: &Vector) -> Outcome {
    let pass = SecretString::from(v.h("passphrase").to_owned());
    let c = match UnlockFile::decrypt(&v.body, &pass) {
        Ok(u) if v.headers.get("vault_id").is_some_and(|id| *id != u.vault_id().to_string()) => {
            "vault_id_mismatch".into()
        }
        Ok(u) => match u.verify(&v.argon2()) {
            Ok(()) => "ok".into(),
            Err(VerifyError::Mismatch) => "identity_mismatch".into(),
            Err(e) => format!("unexpected {e:?}"),
        },
        Err(UnlockError::Malformed) => "malformed".into(),
        Err(UnlockError::NotPassphraseEncrypted) => "not_passphrase_encrypted".into(),
        Err(UnlockError::WrongPassphrase) => "wrong_passphrase".into(),
        Err(UnlockError::ExcessiveWork { .. }) => "excessive_work".into(),
        Err(UnlockError::Corrupt) => "corrupt".into(),
        Err(UnlockError::InvalidPlaintext(_)) => "invalid_plaintext".into(),
        Err(UnlockError::RecoveryCode(CodeError::WrongKind { .. })) => "wrong_kind".into(),
        Err(UnlockError::RecoveryCode(_)) => "invalid_code".into(),
        Err(e) => format!("unexpected {e:?}"),
    };
    (c, None)
}

fn share_class(e: &ShareError) -> Outcome {
    match e {
        ShareError::Empty => ("empty".into(), None),
        ShareError::InvalidCharacter { group, .. } => ("invalid_character".into(), Some(group.to_string())),
        ShareError::IsCode { .. } => ("is_code".into(), None),
        ShareError::GroupLength { group, .. } => ("group_length".into(), Some(group.to_string())),
        ShareError::Length { symbols } => ("length".into(), Some(symbols.to_string())),
        ShareError::Checksum { group } => ("checksum".into(), Some(group.to_string())),
        ShareError::Header => ("not_a_share".into(), None),
        ShareError::ShareChecksum => ("share_checksum".into(), None),
        ShareError::DifferentSets { .. } => ("different_splits".into(), None),
        ShareError::Duplicate { index } => ("duplicate".into(), Some(index.to_string())),
        ShareError::NotEnough { have, .. } => ("not_enough".into(), Some(have.to_string())),
        ShareError::Inconsistent => ("inconsistent".into(), None),
        e => (format!("unexpected {e:?}"), None),
    }
}

/// Parses each of `inputs` (SPEC.md §3.6.3); if all parse, combines them (§3.6.4) and
/// compares the result with `recovery_code`.
fn run_share(v: &Vector) -> Outcome {
    let mut shares = Vec::new();
    for input in v.h("inputs").split(", ") {
        match Share::parse(input) {
            Ok(s) => shares.push(s),
            Err(e) => return share_class(&e),
        }
    }
    match vault_format::share::combine(&shares) {
        Ok(r) if r.to_grouped_string().expose_secret() == v.h("recovery_code") => ok(),
        Ok(_) => ("another recovery code".into(), None),
        Err(e) => share_class(&e),
    }
}

fn run_pin(v: &Vector) -> Outcome {
    let c = match open_pin(&v.body, &v.identity("identity")) {
        Ok(pin) if pin.expose_secret() == v.h("pin") => "ok".into(),
        Ok(_) => "wrong PIN value".into(),
        Err(PinError::TooLarge) => "too_large".into(),
        Err(PinError::Malformed) => "malformed".into(),
        Err(PinError::WrongKey) => "wrong_key".into(),
        Err(PinError::Corrupt) => "corrupt".into(),
        Err(PinError::InvalidPin) => "invalid_pin".into(),
        Err(e) => format!("unexpected {e:?}"),
    };
    (c, None)
}

fn payload_class(e: &PayloadError) -> String {
    match e {
        PayloadError::Malformed(_) => "malformed_archive".into(),
        PayloadError::UnsafePath(_) => "unsafe_path".into(),
        PayloadError::UnsupportedEntryType(_) => "unsupported_entry_type".into(),
        PayloadError::UnexpectedFile(_) => "unexpected_file".into(),
        PayloadError::DuplicateFile(_) => "duplicate_file".into(),
        PayloadError::TooLarge { .. } => "too_large".into(),
        PayloadError::MissingManifest => "missing_manifest".into(),
        PayloadError::Manifest(ManifestError::UnsupportedVersion { found, supported }) => {
            assert_eq!(*supported, 1);
            assert!(*found > 1);
            "unsupported_version".into()
        }
        PayloadError::Manifest(ManifestError::Kdf(k)) => kdf_class(k),
        PayloadError::Manifest(_) => "invalid_manifest".into(),
        PayloadError::MissingFile(_) => "missing_file".into(),
        PayloadError::SizeMismatch(_) => "size_mismatch".into(),
        PayloadError::ChecksumMismatch(_) => "checksum_mismatch".into(),
        PayloadError::UnreferencedFile(_) => "unreferenced_file".into(),
        e => format!("unexpected {e:?}"),
    }
}

fn run_generation(v: &Vector) -> Outcome {
    let n = parse_generation_file_name(v.h("file_name")).unwrap();
    let vid = VaultId::from_str(v.h("vault_id")).unwrap();
    let c = match open_generation(&v.body, &v.identity("identity"), &vid, n) {
        Ok(p) => {
            // A valid payload re-encodes deterministically and reads back equal.
            let t = p.to_tar().unwrap();
            assert_eq!(vault_format::Payload::from_tar(&t).unwrap(), p);
            "ok".into()
        }
        Err(OpenError::Malformed) => "malformed".into(),
        Err(OpenError::WrongKey) => "wrong_key".into(),
        Err(OpenError::Corrupt) => "corrupt".into(),
        Err(OpenError::TooLarge) => "too_large".into(),
        Err(OpenError::VaultIdMismatch { .. }) => "vault_id_mismatch".into(),
        Err(OpenError::GenerationMismatch { .. }) => "generation_mismatch".into(),
        Err(OpenError::Payload(p)) => payload_class(&p),
        Err(e) => format!("unexpected {e:?}"),
    };
    (c, None)
}

/// The complete test vault `vectors/vault/`: the whole opening story (SPEC.md §11, §13).
fn run_vault(v: &Vector) -> Outcome {
    let dir = vectors_dir().join("vault");
    let header = VaultHeader::from_json(&fs::read(dir.join("vault.json")).unwrap()).unwrap();
    // Passphrase → unlock file → vault identity (scrypt 2^18, once).
    let pass = SecretString::from(v.h("passphrase").to_owned());
    let unlock = UnlockFile::decrypt(&fs::read(dir.join("unlock.age")).unwrap(), &pass).unwrap();
    assert_eq!(unlock.vault_id(), header.vault_id);
    assert_eq!(unlock.recovery_code().to_grouped_string().expose_secret(), v.h("recovery_code"));
    assert_eq!(unlock.identity().to_string().expose_secret(), v.h("identity"));
    unlock.verify(&header.kdf.recovery).unwrap();
    // The typed recovery code leads to the same identity.
    let r = Code::parse(CodeKind::Recovery, v.h("recovery_code")).unwrap();
    let from_r = derive_identity(&r, &header.vault_id, &header.kdf.recovery).unwrap();
    assert_eq!(from_r.to_string().expose_secret(), v.h("identity"));
    // The newest generation.
    let mut gens: Vec<(u64, PathBuf)> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            parse_generation_file_name(&e.file_name().to_string_lossy()).map(|n| (n, e.path()))
        })
        .collect();
    gens.sort();
    let (n, path) = gens.pop().unwrap();
    let payload = open_generation(&fs::read(path).unwrap(), unlock.identity(), &header.vault_id, n).unwrap();
    assert_eq!(payload.manifest.header(), header);
    let entry = payload.manifest.entry(v.h("entry")).unwrap();
    assert!(entry.pin_stored);
    // The PIN code reveals the PIN.
    let c = Code::parse(CodeKind::PinCode, v.h("pin_code")).unwrap();
    let pin_id = derive_identity(&c, &header.vault_id, &header.kdf.pin_code).unwrap();
    assert_eq!(pin_id.to_public(), header.pin_recipient);
    assert_eq!(pin_id.to_string().expose_secret(), v.h("pin_identity"));
    let pin = open_pin(&payload.pins[&entry.id], &pin_id).unwrap();
    assert_eq!(pin.expose_secret(), v.h("pin"));
    // Nothing secret in the public files.
    for public in ["vault.json", "README.txt"] {
        let text = fs::read_to_string(dir.join(public)).unwrap();
        for k in ["passphrase", "recovery_code", "pin_code", "identity", "pin_identity"] {
            assert!(!text.contains(v.h(k)), "{public} contains the {k}");
        }
    }
    ok()
}

#[test]
fn testkit() {
    let dir = vectors_dir().join("testkit");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut areas: BTreeMap<String, usize> = BTreeMap::new();
    for path in &paths {
        let v = Vector::load(path);
        let area = v.h("area").to_owned();
        let (class, detail) = match area.as_str() {
            "code" => run_code(&v),
            "header" => header_class(VaultHeader::from_json(&v.body)),
            "unlock" => run_unlock(&v),
            "pin" => run_pin(&v),
            "generation" => run_generation(&v),
            "vault" => run_vault(&v),
            "share" => run_share(&v),
            a => (format!("unknown area {a}"), None),
        };
        *areas.entry(area).or_default() += 1;
        if class != v.h("expect") {
            failures.push(format!("{}: expected {}, got {class}", v.name, v.h("expect")));
            continue;
        }
        let pinned = ["group", "found", "symbols", "index", "have"].iter().find_map(|k| v.headers.get(*k));
        if let Some(want) = pinned {
            if detail.as_ref() != Some(want) {
                failures.push(format!("{}: expected detail {want}, got {detail:?}", v.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for area in ["code", "share", "header", "unlock", "pin", "generation", "vault"] {
        assert!(areas.get(area).copied().unwrap_or(0) > 0, "no {area} vectors");
    }
}

#[test]
fn index_lists_every_vector() {
    let index = fs::read_to_string(vectors_dir().join("INDEX.tsv")).unwrap();
    let listed: Vec<&str> =
        index.lines().filter(|l| !l.starts_with('#')).map(|l| l.split('\t').next().unwrap()).collect();
    let mut present: Vec<String> = fs::read_dir(vectors_dir().join("testkit"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    assert_eq!(listed, present);
}
