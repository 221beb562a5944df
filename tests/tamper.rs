//! A stick in hostile or careless hands, through the real binary: a changed `vault.json`
//! (another PIN recipient, other KDF settings), generations replaced by older ones, a damaged
//! newest generation, an `unlock.age` whose key is not its recovery code's, junk and special
//! files in the vault folder.
//!
//! Cheap KDF parameters (debug builds only) except where the real settings are the point.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::*;
use serde_json::Value;

const PASSPHRASE: &str = "sakura umbrella kettle nineteen";
const NEW_PASSPHRASE: &str = "lantern orchard quietly seventeen";

/// A scratch folder with passphrase files and this test's own state folder (the records that
/// rollback detection reads).
struct Scratch {
    tmp: tempfile::TempDir,
    pass: PathBuf,
    new_pass: PathBuf,
    cheap: bool,
}

/// What `init --recovery-out` gave.
struct Codes {
    recovery_code: PathBuf,
    pin_code: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch::with_kdf(true)
    }

    /// `cheap = false`: the KDF settings a release build writes (slow, 512 MiB per run).
    fn with_kdf(cheap: bool) -> Scratch {
        let tmp = tempfile::tempdir().unwrap();
        let pass = tmp.path().join("pass.txt");
        std::fs::write(&pass, format!("{PASSPHRASE}\n")).unwrap();
        let new_pass = tmp.path().join("new-pass.txt");
        std::fs::write(&new_pass, format!("{NEW_PASSPHRASE}\n")).unwrap();
        Scratch { tmp, pass, new_pass, cheap }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The real binary, in English, with this scratch's state folder and no terminal.
    fn cmd(&self) -> assert_cmd::Command {
        let mut c = certvault();
        c.env("XDG_STATE_HOME", self.path("state")).env("HOME", self.tmp.path()).write_stdin("");
        if self.cheap {
            c.env("CERTVAULT_TEST_CHEAP_KDF", "1");
        } else {
            c.env_remove("CERTVAULT_TEST_CHEAP_KDF");
        }
        c
    }

    /// `cmd` with `--vault DIR --passphrase-file` after the subcommand.
    fn on(&self, dir: &Path, args: &[&str]) -> assert_cmd::Command {
        let mut c = self.cmd();
        c.arg(args[0]).arg("--vault").arg(dir).arg("--passphrase-file").arg(&self.pass).args(&args[1..]);
        c
    }

    fn init(&self, name: &str) -> (PathBuf, Codes) {
        let dir = self.path(name);
        let rec = self.path(&format!("{name}-recovery.txt"));
        self.cmd()
            .args(["init", "--allow-fixed-disk", "--passphrase-file"])
            .arg(&self.pass)
            .arg("--recovery-out")
            .arg(&rec)
            .arg(&dir)
            .assert()
            .success();
        let text = std::fs::read_to_string(&rec).unwrap();
        let value =
            |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{key}: "))).unwrap().to_string();
        let codes = Codes {
            recovery_code: self.path(&format!("{name}-recovery-code.txt")),
            pin_code: self.path(&format!("{name}-pin-code.txt")),
        };
        std::fs::write(&codes.recovery_code, value("RECOVERY-CODE")).unwrap();
        std::fs::write(&codes.pin_code, value("PIN-CODE")).unwrap();
        (dir, codes)
    }

    fn add(&self, dir: &Path, fixture_name: &str) -> String {
        let out = self.add_cmd(dir, fixture_name).assert().success().get_output().stdout.clone();
        entry_id_in(&out)
    }

    fn add_cmd(&self, dir: &Path, fixture_name: &str) -> assert_cmd::Command {
        let mut c = self.on(dir, &["add"]);
        c.arg(fixture(fixture_name)).arg("--pin-file").arg(fixture("pin.txt"));
        c
    }

    fn reveal_pin(&self, dir: &Path, id: &str, codes: &Codes) -> Output {
        self.on(dir, &["reveal-pin", id, "--pin-code-file"]).arg(&codes.pin_code).output().unwrap()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn generations(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("vault-"))
        .collect();
    v.sort();
    v
}

/// Changes one member of `dir/vault.json` (a JSON pointer) as an attacker with the stick can.
fn edit_header(dir: &Path, pointer: &str, value: Value) {
    let path = dir.join("vault.json");
    let mut json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    *json.pointer_mut(pointer).unwrap() = value;
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
}

#[test]
fn a_changed_pin_recipient_in_vault_json_is_reported_never_used_and_repaired_by_sync() {
    let s = Scratch::new();
    let (dir, codes) = s.init("CERTVAULT");
    let id = s.add(&dir, "aes.p12");
    let original = std::fs::read(dir.join("vault.json")).unwrap();
    // Another age recipient, whose identity the attacker holds: another vault's PIN recipient.
    let (other, _) = s.init("OTHER");
    let theirs: Value = serde_json::from_slice(&std::fs::read(other.join("vault.json")).unwrap()).unwrap();
    edit_header(&dir, "/pin_recipient", theirs["pin_recipient"].clone());

    // No PIN is sealed to the changed recipient: nothing is written at all.
    let out = s.add_cmd(&dir, "ec.p12").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "add wrote on a changed vault.json: {}", stderr(&out));
    assert!(
        stderr(&out).contains("vault.json") && stderr(&out).contains("pin_recipient"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("certvault sync"), "{}", stderr(&out));
    assert_eq!(generations(&dir), ["vault-1.age", "vault-2.age"]);

    // Reading says so, and uses the vault's own values.
    let out = s.on(&dir, &["list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("vault.json") && stderr(&out).contains("pin_recipient"),
        "{}",
        stderr(&out)
    );
    let out = s.reveal_pin(&dir, &id, &codes);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), std::fs::read_to_string(fixture("pin.txt")).unwrap().trim());

    // verify does not call the copy complete and current.
    let out = s.cmd().arg("verify").arg("--passphrase-file").arg(&s.pass).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("vault.json"), "{}", stdout(&out));

    // clone passes on the vault's own header, not the changed one.
    let copy = s.path("COPY");
    let out = s
        .cmd()
        .args(["clone", "--allow-fixed-disk", "--vault"])
        .arg(&dir)
        .arg("--passphrase-file")
        .arg(&s.pass)
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(copy.join("vault.json")).unwrap(), original);

    // sync repairs it from the vault itself; then writing works again, to the right key.
    let out = s.cmd().arg("sync").arg("--passphrase-file").arg(&s.pass).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(std::fs::read(dir.join("vault.json")).unwrap(), original);
    let id2 = s.add(&dir, "ec.p12");
    let out = s.reveal_pin(&dir, &id2, &codes);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn reveal_pin_derives_with_the_vaults_own_kdf_settings() {
    let s = Scratch::new();
    let (dir, codes) = s.init("CERTVAULT");
    let id = s.add(&dir, "aes.p12");
    let header: Value = serde_json::from_slice(&std::fs::read(dir.join("vault.json")).unwrap()).unwrap();
    let m = header["kdf"]["pin_code"]["m_cost"].as_u64().unwrap();
    edit_header(&dir, "/kdf/pin_code/m_cost", (m * 2).into());

    let out = s.reveal_pin(&dir, &id, &codes);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), std::fs::read_to_string(fixture("pin.txt")).unwrap().trim());
    assert!(stderr(&out).contains("kdf.pin_code"), "{}", stderr(&out));
}

#[test]
fn changed_kdf_settings_are_named_rather_than_blamed_on_the_recovery_code() {
    // The settings a release build writes: vault.json then asks for fewer passes.
    let s = Scratch::with_kdf(false);
    let (dir, codes) = s.init("CERTVAULT");
    let original = std::fs::read(dir.join("vault.json")).unwrap();
    // Without the test switch, init writes the release parameters (SPEC.md §4.2), which the
    // other tests trade for tiny ones (tests/common `certvault`).
    let header: Value = serde_json::from_slice(&original).unwrap();
    let release = vault_format::Argon2Params::DEFAULT;
    for code in ["recovery", "pin_code"] {
        assert_eq!(header["kdf"][code]["m_cost"], u64::from(release.m_cost), "{header}");
        assert_eq!(header["kdf"][code]["t_cost"], u64::from(release.t_cost), "{header}");
    }
    edit_header(&dir, "/kdf/recovery/t_cost", 1.into());

    let with_code = |args: &[&str]| {
        let mut c = s.cmd();
        c.arg(args[0]).arg("--recovery-code-file").arg(&codes.recovery_code).args(&args[1..]);
        c.output().unwrap()
    };
    let out = with_code(&["list", "--vault", dir.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(!err.contains("another vault's sheet"), "the code was blamed: {err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("vault.json") && err.contains("kdf.recovery"), "{err}");

    // A forgotten passphrase is not reset on top of a changed vault.json ...
    let out = with_code(&[
        "passwd",
        "--vault",
        dir.to_str().unwrap(),
        "--new-passphrase-file",
        s.new_pass.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("vault.json"), "{}", stderr(&out));
    // ... until sync has repaired it.
    let out = with_code(&["sync", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(std::fs::read(dir.join("vault.json")).unwrap(), original);
}

/// Runs `age` at a terminal (it reads passphrases only from one), answering `answers`.
fn age_at_terminal(s: &Scratch, answers: &str, args: &[&str]) {
    let file = s.path("answers.txt");
    std::fs::write(&file, answers).unwrap();
    let pty = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/pty_answer.py");
    let st = Command::new("python3")
        .arg(&pty)
        .arg(&file)
        .arg("--")
        .arg("age")
        .args(args)
        .status()
        .expect("python3 and the stock age tool (Debian package age)");
    assert!(st.success(), "age {args:?}");
}

#[test]
fn passwd_checks_that_unlock_age_holds_the_key_of_its_recovery_code() {
    let s = Scratch::new();
    let (dir, _) = s.init("CERTVAULT");
    let (_, other) = s.init("OTHER");
    // unlock.age with this vault's key but another vault's recovery code: it opens the vault
    // with the passphrase, yet the code it would carry on (and print on a sheet) opens nothing.
    let plain = s.path("unlock.txt");
    let unlock = dir.join("unlock.age");
    age_at_terminal(
        &s,
        &format!("{PASSPHRASE}\n"),
        &["-d", "-o", plain.to_str().unwrap(), unlock.to_str().unwrap()],
    );
    let text = std::fs::read_to_string(&plain).unwrap();
    let theirs = std::fs::read_to_string(&other.recovery_code).unwrap();
    let changed: String = text
        .lines()
        .map(|l| {
            if l.starts_with("# RECOVERY-CODE: ") {
                format!("# RECOVERY-CODE: {theirs}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert_ne!(changed, text);
    std::fs::write(&plain, changed).unwrap();
    std::fs::remove_file(&unlock).unwrap();
    age_at_terminal(
        &s,
        &format!("{PASSPHRASE}\n{PASSPHRASE}\n"),
        &["-p", "-o", unlock.to_str().unwrap(), plain.to_str().unwrap()],
    );
    s.on(&dir, &["list"]).assert().success();
    let before = std::fs::read(&unlock).unwrap();

    let out = s.on(&dir, &["passwd", "--new-passphrase-file"]).arg(&s.new_pass).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "passwd rewrote a mismatched unlock.age: {}", stderr(&out));
    assert!(
        stderr(&out).contains("unlock.age") && stderr(&out).contains("recovery code"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&unlock).unwrap(), before, "unlock.age was rewritten");
}

#[test]
fn generations_replaced_by_older_ones_are_noticed() {
    let s = Scratch::new();
    let (dir, _) = s.init("CERTVAULT");
    s.add(&dir, "aes.p12");
    s.add(&dir, "ec.p12");
    let old = std::fs::read(dir.join("vault-2.age")).unwrap();
    s.add(&dir, "legacy.p12");
    assert_eq!(generations(&dir), ["vault-3.age", "vault-4.age"]);
    // Someone puts back generation 2 (which opens: it is genuine, only old).
    for name in generations(&dir) {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    std::fs::write(dir.join("vault-2.age"), old).unwrap();

    let out = s.on(&dir, &["list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("generation 4"),
        "list opened an older generation silently: {}",
        stderr(&out)
    );

    let out = s.cmd().arg("verify").arg("--passphrase-file").arg(&s.pass).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("generation 4"), "{}", stdout(&out));
    let out =
        s.cmd().args(["verify", "--json", "--passphrase-file"]).arg(&s.pass).arg(&dir).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["all_current"], false);
    assert_eq!(report["newer_generation_seen"], 4);

    let out = s.on(&dir, &["status", "--json"]).output().unwrap();
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(status["items"].as_array().unwrap().iter().any(|i| i["kind"] == "older-than-seen"), "{status}");
}

#[test]
fn nothing_is_written_on_top_of_a_newest_generation_that_does_not_open() {
    let s = Scratch::new();
    let (dir, _) = s.init("CERTVAULT");
    let id = s.add(&dir, "aes.p12");
    let copy = s.path("COPY");
    s.cmd()
        .args(["clone", "--allow-fixed-disk", "--vault"])
        .arg(&dir)
        .arg("--passphrase-file")
        .arg(&s.pass)
        .arg(&copy)
        .assert()
        .success();
    s.add(&dir, "ec.p12");
    s.add(&copy, "ec.p12");
    // Generation 3 (holding ec.p12) is damaged on this stick.
    let newest = dir.join("vault-3.age");
    let mut bytes = std::fs::read(&newest).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&newest, &bytes).unwrap();

    let out = s.add_cmd(&dir, "legacy.p12").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "add wrote on top of a fallback: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("vault-3.age") && err.contains("certvault sync"), "{err}");
    assert_eq!(generations(&dir), ["vault-2.age", "vault-3.age"]);
    assert_eq!(std::fs::read(&newest).unwrap(), bytes, "the damaged generation is kept");
    let out = s.on(&dir, &["remove", &id]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(generations(&dir), ["vault-2.age", "vault-3.age"]);

    // sync from the other copy brings generation 3 back; then the change goes through.
    let out =
        s.cmd().arg("sync").arg("--passphrase-file").arg(&s.pass).arg(&copy).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    s.add(&dir, "legacy.p12");
    let out = s.on(&dir, &["list", "--json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["opened_generation"], 4);
    assert_eq!(list["entries"].as_array().unwrap().len(), 3, "{list}");
}

#[test]
fn a_junk_generation_with_the_largest_number_neither_wraps_nor_locks_sync_out() {
    let s = Scratch::new();
    let (dir, _) = s.init("CERTVAULT");
    s.add(&dir, "aes.p12");
    let junk = dir.join("vault-18446744073709551615.age");
    std::fs::write(&junk, b"not a generation").unwrap();

    let out = s.add_cmd(&dir, "ec.p12").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("vault-18446744073709551615.age"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));

    // sync with this one copy moves the junk aside, without locking itself out.
    let out = s
        .cmd()
        .arg("sync")
        .arg("--passphrase-file")
        .arg(&s.pass)
        .arg(&dir)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(!junk.exists());
    assert!(dir.join("vault-18446744073709551615.age.damaged").exists());
    s.add(&dir, "ec.p12");
    assert_eq!(generations(&dir), ["vault-18446744073709551615.age.damaged", "vault-2.age", "vault-3.age"]);
}

/// `certvault SUBCOMMAND --vault DIR` under a 1 GiB address-space limit: a reader that tries
/// to hold a 2 GiB file, or reads a device without end, dies instead of answering; one that
/// opens a FIFO blocks until the test gives up.
fn limited(s: &Scratch, dir: &Path, subcommand: &str) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("certvault");
    Command::new("bash")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$@\"")
        .arg("limited")
        .arg(bin)
        .args([subcommand, "--vault", dir.to_str().unwrap(), "--passphrase-file", s.pass.to_str().unwrap()])
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("XDG_STATE_HOME", s.path("state"))
        .env("HOME", s.tmp.path())
        .env("CERTVAULT_TEST_CHEAP_KDF", "1")
        .stdin(std::process::Stdio::null())
        .output_with_timeout(Duration::from_secs(60))
        .expect("certvault did not finish within 60 s (a FIFO or a device blocked it)")
}

trait OutputWithTimeout {
    fn output_with_timeout(&mut self, limit: Duration) -> Option<Output>;
}

impl OutputWithTimeout for Command {
    fn output_with_timeout(&mut self, limit: Duration) -> Option<Output> {
        let mut child =
            self.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if child.try_wait().unwrap().is_some() {
                return Some(child.wait_with_output().unwrap());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }
}

#[test]
fn vault_json_and_unlock_age_are_read_with_a_limit_and_only_from_regular_files() {
    let s = Scratch::new();
    let (dir, _) = s.init("CERTVAULT");
    for name in ["vault.json", "unlock.age"] {
        let path = dir.join(name);
        let saved = std::fs::read(&path).unwrap();
        for kind in ["sparse", "device", "fifo"] {
            std::fs::remove_file(&path).unwrap();
            match kind {
                "sparse" => std::fs::File::create(&path).unwrap().set_len(2 << 30).unwrap(),
                "device" => std::os::unix::fs::symlink("/dev/zero", &path).unwrap(),
                _ => assert!(Command::new("mkfifo").arg(&path).status().expect("mkfifo").success()),
            }
            let out = limited(&s, &dir, "list");
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{name} as {kind}: {err}");
            assert!(err.contains(name), "{name} as {kind}: {err}");
            let why = if kind == "sparse" { "larger than" } else { "not a regular file" };
            assert!(err.contains(why), "{name} as {kind}: {err}");
        }
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, saved).unwrap();
        s.on(&dir, &["list"]).assert().success();
    }
}
