//! Texts and layout constants of the recovery sheet, parsed from `templates/sheet/*.toml`.
//!
//! The TOML files are embedded with `include_str!` and parsed at run time, so a vendor can
//! adapt the wording and rebuild. Every struct denies unknown fields and has no defaults:
//! a key missing in one language is a parse error that names the key, and the unit tests
//! parse both languages.

use serde::Deserialize;

use super::{SheetError, SheetLang};

pub(crate) const JA_TOML: &str = include_str!("../../../templates/sheet/sheet.ja.toml");
pub(crate) const EN_TOML: &str = include_str!("../../../templates/sheet/sheet.en.toml");
pub(crate) const LAYOUT_TOML: &str = include_str!("../../../templates/sheet/layout.toml");

/// All texts of one language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub lang: String,
    pub header: HeaderTexts,
    pub info: InfoTexts,
    pub recovery: RecoveryTexts,
    pub share: ShareTexts,
    pub pin: PinTexts,
    pub restore: RestoreTexts,
    pub emergency: EmergencyTexts,
    pub certs: CertTexts,
    pub programs: ProgramTexts,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderTexts {
    pub title: String,
    pub sub: String,
    pub keep_safe: String,
    pub keep_safe_sub: String,
    pub continued: String,
    pub page: String,
    pub intro: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoTexts {
    pub clinic: String,
    pub clinic_sub: String,
    pub institution_code: String,
    pub institution_code_sub: String,
    pub vault_id: String,
    pub vault_id_sub: String,
    pub created: String,
    pub created_sub: String,
    pub generation: String,
    pub not_set: String,
    pub write_in_title: String,
    pub write_in_sub: String,
    pub storage_place: String,
    pub storage_place_sub: String,
    pub vendor: String,
    pub vendor_sub: String,
    pub vendor_phone: String,
    pub vendor_phone_sub: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryTexts {
    pub title: String,
    pub sub: String,
    pub body: String,
    pub check: String,
    pub check_sub: String,
    /// What the check value is for, after it (issue 16, item 8).
    pub check_note: String,
    pub qr_caption: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareTexts {
    pub banner: String,
    pub banner_sub: String,
    pub need: String,
    pub title: String,
    pub sub: String,
    pub body: String,
    pub qr_caption: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinTexts {
    pub title: String,
    pub sub: String,
    pub body: String,
    pub check: String,
    pub check_sub: String,
    /// What the check value is for, after it.
    pub check_note: String,
    pub qr_caption: String,
    pub cut: String,
    pub cut_sub: String,
    pub belongs_to: String,
    pub reprint_title: String,
    pub reprint_sub: String,
    pub reprint_body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreTexts {
    pub title: String,
    pub sub: String,
    pub enter_code: String,
    pub enter_share: String,
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramTexts {
    pub title: String,
    pub sub: String,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyTexts {
    pub title: String,
    pub sub: String,
    pub body: String,
    pub with_qr: String,
    pub with_shares: String,
    pub cmd_qr: String,
    pub with_pass: String,
    pub cmd_pass: String,
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertTexts {
    pub title: String,
    pub sub: String,
    pub no: String,
    pub purpose: String,
    pub purpose_sub: String,
    pub subject: String,
    pub subject_sub: String,
    pub institution_code: String,
    pub institution_code_sub: String,
    pub issuer: String,
    pub issuer_sub: String,
    pub not_after: String,
    pub not_after_sub: String,
    pub hint: String,
    pub hint_sub: String,
    pub serial: String,
    pub leaf_sha1: String,
    pub ca_sha1: String,
    pub file_sha256: String,
    pub hint_yes: String,
    pub hint_no: String,
    pub purpose_online_qualification: String,
    pub purpose_hpki_second: String,
    pub purpose_other: String,
    pub none: String,
    pub empty: String,
}

/// Layout constants (`templates/sheet/layout.toml`), shared by both languages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub page: PageLayout,
    pub font: FontLayout,
    pub qr: QrLayout,
    pub colors: Colors,
    pub info: InfoLayout,
    pub table: TableLayout,
    pub pin: PinLayout,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageLayout {
    pub width_mm: f32,
    pub height_mm: f32,
    pub margin_x_mm: f32,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub block_gap_mm: f32,
    pub max_pages: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontLayout {
    pub title_pt: f32,
    pub heading_pt: f32,
    pub sub_pt: f32,
    pub body_pt: f32,
    pub small_pt: f32,
    pub label_pt: f32,
    pub value_pt: f32,
    pub code_pt: f32,
    pub code_min_pt: f32,
    pub command_pt: f32,
    pub table_pt: f32,
    pub hash_pt: f32,
    pub hash_min_pt: f32,
    pub line_gap: f32,
    pub bold_stroke: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrLayout {
    pub module_mm: f32,
    pub min_module_mm: f32,
    pub quiet_zone_modules: usize,
    pub ec_level: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    pub text: f32,
    pub muted: f32,
    pub rule: f32,
    pub box_fill: f32,
    pub banner_fill: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoLayout {
    pub label_mm: f32,
    pub data_fraction: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableLayout {
    pub columns: Vec<f32>,
    pub detail_label_mm: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinLayout {
    pub cut_gap_mm: f32,
}

/// The texts of both languages plus the layout. [`Templates::embedded`] gives the ones
/// shipped in `templates/sheet/`; [`Templates::from_toml`] takes adapted ones.
#[derive(Debug, Clone)]
pub struct Templates {
    pub ja: Texts,
    pub en: Texts,
    pub layout: Layout,
}

impl Templates {
    /// The templates compiled into the binary.
    pub fn embedded() -> Result<Self, SheetError> {
        Self::from_toml(JA_TOML, EN_TOML, LAYOUT_TOML)
    }

    /// Parses and checks templates given as TOML text.
    pub fn from_toml(ja: &str, en: &str, layout: &str) -> Result<Self, SheetError> {
        let ja: Texts = parse("sheet.ja.toml", ja)?;
        let en: Texts = parse("sheet.en.toml", en)?;
        let layout: Layout = parse("layout.toml", layout)?;
        if ja.lang != "ja" || en.lang != "en" {
            return Err(SheetError::Template(
                "sheet.ja.toml must say lang = \"ja\" and sheet.en.toml lang = \"en\"".into(),
            ));
        }
        check_layout(&layout)?;
        Ok(Self { ja, en, layout })
    }

    pub(crate) fn texts(&self, lang: SheetLang) -> &Texts {
        match lang {
            SheetLang::Ja => &self.ja,
            SheetLang::En => &self.en,
        }
    }
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T, SheetError> {
    toml::from_str(text).map_err(|e| SheetError::Template(format!("{name}: {e}")))
}

fn check_layout(l: &Layout) -> Result<(), SheetError> {
    let bad = |what: &str| Err(SheetError::Template(format!("layout.toml: {what}")));
    if l.qr.min_module_mm < 0.5 {
        return bad("qr.min_module_mm must be at least 0.5 (photocopies)");
    }
    if l.qr.module_mm < l.qr.min_module_mm {
        return bad("qr.module_mm must not be below qr.min_module_mm");
    }
    if l.qr.quiet_zone_modules < 4 {
        return bad("qr.quiet_zone_modules must be at least 4");
    }
    if !matches!(l.qr.ec_level.as_str(), "M" | "Q" | "H") {
        return bad("qr.ec_level must be M, Q or H");
    }
    if l.table.columns.len() != 7 || l.table.columns.iter().any(|w| *w <= 0.0) {
        return bad("table.columns must hold 7 positive widths");
    }
    if !(1..=2).contains(&l.page.max_pages) {
        return bad("page.max_pages must be 1 or 2");
    }
    if !(0.3..=0.8).contains(&l.info.data_fraction) {
        return bad("info.data_fraction must be between 0.3 and 0.8");
    }
    let f = &l.font;
    let sizes = [
        f.title_pt,
        f.heading_pt,
        f.sub_pt,
        f.body_pt,
        f.small_pt,
        f.label_pt,
        f.value_pt,
        f.code_pt,
        f.code_min_pt,
        f.command_pt,
        f.table_pt,
        f.hash_pt,
        f.hash_min_pt,
    ];
    if sizes.iter().any(|s| !(4.0..=40.0).contains(s)) || f.line_gap < 1.0 {
        return bad("font sizes must be between 4 and 40 pt and line_gap at least 1.0");
    }
    if l.page.width_mm < 100.0 || l.page.height_mm < 100.0 {
        return bad("page too small");
    }
    Ok(())
}

/// Replaces `{name}` placeholders. Unknown names are left as they are, so a typo shows
/// up on the printed page (and in the unit test that checks all placeholders).
pub(crate) fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if vars.iter().any(|(k, _)| *k == &after[..end]) => {
                let key = &after[..end];
                let val = vars.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).unwrap_or("");
                out.push_str(val);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Placeholder names used in a template string.
#[cfg(test)]
pub(crate) fn placeholders(template: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        if let Some(end) = after.find('}') {
            v.push(after[..end].to_string());
            rest = &after[end + 1..];
        } else {
            break;
        }
    }
    v
}
