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
            message: crate::i18n::render(&e.message),
            hint: e.hint.as_ref().map(crate::i18n::render),
            kind: e.kind,
        }
    }
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError { message: message.into(), hint: None, kind: certvault_core::ErrorKind::InvalidInput }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the error to stderr and gives the exit code for it.
    pub fn report(&self) -> ExitCode {
        // Messages are ours, but some carry an OS or parser text quoting outside input.
        let shown = crate::terminal_text::escaped_keeping_lines;
        eprintln!("{}: {}", crate::t!("error-prefix"), shown(&self.message));
        if let Some(hint) = &self.hint {
            eprintln!("{}: {}", crate::t!("hint-prefix"), shown(hint));
        }
        ExitCode::from(EXIT_ERROR)
    }
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
        Some((_, detail)) => CliError::new(crate::t!("err-write-stdout", detail = detail)).report(),
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
        let line = match crate::i18n::is_ready() {
            true => {
                format!("{}: {}", crate::t!("error-prefix"), crate::t!("err-internal", location = location))
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
