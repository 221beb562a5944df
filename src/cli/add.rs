//! `certvault add FILE`: verify the PIN, show what is about to be sealed, seal.

use std::path::{Path, PathBuf};

use certvault_core::vault::entries::{self, SealOptions, SealSummary, Sealed, VerifiedCertificate};

use super::inspect::purpose_text;
use super::{PurposeArg, VaultArgs};
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::dates::{human_date, now_unix};
use certvault_core::vault::OpenVault;
use certvault_i18n::t;
use certvault_i18n::text::escaped;

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The certificate file (.p12/.pfx).
    pub file: PathBuf,
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Read the certificate's PIN from this file (- = standard input) instead of asking.
    #[arg(long, value_name = "F")]
    pub pin_file: Option<PathBuf>,
    /// Your own reminder for the PIN, kept with the entry (visible with the passphrase).
    #[arg(long, value_name = "TEXT")]
    pub hint: Option<String>,
    /// What the certificate is for (default: guessed from issuer and file name).
    #[arg(long, value_enum, value_name = "P")]
    pub purpose: Option<PurposeArg>,
    /// Do not store the PIN (keep only the hint).
    #[arg(long)]
    pub no_store_pin: bool,
}

pub fn run(args: AddArgs) -> Result<u8, CliError> {
    let cert = entries::verify_for_sealing(&args.file, args.pin_file.as_deref(), &Terminal)?;
    let unlock = args.vault.unlock.source().read(&Terminal)?;
    let mut vault = OpenVault::open(&args.vault.vault, &unlock, true)?;
    super::notes::warn_fallbacks(&vault);
    vault.check_can_write(&Terminal)?;
    let file = cert.file.display_name();
    let opts = SealOptions {
        hint: args.hint,
        purpose: args.purpose.map(Into::into),
        no_store_pin: args.no_store_pin,
    };
    match seal(&mut vault, &cert, &opts)? {
        Sealed::Already { id } => println!("{}", t!("add-already", file = file, id = id)),
        Sealed::Cancelled => eprintln!("{}", t!("cancelled")),
        Sealed::Added { id, generation } => {
            println!("{}", t!("add-done", file = file, id = id, generation = generation))
        }
    }
    Ok(EXIT_OK)
}

/// Shows what is about to be sealed (unless it is there already), then seals it: the same
/// for `add`, `clean --seal-unknown` and the wizard.
pub fn seal(
    vault: &mut OpenVault,
    cert: &VerifiedCertificate,
    opts: &SealOptions,
) -> Result<Sealed, CliError> {
    if entries::already_sealed(vault, cert).is_none() {
        print_summary(&cert.summary(opts, now_unix()));
    }
    Ok(entries::seal_verified(vault, cert, opts, &Terminal)?)
}

/// What is about to be sealed, on standard error (also `clean --seal-unknown`, before each copy).
pub fn print_summary(s: &SealSummary) {
    eprintln!("{}", t!("add-summary-title"));
    eprintln!("  {}: {}", t!("inspect-purpose"), purpose_text(s.purpose));
    if let Some(code) = &s.institution_code {
        eprintln!("  {}: {}", t!("inspect-institution"), escaped(code));
    }
    eprintln!("  {}: {}", t!("inspect-subject"), escaped(&s.subject));
    let days = s.days_left;
    eprintln!(
        "  {}: {} ({})",
        t!("inspect-valid-until"),
        human_date(&s.not_after),
        if days < 0 { t!("inspect-expired", days = -days) } else { t!("inspect-days-left", days = days) }
    );
    eprintln!("  {}: {}", t!("inspect-sha1"), s.sha1);
    if let Some(root) = &s.root_sha1 {
        eprintln!("  {}: {}", t!("add-root-sha1"), root);
    }
    eprintln!("  {}: {}", t!("add-pin-stored"), if s.pin_stored { t!("yes") } else { t!("no") });
}

/// For callers that still pass a path.
pub fn verify(path: &Path, pin_file: Option<&Path>) -> Result<VerifiedCertificate, CliError> {
    Ok(entries::verify_for_sealing(path, pin_file, &Terminal)?)
}
