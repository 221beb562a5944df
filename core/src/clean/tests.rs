//! The cleanup run without a terminal: answers from [`Scripted`], on real files (a demo vault
//! with cheap KDF settings holding a demo certificate, copies of it in a temporary folder).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use secrecy::SecretString;

use super::*;
use crate::conversation::{Answer, Progress, Scripted};

use crate::testing::{new_vault, open, PIN};

/// A demo clinic certificate protected by [`PIN`] (a new key each time).
fn demo_certificate() -> Vec<u8> {
    let now = crate::dates::now_unix();
    crate::demo::make_clinic_certificate(PIN, now - 86_400, now + 365 * 86_400).expect("demo certificate").0
}

/// A vault in `tmp/vault` (tiny KDF settings) holding one demo certificate; the certificate's
/// bytes and its entry id.
fn demo_vault(tmp: &Path) -> (PathBuf, Vec<u8>, String) {
    let dir = new_vault(&tmp.join("vault"));
    let bytes = demo_certificate();
    let source = tmp.join("source.p12");
    std::fs::write(&source, &bytes).unwrap();
    let talk = Scripted::new([Answer::Secret(PIN.into()), Answer::Confirm(true)]);
    let cert = entries::verify_for_sealing(&source, None, &talk).expect("PIN verified");
    let sealed = entries::seal_verified(&mut open(&dir, true), &cert, &SealOptions::default(), &talk);
    let Ok(Sealed::Added { id, .. }) = sealed else { panic!("not sealed: {sealed:?}") };
    std::fs::remove_file(source).unwrap();
    (dir, bytes, id)
}

/// A folder `tmp/terminal` with `files` (name, bytes).
fn terminal(tmp: &Path, files: &[(&str, &[u8])]) -> PathBuf {
    let root = tmp.join("terminal");
    std::fs::create_dir_all(&root).unwrap();
    for (name, bytes) in files {
        std::fs::write(root.join(name), bytes).unwrap();
    }
    root
}

fn options(root: &Path, apply: bool) -> CleanOptions {
    CleanOptions { paths: vec![root.to_path_buf()], apply, ..CleanOptions::default() }
}

fn outcome<'a>(report: &'a CleanReport, name: &str) -> &'a Outcome {
    report.outcomes.iter().find(|o| o.hit.path.ends_with(name)).unwrap_or_else(|| panic!("{name} not found"))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_copy_in_the_vault_is_removed_and_one_that_changed_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, bytes, id) = demo_vault(tmp.path());
    let mut changed = bytes.clone();
    let root = terminal(tmp.path(), &[("copy.p12", &bytes), ("changed.p12", &bytes)]);
    let mut vault = open(&dir, false);
    // The vault gives the entry back byte for byte, read again from the stick.
    assert_eq!(vault.entry_bytes(&id).unwrap(), bytes);

    // The dry run: both would go, nothing changes, nothing is asked.
    let talk = Scripted::new([]);
    let dry = clean_vault(&mut vault, &options(&root, false), &talk).unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.summary, CleanSummary { would_remove: 2, ..CleanSummary::default() });
    assert_eq!((dry.copies_on_disk(), dry.vault.entries), (2, 1));
    assert!(talk.asked_ids().is_empty());
    assert_eq!(names_in(&root), ["changed.p12", "copy.p12"]);

    // Between the scan and the removal one copy changes: it is no longer what the vault holds.
    let index = VaultIndex::new(&vault);
    let roots = scan::resolve_roots(std::slice::from_ref(&root), Some(&dir)).unwrap();
    let hits = scan::scan(&roots, Some(&index), Settings::default(), &talk).unwrap().hits;
    assert!(hits.iter().all(|h| h.class == Class::InVault && h.entry.as_deref() == Some(id.as_str())));
    let last = changed.len() - 1;
    changed[last] ^= 1;
    std::fs::write(root.join("changed.p12"), &changed).unwrap();
    let outcomes = carry_out(&vault, &index, hits, true, false, &talk);
    let report = |name: &str| outcomes.iter().find(|o| o.hit.path.ends_with(name)).unwrap();
    assert_eq!((report("copy.p12").action, report("copy.p12").overwritten), (Action::Removed, true));
    let kept = report("changed.p12");
    assert_eq!(kept.action, Action::Left);
    assert_eq!(kept.why.as_ref().map(|m| m.id), Some("clean-left-changed"));
    assert_eq!(names_in(&root), ["changed.p12"], "no renamed leftovers");
    assert_eq!(std::fs::read(root.join("changed.p12")).unwrap(), changed, "left untouched");
    // The vault still holds the certificate.
    assert_eq!(open(&dir, false).entry_bytes(&id).unwrap(), bytes);
}

/// Counts the summaries shown before sealing (a function pointer cannot capture).
static SUMMARIES_SHOWN: AtomicUsize = AtomicUsize::new(0);

fn count_summary(summary: &SealSummary) {
    assert!(summary.pin_stored);
    SUMMARIES_SHOWN.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn an_unknown_copy_is_sealed_after_its_pin_and_then_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, bytes, _) = demo_vault(tmp.path());
    let stranger = demo_certificate();
    let root = terminal(tmp.path(), &[("copy.p12", &bytes), ("other.p12", &stranger)]);

    // Without --seal-unknown it is never removed, and the dry run says it would be sealed.
    let mut vault = open(&dir, true);
    let talk = Scripted::new([]);
    let kept = clean_vault(&mut vault, &options(&root, false), &talk).unwrap();
    let why = outcome(&kept, "other.p12").why.clone().unwrap();
    // Its certificate is encrypted (as OpenSSL 3 writes them): the scan's reason goes along.
    assert_eq!(why, msg!("clean-left-unknown-because", reason = msg!("scan-reason-certificate-encrypted")));
    let opts = CleanOptions {
        seal_unknown: true,
        show_before_sealing: Some(count_summary),
        ..options(&root, false)
    };
    let dry = clean_vault(&mut vault, &opts, &talk).unwrap();
    assert_eq!(outcome(&dry, "other.p12").action, Action::WouldSealAndRemove);
    assert!(talk.asked_ids().is_empty(), "a dry run asks for no PIN");

    // A wrong PIN first (asked again: nothing gets locked), then the right one and the yes.
    let talk =
        Scripted::new([Answer::Secret("0000".into()), Answer::Secret(PIN.into()), Answer::Confirm(true)]);
    let done = clean_vault(&mut vault, &CleanOptions { apply: true, ..opts }, &talk).unwrap();
    assert_eq!(talk.asked_ids(), ["add-enter-pin", "add-pin-retry", "add-confirm"]);
    assert_eq!(SUMMARIES_SHOWN.load(Ordering::SeqCst), 1, "the summary is shown before the question");
    assert_eq!(done.summary, CleanSummary { removed: 2, sealed: 1, ..CleanSummary::default() });
    let sealed = outcome(&done, "other.p12");
    assert!(sealed.sealed && sealed.action == Action::Removed && sealed.hit.class == Class::InVault);
    assert_eq!(done.copies_on_disk(), 0);
    assert!(names_in(&root).is_empty());
    drop(vault);
    let vault = open(&dir, false);
    assert_eq!(vault.payload.manifest.entries.len(), 2);
    assert_eq!(vault.entry_bytes(sealed.hit.entry.as_deref().unwrap()).unwrap(), stranger);
}

#[test]
fn a_declined_confirmation_removes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, bytes, _) = demo_vault(tmp.path());
    let root = terminal(tmp.path(), &[("copy.p12", &bytes)]);
    let mut vault = open(&dir, false);
    let opts = CleanOptions { ask_first: true, ..options(&root, true) };

    let talk = Scripted::new([Answer::Confirm(false)]);
    let e = clean_vault(&mut vault, &opts, &talk).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    let asked = talk.asked.lock().unwrap().clone();
    assert_eq!(asked, [msg!("wizard-clean-confirm", count = 1)]);
    assert_eq!(names_in(&root), ["copy.p12"]);

    // Nobody to ask: the error names the way without a question.
    let e = clean_vault(&mut vault, &opts, &Scripted::new([])).unwrap_err();
    assert_eq!((e.kind, e.message.id), (ErrorKind::NoTerminal, "clean-no-terminal-confirm"));
    assert_eq!(names_in(&root), ["copy.p12"]);

    // Yes: removed.
    let talk = Scripted::new([Answer::Confirm(true)]);
    let done = clean_vault(&mut vault, &opts, &talk).unwrap();
    assert_eq!(done.summary.removed, 1);
    assert!(names_in(&root).is_empty());
}

/// A user who presses Ctrl-C right after saying yes; the progress told is kept.
struct StopsAfterYes {
    talk: Scripted,
    stop: AtomicBool,
    progress: std::sync::Mutex<Vec<Progress>>,
}

impl Conversation for StopsAfterYes {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        self.talk.secret(question)
    }
    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        let answer = self.talk.confirm(question);
        self.stop.store(true, Ordering::SeqCst);
        answer
    }
    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        self.talk.choose(question, choices)
    }
    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        self.talk.text(question)
    }
    fn tell(&self, level: Level, note: Message) {
        self.talk.tell(level, note)
    }
    fn progress(&self, progress: &Progress) {
        self.progress.lock().unwrap().push(progress.clone());
    }
    fn cancel_requested(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

#[test]
fn a_cancel_leaves_the_copies_not_yet_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, bytes, _) = demo_vault(tmp.path());
    let root = terminal(tmp.path(), &[("a.p12", &bytes), ("b.p12", &bytes)]);
    let mut vault = open(&dir, false);
    let talk = StopsAfterYes {
        talk: Scripted::new([Answer::Confirm(true)]),
        stop: AtomicBool::new(false),
        progress: Default::default(),
    };
    let opts = CleanOptions { ask_first: true, ..options(&root, true) };
    let report = clean_vault(&mut vault, &opts, &talk).unwrap();
    assert!(!report.dry_run);
    assert_eq!(report.summary, CleanSummary { left: 2, ..CleanSummary::default() });
    assert!(report.outcomes.iter().all(|o| o.why.as_ref().is_some_and(|m| m.id == "clean-left-cancelled")));
    assert_eq!(names_in(&root), ["a.p12", "b.p12"]);
    for name in ["a.p12", "b.p12"] {
        assert_eq!(std::fs::read(root.join(name)).unwrap(), bytes);
    }
    // The removal's progress ends (none done) so that a front-end clears its bar.
    let progress = talk.progress.lock().unwrap();
    let removal = progress.iter().filter(|p| p.task.id == "clean-progress").collect::<Vec<_>>();
    assert_eq!(removal.len(), 1, "{removal:?}");
    assert!(removal[0].finished && removal[0].done == 0 && removal[0].total == Some(2));
}

/// A zip archive of `files` (name, bytes), written to `path`.
fn write_zip(path: &Path, files: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    std::fs::write(path, w.finish().unwrap().into_inner()).unwrap();
}

/// Issue 16: a zip holding only byte-identical copies of vault entries is a copy like any
/// other and goes whole; a zip that also holds something else (a letter, a certificate the
/// vault does not hold) stays, and says why, as does a zip changed after it was checked.
#[test]
fn a_zip_of_vault_copies_goes_whole_and_a_mixed_one_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, bytes, id) = demo_vault(tmp.path());
    let root = terminal(tmp.path(), &[]);
    let only = root.join("certificate.zip");
    write_zip(&only, &[("202101010000777.p12", &bytes), ("copy/again.pfx", &bytes)]);
    let mixed = root.join("mail-attachments.zip");
    write_zip(&mixed, &[("202101010000777.p12", &bytes), ("readme.txt", b"the PIN is on the note")]);
    let mut vault = open(&dir, false);

    let dry = clean_vault(&mut vault, &options(&root, false), &Scripted::new([])).unwrap();
    let of = |report: &CleanReport, zip: &Path| -> Vec<(Action, &'static str)> {
        report
            .outcomes
            .iter()
            .filter(|o| o.hit.path == zip)
            .map(|o| (o.action, o.why.as_ref().map_or("", |w| w.id)))
            .collect()
    };
    assert!(dry
        .outcomes
        .iter()
        .all(|o| o.hit.class == Class::InVault && o.hit.entry.as_deref() == Some(&id)));
    assert_eq!(of(&dry, &only), [(Action::WouldRemove, "clean-archive-would-remove"); 2]);
    assert_eq!(of(&dry, &mixed), [(Action::Left, "clean-keep-archive-mixed")]);
    assert_eq!(dry.summary.would_remove, 2);
    assert!(only.exists());

    let done = clean_vault(&mut vault, &options(&root, true), &Scripted::new([])).unwrap();
    assert_eq!(of(&done, &only), [(Action::Removed, "clean-archive-removed"); 2]);
    assert!(done.outcomes.iter().filter(|o| o.hit.path == only).all(|o| o.overwritten));
    assert_eq!(of(&done, &mixed), [(Action::Left, "clean-left-archive-mixed")]);
    assert!(!only.exists(), "the zip of vault copies is gone");
    assert_eq!(names_in(&root), ["mail-attachments.zip"], "nothing else is touched");

    // Changed between the check and the removal (another file added): refused, kept.
    let later = root.join("later.zip");
    write_zip(&later, &[("202101010000777.p12", &bytes)]);
    let index = VaultIndex::new(&vault);
    let plans = plan_archives(&index, &[], true);
    assert!(plans.is_empty());
    let planned = std::fs::read(&later).unwrap();
    write_zip(&later, &[("202101010000777.p12", &bytes), ("note.txt", b"added after the scan")]);
    let refused = remove_archive(&vault, &index, &later, &planned);
    assert!(matches!(refused, Err(shred::Refused::Changed(_))), "{refused:?}");
    // Same length, other bytes: the vault's file swapped for another one of its size.
    let mut other = bytes.clone();
    other[100] ^= 0xFF;
    write_zip(&later, &[("202101010000777.p12", &other)]);
    let swapped = std::fs::read(&later).unwrap();
    let refused = remove_archive(&vault, &index, &later, &swapped);
    assert!(matches!(refused, Err(shred::Refused::Changed(_))), "{refused:?}");
    assert!(later.exists());
}
