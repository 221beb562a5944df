//! Text from outside shown to people: certificate subjects, file names, hints, nicknames.
//!
//! Anyone who can hand the clinic a file chooses these strings. Printed raw on a terminal, an
//! ESC sequence can rewrite what it shows (move the cursor, hide a line, set the window title);
//! on a terminal or in a window, a bidi override (U+202E) can make `cert.p12<U+202E>gpj.exe`
//! read as something else. Every human output passes outside text through [`escaped`] (message
//! placeables do so in [`crate::message`]); JSON output escapes on its own.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that change how the following text is shown rather than being shown: the C0
/// and C1 controls and DEL, the bidi embeddings, overrides and isolates, and the directional
/// marks (invisible, and they reorder neighbouring text).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character written as a visible Rust-style escape (`\u{1b}`), newlines
/// and tabs included: outside text is one line and must not start a fake one. A backslash
/// stays as it is (Windows paths are full of them).
pub fn escaped(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escaped`] for a block of our own text that may hold outside text: line breaks and
/// tabs stay, every other unsafe character is escaped.
pub fn escaped_keeping_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for line in s.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        for piece in body.split_inclusive('\t') {
            let (text, tab) = match piece.strip_suffix('\t') {
                Some(text) => (text, "\t"),
                None => (piece, ""),
            };
            out.push_str(&escaped(text));
            out.push_str(tab);
        }
        out.push_str(end);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in ["", "医療法人 テスト会 / CN=1234567890", r"C:\Users\医師\Downloads\cert.p12"] {
            assert!(matches!(escaped(s), Cow::Borrowed(_)));
            assert_eq!(escaped(s), s);
        }
    }

    #[test]
    fn controls_and_bidi_become_visible_escapes() {
        assert_eq!(escaped("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escaped("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(escaped("cert\u{202e}gpj.exe"), "cert\\u{202e}gpj.exe");
        assert_eq!(escaped("a\u{2066}b\u{2069}"), "a\\u{2066}b\\u{2069}");
        assert_eq!(escaped("one\ntwo\r\tthree\u{7f}"), "one\\u{a}two\\u{d}\\u{9}three\\u{7f}");
        assert_eq!(escaped("\u{200f}"), "\\u{200f}");
    }

    #[test]
    fn blocks_keep_their_lines() {
        assert_eq!(escaped_keeping_lines("a\n\tb\u{1b}c\n"), "a\n\tb\\u{1b}c\n");
        assert_eq!(escaped_keeping_lines("a\rb"), "a\\u{d}b");
    }

    #[test]
    fn no_unsafe_character_survives() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(!escaped(&all).chars().any(is_unsafe));
        assert!(!escaped_keeping_lines(&all).chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
    }
}
