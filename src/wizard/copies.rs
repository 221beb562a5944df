//! 「2本目のUSBメモリを作る」 (`certvault clone`) and 「USBメモリを点検する」 (`certvault
//! verify`, then `sync` when a copy is old or damaged), through the core's `vault::copies`.
//! The passphrase typed once in this session is given to the core, not asked again.

use std::path::PathBuf;

use certvault_core::media as discover;
use certvault_core::media::VAULT_FOLDER;
use certvault_core::vault::copies::{self, CloneOptions, Examination};
use certvault_core::vault::{OpenVault, Unlock, UnlockSource};
use certvault_i18n::render;
use certvault_i18n::t;

use super::{choose_place_asking, choose_vault, Place, Session, Ui};
use crate::cli::progress::WithProgress;
use crate::error::CliError;
use crate::terminal::Terminal;

/// The passphrase typed earlier in this session for `dir`, or asked now (no echo) and tried on
/// `dir` at once: a mistyped one is asked again in place.
fn unlock_for(session: &Session, dir: &std::path::Path) -> Result<Unlock, CliError> {
    if let Some(p) = session.passphrase_for(dir) {
        return Ok(Unlock::Passphrase(p.clone()));
    }
    let source = UnlockSource { ask_again: true, ..UnlockSource::default() };
    let (vault, unlock) = OpenVault::open_asking(dir, &source, false, &Terminal)?;
    drop(vault);
    Ok(unlock)
}

/// Remembers the passphrase that just worked (the next step does not ask again).
fn remember(session: &mut Session, dirs: &[PathBuf], unlock: Unlock) {
    if let (Unlock::Passphrase(p), Some(dir)) = (unlock, dirs.first()) {
        session.remember_passphrase(dir, p);
    }
}

/// Each copy's state and problems (as `certvault verify` prints them), and the core's advice
/// but for the steps this moment takes itself or names as menu items: the commands `clone`
/// and `sync` are not this user's (issue 16).
fn show(exam: &Examination) {
    println!();
    println!("{}", t!("copies-vault", id = exam.vault_id.clone(), generation = exam.newest_generation));
    for c in &exam.copies {
        println!("{}", render(&exam.copy_line(c)));
        for p in &c.problems {
            println!("    {}", render(p));
        }
    }
    for advice in exam.advice() {
        match advice.id {
            "copies-suggest-sync" | "copies-single" => {}
            _ => println!("{}", render(&advice)),
        }
    }
}

pub(crate) fn second_stick(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-second-stick"));
    ui.say(&t!("wizard-second-stick-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-vault-why"));
    let Some(source) = choose_vault(ui)? else { return Ok(()) };

    ui.step(&t!("wizard-step-second-stick"), &t!("wizard-step-second-stick-why"));
    let (dest, declared) = match choose_place_asking(
        ui,
        true,
        false,
        "wizard-choose-second-stick",
        "wizard-place-second-stick",
    )? {
        None => return Ok(()),
        // A folder typed that already holds a vault: a copy is checked, not made again.
        Some(Place::Vault(dir)) => {
            ui.say(&t!("wizard-second-stick-has-vault", dir = dir.display()));
            return Ok(());
        }
        Some(Place::Medium { root, declared }) => (root.join(VAULT_FOLDER), declared),
        Some(Place::NewVault(dir)) => {
            let declared = super::declared_roots().iter().any(|r| dir.starts_with(r));
            (dir, declared)
        }
    };
    let unlock = unlock_for(session, &source)?;
    let opts = CloneOptions {
        source: source.clone(),
        unlock: UnlockSource { given: Some(unlock.clone()), ..UnlockSource::default() },
        dest: dest.clone(),
        // A folder of CERTVAULT_MEDIA_ROOTS is a stick by declaration; anything else that is
        // not removable is asked about by the core.
        allow_fixed_disk: declared,
        // The new stick carries the program too (SPEC.md §2.6).
        programs: true,
    };
    let cloned = copies::clone(&opts, &WithProgress::on_terminal(&Terminal, false))?;
    remember(session, std::slice::from_ref(&source), unlock);
    println!();
    ui.say(&t!("clone-done", src = source.display(), dir = dest.display(), generation = cloned.generation));
    show(&cloned.copies);
    ui.next_steps(
        &t!("wizard-next-title"),
        &[t!("wizard-next-second-stick-apart"), t!("wizard-next-sync-later")],
    );
    Ok(())
}

pub(crate) fn check_sticks(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-check-sticks"));
    ui.say(&t!("wizard-check-sticks-intro"));
    // The vaults on the sticks plugged in now; the user may plug in the second one first.
    let dirs = loop {
        let found = discover::vaults_on_media();
        println!();
        if found.is_empty() {
            ui.say(&t!("wizard-no-vault"));
        } else {
            ui.say(&t!("wizard-sticks-found", count = found.len()));
            for d in &found {
                println!("  - {}", certvault_i18n::text::escaped(&d.display().to_string()));
            }
        }
        let mut items = Vec::new();
        if !found.is_empty() {
            items.push(t!("wizard-check-start"));
        }
        items.push(t!("wizard-search-again"));
        items.push(t!("wizard-back"));
        let start = usize::from(!found.is_empty());
        match ui.select(&t!("wizard-check-prompt"), &items)? {
            Some(0) if start == 1 => break found,
            Some(i) if i == start => continue,
            _ => return Ok(()),
        }
    };
    let unlock = unlock_for(session, &dirs[0])?;
    let source = UnlockSource { given: Some(unlock.clone()), ..UnlockSource::default() };
    let talk = WithProgress::on_terminal(&Terminal, false);
    let exam = copies::verify(&dirs, &source, &talk)?;
    remember(session, &dirs, unlock);
    show(&exam);
    let mut steps = Vec::new();
    if exam.all_current() && exam.programs_ok() {
        println!();
        ui.say(&t!("wizard-sticks-all-current", count = exam.copies.len()));
        if exam.copies.len() < 2 {
            steps.push(t!("wizard-next-make-second-stick"));
        }
    } else {
        println!();
        if ui.confirm(&t!("wizard-sync-confirm")) {
            let synced = copies::sync(&dirs, &source, true, &talk)?;
            println!();
            for a in &synced.actions {
                ui.say(&render(a));
            }
            if synced.actions.is_empty() {
                ui.say(&t!("sync-nothing"));
            }
            show(&synced.copies);
            if synced.copies.all_current() && synced.copies.programs_ok() {
                ui.say(&t!("wizard-sticks-all-current", count = synced.copies.copies.len()));
            }
        }
    }
    steps.push(t!("wizard-next-second-stick-apart"));
    ui.next_steps(&t!("wizard-next-title"), &steps);
    Ok(())
}
