//! The passphrase of a new vault or of `passwd`: how strong it is (a typed estimate that a
//! window can show while the user types), and asking for it twice.

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};

use crate::conversation::{unanswered, Conversation, Level};
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;

/// Passphrases zxcvbn scores below this are refused. 4 = at least 10^10 guesses, counted with
/// the clinic's own words as known to the attacker: the passphrase guards `unlock.age` on a
/// stick that can be lost, so a determined offline attacker is the case to count on (issue
/// 16: `sakurashika2024`, clinic name and year, scored 3 and was accepted).
pub const MIN_PASSPHRASE_SCORE: u8 = 4;
/// Fewer characters than this are refused whatever the score.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// How strong a passphrase is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strength {
    /// zxcvbn's score, 0 (guessable at once) to 4.
    pub score: u8,
    /// Long enough and scored at least [`MIN_PASSPHRASE_SCORE`].
    pub acceptable: bool,
    /// Why it is refused (empty when acceptable): "too short", or the estimator's warning.
    pub reasons: Vec<Message>,
}

/// Words a clinic's passphrase should not lean on: the program's name, and the words every
/// clinic's name is made of, in kana and romaji (歯科 shika, 内科 naika, 医院 iin, …).
const OWN_WORDS: &[&str] = &[
    "certvault",
    "clinic",
    "クリニック",
    "kurinikku",
    "shika",
    "sika",
    "naika",
    "geka",
    "iin",
    "byouin",
    "byoin",
    "ganka",
    "hifuka",
    "jibika",
    "jibiinkoka",
    "seikei",
    "seikeigeka",
    "shounika",
    "shonika",
    "fujinka",
    "sanfujinka",
    "shinryoujo",
    "shinryojo",
    "iryou",
    "dental",
    "medical",
    "hospital",
    "歯科",
    "内科",
    "医院",
    "病院",
    "診療所",
    "眼科",
    "皮膚科",
    "耳鼻科",
    "整形外科",
    "小児科",
    "婦人科",
];

/// What an attacker who knows the clinic would try first: its name as written in its
/// certificates (and read in romaji where it is written in kana), its institution code, the
/// years around now. Fed to the estimator as known words ([`passphrase_strength_in`]).
#[derive(Debug, Clone, Default)]
pub struct PassphraseContext {
    pub words: Vec<String>,
}

impl PassphraseContext {
    /// The clinic's words from the certificates in `manifest`, and the years.
    pub fn of_manifest(manifest: &vault_format::Manifest) -> PassphraseContext {
        let mut context = PassphraseContext::default();
        for entry in &manifest.entries {
            context.add_subject(&entry.certificate.subject);
            if let Some(code) = &entry.certificate.institution_code {
                context.words.push(code.clone());
            }
        }
        context
    }

    /// Adds the names of a certificate's subject (`O=さくら歯科, CN=…`): each value, its parts,
    /// and the romaji of the kana in it.
    pub fn add_subject(&mut self, subject: &str) {
        for part in subject.split(", ") {
            let Some((key, value)) = part.split_once('=') else { continue };
            if !matches!(key, "O" | "OU" | "CN" | "L" | "ST") || value.is_empty() {
                continue;
            }
            self.words.push(value.to_string());
            for piece in value.split(|c: char| !c.is_alphanumeric()).filter(|p| p.chars().count() > 1) {
                self.words.push(piece.to_string());
            }
            let romaji = kana_to_romaji(value);
            if romaji.chars().filter(char::is_ascii_alphabetic).count() > 2 {
                self.words.push(romaji.clone());
            }
            // The name without its kind: こもれび of こもれびクリニック, komorebi of komorebikurinikku.
            for name in [value.to_string(), romaji] {
                for kind in OWN_WORDS {
                    if let Some(stem) = name.strip_suffix(kind).filter(|s| s.chars().count() > 1) {
                        self.words.push(stem.to_string());
                        let stem_romaji = kana_to_romaji(stem);
                        if stem_romaji.len() > 2 {
                            self.words.push(stem_romaji);
                        }
                    }
                }
            }
        }
    }

    fn inputs(&self) -> Vec<String> {
        let year = vault_format::time::now().get(..4).and_then(|y| y.parse::<i32>().ok()).unwrap_or(2026);
        let mut inputs: Vec<String> = OWN_WORDS.iter().map(|w| w.to_string()).collect();
        inputs.extend((year - 3..=year + 1).map(|y| y.to_string()));
        inputs.extend(self.words.iter().map(|w| w.to_lowercase()));
        inputs
    }
}

/// Kana read as Hepburn-ish romaji (kanji and everything else dropped): enough for the
/// estimator to know `さくら` as `sakura`.
fn kana_to_romaji(text: &str) -> String {
    const TABLE: &[(&str, &str)] = &[
        ("きゃ", "kya"),
        ("きゅ", "kyu"),
        ("きょ", "kyo"),
        ("しゃ", "sha"),
        ("しゅ", "shu"),
        ("しょ", "sho"),
        ("ちゃ", "cha"),
        ("ちゅ", "chu"),
        ("ちょ", "cho"),
        ("にゃ", "nya"),
        ("にゅ", "nyu"),
        ("にょ", "nyo"),
        ("ひゃ", "hya"),
        ("ひゅ", "hyu"),
        ("ひょ", "hyo"),
        ("みゃ", "mya"),
        ("みゅ", "myu"),
        ("みょ", "myo"),
        ("りゃ", "rya"),
        ("りゅ", "ryu"),
        ("りょ", "ryo"),
        ("ぎゃ", "gya"),
        ("ぎゅ", "gyu"),
        ("ぎょ", "gyo"),
        ("じゃ", "ja"),
        ("じゅ", "ju"),
        ("じょ", "jo"),
        ("びゃ", "bya"),
        ("びゅ", "byu"),
        ("びょ", "byo"),
        ("あ", "a"),
        ("い", "i"),
        ("う", "u"),
        ("え", "e"),
        ("お", "o"),
        ("か", "ka"),
        ("き", "ki"),
        ("く", "ku"),
        ("け", "ke"),
        ("こ", "ko"),
        ("さ", "sa"),
        ("し", "shi"),
        ("す", "su"),
        ("せ", "se"),
        ("そ", "so"),
        ("た", "ta"),
        ("ち", "chi"),
        ("つ", "tsu"),
        ("て", "te"),
        ("と", "to"),
        ("な", "na"),
        ("に", "ni"),
        ("ぬ", "nu"),
        ("ね", "ne"),
        ("の", "no"),
        ("は", "ha"),
        ("ひ", "hi"),
        ("ふ", "fu"),
        ("へ", "he"),
        ("ほ", "ho"),
        ("ま", "ma"),
        ("み", "mi"),
        ("む", "mu"),
        ("め", "me"),
        ("も", "mo"),
        ("や", "ya"),
        ("ゆ", "yu"),
        ("よ", "yo"),
        ("ら", "ra"),
        ("り", "ri"),
        ("る", "ru"),
        ("れ", "re"),
        ("ろ", "ro"),
        ("わ", "wa"),
        ("を", "o"),
        ("ん", "n"),
        ("が", "ga"),
        ("ぎ", "gi"),
        ("ぐ", "gu"),
        ("げ", "ge"),
        ("ご", "go"),
        ("ざ", "za"),
        ("じ", "ji"),
        ("ず", "zu"),
        ("ぜ", "ze"),
        ("ぞ", "zo"),
        ("だ", "da"),
        ("ぢ", "ji"),
        ("づ", "zu"),
        ("で", "de"),
        ("ど", "do"),
        ("ば", "ba"),
        ("び", "bi"),
        ("ぶ", "bu"),
        ("べ", "be"),
        ("ぼ", "bo"),
        ("ぱ", "pa"),
        ("ぴ", "pi"),
        ("ぷ", "pu"),
        ("ぺ", "pe"),
        ("ぽ", "po"),
        ("ー", ""),
    ];
    // Katakana to hiragana first.
    let hira: String = text
        .chars()
        .map(|c| match u32::from(c) {
            0x30A1..=0x30F6 => char::from_u32(u32::from(c) - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect();
    let mut out = String::new();
    let mut rest = hira.as_str();
    let mut double = false;
    while let Some(c) = rest.chars().next() {
        if c == 'っ' {
            double = true;
            rest = &rest[c.len_utf8()..];
            continue;
        }
        match TABLE.iter().find(|(k, _)| rest.starts_with(k)) {
            Some((k, r)) => {
                if double {
                    out.push_str(&r[..1]);
                }
                out.push_str(r);
                rest = &rest[k.len()..];
            }
            None => {
                if c.is_ascii_alphanumeric() {
                    out.push(c.to_ascii_lowercase());
                }
                rest = &rest[c.len_utf8()..];
            }
        }
        double = false;
    }
    out
}

/// A passphrase to write down, for whoever cannot think of one: five groups of three
/// romaji syllables (`tomare-kisuno-…`), easy to read aloud and to type on any keyboard, about
/// 88 bits from the system's random source (44 syllables, 15 drawn).
pub fn suggest_passphrase() -> SecretString {
    use rand::Rng;
    const SYLLABLES: &[&str] = &[
        "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi", "tsu", "te", "to", "na",
        "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu", "me", "mo", "ya", "yu", "yo",
        "ra", "ri", "ru", "re", "ro", "wa", "ga", "gi", "go", "za", "do",
    ];
    let mut rng = rand::rngs::OsRng;
    let groups: Vec<String> = (0..5)
        .map(|_| (0..3).map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())]).collect::<String>())
        .collect();
    SecretString::from(groups.join("-"))
}

/// Estimates `passphrase`'s strength, knowing nothing of the clinic but its kind.
pub fn passphrase_strength(passphrase: &str) -> Strength {
    passphrase_strength_in(passphrase, &PassphraseContext::default())
}

/// Estimates `passphrase`'s strength with the clinic's own words known to the attacker.
pub fn passphrase_strength_in(passphrase: &str, context: &PassphraseContext) -> Strength {
    let inputs = context.inputs();
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(passphrase, &inputs);
    let score = estimate.score() as u8;
    let mut reasons = Vec::new();
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        reasons.push(msg!("err-passphrase-short"));
    } else if score < MIN_PASSPHRASE_SCORE {
        let reason = estimate.feedback().and_then(|f| f.warning()).map_or("passphrase-guessable", warning_id);
        reasons.push(msg!("err-passphrase-weak", reason = msg!(reason)));
    }
    Strength { score, acceptable: reasons.is_empty(), reasons }
}

/// Refuses a weak passphrase with the estimator's reason.
pub fn check_passphrase_strength(passphrase: &str) -> Result<(), Error> {
    check_passphrase_strength_in(passphrase, &PassphraseContext::default())
}

/// [`check_passphrase_strength`] with the clinic's own words.
pub fn check_passphrase_strength_in(passphrase: &str, context: &PassphraseContext) -> Result<(), Error> {
    match passphrase_strength_in(passphrase, context).reasons.into_iter().next() {
        None => Ok(()),
        Some(reason) => Err(Error::new(ErrorKind::InvalidInput, reason).with_hint(msg!("hint-passphrase"))),
    }
}

/// The estimator's warning, as a message id.
fn warning_id(w: zxcvbn::feedback::Warning) -> &'static str {
    use zxcvbn::feedback::Warning as W;
    match w {
        W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => {
            "passphrase-warn-keyboard"
        }
        W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "passphrase-warn-repeats"
        }
        W::ThisIsATop10Password
        | W::ThisIsATop100Password
        | W::ThisIsACommonPassword
        | W::ThisIsSimilarToACommonlyUsedPassword => "passphrase-warn-common",
        W::SequencesLikeAbcAreEasyToGuess => "passphrase-warn-sequence",
        W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => "passphrase-warn-dates",
        W::AWordByItselfIsEasyToGuess => "passphrase-warn-word",
        W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => {
            "passphrase-warn-names"
        }
    }
}

/// The new passphrase: from `file`, or asked twice through `talk` until it is strong enough
/// (a weak one is told why, as a warning and the hint) and typed the same both times.
pub fn new_passphrase(file: Option<&Path>, talk: &dyn Conversation) -> Result<SecretString, Error> {
    new_passphrase_in(file, &PassphraseContext::default(), talk)
}

/// [`new_passphrase`] judged with the clinic's own words (`passwd` knows them from the vault).
/// A refused passphrase comes with a generated one the user may write down and type.
pub fn new_passphrase_in(
    file: Option<&Path>,
    context: &PassphraseContext,
    talk: &dyn Conversation,
) -> Result<SecretString, Error> {
    let check_passphrase_strength = |p: &str| check_passphrase_strength_in(p, context);
    let passphrase = match file {
        Some(path) => super::read_secret(path)?,
        None => {
            let ask = |question: &'static str| {
                talk.secret(&msg!(question))
                    .map_err(|e| unanswered(e, msg!("what-passphrase"), "--passphrase-file"))
            };
            loop {
                let first = ask("init-new-passphrase")?;
                if let Err(e) = check_passphrase_strength(first.expose_secret()) {
                    talk.tell(Level::Warning, e.message);
                    if let Some(hint) = e.hint {
                        talk.tell(Level::Info, hint);
                    }
                    let suggestion = suggest_passphrase();
                    talk.tell(
                        Level::Info,
                        msg!("passphrase-suggestion", passphrase = suggestion.expose_secret().to_string()),
                    );
                    continue;
                }
                let second = ask("init-repeat-passphrase")?;
                if first.expose_secret() == second.expose_secret() {
                    break first;
                }
                talk.tell(Level::Warning, msg!("init-passphrase-mismatch"));
            }
        }
    };
    check_passphrase_strength(passphrase.expose_secret())?;
    Ok(passphrase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Answer, Scripted};

    #[test]
    fn strength_is_typed() {
        let short = passphrase_strength("abc");
        assert!(!short.acceptable);
        assert_eq!(short.reasons[0].id, "err-passphrase-short");
        let weak = passphrase_strength("password1234");
        assert!(!weak.acceptable && weak.score < MIN_PASSPHRASE_SCORE);
        assert_eq!(weak.reasons[0].id, "err-passphrase-weak");
        let good = passphrase_strength("sakura umbrella kettle nineteen");
        assert!(good.acceptable && good.score >= MIN_PASSPHRASE_SCORE && good.reasons.is_empty());
    }

    /// Issue 16: the clinic's name and the year are what an attacker tries first.
    #[test]
    fn the_clinic_name_and_the_year_do_not_make_a_passphrase() {
        let year = &vault_format::time::now()[..4];
        for weak in [format!("sakurashika{year}"), "yamadanaika2025".into(), "midorishika".into()] {
            assert!(!passphrase_strength(&weak).acceptable, "{weak}");
        }
        let mut clinic = PassphraseContext::default();
        clinic.add_subject("CN=山田 太郎, O=こもれびクリニック, C=JP");
        clinic.words.push("1312345678".into());
        assert!(clinic.words.iter().any(|w| w == "komorebikurinikku"), "{:?}", clinic.words);
        for weak in ["komorebi1312345678", "komorebiclinic!!"] {
            assert!(!passphrase_strength_in(weak, &clinic).acceptable, "{weak}");
        }
        assert!(passphrase_strength_in("sakura umbrella kettle nineteen", &clinic).acceptable);
        // The suggestion passes the same check, and differs each time.
        let (a, b) = (suggest_passphrase(), suggest_passphrase());
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert!(passphrase_strength_in(a.expose_secret(), &clinic).acceptable, "{}", a.expose_secret());
        assert_eq!(kana_to_romaji("さくらシカ"), "sakurashika");
        assert_eq!(kana_to_romaji("きっさ"), "kissa");
    }

    #[test]
    fn asks_again_until_strong_and_the_same() {
        let good = "sakura umbrella kettle nineteen";
        let talk = Scripted::new([
            Answer::Secret("short".into()),
            Answer::Secret(good.into()),
            Answer::Secret("sakura umbrella kettle twenty".into()),
            Answer::Secret(good.into()),
            Answer::Secret(good.into()),
        ]);
        let p = new_passphrase(None, &talk).unwrap();
        assert_eq!(p.expose_secret(), good);
        assert_eq!(
            talk.asked_ids(),
            [
                "init-new-passphrase",
                "init-new-passphrase",
                "init-repeat-passphrase",
                "init-new-passphrase",
                "init-repeat-passphrase"
            ]
        );
        assert_eq!(
            talk.note_ids(),
            ["err-passphrase-short", "hint-passphrase", "passphrase-suggestion", "init-passphrase-mismatch"]
        );
    }

    #[test]
    fn nobody_to_ask_names_the_flag() {
        let e = new_passphrase(None, &Scripted::new([])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NoTerminal);
        assert_eq!(e.message.text_arg("flag"), Some("--passphrase-file"));
    }
}
