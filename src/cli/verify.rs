//! `certvault verify [DIR…]`: the call into the core and the copies' report, for people or as
//! JSON. Exit code 0 only when every copy is complete and current, 1 otherwise.

use std::path::PathBuf;

use certvault_core::vault::copies::{self, CopyState, Examination};

use super::progress::WithProgress;
use super::UnlockArgs;
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::i18n::render;
use crate::t;
use crate::terminal::Terminal;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The copies' folders. Default: the vault folders on the mounted removable volumes.
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub unlock: UnlockArgs,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &VerifyArgs) -> Result<u8, CliError> {
    let exam =
        copies::verify(&args.dirs, &args.unlock.source(), &WithProgress::on_terminal(&Terminal, args.json))?;
    if args.json {
        let report = exam.report().phrased(&render);
        println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
    } else {
        print_report(&exam);
    }
    Ok(if exam.all_current() { EXIT_OK } else { EXIT_FOUND })
}

/// Each copy's state and problems, and what to do next (verify and sync).
pub fn print_report(exam: &Examination) {
    println!("{}", t!("copies-vault", id = exam.vault_id, generation = exam.newest_generation));
    for c in &exam.copies {
        let path = c.path.display().to_string();
        let line = match c.state {
            CopyState::Current => {
                t!("copies-state-current", dir = path, generation = c.generation.unwrap_or(0))
            }
            CopyState::Stale => t!(
                "copies-state-stale",
                dir = path,
                generation = c.generation.unwrap_or(0),
                newest = exam.newest_generation
            ),
            CopyState::Damaged => t!("copies-state-damaged", dir = path),
            CopyState::Missing => t!("copies-state-missing", dir = path),
            CopyState::OtherVault => {
                t!("copies-state-other-vault", dir = path, id = c.vault_id.clone().unwrap_or_default())
            }
            CopyState::Diverged => {
                t!("copies-state-diverged", dir = path, generation = c.generation.unwrap_or(0))
            }
        };
        println!("{line}");
        for p in &c.problems {
            println!("    {}", render(p));
        }
    }
    if let Some(seen) = exam.seen_newer {
        println!("{}", t!("copies-older-than-seen", generation = exam.newest_generation, seen = seen));
    }
    if exam.copies.len() == 1 && exam.all_current() {
        println!("{}", t!("copies-single"));
    }
    if exam.copies.iter().any(|c| matches!(c.state, CopyState::Stale | CopyState::Damaged)) {
        println!("{}", t!("copies-suggest-sync"));
    }
}
