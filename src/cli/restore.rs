//! `certvault restore`: the flags, and their translation into the core's plain
//! [`RestoreOptions`] (the wizard fills the same struct from its questions); the terminal the
//! restore talks on; and the report rendered as before: results on standard output (standard
//! error under `--json`, whose report is standard output), the next steps, the JSON.

use std::path::PathBuf;
use std::sync::Mutex;

use certvault_core::conversation::{Conversation, Level, Progress, Unanswered};
use certvault_core::install::restore::{Outcome, RestoreReport};
use certvault_core::install::{RestoreOptions, RootTrust, Target};
use certvault_core::Message;
use secrecy::SecretString;
use serde::Serialize;

use crate::cli::UnlockArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_i18n::render;
use certvault_i18n::t;

/// `certvault restore [ENTRY…] [--vault DIR] [--pin-file F] [--to windows|nss:DIR|macos|file:PATH]`
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Entries to restore (ids from `certvault list`; a unique beginning is enough). Default:
    /// the current certificate of each purpose.
    #[arg(value_name = "ENTRY")]
    pub entries: Vec<String>,
    /// The vault folder. Default: found on the mounted USB sticks and other removable media
    /// (and in the folders listed in the CERTVAULT_MEDIA_ROOTS variable); asked when there
    /// are several.
    #[arg(long, value_name = "DIR")]
    pub vault: Option<PathBuf>,
    #[command(flatten)]
    pub unlock: UnlockArgs,
    /// Read the certificate's PIN from this file (- = standard input) instead of asking. It is
    /// checked here first: a wrong PIN never reaches the store.
    #[arg(long, value_name = "F")]
    pub pin_file: Option<PathBuf>,
    /// Use the PIN stored in the vault, opened with the PIN code of the recovery sheet read from
    /// this file (- = standard input).
    #[arg(long, value_name = "F")]
    pub pin_code_file: Option<PathBuf>,
    /// Where to install: windows (the current user's "My" store; default on Windows), nss:DIR
    /// (an NSS database as Firefox and Chromium use; default on Linux: sql:~/.pki/nssdb), macos
    /// (the login keychain; default on macOS), or file:PATH (the original .p12, for a vendor).
    #[arg(long, value_name = "TARGET", value_parser = parse_target)]
    pub to: Option<Target>,
    /// Let the private key be exported again later (Windows; default: not exportable).
    #[arg(long)]
    pub exportable: bool,
    /// Add the CA root to the trusted roots without asking (its SHA-1 thumbprint is still
    /// shown). Without it, a terminal asks; a script leaves the root out.
    #[arg(long, conflicts_with = "no_root")]
    pub trust_root: bool,
    /// Never add the CA root to the trusted roots.
    #[arg(long)]
    pub no_root: bool,
    /// Go on without asking when a certificate is expired or superseded.
    #[arg(long)]
    pub yes: bool,
    /// Read the password of the NSS database (Firefox's primary password) from this file
    /// instead of asking; only needed when the database has one.
    #[arg(long, value_name = "F")]
    pub store_password_file: Option<PathBuf>,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

impl RestoreArgs {
    /// The core's options for these flags.
    pub fn options(&self) -> RestoreOptions {
        RestoreOptions {
            entries: self.entries.clone(),
            vault: self.vault.clone(),
            unlock: self.unlock.source(),
            pin_file: self.pin_file.clone(),
            pin_code_file: self.pin_code_file.clone(),
            target: self.to.clone().unwrap_or_else(Target::default_here),
            exportable: self.exportable,
            root: match (self.trust_root, self.no_root) {
                (true, _) => RootTrust::Always,
                (_, true) => RootTrust::Never,
                _ => RootTrust::Ask,
            },
            yes: self.yes,
            store_password_file: self.store_password_file.clone(),
            // Under --json without a terminal nobody reads the list.
            list_entries: !self.json || crate::terminal::secret_input::stdin_is_terminal(),
        }
    }
}

/// `--to`'s value: windows, macos, nss, nss:DIR (`sql:` accepted in front), file:PATH.
pub fn parse_target(s: &str) -> Result<Target, String> {
    let (kind, rest) = match s.split_once(':') {
        Some((k, r)) => (k, Some(r)),
        None => (s, None),
    };
    match (kind.to_ascii_lowercase().as_str(), rest) {
        ("windows", None) => Ok(Target::Windows),
        ("macos", None) => Ok(Target::Macos),
        ("nss", None) => Ok(Target::Nss(None)),
        ("nss", Some(dir)) => {
            // NSS tools write the database type in front of the folder: accept it.
            let dir = dir.strip_prefix("sql:").unwrap_or(dir);
            if dir.is_empty() {
                return Err("nss:DIR needs a folder, e.g. nss:/home/me/.pki/nssdb".into());
            }
            Ok(Target::Nss(Some(PathBuf::from(dir))))
        }
        ("file", Some(path)) if !path.is_empty() => Ok(Target::File(PathBuf::from(path))),
        _ => Err(format!("unknown target {s:?}: use windows, nss:DIR, macos or file:PATH")),
    }
}

/// `certvault restore …`.
pub fn run(args: &RestoreArgs) -> Result<u8, CliError> {
    restore(&args.options(), args.json)
}

/// The core's restore on this terminal, its report rendered (the wizard's restore too).
pub fn restore(options: &RestoreOptions, json: bool) -> Result<u8, CliError> {
    crate::terminal::interrupt::watch();
    crate::terminal::interrupt::clear();
    let report = certvault_core::install::restore::run(options, &RestoreTerminal::default())?;
    render_report(&report, json)
}

/// What was done, as `restore` has always said it; the failure that ended the restore, if
/// any, is the error (after the certificates done before it were said).
fn render_report(report: &RestoreReport, json: bool) -> Result<u8, CliError> {
    // Results go to standard output, unless it carries the JSON report.
    // Broken to the terminal's width as a reader expects (print_hanging), the notes indented.
    let say = |lead: &str, line: &str| {
        if json {
            eprintln!("{lead}{line}");
        } else {
            crate::terminal::wrap::print_hanging(lead, line);
        }
    };
    for result in &report.results {
        match result.outcome {
            Outcome::AlreadyInstalled => {
                say("", &t!("restore-already", id = result.entry, store = report.target));
            }
            Outcome::Installed => {
                say(
                    "",
                    &t!("restore-done", id = result.entry, store = report.target, sha1 = result.leaf_sha1),
                );
                for note in &result.notes {
                    say("  ", &render(note));
                }
            }
            Outcome::Skipped => {}
            Outcome::Failed => {}
        }
    }
    if let Some(failure) = report.failure() {
        return Err(failure.clone().into());
    }
    if report.results.is_empty() {
        // Nothing was chosen: the restore has said so.
        return Ok(EXIT_OK);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&JsonReport::of(report)).expect("serialises"));
    } else if report.installed_any() {
        println!();
        println!("{}", t!("restore-next-title"));
        for step in &report.next_steps {
            crate::terminal::wrap::print_hanging("  - ", &render(step));
        }
    }
    Ok(EXIT_OK)
}

/// `--json`'s report (docs/cli-contract.md): the core's, with the notes phrased.
#[derive(Serialize)]
struct JsonReport<'a> {
    vault: String,
    vault_id: &'a str,
    generation: u64,
    target: &'a str,
    results: Vec<JsonResult<'a>>,
    log: Option<String>,
    timings: &'a certvault_core::install::restore::Timings,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    entry: &'a str,
    purpose: certvault_core::certificate::x509::Purpose,
    leaf_sha1: &'a str,
    not_after: &'a str,
    outcome: Outcome,
    verified: bool,
    root_trusted: bool,
    notes: Vec<String>,
}

impl<'a> JsonReport<'a> {
    fn of(report: &'a RestoreReport) -> JsonReport<'a> {
        JsonReport {
            vault: report.vault.display().to_string(),
            vault_id: &report.vault_id,
            generation: report.generation,
            target: &report.target,
            results: report
                .results
                .iter()
                .map(|r| JsonResult {
                    entry: &r.entry,
                    purpose: r.purpose,
                    leaf_sha1: &r.leaf_sha1,
                    not_after: &r.not_after,
                    outcome: r.outcome,
                    verified: r.verified,
                    root_trusted: r.root_trusted,
                    notes: r.notes.iter().map(render).collect(),
                })
                .collect(),
            log: report.log.as_ref().map(|p| p.display().to_string()),
            timings: &report.timings,
        }
    }
}

/// The terminal as restore talks on it: choices are a numbered list and a typed number (what
/// scripts driving a terminal type), the PIN search a progress bar; everything else as
/// [`Terminal`].
#[derive(Default)]
pub struct RestoreTerminal {
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl Conversation for RestoreTerminal {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        Terminal.secret(question)
    }

    fn code(&self, question: &Message, kind: vault_format::CodeKind) -> Result<SecretString, Unanswered> {
        Terminal.code(question, kind)
    }

    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        Terminal.confirm(question)
    }

    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        for (i, choice) in choices.iter().enumerate() {
            eprintln!("  {}: {}", i + 1, render(choice));
        }
        loop {
            let answer = Terminal.text(question)?;
            match answer.parse::<usize>() {
                Ok(k) if (1..=choices.len()).contains(&k) => return Ok(k - 1),
                _ => eprintln!("{}", t!("restore-choose-again", count = choices.len())),
            }
        }
    }

    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        Terminal.text(question)
    }

    fn tell(&self, level: Level, note: Message) {
        Terminal.tell(level, note)
    }

    fn progress(&self, progress: &Progress) {
        let Ok(mut bar) = self.bar.lock() else { return };
        if progress.finished {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
            }
            // A Ctrl-C that stopped the task has done its work: the choices come again.
            crate::terminal::interrupt::clear();
            return;
        }
        let bar = bar.get_or_insert_with(|| {
            let bar = indicatif::ProgressBar::new(progress.total.unwrap_or(0));
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message(render(&progress.task));
            bar
        });
        bar.set_position(progress.done);
    }

    fn cancel_requested(&self) -> bool {
        Terminal.cancel_requested()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(parse_target("windows"), Ok(Target::Windows));
        assert_eq!(parse_target("macos"), Ok(Target::Macos));
        assert_eq!(parse_target("nss"), Ok(Target::Nss(None)));
        assert_eq!(parse_target("nss:sql:/a/b"), Ok(Target::Nss(Some("/a/b".into()))));
        assert_eq!(parse_target("nss:/a/b"), Ok(Target::Nss(Some("/a/b".into()))));
        assert_eq!(parse_target("file:C:\\out\\x.p12"), Ok(Target::File("C:\\out\\x.p12".into())));
        assert!(parse_target("nss:").is_err());
        assert!(parse_target("file:").is_err());
        assert!(parse_target("keychain").is_err());
    }
}
