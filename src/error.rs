//! The error a command ends with: one line for the user, maybe a second that says what to do.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::OnceLock;

/// Exit codes (`docs/cli-contract.md`): 0 success / nothing to report, 1 "found something"
/// (scan hits, status needs attention, PIN not found), 2 error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FOUND: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub hint: Option<String>,
    pub kind: certvault_core::ErrorKind,
}

/// A core error, phrased in the user's language.
impl From<certvault_core::Error> for CliError {
    fn from(e: certvault_core::Error) -> CliError {
        CliError {
            message: certvault_i18n::render(&e.message),
            hint: e.hint.as_ref().map(certvault_i18n::render),
            kind: e.kind,
        }
    }
}

impl CliError {
    /// An error found by the front-end, of kind `invalid_input`; see [`CliError::with_kind`].
    pub fn new(message: impl Into<String>) -> Self {
        CliError::with_kind(certvault_core::ErrorKind::InvalidInput, message)
    }

    /// An error found by the front-end, of the kind `--json` reports for it.
    pub fn with_kind(kind: certvault_core::ErrorKind, message: impl Into<String>) -> Self {
        CliError { message: message.into(), hint: None, kind }
    }

    /// A mistake on the command line (kind `usage`).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::with_kind(certvault_core::ErrorKind::Usage, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the error to stderr (as JSON after `--json`) and gives the exit code for it.
    pub fn report(&self) -> ExitCode {
        if errors_as_json() {
            self.print_json();
        } else {
            self.print_lines();
        }
        ExitCode::from(EXIT_ERROR)
    }

    /// Prints a mistake on the command line: the error, then (not in JSON) the usage line
    /// `usage` and where more help is.
    pub fn report_usage(&self, usage: &str) -> ExitCode {
        if errors_as_json() {
            self.print_json();
        } else {
            self.print_lines();
            // clap has no usage line for some mistakes (a bad value); then neither do we.
            if !usage.is_empty() {
                eprintln!("\n{usage}");
            }
            eprintln!("\n{}", certvault_i18n::t!("usage-more-help"));
        }
        ExitCode::from(EXIT_ERROR)
    }

    fn print_lines(&self) {
        // Messages are ours, but some carry an OS or parser text quoting outside input.
        let shown = certvault_i18n::text::escaped_keeping_lines;
        eprintln!("{}: {}", certvault_i18n::t!("error-prefix"), shown(&self.message));
        if let Some(hint) = &self.hint {
            eprintln!("{}: {}", certvault_i18n::t!("hint-prefix"), shown(hint));
        }
    }

    /// `{"error": {"kind": …, "message": …, "hint": … or null}}`, on standard error like the
    /// human form: on an error standard output stays empty (docs/cli-contract.md).
    pub fn to_json(&self) -> String {
        #[derive(serde::Serialize)]
        struct Report<'a> {
            error: Body<'a>,
        }
        #[derive(serde::Serialize)]
        struct Body<'a> {
            kind: &'a str,
            message: &'a str,
            hint: Option<&'a str>,
        }
        let body = Body { kind: self.kind.as_str(), message: &self.message, hint: self.hint.as_deref() };
        serde_json::to_string_pretty(&Report { error: body }).expect("strings serialise")
    }

    fn print_json(&self) {
        let _ = writeln!(io::stderr().lock(), "{}", self.to_json());
    }
}

/// Whether errors are printed as JSON: chosen once, at start-up, from `--json`.
static ERRORS_AS_JSON: OnceLock<bool> = OnceLock::new();

/// Makes errors JSON (`--json` was given). Later calls keep the first choice.
pub fn report_errors_as_json(json: bool) {
    let _ = ERRORS_AS_JSON.get_or_init(|| json);
}

fn errors_as_json() -> bool {
    ERRORS_AS_JSON.get().copied().unwrap_or(false)
}

/// The first error met writing standard output, if any.
static STDOUT_FAILURE: OnceLock<(io::ErrorKind, String)> = OnceLock::new();

/// Writes to standard output (the crate's `println!` and `print!`). A failure is kept, not a
/// panic: later output is dropped and [`finish`] turns it into the exit code.
pub fn print_stdout(args: std::fmt::Arguments<'_>) {
    if STDOUT_FAILURE.get().is_some() {
        return;
    }
    if let Err(e) = io::stdout().lock().write_fmt(args) {
        note_stdout_failure(&e);
    }
}

fn note_stdout_failure(e: &io::Error) {
    let _ = STDOUT_FAILURE.set((e.kind(), e.to_string()));
}

/// The exit code once a command has ended with `code`: standard output is flushed; a closed
/// pipe (the reader had what it wanted, `| head -1`) changes nothing, any other write error on
/// standard output is an error (2) with a message.
pub fn finish(code: u8) -> ExitCode {
    if let Err(e) = io::stdout().lock().flush() {
        note_stdout_failure(&e);
    }
    match STDOUT_FAILURE.get() {
        None => ExitCode::from(code),
        Some((io::ErrorKind::BrokenPipe, _)) => ExitCode::from(code),
        Some((_, detail)) => CliError::with_kind(
            certvault_core::ErrorKind::Io,
            certvault_i18n::t!("err-write-stdout", detail = detail),
        )
        .report(),
    }
}

/// The panic hook: one line saying where certvault met a bug, and a backtrace when
/// `RUST_BACKTRACE` asks for one. The panic's message is not printed (it may hold data, and
/// data may be secret); a backtrace holds function names and source lines only. `main` then
/// ends with exit code 2 (see [`exit_after_panic`]).
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location =
            info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
        let mut stderr = io::stderr().lock();
        // Not while the messages are being loaded (that would wait for itself).
        let line = match certvault_i18n::is_ready() {
            true => {
                format!(
                    "{}: {}",
                    certvault_i18n::t!("error-prefix"),
                    certvault_i18n::t!("err-internal", location = location)
                )
            }
            false => format!("err-internal: {location}"),
        };
        let _ = writeln!(stderr, "{line}");
        let backtrace = std::backtrace::Backtrace::capture();
        if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
            let _ = writeln!(stderr, "{backtrace}");
        }
    }));
}

/// The exit code after a panic reached `main` (the hook has said so already).
pub fn exit_after_panic() -> ExitCode {
    ExitCode::from(EXIT_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_form_names_kind_message_and_hint_in_that_order() {
        let text = CliError::usage("no such command").with_hint("try --help").to_json();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["error"]["kind"], "usage");
        assert_eq!(v["error"]["message"], "no such command");
        assert_eq!(v["error"]["hint"], "try --help");
        let at = |key: &str| text.find(&format!("\"{key}\"")).unwrap();
        assert!(at("kind") < at("message") && at("message") < at("hint"), "{text}");
        let plain = CliError::with_kind(certvault_core::ErrorKind::Io, "disk full").to_json();
        let v: serde_json::Value = serde_json::from_str(&plain).unwrap();
        assert_eq!(v["error"]["kind"], "io");
        assert!(v["error"]["hint"].is_null());
    }
}
