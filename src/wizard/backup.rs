//! 「証明書を保管する」 (init → add → sheet), 「更新した証明書を保管する」 (add → sheet) and
//! 「復旧シートを印刷する」 (sheet).

use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;

use super::{choose_place, choose_vault, open_vault, Place, Session, Ui};
use crate::error::CliError;
use certvault_core::certificate::x509::Purpose;
use certvault_core::dates::human_date;
use certvault_core::scan::{self, classify::Class};
use certvault_core::Message;

use crate::cli::progress::WithProgress;
use crate::terminal::Terminal;
use certvault_core::sheet::{self, pdf_file, Split};
use certvault_core::vault::create::{self, InitOptions};
use certvault_core::vault::entries::{SealOptions, Sealed};
use certvault_core::vault::{self, Unlock};
use certvault_i18n::t;

use certvault_core::media::VAULT_FOLDER;

pub(crate) fn run(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-backup"));
    ui.say(&t!("wizard-backup-intro"));

    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-stick-why"));
    let Some(place) = choose_place(ui, true)? else { return Ok(()) };
    let dir = match place {
        Place::Vault(dir) => {
            ui.say(&t!("wizard-using-vault", dir = dir.display()));
            dir
        }
        Place::NewVault(dir) => {
            // Under a folder of CERTVAULT_MEDIA_ROOTS: a stick by declaration, as in the list.
            let declared = super::declared_roots().iter().any(|r| dir.starts_with(r));
            create(ui, session, dir, declared)?
        }
        Place::Medium { root, declared } => {
            let dir = root.join(VAULT_FOLDER);
            if vault::read_header(&dir).is_ok() {
                ui.say(&t!("wizard-using-vault", dir = dir.display()));
                dir
            } else {
                create(ui, session, dir, declared)?
            }
        }
    };

    ui.step(&t!("wizard-step-cert"), &t!("wizard-step-cert-why"));
    let added = add_certificates(ui, session, &dir)?;

    let first_sheet = session.pin_code_for(&dir).is_some();
    let mut printed = None;
    if added > 0 || first_sheet {
        ui.step(&t!("wizard-step-sheet"), &t!("wizard-step-sheet-after-backup"));
        printed = print_sheet(ui, session, &dir)?;
    }
    let steps = match printed {
        // A vault that had a sheet before: what to do with the old one (never lose the only
        // PIN code).
        Some((pin_code_on_new, split)) if !first_sheet => {
            let mut steps: Vec<String> = sheet::advice_after_reprint(pin_code_on_new, split)
                .iter()
                .map(certvault_i18n::render)
                .collect();
            steps.insert(1, t!("wizard-next-stick-home"));
            steps.push(t!("wizard-next-clean"));
            steps
        }
        _ => vec![
            t!("wizard-next-print"),
            t!("wizard-next-stick-home"),
            t!("wizard-next-apart"),
            t!("wizard-next-clean"),
        ],
    };
    ui.next_steps(&t!("wizard-next-title"), &steps);
    Ok(())
}

/// Finds certificate files, lets the user pick each one to keep, checks its PIN offline and
/// seals it (as `certvault add`: a newer certificate of the same kind and institution
/// supersedes the older one, which the core tells). Returns how many were added.
fn add_certificates(ui: &Ui, session: &mut Session, dir: &Path) -> Result<usize, CliError> {
    let mut added = 0;
    // Files already in the vault (by their bytes) are not offered again: the vault is opened
    // before the search (its passphrase asked now, once, unless typed earlier in this session),
    // as the window does.
    let mut in_vault: std::collections::HashSet<String> = std::collections::HashSet::new();
    {
        let vault = open_vault(ui, session, dir, false)?;
        in_vault.extend(vault.payload.manifest.entries.iter().map(|e| e.sha256.clone()));
    }
    while let Some(file) = find_certificate(ui, dir, &in_vault)? {
        ui.say(&t!("wizard-pin-why"));
        let cert = crate::cli::add::verify(&file, None)?;
        let purpose = choose_purpose(ui, cert.purpose(None))?;
        let mut vault = open_vault(ui, session, dir, true)?;
        let name = cert.file.display_name();
        let opts = SealOptions { purpose: Some(purpose), ..SealOptions::default() };
        match crate::cli::add::seal(&mut vault, &cert, &opts)? {
            Sealed::Added { .. } => {
                added += 1;
                ui.say(&t!("wizard-add-done", file = name));
            }
            Sealed::Already { .. } => ui.say(&t!("wizard-add-already", file = name)),
            Sealed::Cancelled => ui.say(&t!("cancelled")),
        }
        in_vault.extend(vault.payload.manifest.entries.iter().map(|e| e.sha256.clone()));
        drop(vault);
        if !ui.confirm(&t!("wizard-add-another")) {
            break;
        }
    }
    Ok(added)
}

/// 「更新した証明書を保管する」: the renewed certificate file into the existing vault (the old
/// one is marked superseded and keeps working for its last month), then the sheet printed
/// again, since it lists the vault's certificates.
pub(crate) fn renewed(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-renewed"));
    ui.say(&t!("wizard-renewed-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-vault-why"));
    let Some(dir) = choose_vault(ui)? else { return Ok(()) };
    ui.step(&t!("wizard-step-renewed-cert"), &t!("wizard-step-cert-why"));
    if add_certificates(ui, session, &dir)? == 0 {
        return Ok(());
    }
    ui.step(&t!("wizard-step-sheet"), &t!("wizard-step-sheet-after-renewal"));
    let mut steps: Vec<String> = match print_sheet(ui, session, &dir)? {
        Some((pin_code_on_new, split)) => {
            sheet::advice_after_reprint(pin_code_on_new, split).iter().map(certvault_i18n::render).collect()
        }
        None => vec![t!("wizard-next-print")],
    };
    steps.push(t!("wizard-next-restore-renewed"));
    steps.push(t!("wizard-next-check-after-change"));
    steps.push(t!("wizard-next-clean"));
    ui.next_steps(&t!("wizard-next-title"), &steps);
    Ok(())
}

/// The certificate's purpose: the one guessed from the issuer and the file name, first, or
/// another the user knows better (a self-signed or unknown-CA file is guessed 「その他」).
/// Esc keeps the guess.
fn choose_purpose(ui: &Ui, guessed: Purpose) -> Result<Purpose, CliError> {
    let mut order = vec![guessed];
    order.extend(
        [Purpose::OnlineQualification, Purpose::HpkiSecond, Purpose::Other]
            .into_iter()
            .filter(|p| *p != guessed),
    );
    let items: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let text = crate::cli::inspect::purpose_text(*p);
            if i == 0 {
                t!("wizard-purpose-guessed", purpose = text)
            } else {
                text
            }
        })
        .collect();
    ui.say(&t!("wizard-purpose-why"));
    Ok(match ui.select(&t!("wizard-purpose-prompt"), &items)? {
        Some(i) => order[i],
        None => guessed,
    })
}

/// Creates the vault in `dir` exactly as `certvault init DIR` does (the same checks, the same
/// passphrase rules), then shows the two codes once.
fn create(ui: &Ui, session: &mut Session, dir: PathBuf, declared: bool) -> Result<PathBuf, CliError> {
    let opts = InitOptions {
        dir: dir.clone(),
        passphrase_file: None,
        recovery_out: None,
        sheet_out: None,
        sheet_lang: session.sheet_lang,
        // A folder of CERTVAULT_MEDIA_ROOTS is a stick by declaration (USB SSDs that report
        // as fixed disks); anything else is asked about by check_init.
        allow_fixed_disk: declared,
        // The wizard shows them on this terminal.
        codes_shown: true,
        // The new computer finds the program on the stick.
        programs: true,
    };
    ui.say(&t!("wizard-new-vault", dir = dir.display()));
    create::check_init(&opts, &Terminal)?;
    ui.step(&t!("wizard-step-passphrase"), &t!("wizard-step-passphrase-why"));
    let passphrase = certvault_core::vault::passphrase::new_passphrase(None, &Terminal)?;
    let new = ui.spin(certvault_core::msg!("wizard-creating"), || {
        create::create_vault(&opts, &passphrase, &Terminal)
    })?;
    ui.say(&t!("init-done", dir = dir.display()));

    ui.step(&t!("wizard-step-codes"), &t!("wizard-step-codes-why"));
    crate::cli::init::print_codes(&new);
    ui.pause(&t!("wizard-codes-written"));
    session.remember_passphrase(&dir, passphrase);
    session.pin_code = Some((super::same_dir_key(&dir), new.pin_code.clone()));
    Ok(dir)
}

/// Looks for certificate files by content in the usual places (as `certvault scan` does)
/// and lets the user pick one, or type its path. `None`: the user is done.
fn find_certificate(
    ui: &Ui,
    vault_dir: &Path,
    in_vault: &std::collections::HashSet<String>,
) -> Result<Option<PathBuf>, CliError> {
    ui.say(&t!("wizard-searching-certs"));
    let roots = scan::resolve_roots(&[], Some(vault_dir))?;
    let talk = WithProgress::on_terminal(&Terminal, false);
    let report = scan::scan(&roots, None, scan::Settings::default(), &talk)?;
    talk.clear();
    let mut files: Vec<&scan::Hit<Message>> =
        report.hits.iter().filter(|h| h.archive_entry.is_none() && h.class != Class::NotReadable).collect();
    files.retain(|h| h.sha256.as_ref().is_none_or(|sha| !in_vault.contains(sha)));
    files.sort_by(|a, b| b.modified.cmp(&a.modified));
    if files.is_empty() {
        ui.say(&t!("wizard-no-certs-found"));
    } else {
        ui.say(&t!("wizard-certs-found", count = files.len()));
    }
    let mut items: Vec<String> = files.iter().map(|h| certificate_item(h)).collect();
    items.push(t!("wizard-type-file"));
    items.push(t!("wizard-done-adding"));
    loop {
        match ui.select(&t!("wizard-choose-cert"), &items)? {
            Some(i) if i < files.len() => return Ok(Some(files[i].path.clone())),
            Some(i) if i == files.len() => {
                let answer = ui.input(&t!("wizard-ask-file"))?;
                if answer.is_empty() {
                    continue;
                }
                return Ok(Some(PathBuf::from(answer)));
            }
            _ => return Ok(None),
        }
    }
}

/// `202101010000777.p12 — さくら内科 (有効期限 2027-03-31) — /home/…/Downloads`
fn certificate_item(hit: &scan::Hit<Message>) -> String {
    let name = hit.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let folder = hit.path.parent().map(|p| p.display().to_string()).unwrap_or_default();
    match &hit.certificate {
        Some(c) => {
            let who = sheet::subject_attribute(&c.subject, "O")
                .or_else(|| sheet::subject_attribute(&c.subject, "CN"))
                .unwrap_or_else(|| c.subject.clone());
            let until = human_date(&c.not_after);
            t!(
                "wizard-cert-item",
                file = name,
                who = who,
                until = until.get(..10).unwrap_or(&until),
                folder = folder
            )
        }
        None => t!("wizard-cert-item-locked", file = name, folder = folder),
    }
}

/// 「復旧シートを印刷する」 from the menu.
pub(crate) fn sheet(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-sheet"));
    ui.say(&t!("wizard-sheet-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-vault-why"));
    let Some(dir) = choose_vault(ui)? else { return Ok(()) };
    let first_sheet = session.pin_code_for(&dir).is_some();
    let Some((pin_code_on_new, split)) = print_sheet(ui, session, &dir)? else { return Ok(()) };
    let steps: Vec<String> = if first_sheet {
        vec![t!("wizard-next-print"), t!("wizard-next-apart")]
    } else {
        sheet::advice_after_reprint(pin_code_on_new, split).iter().map(certvault_i18n::render).collect()
    };
    ui.next_steps(&t!("wizard-next-title"), &steps);
    Ok(())
}

/// Writes the sheet (or split sheets) of `dir` as `certvault sheet` does. `None` when the
/// user went back; else whether the PIN code is on it, and the split.
fn print_sheet(
    ui: &Ui,
    session: &mut Session,
    dir: &Path,
) -> Result<Option<(bool, Option<Split>)>, CliError> {
    let kinds = [t!("wizard-sheet-single"), t!("wizard-sheet-split", threshold = 2, total = 3)];
    let split = match ui.select(&t!("wizard-sheet-kind"), &kinds)? {
        Some(0) => None,
        Some(_) => Some(Split { threshold: 2, total: 3 }),
        None => return Ok(None),
    };
    let out = ask_out_path(ui, dir, split)?;

    let pin_code = match session.pin_code_for(dir) {
        Some(code) => Some(code.clone()),
        None => ask_pin_code()?,
    };
    let vault = open_vault(ui, session, dir, false)?;
    let unlock = match session.passphrase_for(dir) {
        Some(p) => Unlock::Passphrase(p.clone()),
        None => return Err(CliError::new(t!("cancelled"))),
    };
    let written = ui.spin(certvault_core::msg!("wizard-rendering"), || {
        certvault_core::sheet::write_sheets(
            &vault,
            &unlock,
            pin_code.as_ref(),
            &out,
            session.sheet_lang,
            split,
            &Terminal,
        )
    })?;
    for file in &written {
        ui.say(&t!("sheet-done", file = file.display()));
    }
    if let Some(s) = split {
        ui.say(&t!("sheet-split-done", threshold = s.threshold, total = s.total));
    }
    print_and_remove(ui, &written);
    Ok(Some((pin_code.is_some(), split)))
}

/// Offers to send the PDFs to the printer now and, once they are printed, to remove them:
/// with the stick, a sheet left on this computer opens everything.
fn print_and_remove(ui: &Ui, written: &[PathBuf]) {
    println!();
    if !ui.confirm(&t!("wizard-print-now")) {
        return;
    }
    for file in written {
        if let Err(e) = pdf_file::print_pdf(file) {
            ui.error(&e.into());
            return;
        }
    }
    ui.say(&t!("wizard-print-sent"));
    if !ui.confirm(&t!("wizard-delete-after-print")) {
        return;
    }
    for file in written {
        match pdf_file::remove_sheet_pdf(file) {
            Ok(()) => ui.say(&t!("wizard-sheet-removed", file = file.display())),
            Err(e) => ui.error(&e.into()),
        }
    }
}

/// The PDF's name: proposed in Documents (never in the vault, never over a file), changed at
/// will; checked by the same rule as `sheet --out`.
fn ask_out_path(ui: &Ui, dir: &Path, split: Option<Split>) -> Result<PathBuf, CliError> {
    // Never a folder a cloud service copies off this computer, unless the user says so.
    let folder = pdf_file::local_sheet_folder().unwrap_or_else(super::documents_folder);
    let mut proposal = folder.join(format!("certvault-sheet-{}.pdf", super::today()));
    let mut n = 2;
    while planned(&proposal, split).iter().any(|p| p.exists()) {
        proposal = folder.join(format!("certvault-sheet-{}-{n}.pdf", super::today()));
        n += 1;
    }
    loop {
        let out = ui.ask_path(
            &t!("wizard-sheet-proposal", file = proposal.display()),
            &t!("wizard-ask-other-path"),
            &proposal,
        )?;
        match planned(&out, split).iter().try_for_each(|p| sheet::check_out_path(p, dir)) {
            Ok(()) if pdf_file::is_synced_folder(&out) => {
                ui.say(&t!("wizard-sheet-synced", file = out.display()));
                if ui.confirm(&t!("wizard-sheet-synced-anyway")) {
                    return Ok(out);
                }
            }
            Ok(()) => return Ok(out),
            Err(e) => ui.error(&e.into()),
        }
    }
}

fn planned(out: &Path, split: Option<Split>) -> Vec<PathBuf> {
    match split {
        Some(s) => sheet::split_paths(out, s.total),
        None => vec![out.to_path_buf()],
    }
}

/// The PIN code from the first sheet, to print it again (no echo); empty = leave it off.
fn ask_pin_code() -> Result<Option<vault_format::Code>, CliError> {
    println!("{}", t!("wizard-pin-code-why"));
    loop {
        let text =
            crate::terminal::secret_input::prompt_secret(&t!("wizard-enter-pin-code")).map_err(|_| {
                CliError::new(t!("err-no-terminal", what = t!("what-pin-code"), flag = "--pin-code-file"))
            })?;
        if text.expose_secret().trim().is_empty() {
            return Ok(None);
        }
        match certvault_core::vault::pin::parse_pin_code(text.expose_secret()) {
            Ok(code) => return Ok(Some(code)),
            Err(e) => eprintln!("{}", certvault_i18n::render(&e.message)),
        }
    }
}
