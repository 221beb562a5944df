//! A recovery code or PIN code typed from the printed sheet, shown as it is typed: grouped as
//! the sheet prints it, each group marked once its five characters are in (✓ its check
//! character matches, ✗ it does not), and a line under it that says which group is wrong or
//! how far the typist is ([`certvault_core::codes::check_as_typed`]). The code is on the paper
//! in the typist's hand; showing it is what lets a stressed person find their mistake.
//!
//! Enter hands the code over once all 25 characters are typed and no group is known to be
//! wrong (the core then judges it, and asks again in place when it opens nothing); before
//! that the text stays for correcting, and the note says what is missing or wrong.
//! An empty Enter, Esc or Ctrl-C cancels.

use std::io::IsTerminal;

use certvault_core::codes::{check_as_typed, GroupCheck, TypedCode};
use certvault_core::conversation::Unanswered;
use dialoguer::console::{self, style, Key, Term};
use secrecy::{ExposeSecret, SecretString};
use vault_format::CodeKind;
use zeroize::Zeroizing;

use certvault_i18n::render;

/// Asks for a code after `prompt`, echoing it grouped and checked.
pub fn read_code(prompt: &str, kind: CodeKind) -> Result<SecretString, Unanswered> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Unanswered::NoTerminal);
    }
    let term = Term::stderr();
    let _keys = KeyAtATime::start();
    let mut typed = Zeroizing::new(String::new());
    let mut shown_note: Option<String> = None;
    loop {
        let check = check_as_typed(kind, &typed);
        let note = shown_note.take().or_else(|| check.note(kind).map(|m| render(&m)));
        draw(&term, prompt, &check, note.as_deref());
        // Tests type here while the program is between two keys (see `KeyAtATime`).
        certvault_core::durable::pause_point("code-key");
        let key = term.read_key();
        match key {
            Ok(Key::Char(c)) if !c.is_control() => typed.push(c),
            Ok(Key::Backspace) => {
                // Erase the last character that counts (a symbol), and the separators after it.
                while let Some(c) = typed.pop() {
                    if !(c.is_whitespace() || c == '-') {
                        break;
                    }
                }
            }
            Ok(Key::Enter) => {
                if typed.trim().is_empty() {
                    finish(&term);
                    return Err(Unanswered::Cancelled);
                }
                if check.first_mistyped().is_some() || check.invalid.is_some() || check.other_kind {
                    // Known wrong: the note says where; the text stays to be corrected.
                    let _ = term.write_str("\u{7}");
                    continue;
                }
                if check.symbols >= vault_format::code::CODE_SYMBOLS {
                    finish(&term);
                    // The grouped form: what the sheet shows, without a check value after it.
                    let code = if check.check_value_matches.is_some() {
                        check.grouped.expose_secret().to_string()
                    } else {
                        typed.to_string()
                    };
                    return Ok(SecretString::from(code));
                }
                shown_note =
                    Some(render(&certvault_core::msg!("code-typing-incomplete", count = check.symbols)));
            }
            Ok(Key::Escape | Key::CtrlC) => {
                finish(&term);
                return Err(Unanswered::Cancelled);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                finish(&term);
                return Err(Unanswered::Cancelled);
            }
            Err(e) => {
                finish(&term);
                return Err(Unanswered::Failed(e.to_string()));
            }
            Ok(_) => {}
        }
    }
}

/// Holds the terminal in the mode `console` reads a key in (raw input, output as it was) for
/// the whole prompt. `console` switches to raw mode only while it waits for a key, so a key
/// that arrived while the code was being redrawn met the line discipline instead: Backspace,
/// its erase character, was swallowed there (seen when a person, or a test, typed quickly on
/// a loaded machine), and letters were echoed out of place. Restored when dropped.
struct KeyAtATime {
    #[cfg(unix)]
    original: Option<libc::termios>,
}

impl KeyAtATime {
    fn start() -> Self {
        #[cfg(unix)]
        {
            let mut termios = std::mem::MaybeUninit::<libc::termios>::uninit();
            // SAFETY: standard input is a terminal (checked by the caller); tcgetattr fills
            // the termios it is given when it returns 0.
            if unsafe { libc::tcgetattr(libc::STDIN_FILENO, termios.as_mut_ptr()) } != 0 {
                return Self { original: None };
            }
            // SAFETY: initialised by the successful tcgetattr above.
            let original = unsafe { termios.assume_init() };
            let mut raw = original;
            // SAFETY: cfmakeraw only changes the fields of the termios it is given.
            unsafe { libc::cfmakeraw(&mut raw) };
            raw.c_oflag = original.c_oflag;
            // SAFETY: a valid termios for a terminal file descriptor.
            let set = unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSADRAIN, &raw) };
            Self { original: (set == 0).then_some(original) }
        }
        #[cfg(not(unix))]
        Self {}
    }
}

impl Drop for KeyAtATime {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(original) = &self.original {
            // SAFETY: the termios read from this terminal in `start`.
            unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSADRAIN, original) };
        }
    }
}

/// Redraws the two lines: the prompt and the code, then under it the marks of the five
/// groups and the note. The cursor is left at the end of the code.
fn draw(term: &Term, prompt: &str, check: &TypedCode, note: Option<&str>) {
    let code = check.grouped.expose_secret();
    let head = format!("{prompt} ");
    let mut line = style(&head).bold().to_string();
    for (i, group) in code.split('-').enumerate() {
        if i > 0 {
            line.push('-');
        }
        let state = check.groups.get(i).copied().unwrap_or(GroupCheck::Missing);
        line.push_str(&match state {
            GroupCheck::Good => style(group).green().to_string(),
            GroupCheck::Mistyped => style(group).red().bold().underlined().to_string(),
            _ => group.to_string(),
        });
    }
    let marks: String = check
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| match g {
            GroupCheck::Good => format!("{}✓", i + 1),
            GroupCheck::Mistyped => format!("{}✗", i + 1),
            _ => format!("{}·", i + 1),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let under = match note {
        Some(n) => format!("  [{marks}] {n}"),
        None => format!("  [{marks}]"),
    };
    // One line each, whatever the width: a wrapped line would break the redraw.
    let width = usize::from(term.size().1).max(20) - 1;
    let under = console::truncate_str(&under, width, "…");
    let _ = term.clear_line();
    let _ = term.write_str(&line);
    let _ = term.write_str("\n");
    let _ = term.clear_line();
    let _ = term.write_str(&style(under).dim().to_string());
    let _ = term.move_cursor_up(1);
    let _ = term.write_str("\r");
    let column = console::measure_text_width(&head) + code.len();
    let _ = term.move_cursor_right(column);
    let _ = term.flush();
}

/// Leaves the two lines as they are and goes below them.
fn finish(term: &Term) {
    let _ = term.write_str("\n\n");
    let _ = term.flush();
}
