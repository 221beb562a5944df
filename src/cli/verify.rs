//! `certvault verify [DIR…]`: the call into the core and the copies' report, for people or as
//! JSON. Exit code 0 only when every copy is complete and current, 1 otherwise.

use std::path::PathBuf;

use certvault_core::vault::copies::{self, Examination};

use super::progress::WithProgress;
use super::UnlockArgs;
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::terminal::Terminal;
use certvault_i18n::render;
use certvault_i18n::t;

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
    Ok(if exam.all_current() && exam.programs_ok() { EXIT_OK } else { EXIT_FOUND })
}

/// Each copy's state and problems, and what to do next (verify and sync).
pub fn print_report(exam: &Examination) {
    println!("{}", t!("copies-vault", id = exam.vault_id, generation = exam.newest_generation));
    for c in &exam.copies {
        println!("{}", render(&exam.copy_line(c)));
        for p in &c.problems {
            println!("    {}", render(p));
        }
    }
    for advice in exam.advice() {
        println!("{}", render(&advice));
    }
}
