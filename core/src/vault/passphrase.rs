//! The passphrase of a new vault or of `passwd`: how strong it is (a typed estimate that a
//! window can show while the user types), and asking for it twice.

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};

use crate::conversation::{unanswered, Conversation, Level};
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;

/// Passphrases zxcvbn scores below this are refused (3 = "safely unguessable").
pub const MIN_PASSPHRASE_SCORE: u8 = 3;
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

/// Words a clinic's passphrase should not lean on.
const OWN_WORDS: [&str; 3] = ["certvault", "clinic", "クリニック"];

/// Estimates `passphrase`'s strength.
pub fn passphrase_strength(passphrase: &str) -> Strength {
    let estimate = zxcvbn::zxcvbn(passphrase, &OWN_WORDS);
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
    match passphrase_strength(passphrase).reasons.into_iter().next() {
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
        assert_eq!(talk.note_ids(), ["err-passphrase-short", "hint-passphrase", "init-passphrase-mismatch"]);
    }

    #[test]
    fn nobody_to_ask_names_the_flag() {
        let e = new_passphrase(None, &Scripted::new([])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NoTerminal);
        assert_eq!(e.message.text_arg("flag"), Some("--passphrase-file"));
    }
}
