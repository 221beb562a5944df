//! Breaking text into terminal lines as a Japanese reader expects: between any two Japanese
//! characters, but never before closing punctuation, after an opening bracket or inside a
//! katakana word; at spaces between Latin words. The wizard's paragraphs and the terminal's
//! yes/no questions use it.

/// A katakana letter or the long-vowel mark: a run of them is one word (パスフレーズ).
pub(crate) fn is_katakana(c: char) -> bool {
    matches!(c as u32, 0x30A1..=0x30FA | 0x30FC..=0x30FE | 0x31F0..=0x31FF | 0xFF66..=0xFF9F)
}

/// Breaks `text` into lines of at most `width` columns (Japanese characters take two): at
/// spaces between Latin words, between any two Japanese characters, but never before closing
/// punctuation (、。）」 …), never after an opening bracket, never inside a katakana word
/// (パスフレーズ) and never inside a word or a path unless it is longer than a line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    const NO_LINE_START: &str = "、。，．,.)）」』】〕!！?？:：;；ー…・ゃゅょっャュョッぁぃぅぇぉァィゥェォ";
    const NO_LINE_END: &str = "「『（【〔“(";
    let width = width.max(10);
    // Tokens: a run of non-space Latin characters, one wide character (a katakana word), or a
    // run of spaces; closing punctuation sticks to the token before it, the token after an
    // opening bracket to the bracket.
    let mut tokens: Vec<String> = Vec::new();
    for c in text.chars() {
        let wide = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > 1;
        let glue =
            NO_LINE_START.contains(c) && tokens.last().is_some_and(|l| !l.chars().all(char::is_whitespace));
        let after_open =
            tokens.last().and_then(|l| l.chars().last()).is_some_and(|p| NO_LINE_END.contains(p));
        // A katakana word, also when it is written on from Latin letters (USBメモリ).
        let katakana_run = tokens.last().and_then(|l| l.chars().last()).is_some_and(|p| {
            (is_katakana(c) && (is_katakana(p) || p.is_ascii_alphanumeric()))
                || (c.is_ascii_alphanumeric() && is_katakana(p))
        });
        // 、。… after a space do not start a line either: the space joins the word before.
        if NO_LINE_START.contains(c)
            && !c.is_ascii()
            && tokens.len() >= 2
            && tokens.last().is_some_and(|l| l.chars().all(char::is_whitespace))
        {
            let space = tokens.pop().expect("checked");
            let before = tokens.last_mut().expect("two tokens");
            before.push_str(&space);
            before.push(c);
            continue;
        }
        match tokens.last_mut() {
            Some(last) if glue || after_open || katakana_run => last.push(c),
            Some(last)
                if !wide
                    && !c.is_whitespace()
                    && last.chars().last().is_some_and(|p| {
                        !p.is_whitespace() && unicode_width::UnicodeWidthChar::width(p).unwrap_or(0) <= 1
                    }) =>
            {
                last.push(c)
            }
            Some(last) if c.is_whitespace() && last.chars().all(char::is_whitespace) => last.push(c),
            _ => tokens.push(c.to_string()),
        }
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for token in tokens {
        if line.width() + token.width() > width && !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
            line = String::new();
            if token.trim().is_empty() {
                continue;
            }
        }
        if token.width() > width {
            for c in token.chars() {
                if line.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > width {
                    // Not 、。） at the start of the next line: the characters before it go along.
                    let mut carried = Vec::new();
                    if NO_LINE_START.contains(c) {
                        while let Some(p) = line.pop() {
                            carried.push(p);
                            if !NO_LINE_START.contains(p) {
                                break;
                            }
                        }
                    }
                    if !line.trim().is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.extend(carried.into_iter().rev());
                }
                line.push(c);
            }
        } else {
            line.push_str(&token);
        }
    }
    lines.push(line.trim_end().to_string());
    lines
}

/// Prints `lead` and `text` on standard output; on a terminal the text is broken to its width
/// ([`wrap`], at most 100 columns) with the lines after the first indented by `lead`'s width,
/// so that no word is cut at the terminal's edge. Into a pipe it stays one line.
pub fn print_hanging(lead: &str, text: &str) {
    use std::io::IsTerminal;
    use unicode_width::UnicodeWidthStr;
    if !std::io::stdout().is_terminal() {
        println!("{lead}{text}");
        return;
    }
    let columns = usize::from(dialoguer::console::Term::stdout().size().1).clamp(40, 101) - 1;
    let indent = lead.width();
    for (i, line) in wrap(text, columns.saturating_sub(indent)).iter().enumerate() {
        if i == 0 {
            println!("{lead}{line}");
        } else {
            println!("{:indent$}{line}", "");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn japanese_wraps_between_characters_but_not_before_punctuation() {
        let text =
            "証明書ファイルと PIN を暗号化して、USBメモリ上の保管庫に入れます。端末が壊れても戻せます。";
        for width in 10..40 {
            let lines = wrap(text, width);
            assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""), "width {width}");
            for l in &lines {
                assert!(l.width() <= width + 2, "{l:?} at {width}");
                assert!(!l.starts_with('、') && !l.starts_with('。'), "{lines:?}");
            }
        }
    }

    /// Every Japanese message without placeholders, wrapped at the widths a terminal has.
    #[test]
    fn real_messages_never_start_a_line_with_punctuation_nor_split_a_katakana_word() {
        let ja = include_str!("../../i18n/ja/certvault.ftl");
        let messages: Vec<&str> = ja
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(_, v)| v))
            .filter(|v| {
                !v.contains('{')
                    && v.chars().any(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > 1)
            })
            .collect();
        assert!(messages.len() > 100, "{}", messages.len());
        let kata = super::is_katakana;
        for m in &messages {
            for width in 24..=60 {
                let lines = wrap(m, width);
                assert_eq!(lines.concat().replace(' ', ""), m.replace(' ', ""), "width {width}");
                for pair in lines.windows(2) {
                    let (a, b) = (&pair[0], &pair[1]);
                    let first = b.chars().next().unwrap_or(' ');
                    assert!(
                        !"、。，．）」』】ー…ッャュョっゃゅょ".contains(first),
                        "{b:?} (width {width}): {m}"
                    );
                    assert!(b.trim() != "。", "a lone 。 (width {width}): {m}");
                    let last = a.chars().last().unwrap_or(' ');
                    assert!(!(kata(last) && kata(first)), "{a:?} / {b:?} (width {width}): {m}");
                    assert!(!"「（『".contains(last), "{a:?} ends with an opening bracket: {m}");
                }
            }
        }
    }

    #[test]
    fn katakana_words_and_brackets_stay_whole() {
        assert_eq!(wrap("保管庫のパスフレーズを入力", 12), ["保管庫の", "パスフレーズ", "を入力"]);
        assert_eq!(
            wrap("メニューの「USBメモリを点検する」", 20),
            ["メニューの", "「USBメモリを点検す", "る」"]
        );
        assert_eq!(
            wrap("メニューの「新しい端末に復元する」", 12),
            ["メニューの", "「新しい端末", "に復元する」"]
        );
    }

    #[test]
    fn english_wraps_at_spaces_and_keeps_paths_whole() {
        let lines = wrap("Plug the stick in; it is listed below as /media/clinic/USB/CERTVAULT now.", 30);
        assert_eq!(
            lines,
            ["Plug the stick in; it is", "listed below as", "/media/clinic/USB/CERTVAULT", "now."]
        );
        assert_eq!(wrap("", 30), [""]);
    }
}
