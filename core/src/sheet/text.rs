//! Fonts, text measurement, a tiny inline markup and line breaking with Japanese kinsoku.
//!
//! Line breaking works on "atoms": one CJK character, one run of other non-space characters
//! (a Latin word, a number, a thumbprint) or one `code` span. A break is allowed between two
//! atoms when either is CJK (or at a space), except where kinsoku forbids it: no line may
//! start with closing punctuation, small kana or the long-vowel mark (行頭禁則), and none may
//! end with an opening bracket (行末禁則). An atom wider than the line is split by character.

use std::sync::OnceLock;

use printpdf::ParsedFont;
use secrecy::zeroize::Zeroize;

use super::SheetError;

const GOTHIC_TTF: &[u8] = include_bytes!("../../../assets/fonts/ipaexg.ttf");
const MONO_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono.ttf");
const MONO_BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono-Bold.ttf");
/// "certvault Code Bold": TeX Gyre Heros Condensed Bold (a Helvetica) cut down to the code's
/// characters (0-9, A-Z, `-`; 6 KiB) and given a J with a top bar (assets/fonts/
/// make-code-font.py). The recovery code, PIN code and shares are set in it. Of the faces tried with `tesseract -l eng` and `-l jpn+eng` on 300 dpi scans,
/// this one is read right most often in both (issue 16, item 9; the survey and its numbers
/// are in assets/fonts/README.md, the check is tests/sheet.rs `the_printed_codes_read_back…`).
const CODE_TTF: &[u8] = include_bytes!("../../../assets/fonts/CertvaultCode-Bold.ttf");

/// Extra space after every character of a printed code, in em. None: with this face, added
/// space made the OCR read worse, not better.
pub(crate) const CODE_SPACING_EM: f32 = 0.0;

pub(crate) const PT_TO_MM: f32 = 25.4 / 72.0;

/// A physical font face embedded in the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Gothic = 0,
    Mono = 1,
    MonoBold = 2,
    /// The printed codes ([`CODE_TTF`]).
    Code = 3,
}

/// What the text asks for; resolved to a [`Face`] per character (with fallback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Regular,
    /// IPAex Gothic has no bold face: drawn with a thin outline stroke ("faux bold").
    Bold,
    Mono,
    MonoBold,
    /// A printed code (recovery code, PIN code, share).
    Code,
}

impl Style {
    fn preferred(self) -> Face {
        match self {
            Style::Regular | Style::Bold => Face::Gothic,
            Style::Mono => Face::Mono,
            Style::MonoBold => Face::MonoBold,
            Style::Code => Face::Code,
        }
    }
    pub(crate) fn is_bold(self) -> bool {
        matches!(self, Style::Bold)
    }
    fn is_code(self) -> bool {
        matches!(self, Style::Mono | Style::MonoBold | Style::Code)
    }
}

/// The three parsed faces. Parsed once per process (a few milliseconds).
pub(crate) struct Fonts {
    pub(crate) faces: [ParsedFont; 4],
    upem: [f32; 4],
}

pub(crate) fn fonts() -> Result<&'static Fonts, SheetError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let parse = |name: &str, bytes: &[u8]| {
                ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
                    .ok_or_else(|| format!("cannot parse embedded font {name}"))
            };
            let faces = [
                parse("ipaexg.ttf", GOTHIC_TTF)?,
                parse("DejaVuSansMono.ttf", MONO_TTF)?,
                parse("DejaVuSansMono-Bold.ttf", MONO_BOLD_TTF)?,
                parse("CertvaultCode-Bold.ttf", CODE_TTF)?,
            ];
            let upem = [0, 1, 2, 3].map(|i| f32::from(faces[i].pdf_font_metrics.units_per_em.max(1)));
            Ok(Fonts { faces, upem })
        })
        .as_ref()
        .map_err(|e| SheetError::Font(e.clone()))
}

/// Measures text. Implemented by the real fonts and, in tests, by a fake.
pub(crate) trait Measure {
    /// Advance of `ch` in em, and the face that draws it.
    fn advance(&self, style: Style, ch: char) -> (f32, Face);

    /// Width of `s` in millimetres at `size_pt`.
    fn width_mm(&self, style: Style, s: &str, size_pt: f32) -> f32 {
        s.chars().map(|c| self.advance(style, c).0).sum::<f32>() * size_pt * PT_TO_MM
    }
}

impl Fonts {
    fn glyph_em(&self, face: Face, ch: char) -> Option<f32> {
        let f = &self.faces[face as usize];
        let gid = f.lookup_glyph_index(ch as u32).filter(|g| *g != 0)?;
        Some(f32::from(f.get_horizontal_advance(gid)) / self.upem[face as usize])
    }
}

impl Measure for Fonts {
    fn advance(&self, style: Style, ch: char) -> (f32, Face) {
        let pref = style.preferred();
        if let Some(w) = self.glyph_em(pref, ch) {
            return (w, pref);
        }
        for face in [Face::Gothic, Face::Mono] {
            if let Some(w) = self.glyph_em(face, ch) {
                return (w, face);
            }
        }
        // Not in any font: the PDF shows the missing-glyph box; keep the width sane.
        (0.6, pref)
    }
}

/// A run of text in one style. Wiped when dropped: some runs hold the printed codes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    pub(crate) style: Style,
    pub(crate) text: String,
}

impl Drop for Span {
    fn drop(&mut self) {
        self.text.zeroize();
    }
}

/// Parses the template markup: `code` is monospaced, **bold** is bold.
pub(crate) fn markup(s: &str, base: Style) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut cur = String::new();
    let mut code = false;
    let mut bold = false;
    let style_of = |code: bool, bold: bool| match (code, bold) {
        (true, true) => Style::MonoBold,
        (true, false) => Style::Mono,
        (false, true) => Style::Bold,
        (false, false) => base,
    };
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let toggle = if c == '`' {
            Some(true)
        } else if c == '*' && chars.peek() == Some(&'*') && !code {
            chars.next();
            Some(false)
        } else {
            None
        };
        match toggle {
            Some(is_code) => {
                if !cur.is_empty() {
                    spans.push(Span { style: style_of(code, bold), text: std::mem::take(&mut cur) });
                }
                if is_code {
                    code = !code;
                } else {
                    bold = !bold;
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        spans.push(Span { style: style_of(code, bold), text: cur });
    }
    spans
}

pub(crate) fn plain(s: &str, style: Style) -> Vec<Span> {
    vec![Span { style, text: s.to_string() }]
}

/// Characters that must not begin a line (行頭禁則).
pub(crate) fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '・'
            | '：'
            | '；'
            | '？'
            | '！'
            | 'ー'
            | '…'
            | '‥'
            | '」'
            | '』'
            | '）'
            | '］'
            | '｝'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '〙'
            | '〗'
            | '”'
            | '’'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ゕ'
            | 'ゖ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | 'ゝ'
            | 'ゞ'
            | 'ヽ'
            | 'ヾ'
            | '々'
            | '〻'
            | '゛'
            | '゜'
            | '％'
            | '‐'
            | '〜'
            | '～'
            | ')'
            | ']'
            | '}'
            | ','
            | '.'
            | ':'
            | ';'
            | '!'
            | '?'
            | '%'
    )
}

/// Characters that must not end a line (行末禁則).
pub(crate) fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '「' | '『'
            | '（'
            | '［'
            | '｛'
            | '【'
            | '〔'
            | '〈'
            | '《'
            | '〘'
            | '〖'
            | '“'
            | '‘'
            | '('
            | '['
            | '{'
    )
}

/// CJK characters (and full-width forms) break anywhere, subject to kinsoku.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF      // radicals
        | 0x3000..=0x303F    // CJK punctuation (、。「」 and the ideographic space)
        | 0x3040..=0x30FF    // hiragana, katakana
        | 0x3100..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF    // ideographs
        | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF    // full-width forms
        | 0x20000..=0x2FFFF)
}

#[derive(Debug, Clone)]
enum Item {
    Atom { style: Style, text: String },
    Space { style: Style },
}

fn atomize(spans: &[Span]) -> Vec<Item> {
    let mut items = Vec::new();
    for span in spans {
        if span.style.is_code() && !span.text.contains('\u{3000}') {
            // A code span stays whole if it fits; it is split at spaces only when too wide.
            items.push(Item::Atom { style: span.style, text: span.text.clone() });
            continue;
        }
        let mut word = String::new();
        for c in span.text.chars() {
            if c == ' ' || c == '\t' {
                if !word.is_empty() {
                    items.push(Item::Atom { style: span.style, text: std::mem::take(&mut word) });
                }
                items.push(Item::Space { style: span.style });
            } else if is_cjk(c) {
                if !word.is_empty() {
                    items.push(Item::Atom { style: span.style, text: std::mem::take(&mut word) });
                }
                items.push(Item::Atom { style: span.style, text: c.to_string() });
            } else {
                word.push(c);
            }
        }
        if !word.is_empty() {
            items.push(Item::Atom { style: span.style, text: word });
        }
    }
    items
}

fn cjk_edge(s: &str, last: bool) -> bool {
    let c = if last { s.chars().next_back() } else { s.chars().next() };
    c.is_some_and(is_cjk)
}

/// A katakana letter or the long-vowel mark (full or half width): a run of them is one word
/// (パスフレーズ, クリニック), not broken across lines. The middle dot ・ separates words.
pub(crate) fn is_katakana(c: char) -> bool {
    matches!(c as u32, 0x30A1..=0x30FA | 0x30FC..=0x30FE | 0x31F0..=0x31FF | 0xFF66..=0xFF9F)
}

/// May a line break fall between the atoms `a` and `b` (no space between them)?
pub(crate) fn can_break_between(a: &str, b: &str) -> bool {
    let (Some(last), Some(first)) = (a.chars().next_back(), b.chars().next()) else {
        return true;
    };
    if no_line_start(first) || no_line_end(last) || (is_katakana(last) && is_katakana(first)) {
        return false;
    }
    cjk_edge(a, true) || cjk_edge(b, false)
}

/// One laid-out line: pieces in order, each in one style.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Line {
    pub(crate) pieces: Vec<Span>,
    pub(crate) width: f32,
}

impl Line {
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        self.pieces.iter().map(|p| p.text.as_str()).collect()
    }
    fn push(&mut self, style: Style, text: &str, w: f32) {
        match self.pieces.last_mut() {
            Some(last) if last.style == style => last.text.push_str(text),
            _ => self.pieces.push(Span { style, text: text.to_string() }),
        }
        self.width += w;
    }
}

/// A chunk: atoms that must stay together, with the space before it (if any).
struct Chunk {
    parts: Vec<(Style, String)>,
    space_before: Option<Style>,
}

/// Breaks `spans` into lines no wider than `max_mm`. `\n` in the text forces a break.
pub(crate) fn wrap(m: &dyn Measure, spans: &[Span], size_pt: f32, max_mm: f32) -> Vec<Line> {
    // Split at hard line breaks first.
    let mut paragraphs: Vec<Vec<Span>> = vec![Vec::new()];
    for s in spans {
        for (i, part) in s.text.split('\n').enumerate() {
            if i > 0 {
                paragraphs.push(Vec::new());
            }
            if let (false, Some(p)) = (part.is_empty(), paragraphs.last_mut()) {
                p.push(Span { style: s.style, text: part.to_string() });
            }
        }
    }
    let mut lines = Vec::new();
    for p in paragraphs {
        wrap_paragraph(m, &p, size_pt, max_mm, &mut lines);
    }
    lines
}

fn wrap_paragraph(m: &dyn Measure, spans: &[Span], size_pt: f32, max_mm: f32, out: &mut Vec<Line>) {
    let items = atomize(spans);
    // Group atoms into unbreakable chunks.
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut pending_space: Option<Style> = None;
    for item in items {
        match item {
            Item::Space { style } => pending_space = Some(style),
            Item::Atom { style, text } => {
                let glue = pending_space.is_none()
                    && chunks.last().is_some_and(|c| {
                        let prev = &c.parts.last().expect("chunk never empty").1;
                        !can_break_between(prev, &text)
                    });
                // 、。…」 do not start a line even after a space: the space stays inside.
                let glue_over_space = pending_space.is_some()
                    && !chunks.is_empty()
                    && text.chars().next().is_some_and(|c| !c.is_ascii() && no_line_start(c));
                if glue_over_space {
                    let space = pending_space.take().expect("checked");
                    let chunk = chunks.last_mut().expect("checked");
                    chunk.parts.push((space, " ".to_string()));
                    chunk.parts.push((style, text));
                } else if glue {
                    chunks.last_mut().expect("checked").parts.push((style, text));
                } else {
                    chunks.push(Chunk { parts: vec![(style, text)], space_before: pending_space.take() });
                }
                pending_space = None;
            }
        }
    }

    let first_len = out.len();
    let mut line = Line::default();
    let width_of =
        |parts: &[(Style, String)]| -> f32 { parts.iter().map(|(s, t)| m.width_mm(*s, t, size_pt)).sum() };
    for chunk in chunks {
        let w = width_of(&chunk.parts);
        let space_w = chunk.space_before.map(|s| m.width_mm(s, " ", size_pt)).unwrap_or(0.0);
        if !line.pieces.is_empty() && line.width + space_w + w <= max_mm + 1e-3 {
            if let Some(s) = chunk.space_before {
                line.push(s, " ", space_w);
            }
            for (s, t) in &chunk.parts {
                line.push(*s, t, m.width_mm(*s, t, size_pt));
            }
            continue;
        }
        if !line.pieces.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        if w <= max_mm + 1e-3 {
            for (s, t) in &chunk.parts {
                line.push(*s, t, m.width_mm(*s, t, size_pt));
            }
        } else {
            // Too wide even alone: split, first at spaces inside code spans, then by character.
            for (s, t) in &chunk.parts {
                for (i, word) in t.split(' ').enumerate() {
                    let space_w = if i > 0 { m.width_mm(*s, " ", size_pt) } else { 0.0 };
                    let ww = m.width_mm(*s, word, size_pt);
                    if !line.pieces.is_empty() && line.width + space_w + ww <= max_mm + 1e-3 {
                        if i > 0 {
                            line.push(*s, " ", space_w);
                        }
                        line.push(*s, word, ww);
                        continue;
                    }
                    let starts_badly = word.chars().next().is_some_and(no_line_start);
                    if ww <= max_mm + 1e-3 && (!starts_badly || line.pieces.is_empty()) {
                        if !line.pieces.is_empty() {
                            out.push(std::mem::take(&mut line));
                        }
                        line.push(*s, word, ww);
                        continue;
                    }
                    split_chars(m, *s, word, size_pt, max_mm, &mut line, out);
                }
            }
        }
    }
    if !line.pieces.is_empty() || out.len() == first_len {
        out.push(line);
    }
}

fn split_chars(
    m: &dyn Measure,
    s: Style,
    word: &str,
    size_pt: f32,
    max_mm: f32,
    line: &mut Line,
    out: &mut Vec<Line>,
) {
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let cw = m.advance(s, c).0 * size_pt * PT_TO_MM;
        if line.width + cw > max_mm + 1e-3 && !line.pieces.is_empty() {
            // Carry the previous character along rather than start a line with 、。」 etc.
            // (`c` may be the first character of its atom: the one before is in the line),
            // and the ones before it while they must not start a line either (`）、`).
            if no_line_start(c) {
                let mut carried: Vec<(Style, char)> = Vec::new();
                while let Some(last) = line.pieces.last_mut() {
                    let Some(prev) = last.text.pop() else {
                        line.pieces.pop();
                        continue;
                    };
                    line.width -= m.advance(last.style, prev).0 * size_pt * PT_TO_MM;
                    carried.push((last.style, prev));
                    if last.text.is_empty() {
                        line.pieces.pop();
                    }
                    if !no_line_start(prev) {
                        break;
                    }
                }
                if !line.pieces.is_empty() {
                    out.push(std::mem::take(line));
                }
                for (style, ch) in carried.into_iter().rev() {
                    let w = m.advance(style, ch).0 * size_pt * PT_TO_MM;
                    line.push(style, &ch.to_string(), w);
                }
                line.push(s, &c.to_string(), cw);
                i += 1;
                continue;
            }
            out.push(std::mem::take(line));
        }
        line.push(s, &c.to_string(), cw);
        i += 1;
    }
}

/// Wraps a name (clinic, organisation) at its spaces only, so words such as
/// 「クリニック」 are not split; falls back to [`wrap`] when a word is wider than the line.
pub(crate) fn wrap_name(m: &dyn Measure, text: &str, style: Style, size_pt: f32, max_mm: f32) -> Vec<Line> {
    let space = m.width_mm(style, " ", size_pt);
    let mut lines: Vec<Line> = Vec::new();
    for para in text.split('\n') {
        let mut line = Line::default();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let w = m.width_mm(style, word, size_pt);
            if w > max_mm + 1e-3 {
                return wrap(m, &plain(text, style), size_pt, max_mm);
            }
            if !line.pieces.is_empty() && line.width + space + w > max_mm + 1e-3 {
                lines.push(std::mem::take(&mut line));
            }
            if !line.pieces.is_empty() {
                line.push(style, " ", space);
            }
            line.push(style, word, w);
        }
        lines.push(line);
    }
    lines
}

/// Largest size between `min_pt` and `max_pt` at which `s` fits on one line (or `min_pt`).
pub(crate) fn fit_size(m: &dyn Measure, style: Style, s: &str, max_pt: f32, min_pt: f32, max_mm: f32) -> f32 {
    let w1 = m.width_mm(style, s, 1.0);
    if w1 <= 0.0 {
        return max_pt;
    }
    (max_mm / w1).clamp(min_pt, max_pt)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// CJK = 1 em, everything else 0.5 em: widths in mm at 1 pt are em * PT_TO_MM.
    pub(crate) struct Fake;
    impl Measure for Fake {
        fn advance(&self, _style: Style, ch: char) -> (f32, Face) {
            (if is_cjk(ch) { 1.0 } else { 0.5 }, Face::Gothic)
        }
    }

    /// Width in mm for `n` full-width characters at 10 pt.
    fn em(n: f32) -> f32 {
        n * 10.0 * PT_TO_MM
    }

    fn lines(s: &str, width_em: f32) -> Vec<String> {
        wrap(&Fake, &markup(s, Style::Regular), 10.0, em(width_em)).iter().map(Line::text).collect()
    }

    #[test]
    fn japanese_wraps_at_any_character() {
        assert_eq!(lines("あいうえおかきくけこ", 4.0), ["あいうえ", "おかきく", "けこ"]);
    }

    #[test]
    fn kinsoku_no_line_starts_with_closing_punctuation() {
        // Without kinsoku line 2 would start with 。
        let l = lines("あいうえ。かきく", 4.0);
        assert_eq!(l, ["あいう", "え。かき", "く"]);
        for s in [
            "あいう「えお」かきくけ、こさしすせそ。たちつてと",
            "ファイルを開いてください。ショートカットは、デスクトップにあります。",
        ] {
            for w in 3..9 {
                let l = lines(s, w as f32);
                assert_eq!(l.concat(), s.replace(' ', ""));
                for line in &l {
                    let first = line.chars().next().unwrap();
                    let last = line.chars().next_back().unwrap();
                    assert!(!no_line_start(first), "{line:?} starts with {first} (width {w})");
                    assert!(!no_line_end(last), "{line:?} ends with {last} (width {w})");
                }
            }
        }
    }

    #[test]
    fn kinsoku_opening_bracket_does_not_end_a_line() {
        let l = lines("あいう「えお」", 4.0);
        assert_eq!(l, ["あいう", "「えお」"]);
    }

    #[test]
    fn small_kana_and_long_vowel_stay_with_previous() {
        let l = lines("あいうェー", 4.0);
        assert!(!l[1].starts_with('ェ') && !l[1].starts_with('ー'), "{l:?}");
        assert_eq!(l.concat(), "あいうェー");
    }

    #[test]
    fn latin_words_wrap_at_spaces_only() {
        // 10 half-width chars per line
        let l = lines("restore the vault now", 5.0);
        assert_eq!(l, ["restore", "the vault", "now"]);
    }

    #[test]
    fn mixed_latin_and_japanese() {
        let l = lines("USBメモリを差し込みます。", 5.0);
        assert_eq!(l.concat(), "USBメモリを差し込みます。");
        assert!(l.iter().all(|x| !x.starts_with('。')));
        // the Latin word is never split
        assert!(l[0].starts_with("USB"));
    }

    #[test]
    fn code_span_stays_whole_when_it_fits() {
        let l = lines("次に `certvault restore` を実行", 12.0);
        assert!(l.iter().any(|x| x.contains("certvault restore")), "{l:?}");
    }

    #[test]
    fn overlong_word_is_split_by_character_and_nothing_is_lost() {
        let hex = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01";
        let l = lines(hex, 10.0);
        assert!(l.len() > 1);
        assert_eq!(l.concat(), hex);
        for line in wrap(&Fake, &plain(hex, Style::Mono), 10.0, em(10.0)) {
            assert!(line.width <= em(10.0) + 1e-3);
        }
    }

    #[test]
    fn lines_never_exceed_width() {
        let s = "医療法人社団 さくら会 さくら内科・小児科クリニック 附属 在宅医療センター（東京都）";
        for w in 2..20 {
            for line in wrap(&Fake, &plain(s, Style::Regular), 10.0, em(w as f32)) {
                assert!(line.width <= em(w as f32) + 1e-3, "{line:?}");
            }
        }
    }

    #[test]
    fn markup_parses_code_and_bold() {
        let s = markup("a `b` **c** d", Style::Regular);
        let styles: Vec<_> = s.iter().map(|x| (x.style, x.text.as_str())).collect();
        assert_eq!(
            styles,
            [
                (Style::Regular, "a "),
                (Style::Mono, "b"),
                (Style::Regular, " "),
                (Style::Bold, "c"),
                (Style::Regular, " d")
            ]
        );
    }

    #[test]
    fn names_break_at_spaces_when_possible() {
        let name = "医療法人社団 さくら会 さくら内科・小児科クリニック 附属";
        let l: Vec<String> =
            wrap_name(&Fake, name, Style::Regular, 10.0, em(15.0)).iter().map(Line::text).collect();
        assert_eq!(l, ["医療法人社団 さくら会", "さくら内科・小児科クリニック", "附属"]);
        // a word wider than the line falls back to character breaking
        let l = wrap_name(&Fake, name, Style::Regular, 10.0, em(8.0));
        assert!(l.iter().all(|x| x.width <= em(8.0) + 1e-3));
        assert_eq!(l.iter().map(Line::text).collect::<String>().replace(' ', ""), name.replace(' ', ""));
    }

    /// Every string of the Japanese sheet template (the sheet's real sentences).
    fn template_sentences() -> Vec<String> {
        fn walk(v: &toml::Value, out: &mut Vec<String>) {
            match v {
                toml::Value::String(s) => out.push(s.clone()),
                toml::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                toml::Value::Table(t) => t.values().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&toml::from_str(super::super::template::JA_TOML).unwrap(), &mut out);
        out.retain(|s| s.chars().any(is_cjk));
        out
    }

    #[test]
    fn real_sentences_never_start_a_line_with_punctuation_nor_split_a_katakana_word() {
        let mut sentences = template_sentences();
        sentences.extend(
            include_str!("../../../i18n/ja/certvault.ftl")
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(_, v)| v.to_string()))
                // Placeholders (`{ $file }`) are filled with names and paths at run time.
                .filter(|v| v.chars().any(is_cjk) && !v.contains('{')),
        );
        assert!(sentences.len() > 100, "{}", sentences.len());
        for s in &sentences {
            for w in 12..40 {
                let l = wrap(&Fake, &markup(s, Style::Regular), 10.0, em(w as f32));
                let joined: String = l.iter().map(Line::text).collect::<String>().replace(' ', "");
                assert_eq!(joined, s.replace(['`', ' ', '\n'], "").replace("**", ""), "width {w}");
                for pair in l.windows(2) {
                    let (a, b) = (pair[0].text(), pair[1].text());
                    let (last, first) = (a.chars().next_back().unwrap(), b.chars().next().unwrap());
                    // (An ASCII `.p12` may start a line after a space; 、。ー… may not.)
                    assert!(
                        !no_line_start(first) || first.is_ascii(),
                        "{b:?} starts with {first} (width {w}): {s}"
                    );
                    assert!(b.trim() != "。", "a lone 。 (width {w}): {s}");
                    assert!(
                        !(is_katakana(last) && is_katakana(first)),
                        "a katakana word split: {a:?} / {b:?} (width {w}): {s}"
                    );
                }
            }
        }
    }

    #[test]
    fn katakana_words_stay_whole() {
        assert_eq!(lines("あいうパスフレーズ", 6.0), ["あいう", "パスフレーズ"]);
        // A word longer than the line is still split, by character.
        assert_eq!(lines("パスフレーズ", 4.0).concat(), "パスフレーズ");
        // The middle dot separates two words.
        assert_eq!(lines("あいうカード・リーダー", 6.0), ["あいう", "カード・", "リーダー"]);
    }

    #[test]
    fn hard_newlines_break() {
        assert_eq!(lines("あい\nう", 10.0), ["あい", "う"]);
    }

    #[test]
    fn fit_size_shrinks_then_stops() {
        let s = "ABCDEFGHIJ"; // 5 em
        assert_eq!(fit_size(&Fake, Style::Mono, s, 10.0, 4.0, em(10.0)), 10.0);
        let f = fit_size(&Fake, Style::Mono, s, 10.0, 4.0, em(3.0));
        assert!((f - 6.0).abs() < 1e-3, "{f}");
        assert_eq!(fit_size(&Fake, Style::Mono, s, 10.0, 4.0, em(0.5)), 4.0);
    }
}
