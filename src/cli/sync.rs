//! `certvault sync [DIR…]`: the call into the core, what was written and the copies' report
//! afterwards, for people or as JSON. Exit code 0 when every copy is current afterwards, 1
//! otherwise.

use std::path::PathBuf;

use certvault_core::vault::copies::{self, Report};
use serde::Serialize;

use super::progress::WithProgress;
use super::UnlockArgs;
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::terminal::Terminal;
use certvault_i18n::render;
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The copies' folders. Default: the vault folders on the mounted removable volumes.
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub unlock: UnlockArgs,
    /// Leave the program files of program/ as they are (by default a missing or altered one is
    /// written again, and a newer program than the vault lists is put in).
    #[arg(long)]
    pub no_program: bool,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct SyncReport {
    /// What was written, one line per file.
    actions: Vec<String>,
    copies: Report<String>,
}

pub fn run(args: &SyncArgs) -> Result<u8, CliError> {
    let synced = copies::sync(
        &args.dirs,
        &args.unlock.source(),
        !args.no_program,
        &WithProgress::on_terminal(&Terminal, args.json),
    )?;
    let actions: Vec<String> = synced.actions.iter().map(render).collect();
    if args.json {
        let report = SyncReport { actions, copies: synced.copies.report().phrased(&render) };
        println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
    } else {
        for a in &actions {
            println!("{a}");
        }
        if actions.is_empty() {
            println!("{}", t!("sync-nothing"));
        }
        super::verify::print_report(&synced.copies);
    }
    Ok(if synced.copies.all_current() && synced.copies.programs_ok() { EXIT_OK } else { EXIT_FOUND })
}
