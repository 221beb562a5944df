//! 「端末に残ったコピーを掃除する」: `certvault clean`, a dry run first, then the removal
//! after the user agreed.

use super::{choose_vault, open_vault, Session, Ui};
use crate::clean::{self, CleanOptions};
use crate::error::CliError;
use crate::t;
use crate::vault_commands::confirm;

pub(crate) fn run(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-clean"));
    ui.say(&t!("wizard-clean-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-clean-vault-why"));
    let Some(dir) = choose_vault(ui)? else { return Ok(()) };
    let mut vault = open_vault(ui, session, &dir, false)?;

    ui.step(&t!("wizard-step-search"), &t!("wizard-step-search-why"));
    let mut opts = CleanOptions {
        paths: Vec::new(),
        vault: dir.clone(),
        unlock: Default::default(),
        apply: false,
        seal_unknown: false,
        pin_file: None,
        all_files: false,
        json: false,
    };
    let dry_run = clean::clean_vault(&mut vault, &opts)?;
    crate::cli::clean::print_table(&dry_run);
    let removable = dry_run.summary.would_remove;
    let unknown_left = dry_run.summary.left > 0;
    if removable > 0 {
        // What overwriting can and cannot do, before the user decides.
        println!();
        ui.say(&dry_run.notice);
        println!();
        if confirm(&t!("wizard-clean-confirm", count = removable)) {
            opts.apply = true;
            let done = clean::clean_vault(&mut vault, &opts)?;
            println!();
            crate::cli::clean::print_table(&done);
        } else {
            ui.say(&t!("cancelled"));
        }
    }
    let mut steps = Vec::new();
    if unknown_left {
        steps.push(t!("wizard-next-seal-unknown"));
    }
    steps.push(t!("wizard-next-clean-other-places"));
    steps.push(t!("wizard-next-stick-home"));
    ui.next_steps(&t!("wizard-next-title"), &steps);
    Ok(())
}
