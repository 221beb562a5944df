//! `certvault init DIR`: the core creates the vault; this shows the codes once.

use std::io::IsTerminal;
use std::path::PathBuf;

use certvault_core::vault::create::{self, InitOptions};
use secrecy::ExposeSecret;
use vault_format::NewVault;

use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::sheet::SheetLang;
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The new vault folder (created; must be new or empty).
    pub dir: PathBuf,
    /// Read the new passphrase from this file (- = standard input) instead of asking twice.
    #[arg(long, value_name = "F")]
    pub passphrase_file: Option<PathBuf>,
    /// Write RECOVERY-CODE, RECOVERY-IDENTITY and PIN-CODE lines to this new 0600 file
    /// (outside the vault folder) for scripted setups.
    #[arg(long, value_name = "F")]
    pub recovery_out: Option<PathBuf>,
    /// Write the recovery sheet (PDF, with the PIN code, which is shown only now) to this
    /// new 0600 file outside the vault folder. Language: --lang, default Japanese.
    #[arg(long, value_name = "PDF")]
    pub sheet_out: Option<PathBuf>,
    /// Create the vault even though the folder is not on removable media.
    #[arg(long)]
    pub allow_fixed_disk: bool,
    /// Do not put the program files into the vault folder's program/ (they are put there by
    /// default, so that a new computer finds certvault on the stick).
    #[arg(long)]
    pub no_program: bool,
}

pub fn run(args: InitArgs, sheet_lang: SheetLang) -> Result<u8, CliError> {
    let InitArgs { dir, passphrase_file, recovery_out, sheet_out, allow_fixed_disk, no_program } = args;
    // A stick's top folder (E:\) gets CERTVAULT created in it, as the wizard does.
    let dir = match certvault_core::media::place_for_vault(&dir) {
        Ok(certvault_core::media::VaultPlace::New(inside)) => inside,
        _ => dir,
    };
    let opts = InitOptions {
        dir,
        passphrase_file,
        recovery_out,
        sheet_out,
        sheet_lang,
        allow_fixed_disk,
        // The codes are shown once, on a terminal; a script gets them from --recovery-out.
        codes_shown: std::io::stdout().is_terminal(),
        programs: !no_program,
    };
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
