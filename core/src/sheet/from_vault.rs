//! The recovery sheet of a vault: `certvault sheet` (and the wizard's), split sheets, and the
//! first sheet written by `init --sheet-out`. Builds the [`SheetInput`] from an open vault (or
//! a new one) and writes the PDF.
//!
//! Rules for the output file, for both: never inside the vault folder (compared as
//! canonical paths), never over an existing file, created readable by the owner only.
//! With a split K-of-N, `sheet.pdf` becomes `sheet-1-of-N.pdf` … `sheet-N-of-N.pdf`,
//! one file per share sheet, so that each can be printed and stored on its own.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use vault_format::share::{code_check_value, Share};
use vault_format::{generation_file_name, Code, CodeKind, Entry, Identity, Manifest, NewVault};

use super::{
    render_pdf, CodeBlock, Preview, ShareInfo, SheetCertificate, SheetInput, SheetLang, Templates, Texts,
};
use crate::certificate::x509::colon_hex_from_plain;
use crate::conversation::Conversation;
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;
use crate::vault::{self, pin, write_private_file, OpenVault, Unlock};

/// `--split K-of-N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub threshold: u8,
    pub total: u8,
}

/// Parses `K-of-N` (also `KofN`, `K/N`), 2 ≤ K ≤ N ≤ 9.
pub fn parse_split(s: &str) -> Result<Split, Message> {
    let lower = s.trim().to_ascii_lowercase();
    let parts: Option<(&str, &str)> =
        lower.split_once("-of-").or_else(|| lower.split_once("of")).or_else(|| lower.split_once('/'));
    let parsed = parts.and_then(|(k, n)| Some((k.trim().parse::<u8>().ok()?, n.trim().parse::<u8>().ok()?)));
    match parsed {
        Some((k, n))
            if (vault_format::share::MIN_THRESHOLD..=n).contains(&k)
                && n <= vault_format::share::MAX_SHARES =>
        {
            Ok(Split { threshold: k, total: n })
        }
        _ => Err(msg!("err-split-format")),
    }
}

/// The files a `--split` run writes: `name-i-of-N.ext`.
pub fn split_paths(out: &Path, total: u8) -> Vec<PathBuf> {
    let stem = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "sheet".into());
    let ext = out.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_else(|| "pdf".into());
    (1..=total).map(|i| out.with_file_name(format!("{stem}-{i}-of-{total}.{ext}"))).collect()
}

/// The canonical form of `path`, or of its nearest existing ancestor with the rest appended
/// (for a vault folder that `init` has not created yet).
fn canonical_or_planned(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            return Some(rest.iter().rev().fold(c, |p: PathBuf, n| p.join(n)));
        }
        rest.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
}

/// Refuses an output file inside the vault folder or one that already exists.
pub fn check_out_path(out: &Path, vault_dir: &Path) -> Result<(), Error> {
    if out.exists() || out.symlink_metadata().is_ok() {
        return Err(Error::new(ErrorKind::Refused, msg!("err-exists", file = out.display())));
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let (Some(p), Some(v)) = (canonical_or_planned(parent), canonical_or_planned(vault_dir)) {
        if p.starts_with(&v) {
            return Err(Error::new(
                ErrorKind::Refused,
                msg!("err-sheet-inside-vault", file = out.display(), dir = vault_dir.display()),
            ));
        }
    }
    if !parent.is_dir() {
        return Err(Error::new(ErrorKind::NotFound, msg!("err-sheet-no-folder", file = out.display())));
    }
    Ok(())
}

/// Writes one sheet: checked again right before writing, 0600, never over an existing file.
fn write_sheet(out: &Path, vault_dir: &Path, pdf: &[u8]) -> Result<(), Error> {
    check_out_path(out, vault_dir)?;
    write_private_file(out, pdf)
}

fn render(input: &SheetInput) -> Result<Vec<u8>, Error> {
    render_pdf(input).map_err(render_error)
}

fn render_error(detail: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Internal, msg!("err-sheet-render", detail = detail))
}

fn date_of(timestamp: &str) -> String {
    timestamp.get(..10).unwrap_or(timestamp).to_string()
}

fn code_block(code: &Code, identity: &Identity) -> CodeBlock {
    CodeBlock {
        groups: code.to_grouped_string(),
        identity: identity.to_string(),
        checksum: code_check_value(code),
    }
}

/// The value of attribute `key` (e.g. `O`) in a subject as certvault writes it
/// (`C=JP, O=…, CN=…`, RDNs joined by `, `, multi-valued ones by ` + `). A value that itself
/// contains `, ` is kept whole: a piece that does not start with `NAME=` continues the value
/// before it.
pub fn subject_attribute(subject: &str, key: &str) -> Option<String> {
    let looks_like_attribute = |piece: &str| {
        piece.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty()
                && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
    };
    let mut parts: Vec<String> = Vec::new();
    for piece in subject.split(", ").flat_map(|rdn| rdn.split(" + ")) {
        match parts.last_mut() {
            Some(last) if !looks_like_attribute(piece) => {
                last.push_str(", ");
                last.push_str(piece);
            }
            _ => parts.push(piece.to_string()),
        }
    }
    parts.iter().find_map(|p| {
        let (name, value) = p.split_once('=')?;
        (name.eq_ignore_ascii_case(key) && !value.trim().is_empty()).then(|| value.trim().to_string())
    })
}

fn purpose_name(texts: &Texts, p: vault_format::Purpose) -> String {
    match p {
        vault_format::Purpose::OnlineQualification => texts.certs.purpose_online_qualification.clone(),
        vault_format::Purpose::HpkiSecond => texts.certs.purpose_hpki_second.clone(),
        _ => texts.certs.purpose_other.clone(),
    }
}

fn certificate_row(texts: &Texts, e: &Entry) -> SheetCertificate {
    let c = &e.certificate;
    SheetCertificate {
        purpose: purpose_name(texts, e.purpose),
        subject: c.subject.clone(),
        institution_code: c.institution_code.clone(),
        issuer: c.issuer.clone(),
        serial: colon_hex_from_plain(&c.serial),
        not_after: date_of(&c.not_after),
        leaf_sha1: colon_hex_from_plain(&c.leaf_sha1),
        // The CA certificates are stored issuer first, so the root comes last.
        ca_sha1: c.ca_sha1.last().map(|h| colon_hex_from_plain(h)),
        file_sha256: e.sha256.clone(),
        hint_present: e.hint.is_some(),
    }
}

/// Everything on the sheet except the codes.
fn base_input(lang: SheetLang, manifest: &Manifest, generation: u64) -> Result<SheetInput, Error> {
    let templates = Templates::embedded().map_err(render_error)?;
    let texts = match lang {
        SheetLang::Ja => &templates.ja,
        SheetLang::En => &templates.en,
    };
    // The clinic is named by the current certificates first (superseded ones are older).
    let mut entries: Vec<&Entry> = manifest.entries.iter().collect();
    entries.sort_by_key(|e| e.superseded.is_some());
    let clinic_name = entries.iter().find_map(|e| subject_attribute(&e.certificate.subject, "O"));
    let institution_code = entries.iter().find_map(|e| e.certificate.institution_code.clone());
    Ok(SheetInput {
        lang,
        clinic_name,
        institution_code,
        vault_id: manifest.vault_id.to_string(),
        created: date_of(&manifest.created),
        generation,
        recovery: None,
        pin_code: None,
        share: None,
        certificates: manifest.entries.iter().map(|e| certificate_row(texts, e)).collect(),
        stock_tools_generation_file: generation_file_name(generation),
        programs: manifest.programs.clone(),
    })
}

/// For `init --sheet-out`: renders the first sheet of a new vault (R and C, no certificates
/// yet). Rendered before the vault is written, so a failure leaves nothing behind.
pub fn render_new_vault_sheet(
    new: &NewVault,
    lang: SheetLang,
    programs: &[vault_format::ProgramFile],
) -> Result<Vec<u8>, Error> {
    let mut manifest = Manifest::new(&new.header, 1, new.header.created.clone());
    manifest.programs = programs.to_vec();
    let mut input = base_input(lang, &manifest, 1)?;
    input.recovery = Some(code_block(new.unlock.recovery_code(), new.unlock.identity()));
    input.pin_code = Some(code_block(&new.pin_code, &new.pin_identity));
    render(&input)
}

/// For `init --sheet-out`: writes the sheet rendered by [`render_new_vault_sheet`].
pub fn write_new_vault_sheet(out: &Path, vault_dir: &Path, pdf: &[u8]) -> Result<(), Error> {
    write_sheet(out, vault_dir, pdf)
}

/// The recovery code R of an open vault: from `unlock.age` (checked against its identity,
/// SPEC.md §6.3, before anything is printed from it), the typed code, or the shares.
fn recovery_code(vault: &OpenVault, unlock: &Unlock) -> Result<Code, Error> {
    if let Some(file) = &vault.unlock_file {
        file.verify(&vault.payload.manifest.kdf.recovery).map_err(|e| {
            Error::new(
                ErrorKind::VaultDamaged,
                msg!(
                    "err-vault-damaged",
                    file = vault.dir.join(vault_format::UNLOCK_FILE_NAME).display(),
                    detail = e
                ),
            )
        })?;
        return Ok(file.recovery_code().clone());
    }
    match unlock {
        // Already parsed (and proven: its identity opened the vault) by OpenVault::open.
        Unlock::RecoveryCode(text) => Code::parse(CodeKind::Recovery, text.expose_secret())
            .map_err(|e| Error::new(ErrorKind::InvalidInput, crate::codes::code_error_message(&e))),
        Unlock::Shares(shares) => vault::combine_shares(shares),
        // OpenVault::open always reads unlock.age with the passphrase.
        Unlock::Passphrase(_) => Err(Error::new(
            ErrorKind::Internal,
            msg!(
                "err-vault-damaged",
                file = vault.dir.join(vault_format::UNLOCK_FILE_NAME).display(),
                detail = "unlock.age was not read"
            ),
        )),
    }
}

/// What to do with the paper once a sheet of an existing vault was printed again, as steps a
/// front-end lists after the new sheet is written. Never the advice to destroy the only copy of
/// anything: the PIN code is stored nowhere, so without it on the new sheet the old sheet's
/// PIN code strip is the only copy left and must be kept (or the sheet printed again with the
/// PIN code, after which every old sheet may go). The recovery code does not change, so an old
/// sheet that shows it whole still opens the vault: after split sheets it must go.
pub fn advice_after_reprint(pin_code_on_new: bool, split: Option<Split>) -> Vec<Message> {
    let mut steps = vec![msg!("sheet-advice-print"), msg!("sheet-advice-apart")];
    match (pin_code_on_new, split) {
        (true, None) => steps.push(msg!("sheet-advice-old-sheets-go")),
        (true, Some(_)) => steps.push(msg!("sheet-advice-old-sheets-must-go")),
        (false, _) => {
            steps.push(msg!("sheet-advice-keep-pin-strip"));
            steps.push(match split {
                Some(_) => msg!("sheet-advice-old-rest-must-go"),
                None => msg!("sheet-advice-old-rest-goes"),
            });
            steps.push(msg!("sheet-advice-reprint-with-pin"));
        }
    }
    steps
}

/// Renders and writes the sheet of an open vault to `out` (or, with `split`, the share sheets
/// `out-1-of-N.pdf` …, all or none), with the PIN code when it is given and belongs to this
/// vault. Returns the files written.
pub fn write_sheets(
    vault: &OpenVault,
    unlock: &Unlock,
    pin_code: Option<&Code>,
    out: &Path,
    lang: SheetLang,
    split: Option<Split>,
    talk: &dyn Conversation,
) -> Result<Vec<PathBuf>, Error> {
    let manifest = &vault.payload.manifest;
    let inputs = sheet_inputs(vault, unlock, pin_code, lang, split)?;
    let Some(split) = split else {
        let pdf = render(&inputs[0])?;
        write_sheet(out, &vault.dir, &pdf)?;
        crate::records::record_sheet(
            &vault.dir,
            &manifest.vault_id.to_string(),
            vault.generation,
            None,
            talk,
        );
        return Ok(vec![out.to_path_buf()]);
    };

    let outs = split_paths(out, split.total);
    // Render every sheet before writing any, and write all or none.
    let pdfs = inputs.iter().map(render).collect::<Result<Vec<_>, _>>()?;
    for (i, (out, pdf)) in outs.iter().zip(&pdfs).enumerate() {
        if let Err(e) = write_sheet(out, &vault.dir, pdf) {
            for written in &outs[..i] {
                let _ = std::fs::remove_file(written);
            }
            return Err(e);
        }
    }
    let split_text = format!("{}-of-{}", split.threshold, split.total);
    crate::records::record_sheet(
        &vault.dir,
        &manifest.vault_id.to_string(),
        vault.generation,
        Some(split_text),
        talk,
    );
    Ok(outs)
}

/// What [`write_sheets`] would print, for a window to show before or after printing: the first
/// sheet (with `split`, the first share's), codes blanked ([`super::preview`]).
pub fn preview_sheets(
    vault: &OpenVault,
    unlock: &Unlock,
    pin_code: Option<&Code>,
    lang: SheetLang,
    split: Option<Split>,
) -> Result<Preview, Error> {
    let inputs = sheet_inputs(vault, unlock, pin_code, lang, split)?;
    super::preview(&inputs[0]).map_err(render_error)
}

/// The sheets' inputs: one, or one per share (each share split afresh: a preview's shares are
/// not the printed ones, and are blanked anyway).
fn sheet_inputs(
    vault: &OpenVault,
    unlock: &Unlock,
    pin_code: Option<&Code>,
    lang: SheetLang,
    split: Option<Split>,
) -> Result<Vec<SheetInput>, Error> {
    let manifest = &vault.payload.manifest;
    let r = recovery_code(vault, unlock)?;
    let pin_block = match pin_code {
        Some(code) => {
            let identity = pin::derive_pin_identity(&vault.header, code)?;
            if !pin::is_vault_pin_identity(&vault.header, &identity) {
                return Err(Error::new(
                    ErrorKind::WrongSecret,
                    msg!("err-pin-code-other-vault", dir = vault.dir.display()),
                ));
            }
            Some(code_block(code, &identity))
        }
        None => None,
    };
    let Some(split) = split else {
        let mut input = base_input(lang, manifest, vault.generation)?;
        input.recovery = Some(code_block(&r, vault.identity()));
        input.pin_code = pin_block;
        return Ok(vec![input]);
    };
    let shares = vault_format::share::split(&r, split.threshold, split.total).map_err(render_error)?;
    shares
        .iter()
        .map(|share| {
            let mut input = base_input(lang, manifest, vault.generation)?;
            input.share = Some(share_info(share, split));
            input.pin_code = pin_block.as_ref().map(|b| CodeBlock {
                groups: b.groups.clone(),
                identity: b.identity.clone(),
                checksum: b.checksum.clone(),
            });
            Ok(input)
        })
        .collect()
}

fn share_info(share: &Share, split: Split) -> ShareInfo {
    let written: SecretString = share.to_grouped_string();
    ShareInfo {
        index: share.index(),
        threshold: split.threshold,
        total: split.total,
        share_groups: written.clone(),
        // The QR holds the written form: `zbarimg --raw` output works as a --share-file.
        share_qr: written,
        checksum: share.check_value(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_values() {
        assert_eq!(parse_split("2-of-3"), Ok(Split { threshold: 2, total: 3 }));
        assert_eq!(parse_split("3OF5"), Ok(Split { threshold: 3, total: 5 }));
        assert_eq!(parse_split("9/9"), Ok(Split { threshold: 9, total: 9 }));
        for bad in ["1-of-3", "4-of-3", "2-of-10", "2", "x-of-y", ""] {
            assert!(parse_split(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn split_file_names() {
        let p = split_paths(Path::new("/tmp/out/sheet.pdf"), 3);
        assert_eq!(p[0], Path::new("/tmp/out/sheet-1-of-3.pdf"));
        assert_eq!(p[2], Path::new("/tmp/out/sheet-3-of-3.pdf"));
    }

    #[test]
    fn clinic_name_from_subject() {
        assert_eq!(
            subject_attribute("C=JP, O=医療法人社団 さくら会, CN=1312345678", "O").as_deref(),
            Some("医療法人社団 さくら会")
        );
        assert_eq!(
            subject_attribute("C=JP, O=Sakura, Inc., OU=x + CN=y", "O").as_deref(),
            Some("Sakura, Inc.")
        );
        assert_eq!(subject_attribute("CN=1312345678,OU=a,C=JP", "O"), None);
        assert_eq!(subject_attribute("", "O"), None);
    }

    #[test]
    fn output_inside_the_vault_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault");
        std::fs::create_dir(&vault).unwrap();
        assert!(check_out_path(&vault.join("s.pdf"), &vault).is_err());
        std::fs::create_dir(vault.join("sub")).unwrap();
        assert!(check_out_path(&vault.join("sub/../sub/s.pdf"), &vault).is_err());
        // A vault folder not created yet (init) is compared as planned.
        let planned = dir.path().join("new-vault");
        assert!(check_out_path(&planned.join("s.pdf"), &planned).is_err());
        assert!(check_out_path(&dir.path().join("s.pdf"), &vault).is_ok());
        std::fs::write(dir.path().join("s.pdf"), b"x").unwrap();
        assert!(check_out_path(&dir.path().join("s.pdf"), &vault).is_err());
    }
}
