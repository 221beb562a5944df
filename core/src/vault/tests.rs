//! The vault operations run without a terminal: questions answered by [`Scripted`], on real
//! files (a vault with cheap KDF settings, a PKCS#12 made by `openssl`).

use std::path::{Path, PathBuf};
use std::process::Command;

use secrecy::{ExposeSecret, SecretString};

use super::create::{self, InitOptions};
use super::entries::{self, Removed, SealOptions, Sealed};
use super::{OpenVault, Unlock};
use crate::conversation::{Answer, Scripted};
use crate::error::ErrorKind;
use crate::sheet::SheetLang;

const PASSPHRASE: &str = "sakura umbrella kettle nineteen";
const PIN: &str = "4321";

/// One test at a time: a child process (openssl) forked while another test holds a vault lock
/// holds it too until it execs, which another test's open would take for a busy vault.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps this computer's generation log out of the user's state folder.
fn private_state_dir() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        // Set once, before any test reads it; tests only read it afterwards.
        std::env::set_var(crate::records::STATE_DIR_VAR, dir);
    });
}

fn options(dir: &Path) -> InitOptions {
    InitOptions {
        dir: dir.to_path_buf(),
        passphrase_file: None,
        recovery_out: None,
        sheet_out: None,
        sheet_lang: SheetLang::Ja,
        allow_fixed_disk: true,
        codes_shown: true,
        programs: false,
    }
}

/// A new vault in `tmp/vault` with tiny KDF settings; its codes.
fn new_vault(tmp: &Path) -> (PathBuf, vault_format::NewVault) {
    private_state_dir();
    let dir = tmp.join("vault");
    let tiny = vault_format::Argon2Params::new(8, 1, 1);
    let talk = Scripted::new([]);
    let new = create::create_vault_with(
        &options(&dir),
        &SecretString::from(PASSPHRASE),
        vault_format::KdfParams::both(tiny),
        10,
        &talk,
    )
    .expect("vault created");
    assert!(talk.asked_ids().is_empty(), "{:?}", talk.asked_ids());
    (dir, new)
}

fn open(dir: &Path, exclusive: bool) -> OpenVault {
    OpenVault::open(dir, &Unlock::Passphrase(SecretString::from(PASSPHRASE)), exclusive).expect("opens")
}

/// A clinic-like PKCS#12 protected by [`PIN`], made by openssl.
fn certificate_file(tmp: &Path) -> PathBuf {
    let key = tmp.join("key.pem");
    let cert = tmp.join("cert.pem");
    let p12 = tmp.join("clinic.p12");
    let run = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().expect("openssl runs");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "400",
        "-subj",
        "/C=JP/O=Sakura Clinic/CN=1312345678",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]);
    run(&[
        "pkcs12",
        "-export",
        "-inkey",
        key.to_str().unwrap(),
        "-in",
        cert.to_str().unwrap(),
        "-out",
        p12.to_str().unwrap(),
        "-passout",
        &format!("pass:{PIN}"),
    ]);
    p12
}

#[test]
fn init_writes_generation_one_through_the_common_write_path() {
    let _serial = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let (dir, new) = new_vault(tmp.path());
    for name in [
        vault_format::HEADER_FILE_NAME,
        vault_format::UNLOCK_FILE_NAME,
        vault_format::README_FILE_NAME,
        &vault_format::generation_file_name(1),
    ] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    assert!(!dir.join(crate::durable::INCOMPLETE_MARKER).exists());
    let vault = open(&dir, false);
    assert_eq!(vault.generation, 1);
    assert_eq!(vault.payload.manifest.generation, 1);
    assert_eq!(vault.header.vault_id, new.header.vault_id);
    assert!(vault.payload.manifest.entries.is_empty());
}

#[test]
fn init_refuses_before_asking_anything() {
    let _serial = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    // Nobody would ever see the codes.
    let talk = Scripted::new([]);
    let e = create::check_init(&InitOptions { codes_shown: false, ..options(&dir) }, &talk).unwrap_err();
    assert_eq!(e.message.id, "err-init-no-output");
    // A fixed disk (a temporary folder is not a stick), and the user says no.
    let talk = Scripted::new([Answer::Confirm(false)]);
    let e = create::check_init(&InitOptions { allow_fixed_disk: false, ..options(&dir) }, &talk).unwrap_err();
    assert_eq!((e.kind, e.message.id), (ErrorKind::Refused, "err-fixed-disk"));
    assert_eq!(talk.asked_ids(), ["init-fixed-disk-confirm"]);
    // A weak passphrase from a file is refused with the reason.
    let weak = tmp.path().join("weak");
    std::fs::write(&weak, "password1234\n").unwrap();
    let opts = InitOptions { passphrase_file: Some(weak), ..options(&dir) };
    let Err(e) = create::init(&opts, &Scripted::new([])) else { panic!("a weak passphrase was taken") };
    assert_eq!(e.message.id, "err-passphrase-weak");
    assert!(!dir.exists(), "nothing was created");
}

#[test]
fn add_list_reveal_export_remove() {
    let _serial = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let (dir, new) = new_vault(tmp.path());
    let p12 = certificate_file(tmp.path());

    // The PIN is asked until it is right.
    let talk = Scripted::new([Answer::Secret("0000".into()), Answer::Secret(PIN.into())]);
    let cert = entries::verify_for_sealing(&p12, None, &talk).expect("verified");
    assert_eq!(talk.asked_ids(), ["add-enter-pin", "add-pin-retry"]);

    let mut vault = open(&dir, true);
    let opts = SealOptions { hint: Some("reception".into()), ..SealOptions::default() };
    let summary = cert.summary(&opts, 0);
    assert!(summary.pin_stored && summary.subject.contains("Sakura Clinic"));
    // Saying no changes nothing.
    let talk = Scripted::new([Answer::Confirm(false)]);
    assert_eq!(entries::seal_verified(&mut vault, &cert, &opts, &talk).unwrap(), Sealed::Cancelled);
    assert_eq!(vault.generation, 1);
    let talk = Scripted::new([Answer::Confirm(true)]);
    let Sealed::Added { id, generation } = entries::seal_verified(&mut vault, &cert, &opts, &talk).unwrap()
    else {
        panic!("not added")
    };
    assert_eq!(generation, 2);
    assert_eq!(talk.asked_ids(), ["add-confirm"]);
    // The same bytes again: nothing asked, nothing written.
    let talk = Scripted::new([]);
    assert_eq!(
        entries::seal_verified(&mut vault, &cert, &opts, &talk).unwrap(),
        Sealed::Already { id: id.clone() }
    );
    assert!(talk.asked_ids().is_empty());
    assert_eq!(vault.entry_bytes(&id).unwrap(), std::fs::read(&p12).unwrap());
    drop(vault);

    let vault = open(&dir, false);
    let listing = entries::list(&vault, 0).unwrap();
    assert_eq!((listing.generation, listing.entries.len()), (2, 1));
    assert_eq!(listing.entries[0].entry.hint.as_deref(), Some("reception"));

    // The stored PIN, with the PIN code asked; a wrong code is told apart.
    let code = new.pin_code.to_grouped_string();
    let talk = Scripted::new([Answer::Secret(code.expose_secret().to_string())]);
    let pin = entries::reveal_pin(&vault, &id.to_uppercase(), None, &talk).unwrap();
    assert_eq!(pin.expose_secret(), PIN);
    assert_eq!(talk.asked_ids(), ["reveal-enter-pin-code"]);
    let other = vault_format::Code::generate(vault_format::CodeKind::PinCode);
    let e = super::pin::stored_pin(&vault, &vault.payload.manifest.entries[0], &other).unwrap_err();
    assert_eq!((e.kind, e.message.id), (ErrorKind::WrongSecret, "err-wrong-pin-code"));
    let e = entries::reveal_pin(&vault, &id, None, &Scripted::new([])).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoTerminal);

    let out = tmp.path().join("exported.p12");
    entries::export(&vault, &id, &out).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&p12).unwrap());
    assert_eq!(entries::export(&vault, &id, &out).unwrap_err().message.id, "err-exists");
    assert_eq!(entries::export(&vault, "nope", &tmp.path().join("x")).unwrap_err().kind, ErrorKind::NotFound);
    drop(vault);

    let mut vault = open(&dir, true);
    let talk = Scripted::new([Answer::Confirm(false)]);
    assert_eq!(entries::remove(&mut vault, &id, &talk).unwrap(), Removed::Cancelled);
    let talk = Scripted::new([Answer::Confirm(true)]);
    assert_eq!(entries::remove(&mut vault, &id, &talk).unwrap(), Removed::Removed { id, generation: 3 });
    assert!(vault.payload.manifest.entries.is_empty());
}

#[test]
fn passwd_asks_the_new_passphrase_twice() {
    let _serial = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = new_vault(tmp.path());
    let old = Unlock::Passphrase(SecretString::from(PASSPHRASE));
    let vault = OpenVault::open(&dir, &old, true).unwrap();
    let next = "violet harbour lantern seventeen";
    let talk = Scripted::new([Answer::Secret(next.into()), Answer::Secret(next.into())]);
    entries::passwd(&vault, &old, None, &talk).unwrap();
    assert_eq!(talk.asked_ids(), ["init-new-passphrase", "init-repeat-passphrase"]);
    drop(vault);
    let Err(e) = OpenVault::open(&dir, &old, false) else { panic!("the old passphrase still opens") };
    assert_eq!(e.kind, ErrorKind::WrongSecret);
    OpenVault::open(&dir, &Unlock::Passphrase(SecretString::from(next)), false).unwrap();
}

/// Issue 16: a wrong passphrase, or a recovery code of another vault, is said and asked again
/// in place (with `ask_again`); the secret that opened the vault comes back for later steps.
#[test]
fn a_wrong_secret_is_asked_again_in_place() {
    use crate::vault::{AskFor, UnlockSource};
    let _serial = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let new = crate::testing::new_vault_with_codes(&tmp.path().join("v"));
    let dir = tmp.path().join("v");
    let source = UnlockSource { ask_again: true, ..Default::default() };

    let talk = Scripted::new([
        Answer::Secret("wrong one".into()),
        Answer::Secret(crate::testing::PASSPHRASE.into()),
    ]);
    let (vault, unlock) =
        OpenVault::open_asking(&dir, &source, false, &talk).expect("opens on the second try");
    assert_eq!(talk.asked_ids(), ["vault-enter-passphrase", "vault-enter-passphrase"]);
    assert_eq!(talk.note_ids(), ["err-wrong-passphrase", "unlock-ask-again"]);
    assert!(matches!(unlock, Unlock::Passphrase(_)));
    drop(vault);

    // The recovery code: another vault's valid code first, then this vault's.
    let other = vault_format::Code::generate(vault_format::CodeKind::Recovery);
    let code = |c: &vault_format::Code| c.to_grouped_string().expose_secret().to_string();
    let source = UnlockSource { ask: AskFor::RecoveryCode, ask_again: true, ..Default::default() };
    let talk =
        Scripted::new([Answer::Secret(code(&other)), Answer::Secret(code(new.unlock.recovery_code()))]);
    let (_vault, unlock) = OpenVault::open_asking(&dir, &source, false, &talk).expect("opens");
    assert_eq!(talk.asked_ids(), ["unlock-enter-recovery-code", "unlock-enter-recovery-code"]);
    assert!(matches!(unlock, Unlock::RecoveryCode(_)));

    // Without ask_again (the commands), or from a file, the first error is the answer.
    let talk = Scripted::new([Answer::Secret("wrong one".into())]);
    let e = OpenVault::open_asking(&dir, &UnlockSource::default(), false, &talk).err().unwrap();
    assert_eq!(e.message.id, "err-wrong-passphrase");
    // …and what was given is used without asking.
    let given = UnlockSource { given: Some(unlock), ..Default::default() };
    let talk = Scripted::new([]);
    OpenVault::open_asking(&dir, &given, false, &talk).expect("opens with what was given");
    assert!(talk.asked_ids().is_empty());
}

#[test]
fn an_hpki_file_asks_for_its_password_not_a_pin() {
    let tmp = tempfile::tempdir().unwrap();
    let p12 = certificate_file(tmp.path());
    // The name the HPKI cardless signature download has.
    let hpki = tmp.path().join("client.hpki-cardless-signature");
    std::fs::copy(&p12, &hpki).unwrap();
    let talk = Scripted::new([Answer::Secret("0000".into()), Answer::Secret(PIN.into())]);
    entries::verify_for_sealing(&hpki, None, &talk).expect("verified");
    assert_eq!(talk.asked_ids(), ["add-enter-hpki-password", "add-hpki-password-retry"]);
    // Any other file: its PIN.
    let talk = Scripted::new([Answer::Secret(PIN.into())]);
    entries::verify_for_sealing(&p12, None, &talk).expect("verified");
    assert_eq!(talk.asked_ids(), ["add-enter-pin"]);
}
