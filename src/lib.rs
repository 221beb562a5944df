//! certvault: keeps a clinic's PKCS#12 client certificates safe.
//!
//! The binary (`src/main.rs`) only parses arguments and calls the operations here, one module
//! per capability, so the wizard, the subcommands, tests and benchmarks share the same code.

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

// The core's modules, under their old paths while the operations move into the core.
pub use certvault_core::records as state;
#[cfg(windows)]
pub use certvault_core::windows_key;
pub use certvault_core::{
    cert, certfile, clean, codes, dates, demo, durable, hardening, pkcs12, records, sheet, vault,
};

pub mod cli;
pub mod error;
pub mod i18n;
pub mod inspect;
pub mod interrupt;
pub mod recover_pin;
pub mod restore;
pub mod scan;
pub mod secret_input;
pub mod sheet_command;
pub mod status;
pub mod terminal;
pub mod terminal_text;
pub mod vault_commands;
pub mod wizard;
