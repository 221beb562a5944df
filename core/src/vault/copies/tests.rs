//! Clone, verify and sync without a terminal: copies in temporary folders (a fixed disk, so
//! `allow_fixed_disk` or a scripted yes), the passphrase answered by [`Scripted`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use secrecy::SecretString;

use super::*;
use crate::conversation::{Answer, Progress, Scripted, Unanswered};
use crate::testing::{self, PASSPHRASE};

fn asks_passphrase() -> Scripted {
    Scripted::new([Answer::Secret(PASSPHRASE.into())])
}

/// A vault in `tmp/a` holding one certificate (generation 2), cloned to `tmp/b`.
fn vault_and_clone(tmp: &Path) -> (PathBuf, PathBuf) {
    let src = testing::new_vault(&tmp.join("a"));
    testing::seal_certificate(&src, tmp, crate::dates::now_unix() + 400 * 86_400);
    let dest = tmp.join("b");
    let opts = CloneOptions {
        source: src.clone(),
        unlock: UnlockSource::default(),
        dest: dest.clone(),
        allow_fixed_disk: true,
        programs: true,
    };
    let talk = asks_passphrase();
    let cloned = clone(&opts, &talk).expect("cloned");
    assert_eq!(talk.asked_ids(), ["vault-enter-passphrase"]);
    assert!(talk.note_ids().is_empty(), "{:?}", talk.note_ids());
    assert_eq!(cloned.generation, 2);
    assert!(cloned.copies.all_current());
    assert!(!dest.join(crate::durable::INCOMPLETE_MARKER).exists());
    (src, dest)
}

/// [`Scripted`], and a record of the progress told.
#[derive(Default)]
struct Watching {
    talk: Scripted,
    progress: Mutex<Vec<Progress>>,
}

impl Conversation for Watching {
    fn secret(&self, q: &Message) -> Result<SecretString, Unanswered> {
        self.talk.secret(q)
    }
    fn confirm(&self, q: &Message) -> Result<bool, Unanswered> {
        self.talk.confirm(q)
    }
    fn choose(&self, q: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        self.talk.choose(q, choices)
    }
    fn text(&self, q: &Message) -> Result<String, Unanswered> {
        self.talk.text(q)
    }
    fn tell(&self, level: Level, note: Message) {
        self.talk.tell(level, note)
    }
    fn progress(&self, progress: &Progress) {
        self.progress.lock().unwrap().push(progress.clone());
    }
}

fn states(exam: &Examination) -> Vec<CopyState> {
    exam.copies.iter().map(|c| c.state).collect()
}

#[test]
fn a_clone_verifies_with_its_source_as_current() {
    let _serial = testing::one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let (src, dest) = vault_and_clone(tmp.path());
    // Both generations came along, byte for byte.
    for n in [1, 2] {
        let name = vault_format::generation_file_name(n);
        assert_eq!(std::fs::read(src.join(&name)).unwrap(), std::fs::read(dest.join(&name)).unwrap());
    }

    let talk = Watching { talk: asks_passphrase(), ..Watching::default() };
    let exam = verify(&[src.clone(), dest.clone()], &UnlockSource::default(), &talk).expect("verified");
    assert_eq!(talk.talk.asked_ids(), ["vault-enter-passphrase"]);
    // Each copy in turn, then done.
    let progress = talk.progress.lock().unwrap().clone();
    let steps: Vec<(u64, bool)> = progress.iter().map(|p| (p.done, p.finished)).collect();
    assert_eq!(steps, [(0, false), (1, false), (2, true)]);
    assert_eq!(progress[1].task.text_arg("dir"), Some(dest.display().to_string().as_str()));
    assert_eq!(states(&exam), [CopyState::Current, CopyState::Current]);
    assert_eq!(exam.newest_generation, 2);
    assert!(exam.all_current());
    let report = exam.report();
    assert_eq!(report.newest_copy.as_deref(), Some(src.display().to_string().as_str()));
    assert!(report.copies.iter().all(|c| c.problems.is_empty()));
    // The check is in this computer's verify log, for status.
    let logged = crate::records::read::<crate::records::VerifyRecord>(crate::records::VERIFY_LOG);
    assert!(logged.iter().any(|r| r.vault_id == exam.vault_id && r.copies.len() == 2));

    // A second clone into the same folder is refused: it is already a copy.
    let opts = CloneOptions {
        source: src,
        unlock: UnlockSource::default(),
        dest,
        allow_fixed_disk: true,
        programs: true,
    };
    let e = clone(&opts, &asks_passphrase()).unwrap_err();
    assert_eq!((e.kind, e.message.id), (ErrorKind::Refused, "err-clone-already-copy"));
}

#[test]
fn a_clone_onto_a_fixed_disk_needs_a_yes() {
    let _serial = testing::one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let src = testing::new_vault(&tmp.path().join("a"));
    let dest = tmp.path().join("b");
    let opts = CloneOptions {
        source: src,
        unlock: UnlockSource::default(),
        dest: dest.clone(),
        allow_fixed_disk: false,
        programs: true,
    };
    let talk = Scripted::new([Answer::Confirm(false)]);
    let e = clone(&opts, &talk).unwrap_err();
    assert_eq!((e.kind, e.message.id), (ErrorKind::Refused, "err-fixed-disk"));
    // Asked before the passphrase; nothing written.
    assert_eq!(talk.asked_ids(), ["init-fixed-disk-confirm"]);
    assert!(!dest.exists());
}

#[test]
fn a_stale_copy_is_reported_and_sync_brings_it_current() {
    let _serial = testing::one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let (src, dest) = vault_and_clone(tmp.path());
    // A change on the first stick only: generation 3 there, the clone stays at 2.
    testing::seal_certificate(&src, tmp.path(), crate::dates::now_unix() + 300 * 86_400);
    let dirs = [src.clone(), dest.clone()];

    let exam = verify(&dirs, &UnlockSource::default(), &asks_passphrase()).expect("verified");
    assert_eq!(states(&exam), [CopyState::Current, CopyState::Stale]);
    assert_eq!((exam.newest_generation, exam.copies[1].generation), (3, Some(2)));
    assert!(!exam.all_current());
    assert!(!exam.report().all_current);

    let talk = asks_passphrase();
    let synced = sync(&dirs, &UnlockSource::default(), true, &talk).expect("synced");
    assert_eq!(talk.asked_ids(), ["vault-enter-passphrase"]);
    let wrote = msg!("sync-wrote", file = dest.join(vault_format::generation_file_name(3)).display());
    assert!(synced.actions.contains(&wrote), "{:?}", synced.actions);
    // Generations 2 and 3 are kept, 1 goes.
    let removed = msg!("sync-removed", file = dest.join(vault_format::generation_file_name(1)).display());
    assert!(synced.actions.contains(&removed), "{:?}", synced.actions);
    assert_eq!(states(&synced.copies), [CopyState::Current, CopyState::Current]);
    assert!(synced.copies.all_current());

    // Nothing left to do.
    let again = sync(&dirs, &UnlockSource::default(), true, &asks_passphrase()).expect("synced");
    assert!(again.actions.is_empty());
    assert!(again.copies.all_current());
}

#[test]
fn a_wrong_passphrase_is_a_wrong_secret() {
    let _serial = testing::one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let src = testing::new_vault(&tmp.path().join("a"));
    let talk = Scripted::new([Answer::Secret("not it".into())]);
    let e = verify(&[src], &UnlockSource::default(), &talk).unwrap_err();
    assert_eq!((e.kind, e.message.id), (ErrorKind::WrongSecret, "err-wrong-passphrase"));
}
