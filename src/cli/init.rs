//! `certvault init DIR`: the core creates the vault; this shows the codes once.

use std::io::IsTerminal;

use certvault_core::vault::create::{self, InitOptions};
use secrecy::ExposeSecret;
use vault_format::NewVault;

use crate::error::{CliError, EXIT_OK};
use crate::t;
use crate::terminal::Terminal;

pub fn run(opts: InitOptions) -> Result<u8, CliError> {
    let opts = InitOptions { codes_shown: std::io::stdout().is_terminal(), ..opts };
    let new = create::init(&opts, &Terminal)?;
    println!("{}", t!("init-done", dir = opts.dir.display()));
    if opts.codes_shown {
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
