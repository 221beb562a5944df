//! `certvault rescue`: the flags, the call into the core's [`rescue`], and the report (the
//! store's client certificates and what happened to each chosen one) for people or as JSON.

use std::path::PathBuf;

use certvault_core::rescue::{self, Exportable, Outcome, RescueOptions, RescueReport, Source};
use certvault_i18n::t;
use certvault_i18n::{render, text::escaped};

use super::{PurposeArg, VaultArgs};
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::terminal::Terminal;

/// `certvault rescue --vault DIR [--from windows|nss:DIR|macos] [THUMBPRINT…] [--json]`
#[derive(Debug, clap::Args)]
pub struct RescueArgs {
    /// SHA-1 thumbprints of the certificates to rescue (as the list shows them; colons
    /// optional). Without them, each certificate not yet in the vault is proposed on a
    /// terminal; a script gets the list only.
    #[arg(value_name = "THUMBPRINT")]
    pub thumbprints: Vec<String>,
    #[command(flatten)]
    pub vault: VaultArgs,
    /// The store to rescue from: windows (the current user's "My" store; default on Windows),
    /// nss:DIR (an NSS database; default on Linux: sql:~/.pki/nssdb), or macos (the login
    /// keychain; default on macOS).
    #[arg(long, value_name = "STORE", value_parser = parse_source)]
    pub from: Option<Source>,
    /// Read the password of the NSS database (Firefox's primary password) from this file
    /// instead of asking; only needed when the database has one.
    #[arg(long, value_name = "F")]
    pub store_password_file: Option<PathBuf>,
    /// What the certificates are for (default: guessed from the issuer).
    #[arg(long, value_enum, value_name = "P")]
    pub purpose: Option<PurposeArg>,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

impl RescueArgs {
    pub fn options(&self) -> RescueOptions {
        RescueOptions {
            vault: self.vault.vault.clone(),
            unlock: self.vault.unlock.source(),
            source: self.from.clone().unwrap_or_else(Source::default_here),
            thumbprints: self.thumbprints.clone(),
            store_password_file: self.store_password_file.clone(),
            purpose: self.purpose.map(Into::into),
        }
    }
}

/// `--from`'s value: windows, macos, nss, nss:DIR (`sql:` accepted in front).
pub fn parse_source(s: &str) -> Result<Source, String> {
    use certvault_core::install::Target;
    match super::restore::parse_target(s) {
        Ok(Target::Windows) => Ok(Source::Windows),
        Ok(Target::Macos) => Ok(Source::Macos),
        Ok(Target::Nss(dir)) => Ok(Source::Nss(dir)),
        _ => Err(format!("unknown store {s:?}: use windows, nss:DIR or macos")),
    }
}

/// Rescues, prints the report; exit code 1 when a client certificate with its key in the
/// store is still not in the vault afterwards (not exportable, declined, or only listed).
pub fn run(args: &RescueArgs) -> Result<u8, CliError> {
    let report = rescue::rescue(&args.options(), &Terminal)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
    } else {
        print_report(&report);
    }
    Ok(if report.still_outside() > 0 { EXIT_FOUND } else { EXIT_OK })
}

/// The store's certificates and what happened to each chosen one (also the wizard's).
pub(crate) fn print_report(report: &RescueReport) {
    if report.certificates.is_empty() {
        println!("{}", t!("rescue-store-none", store = report.store.as_str()));
        return;
    }
    println!("{}", t!("rescue-store-title", store = report.store.as_str()));
    for (i, c) in report.certificates.iter().enumerate() {
        let state = match (&c.entry, c.exportable) {
            (Some(id), _) => t!("rescue-state-in-vault", id = id.as_str()),
            (None, Exportable::No) => t!("rescue-state-not-exportable"),
            (None, _) => t!("rescue-state-outside"),
        };
        println!("  {}. {}", i + 1, escaped(&render(&c.line())));
        println!("     {state}");
    }
    if report.results.is_empty() {
        return;
    }
    println!();
    let mut sealed = false;
    for r in &report.results {
        sealed |= matches!(r.outcome, Outcome::Rescued { .. });
        println!("{}", render(&r.message()));
    }
    if sealed {
        println!();
        println!("{}", t!("rescue-next-restore"));
        println!("{}", t!("rescue-next-print-sheet"));
    }
}
