//! Unit tests of the recovery sheet. (Text wrapping and kinsoku: `text.rs`.)

use secrecy::SecretString;

use super::template::{Templates, EN_TOML, JA_TOML, LAYOUT_TOML};
use super::*;

pub(crate) const R_GROUPS: &str = "7K2QD-M9XAE-4TW1R-ZC8HN-P3V6Y";
pub(crate) const R_IDENTITY: &str =
    "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS7R9KD";
pub(crate) const C_GROUPS: &str = "H4JW2-9QKEM-T7B3X-RN5DA-0VC8G";
pub(crate) const C_IDENTITY: &str =
    "AGE-SECRET-KEY-1ZGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQ2VF3L";

fn cert(n: usize) -> SheetCertificate {
    SheetCertificate {
        purpose: format!("オンライン資格確認 {n}"),
        subject: "CN=1312345678,O=医療法人社団 さくら会 さくら内科・小児科クリニック,C=JP".into(),
        institution_code: Some("1312345678".into()),
        issuer: "オンライン請求ネットワーク関連システム共通認証局".into(),
        serial: "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9".into(),
        not_after: "2028-03-31".into(),
        leaf_sha1: "3F:A2:91:0C:5D:7E:88:14:B6:C3:2A:90:E1:F4:07:6B:D8:59:AC:12".into(),
        ca_sha1: Some("B1:BC:96:8B:D4:F4:9D:62:2A:A8:9A:81:F2:15:01:52:A4:1D:82:9C".into()),
        file_sha256: "9f2c4a1be07d3356c8a2e41f0b9d7c6e5a4f3b2c1d0e9f8a7b6c5d4e3f2a1b0c".into(),
        hint_present: n % 2 == 1,
    }
}

pub(crate) fn sample(lang: SheetLang, with_pin: bool, certs: usize) -> SheetInput {
    SheetInput {
        lang,
        clinic_name: Some("医療法人社団 さくら会 さくら内科・小児科クリニック 附属 在宅医療センター".into()),
        institution_code: Some("1312345678".into()),
        vault_id: "cv-8f3a2c71".into(),
        created: "2025-04-01".into(),
        generation: 3,
        recovery: Some(CodeBlock {
            groups: SecretString::from(R_GROUPS),
            identity: SecretString::from(R_IDENTITY),
            checksum: "4F2A".into(),
        }),
        pin_code: with_pin.then(|| CodeBlock {
            groups: SecretString::from(C_GROUPS),
            identity: SecretString::from(C_IDENTITY),
            checksum: "9C1E".into(),
        }),
        share: None,
        certificates: (1..=certs).map(cert).collect(),
        stock_tools_generation_file: "vault-3.age".into(),
        programs: vec![vault_format::ProgramFile {
            path: "windows-x86_64/certvault-gui.exe".into(),
            version: "0.1.0".into(),
            size: 31_245_312,
            sha256: "5d1f0c3b9e0a4f8f2b6d7c1e9a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b".into(),
        }],
    }
}

fn page_count(input: &SheetInput) -> usize {
    compose::render(input, &Templates::embedded().unwrap()).unwrap().1
}

fn page_count_with_height(input: &SheetInput, height_mm: f32) -> usize {
    let layout = LAYOUT_TOML.replace("height_mm = 297.0", &format!("height_mm = {height_mm:.1}"));
    compose::render(input, &Templates::from_toml(JA_TOML, EN_TOML, &layout).unwrap()).unwrap().1
}

/// Flattens a TOML table into dotted key paths.
fn keys(v: &toml::Value, prefix: &str, out: &mut Vec<String>) {
    if let toml::Value::Table(t) = v {
        for (k, v) in t {
            let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            keys(v, &p, out);
            out.push(p);
        }
    }
}

#[test]
fn templates_parse_and_both_languages_have_the_same_keys() {
    let t = Templates::embedded().expect("embedded templates parse");
    assert_eq!(t.ja.lang, "ja");
    assert_eq!(t.en.lang, "en");
    let (mut ja, mut en) = (Vec::new(), Vec::new());
    keys(&toml::from_str(JA_TOML).unwrap(), "", &mut ja);
    keys(&toml::from_str(EN_TOML).unwrap(), "", &mut en);
    ja.sort();
    en.sort();
    assert_eq!(ja, en);
    assert_eq!(t.ja.restore.steps.len(), t.en.restore.steps.len());
}

fn all_strings(v: &toml::Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        toml::Value::String(s) => out.push((path.to_string(), s.clone())),
        toml::Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, v)| all_strings(v, &format!("{path}[{i}]"), out))
        }
        toml::Value::Table(t) => t.iter().for_each(|(k, v)| all_strings(v, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

#[test]
fn texts_are_complete_and_placeholders_known() {
    use super::template::placeholders;
    const KNOWN: [&str; 11] = [
        "enter_code",
        "clinic",
        "vault_id",
        "created",
        "generation",
        "file",
        "index",
        "threshold",
        "total",
        "page",
        "pages",
    ];
    for (name, src) in [("ja", JA_TOML), ("en", EN_TOML)] {
        let mut strings = Vec::new();
        all_strings(&toml::from_str(src).unwrap(), "", &mut strings);
        for (path, s) in strings {
            let is_sub = path.ends_with("sub");
            if name == "ja" || !is_sub {
                assert!(!s.trim().is_empty(), "{name}: {path} is empty");
            } else {
                assert!(s.is_empty(), "{name}: English sheet should have no subtitle at {path}");
            }
            for p in placeholders(&s) {
                assert!(KNOWN.contains(&p.as_str()), "{name}: unknown placeholder {{{p}}} in {path}");
            }
            assert_eq!(s.matches('`').count() % 2, 0, "{name}: unbalanced ` in {path}");
            assert_eq!(s.matches("**").count() % 2, 0, "{name}: unbalanced ** in {path}");
        }
    }
}

#[test]
fn japanese_texts_use_the_agreed_words() {
    use super::template::Texts;
    let t: Texts = toml::from_str(JA_TOML).unwrap();
    let all = format!("{:?}", t);
    for w in [
        "復旧シート",
        "USBメモリ",
        "パスフレーズ",
        "復旧コード",
        "PINコード",
        "証明書",
        "金庫に保管してください",
        "秘密キーの保護を強力にする",
        "新しいパソコンに復元する",
        "certvault-gui.exe",
        "certvault restore",
    ] {
        assert!(all.contains(w), "missing {w}");
    }
    let en: Texts = toml::from_str(EN_TOML).unwrap();
    let all = format!("{:?}", en);
    assert!(all.contains("Enable strong private key protection"));
}

#[test]
fn layout_rules_are_enforced() {
    let small = LAYOUT_TOML.replace("min_module_mm = 0.5", "min_module_mm = 0.3");
    assert!(matches!(Templates::from_toml(JA_TOML, EN_TOML, &small), Err(SheetError::Template(_))));
    let ec = LAYOUT_TOML.replace("ec_level = \"M\"", "ec_level = \"L\"");
    assert!(Templates::from_toml(JA_TOML, EN_TOML, &ec).is_err());
    let missing = JA_TOML.replace("keep_safe = ", "keep_safety = ");
    let err = Templates::from_toml(&missing, EN_TOML, LAYOUT_TOML).unwrap_err().to_string();
    assert!(err.contains("sheet.ja.toml"), "{err}");
}

#[test]
fn fill_replaces_known_placeholders_only() {
    assert_eq!(template::fill("{a}-{b}-{c", &[("a", "1"), ("b", "2")]), "1-2-{c");
    assert_eq!(template::fill("x{zz}y", &[("a", "1")]), "x{zz}y");
}

#[test]
fn renders_small_subset_pdf_in_both_languages() {
    for lang in [SheetLang::Ja, SheetLang::En] {
        for pin in [true, false] {
            let pdf = render_pdf(&sample(lang, pin, 2)).expect("renders");
            assert!(pdf.starts_with(b"%PDF-"));
            assert!(pdf.len() < 300 * 1024, "{} bytes", pdf.len());
            let s = String::from_utf8_lossy(&pdf);
            // subset fonts carry a six-letter tag: ABCDEF+Name
            assert!(s.contains("+IPAexGothic"), "Japanese font not subset-embedded");
            assert!(s.contains("+DejaVuSansMono"), "mono font not subset-embedded");
        }
    }
}

#[test]
fn many_certificates_take_two_pages_and_too_many_fail() {
    // A4 with the full content: the PIN strip, codes and instructions on page 1,
    // the rest of the table and the stock-tools path on page 2.
    assert_eq!(page_count(&sample(SheetLang::Ja, true, 1)), 2);
    assert_eq!(page_count(&sample(SheetLang::Ja, true, 6)), 2);
    assert_eq!(page_count(&sample(SheetLang::En, false, 6)), 2);
    // One page whenever it fits (here: a taller page).
    assert_eq!(page_count_with_height(&sample(SheetLang::Ja, true, 2), 420.0), 1);
    let err = render_pdf(&sample(SheetLang::Ja, true, 40)).unwrap_err();
    assert!(matches!(err, SheetError::DoesNotFit(2)), "{err}");
}

#[test]
fn share_sheet_renders_and_rejects_recovery() {
    let mut input = sample(SheetLang::Ja, false, 2);
    input.recovery = None;
    input.share = Some(ShareInfo {
        index: 2,
        threshold: 2,
        total: 3,
        share_groups: SecretString::from("S2K3A-7QX9M-4TR2P-Z8HNC-W3V6Y-K7D2Q-M9XAE-4TW1R"),
        share_qr: SecretString::from("CVSHARE1-2-3-S2K3A7QX9M4TR2PZ8HNCW3V6YK7D2QM9XAE4TW1R"),
        checksum: "77AB".into(),
    });
    let pdf = render_pdf(&input).expect("share sheet renders");
    assert!(pdf.starts_with(b"%PDF-"));
    input.recovery = sample(SheetLang::Ja, false, 0).recovery;
    assert!(matches!(render_pdf(&input), Err(SheetError::InvalidInput(_))));
}

#[test]
fn bad_input_is_rejected_without_echoing_secrets() {
    let mut input = sample(SheetLang::En, true, 1);
    input.institution_code = Some("12345".into());
    assert!(matches!(render_pdf(&input), Err(SheetError::InvalidInput(_))));
    let mut input = sample(SheetLang::En, true, 1);
    input.pin_code.as_mut().unwrap().identity = SecretString::from("not-an-identity-SECRETVALUE");
    let err = render_pdf(&input).unwrap_err().to_string();
    assert!(!err.contains("SECRETVALUE"), "{err}");
    let mut input = sample(SheetLang::En, true, 1);
    input.recovery = None;
    assert!(render_pdf(&input).is_err());
}

#[test]
fn debug_output_does_not_show_secrets() {
    let dbg = format!("{:?}", sample(SheetLang::Ja, true, 1));
    assert!(!dbg.contains(R_GROUPS) && !dbg.contains(R_IDENTITY) && !dbg.contains(C_IDENTITY));
}

#[test]
fn long_values_do_not_break_rendering() {
    let mut input = sample(SheetLang::En, true, 3);
    input.clinic_name = Some("A".repeat(300));
    input.certificates[0].subject = "CN=".to_string() + &"X".repeat(400);
    input.certificates[1].file_sha256 = "ab:".repeat(64);
    input.certificates[2].serial = "0".repeat(200);
    render_pdf(&input).expect("long values wrap instead of failing");
}

/// End-to-end check with the real tools (Debian: poppler-utils, zbar-tools, which .ci/run
/// installs). Uses only the fake codes above.
#[test]
fn qr_codes_and_code_text_survive_rasterising() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("certvault-sheet-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for lang in [SheetLang::Ja, SheetLang::En] {
        let pdf = render_pdf(&sample(lang, true, 3)).unwrap();
        let path = dir.join("sheet.pdf");
        std::fs::write(&path, pdf).unwrap();
        let ok = Command::new("pdftoppm")
            .args(["-r", "150", "-png"])
            .arg(&path)
            .arg(dir.join("page"))
            .status()
            .expect("pdftoppm runs (Debian: poppler-utils)");
        assert!(ok.success());
        let mut decoded = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "png") {
                let out = Command::new("zbarimg")
                    .args(["--raw", "-q"])
                    .arg(&p)
                    .output()
                    .expect("zbarimg runs (Debian: zbar-tools)");
                decoded.extend(String::from_utf8(out.stdout).unwrap().lines().map(str::to_string));
                std::fs::remove_file(&p).unwrap();
            }
        }
        decoded.sort();
        let mut want = vec![R_IDENTITY.to_string(), C_IDENTITY.to_string()];
        want.sort();
        assert_eq!(decoded, want, "QR codes must hold exactly the identities");
        let text = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs").stdout;
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains(R_GROUPS) && text.contains(C_GROUPS), "codes must be extractable text");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 16: after a reprint without the PIN code, the old sheet's PIN code strip is the only
/// copy of the PIN code; no advice may tell the user to destroy it.
#[test]
fn reprint_advice_never_destroys_the_only_pin_code() {
    use super::{advice_after_reprint, Split};
    let split = Some(Split { threshold: 2, total: 3 });
    for s in [None, split] {
        let ids: Vec<&str> = advice_after_reprint(false, s).iter().map(|m| m.id).collect();
        assert!(ids.contains(&"sheet-advice-keep-pin-strip"), "{ids:?}");
        assert!(ids.contains(&"sheet-advice-reprint-with-pin"), "{ids:?}");
        assert!(!ids.iter().any(|id| id.starts_with("sheet-advice-old-sheets")), "{ids:?}");
        // With the PIN code on the new sheet, the old sheets may (single) or must (split) go.
        let ids: Vec<&str> = advice_after_reprint(true, s).iter().map(|m| m.id).collect();
        assert!(!ids.contains(&"sheet-advice-keep-pin-strip"), "{ids:?}");
        assert!(ids.iter().any(|id| id.starts_with("sheet-advice-old-sheets")), "{ids:?}");
    }
}

#[test]
fn preview_has_the_pages_of_the_pdf_and_none_of_the_codes() {
    for (lang, pin, certs) in [(SheetLang::Ja, true, 2), (SheetLang::En, false, 6)] {
        let input = sample(lang, pin, certs);
        let shown = preview(&input).expect("preview");
        assert_eq!(shown.pages.len(), page_count(&input));
        assert_eq!((shown.width_mm, shown.height_mm), (210.0, 297.0));
        let texts: Vec<&str> = shown
            .pages
            .iter()
            .flatten()
            .filter_map(|s| match s {
                Shape::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        let all = texts.concat();
        assert!(all.contains("1312345678"), "the institution code is shown: {all}");
        for secret in R_GROUPS.split('-').chain(C_GROUPS.split('-')).chain([
            "4F2A",
            "9C1E",
            &R_IDENTITY[15..40],
            &C_IDENTITY[15..40],
        ]) {
            assert!(!all.contains(secret), "{secret} is on screen");
        }
        // Blanked: both QR codes (one without the PIN code), the code lines and check values.
        let hidden = shown.pages.iter().flatten().filter(|s| matches!(s, Shape::Hidden { .. })).count();
        assert!(hidden >= if pin { 6 } else { 3 }, "{hidden} blanked places");
        for s in shown.pages.iter().flatten() {
            let (x, y) = match s {
                Shape::Text { x, baseline, .. } => (*x, *baseline),
                Shape::Hidden { x, y, .. } | Shape::Rect { x, y, .. } => (*x, *y),
                Shape::Line { x1, y1, .. } => (*x1, *y1),
            };
            assert!((0.0..=210.0).contains(&x) && (0.0..=297.0).contains(&y), "{s:?} is off the page");
        }
    }
}
