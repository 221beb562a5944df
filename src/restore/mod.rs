//! `certvault restore`: the moment certvault exists for. The old terminal is dead, a new one
//! is on the desk, the USB stick is back from home. Find the vault on removable media, open it,
//! choose the certificates (the current one of each purpose is proposed), get each PIN
//! (stored, typed with the hint shown, or searched for) and verify it offline, install through
//! one small backend per store, read the store back and compare the SHA-1 thumbprint, log what
//! was installed, and say what to do next.
//!
//! A wrong PIN never reaches a store: backends take a [`VerifiedPin`], which only exists for a
//! PIN that opened the file here, offline (stores may count failures; this check does not).

pub mod discover;
pub mod file;
#[cfg(target_os = "macos")]
pub mod macos;
#[cfg(unix)]
pub mod nss;
#[cfg(windows)]
pub mod windows;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha1::Digest;
use vault_format::{Entry, Purpose as VaultPurpose};

use crate::cert::{colon_hex, colon_hex_from_plain, CertInfo};
use crate::error::{CliError, EXIT_OK};
use crate::inspect::{human_date, now_unix, purpose_text};
use crate::pkcs12::Pkcs12File;
use crate::secret_input;
use crate::t;
use crate::terminal_text::escaped;
use crate::vault::{self, OpenVault};
use crate::vault_commands::days_left_of;

#[cfg(unix)]
pub use certvault_core::install::handoff;
pub use certvault_core::install::{hex20, parse_numbers, proposed, resolve_entry};
pub use certvault_core::install::{
    InstallItem, Presence, RestoreOptions, RootCa, RootTrust, Target, VerifiedPin,
};

// ---------------------------------------------------------------------------------------------
// Backends

/// One install target (`--to`). Every method leaves the store as it was when it fails.
pub trait Backend {
    /// `nss:/home/…/nssdb`, `windows:CurrentUser\My`, `file:/…`: for messages and the log.
    fn describe(&self) -> String;
    /// Whether `install` needs the PIN (`file:` does not: it writes the file as sealed).
    fn needs_pin(&self) -> bool {
        true
    }
    /// Whether the backend can add a CA root to trusted roots.
    fn trusts_roots(&self) -> bool {
        true
    }
    /// Checks tools and store before the vault is opened: a missing `pk12util` or a store that
    /// cannot be written is said before any secret is asked for.
    fn check(&mut self) -> Result<(), CliError>;
    /// Whether the store holds the certificate with this SHA-1 (and its key).
    fn lookup(&mut self, sha1: &[u8; 20]) -> Result<Presence, CliError>;
    /// Installs the certificate with its key (and the root when `item.root` is set).
    fn install(&mut self, item: &InstallItem<'_>, pin: Option<&VerifiedPin>) -> Result<(), CliError>;
    /// Reads the store back: the certificate with `item.leaf_sha1` must be there with its key.
    /// Returns notes for the user (e.g. "private key usable without a password prompt").
    fn verify(&mut self, item: &InstallItem<'_>) -> Result<Vec<String>, CliError> {
        match self.lookup(&item.leaf_sha1)? {
            Presence::WithKey => Ok(Vec::new()),
            Presence::CertificateOnly => Err(CliError::new(t!(
                "err-restore-verify-no-key",
                store = self.describe(),
                sha1 = colon_hex(&item.leaf_sha1)
            ))),
            Presence::Absent => Err(CliError::new(t!(
                "err-restore-verify-missing",
                store = self.describe(),
                sha1 = colon_hex(&item.leaf_sha1)
            ))),
        }
    }
    /// What the user does next, after a successful install.
    fn next_steps(&self) -> Vec<String>;
}

fn make_backend(
    target: &Target,
    args: &RestoreOptions,
    interactive: bool,
) -> Result<Box<dyn Backend>, CliError> {
    let _ = interactive;
    let unavailable = |name: &str| CliError::new(t!("err-restore-target-here", target = name));
    match target {
        Target::File(path) => Ok(Box::new(file::FileBackend::new(path.clone()))),
        #[cfg(unix)]
        Target::Nss(dir) => Ok(Box::new(nss::NssBackend::new(
            dir.clone().unwrap_or_else(nss::default_dir),
            args.store_password_file.clone(),
            interactive,
        ))),
        #[cfg(not(unix))]
        Target::Nss(_) => Err(unavailable("nss")),
        #[cfg(windows)]
        Target::Windows => Ok(Box::new(windows::WindowsBackend::new(args.exportable))),
        #[cfg(not(windows))]
        Target::Windows => Err(unavailable("windows")),
        #[cfg(target_os = "macos")]
        Target::Macos => Ok(Box::new(macos::MacosBackend::new(args.exportable))),
        #[cfg(not(target_os = "macos"))]
        Target::Macos => Err(unavailable("macos")),
    }
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C (see `crate::interrupt`): the handler only raises a flag; every question below
// turns it into the error `interrupted`, and the restore returns with it. What must not stay
// behind (private temporary files, handed-off descriptors) goes with the Drop guards on the way
// out; a PIN search stops and goes back to its choices.

/// The error a restore ends with on Ctrl-C.
pub fn interrupted() -> CliError {
    let mut e = CliError::new(t!("err-interrupted"));
    e.kind = certvault_core::ErrorKind::Cancelled;
    e
}

/// Ends the restore here when Ctrl-C was pressed while it was busy (opening the vault, a store
/// tool running): nothing asks again before the store is touched.
fn stop_if_interrupted() -> Result<(), CliError> {
    if crate::interrupt::requested() {
        return Err(interrupted());
    }
    Ok(())
}

/// A secret asked on the terminal; Ctrl-C is `interrupted`, anything else `otherwise`.
pub(crate) fn ask_secret(
    prompt: &str,
    otherwise: impl FnOnce() -> CliError,
) -> Result<SecretString, CliError> {
    match secret_input::prompt_secret(prompt) {
        Ok(secret) => Ok(secret),
        Err(secret_input::SecretInputError::Terminal(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            Err(interrupted())
        }
        Err(_) => Err(otherwise()),
    }
}

// ---------------------------------------------------------------------------------------------
// Choosing entries

/// Reads one line from standard input after showing `prompt` on standard error; `None` when
/// the input ended.
pub(crate) fn ask_line(prompt: &str) -> Result<Option<String>, CliError> {
    eprint!("{prompt} ");
    let _ = std::io::stderr().flush();
    match crate::interrupt::read_line() {
        Ok(line) => Ok(Some(line)),
        Err(crate::interrupt::LineError::Interrupted) => Err(interrupted()),
        Err(_) => Ok(None),
    }
}

/// Yes or no on the terminal; the safe answer is no.
fn ask_yes(question: &str) -> Result<bool, CliError> {
    let answer = ask_line(&format!("{question} [y/N]"))?.unwrap_or_default();
    Ok(matches!(answer.to_lowercase().as_str(), "y" | "yes" | "はい"))
}

fn entry_state(e: &Entry, now: i64) -> String {
    let days = days_left_of(e, now);
    let mut s =
        if days < 0 { t!("inspect-expired", days = -days) } else { t!("inspect-days-left", days = days) };
    if let Some(sup) = &e.superseded {
        s.push_str("; ");
        s.push_str(&t!("list-superseded", by = sup.by, date = sup.stops_working));
    }
    s
}

fn print_entries(entries: &[Entry], proposal: &[usize], now: i64) {
    eprintln!("{}", t!("restore-entries-title"));
    for (i, e) in entries.iter().enumerate() {
        let mark = if proposal.contains(&i) { "*" } else { " " };
        eprintln!(
            " {mark}{:>2}. [{}] {}{}",
            i + 1,
            e.id,
            purpose_text(e.purpose),
            e.certificate.institution_code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
        );
        eprintln!(
            "       {}: {} ({})",
            t!("inspect-valid-until"),
            human_date(&e.certificate.not_after),
            entry_state(e, now)
        );
    }
}

fn choose_entries(
    vault: &OpenVault,
    args: &RestoreOptions,
    json: bool,
    interactive: bool,
) -> Result<Vec<usize>, CliError> {
    let entries = &vault.payload.manifest.entries;
    if entries.is_empty() {
        return Err(CliError::new(t!("err-restore-vault-empty", dir = vault.dir.display())));
    }
    if !args.entries.is_empty() {
        let mut out = Vec::new();
        for text in &args.entries {
            let i = resolve_entry(entries, text)?;
            if !out.contains(&i) {
                out.push(i);
            }
        }
        return Ok(out);
    }
    let proposal = proposed(entries);
    let now = now_unix();
    if !json || interactive {
        print_entries(entries, &proposal, now);
    }
    if !interactive {
        return Ok(proposal);
    }
    let shown: Vec<String> = proposal.iter().map(|i| (i + 1).to_string()).collect();
    eprintln!("{}", t!("restore-proposed", numbers = shown.join(", ")));
    loop {
        let Some(answer) = ask_line(&t!("restore-choose-entries"))? else {
            return Ok(Vec::new());
        };
        if answer.is_empty() {
            return Ok(proposal);
        }
        if answer.eq_ignore_ascii_case("q") {
            return Ok(Vec::new());
        }
        match parse_numbers(&answer, entries.len()) {
            Some(list) => return Ok(list),
            None => eprintln!("{}", t!("restore-choose-again", count = entries.len())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Getting the PIN

/// Time spent in key derivation (Argon2id/scrypt), left out of the reported restore time.
#[derive(Default, Clone, Copy)]
struct Timings {
    unlock: Duration,
    pin_code: Duration,
    waiting: Duration,
}

struct PinContext<'a> {
    vault: &'a OpenVault,
    args: &'a RestoreOptions,
    interactive: bool,
    timings: &'a mut Timings,
}

fn no_terminal_pin() -> CliError {
    CliError::new(t!("err-no-terminal", what = "PIN", flag = "--pin-file"))
        .with_hint(t!("hint-restore-pin-flags"))
}

fn pin_error(entry: &Entry, e: &crate::pkcs12::Pkcs12Error) -> CliError {
    crate::certfile::pkcs12_error(Path::new(&format!("{} ({})", entry.id, entry.original_file_name)), e)
        .into()
}

/// The PIN stored with `entry`, opened with the PIN code from the recovery sheet.
fn stored_pin(
    ctx: &mut PinContext<'_>,
    entry: &Entry,
    p12: &Pkcs12File,
    code_file: Option<&Path>,
) -> Result<VerifiedPin, CliError> {
    let vault = ctx.vault;
    if !vault.payload.pins.contains_key(&entry.id) {
        return Err(CliError::new(t!("err-no-stored-pin", id = entry.id)).with_hint(t!("hint-recover-pin")));
    }
    let code_text = match code_file {
        Some(path) => vault::read_secret(path)?,
        None => {
            let asked = Instant::now();
            let text = ask_secret(&t!("reveal-enter-pin-code"), || {
                CliError::new(t!("err-no-terminal", what = t!("what-pin-code"), flag = "--pin-code-file"))
            });
            ctx.timings.waiting += asked.elapsed();
            text?
        }
    };
    let code = crate::sheet_command::parse_pin_code(code_text.expose_secret())?;
    eprintln!("{}", t!("restore-deriving"));
    let started = Instant::now();
    // The vault's one path for a stored PIN (the derivation is the slow step, timed here).
    let pin = certvault_core::vault::pin::derive_pin_identity(&vault.header, &code)
        .and_then(|identity| certvault_core::vault::pin::unseal_pin(vault, entry, &identity));
    ctx.timings.pin_code += started.elapsed();
    let pin = pin?;
    VerifiedPin::check(p12, pin)
        .map_err(|e| pin_error(entry, &e))?
        .ok_or_else(|| CliError::new(t!("err-stored-pin-stale", id = entry.id)))
}

/// Tries every numeric PIN of up to six digits against the file, on all cores.
fn search_pin(
    ctx: &mut PinContext<'_>,
    entry: &Entry,
    p12: &Pkcs12File,
) -> Result<Option<VerifiedPin>, CliError> {
    use crate::recover_pin::{search, CandidateSpace, DEFAULT_MAX_DIGITS};
    let checker = p12.pin_checker().map_err(|e| pin_error(entry, &e))?;
    let space = CandidateSpace::new(DEFAULT_MAX_DIGITS);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!("{}", t!("restore-searching", digits = DEFAULT_MAX_DIGITS));
    let bar = indicatif::ProgressBar::new(space.total());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(t!("recover-progress"));
    let started = Instant::now();
    // Ctrl-C stops the search only: the flag is cleared once it has, for the choices again.
    let result = search(&checker, &space, threads, crate::interrupt::flag(), |n| bar.set_position(n));
    crate::interrupt::clear();
    ctx.timings.waiting += started.elapsed();
    bar.finish_and_clear();
    match result.found {
        Some(pin) => {
            eprintln!("{}", t!("restore-search-found", tried = crate::i18n::group_digits(result.tried)));
            VerifiedPin::check(p12, SecretString::from(pin.as_str().to_string()))
                .map_err(|e| pin_error(entry, &e))
        }
        None if result.interrupted => {
            eprintln!("{}", t!("restore-search-stopped"));
            Ok(None)
        }
        None => {
            eprintln!("{}", t!("restore-search-not-found", digits = DEFAULT_MAX_DIGITS));
            Ok(None)
        }
    }
}

/// Gets a verified PIN for `entry`: `--pin-file`, the stored PIN with `--pin-code-file`, or on
/// a terminal by asking until it is right (with the hint shown; nothing is locked here), with
/// the stored PIN and a PIN search offered. `None` = the user skipped the certificate.
fn obtain_pin(
    ctx: &mut PinContext<'_>,
    entry: &Entry,
    p12: &Pkcs12File,
) -> Result<Option<VerifiedPin>, CliError> {
    if let Some(v) =
        VerifiedPin::check(p12, SecretString::from(String::new())).map_err(|e| pin_error(entry, &e))?
    {
        return Ok(Some(v));
    }
    let args = ctx.args;
    let use_stored = entry.pin_stored && args.pin_code_file.is_some();
    if let Some(path) = &args.pin_file {
        let pin = certvault_core::secret_file::read_secret_file(path).map_err(|e| {
            CliError::new(t!("err-pin-file", file = path.display(), reason = crate::i18n::render(&e)))
        })?;
        if let Some(v) = VerifiedPin::check(p12, pin).map_err(|e| pin_error(entry, &e))? {
            return Ok(Some(v));
        }
        if !use_stored {
            return Err(CliError::new(t!(
                "err-restore-pin-file-wrong",
                file = path.display(),
                id = entry.id
            ))
            .with_hint(t!("hint-wrong-pin")));
        }
        eprintln!("{}", t!("restore-pin-file-wrong-trying-stored", file = path.display()));
    }
    if use_stored {
        return stored_pin(ctx, entry, p12, args.pin_code_file.as_deref()).map(Some);
    }
    if !ctx.interactive {
        return Err(no_terminal_pin());
    }
    if let Some(hint) = &entry.hint {
        eprintln!("  {}: {}", t!("label-hint"), escaped(hint));
    }
    if entry.pin_stored {
        eprintln!("  {}", t!("restore-pin-is-stored"));
    }
    let searchable = entry.purpose != VaultPurpose::HpkiSecond;
    let mut prompt = t!("restore-enter-pin", id = entry.id);
    loop {
        let asked = Instant::now();
        let typed = ask_secret(&prompt, no_terminal_pin);
        ctx.timings.waiting += asked.elapsed();
        let typed = typed?;
        if !typed.expose_secret().is_empty() {
            match VerifiedPin::check(p12, typed).map_err(|e| pin_error(entry, &e))? {
                Some(v) => return Ok(Some(v)),
                None => {
                    eprintln!("{}", t!("restore-pin-wrong"));
                    if let Some(hint) = &entry.hint {
                        eprintln!("  {}: {}", t!("label-hint"), escaped(hint));
                    }
                    prompt = t!("restore-pin-retry");
                    continue;
                }
            }
        }
        // Enter alone: the other ways.
        let mut options: Vec<(&str, String)> = Vec::new();
        if entry.pin_stored {
            options.push(("stored", t!("restore-way-stored")));
        }
        if searchable {
            options.push(("search", t!("restore-way-search")));
        }
        options.push(("again", t!("restore-way-again")));
        options.push(("skip", t!("restore-way-skip")));
        for (i, (_, text)) in options.iter().enumerate() {
            eprintln!("  {}: {text}", i + 1);
        }
        let asked = Instant::now();
        let answer = ask_line(&t!("restore-way-choose", count = options.len()))?;
        ctx.timings.waiting += asked.elapsed();
        let Some(answer) = answer else { return Ok(None) };
        let choice = answer.parse::<usize>().ok().and_then(|n| options.get(n.wrapping_sub(1))).map(|o| o.0);
        match choice {
            Some("stored") => match stored_pin(ctx, entry, p12, None) {
                Ok(v) => return Ok(Some(v)),
                Err(e) => eprintln!("{}", e.message),
            },
            Some("search") => {
                if let Some(v) = search_pin(ctx, entry, p12)? {
                    return Ok(Some(v));
                }
            }
            Some("skip") => return Ok(None),
            _ => {}
        }
        prompt = t!("restore-enter-pin", id = entry.id);
    }
}

// ---------------------------------------------------------------------------------------------
// The command

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Installed,
    AlreadyInstalled,
    Skipped,
}

#[derive(Serialize)]
struct EntryReport {
    entry: String,
    purpose: VaultPurpose,
    leaf_sha1: String,
    not_after: String,
    outcome: Outcome,
    verified: bool,
    root_trusted: bool,
    notes: Vec<String>,
}

#[derive(Serialize)]
struct TimingReport {
    /// Opening the vault (the passphrase's scrypt or the recovery code's Argon2id).
    unlock_seconds: f64,
    /// Deriving the PIN identity from the PIN code (Argon2id), when used.
    pin_code_seconds: f64,
    /// Everything else, without time spent waiting for the user.
    restore_seconds: f64,
}

#[derive(Serialize)]
struct Report {
    vault: String,
    vault_id: String,
    generation: u64,
    target: String,
    results: Vec<EntryReport>,
    log: Option<String>,
    timings: TimingReport,
}

/// A self-signed CA certificate of the file: what it says, and its DER.
type FoundRoot = (CertInfo, Vec<u8>);

/// Opens the file with the PIN and finds the leaf's DER and the CA root.
fn open_certificate(
    entry: &Entry,
    p12: &Pkcs12File,
    pin: &VerifiedPin,
    leaf_sha1: &[u8; 20],
) -> Result<(Vec<u8>, Option<FoundRoot>), CliError> {
    let opened = p12.open(pin.expose()).map_err(|e| pin_error(entry, &e))?;
    let mut leaf = None;
    let mut root = None;
    for bag in &opened.certificates {
        let sha1: [u8; 20] = sha1::Sha1::digest(&bag.der).into();
        if &sha1 == leaf_sha1 {
            leaf = Some(bag.der.clone());
            continue;
        }
        if let Ok(info) = crate::cert::parse(&bag.der) {
            if info.self_signed && info.is_ca {
                root = Some((info, bag.der.clone()));
            }
        }
    }
    let leaf = leaf.ok_or_else(|| {
        CliError::new(t!("err-restore-leaf-missing", id = entry.id, sha1 = colon_hex(leaf_sha1)))
    })?;
    Ok((leaf, root))
}

/// Runs a restore with the options the front-end filled; `json` prints the report for scripts.
pub fn run(args: &RestoreOptions, json: bool) -> Result<u8, CliError> {
    let started = Instant::now();
    let interactive = secret_input::stdin_is_terminal();
    crate::interrupt::watch();
    crate::interrupt::clear();
    let target = args.target.clone();
    let mut backend = make_backend(&target, args, interactive)?;
    let mut timings = Timings::default();
    let checking = Instant::now();
    backend.check()?;
    if interactive {
        // check() may have asked for the store's password: not restore time.
        timings.waiting += checking.elapsed();
    }

    let vault_dir = match &args.vault {
        Some(dir) => dir.clone(),
        None => {
            let asked = Instant::now();
            let dir = certvault_core::install::find_vault(&discover::NumberedChoices)?;
            timings.waiting += asked.elapsed();
            dir
        }
    };
    let asked = Instant::now();
    let unlock = args.unlock.read(&crate::terminal::Terminal)?;
    timings.waiting += asked.elapsed();
    let opening = Instant::now();
    let vault = OpenVault::open(&vault_dir, &unlock, false)?;
    timings.unlock = opening.elapsed();
    drop(unlock);
    stop_if_interrupted()?;
    for w in vault.warnings() {
        eprintln!("{}", crate::i18n::render(&w));
    }
    let asked = Instant::now();
    let chosen = choose_entries(&vault, args, json, interactive)?;
    if interactive {
        timings.waiting += asked.elapsed();
    }
    if chosen.is_empty() {
        eprintln!("{}", t!("cancelled"));
        return Ok(EXIT_OK);
    }

    let mut results = Vec::new();
    let mut log_path = None;
    let mut prepared = Vec::with_capacity(chosen.len());
    for &index in &chosen {
        let entry = &vault.payload.manifest.entries[index];
        prepared.push(prepare_one(&vault, entry, backend.as_mut(), args, json, interactive, &mut timings)?);
    }
    for one in prepared {
        stop_if_interrupted()?;
        let entry_id = one.report.entry.clone();
        let report = install_one(one, backend.as_mut(), json)?;
        let Some(entry) = vault.payload.manifest.entries.iter().find(|e| e.id == entry_id) else { continue };
        if report.outcome == Outcome::Installed {
            let record = certvault_core::records::RestoreRecord::new(
                &vault,
                entry,
                &backend.describe(),
                report.root_trusted,
            );
            match certvault_core::records::append_restore(&record) {
                Ok(path) => log_path = Some(path),
                Err(e) => eprintln!("{}", t!("restore-log-failed", reason = e)),
            }
        }
        results.push(report);
    }

    let installed = results.iter().any(|r| r.outcome == Outcome::Installed);
    let total = started.elapsed();
    let restore = total.saturating_sub(timings.unlock + timings.pin_code + timings.waiting);
    let report = Report {
        vault: vault.dir.display().to_string(),
        vault_id: vault.header.vault_id.to_string(),
        generation: vault.generation,
        target: backend.describe(),
        results,
        log: log_path.map(|p| p.display().to_string()),
        timings: TimingReport {
            unlock_seconds: timings.unlock.as_secs_f64(),
            pin_code_seconds: timings.pin_code.as_secs_f64(),
            restore_seconds: restore.as_secs_f64(),
        },
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
    } else if installed {
        println!();
        println!("{}", t!("restore-next-title"));
        for step in backend.next_steps() {
            println!("  - {step}");
        }
    }
    Ok(EXIT_OK)
}

/// One certificate, ready to install: the checks are done and the PIN is verified.
struct Prepared<'v> {
    report: EntryReport,
    /// `None` when there is nothing to install (skipped, or already installed).
    work: Option<(InstallItem<'v>, Option<VerifiedPin>)>,
}

/// Everything before the store is touched: the warnings, whether it is installed already, the
/// PIN and the CA root. Every certificate is prepared before the first is installed, so that a
/// wrong PIN for the second leaves the store as it was.
fn prepare_one<'v>(
    vault: &'v OpenVault,
    entry: &'v Entry,
    backend: &mut dyn Backend,
    args: &RestoreOptions,
    json: bool,
    interactive: bool,
    timings: &mut Timings,
) -> Result<Prepared<'v>, CliError> {
    let now = now_unix();
    let leaf_sha1 = hex20(&entry.certificate.leaf_sha1).ok_or_else(|| {
        CliError::new(t!("err-vault-damaged", file = vault.dir.display(), detail = "leaf_sha1"))
    })?;
    let mut report = EntryReport {
        entry: entry.id.clone(),
        purpose: entry.purpose,
        leaf_sha1: colon_hex_from_plain(&entry.certificate.leaf_sha1),
        not_after: entry.certificate.not_after.clone(),
        outcome: Outcome::Skipped,
        verified: false,
        root_trusted: false,
        notes: Vec::new(),
    };
    eprintln!();
    eprintln!("{}", t!("restore-entry-title", id = entry.id, purpose = purpose_text(entry.purpose)));
    if let Some(code) = &entry.certificate.institution_code {
        eprintln!("  {}: {}", t!("inspect-institution"), escaped(code));
    }
    eprintln!("  {}: {}", t!("inspect-subject"), escaped(&entry.certificate.subject));
    eprintln!(
        "  {}: {} ({})",
        t!("inspect-valid-until"),
        human_date(&entry.certificate.not_after),
        entry_state(entry, now)
    );
    eprintln!("  {}: {}", t!("inspect-sha1"), report.leaf_sha1);

    // Warn before anything else is asked.
    let days = days_left_of(entry, now);
    let mut warnings = Vec::new();
    if days < 0 {
        warnings.push(t!("restore-warn-expired", days = -days));
    }
    if let Some(s) = &entry.superseded {
        warnings.push(t!("restore-warn-superseded", by = s.by, date = s.stops_working));
    }
    if !warnings.is_empty() {
        for w in &warnings {
            eprintln!("  ! {w}");
        }
        if !args.yes {
            if !interactive {
                return Err(
                    CliError::new(t!("err-restore-needs-yes", id = entry.id)).with_hint(warnings.join(" "))
                );
            }
            let asked = Instant::now();
            let go_on = ask_yes(&t!("restore-confirm-anyway"))?;
            timings.waiting += asked.elapsed();
            if !go_on {
                eprintln!("{}", t!("restore-skipped", id = entry.id));
                return Ok(Prepared { report, work: None });
            }
        }
    }

    // Already there: say so and change nothing.
    if backend.lookup(&leaf_sha1)? == Presence::WithKey {
        println_or_err(json, &t!("restore-already", id = entry.id, store = backend.describe()));
        report.outcome = Outcome::AlreadyInstalled;
        report.verified = true;
        return Ok(Prepared { report, work: None });
    }

    let p12_bytes = vault
        .payload
        .certs
        .get(&entry.id)
        .ok_or_else(|| CliError::new(t!("err-no-entry", id = entry.id, dir = vault.dir.display())))?;
    let mut item = InstallItem {
        entry,
        p12: p12_bytes,
        leaf_sha1,
        leaf_der: None,
        root: None,
        exportable: args.exportable,
    };
    let pin = if backend.needs_pin() {
        let p12 = Pkcs12File::parse(p12_bytes).map_err(|e| pin_error(entry, &e))?;
        let mut ctx = PinContext { vault, args, interactive, timings };
        let Some(pin) = obtain_pin(&mut ctx, entry, &p12)? else {
            eprintln!("{}", t!("restore-skipped", id = entry.id));
            return Ok(Prepared { report, work: None });
        };
        let (leaf_der, root) = open_certificate(entry, &p12, &pin, &leaf_sha1)?;
        item.leaf_der = Some(leaf_der);
        if let (Some((info, der)), true) = (root, backend.trusts_roots()) {
            let asked = Instant::now();
            if root_consent(args, interactive, &info)? {
                let sha1: [u8; 20] = sha1::Sha1::digest(&der).into();
                item.root = Some(RootCa { der, sha1, subject: info.subject.clone() });
            }
            timings.waiting += asked.elapsed();
        }
        Some(pin)
    } else {
        None
    };
    Ok(Prepared { report, work: Some((item, pin)) })
}

/// Installs a prepared certificate and reads the store back.
fn install_one(
    prepared: Prepared<'_>,
    backend: &mut dyn Backend,
    json: bool,
) -> Result<EntryReport, CliError> {
    let Prepared { mut report, work } = prepared;
    let Some((item, pin)) = work else { return Ok(report) };
    let entry = item.entry;
    eprintln!("{}", t!("restore-installing", store = backend.describe()));
    let installed = install_unless_present(backend, &item, pin.as_ref())?;
    drop(pin);
    if !installed {
        // Another program installed it while we asked for the PIN.
        println_or_err(json, &t!("restore-already", id = entry.id, store = backend.describe()));
        report.outcome = Outcome::AlreadyInstalled;
        report.verified = true;
        return Ok(report);
    }
    report.notes = backend.verify(&item)?;
    report.verified = true;
    report.outcome = Outcome::Installed;
    report.root_trusted = item.root.is_some();
    println_or_err(
        json,
        &t!("restore-done", id = entry.id, store = backend.describe(), sha1 = report.leaf_sha1),
    );
    for note in &report.notes {
        println_or_err(json, &format!("  {note}"));
    }
    Ok(report)
}

/// Installs unless the store already holds the certificate with its key (then nothing is
/// touched and the result is `false`).
pub fn install_unless_present(
    backend: &mut dyn Backend,
    item: &InstallItem<'_>,
    pin: Option<&VerifiedPin>,
) -> Result<bool, CliError> {
    if backend.lookup(&item.leaf_sha1)? == Presence::WithKey {
        return Ok(false);
    }
    backend.install(item, pin)?;
    Ok(true)
}

/// Shows the CA root's SHA-1 for comparison with the manual and asks whether to trust it.
fn root_consent(args: &RestoreOptions, interactive: bool, root: &CertInfo) -> Result<bool, CliError> {
    eprintln!("  {}: {}", t!("restore-root"), escaped(&root.subject));
    eprintln!("  {}: {}", t!("restore-root-sha1"), root.sha1);
    match args.root {
        RootTrust::Never => return Ok(false),
        RootTrust::Always => return Ok(true),
        RootTrust::Ask => {}
    }
    if interactive {
        return ask_yes(&t!("restore-root-confirm"));
    }
    eprintln!("  {}", t!("restore-root-left-out"));
    Ok(false)
}

/// Results go to standard output, unless it carries the JSON report.
fn println_or_err(json: bool, line: &str) {
    if json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}
