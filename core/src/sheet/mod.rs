//! The printed recovery sheet: an A4 PDF (Japanese or English) that the clinic keeps in its
//! safe. What it holds: `vault-format/SPEC.md` §3–§4 and §13; the command: `docs/cli-contract.md`.
//!
//! * [`render_pdf`] turns a [`SheetInput`] into PDF bytes. No file I/O: the caller writes them.
//!   [`preview`] gives the same pages as shapes for a window, with the codes blanked.
//! * Texts and layout live in `templates/sheet/` (`sheet.ja.toml`, `sheet.en.toml`,
//!   `layout.toml`), embedded at build time and parsed at run time; [`render_pdf_with`]
//!   takes adapted [`Templates`].
//! * Fonts: IPAex Gothic (Japanese, IPA Font License), DejaVu Sans Mono (hashes, commands,
//!   check values; 0/O and 1/I/l are distinct) and "certvault Code", TeX Gyre Heros Condensed
//!   Bold cut down to the code alphabet (the recovery code, PIN code and shares: the face an
//!   OCR reads right most often, in English and in Japanese) from `assets/fonts/`
//!   (`README.md` there), embedded as subsets.
//! * QR codes (level M or higher, 4-module quiet zone, modules ≥ 0.5 mm) are vector
//!   rectangles. The recovery and PIN QR codes hold the `AGE-SECRET-KEY-1…` identity strings.
//!
//! Secrets stay in [`SecretString`] until drawn. The drawing buffers made from them are
//! wiped after the PDF is serialised; the returned PDF bytes of course contain them, and
//! printpdf's own serialisation buffers are not under our control.

mod compose;
mod draw;
mod from_vault;
pub mod pdf_file;
mod preview;
mod template;
mod text;

use secrecy::SecretString;

pub use from_vault::{
    advice_after_reprint, check_out_path, parse_split, preview_sheets, render_new_vault_sheet, split_paths,
    subject_attribute, write_new_vault_sheet, write_sheets, Split,
};
pub use preview::{preview, Preview, Shape};
pub use template::{Templates, Texts};

/// What every sheet PDF carries as the Info dictionary's `/Identifier`, written as a literal
/// string `(certvault-recovery-sheet-v1)` in plain ASCII: with the stick, a sheet opens
/// everything, so `scan` and `status` look for sheet PDFs left on a computer by these bytes in
/// the last few kilobytes of a `.pdf` file ([`is_sheet_pdf`]), without parsing the PDF.
pub const PDF_MARKER: &str = "certvault-recovery-sheet-v1";

/// How many bytes from the end of a PDF [`is_sheet_pdf`] needs: the Info dictionary is the last
/// object printpdf writes, followed by the cross-reference table (20 bytes per object; a
/// sheet has well under 100 objects) and the trailer.
pub const PDF_MARKER_TAIL: usize = 8 * 1024;

/// Whether a file whose first bytes are `head` and last [`PDF_MARKER_TAIL`] bytes are `tail`
/// is a recovery sheet written by certvault.
pub fn is_sheet_pdf(head: &[u8], tail: &[u8]) -> bool {
    let needle = format!("({PDF_MARKER})");
    // memmem, not a byte-by-byte window compare: scan asks this of every PDF it meets.
    head.starts_with(b"%PDF-") && memchr::memmem::find(tail, needle.as_bytes()).is_some()
}

/// Language of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SheetLang {
    /// Japanese, with small English subtitles under headings.
    #[default]
    Ja,
    /// English only.
    En,
}

/// Everything printed on a sheet.
#[derive(Debug)]
pub struct SheetInput {
    pub lang: SheetLang,
    pub clinic_name: Option<String>,
    /// Medical institution code, 10 digits.
    pub institution_code: Option<String>,
    pub vault_id: String,
    /// Creation date as it should be printed, e.g. "2025-04-01".
    pub created: String,
    pub generation: u64,
    /// The recovery code R. Exactly one of `recovery` and `share` must be given.
    pub recovery: Option<CodeBlock>,
    /// The PIN code C; `None` on a reprint (C is never stored), then the sheet says so.
    pub pin_code: Option<CodeBlock>,
    /// On a split (Shamir) sheet: this sheet's share, printed instead of R.
    pub share: Option<ShareInfo>,
    pub certificates: Vec<SheetCertificate>,
    /// Vault generation file named in the stock-tools commands, e.g. "vault-3.age".
    pub stock_tools_generation_file: String,
    /// The program files on the stick (SPEC.md §2.6), printed with their SHA-256 so that a
    /// program on the stick can be checked against the paper.
    pub programs: Vec<vault_format::ProgramFile>,
}

/// A typable code with its QR payload.
#[derive(Debug)]
pub struct CodeBlock {
    /// Groups as printed, e.g. "7K2QD-M9XAE-…" (hyphen-separated).
    pub groups: SecretString,
    /// The derived age identity, `AGE-SECRET-KEY-1…`: the QR code's exact content.
    pub identity: SecretString,
    /// Short check value, printed so a retyped code can be checked.
    pub checksum: String,
}

/// One share of a K-of-N split sheet.
#[derive(Debug)]
pub struct ShareInfo {
    /// This share's number, 1-based.
    pub index: u8,
    /// K: shares needed.
    pub threshold: u8,
    /// N: shares printed.
    pub total: u8,
    /// The share as typable groups, hyphen-separated (any number of groups).
    pub share_groups: SecretString,
    /// The QR code's exact content.
    pub share_qr: SecretString,
    pub checksum: String,
}

/// One row of the certificate table. All values are printed as given.
#[derive(Debug, Clone, Default)]
pub struct SheetCertificate {
    pub purpose: String,
    pub subject: String,
    pub institution_code: Option<String>,
    pub issuer: String,
    pub serial: String,
    pub not_after: String,
    /// SHA-1 thumbprint of the leaf certificate, colon-separated hex.
    pub leaf_sha1: String,
    /// SHA-1 thumbprint of the CA root (what the Windows security warning shows).
    pub ca_sha1: Option<String>,
    /// SHA-256 of the .p12 file.
    pub file_sha256: String,
    pub hint_present: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("recovery sheet: invalid input: {0}")]
    InvalidInput(String),
    #[error("recovery sheet: the content does not fit on {0} pages (too many certificates?)")]
    DoesNotFit(usize),
    #[error("recovery sheet: template error: {0}")]
    Template(String),
    #[error("recovery sheet: font error: {0}")]
    Font(String),
    #[error("recovery sheet: QR code error: {0}")]
    Qr(String),
}

/// Renders the sheet with the embedded templates.
pub fn render_pdf(input: &SheetInput) -> Result<Vec<u8>, SheetError> {
    render_pdf_with(input, &Templates::embedded()?)
}

/// Renders the sheet with the given (possibly adapted) templates.
pub fn render_pdf_with(input: &SheetInput, templates: &Templates) -> Result<Vec<u8>, SheetError> {
    validate(input)?;
    compose::render(input, templates).map(|(bytes, _pages)| bytes)
}

fn validate(input: &SheetInput) -> Result<(), SheetError> {
    use secrecy::ExposeSecret;
    let bad = |m: &str| Err(SheetError::InvalidInput(m.to_string()));
    match (&input.recovery, &input.share) {
        (Some(_), Some(_)) => return bad("a share sheet must not show the recovery code"),
        (None, None) => return bad("either the recovery code or a share is needed"),
        _ => {}
    }
    for (name, block) in [("recovery code", &input.recovery), ("PIN code", &input.pin_code)] {
        if let Some(b) = block {
            if !b.identity.expose_secret().starts_with("AGE-SECRET-KEY-1") {
                return Err(SheetError::InvalidInput(format!(
                    "{name}: identity is not an AGE-SECRET-KEY-1 string"
                )));
            }
            if b.groups.expose_secret().trim().is_empty() {
                return Err(SheetError::InvalidInput(format!("{name}: empty code")));
            }
        }
    }
    if let Some(s) = &input.share {
        if s.threshold < 2 || s.threshold > s.total || s.index == 0 || s.index > s.total {
            return bad("share: need 2 <= threshold <= total and 1 <= index <= total");
        }
        if s.share_groups.expose_secret().trim().is_empty() || s.share_qr.expose_secret().is_empty() {
            return bad("share: empty share");
        }
    }
    if let Some(code) = &input.institution_code {
        if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return bad("institution code must be 10 digits");
        }
    }
    if input.vault_id.trim().is_empty() {
        return bad("empty vault id");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
