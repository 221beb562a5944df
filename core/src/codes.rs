//! Every mistake in a typed recovery code, PIN code or share code, as a message a front-end
//! phrases (the vault-format crate's own texts are English, for developers).

use secrecy::SecretString;
use vault_format::code::{check_symbol, classify, Typed};
use vault_format::code::{ALPHABET, GROUPS, GROUP_DATA_SYMBOLS, GROUP_SYMBOLS};
use vault_format::{CodeError, CodeKind, ShareError};
use zeroize::Zeroizing;

use crate::message::Message;
use crate::msg;

fn kind_message(kind: CodeKind) -> Message {
    match kind {
        CodeKind::Recovery => msg!("code-kind-recovery"),
        CodeKind::PinCode => msg!("code-kind-pin"),
    }
}

/// What is wrong with a typed recovery code or PIN code.
pub fn code_error_message(e: &CodeError) -> Message {
    match e {
        CodeError::Empty => msg!("err-code-empty"),
        CodeError::InvalidCharacter { group, character } => {
            msg!("err-code-character", group = group, character = character.escape_debug())
        }
        CodeError::GroupLength { group, symbols } => {
            msg!("err-code-group-length", group = group, count = symbols)
        }
        CodeError::Length { symbols } => msg!("err-code-length", count = symbols),
        CodeError::Checksum { group } => msg!("err-code-group", group = group),
        CodeError::WrongKind { expected, found } => {
            msg!("err-code-wrong-kind", expected = kind_message(*expected), found = kind_message(*found))
        }
        CodeError::NonCanonical => msg!("err-code-non-canonical"),
        _ => msg!("err-code-non-canonical"),
    }
}

/// What is wrong with a typed share code, or with a set of shares.
pub fn share_error_message(e: &ShareError) -> Message {
    match e {
        ShareError::Empty => msg!("err-share-empty"),
        ShareError::InvalidCharacter { group, character } => {
            msg!("err-code-character", group = group, character = character.escape_debug())
        }
        ShareError::GroupLength { group, symbols } => {
            msg!("err-code-group-length", group = group, count = symbols)
        }
        ShareError::Length { symbols } => msg!("err-share-length", count = symbols),
        ShareError::IsCode { .. } => msg!("err-share-is-code"),
        ShareError::Checksum { group } => msg!("err-code-group", group = group),
        ShareError::ShareChecksum => msg!("err-share-checksum"),
        ShareError::Header => msg!("err-share-header"),
        ShareError::NotEnough { have, need } => msg!("err-shares-not-enough", need = need, have = have),
        ShareError::Duplicate { index } => msg!("err-shares-duplicate", index = index),
        ShareError::DifferentSets { first, other } => msg!("err-shares-mixed", first = first, other = other),
        ShareError::Inconsistent => msg!("err-shares-inconsistent"),
        ShareError::Parameters { threshold, total } => {
            msg!("err-split-range", threshold = threshold, total = total)
        }
        _ => msg!("err-shares-inconsistent"),
    }
}

/// One group of five characters of a code being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupCheck {
    /// Nothing typed in it yet.
    Missing,
    /// Fewer than five characters so far.
    Partial,
    /// Five characters, and its check character matches.
    Good,
    /// Five characters, and its check character does not match: a character in this group
    /// is mistyped (or two are swapped).
    Mistyped,
}

/// A recovery code or PIN code while it is typed, checked group by group: the front-end shows
/// it as the sheet prints it and says at once which group is wrong. The code is printed on the
/// paper in the typist's hand, so showing it is no disclosure; it is still kept out of `Debug`.
pub struct TypedCode {
    /// The symbols typed so far as the sheet prints them: upper case, `O`→`0`, `I`/`L`→`1`,
    /// full-width folded, in groups of five joined by `-` (the typed separators do not count).
    pub grouped: SecretString,
    /// Symbols typed (at most 25 count towards the code).
    pub symbols: usize,
    pub groups: [GroupCheck; GROUPS],
    /// The first character that is neither a symbol nor a separator, and the group it is in.
    pub invalid: Option<(u8, char)>,
    /// Every group checks for the other kind of code (the PIN code typed for the recovery
    /// code, or the reverse).
    pub other_kind: bool,
    /// A check value (`XXXX-XXXX`) typed after the 25 symbols: whether it matches the code.
    /// `None` when nothing was typed after the code.
    pub check_value_matches: Option<bool>,
    /// Symbols after the 25th that are not a check value.
    pub extra: usize,
}

impl std::fmt::Debug for TypedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedCode")
            .field("symbols", &self.symbols)
            .field("groups", &self.groups)
            .field("other_kind", &self.other_kind)
            .finish_non_exhaustive()
    }
}

impl TypedCode {
    /// All 25 symbols typed and every group checks.
    pub fn complete(&self) -> bool {
        self.invalid.is_none()
            && self.extra == 0
            && self.check_value_matches != Some(false)
            && self.groups.iter().all(|g| *g == GroupCheck::Good)
    }

    /// The first group (from 1) whose check character does not match.
    pub fn first_mistyped(&self) -> Option<u8> {
        self.groups.iter().position(|g| *g == GroupCheck::Mistyped).map(|i| (i + 1) as u8)
    }

    /// What to tell the typist now: the wrong character or group, the other kind of code, or
    /// how far they are. `None` when nothing is typed yet.
    pub fn note(&self, kind: CodeKind) -> Option<Message> {
        if let Some((group, character)) = self.invalid {
            return Some(msg!("err-code-character", group = group, character = character.escape_debug()));
        }
        if self.other_kind {
            return Some(msg!(
                "err-code-wrong-kind",
                expected = kind_message(kind),
                found = kind_message(kind.other())
            ));
        }
        if let Some(group) = self.first_mistyped() {
            return Some(msg!("code-typing-group-wrong", group = group));
        }
        if self.extra > 0 {
            return Some(msg!("code-typing-too-long"));
        }
        match self.check_value_matches {
            Some(false) => return Some(msg!("code-typing-check-value-differs")),
            Some(true) => return Some(msg!("code-typing-check-value-ok")),
            None => {}
        }
        if self.complete() {
            return Some(msg!("code-typing-ok"));
        }
        (self.symbols > 0).then(|| msg!("code-typing-count", count = self.symbols))
    }
}

/// A typed character as a symbol value (SPEC.md §3.4 tolerances), a separator (`None`), or
/// not part of a code (`Err`).
/// One typed character: a symbol's value, `None` for a separator, `Err` for neither (the
/// format's own reading, SPEC.md §3.4).
fn symbol_of(c: char) -> Result<Option<u8>, ()> {
    match classify(c) {
        Typed::Symbol(v) => Ok(Some(v)),
        Typed::Separator => Ok(None),
        Typed::Invalid => Err(()),
    }
}

/// Checks a code of `kind` as far as it is typed (see [`TypedCode`]). The vault-format
/// crate's [`vault_format::Code::parse`] stays the judge of the whole code; this only says
/// early, group by group, what it will say.
pub fn check_as_typed(kind: CodeKind, text: &str) -> TypedCode {
    let mut values: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::with_capacity(40));
    let mut invalid = None;
    for c in text.chars() {
        match symbol_of(c) {
            Ok(Some(v)) => values.push(v),
            Ok(None) => {}
            Err(()) => {
                if invalid.is_none() {
                    let group = (values.len() / GROUP_SYMBOLS + 1).min(GROUPS) as u8;
                    invalid = Some((group, c));
                }
            }
        }
    }
    let code_len = values.len().min(GROUPS * GROUP_SYMBOLS);
    let check = |kind: CodeKind| -> [GroupCheck; GROUPS] {
        let mut groups = [GroupCheck::Missing; GROUPS];
        for (g, state) in groups.iter_mut().enumerate() {
            let start = g * GROUP_SYMBOLS;
            let have = code_len.saturating_sub(start).min(GROUP_SYMBOLS);
            *state = match have {
                0 => GroupCheck::Missing,
                n if n < GROUP_SYMBOLS => GroupCheck::Partial,
                _ => {
                    let mut data = Zeroizing::new([0u8; GROUP_DATA_SYMBOLS]);
                    data.copy_from_slice(&values[start..start + GROUP_DATA_SYMBOLS]);
                    if check_symbol(kind, (g + 1) as u8, &data) == values[start + GROUP_DATA_SYMBOLS] {
                        GroupCheck::Good
                    } else {
                        GroupCheck::Mistyped
                    }
                }
            };
        }
        groups
    };
    let groups = check(kind);
    let full = code_len == GROUPS * GROUP_SYMBOLS;
    let other_kind = full
        && groups.contains(&GroupCheck::Mistyped)
        && check(kind.other()).iter().all(|g| *g == GroupCheck::Good);
    // After the code: its check value, as the sheet prints it next to the code.
    let tail = &values[code_len..];
    let mut extra = tail.len();
    let mut check_value_matches = None;
    if !tail.is_empty() && groups.iter().all(|g| *g == GroupCheck::Good) {
        let typed: String = tail.iter().map(|v| char::from(ALPHABET[usize::from(*v)])).collect();
        let grouped = grouped_text(&values[..code_len]);
        if let Ok(code) = vault_format::Code::parse(kind, &grouped) {
            let expected: String = vault_format::share::code_check_value(&code).replace('-', "");
            if tail.len() <= expected.len() {
                extra = 0;
                // Still being typed: only a wrong beginning is said.
                let full = tail.len() == expected.len();
                check_value_matches = match expected.starts_with(&typed) {
                    true if full => Some(true),
                    true => None,
                    false => Some(false),
                };
            }
        }
    }
    TypedCode {
        grouped: SecretString::from(grouped_text(&values[..code_len])),
        symbols: values.len(),
        groups,
        invalid,
        other_kind,
        check_value_matches,
        extra,
    }
}

/// Symbol values as the sheet prints them, in groups of five joined by `-`.
fn grouped_text(values: &[u8]) -> String {
    let mut out = String::with_capacity(values.len() + GROUPS);
    for (i, v) in values.iter().enumerate() {
        if i > 0 && i % GROUP_SYMBOLS == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(*v)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_mistake_has_its_own_message() {
        for (text, id) in [
            ("", "err-code-empty"),
            ("ABCDE-FGHIJ-KLMNU", "err-code-character"),
            ("ABCDE-FGHI-KLMNP-QRSTV-WXYZ0", "err-code-group-length"),
            ("ABCDEFGH", "err-code-length"),
        ] {
            let e = vault_format::Code::parse(CodeKind::Recovery, text).expect_err(text);
            assert_eq!(code_error_message(&e).id, id, "{text}: {e}");
        }
    }

    /// Issue 16: the code is checked group by group while it is typed; the tolerances of
    /// `Code::parse` (full-width, O/0, I/1, lower case, any separators, the check value
    /// after the code) hold here too.
    #[test]
    fn a_code_is_checked_group_by_group_while_typed() {
        use secrecy::ExposeSecret;
        let code = vault_format::Code::generate(CodeKind::Recovery);
        let written = code.to_grouped_string().expose_secret().to_string();
        let check_value = vault_format::share::code_check_value(&code);
        let t = check_as_typed(CodeKind::Recovery, &written);
        assert!(t.complete(), "{t:?}");
        assert_eq!(t.grouped.expose_secret(), written);
        assert_eq!(t.note(CodeKind::Recovery).unwrap().id, "code-typing-ok");

        // As typed so far: 7 symbols, the first group good, the second partial.
        let t = check_as_typed(CodeKind::Recovery, &written[..8]);
        assert_eq!(t.groups[..3], [GroupCheck::Good, GroupCheck::Partial, GroupCheck::Missing]);
        assert_eq!(t.note(CodeKind::Recovery).unwrap().id, "code-typing-count");

        // One character wrong in group 3: that group is named, the others are good.
        let mut chars: Vec<char> = written.chars().collect();
        chars[13] = if chars[13] == 'Z' { 'Y' } else { 'Z' };
        let typo: String = chars.iter().collect();
        let t = check_as_typed(CodeKind::Recovery, &typo);
        assert_eq!(t.first_mistyped(), Some(3), "{t:?}");
        assert_eq!(t.groups.iter().filter(|g| **g == GroupCheck::Good).count(), 4);
        assert!(!t.complete());
        assert_eq!(t.note(CodeKind::Recovery).unwrap().id, "code-typing-group-wrong");

        // Full-width, lower case, O for 0 and I for 1, spaces instead of hyphens.
        let sloppy: String = written
            .chars()
            .map(|c| match c {
                '0' => 'O',
                '1' => 'i',
                '-' => ' ',
                c if c.is_ascii_alphabetic() => {
                    char::from_u32(u32::from(c.to_ascii_lowercase()) + 0xFEE0).unwrap()
                }
                c => c,
            })
            .collect();
        let t = check_as_typed(CodeKind::Recovery, &sloppy);
        assert!(t.complete(), "{sloppy}: {t:?}");
        assert_eq!(t.grouped.expose_secret(), written);

        // The check value typed after the code is compared, not counted as code.
        let t = check_as_typed(CodeKind::Recovery, &format!("{written} {check_value}"));
        assert!(t.complete() && t.check_value_matches == Some(true), "{t:?}");
        assert_eq!(t.grouped.expose_secret(), written);
        let t = check_as_typed(CodeKind::Recovery, &format!("{written} 0000-0000"));
        assert!(!t.complete() && t.check_value_matches == Some(false) || check_value == "0000-0000");

        // The PIN code typed where the recovery code is asked.
        let pin = vault_format::Code::generate(CodeKind::PinCode);
        let t = check_as_typed(CodeKind::Recovery, pin.to_grouped_string().expose_secret());
        assert!(t.other_kind && !t.complete(), "{t:?}");

        // A character that is no symbol, named with its group.
        let t = check_as_typed(CodeKind::Recovery, "ABCDE-FGU");
        assert_eq!(t.invalid, Some((2, 'U')));
        assert_eq!(t.note(CodeKind::Recovery).unwrap().id, "err-code-character");
        // The Debug form shows no symbol.
        assert!(!format!("{:?}", check_as_typed(CodeKind::Recovery, &written)).contains(&written[..5]));
    }
}
