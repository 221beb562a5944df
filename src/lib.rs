//! certvault's terminal front-end: keeps a clinic's PKCS#12 client certificates safe.
//!
//! Every operation is in `certvault-core` (`core/`), which never prints or asks. This crate
//! only talks: `cli/` has one module per command (its arguments, the call into the core, its
//! human and `--json` output), `wizard/` the guided menu, `terminal/` the terminal's answers to
//! the core's questions, `error` the exit codes; the Fluent messages are the shared
//! `certvault-i18n` crate in `i18n/` (`docs/architecture.md`).

// Every `println!`/`print!` of the crate (these shadow the standard ones in every module
// below): standard output that is closed (`certvault scan | head -1`) or cannot be written
// (`> /dev/full`) does not panic; the first failure is kept and `main` ends with it (quietly
// for a closed pipe, with a message and exit code 2 otherwise). See `error::print_stdout`.
macro_rules! println {
    () => {
        $crate::error::print_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::error::print_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

macro_rules! print {
    ($($arg:tt)*) => {
        $crate::error::print_stdout(format_args!($($arg)*))
    };
}

pub mod cli;
pub mod error;
pub mod terminal;
pub mod wizard;
