//! `init`: a new vault on a stick. Generation 1 is written by the same
//! [`OpenVault::write_generation`] as every later one (sealed, read back, verified).

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use vault_format::{KdfParams, Manifest, NewVault, Payload, ProgramFile};

use super::program;
use super::{
    begin_creation, check_creation_target, end_creation, io_error, write_new_file, OpenVault, Unlock,
};
use crate::conversation::{Conversation, Level};
use crate::error::{Error, ErrorKind};
use crate::msg;
use crate::sheet::{self, SheetLang};

/// What `init` is asked to do.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    pub passphrase_file: Option<PathBuf>,
    /// `--recovery-out`: R, its identity and C in a 0600 file outside the vault.
    pub recovery_out: Option<PathBuf>,
    /// `--sheet-out`: the recovery sheet, the only place besides the screen and
    /// `--recovery-out` where the PIN code ever appears.
    pub sheet_out: Option<PathBuf>,
    pub sheet_lang: SheetLang,
    pub allow_fixed_disk: bool,
    /// The front-end will show the two codes to someone (a terminal on standard output, the
    /// window). Without it, `recovery_out` or `sheet_out` is required.
    pub codes_shown: bool,
    /// Put the program files this computer has into `program/` (SPEC.md §2.6); `--no-program`
    /// turns it off.
    pub programs: bool,
}

/// The README put on every stick, Japanese then English.
pub fn readme_text() -> String {
    format!(
        "{}\n\n{}\n",
        include_str!("../../../templates/usb-readme.ja.txt").trim_end(),
        include_str!("../../../templates/usb-readme.en.txt").trim_end()
    )
}

/// The checks `init` makes before it asks for anything: the folder may be created, someone
/// will see the codes, the medium is removable (or `allow_fixed_disk`, or the user agrees
/// through `talk`), the sheet's file may be written.
pub fn check_init(opts: &InitOptions, talk: &dyn Conversation) -> Result<(), Error> {
    let dir = &opts.dir;
    // New, empty, or what an interrupted init or clone left (then removed on creation).
    check_creation_target(dir)?;
    if opts.recovery_out.is_none() && opts.sheet_out.is_none() && !opts.codes_shown {
        // Nobody would ever see R and C: the PIN code would be lost for good.
        return Err(Error::new(ErrorKind::Refused, msg!("err-init-no-output")));
    }
    // Decide about the medium before asking for anything.
    let probe = match dir.exists() {
        true => dir.clone(),
        false => dir.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let probe = if probe.as_os_str().is_empty() { PathBuf::from(".") } else { probe };
    let removable = super::is_on_removable_media(&probe) == Some(true);
    if !removable
        && !opts.allow_fixed_disk
        && talk.confirm(&msg!("init-fixed-disk-confirm", dir = dir.display())) != Ok(true)
    {
        return Err(Error::new(ErrorKind::Refused, msg!("err-fixed-disk", dir = dir.display())));
    }
    if let Some(out) = &opts.sheet_out {
        sheet::check_out_path(out, dir)?;
    }
    Ok(())
}

/// `init`: checks, gets the passphrase (file or asked twice), creates the vault. Returns the
/// new vault's codes for the front-end to show once.
pub fn init(opts: &InitOptions, talk: &dyn Conversation) -> Result<NewVault, Error> {
    check_init(opts, talk)?;
    let passphrase = super::passphrase::new_passphrase(opts.passphrase_file.as_deref(), talk)?;
    talk.tell(Level::Info, msg!("init-working"));
    create_vault(opts, &passphrase, talk)
}

/// Creates the vault checked by [`check_init`] with `passphrase` (slow: the KDF runs twice,
/// once to seal `unlock.age` and once to prove it opens), writes `--recovery-out` and
/// `--sheet-out` when asked, and returns the new vault's codes.
pub fn create_vault(
    opts: &InitOptions,
    passphrase: &SecretString,
    talk: &dyn Conversation,
) -> Result<NewVault, Error> {
    let (kdf, work_factor) = crate::durable::new_vault_kdf();
    create_vault_with(opts, passphrase, kdf, work_factor, talk)
}

fn seal_error(detail: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Internal, msg!("err-seal", detail = detail))
}

pub(crate) fn create_vault_with(
    opts: &InitOptions,
    passphrase: &SecretString,
    kdf: KdfParams,
    work_factor: u8,
    talk: &dyn Conversation,
) -> Result<NewVault, Error> {
    let dir = &opts.dir;
    let new = NewVault::generate(kdf, vault_format::time::now()).map_err(seal_error)?;
    let sources = if opts.programs { program::available_programs() } else { Vec::new() };
    let listed: Vec<ProgramFile> = sources.iter().map(|s| s.record.clone()).collect();
    // Rendered before anything is written: a sheet that cannot be made leaves no vault.
    let mut sheet = match &opts.sheet_out {
        Some(_) => Some(sheet::render_new_vault_sheet(&new, opts.sheet_lang, &listed)?),
        None => None,
    };
    let lock = begin_creation(dir)?;
    // The program first: the manifest and the sheet list what reached the stick. A stick too
    // small for it still gets the vault (the failure is told).
    let programs = program::install_all(dir, &sources, talk);
    if programs != listed && sheet.is_some() {
        sheet = Some(sheet::render_new_vault_sheet(&new, opts.sheet_lang, &programs)?);
    }
    if let Some(out) = &opts.recovery_out {
        write_recovery_out(out, dir, &new)?;
    }
    if let (Some(out), Some(pdf)) = (&opts.sheet_out, &sheet) {
        sheet::write_new_vault_sheet(out, dir, pdf)?;
    }
    // vault.json last: until it is written the folder is not a vault (SPEC.md §11).
    write_new_file(dir, vault_format::README_FILE_NAME, readme_text().as_bytes())?;
    let unlock = new.unlock.encrypt_with_work_factor(passphrase, work_factor).map_err(seal_error)?;
    write_new_file(dir, vault_format::UNLOCK_FILE_NAME, &unlock)?;
    // Generation 1 goes through the one write path: sealed, read back and compared.
    let mut creating = OpenVault {
        dir: dir.clone(),
        header: new.header.clone(),
        header_differs: Vec::new(),
        seen_newer: None,
        fallback_accepted: false,
        identity: new.unlock.identity().clone(),
        payload: Payload::new(Manifest {
            programs: programs.clone(),
            ..Manifest::new(&new.header, 0, vault_format::time::now())
        }),
        generation: 0,
        fallbacks: Vec::new(),
        unlock_file: None,
        _lock: lock,
    };
    let payload = creating.payload.clone();
    creating.write_generation(payload, talk)?;
    write_new_file(dir, vault_format::HEADER_FILE_NAME, &new.header.to_json())?;
    drop(creating);
    // Prove the vault opens with what the user will type, before telling them it is done.
    OpenVault::open(dir, &Unlock::Passphrase(passphrase.clone()), false)?;
    end_creation(dir)?;
    if opts.sheet_out.is_some() {
        crate::records::record_sheet(dir, &new.header.vault_id.to_string(), 1, None, talk);
    }
    Ok(new)
}

/// The `--recovery-out` file: 0600, outside the vault, one value per line.
fn write_recovery_out(path: &Path, vault_dir: &Path, new: &NewVault) -> Result<(), Error> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let inside = match (parent.canonicalize(), vault_dir.canonicalize()) {
        (Ok(p), Ok(v)) => p.starts_with(&v),
        _ => false,
    };
    if inside {
        return Err(Error::new(ErrorKind::Refused, msg!("err-recovery-out-inside", file = path.display())));
    }
    let text = zeroize::Zeroizing::new(format!(
        "RECOVERY-CODE: {}\nRECOVERY-IDENTITY: {}\nPIN-CODE: {}\n",
        new.unlock.recovery_code().to_grouped_string().expose_secret(),
        new.unlock.identity().to_string().expose_secret(),
        new.pin_code.to_grouped_string().expose_secret()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut f = options.open(path).map_err(|e| io_error(path, &e))?;
    f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| io_error(path, &e))
}
