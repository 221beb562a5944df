//! `certvault clean`: through the real binary on realistic user folders (dry run, removal of
//! exactly the copies in the vault with their trash and recycle bin indexes, --seal-unknown,
//! links), and the safety invariant as a property test over random trees through the library:
//! clean never deletes a file whose bytes are not in the vault generation it just opened.

mod common;
mod leak;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use certvault_core::clean::{self, Action};
use certvault_core::conversation::NoOne;
use certvault_core::message::Arg;
use certvault_core::scan::classify::VaultIndex;
use certvault_core::scan::places::{Place, Root};
use certvault_core::vault::{OpenVault, Unlock};
use common::*;
use leak::*;
#[cfg(unix)]
use proptest::prelude::*;

/// A terminal after a few years: copies in the vault, in trash and recycle bin, an unknown
/// certificate, a re-export, a damaged copy, an archive.
fn terminal(root: &Path) {
    let legacy = fixture_bytes("legacy.p12");
    put(root, "Downloads/202101010000777.p12", &legacy);
    put(root, "Downloads/202101010000777 (1).p12", &legacy);
    put(root, "Desktop/client.hpki-cardless-signature", &fixture_bytes("hpki.p12"));
    put(root, "Documents/other-clinic.p12", &fixture_bytes("aes.p12"));
    put(root, "Documents/reexported.pfx", &fixture_bytes("noenc.p12"));
    put(root, "Documents/truncated.p12", &fixture_bytes("truncated.p12"));
    put(root, "Documents/notes.txt", b"PIN is on the paper notice in the safe");
    put(root, "Documents/certs.zip", &zip_of(&[("202101010000777.p12", &legacy)], false));
    put(
        root,
        "Documents/mail.zip",
        &zip_of(&[("202101010000777.p12", &legacy), ("notes.txt", b"PIN: see the paper notice")], true),
    );
    put(root, ".local/share/Trash/files/old.p12", &legacy);
    put(
        root,
        ".local/share/Trash/info/old.p12.trashinfo",
        b"[Trash Info]\nPath=/home/u/Downloads/old.p12\nDeletionDate=2026-04-01T09:30:00\n",
    );
    let bin = "$Recycle.Bin/S-1-5-21-1004336348-1177238915-682003330-1001";
    put(root, &format!("{bin}/$R3XK2QZ.p12"), &legacy);
    put(
        root,
        &format!("{bin}/$I3XK2QZ.p12"),
        &recycle_index(r"C:\Users\受付\Downloads\202101010000777.p12", 3730),
    );
}

fn files(snap: &BTreeMap<PathBuf, Node>, root: &Path) -> Vec<String> {
    snap.keys().map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned()).collect()
}

#[test]
fn dry_run_changes_nothing_and_apply_removes_exactly_the_copies_in_the_vault() {
    let v = new_vault();
    let root = v.tmp.path().join("terminal");
    terminal(&root);
    let before = snapshot(&root);

    let (report, code) = v.json("clean", &[root.to_str().unwrap()]);
    assert_eq!(code, 1, "copies are on disk");
    assert_eq!(report["dry_run"], true);
    assert_eq!(snapshot(&root), before, "a dry run changes nothing");
    // Five copies, and the zip that holds nothing but a copy of an entry.
    assert_eq!(report["summary"]["would_remove"], 6);
    assert!(report["notice"].as_str().unwrap().contains("Full-disk encryption"));

    let (report, code) = v.json("clean", &[root.to_str().unwrap(), "--apply"]);
    assert_eq!(code, 1, "copies not in the vault are left");
    assert_eq!(report["summary"]["removed"], 6);
    let after = snapshot(&root);
    assert_eq!(
        files(&after, &root),
        [
            "Documents/mail.zip",
            "Documents/notes.txt",
            "Documents/other-clinic.p12",
            "Documents/reexported.pfx",
            "Documents/truncated.p12",
        ],
        "copies in the vault gone with their trash and recycle bin indexes; no renamed leftovers"
    );
    for (path, node) in &after {
        assert_eq!(Some(node), before.get(path), "{} untouched", path.display());
    }
    let outcomes = report["outcomes"].as_array().unwrap();
    let trashed = outcomes.iter().find(|o| o["path"].as_str().unwrap().ends_with("old.p12")).unwrap();
    assert_eq!(trashed["action"], "removed");
    assert_eq!(trashed["overwritten"], true);
    assert!(trashed["trash_index_removed"].as_str().unwrap().ends_with("old.p12.trashinfo"));
    let why = |suffix: &str| {
        let o = outcomes.iter().find(|o| o["path"].as_str().unwrap().ends_with(suffix)).unwrap();
        assert_eq!(o["action"], "left");
        o["why"].as_str().unwrap().to_string()
    };
    assert!(why("other-clinic.p12").contains("not in the vault"));
    assert!(why("reexported.pfx").contains("same certificate"));
    // Issue 16: a zip whose every file is byte for byte in the vault is removed whole; one
    // that also holds something else is kept, and the reason says so.
    let zipped = outcomes.iter().find(|o| o["path"].as_str().unwrap().ends_with("certs.zip")).unwrap();
    assert_eq!((zipped["action"].as_str(), zipped["overwritten"].as_bool()), (Some("removed"), Some(true)));
    assert!(zipped["why"].as_str().unwrap().contains("whole archive was removed"), "{zipped}");
    assert_eq!(zipped["class"], "in-vault");
    assert!(
        why("mail.zip").contains("also holds files that are not in the vault, so it was not removed"),
        "{}",
        why("mail.zip")
    );
    assert!(why("truncated.p12").contains("not readable"));

    // Nothing more to remove: the same exit code (copies not in the vault remain).
    let (report, code) = v.json("clean", &[root.to_str().unwrap(), "--apply"]);
    assert_eq!((code, report["summary"]["removed"].as_u64()), (1, Some(0)));
    assert_eq!(snapshot(&root), after);
}

#[test]
fn a_copy_renamed_photo_jpg_is_cleaned_unless_names_are_trusted() {
    let v = new_vault();
    let root = v.tmp.path().join("terminal");
    put(&root, "Pictures/IMG_0001.jpg", &fixture_bytes("legacy.p12"));
    let (report, code) = v.json("clean", &[root.to_str().unwrap()]);
    assert_eq!((code, report["summary"]["would_remove"].as_u64()), (1, Some(1)), "{report}");
    let (report, code) = v.json("clean", &[root.to_str().unwrap(), "--trust-names"]);
    assert_eq!((code, report["summary"]["would_remove"].as_u64()), (0, Some(0)), "{report}");
    assert_eq!(report["scan"]["summary"]["files_not_opened"], 1);
}

#[test]
fn seal_unknown_checks_the_pin_seals_and_then_removes() {
    let v = new_vault();
    let root = v.tmp.path().join("terminal");
    put(&root, "Documents/other.p12", &fixture_bytes("aes.p12"));
    put(&root, "Documents/hpki-old.p12", &fixture_bytes("hpki.p12"));
    put(&root, "Desktop/expired.p12", &fixture_bytes("expired.p12"));
    let root_arg = root.to_str().unwrap();

    // Dry run: says what would happen, changes nothing, asks for no PIN.
    let (report, _) = v.json("clean", &[root_arg, "--seal-unknown"]);
    let actions: Vec<&str> =
        report["outcomes"].as_array().unwrap().iter().map(|o| o["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["would-seal-and-remove", "would-remove", "would-seal-and-remove"]);
    assert_eq!(v.entries().len(), 2);

    // A wrong PIN: nothing is sealed or removed but the copy already in the vault.
    let pin = fixture("wrong-pin.txt");
    let (report, code) =
        v.json("clean", &[root_arg, "--apply", "--seal-unknown", "--pin-file", pin.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["removed"], 1);
    assert!(root.join("Documents/other.p12").exists() && root.join("Desktop/expired.p12").exists());
    assert!(
        report["outcomes"][0]["why"].as_str().unwrap().contains("wrong PIN"),
        "{}",
        report["outcomes"][0]
    );
    assert_eq!(v.entries().len(), 2);

    // The right PIN: both sealed (the vault keeps them), then removed.
    let pin = fixture("pin.txt");
    let (report, code) =
        v.json("clean", &[root_arg, "--apply", "--seal-unknown", "--pin-file", pin.to_str().unwrap()]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["sealed"], 2);
    assert_eq!(report["summary"]["removed"], 2);
    assert!(report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["sealed"] == true && o["action"] == "removed"));
    assert!(snapshot(&root).is_empty());
    assert_eq!(v.entries().len(), 4);
}

#[cfg(unix)]
#[test]
fn links_keep_what_they_point_to() {
    use std::os::unix::fs::symlink;
    let v = new_vault();
    let outside = v.tmp.path().join("outside");
    let kept = put(&outside, "kept.p12", &fixture_bytes("legacy.p12"));
    let root = v.tmp.path().join("terminal");
    std::fs::create_dir_all(&root).unwrap();
    symlink(&kept, root.join("link.p12")).unwrap();
    std::fs::hard_link(&kept, root.join("hard-link.p12")).unwrap();
    let a = put(&root, "a.p12", &fixture_bytes("hpki.p12"));
    std::fs::hard_link(&a, root.join("b.p12")).unwrap();
    let (report, _) = v.json("clean", &[root.to_str().unwrap(), "--apply"]);
    assert_eq!(report["summary"]["removed"], 3, "{report}");
    assert_eq!(files(&snapshot(&root), &root), ["link.p12"]);
    assert_eq!(std::fs::read(&kept).unwrap(), fixture_bytes("legacy.p12"), "the other name keeps its data");
    let hard = report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["path"].as_str().unwrap().ends_with("hard-link.p12"))
        .unwrap();
    assert_eq!(hard["overwritten"], false);
    assert!(hard["why"].as_str().unwrap().contains("hard link"));
}

/// Runs `certvault ARGS` as another user than root ("nobody", through `setpriv`) when the
/// tests run as root, as in CI, so that file permissions apply; as itself otherwise. `None`
/// (after saying so loudly) only outside CI when `setpriv` is missing.
#[cfg(unix)]
fn as_unprivileged_user(bin: &Path) -> Option<std::process::Command> {
    use std::process::Command;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some(Command::new(bin));
    }
    let present = Command::new("setpriv").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(present || std::env::var_os("CI").is_none(), "setpriv is missing in CI");
    if !present {
        eprintln!("SKIPPED (not in CI): running as root without setpriv, permissions cannot apply");
        return None;
    }
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(bin);
    Some(c)
}

/// Gives the whole tree under `root` to "nobody" when the tests run as root (see
/// [`as_unprivileged_user`]).
#[cfg(unix)]
fn give_to_unprivileged_user(root: &Path) {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    std::os::unix::fs::lchown(root, Some(65534), Some(65534)).unwrap();
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        match std::fs::symlink_metadata(&path).unwrap().is_dir() {
            true => give_to_unprivileged_user(&path),
            false => std::os::unix::fs::lchown(&path, Some(65534), Some(65534)).unwrap(),
        }
    }
}

/// A read-only copy in a folder others can write to is swapped for a link to one of the
/// user's private files right when `clean --apply` is about to make it writable (the debug
/// build's pause switch makes the moment exact): the private file's permissions never change,
/// the copy is reported as left; an untouched read-only copy is still removed.
#[cfg(unix)]
#[test]
fn permissions_are_never_changed_through_a_name_swapped_for_a_link() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let v = new_vault();
    let tmp = v.tmp.path();
    let bin = tmp.join("certvault");
    std::fs::copy(assert_cmd::cargo::cargo_bin("certvault"), &bin).unwrap();
    let Some(_) = as_unprivileged_user(&bin) else { return };
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
    let private = tmp.join("recovery.txt");
    assert_eq!(mode(&private), 0o600);
    let shared = tmp.join("shared");
    let copy = put(&shared, "202101010000777.p12", &fixture_bytes("legacy.p12"));
    std::fs::create_dir_all(tmp.join("state")).unwrap();
    give_to_unprivileged_user(tmp);
    for (p, m) in [(tmp, 0o755), (&bin, 0o755), (&shared, 0o777), (&copy, 0o444)] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    }
    let clean = |pause: Option<&Path>| {
        let mut c = as_unprivileged_user(&bin).unwrap();
        c.args(["--lang", "en", "clean", "--apply", "--json", "--vault"])
            .arg(&v.dir)
            .arg("--passphrase-file")
            .arg(&v.pass)
            .arg(&shared)
            .env("HOME", tmp)
            .env("XDG_STATE_HOME", tmp.join("state"))
            .env_remove("CERTVAULT_STATE_DIR")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if let Some(p) = pause {
            c.env("CERTVAULT_TEST_PAUSE_AT", format!("clean-make-writable:{}", p.display()));
        }
        c.spawn().unwrap()
    };

    let pause = tmp.join("paused");
    let mut child = clean(Some(&pause));
    // Wait (a hang guard of a minute, not a timing assertion) until clean is at the moment.
    for _ in 0..6000 {
        if pause.exists() || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(pause.exists(), "clean never reached the pause point");
    // The other user's move: the copy becomes a link to the victim's private file.
    std::fs::remove_file(&copy).unwrap();
    symlink(&private, &copy).unwrap();
    std::fs::remove_file(&pause).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(mode(&private), 0o600, "the private file's permissions changed through the link: {stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["removed"], 0, "{report}");
    assert_eq!(report["outcomes"][0]["action"], "left", "{report}");
    assert!(std::fs::symlink_metadata(&copy).unwrap().file_type().is_symlink());

    // Without the swap, a read-only copy of one's own is removed.
    std::fs::remove_file(&copy).unwrap();
    put(&shared, "202101010000777.p12", &fixture_bytes("legacy.p12"));
    give_to_unprivileged_user(&shared);
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = clean(None).wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["removed"], 1, "{report}");
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(!copy.exists() && std::fs::symlink_metadata(&copy).is_err());
    assert_eq!(mode(&private), 0o600);
}

#[test]
fn japanese_output_states_the_limits_of_overwriting() {
    let v = new_vault();
    let root = v.tmp.path().join("terminal");
    put(&root, "ダウンロード/202101010000777.p12", &fixture_bytes("legacy.p12"));
    let out = v
        .cmd("clean", &[root.to_str().unwrap()])
        .env("LANG", "ja_JP.UTF-8")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("削除予定") && text.contains("ディスク全体の暗号化") && text.contains("--apply"),
        "{text}"
    );
}

/// Issue 16 in Japanese: the zip of a vault copy is named as such and goes with `--apply`;
/// the mixed one stays, and the reason is said.
#[test]
fn japanese_output_names_zipped_copies_and_keeps_a_mixed_zip() {
    let v = new_vault();
    let root = v.tmp.path().join("terminal");
    let legacy = fixture_bytes("legacy.p12");
    let only = put(&root, "ダウンロード/証明書.zip", &zip_of(&[("202101010000777.p12", &legacy)], true));
    let mixed = put(
        &root,
        "ダウンロード/メール添付.zip",
        &zip_of(&[("202101010000777.p12", &legacy), ("説明.txt", "PIN は紙の通知書に".as_bytes())], true),
    );
    let run = |apply: bool| {
        let mut args = vec![root.to_str().unwrap()];
        if apply {
            args.push("--apply");
        }
        let out =
            v.cmd("clean", &args).env("LANG", "ja_JP.UTF-8").assert().code(1).get_output().stdout.clone();
        String::from_utf8(out).unwrap()
    };
    let dry = run(false);
    assert!(dry.contains("ZIP ファイルごと削除します") && dry.contains("削除しません"), "{dry}");
    assert!(!dry.contains("保管庫にないため"), "zipped copies are not called \"not in the vault\": {dry}");
    assert!(only.exists() && mixed.exists());
    let done = run(true);
    assert!(done.contains("ZIP ファイルごと削除しました"), "{done}");
    assert!(done.contains("この ZIP には保管庫にないファイルも入っているため、削除しませんでした"), "{done}");
    assert!(!only.exists(), "the zip of a vault copy is gone");
    assert!(mixed.exists(), "the mixed zip is kept");
}

// ---------------------------------------------------------------------------------------------
// The invariant, through the library: scan, then change the tree, then apply.

fn open(v: &TestVault) -> OpenVault {
    let unlock = Unlock::Passphrase(secrecy::SecretString::from(PASSPHRASE.to_string()));
    OpenVault::open(&v.dir, &unlock, false).unwrap_or_else(|e| panic!("{:?}", e))
}

fn plan(vault: &OpenVault, root: &Path) -> (VaultIndex, Vec<certvault_core::scan::Hit>) {
    let index = VaultIndex::new(vault);
    let roots = [Root { path: root.canonicalize().unwrap(), place: Place::Given, default: false }];
    let report =
        certvault_core::scan::scan(&roots, Some(&index), Default::default(), &NoOne::default()).unwrap();
    (index, report.hits)
}

#[test]
fn a_vault_that_no_longer_opens_stops_all_removal() {
    let v = new_vault();
    let root = v.tmp.path().join("terminal");
    terminal(&root);
    let vault = open(&v);
    let (index, hits) = plan(&vault, &root);
    let before = snapshot(&root);
    // The stick is damaged (or pulled) after the vault was opened.
    let generation = v.dir.join(format!("vault-{}.age", vault.generation));
    let mut bytes = std::fs::read(&generation).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    std::fs::write(&generation, bytes).unwrap();
    let outcomes = clean::carry_out(&vault, &index, hits, true, false, &NoOne::default());
    assert!(outcomes.iter().all(|o| o.action == Action::Left));
    // "not removed, and nothing more is removed in this run: … did not open again: …"
    let reopen_failed = |m: &certvault_core::Message| {
        m.id == "clean-left-vault"
            && matches!(&m.args[..], [(_, Arg::Message(r))] if r.id == "clean-vault-reopen-failed")
    };
    assert!(outcomes.iter().any(|o| o.why.as_ref().is_some_and(reopen_failed)));
    assert_eq!(snapshot(&root), before);
}

/// What a random file is made of.
#[cfg(unix)]
#[derive(Debug, Clone)]
enum Content {
    /// The bytes of vault entry 0 or 1.
    InVault(usize),
    /// A vault entry with one byte changed.
    Flipped(usize, usize),
    /// A vault entry cut short.
    Truncated(usize, usize),
    /// A vault entry with one byte more.
    Appended(usize),
    /// A certificate file that is not in the vault.
    Other(usize),
    Junk(Vec<u8>),
    /// A link to a file outside the tree holding a vault entry.
    SymlinkOut(usize),
    /// A hard link to a file outside the tree holding a vault entry.
    HardLinkOut(usize),
}

/// What happens to a file between the scan and the removal.
#[cfg(unix)]
#[derive(Debug, Clone)]
enum Change {
    None,
    FlipByte(usize),
    Truncate,
    ReplaceWithOther,
    ReplaceWithSymlinkOut,
    Delete,
}

#[cfg(unix)]
const NAMES: &[&str] = &[
    "202101010000777.p12",
    "client.hpki-cardless-signature",
    "copy.pfx",
    "certificate",
    "202101010000777 (1).p12",
];
#[cfg(unix)]
const DIRS: &[&str] = &["", "Downloads", "Desktop/old", ".local/share/Trash/files"];
#[cfg(unix)]
const OTHERS: &[&str] = &["aes.p12", "noenc.p12", "ec.p12", "nochain.p12"];

#[cfg(unix)]
fn content() -> impl Strategy<Value = Content> {
    prop_oneof![
        4 => (0..2usize).prop_map(Content::InVault),
        1 => (0..2usize, 0..4000usize).prop_map(|(i, p)| Content::Flipped(i, p)),
        1 => (0..2usize, 1..3000usize).prop_map(|(i, n)| Content::Truncated(i, n)),
        1 => (0..2usize).prop_map(Content::Appended),
        1 => (0..OTHERS.len()).prop_map(Content::Other),
        1 => proptest::collection::vec(any::<u8>(), 0..200).prop_map(Content::Junk),
        1 => (0..2usize).prop_map(Content::SymlinkOut),
        1 => (0..2usize).prop_map(Content::HardLinkOut),
    ]
}

#[cfg(unix)]
fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        6 => Just(Change::None),
        1 => (0..4000usize).prop_map(Change::FlipByte),
        1 => Just(Change::Truncate),
        1 => Just(Change::ReplaceWithOther),
        1 => Just(Change::ReplaceWithSymlinkOut),
        1 => Just(Change::Delete),
    ]
}

#[cfg(unix)]
fn tree() -> impl Strategy<Value = Vec<(usize, usize, Content, Change)>> {
    proptest::collection::vec((0..DIRS.len(), 0..NAMES.len(), content(), change()), 1..14)
}

#[cfg(unix)]
#[test]
fn clean_never_deletes_a_file_whose_bytes_are_not_in_the_vault() {
    let v = new_vault();
    let vault = open(&v);
    let index = VaultIndex::new(&vault);
    let entries: Vec<Vec<u8>> =
        [&v.legacy, &v.hpki].iter().map(|id| index.entry_bytes(id).unwrap().to_vec()).collect();
    let others: Vec<Vec<u8>> = OTHERS.iter().map(|n| fixture_bytes(n)).collect();
    let in_vault = |b: &[u8]| entries.iter().any(|e| e == b);
    let mut runner =
        proptest::test_runner::TestRunner::new(ProptestConfig { cases: 64, ..ProptestConfig::default() });
    runner
        .run(&tree(), |files| {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().join("root");
            let outside = tmp.path().join("outside");
            std::fs::create_dir_all(&root).unwrap();
            std::fs::create_dir_all(&outside).unwrap();
            let out_copies: Vec<PathBuf> = entries
                .iter()
                .enumerate()
                .map(|(i, e)| put(&outside, &format!("vault-copy-{i}.p12"), e))
                .collect();
            let mut placed: Vec<(PathBuf, Change)> = Vec::new();
            for (n, (d, name, content, change)) in files.into_iter().enumerate() {
                // Same names in different folders, and twice in one folder (made unique).
                let path = root.join(DIRS[d]).join(format!("{n}-{}", NAMES[name]));
                let path = if n % 3 == 0 { root.join(DIRS[d]).join(NAMES[name]) } else { path };
                if path.exists() || path.symlink_metadata().is_ok() {
                    continue;
                }
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                match content {
                    Content::InVault(i) => std::fs::write(&path, &entries[i]).unwrap(),
                    Content::Flipped(i, p) => {
                        let mut b = entries[i].clone();
                        let p = p % b.len();
                        b[p] ^= 0x01;
                        std::fs::write(&path, b).unwrap();
                    }
                    Content::Truncated(i, n) => {
                        std::fs::write(&path, &entries[i][..n.min(entries[i].len() - 1)]).unwrap()
                    }
                    Content::Appended(i) => std::fs::write(&path, [&entries[i][..], b"\n"].concat()).unwrap(),
                    Content::Other(j) => std::fs::write(&path, &others[j]).unwrap(),
                    Content::Junk(b) => std::fs::write(&path, b).unwrap(),
                    Content::SymlinkOut(i) => std::os::unix::fs::symlink(&out_copies[i], &path).unwrap(),
                    Content::HardLinkOut(i) => std::fs::hard_link(&out_copies[i], &path).unwrap(),
                }
                placed.push((path, change));
            }
            let outside_before = snapshot(&outside);
            let (index, hits) = plan(&vault, &root);
            // Changes between the scan and the removal.
            for (path, change) in &placed {
                let is_file = path.symlink_metadata().map(|m| m.is_file()).unwrap_or(false);
                if !is_file {
                    continue;
                }
                match change {
                    Change::None => {}
                    Change::FlipByte(p) => {
                        let mut b = std::fs::read(path).unwrap();
                        if !b.is_empty() {
                            let p = p % b.len();
                            b[p] ^= 0x80;
                            std::fs::remove_file(path).unwrap();
                            std::fs::write(path, b).unwrap();
                        }
                    }
                    Change::Truncate => {
                        let b = std::fs::read(path).unwrap();
                        std::fs::remove_file(path).unwrap();
                        std::fs::write(path, &b[..b.len() / 2]).unwrap();
                    }
                    Change::ReplaceWithOther => {
                        std::fs::remove_file(path).unwrap();
                        std::fs::write(path, &others[0]).unwrap();
                    }
                    Change::ReplaceWithSymlinkOut => {
                        std::fs::remove_file(path).unwrap();
                        std::os::unix::fs::symlink(&out_copies[0], path).unwrap();
                    }
                    Change::Delete => std::fs::remove_file(path).unwrap(),
                }
            }
            let before = snapshot(&root);
            let outcomes = clean::carry_out(&vault, &index, hits, true, false, &NoOne::default());
            let after = snapshot(&root);
            for (path, node) in &before {
                match (node, after.get(path)) {
                    // Gone: only if its bytes were in the vault.
                    (Node::File(bytes), None) => {
                        prop_assert!(in_vault(bytes), "{} deleted, bytes not in the vault", path.display())
                    }
                    (Node::Link(_), None) => prop_assert!(false, "link {} deleted", path.display()),
                    (node, Some(now)) => prop_assert_eq!(node, now, "{} changed", path.display()),
                }
            }
            prop_assert!(after.keys().all(|p| before.contains_key(p)), "nothing new (no renamed leftovers)");
            prop_assert_eq!(snapshot(&outside), outside_before, "files outside the tree untouched");
            // And the copies that were in the vault at the scan and stayed so are gone.
            for o in &outcomes {
                if o.hit.class == certvault_core::scan::classify::Class::InVault
                    && o.hit.archive_entry.is_none()
                {
                    let unchanged = matches!(before.get(&o.hit.path), Some(Node::File(b)) if in_vault(b));
                    prop_assert_eq!(o.action == Action::Removed, unchanged, "{:?}", o);
                }
            }
            Ok(())
        })
        .unwrap();
}
