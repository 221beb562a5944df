//! The restore: the moment certvault exists for. The old terminal is dead, a new one is on the
//! desk, the USB stick is back from home. Find the vault on removable media, open it, choose
//! the certificates (the current one of each purpose is proposed), get each PIN (stored, typed
//! with the hint shown, or searched for) and verify it offline, install through one small
//! backend per store, read the store back and compare the SHA-1 thumbprint, log what was
//! installed, and return what happened to each certificate.
//!
//! A wrong PIN never reaches a store: backends take a [`VerifiedPin`], which only exists for a
//! PIN that opened the file here, offline (stores may count failures; this check does not).
//!
//! Everything said goes through the [`Conversation`]; Ctrl-C is its `cancel_requested`, which
//! every question turns into the error `interrupted` (a PIN search only stops and goes back to
//! its choices).

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha1::Digest;
use vault_format::{Entry, Purpose};

use super::{
    backend_for, find_vault, hex20, install_unless_present, interrupted, parse_numbers, proposed,
    resolve_entry, Backend, InstallItem, Presence, RestoreOptions, RootCa, RootTrust, VerifiedPin,
};
use crate::certificate::pin_search::{search, CandidateSpace, DEFAULT_MAX_DIGITS};
use crate::certificate::x509::{colon_hex, colon_hex_from_plain, CertInfo};
use crate::conversation::{unanswered, Conversation, Level, Progress, Unanswered};
use crate::dates::{days_left_of, human_date, now_unix};
use crate::error::{Error, ErrorKind};
use crate::message::{group_digits, Message};
use crate::msg;
use crate::pkcs12::{Pkcs12Error, Pkcs12File};
use crate::vault::{self, OpenVault};

/// What happened to one chosen certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Installed,
    /// The store held it with its key already; nothing was changed.
    AlreadyInstalled,
    /// The user skipped it (a warning declined, no PIN).
    Skipped,
    /// It failed with [`CertificateResult::failure`]; the restore stopped there.
    Failed,
}

/// One chosen certificate and what happened to it.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateResult {
    pub entry: String,
    pub purpose: Purpose,
    pub subject: String,
    /// SHA-1 of the leaf, colon hex (the Windows thumbprint).
    pub leaf_sha1: String,
    pub not_after: String,
    pub outcome: Outcome,
    /// The store was read back and holds it with its key.
    pub verified: bool,
    pub root_trusted: bool,
    /// What the read-back found worth saying (the key works without a prompt, …).
    #[serde(skip)]
    pub notes: Vec<Message>,
    /// Why it failed, when `outcome` is `Failed`.
    #[serde(skip)]
    pub failure: Option<Error>,
}

/// Where the time went, without the time spent waiting for the user.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timings {
    /// Opening the vault (the passphrase's scrypt or the recovery code's Argon2id).
    pub unlock_seconds: f64,
    /// Deriving the PIN identity from the PIN code (Argon2id), when used.
    pub pin_code_seconds: f64,
    /// Everything else, without time spent waiting for the user.
    pub restore_seconds: f64,
}

/// The result of a restore. No certificate in `results`: none was chosen (the user stopped).
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub vault: PathBuf,
    pub vault_id: String,
    pub generation: u64,
    /// The store, as its backend describes it (`nss:/…`, `windows:CurrentUser\My`, `file:/…`).
    pub target: String,
    pub results: Vec<CertificateResult>,
    /// The restore log, when a certificate was installed and logged.
    pub log: Option<PathBuf>,
    pub timings: Timings,
    /// What the user does next when something was installed (the backend's advice).
    #[serde(skip)]
    pub next_steps: Vec<Message>,
}

impl RestoreReport {
    /// The first failure, which ended the restore.
    pub fn failure(&self) -> Option<&Error> {
        self.results.iter().find_map(|r| r.failure.as_ref())
    }

    pub fn installed_any(&self) -> bool {
        self.results.iter().any(|r| r.outcome == Outcome::Installed)
    }
}

/// The conversation with the time spent on questions counted: waiting for the user is not
/// restore time.
struct Timed<'a> {
    talk: &'a dyn Conversation,
    waiting: Cell<Duration>,
    /// Deriving the PIN identity from the PIN code: reported on its own.
    pin_code: Cell<Duration>,
}

impl Timed<'_> {
    fn timed<T>(&self, ask: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let answer = ask();
        self.waiting.set(self.waiting.get() + started.elapsed());
        answer
    }
}

impl Conversation for Timed<'_> {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        self.timed(|| self.talk.secret(question))
    }
    fn code(&self, question: &Message, kind: vault_format::CodeKind) -> Result<SecretString, Unanswered> {
        self.timed(|| self.talk.code(question, kind))
    }
    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        self.timed(|| self.talk.confirm(question))
    }
    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        self.timed(|| self.talk.choose(question, choices))
    }
    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        self.timed(|| self.talk.text(question))
    }
    fn tell(&self, level: Level, note: Message) {
        self.talk.tell(level, note)
    }
    fn progress(&self, progress: &Progress) {
        self.talk.progress(progress)
    }
    fn cancel_requested(&self) -> bool {
        self.talk.cancel_requested()
    }
}

/// Runs a restore with the options a front-end filled, asking and telling through `talk`.
///
/// Fails before any certificate is touched (no vault, a wrong passphrase, a store that cannot
/// be written) with the error; once certificates are chosen, the first that fails ends the
/// restore and is in the report as `Failed` (the ones before it stay as they were done).
pub fn run(opts: &RestoreOptions, talk: &dyn Conversation) -> Result<RestoreReport, Error> {
    run_with(opts, backend_for(opts)?, talk)
}

/// [`run`] into the store `backend` (whatever `opts.target` says): tests, and front-ends with
/// a store of their own.
pub fn run_with(
    opts: &RestoreOptions,
    mut backend: Box<dyn Backend>,
    talk: &dyn Conversation,
) -> Result<RestoreReport, Error> {
    let started = Instant::now();
    let talk = Timed { talk, waiting: Cell::new(Duration::ZERO), pin_code: Cell::new(Duration::ZERO) };
    backend.check(&talk)?;

    let vault_dir = match &opts.vault {
        Some(dir) => dir.clone(),
        None => find_vault(&talk)?,
    };
    // A mistyped passphrase or recovery code is asked again here, in place.
    let (opening, waited) = (Instant::now(), talk.waiting.get());
    let (vault, unlock) = OpenVault::open_asking(&vault_dir, &opts.unlock, false, &talk)?;
    let unlock_time = opening.elapsed().saturating_sub(talk.waiting.get() - waited);
    drop(unlock);
    // Ctrl-C while the vault was opening: nothing asks again before the store is touched.
    if talk.cancel_requested() {
        return Err(interrupted());
    }
    for warning in vault.warnings() {
        talk.tell(Level::Warning, warning);
    }
    let mut report = RestoreReport {
        vault: vault.dir.clone(),
        vault_id: vault.header.vault_id.to_string(),
        generation: vault.generation,
        target: backend.describe(),
        results: Vec::new(),
        log: None,
        timings: Timings::default(),
        next_steps: Vec::new(),
    };
    let chosen = choose_entries(&vault, opts, &talk)?;
    if chosen.is_empty() {
        talk.tell(Level::Info, msg!("cancelled"));
        return Ok(report);
    }

    let ctx = Context { vault: &vault, opts, talk: &talk };
    let mut prepared = Vec::with_capacity(chosen.len());
    for &index in &chosen {
        let entry = &vault.payload.manifest.entries[index];
        match prepare_one(&ctx, entry, backend.as_mut()) {
            Ok(one) => prepared.push(one),
            Err(e) => {
                // Nothing is installed when a later certificate cannot be prepared.
                report.results.extend(prepared.into_iter().map(|p| p.result));
                report.results.push(failed(entry, e));
                return Ok(finish(report, started, unlock_time, &talk, backend.as_ref()));
            }
        }
    }
    for one in prepared {
        let entry = one.entry;
        let outcome = if talk.cancel_requested() {
            Err(interrupted())
        } else {
            install_one(one, backend.as_mut(), &talk)
        };
        let result = match outcome {
            Ok(result) => result,
            Err(e) => {
                report.results.push(failed(entry, e));
                break;
            }
        };
        if result.outcome == Outcome::Installed {
            let record =
                crate::records::RestoreRecord::new(&vault, entry, &backend.describe(), result.root_trusted);
            match crate::records::append_restore(&record) {
                Ok(path) => report.log = Some(path),
                Err(e) => talk.tell(Level::Warning, msg!("restore-log-failed", reason = e)),
            }
        }
        report.results.push(result);
    }
    Ok(finish(report, started, unlock_time, &talk, backend.as_ref()))
}

fn finish(
    mut report: RestoreReport,
    started: Instant,
    unlock: Duration,
    talk: &Timed<'_>,
    backend: &dyn Backend,
) -> RestoreReport {
    let pin_code = talk.pin_code.get();
    let restore = started.elapsed().saturating_sub(unlock + pin_code + talk.waiting.get());
    report.timings = Timings {
        unlock_seconds: unlock.as_secs_f64(),
        pin_code_seconds: pin_code.as_secs_f64(),
        restore_seconds: restore.as_secs_f64(),
    };
    if report.installed_any() {
        report.next_steps = backend.next_steps();
    }
    report
}

fn result_for(entry: &Entry, outcome: Outcome) -> CertificateResult {
    CertificateResult {
        entry: entry.id.clone(),
        purpose: entry.purpose,
        subject: entry.certificate.subject.clone(),
        leaf_sha1: colon_hex_from_plain(&entry.certificate.leaf_sha1),
        not_after: entry.certificate.not_after.clone(),
        outcome,
        verified: false,
        root_trusted: false,
        notes: Vec::new(),
        failure: None,
    }
}

fn failed(entry: &Entry, e: Error) -> CertificateResult {
    CertificateResult { failure: Some(e), ..result_for(entry, Outcome::Failed) }
}

// ---------------------------------------------------------------------------------------------
// Choosing entries

use crate::certificate::x509::purpose_message;

/// "2030-01-01 00:00 (123 days left; superseded by …)".
fn validity(e: &Entry, now: i64) -> Message {
    let days = days_left_of(e, now);
    let mut state =
        if days < 0 { msg!("inspect-expired", days = -days) } else { msg!("inspect-days-left", days = days) };
    if let Some(sup) = &e.superseded {
        let superseded = msg!("list-superseded", by = sup.by, date = sup.stops_working);
        state = msg!("restore-state-superseded", state = state, superseded = superseded);
    }
    msg!("restore-date-state", date = human_date(&e.certificate.not_after), state = state)
}

/// "  Label: value".
fn field(label: &'static str, value: impl crate::message::IntoArg) -> Message {
    Message::new("restore-field").arg("label", Message::new(label)).arg("value", value)
}

fn tell_entries(talk: &dyn Conversation, entries: &[Entry], proposal: &[usize], now: i64) {
    talk.tell(Level::Info, msg!("restore-entries-title"));
    for (i, e) in entries.iter().enumerate() {
        let institution =
            e.certificate.institution_code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default();
        talk.tell(
            Level::Info,
            msg!(
                "restore-entry-line",
                mark = if proposal.contains(&i) { " *" } else { "  " },
                number = format!("{:>2}", i + 1),
                id = e.id,
                purpose = purpose_message(e.purpose),
                institution = institution
            ),
        );
        talk.tell(
            Level::Info,
            msg!("restore-entry-valid", label = msg!("inspect-valid-until"), value = validity(e, now)),
        );
    }
}

fn choose_entries(
    vault: &OpenVault,
    opts: &RestoreOptions,
    talk: &dyn Conversation,
) -> Result<Vec<usize>, Error> {
    let entries = &vault.payload.manifest.entries;
    if entries.is_empty() {
        return Err(Error::new(
            ErrorKind::NotFound,
            msg!("err-restore-vault-empty", dir = vault.dir.display()),
        ));
    }
    if !opts.entries.is_empty() {
        let mut out = Vec::new();
        for text in &opts.entries {
            let i = resolve_entry(entries, text)?;
            if !out.contains(&i) {
                out.push(i);
            }
        }
        return Ok(out);
    }
    let proposal = proposed(entries);
    if opts.list_entries {
        tell_entries(talk, entries, &proposal, now_unix());
    }
    let shown: Vec<String> = proposal.iter().map(|i| (i + 1).to_string()).collect();
    // The proposal is part of the question: nobody to ask, nothing to propose.
    let question =
        then_ask(vec![msg!("restore-proposed", numbers = shown.join(", "))], msg!("restore-choose-entries"));
    loop {
        let answer = match talk.text(&question) {
            Ok(answer) => answer,
            Err(Unanswered::NoTerminal) => return Ok(proposal),
            Err(Unanswered::Cancelled) if talk.cancel_requested() => return Err(interrupted()),
            Err(_) => return Ok(Vec::new()),
        };
        if answer.is_empty() {
            return Ok(proposal);
        }
        if answer.eq_ignore_ascii_case("q") {
            return Ok(Vec::new());
        }
        match parse_numbers(&answer, entries.len()) {
            Some(list) => return Ok(list),
            None => talk.tell(Level::Warning, msg!("restore-choose-again", count = entries.len())),
        }
    }
}

/// `question` with lines to read first: said only when someone is asked.
fn then_ask(before: Vec<Message>, question: Message) -> Message {
    before
        .into_iter()
        .rev()
        .fold(question, |question, line| msg!("restore-then-ask", before = line, question = question))
}

// ---------------------------------------------------------------------------------------------
// Getting the PIN

/// What every step of one restore works with.
#[derive(Clone, Copy)]
struct Context<'a> {
    vault: &'a OpenVault,
    opts: &'a RestoreOptions,
    talk: &'a Timed<'a>,
}

fn no_terminal_pin() -> Error {
    Error::new(ErrorKind::NoTerminal, msg!("err-no-terminal", what = "PIN", flag = "--pin-file"))
        .with_hint(msg!("hint-restore-pin-flags"))
}

fn pin_error(entry: &Entry, e: &Pkcs12Error) -> Error {
    crate::certificate::file::pkcs12_error(
        Path::new(&format!("{} ({})", entry.id, entry.original_file_name)),
        e,
    )
}

fn check_pin(entry: &Entry, p12: &Pkcs12File, pin: SecretString) -> Result<Option<VerifiedPin>, Error> {
    VerifiedPin::check(p12, pin).map_err(|e| pin_error(entry, &e))
}

/// The PIN stored with `entry`, opened with the PIN code from the recovery sheet (read from
/// `code_file`, or asked).
fn stored_pin(
    ctx: &Context<'_>,
    entry: &Entry,
    p12: &Pkcs12File,
    code_file: Option<&Path>,
) -> Result<VerifiedPin, Error> {
    let (vault, talk) = (ctx.vault, ctx.talk);
    if !vault.payload.pins.contains_key(&entry.id) {
        return Err(Error::new(ErrorKind::NotFound, msg!("err-no-stored-pin", id = entry.id))
            .with_hint(msg!("hint-recover-pin")));
    }
    let code_text = match code_file {
        Some(path) => vault::read_secret(path)?,
        None => match talk.secret(&msg!("reveal-enter-pin-code")) {
            Ok(text) => text,
            Err(Unanswered::Cancelled) => return Err(interrupted()),
            Err(e) => return Err(unanswered(e, msg!("what-pin-code"), "--pin-code-file")),
        },
    };
    let code = vault::pin::parse_pin_code(code_text.expose_secret())?;
    talk.tell(Level::Info, msg!("restore-deriving"));
    let started = Instant::now();
    // The vault's one path for a stored PIN (the derivation is the slow step, timed here).
    let pin = vault::pin::derive_pin_identity(&vault.header, &code)
        .and_then(|identity| vault::pin::unseal_pin(vault, entry, &identity));
    talk.pin_code.set(talk.pin_code.get() + started.elapsed());
    check_pin(entry, p12, pin?)?
        .ok_or_else(|| Error::new(ErrorKind::WrongSecret, msg!("err-stored-pin-stale", id = entry.id)))
}

/// Tries every numeric PIN of up to six digits against the file, on all cores, until the
/// conversation asks to stop.
fn search_pin(talk: &Timed<'_>, entry: &Entry, p12: &Pkcs12File) -> Result<Option<VerifiedPin>, Error> {
    let checker = p12.pin_checker().map_err(|e| pin_error(entry, &e))?;
    let space = CandidateSpace::new(DEFAULT_MAX_DIGITS);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    talk.tell(Level::Info, msg!("restore-searching", digits = DEFAULT_MAX_DIGITS));
    let total = space.total();
    let progress = |done: u64, finished: bool| Progress {
        task: msg!("recover-progress"),
        done,
        total: Some(total),
        finished,
    };
    let stop = AtomicBool::new(false);
    // The search is waiting for the user too: they chose to let it run.
    let result = talk.timed(|| {
        search(&checker, &space, threads, &stop, |n| {
            if talk.cancel_requested() {
                stop.store(true, Ordering::Relaxed);
            }
            talk.progress(&progress(n, false));
        })
    });
    // A front-end forgets the Ctrl-C that stopped the task when it finishes: the choices come again.
    talk.progress(&progress(result.tried, true));
    match result.found {
        Some(pin) => {
            talk.tell(Level::Info, msg!("restore-search-found", tried = group_digits(result.tried)));
            check_pin(entry, p12, SecretString::from(pin.as_str().to_string()))
        }
        None if result.interrupted => {
            talk.tell(Level::Info, msg!("restore-search-stopped"));
            Ok(None)
        }
        None => {
            talk.tell(Level::Info, msg!("restore-search-not-found", digits = DEFAULT_MAX_DIGITS));
            Ok(None)
        }
    }
}

/// Gets a verified PIN for `entry`: `--pin-file`, the stored PIN with `--pin-code-file`, or by
/// asking until it is right (with the hint shown; nothing is locked here), with the stored PIN
/// and a PIN search offered. `None` = the user skipped the certificate.
fn obtain_pin(ctx: &Context<'_>, entry: &Entry, p12: &Pkcs12File) -> Result<Option<VerifiedPin>, Error> {
    if let Some(v) = check_pin(entry, p12, SecretString::from(String::new()))? {
        return Ok(Some(v));
    }
    let (opts, talk) = (ctx.opts, ctx.talk);
    let use_stored = entry.pin_stored && opts.pin_code_file.is_some();
    if let Some(path) = &opts.pin_file {
        let pin = crate::secret_file::read_secret_file(path).map_err(|reason| {
            Error::new(ErrorKind::Io, msg!("err-pin-file", file = path.display(), reason = reason))
        })?;
        if let Some(v) = check_pin(entry, p12, pin)? {
            return Ok(Some(v));
        }
        if !use_stored {
            return Err(Error::new(
                ErrorKind::WrongSecret,
                msg!("err-restore-pin-file-wrong", file = path.display(), id = entry.id),
            )
            .with_hint(msg!("hint-wrong-pin")));
        }
        talk.tell(Level::Warning, msg!("restore-pin-file-wrong-trying-stored", file = path.display()));
    }
    if use_stored {
        return stored_pin(ctx, entry, p12, opts.pin_code_file.as_deref()).map(Some);
    }
    // The hint (and that the PIN is stored) come with the first question.
    let hint = entry.hint.as_ref().map(|hint| field("label-hint", hint));
    let mut before: Vec<Message> = hint.iter().cloned().collect();
    if entry.pin_stored {
        before.push(msg!("restore-note-line", note = msg!("restore-pin-is-stored")));
    }
    let searchable = entry.purpose != Purpose::HpkiSecond;
    let mut prompt = then_ask(before, msg!("restore-enter-pin", id = entry.id));
    loop {
        let typed = match talk.secret(&prompt) {
            Ok(typed) => typed,
            Err(Unanswered::Cancelled) => return Err(interrupted()),
            Err(_) => return Err(no_terminal_pin()),
        };
        if !typed.expose_secret().is_empty() {
            if let Some(v) = check_pin(entry, p12, typed)? {
                return Ok(Some(v));
            }
            talk.tell(Level::Warning, msg!("restore-pin-wrong"));
            if let Some(hint) = &hint {
                talk.tell(Level::Info, hint.clone());
            }
            prompt = msg!("restore-pin-retry");
            continue;
        }
        // Enter alone: the other ways.
        let mut ways: Vec<(Way, Message)> = Vec::new();
        if entry.pin_stored {
            ways.push((Way::Stored, msg!("restore-way-stored")));
        }
        if searchable {
            ways.push((Way::Search, msg!("restore-way-search")));
        }
        ways.push((Way::Again, msg!("restore-way-again")));
        ways.push((Way::Skip, msg!("restore-way-skip")));
        let texts: Vec<Message> = ways.iter().map(|(_, text)| text.clone()).collect();
        let way = match talk.choose(&msg!("restore-way-choose", count = ways.len()), &texts) {
            Ok(k) => ways[k].0,
            Err(Unanswered::Cancelled) if talk.cancel_requested() => return Err(interrupted()),
            // The input ended.
            Err(_) => Way::Skip,
        };
        match way {
            Way::Stored => match stored_pin(ctx, entry, p12, None) {
                Ok(v) => return Ok(Some(v)),
                Err(e) if e.is(ErrorKind::Cancelled) && talk.cancel_requested() => return Err(e),
                Err(e) => talk.tell(Level::Warning, e.message),
            },
            Way::Search => {
                if let Some(v) = search_pin(talk, entry, p12)? {
                    return Ok(Some(v));
                }
            }
            Way::Skip => return Ok(None),
            Way::Again => {}
        }
        prompt = msg!("restore-enter-pin", id = entry.id);
    }
}

/// The other ways to a PIN, offered when Enter alone was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Stored,
    Search,
    Again,
    Skip,
}

// ---------------------------------------------------------------------------------------------
// Preparing and installing

/// One certificate, ready to install: the checks are done and the PIN is verified.
struct Prepared<'v> {
    entry: &'v Entry,
    result: CertificateResult,
    /// `None` when there is nothing to install (skipped, or already installed).
    work: Option<(InstallItem<'v>, Option<VerifiedPin>)>,
}

/// A self-signed CA certificate of the file: what it says, and its DER.
type FoundRoot = (CertInfo, Vec<u8>);

/// Opens the file with the PIN and finds the leaf's DER and the CA root.
fn open_certificate(
    entry: &Entry,
    p12: &Pkcs12File,
    pin: &VerifiedPin,
    leaf_sha1: &[u8; 20],
) -> Result<(Vec<u8>, Option<FoundRoot>), Error> {
    let opened = p12.open(pin.expose()).map_err(|e| pin_error(entry, &e))?;
    let mut leaf = None;
    let mut root = None;
    for bag in &opened.certificates {
        let sha1: [u8; 20] = sha1::Sha1::digest(&bag.der).into();
        if &sha1 == leaf_sha1 {
            leaf = Some(bag.der.clone());
            continue;
        }
        if let Ok(info) = crate::certificate::x509::parse(&bag.der) {
            if info.self_signed && info.is_ca {
                root = Some((info, bag.der.clone()));
            }
        }
    }
    let leaf = leaf.ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidInput,
            msg!("err-restore-leaf-missing", id = entry.id, sha1 = colon_hex(leaf_sha1)),
        )
    })?;
    Ok((leaf, root))
}

/// Everything before the store is touched: the warnings, whether it is installed already, the
/// PIN and the CA root. Every certificate is prepared before the first is installed, so that a
/// wrong PIN for the second leaves the store as it was.
fn prepare_one<'v>(
    ctx: &Context<'v>,
    entry: &'v Entry,
    backend: &mut dyn Backend,
) -> Result<Prepared<'v>, Error> {
    let (vault, opts, talk) = (ctx.vault, ctx.opts, ctx.talk);
    let now = now_unix();
    let leaf_sha1 = hex20(&entry.certificate.leaf_sha1).ok_or_else(|| {
        Error::new(
            ErrorKind::VaultDamaged,
            msg!("err-vault-damaged", file = vault.dir.display(), detail = "leaf_sha1"),
        )
    })?;
    let mut result = result_for(entry, Outcome::Skipped);
    let skipped = |result| {
        talk.tell(Level::Info, msg!("restore-skipped", id = entry.id));
        Ok(Prepared { entry, result, work: None })
    };
    talk.tell(Level::Info, msg!("restore-blank-line"));
    talk.tell(
        Level::Info,
        msg!("restore-entry-title", id = entry.id, purpose = purpose_message(entry.purpose)),
    );
    if let Some(code) = &entry.certificate.institution_code {
        talk.tell(Level::Info, field("inspect-institution", code));
    }
    talk.tell(Level::Info, field("inspect-subject", &entry.certificate.subject));
    talk.tell(Level::Info, field("inspect-valid-until", validity(entry, now)));
    talk.tell(Level::Info, field("inspect-sha1", &result.leaf_sha1));

    // Warn before anything else is asked.
    let days = days_left_of(entry, now);
    let mut warnings = Vec::new();
    if days < 0 {
        warnings.push(msg!("restore-warn-expired", days = -days));
    }
    if let Some(s) = &entry.superseded {
        warnings.push(msg!("restore-warn-superseded", by = s.by, date = s.stops_working));
    }
    if !warnings.is_empty() {
        for w in &warnings {
            talk.tell(Level::Warning, msg!("restore-warning-line", warning = w));
        }
        if !opts.yes {
            match talk.confirm(&msg!("restore-confirm-anyway")) {
                Ok(true) => {}
                Err(Unanswered::NoTerminal) => {
                    let hint = match &warnings[..] {
                        [one] => one.clone(),
                        [first, second, ..] => msg!("restore-warnings-both", first = first, second = second),
                        [] => unreachable!("warnings is not empty"),
                    };
                    return Err(Error::new(
                        ErrorKind::NoTerminal,
                        msg!("err-restore-needs-yes", id = entry.id),
                    )
                    .with_hint(hint));
                }
                Err(Unanswered::Cancelled) if talk.cancel_requested() => return Err(interrupted()),
                Ok(false) | Err(_) => return skipped(result),
            }
        }
    }

    // Already there: nothing changes.
    if backend.lookup(&leaf_sha1)? == Presence::WithKey {
        result.outcome = Outcome::AlreadyInstalled;
        result.verified = true;
        return Ok(Prepared { entry, result, work: None });
    }

    let p12_bytes = vault.payload.certs.get(&entry.id).ok_or_else(|| {
        Error::new(ErrorKind::VaultDamaged, msg!("err-no-entry", id = entry.id, dir = vault.dir.display()))
    })?;
    let mut item = InstallItem {
        entry,
        p12: p12_bytes,
        leaf_sha1,
        leaf_der: None,
        root: None,
        exportable: opts.exportable,
    };
    if !backend.needs_pin() {
        return Ok(Prepared { entry, result, work: Some((item, None)) });
    }
    let p12 = Pkcs12File::parse(p12_bytes).map_err(|e| pin_error(entry, &e))?;
    let Some(pin) = obtain_pin(ctx, entry, &p12)? else {
        return skipped(result);
    };
    let (leaf_der, root) = open_certificate(entry, &p12, &pin, &leaf_sha1)?;
    item.leaf_der = Some(leaf_der);
    if let (Some((info, der)), true) = (root, backend.trusts_roots()) {
        if root_consent(opts, talk, &info)? {
            let sha1: [u8; 20] = sha1::Sha1::digest(&der).into();
            item.root = Some(RootCa { der, sha1, subject: info.subject.clone() });
        }
    }
    Ok(Prepared { entry, result, work: Some((item, Some(pin))) })
}

/// Shows the CA root's SHA-1 for comparison with the manual and asks whether to trust it.
fn root_consent(opts: &RestoreOptions, talk: &dyn Conversation, root: &CertInfo) -> Result<bool, Error> {
    talk.tell(Level::Info, field("restore-root", &root.subject));
    talk.tell(Level::Info, field("restore-root-sha1", &root.sha1));
    match opts.root {
        RootTrust::Never => return Ok(false),
        RootTrust::Always => return Ok(true),
        RootTrust::Ask => {}
    }
    match talk.confirm(&msg!("restore-root-confirm")) {
        Ok(yes) => Ok(yes),
        Err(Unanswered::NoTerminal) => {
            talk.tell(Level::Info, msg!("restore-note-line", note = msg!("restore-root-left-out")));
            Ok(false)
        }
        Err(Unanswered::Cancelled) if talk.cancel_requested() => Err(interrupted()),
        Err(_) => Ok(false),
    }
}

/// Installs a prepared certificate and reads the store back.
fn install_one(
    prepared: Prepared<'_>,
    backend: &mut dyn Backend,
    talk: &dyn Conversation,
) -> Result<CertificateResult, Error> {
    let Prepared { mut result, work, .. } = prepared;
    let Some((item, pin)) = work else { return Ok(result) };
    talk.tell(Level::Info, msg!("restore-installing", store = backend.describe()));
    let installed = install_unless_present(backend, &item, pin.as_ref(), talk)?;
    drop(pin);
    result.verified = true;
    if !installed {
        // Another program installed it while we asked for the PIN.
        result.outcome = Outcome::AlreadyInstalled;
        return Ok(result);
    }
    result.notes = backend.verify(&item)?;
    result.outcome = Outcome::Installed;
    result.root_trusted = item.root.is_some();
    Ok(result)
}

/// The restore without a terminal: a real vault (tiny KDF settings) holding the demo
/// certificate, questions answered by [`Scripted`], into a file or an in-memory store.
#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::rc::Rc;

    use secrecy::SecretString;

    use super::*;
    use crate::conversation::{Answer, Scripted};
    use crate::install::Target;
    use crate::vault::entries::{seal_verified, verify_for_sealing, SealOptions, Sealed};
    use crate::vault::Unlock;

    use crate::testing::{new_vault_with_codes, PASSPHRASE, PIN};

    /// `tmp/vault` with the demo certificate sealed (PIN stored, a hint); its PIN code.
    fn vault_with_demo_certificate(tmp: &Path) -> (PathBuf, String) {
        let dir = tmp.join("vault");
        let new = new_vault_with_codes(&dir);
        let now = now_unix();
        let (p12, _ca) = crate::demo::make_clinic_certificate(PIN, now - 86_400, now + 400 * 86_400).unwrap();
        let file = tmp.join(crate::demo::DEMO_FILE_NAME);
        std::fs::write(&file, p12).unwrap();
        let cert = verify_for_sealing(&file, None, &Scripted::new([Answer::Secret(PIN.into())])).unwrap();
        let mut vault =
            OpenVault::open(&dir, &Unlock::Passphrase(SecretString::from(PASSPHRASE)), true).expect("opens");
        let opts = SealOptions {
            hint: Some("reception".into()),
            purpose: Some(Purpose::OnlineQualification),
            no_store_pin: false,
        };
        let sealed =
            seal_verified(&mut vault, &cert, &opts, &Scripted::new([Answer::Confirm(true)])).unwrap();
        assert!(matches!(sealed, Sealed::Added { .. }), "{sealed:?}");
        (dir, new.pin_code.to_grouped_string().expose_secret().to_string())
    }

    fn options(dir: &Path, target: Target) -> RestoreOptions {
        RestoreOptions {
            vault: Some(dir.to_path_buf()),
            root: RootTrust::Never,
            ..RestoreOptions::new(target)
        }
    }

    /// A store in memory: what was installed, and with which PIN.
    #[derive(Default)]
    struct MemoryStore {
        held: HashMap<[u8; 20], Presence>,
        pins: Vec<String>,
    }

    /// Shared with the test, which looks at the store after the restore has taken its box.
    #[derive(Clone, Default)]
    struct Shared(Rc<std::cell::RefCell<MemoryStore>>);

    impl Backend for Shared {
        fn describe(&self) -> String {
            "memory:".into()
        }
        fn check(&mut self, _talk: &dyn Conversation) -> Result<(), Error> {
            Ok(())
        }
        fn lookup(&mut self, sha1: &[u8; 20]) -> Result<Presence, Error> {
            Ok(self.0.borrow().held.get(sha1).copied().unwrap_or(Presence::Absent))
        }
        fn install(
            &mut self,
            item: &InstallItem<'_>,
            pin: Option<&VerifiedPin>,
            _talk: &dyn Conversation,
        ) -> Result<(), Error> {
            let mut store = self.0.borrow_mut();
            store.pins.push(pin.expect("a verified PIN").expose().to_string());
            store.held.insert(item.leaf_sha1, Presence::WithKey);
            Ok(())
        }
        fn next_steps(&self) -> Vec<Message> {
            vec![msg!("restore-next-test-connection")]
        }
    }

    fn ids(messages: &[Message]) -> Vec<&'static str> {
        messages.iter().map(|m| m.id).collect()
    }

    /// The ids of a question with lines before it, in the order they are said.
    fn unfold(question: &Message) -> Vec<&'static str> {
        use crate::message::Arg;
        match (question.id, &question.args[..]) {
            ("restore-then-ask", [(_, Arg::Message(before)), (_, Arg::Message(rest))]) => {
                std::iter::once(before.id).chain(unfold(rest)).collect()
            }
            _ => vec![question.id],
        }
    }

    #[test]
    fn restores_the_original_file_for_a_vendor() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, _) = vault_with_demo_certificate(tmp.path());
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        // The passphrase, then Enter: the proposal. No PIN: the file is written as sealed.
        let talk = Scripted::new([Answer::Secret(PASSPHRASE.into()), Answer::Text(String::new())]);
        let report = run(&options(&dir, Target::File(out.clone())), &talk).unwrap();
        assert_eq!(talk.asked_ids(), ["vault-enter-passphrase", "restore-then-ask"]);
        assert_eq!(report.results.len(), 1);
        let result = &report.results[0];
        assert_eq!(
            (result.outcome, result.verified, result.purpose),
            (Outcome::Installed, true, Purpose::OnlineQualification)
        );
        assert!(result.subject.contains("さくら内科"), "{}", result.subject);
        assert_eq!(ids(&result.notes), ["restore-file-verified"]);
        assert_eq!(ids(&report.next_steps), ["restore-next-file-vendor", "export-clean-reminder"]);
        let written = out.join(crate::demo::DEMO_FILE_NAME);
        let vault =
            OpenVault::open(&dir, &Unlock::Passphrase(SecretString::from(PASSPHRASE)), false).unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), vault.entry_bytes(&result.entry).unwrap());
        assert!(report.log.is_some(), "the restore is logged");
        // The list, the entry, the install were told; nothing on a terminal.
        let notes = talk.note_ids();
        for id in ["restore-entries-title", "restore-entry-line", "restore-entry-title", "restore-installing"]
        {
            assert!(notes.contains(&id), "{id} in {notes:?}");
        }
    }

    #[test]
    fn a_wrong_pin_is_asked_again_and_never_reaches_the_store() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, _) = vault_with_demo_certificate(tmp.path());
        let store = Shared::default();
        let talk = Scripted::new([
            Answer::Secret(PASSPHRASE.into()),
            Answer::Text("1".into()),
            Answer::Secret("0000".into()),
            Answer::Secret(PIN.into()),
        ]);
        let report = run_with(&options(&dir, Target::Nss(None)), Box::new(store.clone()), &talk).unwrap();
        assert_eq!(
            talk.asked_ids(),
            ["vault-enter-passphrase", "restore-then-ask", "restore-then-ask", "restore-pin-retry"]
        );
        // The hint and the stored PIN come with the first question; the hint again after the
        // wrong PIN.
        let first = talk.asked.lock().unwrap()[2].clone();
        assert_eq!(unfold(&first), ["restore-field", "restore-note-line", "restore-enter-pin"]);
        let notes = talk.note_ids();
        assert!(notes.contains(&"restore-pin-wrong"), "{notes:?}");
        let hints = talk
            .notes
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, m)| m.text_arg("value") == Some("reception"))
            .count();
        assert_eq!(hints, 1);
        assert_eq!(store.0.borrow().pins, [PIN], "only the verified PIN reached the store");
        let result = &report.results[0];
        assert_eq!((result.outcome, result.root_trusted), (Outcome::Installed, false));
        assert_eq!(ids(&report.next_steps), ["restore-next-test-connection"]);

        // Again: already there, nothing asked after the choice, nothing installed.
        let talk = Scripted::new([Answer::Secret(PASSPHRASE.into()), Answer::Text(String::new())]);
        let report = run_with(&options(&dir, Target::Nss(None)), Box::new(store.clone()), &talk).unwrap();
        assert_eq!(report.results[0].outcome, Outcome::AlreadyInstalled);
        assert_eq!(talk.answers_left(), 0);
        assert_eq!(store.0.borrow().pins.len(), 1);
        assert!(report.next_steps.is_empty());
    }

    #[test]
    fn the_stored_pin_the_skip_and_nobody_to_ask() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, pin_code) = vault_with_demo_certificate(tmp.path());
        // Enter alone at the PIN: the ways (stored, search, again, skip); the stored PIN with
        // the PIN code.
        let store = Shared::default();
        let talk = Scripted::new([
            Answer::Secret(PASSPHRASE.into()),
            Answer::Text(String::new()),
            Answer::Secret(String::new()),
            Answer::Choose(0),
            Answer::Secret(pin_code),
        ]);
        let report = run_with(&options(&dir, Target::Nss(None)), Box::new(store.clone()), &talk).unwrap();
        assert_eq!(
            talk.asked_ids()[2..],
            ["restore-then-ask", "restore-way-choose", "reveal-enter-pin-code"]
        );
        assert_eq!(report.results[0].outcome, Outcome::Installed);
        assert_eq!(store.0.borrow().pins, [PIN]);

        // Skipped: nothing installed, nothing failed.
        let store = Shared::default();
        let talk = Scripted::new([
            Answer::Secret(PASSPHRASE.into()),
            Answer::Text(String::new()),
            Answer::Secret(String::new()),
            Answer::Choose(3),
        ]);
        let report = run_with(&options(&dir, Target::Nss(None)), Box::new(store.clone()), &talk).unwrap();
        assert_eq!(report.results[0].outcome, Outcome::Skipped);
        assert!(report.failure().is_none() && store.0.borrow().pins.is_empty());

        // Nobody to ask the PIN: the certificate fails with the flags to use.
        let talk = Scripted::new([Answer::Secret(PASSPHRASE.into())]);
        let report = run_with(&options(&dir, Target::Nss(None)), Box::new(Shared::default()), &talk).unwrap();
        let e = report.failure().expect("failed");
        assert_eq!(
            (e.kind, e.hint.as_ref().map(|h| h.id)),
            (ErrorKind::NoTerminal, Some("hint-restore-pin-flags"))
        );
        assert_eq!(report.results[0].outcome, Outcome::Failed);
    }

    #[test]
    fn ctrl_c_at_the_pin_stops_before_the_store() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, _) = vault_with_demo_certificate(tmp.path());
        let store = Shared::default();
        let talk =
            Scripted::new([Answer::Secret(PASSPHRASE.into()), Answer::Text(String::new()), Answer::CtrlC]);
        let report = run_with(&options(&dir, Target::Nss(None)), Box::new(store.clone()), &talk).unwrap();
        let e = report.failure().expect("interrupted");
        assert_eq!((e.kind, e.message.id), (ErrorKind::Cancelled, "err-interrupted"));
        assert!(store.0.borrow().pins.is_empty() && report.log.is_none());

        // q at the choice: nothing chosen, nothing done.
        let talk = Scripted::new([Answer::Secret(PASSPHRASE.into()), Answer::Text("q".into())]);
        let report = run_with(&options(&dir, Target::Nss(None)), Box::new(store.clone()), &talk).unwrap();
        assert!(report.results.is_empty());
        assert_eq!(talk.note_ids().last(), Some(&"cancelled"));
    }
}
