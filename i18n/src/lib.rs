//! Japanese and English text, from the Fluent files beside this crate (`i18n/ja`, `i18n/en`)
//! compiled into the program. The terminal (`src/`) and the window (`gui/`) phrase every
//! message, and every core [`Message`](certvault_core::Message), through this one crate.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
/// The value type of [`message`]'s arguments (used by [`t!`]).
pub use fluent_bundle::FluentValue;
use fluent_bundle::{FluentArgs, FluentResource};

pub mod text;

pub const EN_FTL: &str = include_str!("../en/certvault.ftl");
pub const JA_FTL: &str = include_str!("../ja/certvault.ftl");

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// Japanese where the user's locale (LC_ALL / LC_MESSAGES / LANG, or the Windows UI
    /// language) is Japanese, English otherwise.
    pub fn detect() -> Lang {
        let locale = sys_locale::get_locale().unwrap_or_default();
        if locale.to_ascii_lowercase().starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }
}

struct Localizer {
    bundle: FluentBundle<FluentResource>,
}

/// The language of messages: 0 not chosen yet, else [`Lang::code`]. Chosen once at start-up
/// by the terminal; the window's language switch changes it ([`set_lang`]).
static CHOSEN: AtomicU8 = AtomicU8::new(0);
static JAPANESE: OnceLock<Localizer> = OnceLock::new();
static ENGLISH: OnceLock<Localizer> = OnceLock::new();

impl Lang {
    fn code(self) -> u8 {
        match self {
            Lang::Ja => 1,
            Lang::En => 2,
        }
    }

    fn from_code(code: u8) -> Option<Lang> {
        match code {
            1 => Some(Lang::Ja),
            2 => Some(Lang::En),
            _ => None,
        }
    }
}

fn build(lang: Lang) -> Localizer {
    let (tag, source) = match lang {
        Lang::Ja => ("ja-JP", JA_FTL),
        Lang::En => ("en-US", EN_FTL),
    };
    let langid: unic_langid::LanguageIdentifier = tag.parse().expect("static language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks (U+2068/U+2069) around placeables would end up in file paths people copy.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_string()).expect("the compiled-in .ftl parses (tested)");
    bundle.add_resource(resource).expect("no duplicate message ids (tested)");
    Localizer { bundle }
}

fn localizer(lang: Lang) -> &'static Localizer {
    let cell = match lang {
        Lang::Ja => &JAPANESE,
        Lang::En => &ENGLISH,
    };
    cell.get_or_init(|| build(lang))
}

/// Chooses the language once, at start-up. Later calls keep the first choice.
pub fn init(lang: Lang) {
    let _ = CHOSEN.compare_exchange(0, lang.code(), Ordering::SeqCst, Ordering::SeqCst);
    let _ = localizer(self::lang());
}

/// Switches the language of messages from now on (the window's language switch).
pub fn set_lang(lang: Lang) {
    let _ = localizer(lang);
    CHOSEN.store(lang.code(), Ordering::SeqCst);
}

/// The language messages are in (the locale's when [`init`] was not called).
pub fn lang() -> Lang {
    if let Some(lang) = Lang::from_code(CHOSEN.load(Ordering::SeqCst)) {
        return lang;
    }
    let _ = CHOSEN.compare_exchange(0, Lang::detect().code(), Ordering::SeqCst, Ordering::SeqCst);
    Lang::from_code(CHOSEN.load(Ordering::SeqCst)).unwrap_or(Lang::En)
}

/// The command line's subcommands (the root crate's tests check this against its parser): a
/// message that names one (`certvault sync`) has words of its own for the wizard and the
/// window ([`Voice`]), and those front-ends' tests check that none of them reaches a screen.
pub const COMMAND_NAMES: &[&str] = &[
    "add",
    "clean",
    "clone",
    "completions",
    "demo",
    "export",
    "init",
    "inspect",
    "list",
    "man",
    "passwd",
    "recover-pin",
    "remove",
    "rescue",
    "restore",
    "reveal-pin",
    "scan",
    "sheet",
    "status",
    "sync",
    "verify",
];

/// Who speaks to the user. The command line names commands and flags; the wizard and the
/// window name their own menu items, screens and buttons instead. A message that names a
/// command carries the words of the other two as attributes, `.wizard` and `.window`, which
/// [`message`] and [`render`] use once the front-end has set its voice (a test makes every
/// such message say which it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    CommandLine,
    Wizard,
    Window,
}

static VOICE: AtomicU8 = AtomicU8::new(0);

/// Sets who speaks from now on (the wizard when it starts, the window at start-up).
pub fn set_voice(voice: Voice) {
    VOICE.store(voice as u8, Ordering::SeqCst);
}

/// Who speaks now: the command line unless [`set_voice`] said otherwise.
pub fn voice() -> Voice {
    match VOICE.load(Ordering::SeqCst) {
        1 => Voice::Wizard,
        2 => Voice::Window,
        _ => Voice::CommandLine,
    }
}

impl Voice {
    /// The attribute holding this voice's words, if it has its own.
    fn attribute(self) -> Option<&'static str> {
        match self {
            Voice::CommandLine => None,
            Voice::Wizard => Some("wizard"),
            Voice::Window => Some("window"),
        }
    }
}

/// The messages are loaded (a panic hook must not load them: a panic while loading would
/// wait for itself).
pub fn is_ready() -> bool {
    Lang::from_code(CHOSEN.load(Ordering::SeqCst)).is_some_and(|lang| match lang {
        Lang::Ja => JAPANESE.get().is_some(),
        Lang::En => ENGLISH.get().is_some(),
    })
}

/// The message `id` with its placeables filled from `args`.
pub fn message(id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    // A missing id is a bug caught by the parity test; show the id rather than nothing.
    formatted(lang(), voice(), id, args).unwrap_or_else(|| id.to_string())
}

/// The message `id` (without placeables) in `lang`, or `None` when the file lacks it: the
/// translated command-line help falls back to clap's own text then (a test forbids it).
pub fn text_in(lang: Lang, id: &str) -> Option<String> {
    formatted(lang, Voice::CommandLine, id, &[])
}

fn formatted(lang: Lang, voice: Voice, id: &str, args: &[(&str, FluentValue<'_>)]) -> Option<String> {
    let loc = localizer(lang);
    let found = loc.bundle.get_message(id)?;
    let own = voice.attribute().and_then(|name| found.get_attribute(name)).map(|a| a.value());
    let pattern = own.or_else(|| found.value())?;
    let mut fluent_args = FluentArgs::new();
    for (k, v) in args {
        // Placeables carry outside text (file names, subjects, hints): no control or bidi
        // character of theirs reaches the terminal.
        let value = match v {
            FluentValue::String(s) => FluentValue::from(crate::text::escaped(s).into_owned()),
            other => other.clone(),
        };
        fluent_args.set(*k, value);
    }
    let mut errors = Vec::new();
    Some(loc.bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned())
}

/// Phrases a core [`Message`](certvault_core::Message): its arguments first (nested messages
/// are phrased, lists joined), then the message itself.
pub fn render(m: &certvault_core::Message) -> String {
    use certvault_core::message::Arg;
    let args: Vec<(&str, FluentValue<'_>)> = m
        .args
        .iter()
        .map(|(name, arg)| {
            let text = match arg {
                Arg::Text(t) => t.clone(),
                Arg::Message(inner) => render(inner),
                Arg::List(items) => {
                    items.iter().map(render).collect::<Vec<_>>().join(&message("list-separator", &[]))
                }
            };
            (*name, FluentValue::from(text))
        })
        .collect();
    message(m.id, &args)
}

/// `t!("id")` or `t!("id", name = value, …)`; values are turned into strings first so that
/// numbers keep the formatting we chose (Fluent would otherwise group digits per locale).
#[macro_export]
macro_rules! t {
    ($id:expr) => {
        $crate::message($id, &[])
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::message(
            $id,
            &[$((stringify!($name), $crate::FluentValue::from($value.to_string()))),+],
        )
    };
}

pub use certvault_core::message::group_digits;

/// A duration for people: "0.4 seconds", "3 minutes", "2.5 hours".
pub fn human_duration(seconds: f64) -> String {
    if seconds < 1.0 {
        t!("duration-ms", value = format!("{:.0}", (seconds * 1000.0).max(1.0)))
    } else if seconds < 90.0 {
        t!("duration-s", value = format!("{seconds:.1}"))
    } else if seconds < 90.0 * 60.0 {
        t!("duration-min", value = format!("{:.0}", seconds / 60.0))
    } else if seconds < 48.0 * 3600.0 {
        t!("duration-h", value = format!("{:.1}", seconds / 3600.0))
    } else {
        t!("duration-d", value = format!("{:.0}", seconds / 86400.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_string()).expect("ftl parses");
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_message_ids() {
        let en = ids(EN_FTL);
        let ja = ids(JA_FTL);
        let only_en: Vec<_> = en.difference(&ja).collect();
        let only_ja: Vec<_> = ja.difference(&en).collect();
        assert!(only_en.is_empty() && only_ja.is_empty(), "only in en: {only_en:?}; only in ja: {only_ja:?}");
    }

    /// Every literal id in `t!("…")` (front-end) and `msg!("…")` (core) exists in both files:
    /// a missing one would show its id to the user.
    #[test]
    fn every_message_id_used_in_the_code_exists() {
        let en = ids(EN_FTL);
        let ja = ids(JA_FTL);
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("i18n/ is in the workspace");
        let mut missing = Vec::new();
        let mut files = Vec::new();
        let mut dirs = vec![root.join("src"), root.join("core/src"), root.join("gui/src")];
        dirs.retain(|d| d.is_dir());
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 20, "sources not found under {}", root.display());
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for marker in ["t!(\"", "msg!(\""] {
                for piece in text.split(marker).skip(1) {
                    let id = piece.split('"').next().unwrap_or("");
                    let is_id = !id.is_empty()
                        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                    if is_id && (!en.contains(id) || !ja.contains(id)) && !id.starts_with("q-") && id != "id"
                    {
                        missing.push(format!("{}: {id}", path.display()));
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "message ids missing from the .ftl files:\n{}", missing.join("\n"));
    }

    /// A message as written: id, text, attributes (name, text); placeables as `{…}`.
    type Written = (String, String, Vec<(String, String)>);

    fn texts(source: &str) -> Vec<Written> {
        use fluent_syntax::ast::{Entry, Pattern, PatternElement};
        fn flat(p: &Pattern<&str>) -> String {
            p.elements
                .iter()
                .map(|e| match e {
                    PatternElement::TextElement { value } => value.to_string(),
                    PatternElement::Placeable { .. } => "{…}".to_string(),
                })
                .collect()
        }
        let resource = fluent_syntax::parser::parse(source).expect("ftl parses");
        resource
            .body
            .iter()
            .filter_map(|e| match e {
                Entry::Message(m) => Some((
                    m.id.name.to_string(),
                    m.value.as_ref().map(flat).unwrap_or_default(),
                    m.attributes.iter().map(|a| (a.id.name.to_string(), flat(&a.value))).collect(),
                )),
                _ => None,
            })
            .collect()
    }

    /// Whether a text tells the user to run a command (`certvault sync`) or give a flag.
    fn names_a_command(text: &str) -> bool {
        let command = text.match_indices("certvault ").any(|(i, m)| {
            let word: String =
                text[i + m.len()..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
            COMMAND_NAMES.contains(&word.as_str())
        });
        let flag = text
            .match_indices("--")
            .any(|(i, _)| text[i + 2..].chars().next().is_some_and(|c| c.is_ascii_lowercase()));
        command || flag
    }

    /// Messages that only the command line shows (its flags, its reports, its usage errors):
    /// they may name commands and flags and need no `.wizard`/`.window` words.
    const COMMAND_LINE_ONLY: &[&str] = &[
        "err-max-digits",
        "err-init-no-output",
        "err-no-entry",
        "err-share-is-code",
        "err-shares-not-enough",
        "sheet-no-pin-code",
        "scan-more",
        "scan-summary-not-opened",
        "scan-advice-vault",
        "scan-advice-clean",
        "scan-advice-unknown",
        "scan-advice-same",
        "clean-no-terminal-confirm",
        "clean-advice-apply",
        "hint-restore-vault-flag",
        "err-restore-no-entry",
        "err-restore-needs-yes",
        "hint-restore-pin-flags",
        "hint-restore-store-password-file",
        "rescue-name-thumbprints",
        "copies-none-found-hint",
        "wizard-needs-terminal",
        "err-usage-no-equals",
        "hint-demo-dir",
        "usage-more-help",
        "demo-intro",
        "demo-report-title",
    ];

    /// Issue 16, item 5: a clinic in the wizard or the window is never told to type a command.
    /// Every message that names one either has the wizard's and the window's words, or is
    /// listed as the command line's own; the words of the other voices name no command.
    #[test]
    fn messages_that_name_a_command_have_words_for_the_wizard_and_the_window() {
        for (lang, source) in [("en", EN_FTL), ("ja", JA_FTL)] {
            let mut missing = Vec::new();
            for (id, value, attributes) in texts(source) {
                if id.starts_with("cli-") || COMMAND_LINE_ONLY.contains(&id.as_str()) {
                    continue;
                }
                let voices: Vec<&String> = attributes
                    .iter()
                    .filter(|(a, _)| a == "wizard" || a == "window")
                    .map(|(a, _)| a)
                    .collect();
                if names_a_command(&value) && voices.len() != 2 {
                    missing.push(id.clone());
                }
                for (a, text) in &attributes {
                    assert!(!names_a_command(text), "{lang}: {id}.{a} names a command: {text}");
                }
            }
            assert!(
                missing.is_empty(),
                "{lang}: these messages name a command but have no .wizard and .window words \
                 (or belong in COMMAND_LINE_ONLY): {missing:?}"
            );
        }
        // The list holds only messages that exist (and still name a command).
        let en = texts(EN_FTL);
        for id in COMMAND_LINE_ONLY {
            let found = en.iter().find(|(i, _, _)| i == id);
            assert!(found.is_some_and(|(_, v, _)| names_a_command(v)), "{id} in COMMAND_LINE_ONLY");
        }
    }

    #[test]
    fn both_languages_have_the_same_attributes() {
        let attrs = |source| {
            texts(source)
                .into_iter()
                .flat_map(|(id, _, a)| a.into_iter().map(move |(name, _)| format!("{id}.{name}")))
                .collect::<BTreeSet<_>>()
        };
        let (en, ja) = (attrs(EN_FTL), attrs(JA_FTL));
        assert_eq!(en.difference(&ja).collect::<Vec<_>>(), Vec::<&String>::new(), "only in en");
        assert_eq!(ja.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "only in ja");
    }

    #[test]
    fn each_voice_says_its_own_words() {
        let args = [("src", FluentValue::from("E:\\CERTVAULT")), ("dir", FluentValue::from("F:\\CERTVAULT"))];
        let cli = formatted(Lang::Ja, Voice::CommandLine, "hint-clone-already-copy", &args).unwrap();
        let wizard = formatted(Lang::Ja, Voice::Wizard, "hint-clone-already-copy", &args).unwrap();
        let window = formatted(Lang::Ja, Voice::Window, "hint-clone-already-copy", &args).unwrap();
        assert!(cli.contains("certvault sync E:\\CERTVAULT F:\\CERTVAULT"), "{cli}");
        assert!(wizard.contains("「USBメモリを点検する（2本をそろえる）」"), "{wizard}");
        assert!(window.contains("「2 本目の USBメモリ」の画面の「そろえる」"), "{window}");
        // A message without words of its own reads the same in every voice.
        let plain = |v| formatted(Lang::En, v, "err-wrong-pin", &[]).unwrap();
        assert_eq!(plain(Voice::Wizard), plain(Voice::CommandLine));
    }

    #[test]
    fn bundles_build_without_errors() {
        for lang in [Lang::Ja, Lang::En] {
            let loc = build(lang);
            assert!(loc.bundle.has_message("err-wrong-pin"));
        }
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(1234), "1,234");
        assert_eq!(group_digits(1111110), "1,111,110");
    }
}
