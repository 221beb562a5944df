//! Status without a terminal: the checklist of an empty computer, and of a vault holding a
//! certificate that expires soon (the passphrase answered by [`Scripted`]).

use super::*;
use crate::conversation::{Answer, Scripted};
use crate::testing::{self, PASSPHRASE};

#[test]
fn reminder_steps_then_daily_then_expired() {
    let cases = [
        (120, None),
        (91, None),
        (90, Some("90")),
        (61, Some("90")),
        (60, Some("60")),
        (31, Some("60")),
        (30, Some("30")),
        (16, Some("30")),
        (15, Some("15")),
        (8, Some("15")),
        (7, Some("daily")),
        (1, Some("daily")),
        (0, Some("daily")),
        (-1, Some("expired")),
    ];
    for (days, want) in cases {
        assert_eq!(reminder_step(days).as_deref(), want, "{days} days");
    }
}

#[test]
fn days_are_whole_days_rounded_down() {
    let now = 1_800_000_000;
    assert_eq!(days_until(&crate::certificate::x509::rfc3339(now + 30 * 86_400 + 60), now), Some(30));
    assert_eq!(days_until(&crate::certificate::x509::rfc3339(now + 30 * 86_400 - 60), now), Some(29));
    assert_eq!(days_until(&crate::certificate::x509::rfc3339(now - 60), now), Some(-1));
    assert_eq!(days_until("not a date", now), None);
    // 1_800_000_000 is 2027-01-15T08:00:00Z.
    assert_eq!(days_until_day("2027-01-15", now), Some(0));
    assert_eq!(days_until_day("2027-02-14", now), Some(30));
    assert_eq!(days_until_day("2027-01-14", now), Some(-1));
    assert_eq!(days_until_day("2027-01-15T00:00:00Z", now), None);
}

#[test]
fn an_empty_computer_needs_nothing() {
    let status = collect(None, &Logs::default(), 1_800_000_000);
    assert!(!status.needs_attention);
    assert!(status.items.is_empty());
    assert!(status.vault.is_none());
    assert_eq!(status.time, "2027-01-15T08:00:00Z");
}

#[test]
fn a_certificate_expiring_soon_is_a_reminder_with_the_command_to_seal_its_successor() {
    let _serial = testing::one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let dir = testing::new_vault(&tmp.path().join("vault"));
    let now = crate::dates::now_unix();
    let entry = testing::seal_certificate(&dir, tmp.path(), now + 20 * 86_400 + 3_600);

    let opts = StatusOptions { vault: Some(dir.clone()), can_ask: true, ..StatusOptions::default() };
    let talk = Scripted::new([Answer::Secret(PASSPHRASE.into())]);
    let status = status(&opts, &talk).expect("status");
    assert_eq!(talk.asked_ids(), ["vault-enter-passphrase"]);
    assert!(talk.note_ids().is_empty(), "{:?}", talk.note_ids());

    let vault = status.vault.as_ref().expect("the vault was opened");
    assert_eq!((vault.generation, vault.entries), (2, 1));
    assert!(status.needs_attention);
    let expiring = status.items.iter().find(|i| i.kind == Kind::CertificateExpiring).expect("expiring");
    assert_eq!(expiring.level, Level::Soon);
    assert_eq!(expiring.days, Some(20));
    assert_eq!(expiring.reminder.as_deref(), Some("30"));
    assert_eq!(expiring.entry.as_deref(), Some(entry.as_str()));
    assert_eq!(expiring.message.id, "status-expiring");
    assert_eq!(expiring.message.text_arg("days"), Some("20"));
    let command = format!("certvault add NEW-FILE.p12 --vault {}", dir.display());
    assert_eq!(expiring.command.as_deref(), Some(command.as_str()));
    // A new vault: one copy, no sheet printed from here.
    let kinds: Vec<Kind> = status.items.iter().map(|i| i.kind).collect();
    assert!(kinds.contains(&Kind::SingleCopy) && kinds.contains(&Kind::SheetNeverPrinted), "{kinds:?}");
    // Phrased for `--json`: the same items, the text in place of the message.
    let phrased = status.phrased(&|m: &Message| m.id.to_string());
    assert_eq!(phrased.items.len(), status.items.len());
    assert!(phrased.items.iter().any(|i| i.message == "status-expiring"));
}

#[test]
fn no_secret_no_opening() {
    let _serial = testing::one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let dir = testing::new_vault(&tmp.path().join("vault"));
    let opts = StatusOptions { vault: Some(dir), can_ask: false, ..StatusOptions::default() };
    let e = status(&opts, &Scripted::new([])).unwrap_err();
    assert_eq!(e.kind, crate::ErrorKind::NoTerminal);
}

/// Issue 16: each item with something to do carries the step as a typed value, for every
/// front-end to name in its own words (the JSON gets it as `next`).
#[test]
fn every_item_to_act_on_names_its_step() {
    use super::{Kind, NextStep};
    assert_eq!(Kind::SheetNeverPrinted.next_step(), Some(NextStep::PrintSheet));
    assert_eq!(Kind::SingleCopy.next_step(), Some(NextStep::SecondStick));
    assert_eq!(Kind::StrayCopies.next_step(), Some(NextStep::Clean));
    assert_eq!(Kind::Installed.next_step(), None);
    let item =
        super::Item::new(Kind::SheetOutdated, super::Level::Reminder, crate::msg!("status-sheet-never"));
    let json = serde_json::to_value(item.phrased(&|m| m.id.to_string())).unwrap();
    assert_eq!(json["next"], "print-sheet");
}

/// Issue 16: a zip that clean kept because it also holds other files is said as such, with no
/// step (another clean would not remove it); the other leftovers still point to the clean-up.
#[test]
fn a_zip_clean_kept_is_not_sent_back_to_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let kept = tmp.path().join("mail.zip");
    let copy = tmp.path().join("copy.p12");
    std::fs::write(&kept, b"zip").unwrap();
    std::fs::write(&copy, b"p12").unwrap();
    let record = |kept_archives: Vec<String>| crate::records::ScanRecord {
        time: "2026-11-01T00:00:00Z".into(),
        command: "clean".into(),
        roots: Vec::new(),
        remaining: vec![format!("{}!/202101010000777.p12", kept.display()), copy.display().to_string()],
        not_in_vault: Some(0),
        kept_archives,
    };
    let logs = Logs { scan: vec![record(vec![kept.display().to_string()])], ..Logs::default() };
    let status = collect(None, &logs, 1_800_000_000);
    let zip = status.items.iter().find(|i| i.kind == super::Kind::ZipKept).expect("the kept zip");
    assert_eq!((zip.next, zip.command.as_deref()), (None, None));
    assert_eq!(zip.paths, [kept.display().to_string()]);
    let stray = status.items.iter().find(|i| i.kind == super::Kind::StrayCopies).expect("the copy");
    assert_eq!(stray.paths, [copy.display().to_string()]);
    assert_eq!(stray.next, Some(super::NextStep::Clean));
    // Copies not in the vault among them: kept safe first.
    let unknown = crate::records::ScanRecord { not_in_vault: Some(1), ..record(Vec::new()) };
    let status = collect(None, &Logs { scan: vec![unknown], ..Logs::default() }, 1_800_000_000);
    let stray = status.items.iter().find(|i| i.kind == super::Kind::StrayCopies).expect("the copies");
    assert_eq!(stray.next, Some(super::NextStep::SealCopies));

    // An older record (no kept_archives): every leftover is a stray copy, as before.
    let old: crate::records::ScanRecord = serde_json::from_str(&format!(
        "{{\"time\":\"2026-11-01T00:00:00Z\",\"command\":\"scan\",\"roots\":[],\"remaining\":[{:?}],\"not_in_vault\":null}}",
        copy.display().to_string()
    ))
    .unwrap();
    let status = collect(None, &Logs { scan: vec![old], ..Logs::default() }, 1_800_000_000);
    assert!(status.items.iter().all(|i| i.kind != super::Kind::ZipKept));
}
