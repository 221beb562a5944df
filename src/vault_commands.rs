//! The vault commands: `init`, `add`, `list`, `remove`, `passwd`, `reveal-pin`, `export`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use vault_format::{
    entry_id, seal_pin, sha256_hex, CertificateInfo, Code, CodeKind, Entry, Manifest, NewVault, Payload,
    Purpose as VaultPurpose, Superseded,
};

use crate::cert::{colon_hex_from_plain, plain_hex, Purpose};
use crate::certfile::{self, CertificateFile};
use crate::error::{CliError, EXIT_OK};
use crate::inspect::{human_date, now_unix, purpose_text};
use crate::pkcs12::{PasswordCheck, Pkcs12Error};
use crate::secret_input;
use crate::t;
use crate::terminal_text::escaped;
use crate::vault::{self, pin, OpenVault, Unlock, UnlockSource};

/// Passphrases zxcvbn scores below this are refused (3 = "safely unguessable").
const MIN_PASSPHRASE_SCORE: u8 = 3;

/// Asks yes/no on the terminal; no terminal means "proceed" only where the caller allows.
pub fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "はい")
}

fn warn_fallbacks(vault: &OpenVault) {
    for w in vault.warnings() {
        eprintln!("{}", crate::i18n::render(&w));
    }
}

// ---------------------------------------------------------------------------------------------
// init

pub struct InitOptions {
    pub dir: PathBuf,
    pub passphrase_file: Option<PathBuf>,
    pub recovery_out: Option<PathBuf>,
    /// `--sheet-out`: the recovery sheet, the only place besides the terminal and
    /// `--recovery-out` where the PIN code ever appears.
    pub sheet_out: Option<PathBuf>,
    pub sheet_lang: crate::sheet::SheetLang,
    pub allow_fixed_disk: bool,
}

/// Refuses a weak passphrase with the estimator's reason.
pub fn check_passphrase_strength(passphrase: &str) -> Result<(), CliError> {
    if passphrase.chars().count() < 10 {
        return Err(CliError::new(t!("err-passphrase-short")).with_hint(t!("hint-passphrase")));
    }
    let estimate = zxcvbn::zxcvbn(passphrase, &["certvault", "clinic", "クリニック"]);
    if (estimate.score() as u8) < MIN_PASSPHRASE_SCORE {
        let reason = estimate.feedback().and_then(|f| f.warning()).map_or("passphrase-guessable", warning_id);
        let reason = t!(reason);
        return Err(
            CliError::new(t!("err-passphrase-weak", reason = reason)).with_hint(t!("hint-passphrase"))
        );
    }
    Ok(())
}

/// The estimator's warning, in the user's language.
fn warning_id(w: zxcvbn::feedback::Warning) -> &'static str {
    use zxcvbn::feedback::Warning as W;
    match w {
        W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => {
            "passphrase-warn-keyboard"
        }
        W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "passphrase-warn-repeats"
        }
        W::ThisIsATop10Password
        | W::ThisIsATop100Password
        | W::ThisIsACommonPassword
        | W::ThisIsSimilarToACommonlyUsedPassword => "passphrase-warn-common",
        W::SequencesLikeAbcAreEasyToGuess => "passphrase-warn-sequence",
        W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => "passphrase-warn-dates",
        W::AWordByItselfIsEasyToGuess => "passphrase-warn-word",
        W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => {
            "passphrase-warn-names"
        }
    }
}

/// The new passphrase: from `file`, or asked twice on the terminal until it is strong enough
/// and typed the same both times.
pub fn new_passphrase(file: Option<&Path>) -> Result<SecretString, CliError> {
    let passphrase = match file {
        Some(path) => vault::read_secret(path)?,
        None => {
            let no_terminal = |_| {
                CliError::new(t!("err-no-terminal", what = t!("what-passphrase"), flag = "--passphrase-file"))
            };
            loop {
                let first = secret_input::prompt_secret(&t!("init-new-passphrase")).map_err(no_terminal)?;
                if let Err(e) = check_passphrase_strength(first.expose_secret()) {
                    eprintln!("{}", e.message);
                    if let Some(h) = e.hint {
                        eprintln!("{h}");
                    }
                    continue;
                }
                let second =
                    secret_input::prompt_secret(&t!("init-repeat-passphrase")).map_err(no_terminal)?;
                if first.expose_secret() == second.expose_secret() {
                    break first;
                }
                eprintln!("{}", t!("init-passphrase-mismatch"));
            }
        }
    };
    check_passphrase_strength(passphrase.expose_secret())?;
    Ok(passphrase)
}

pub(crate) fn readme_text() -> String {
    format!(
        "{}\n\n{}\n",
        include_str!("../templates/usb-readme.ja.txt").trim_end(),
        include_str!("../templates/usb-readme.en.txt").trim_end()
    )
}

/// The `--recovery-out` file: 0600, outside the vault, one value per line.
fn write_recovery_out(path: &Path, vault_dir: &Path, new: &NewVault) -> Result<(), CliError> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let inside = match (parent.canonicalize(), vault_dir.canonicalize()) {
        (Ok(p), Ok(v)) => p.starts_with(&v),
        _ => false,
    };
    if inside {
        return Err(CliError::new(t!("err-recovery-out-inside", file = path.display())));
    }
    let text = zeroize::Zeroizing::new(format!(
        "RECOVERY-CODE: {}\nRECOVERY-IDENTITY: {}\nPIN-CODE: {}\n",
        new.unlock.recovery_code().to_grouped_string().expose_secret(),
        secrecy::ExposeSecret::expose_secret(&new.unlock.identity().to_string()),
        new.pin_code.to_grouped_string().expose_secret()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(|e| vault::io_error(path, &e))?;
    f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| vault::io_error(path, &e))?;
    Ok(())
}

pub fn init(opts: &InitOptions) -> Result<u8, CliError> {
    check_init(opts)?;
    let passphrase = new_passphrase(opts.passphrase_file.as_deref())?;
    eprintln!("{}", t!("init-working"));
    let new = create_vault(opts, &passphrase)?;
    let dir = &opts.dir;
    println!("{}", t!("init-done", dir = dir.display()));
    if std::io::stdout().is_terminal() {
        println!();
        print_codes(&new);
    }
    if let Some(out) = &opts.recovery_out {
        println!("{}", t!("init-recovery-out", file = out.display()));
    }
    if let Some(out) = &opts.sheet_out {
        println!("{}", t!("init-sheet-out", file = out.display()));
    }
    Ok(EXIT_OK)
}

/// Shows the recovery code and the PIN code of a new vault, once, with what to do with them.
pub fn print_codes(new: &NewVault) {
    println!("{}", t!("init-show-codes"));
    println!(
        "  {}: {}",
        t!("label-recovery-code"),
        new.unlock.recovery_code().to_grouped_string().expose_secret()
    );
    println!("  {}: {}", t!("label-pin-code"), new.pin_code.to_grouped_string().expose_secret());
    println!();
    println!("{}", t!("init-codes-once"));
}

/// The checks `init` makes before it asks for anything: the folder may be created, someone
/// will see the codes, the medium is removable (or the user agrees, or `allow_fixed_disk`),
/// the sheet's file may be written.
pub fn check_init(opts: &InitOptions) -> Result<(), CliError> {
    let dir = &opts.dir;
    // New, empty, or what an interrupted init or clone left (then removed below).
    vault::check_creation_target(dir)?;
    let interactive = std::io::stdin().is_terminal();
    if opts.recovery_out.is_none() && opts.sheet_out.is_none() && !std::io::stdout().is_terminal() {
        // Nobody would ever see R and C: the PIN code would be lost for good.
        return Err(CliError::new(t!("err-init-no-output")));
    }
    // Decide about the medium before asking for anything.
    let probe =
        if dir.exists() { dir.clone() } else { dir.parent().map(Path::to_path_buf).unwrap_or_default() };
    let probe = if probe.as_os_str().is_empty() { PathBuf::from(".") } else { probe };
    let removable = vault::is_on_removable_media(&probe) == Some(true);
    if !removable
        && !opts.allow_fixed_disk
        && (!interactive || !confirm(&t!("init-fixed-disk-confirm", dir = dir.display())))
    {
        return Err(CliError::new(t!("err-fixed-disk", dir = dir.display())));
    }
    if let Some(out) = &opts.sheet_out {
        crate::sheet_command::check_out_path(out, dir)?;
    }
    Ok(())
}

/// Creates the vault checked by [`check_init`] with `passphrase` (slow: the KDF runs twice,
/// once to seal `unlock.age` and once to prove it opens), writes `--recovery-out` and
/// `--sheet-out` when asked, and returns the new vault's codes for the user to see once.
pub fn create_vault(opts: &InitOptions, passphrase: &SecretString) -> Result<NewVault, CliError> {
    let dir = &opts.dir;
    let (kdf, work_factor) = crate::durable::new_vault_kdf();
    let new = NewVault::generate(kdf, vault_format::time::now())
        .map_err(|e| CliError::new(t!("err-seal", detail = e)))?;
    // Rendered before anything is written: a sheet that cannot be made leaves no vault.
    let sheet = match &opts.sheet_out {
        Some(_) => Some(crate::sheet_command::render_new_vault_sheet(&new, opts.sheet_lang)?),
        None => None,
    };
    let lock = vault::begin_creation(dir)?;
    if let Some(out) = &opts.recovery_out {
        write_recovery_out(out, dir, &new)?;
    }
    if let (Some(out), Some(pdf)) = (&opts.sheet_out, &sheet) {
        crate::sheet_command::write_new_vault_sheet(out, dir, pdf)?;
    }
    // vault.json last: until it is written the folder is not a vault (SPEC.md §11).
    vault::write_new_file(dir, vault_format::README_FILE_NAME, readme_text().as_bytes())?;
    let unlock = new
        .unlock
        .encrypt_with_work_factor(passphrase, work_factor)
        .map_err(|e| CliError::new(t!("err-seal", detail = e)))?;
    vault::write_new_file(dir, vault_format::UNLOCK_FILE_NAME, &unlock)?;
    let manifest = Manifest::new(&new.header, 1, vault_format::time::now());
    let payload = Payload::new(manifest);
    let sealed = vault_format::seal_generation(&payload, &new.unlock.identity().to_public())
        .map_err(|e| CliError::new(t!("err-seal", detail = e)))?;
    vault::write_new_file(dir, &vault_format::generation_file_name(1), &sealed)?;
    vault::write_new_file(dir, vault_format::HEADER_FILE_NAME, &new.header.to_json())?;
    drop(lock);
    // Prove the vault opens with what the user will type, before telling them it is done.
    OpenVault::open(dir, &Unlock::Passphrase(passphrase.clone()), false)?;
    vault::end_creation(dir)?;
    if opts.sheet_out.is_some() {
        crate::status::record_sheet(&new.header.vault_id.to_string(), 1, None, &crate::terminal::Terminal);
    }
    Ok(new)
}

// ---------------------------------------------------------------------------------------------
// add

pub struct AddOptions {
    pub file: PathBuf,
    pub vault: PathBuf,
    pub unlock: UnlockSource,
    pub pin_file: Option<PathBuf>,
    pub hint: Option<String>,
    pub purpose: Option<Purpose>,
    pub no_store_pin: bool,
}

/// Gets the PIN for `file` and verifies it offline: from `--pin-file`, or by asking until it
/// is right (there is no lockout to fear).
pub fn verified_pin(file: &CertificateFile, pin_file: Option<&Path>) -> Result<SecretString, CliError> {
    let p12 = &file.pkcs12;
    let check = |pin: &str| p12.check_pin(pin).map_err(|e| certfile::pkcs12_error(&file.path, &e));
    if let PasswordCheck::Correct(_) | PasswordCheck::NotNeeded = check("")? {
        crate::inspect::note_pin_file_not_used(file, pin_file);
        return Ok(SecretString::from(String::new()));
    }
    if let Some(path) = pin_file {
        let pin = certvault_core::secret_file::read_secret_file(path).map_err(|e| {
            CliError::new(t!("err-pin-file", file = path.display(), reason = crate::i18n::render(&e)))
        })?;
        return match check(pin.expose_secret())? {
            PasswordCheck::Wrong => {
                let error = p12.open(pin.expose_secret()).err().unwrap_or(Pkcs12Error::WrongPassword);
                Err(certfile::pkcs12_error(&file.path, &error).into())
            }
            _ => Ok(pin),
        };
    }
    let mut prompt = t!("add-enter-pin", file = file.display_name());
    loop {
        let pin = secret_input::prompt_secret(&prompt)
            .map_err(|_| CliError::new(t!("err-no-terminal", what = "PIN", flag = "--pin-file")))?;
        match check(pin.expose_secret())? {
            PasswordCheck::Wrong => {
                if let Err(Pkcs12Error::MacMismatch) = p12.open(pin.expose_secret()) {
                    return Err(certfile::pkcs12_error(&file.path, &Pkcs12Error::MacMismatch).into());
                }
                prompt = t!("add-pin-retry");
            }
            _ => return Ok(pin),
        }
    }
}

pub use certvault_core::dates::{days_left_of, one_month_after};

pub fn add(opts: &AddOptions) -> Result<u8, CliError> {
    let cert = verify_for_sealing(&opts.file, opts.pin_file.as_deref())?;
    let unlock = opts.unlock.read(&crate::terminal::Terminal)?;
    let mut vault = OpenVault::open(&opts.vault, &unlock, true)?;
    warn_fallbacks(&vault);
    vault.check_can_write(&crate::terminal::Terminal)?;
    let file = cert.file.display_name();
    match seal_verified(&mut vault, &cert, opts.hint.clone(), opts.purpose, opts.no_store_pin)? {
        Sealed::Already { id } => println!("{}", t!("add-already", file = file, id = id)),
        Sealed::Cancelled => eprintln!("{}", t!("cancelled")),
        Sealed::Added { id, generation } => {
            println!("{}", t!("add-done", file = file, id = id, generation = generation))
        }
    }
    Ok(EXIT_OK)
}

/// A certificate file whose PIN was verified offline and that holds a certificate with its
/// key: ready to be sealed (by `add`, and by `clean --seal-unknown`).
pub struct VerifiedCertificate {
    pub file: CertificateFile,
    pin: SecretString,
    analysis: certfile::Analysis,
    leaf: crate::cert::CertInfo,
}

/// What [`seal_verified`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sealed {
    /// The same bytes are already the entry `id`; nothing changed.
    Already {
        id: String,
    },
    /// The user answered no at the confirmation.
    Cancelled,
    Added {
        id: String,
        generation: u64,
    },
}

/// Loads `path`, gets its PIN (from `pin_file`, or asked until right) and verifies it offline,
/// and checks that the file holds a certificate and the private key that belongs to it.
pub fn verify_for_sealing(path: &Path, pin_file: Option<&Path>) -> Result<VerifiedCertificate, CliError> {
    let file = CertificateFile::load(path)?;
    if let Some(what) = file.pkcs12.unsupported_algorithm() {
        return Err(certfile::pkcs12_error(&file.path, &Pkcs12Error::Unsupported(what)).into());
    }
    let pin = verified_pin(&file, pin_file)?;
    let opened = file.pkcs12.open(pin.expose_secret()).map_err(|e| certfile::pkcs12_error(&file.path, &e))?;
    let analysis = certfile::analyse(&file.path, &opened)?;
    let leaf = analysis
        .leaf
        .clone()
        .ok_or_else(|| CliError::new(t!("err-no-certificate", file = file.display_name())))?;
    if analysis.key_count == 0 {
        return Err(CliError::new(t!("err-no-key", file = file.display_name())));
    }
    if analysis.key_match == Some(crate::cert::KeyMatch::DoesNotMatch) {
        return Err(CliError::new(t!("err-key-mismatch", file = file.display_name())));
    }
    Ok(VerifiedCertificate { file, pin, analysis, leaf })
}

/// Seals `cert` into `vault` (opened with the write lock) as its next generation: shows what
/// is about to be sealed, asks on a terminal, and marks older certificates of the same kind as
/// superseded.
pub fn seal_verified(
    vault: &mut OpenVault,
    cert: &VerifiedCertificate,
    hint: Option<String>,
    purpose: Option<Purpose>,
    no_store_pin: bool,
) -> Result<Sealed, CliError> {
    let VerifiedCertificate { file, pin, analysis, leaf } = cert;
    let purpose = purpose.unwrap_or_else(|| analysis.purpose(&file.file_name()));
    let id = entry_id(&file.bytes);
    let sha256 = sha256_hex(&file.bytes);
    if let Some(existing) = vault.payload.manifest.entries.iter().find(|e| e.sha256 == sha256) {
        return Ok(Sealed::Already { id: existing.id.clone() });
    }

    let days = leaf.days_left(now_unix());
    eprintln!("{}", t!("add-summary-title"));
    eprintln!("  {}: {}", t!("inspect-purpose"), purpose_text(purpose));
    if let Some(code) = &leaf.institution_code {
        eprintln!("  {}: {}", t!("inspect-institution"), escaped(code));
    }
    eprintln!("  {}: {}", t!("inspect-subject"), escaped(&leaf.subject));
    eprintln!(
        "  {}: {} ({})",
        t!("inspect-valid-until"),
        human_date(&leaf.not_after),
        if days < 0 { t!("inspect-expired", days = -days) } else { t!("inspect-days-left", days = days) }
    );
    eprintln!("  {}: {}", t!("inspect-sha1"), leaf.sha1);
    if let Some(root) = analysis.root() {
        eprintln!("  {}: {}", t!("add-root-sha1"), root.sha1);
    }
    eprintln!("  {}: {}", t!("add-pin-stored"), if no_store_pin { t!("no") } else { t!("yes") });
    if std::io::stdin().is_terminal() && !confirm(&t!("add-confirm")) {
        return Ok(Sealed::Cancelled);
    }

    let certificate = CertificateInfo {
        subject: leaf.subject.clone(),
        institution_code: leaf.institution_code.clone(),
        issuer: leaf.issuer.clone(),
        // SPEC.md: the hex of the magnitude; a negative serial ("-01") has no sign there.
        serial: plain_hex(leaf.serial.trim_start_matches('-')),
        not_before: leaf.not_before.clone(),
        not_after: leaf.not_after.clone(),
        leaf_sha1: plain_hex(&leaf.sha1),
        leaf_sha256: plain_hex(&leaf.sha256),
        ca_sha1: analysis.chain.iter().map(|c| plain_hex(&c.sha1)).collect(),
        key_type: leaf.key_type.clone(),
        key_bits: leaf.key_bits.unwrap_or(0),
    };
    let entry = Entry {
        id: id.clone(),
        purpose,
        original_file_name: vault_format::manifest::storable_file_name(&file.file_name()),
        size: file.bytes.len() as u64,
        sha256,
        added: vault_format::time::now(),
        certificate,
        pin_stored: !no_store_pin,
        hint,
        superseded: None,
    };
    let sealed_pin = if no_store_pin {
        None
    } else {
        Some(
            seal_pin(pin, &vault.header.pin_recipient)
                .map_err(|e| CliError::new(t!("err-seal", detail = e)))?,
        )
    };
    let mut payload = vault.payload.clone();
    // A newer certificate of the same purpose and institution supersedes the older one, which
    // is kept: it works until one month after the new one's issue (HPKI) or its own expiry.
    for old in payload.manifest.entries.iter_mut() {
        let same_kind = old.purpose == entry.purpose
            && old.certificate.institution_code == entry.certificate.institution_code
            && old.certificate.leaf_sha256 != entry.certificate.leaf_sha256
            && old.superseded.is_none();
        if same_kind && old.certificate.not_before < entry.certificate.not_before {
            let stops_working = if entry.purpose == VaultPurpose::HpkiSecond {
                one_month_after(&entry.certificate.not_before)
            } else {
                old.certificate.not_after.get(..10).unwrap_or(&old.certificate.not_after).to_string()
            };
            eprintln!("{}", t!("add-supersedes", old = old.id, date = stops_working));
            old.superseded = Some(Superseded { by: entry.id.clone(), stops_working });
        }
    }
    payload
        .add_entry(entry, file.bytes.clone(), sealed_pin)
        .map_err(|e| CliError::new(t!("err-seal", detail = e)))?;
    let generation = vault.write_generation(payload, &crate::terminal::Terminal)?;
    Ok(Sealed::Added { id, generation })
}

// ---------------------------------------------------------------------------------------------
// list

#[derive(Serialize)]
struct ListEntry<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    days_left: i64,
}

#[derive(Serialize)]
struct ListReport<'a> {
    vault_id: String,
    generation: u64,
    opened_generation: u64,
    fallbacks: Vec<String>,
    /// Every warning (fallbacks, a changed vault.json, generations older than seen here).
    warnings: Vec<String>,
    entries: Vec<ListEntry<'a>>,
}

pub fn list(vault_dir: &Path, unlock: &UnlockSource, json: bool) -> Result<u8, CliError> {
    let unlock = unlock.read(&crate::terminal::Terminal)?;
    let vault = OpenVault::open(vault_dir, &unlock, false)?;
    let newest = vault::generations(vault_dir)?.first().copied().unwrap_or(vault.generation);
    let now = now_unix();
    let report = ListReport {
        vault_id: vault.header.vault_id.to_string(),
        generation: newest,
        opened_generation: vault.generation,
        fallbacks: vault.fallback_warnings().iter().map(crate::i18n::render).collect(),
        warnings: vault.warnings().iter().map(crate::i18n::render).collect(),
        entries: vault
            .payload
            .manifest
            .entries
            .iter()
            .map(|e| ListEntry { entry: e, days_left: days_left_of(e, now) })
            .collect(),
    };
    warn_fallbacks(&vault);
    if json {
        println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
        return Ok(EXIT_OK);
    }
    println!("{}", t!("list-header", id = report.vault_id, generation = report.opened_generation));
    if report.entries.is_empty() {
        println!("{}", t!("list-empty"));
    }
    for item in &report.entries {
        let e = item.entry;
        println!();
        println!("[{}] {}", e.id, purpose_text(e.purpose));
        if let Some(code) = &e.certificate.institution_code {
            println!("  {}: {}", t!("inspect-institution"), escaped(code));
        }
        println!("  {}: {}", t!("inspect-subject"), escaped(&e.certificate.subject));
        let left = if item.days_left < 0 {
            t!("inspect-expired", days = -item.days_left)
        } else {
            t!("inspect-days-left", days = item.days_left)
        };
        println!("  {}: {} ({left})", t!("inspect-valid-until"), human_date(&e.certificate.not_after));
        println!("  {}: {}", t!("inspect-sha1"), colon_hex_from_plain(&e.certificate.leaf_sha1));
        println!("  {}: {}", t!("add-pin-stored"), if e.pin_stored { t!("yes") } else { t!("no") });
        if let Some(h) = &e.hint {
            println!("  {}: {}", t!("label-hint"), escaped(h));
        }
        if let Some(s) = &e.superseded {
            println!("  {}", t!("list-superseded", by = s.by, date = s.stops_working));
        }
        println!("  {}: {}", t!("label-file"), escaped(&e.original_file_name));
    }
    Ok(EXIT_OK)
}

// ---------------------------------------------------------------------------------------------
// remove, export, reveal-pin, passwd

fn find_entry<'a>(vault: &'a OpenVault, id: &str) -> Result<&'a Entry, CliError> {
    let wanted = id.trim().to_lowercase();
    vault
        .payload
        .manifest
        .entries
        .iter()
        .find(|e| e.id == wanted)
        .ok_or_else(|| CliError::new(t!("err-no-entry", id = id, dir = vault.dir.display())))
}

pub fn remove(entry: &str, vault_dir: &Path, unlock: &UnlockSource) -> Result<u8, CliError> {
    let unlock = unlock.read(&crate::terminal::Terminal)?;
    let mut vault = OpenVault::open(vault_dir, &unlock, true)?;
    warn_fallbacks(&vault);
    vault.check_can_write(&crate::terminal::Terminal)?;
    let id = find_entry(&vault, entry)?.id.clone();
    if std::io::stdin().is_terminal() && !confirm(&t!("remove-confirm", id = id)) {
        eprintln!("{}", t!("cancelled"));
        return Ok(EXIT_OK);
    }
    let mut payload = vault.payload.clone();
    payload.remove_entry(&id);
    for e in payload.manifest.entries.iter_mut() {
        if e.superseded.as_ref().is_some_and(|s| s.by == id) {
            e.superseded = None;
        }
    }
    let n = vault.write_generation(payload, &crate::terminal::Terminal)?;
    println!("{}", t!("remove-done", id = id, generation = n));
    Ok(EXIT_OK)
}

pub fn export(entry: &str, vault_dir: &Path, unlock: &UnlockSource, out: &Path) -> Result<u8, CliError> {
    crate::restore::file::refuse_inside_vault(out, Some(vault_dir))?;
    let unlock = unlock.read(&crate::terminal::Terminal)?;
    let vault = OpenVault::open(vault_dir, &unlock, false)?;
    warn_fallbacks(&vault);
    let e = find_entry(&vault, entry)?;
    let bytes = vault
        .payload
        .certs
        .get(&e.id)
        .ok_or_else(|| CliError::new(t!("err-no-entry", id = entry, dir = vault_dir.display())))?;
    write_private_file(out, bytes)?;
    println!("{}", t!("export-done", file = out.display()));
    eprintln!("{}", t!("export-clean-reminder"));
    Ok(EXIT_OK)
}

/// Creates `path` readable by the owner only (0600), refusing to replace an existing file.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => CliError::new(t!("err-exists", file = path.display())),
        _ => vault::io_error(path, &e).into(),
    })?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| vault::io_error(path, &e).into())
}

pub fn reveal_pin(
    entry: &str,
    vault_dir: &Path,
    unlock: &UnlockSource,
    pin_code_file: Option<&Path>,
) -> Result<u8, CliError> {
    let unlock = unlock.read(&crate::terminal::Terminal)?;
    let vault = OpenVault::open(vault_dir, &unlock, false)?;
    warn_fallbacks(&vault);
    let e = find_entry(&vault, entry)?;
    if !vault.payload.pins.contains_key(&e.id) {
        return Err(pin::no_stored_pin(e).into());
    }
    let code_text = match pin_code_file {
        Some(path) => vault::read_secret(path)?,
        None => secret_input::prompt_secret(&t!("reveal-enter-pin-code")).map_err(|_| {
            CliError::new(t!("err-no-terminal", what = t!("what-pin-code"), flag = "--pin-code-file"))
        })?,
    };
    let code = pin::parse_pin_code(code_text.expose_secret())?;
    let pin = pin::stored_pin(&vault, e, &code)?;
    println!("{}", pin.expose_secret());
    Ok(EXIT_OK)
}

pub fn passwd(
    vault_dir: &Path,
    unlock: &UnlockSource,
    new_passphrase_file: Option<&Path>,
) -> Result<u8, CliError> {
    let old = unlock.read(&crate::terminal::Terminal)?;
    let vault = OpenVault::open(vault_dir, &old, true)?;
    warn_fallbacks(&vault);
    vault.check_header()?;
    let unlock_file = match (&vault.unlock_file, &old) {
        // The identity opened the vault; its recovery code line must derive it too (SPEC.md
        // §6.3), or the new file would carry a recovery code that opens nothing.
        (Some(f), _) if f.verify(&vault.header.kdf.recovery).is_err() => {
            return Err(CliError::new(t!(
                "err-unlock-mismatch",
                file = vault_dir.join(vault_format::UNLOCK_FILE_NAME).display()
            ))
            .with_hint(t!("hint-unlock-mismatch")))
        }
        (Some(f), _) => vault_format::UnlockFile::new(
            vault.header.vault_id,
            f.recovery_code().clone(),
            f.identity().clone(),
        )
        .map_err(|e| CliError::new(t!("err-seal", detail = e)))?,
        (None, Unlock::RecoveryCode(code)) => {
            // Forgotten passphrase: the recovery code re-creates the unlock file.
            let code = Code::parse(CodeKind::Recovery, code.expose_secret())
                .map_err(|e| CliError::new(e.to_string()))?;
            vault_format::UnlockFile::new(vault.header.vault_id, code, vault.identity().clone())
                .map_err(|e| CliError::new(t!("err-seal", detail = e)))?
        }
        (None, Unlock::Shares(shares)) => {
            // Forgotten passphrase, split sheets: the combined recovery code does the same.
            let code = vault::combine_shares(shares)?;
            vault_format::UnlockFile::new(vault.header.vault_id, code, vault.identity().clone())
                .map_err(|e| CliError::new(t!("err-seal", detail = e)))?
        }
        // A passphrase open always reads unlock.age; keep the error path rather than panic.
        (None, Unlock::Passphrase(_)) => {
            return Err(CliError::new(t!(
                "err-vault-damaged",
                file = vault_dir.display(),
                detail = "unlock.age"
            )))
        }
    };
    let new = new_passphrase(new_passphrase_file)?;
    let (_, work_factor) = crate::durable::new_vault_kdf();
    let bytes = unlock_file
        .encrypt_with_work_factor(&new, work_factor)
        .map_err(|e| CliError::new(t!("err-seal", detail = e)))?;
    // Check the new file opens before it replaces the old one.
    vault_format::UnlockFile::decrypt(&bytes, &new).map_err(|e| CliError::new(t!("err-seal", detail = e)))?;
    vault::replace_file(vault_dir, vault_format::UNLOCK_FILE_NAME, &bytes)?;
    let reread = std::fs::read(vault_dir.join(vault_format::UNLOCK_FILE_NAME))
        .map_err(|e| vault::io_error(vault_dir, &e))?;
    vault_format::UnlockFile::decrypt(&reread, &new).map_err(|e| {
        CliError::new(t!(
            "err-verify-write",
            file = vault_dir.join(vault_format::UNLOCK_FILE_NAME).display(),
            reason = e
        ))
    })?;
    println!("{}", t!("passwd-done", dir = vault_dir.display()));
    Ok(EXIT_OK)
}
