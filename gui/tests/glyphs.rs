//! Every character the window can show from our own texts is in the embedded font: iced draws
//! a missing glyph as nothing (or a box) without an error, so this is checked here.

use std::collections::BTreeSet;

/// Characters the window's code draws itself (marks in front of lines).
const DRAWN_BY_THE_WINDOW: &str = "✓!・—•（）";

#[test]
fn every_character_of_the_messages_is_in_the_embedded_font() {
    let face = ttf_parser::Face::parse(certvault_gui::FONT_BYTES, 0).expect("the embedded font parses");
    let mut missing = BTreeSet::new();
    for (lang, source) in [("ja", certvault_i18n::JA_FTL), ("en", certvault_i18n::EN_FTL)] {
        for line in source.lines().filter(|l| !l.trim_start().starts_with('#')) {
            for c in line.chars().filter(|c| !c.is_control()) {
                if face.glyph_index(c).is_none() {
                    missing.insert(format!("{lang}: {c:?} (U+{:04X}) in {line:?}", c as u32));
                }
            }
        }
    }
    for c in DRAWN_BY_THE_WINDOW.chars() {
        if face.glyph_index(c).is_none() {
            missing.insert(format!("window: {c:?} (U+{:04X})", c as u32));
        }
    }
    assert!(
        missing.is_empty(),
        "characters without a glyph in IPAexGothic:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}
