//! `certvault clone --vault SRC DEST`: the call into the core, and what was copied, for people
//! or as JSON.

use std::path::PathBuf;

use certvault_core::vault::copies::{self, CloneOptions, Report};
use serde::Serialize;

use super::progress::WithProgress;
use super::VaultArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_i18n::render;
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct CloneArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// The new copy's folder (created; must be new or empty).
    pub dest: PathBuf,
    /// Write the copy even though DEST is not on removable media.
    #[arg(long)]
    pub allow_fixed_disk: bool,
    /// Do not copy the program files of the vault folder's program/.
    #[arg(long)]
    pub no_program: bool,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct CloneReport {
    source: String,
    dest: String,
    generation: u64,
    copies: Report<String>,
}

pub fn run(args: &CloneArgs) -> Result<u8, CliError> {
    let opts = CloneOptions {
        source: args.vault.vault.clone(),
        unlock: args.vault.unlock.source(),
        dest: args.dest.clone(),
        allow_fixed_disk: args.allow_fixed_disk,
        programs: !args.no_program,
    };
    let cloned = copies::clone(&opts, &WithProgress::on_terminal(&Terminal, args.json))?;
    let (src, dest) = (&opts.source, &opts.dest);
    if args.json {
        let report = CloneReport {
            source: src.display().to_string(),
            dest: dest.display().to_string(),
            generation: cloned.generation,
            copies: cloned.copies.report().phrased(&render),
        };
        println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
    } else {
        println!(
            "{}",
            t!("clone-done", src = src.display(), dir = dest.display(), generation = cloned.generation)
        );
    }
    Ok(EXIT_OK)
}
