//! The error a command ends with: one line for the user, maybe a second that says what to do.

use std::process::ExitCode;

/// Exit codes (`docs/cli-contract.md`): 0 success / nothing to report, 1 "found something"
/// (scan hits, status needs attention, PIN not found), 2 error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FOUND: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError { message: message.into(), hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the error to stderr and gives the exit code for it.
    pub fn report(&self) -> ExitCode {
        eprintln!("{}: {}", crate::t!("error-prefix"), self.message);
        if let Some(hint) = &self.hint {
            eprintln!("{}: {}", crate::t!("hint-prefix"), hint);
        }
        ExitCode::from(EXIT_ERROR)
    }
}
