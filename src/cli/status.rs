//! `certvault status`: the call into the core and the checklist, for people or as JSON.
//!
//! Exit codes: 0 nothing needs attention (only information), 1 something does, 2 error.

use std::io::IsTerminal;
use std::path::PathBuf;

use certvault_core::status::{self, Kind, Level, Status, StatusOptions};

use super::UnlockArgs;
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::terminal::Terminal;
use certvault_i18n::render;
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The vault folder. Without it: the vault on a mounted removable volume, opened when a
    /// passphrase can be asked (a terminal) or a *-file flag is given; otherwise only this
    /// computer's records are checked (no secret needed).
    #[arg(long, value_name = "DIR")]
    pub vault: Option<PathBuf>,
    #[command(flatten)]
    pub unlock: UnlockArgs,
    /// Print a JSON report for monitoring scripts.
    #[arg(long)]
    pub json: bool,
}

/// `certvault status`.
pub fn run(args: &StatusArgs) -> Result<u8, CliError> {
    let opts = StatusOptions {
        vault: args.vault.clone(),
        unlock: args.unlock.source(),
        // A monitoring script's `--json` never waits for a passphrase.
        can_ask: std::io::stdin().is_terminal() && !args.json,
    };
    let status = status::status(&opts, &Terminal)?.phrased(&render);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status).expect("the status serialises"));
    } else {
        print(&status);
    }
    Ok(if status.needs_attention { EXIT_FOUND } else { EXIT_OK })
}

/// The checklist for people, each item's next step as a command.
pub fn print(status: &Status<String>) {
    print_with(status, &|item| item.command.clone())
}

/// The checklist for people, each item's next step phrased by `next` (the command line names
/// a command, the wizard its menu item).
pub fn print_with(
    status: &Status<String>,
    next: &dyn Fn(&certvault_core::status::Item<String>) -> Option<String>,
) {
    let header = status.vault.as_ref().map(|v| {
        t!("status-header-vault", dir = v.dir.clone(), generation = v.generation, count = v.entries)
    });
    print_checklist(status, header, next)
}

/// The checklist under `header` (the vault's line; without a vault, the records' line).
pub fn print_checklist(
    status: &Status<String>,
    header: Option<String>,
    next: &dyn Fn(&certvault_core::status::Item<String>) -> Option<String>,
) {
    println!("{}", header.unwrap_or_else(|| t!("status-header-logs")));
    println!();
    for item in &status.items {
        let mark = match item.level {
            Level::Urgent => "[!!]",
            Level::Soon => "[! ]",
            Level::Reminder => "[ -]",
            Level::Info => "[ i]",
        };
        crate::terminal::wrap::print_hanging(&format!("{mark} "), &item.message);
        if !item.paths.is_empty()
            && matches!(item.kind, Kind::StrayCopies | Kind::ZipKept | Kind::SheetPdfLeft)
        {
            for p in item.paths.iter().take(10) {
                println!("       {p}");
            }
            if item.paths.len() > 10 {
                println!("       {}", t!("status-more", count = item.paths.len() - 10));
            }
        }
        if item.kind == Kind::CertificateExpiring || item.kind == Kind::CertificateExpired {
            for p in &item.paths {
                println!("       {}", t!("status-installed-at", target = p.clone()));
            }
        }
        if let Some(c) = next(item) {
            crate::terminal::wrap::print_hanging("       → ", &c);
        }
    }
    if !status.items.is_empty() {
        println!();
    }
    println!("{}", if status.needs_attention { t!("status-needs-attention") } else { t!("status-all-good") });
}
