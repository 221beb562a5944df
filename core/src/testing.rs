//! Test helpers shared by the operations' unit tests: a vault with cheap KDF settings in a
//! temporary folder, a throwaway certificate sealed into it (the demo generator: no openssl
//! child process, which would hold a test's vault lock while it forks), and a private state
//! folder for this computer's logs.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::conversation::{Answer, Scripted};
use crate::vault::create::{create_vault_with, InitOptions};
use crate::vault::entries::{self, SealOptions, Sealed};
use crate::vault::{OpenVault, Unlock};

pub const PASSPHRASE: &str = "sakura umbrella kettle nineteen";
pub const PIN: &str = "4321";

/// One test at a time where vaults are locked and this computer's logs are read.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps this computer's logs out of the user's state folder.
pub fn private_state_dir() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        std::env::set_var(crate::records::STATE_DIR_VAR, dir);
    });
}

/// A new vault in `dir` with tiny KDF settings, opened by [`PASSPHRASE`].
pub fn new_vault(dir: &Path) -> PathBuf {
    new_vault_with_codes(dir);
    dir.to_path_buf()
}

/// [`new_vault`], with its recovery and PIN codes (shown once, as `init` shows them).
pub fn new_vault_with_codes(dir: &Path) -> vault_format::NewVault {
    private_state_dir();
    let tiny = vault_format::Argon2Params::new(8, 1, 1);
    let opts = InitOptions {
        dir: dir.to_path_buf(),
        passphrase_file: None,
        recovery_out: None,
        sheet_out: None,
        sheet_lang: crate::sheet::SheetLang::Ja,
        allow_fixed_disk: true,
        codes_shown: true,
        programs: false,
    };
    let talk = Scripted::new([]);
    create_vault_with(&opts, &SecretString::from(PASSPHRASE), vault_format::KdfParams::both(tiny), 10, &talk)
        .expect("vault created")
}

pub fn unlock() -> Unlock {
    Unlock::Passphrase(SecretString::from(PASSPHRASE))
}

/// Opens the vault, waiting a little while it is busy: a child process (another module's test
/// runs openssl) forked while a test held the lock holds it too until it execs.
pub fn open(dir: &Path, exclusive: bool) -> OpenVault {
    for _ in 0..100 {
        match OpenVault::open(dir, &unlock(), exclusive) {
            Err(e) if e.is(crate::error::ErrorKind::VaultBusy) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            opened => return opened.expect("opens"),
        }
    }
    panic!("{} stayed busy", dir.display())
}

/// Seals a throwaway certificate valid until `not_after` (Unix seconds) into the vault in
/// `dir` (a new generation); its file is written in `work`. The entry id.
pub fn seal_certificate(dir: &Path, work: &Path, not_after: i64) -> String {
    let now = crate::dates::now_unix();
    let (p12, _ca) = crate::demo::make_clinic_certificate(PIN, now - 86_400, not_after).expect("certificate");
    let file = work.join(format!("clinic-{not_after}.p12"));
    std::fs::write(&file, p12).expect("written");
    let talk = Scripted::new([Answer::Secret(PIN.into())]);
    let cert = entries::verify_for_sealing(&file, None, &talk).expect("verified");
    let mut vault = open(dir, true);
    let talk = Scripted::new([Answer::Confirm(true)]);
    match entries::seal_verified(&mut vault, &cert, &SealOptions::default(), &talk).expect("sealed") {
        Sealed::Added { id, .. } => id,
        other => panic!("not added: {other:?}"),
    }
}
