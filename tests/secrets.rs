//! Secrets hygiene through the real (debug) binary (issue 7, part 4): no secret in any output,
//! error or panic; no core dump; private files created 0600 whatever the umask.
//!
//! The secrets are known to the test (a PIN, a passphrase, a wrong passphrase, the recovery
//! and PIN codes, the vault identity); every command that handles them runs, and its standard
//! output and standard error are searched for each of them (codes also without hyphens, and
//! each 5-symbol group on its own). A forced panic (the debug-only `CERTVAULT_DEBUG_PANIC_AT`
//! switch, `core/src/hardening.rs`) right after a secret was read, and right after the vault opened,
//! is searched the same way, backtrace included.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const PIN: &str = "Tq8-pin-Zx4q-w9";
const WRONG_PIN: &str = "Wr0ng-pin-Hk2v";
const PASSPHRASE: &str = "violet harbour quietly 7319 lantern";
const WRONG_PASSPHRASE: &str = "amber kettle 2204 sideways fog";
const NEW_PASSPHRASE: &str = "copper meadow 5581 distant owl";

struct World {
    tmp: tempfile::TempDir,
    vault: PathBuf,
    p12: PathBuf,
    /// Every secret, in every form it could leak in.
    secrets: Vec<String>,
    recovery_code: String,
    pin_code: String,
}

impl World {
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.tmp.path().join(name);
        std::fs::write(&p, format!("{content}\n")).unwrap();
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

/// The debug binary, with cheap KDF parameters for new vaults (a debug-only switch of
/// `core/src/durable.rs`) and a private state folder.
fn cmd(w: &World) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("certvault"));
    c.env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("CERTVAULT_TEST_CHEAP_KDF", "1")
        .env("CERTVAULT_STATE_DIR", w.tmp.path().join("state"))
        .env("RUST_BACKTRACE", "full");
    c
}

/// Splits a code into the forms a leak could take: as printed, without hyphens, each group.
fn code_forms(code: &str) -> Vec<String> {
    let mut v = vec![code.to_string(), code.replace('-', "")];
    v.extend(code.split('-').map(str::to_string));
    v
}

fn setup() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let pin_file = tmp.path().join("pin-for-openssl");
    std::fs::write(&pin_file, PIN).unwrap();
    let p12 = tmp.path().join("clinic.p12");
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-name", "secrets test", "-in"])
        .arg(fixture("leaf.crt"))
        .arg("-inkey")
        .arg(fixture("leaf.key"))
        .arg("-passout")
        .arg(format!("file:{}", pin_file.display()))
        .arg("-out")
        .arg(&p12)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(&pin_file).unwrap();
    let mut w = World {
        vault: tmp.path().join("stick").join("CERTVAULT"),
        tmp,
        p12,
        secrets: Vec::new(),
        recovery_code: String::new(),
        pin_code: String::new(),
    };
    std::fs::create_dir_all(w.vault.parent().unwrap()).unwrap();
    let pass = w.file("pass.txt", PASSPHRASE);
    let out = cmd(&w)
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(w.path("recovery.txt"))
        .arg(&w.vault)
        .output()
        .unwrap();
    assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
    let recovery = std::fs::read_to_string(w.path("recovery.txt")).unwrap();
    let value =
        |key: &str| recovery.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().to_string()).unwrap();
    w.recovery_code = value("RECOVERY-CODE:");
    w.pin_code = value("PIN-CODE:");
    let identity = value("RECOVERY-IDENTITY:");
    w.secrets = [PIN, WRONG_PIN, PASSPHRASE, WRONG_PASSPHRASE, NEW_PASSPHRASE, &identity]
        .iter()
        .map(|s| s.to_string())
        .chain(code_forms(&w.recovery_code))
        .chain(code_forms(&w.pin_code))
        .chain(["AGE-SECRET-KEY".to_string()])
        .collect();
    // The init run itself: it was not on a terminal, so it printed no code.
    assert_no_secret("init", &out, &w.secrets);
    w
}

/// Fails naming the secret and where it appeared.
fn assert_no_secret(what: &str, out: &Output, secrets: &[String]) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for s in secrets {
        assert!(!stdout.contains(s.as_str()), "{what}: standard output shows the secret {s:?}:\n{stdout}");
        assert!(!stderr.contains(s.as_str()), "{what}: standard error shows the secret {s:?}:\n{stderr}");
    }
}

/// Runs `certvault ARGS`, checks its exit code and that no secret appears.
fn run(w: &World, what: &str, args: &[&std::ffi::OsStr], code: i32) -> Output {
    let out = cmd(w).args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_secret(what, &out, &w.secrets);
    out
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

#[test]
fn no_secret_appears_in_any_output_or_error() {
    let w = setup();
    let pin = w.file("pin.txt", PIN);
    let wrong_pin = w.file("wrong-pin.txt", WRONG_PIN);
    let pass = w.file("pass.txt", PASSPHRASE);
    let wrong_pass = w.file("wrong-pass.txt", WRONG_PASSPHRASE);
    let new_pass = w.file("new-pass.txt", NEW_PASSPHRASE);
    let code = w.file("code.txt", &w.recovery_code);
    let pin_code = w.file("pin-code.txt", &w.pin_code);
    // The codes with one symbol changed: the error names the group, never the code.
    let typo = |c: &str| {
        let mut chars: Vec<char> = c.chars().collect();
        chars[7] = if chars[7] == 'X' { 'Y' } else { 'X' };
        chars.into_iter().collect::<String>()
    };
    let bad_code = w.file("bad-code.txt", &typo(&w.recovery_code));
    let bad_pin_code = w.file("bad-pin-code.txt", &typo(&w.pin_code));
    let v = w.vault.as_os_str();

    run(&w, "inspect", &[os("inspect"), w.p12.as_os_str(), os("--pin-file"), pin.as_os_str()], 0);
    run(
        &w,
        "inspect --json",
        &[os("inspect"), w.p12.as_os_str(), os("--pin-file"), pin.as_os_str(), os("--json")],
        0,
    );
    run(
        &w,
        "inspect, wrong PIN",
        &[os("inspect"), w.p12.as_os_str(), os("--pin-file"), wrong_pin.as_os_str()],
        2,
    );
    let out = run(
        &w,
        "add",
        &[
            os("add"),
            w.p12.as_os_str(),
            os("--vault"),
            v,
            os("--passphrase-file"),
            pass.as_os_str(),
            os("--pin-file"),
            pin.as_os_str(),
        ],
        0,
    );
    let entry = entry_id_in(&out.stdout);
    run(
        &w,
        "add, wrong PIN",
        &[
            os("add"),
            w.p12.as_os_str(),
            os("--vault"),
            v,
            os("--passphrase-file"),
            pass.as_os_str(),
            os("--pin-file"),
            wrong_pin.as_os_str(),
        ],
        2,
    );
    run(
        &w,
        "list",
        &[os("list"), os("--vault"), v, os("--passphrase-file"), pass.as_os_str(), os("--json")],
        0,
    );
    run(
        &w,
        "list, recovery code",
        &[os("list"), os("--vault"), v, os("--recovery-code-file"), code.as_os_str()],
        0,
    );
    run(
        &w,
        "list, wrong passphrase",
        &[os("list"), os("--vault"), v, os("--passphrase-file"), wrong_pass.as_os_str()],
        2,
    );
    run(
        &w,
        "list, mistyped code",
        &[os("list"), os("--vault"), v, os("--recovery-code-file"), bad_code.as_os_str()],
        2,
    );
    run(
        &w,
        "list, PIN code as recovery code",
        &[os("list"), os("--vault"), v, os("--recovery-code-file"), pin_code.as_os_str()],
        2,
    );
    run(
        &w,
        "reveal-pin, mistyped PIN code",
        &[
            os("reveal-pin"),
            os(&entry),
            os("--vault"),
            v,
            os("--passphrase-file"),
            pass.as_os_str(),
            os("--pin-code-file"),
            bad_pin_code.as_os_str(),
        ],
        2,
    );
    // reveal-pin shows the PIN on standard output: that is its job. Nothing else may show,
    // and the PIN appears on standard output only.
    let out = cmd(&w)
        .args([
            os("reveal-pin"),
            os(&entry),
            os("--vault"),
            v,
            os("--passphrase-file"),
            pass.as_os_str(),
            os("--pin-code-file"),
            pin_code.as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), PIN);
    let others: Vec<String> = w.secrets.iter().filter(|s| *s != PIN).cloned().collect();
    assert_no_secret("reveal-pin", &out, &others);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(PIN));
    run(
        &w,
        "export",
        &[
            os("export"),
            os(&entry),
            os("--vault"),
            v,
            os("--passphrase-file"),
            pass.as_os_str(),
            os("--out"),
            w.path("exported.p12").as_os_str(),
        ],
        0,
    );
    run(
        &w,
        "scan",
        &[
            os("scan"),
            w.tmp.path().as_os_str(),
            os("--vault"),
            v,
            os("--passphrase-file"),
            pass.as_os_str(),
            os("--json"),
        ],
        1,
    );
    run(
        &w,
        "sheet",
        &[
            os("sheet"),
            os("--vault"),
            v,
            os("--passphrase-file"),
            pass.as_os_str(),
            os("--pin-code-file"),
            pin_code.as_os_str(),
            os("--out"),
            w.path("sheet.pdf").as_os_str(),
        ],
        0,
    );
    run(
        &w,
        "passwd",
        &[
            os("passwd"),
            os("--vault"),
            v,
            os("--passphrase-file"),
            pass.as_os_str(),
            os("--new-passphrase-file"),
            new_pass.as_os_str(),
        ],
        0,
    );
    run(
        &w,
        "list, old passphrase",
        &[os("list"), os("--vault"), v, os("--passphrase-file"), pass.as_os_str()],
        2,
    );
    run(
        &w,
        "list, new passphrase",
        &[os("list"), os("--vault"), v, os("--passphrase-file"), new_pass.as_os_str()],
        0,
    );
    run(&w, "recover-pin", &[os("recover-pin"), w.p12.as_os_str(), os("--max-digits"), os("2")], 1);
}

#[test]
fn a_panic_shows_no_secret_in_its_message_or_backtrace() {
    let w = setup();
    let pass = w.file("pass.txt", PASSPHRASE);
    let code = w.file("code.txt", &w.recovery_code);
    let pin = w.file("pin.txt", PIN);
    let v = w.vault.as_os_str();
    let cases: [(&str, Vec<&std::ffi::OsStr>); 4] = [
        ("secret-read", vec![os("list"), os("--vault"), v, os("--passphrase-file"), pass.as_os_str()]),
        ("secret-read", vec![os("inspect"), w.p12.as_os_str(), os("--pin-file"), pin.as_os_str()]),
        ("vault-opened", vec![os("list"), os("--vault"), v, os("--passphrase-file"), pass.as_os_str()]),
        ("vault-opened", vec![os("list"), os("--vault"), v, os("--recovery-code-file"), code.as_os_str()]),
    ];
    for (point, args) in cases {
        let out = cmd(&w).args(&args).env("CERTVAULT_DEBUG_PANIC_AT", point).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // A bug is an error (2), never 101; it says where, and not the panic's message.
        assert_eq!(out.status.code(), Some(2), "{point} {args:?} did not panic: {stderr}");
        assert!(stderr.contains("internal error") && stderr.contains("core/src/hardening.rs"), "{stderr}");
        assert!(!stderr.contains("forced panic"), "{stderr}");
        // The backtrace was printed (RUST_BACKTRACE=full), so it was searched too: with the
        // function's name, or frame numbers only when the program is stripped (CI tests the
        // release build, which is).
        assert!(stderr.contains("debug_panic_point") || stderr.contains("\n   0: "), "{stderr}");
        assert_no_secret(&format!("panic at {point}"), &out, &w.secrets);
    }
}

/// Mode bits of `p`.
#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn private_files_are_0600_in_private_folders_whatever_the_umask() {
    let w = setup_with_umask_000();
    let state = w.tmp.path().join("state");
    for (what, p) in [
        ("--recovery-out", w.path("recovery.txt")),
        ("export --out", w.path("exported.p12")),
        ("sheet --out", w.path("sheet.pdf")),
    ] {
        assert_eq!(mode(&p), 0o600, "{what}: {}", p.display());
    }
    assert_eq!(mode(&w.vault), 0o700, "the vault folder");
    // The vault's own files (every one was first written as a temporary file, flushed and
    // renamed, so its mode is the temporary file's).
    for e in std::fs::read_dir(&w.vault).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            assert_eq!(mode(&e.path()), 0o600, "vault file {}", e.path().display());
        }
    }
    // The local state (not secret, but private): a 0700 folder of 0600 files.
    assert_eq!(mode(&state), 0o700);
    for e in std::fs::read_dir(&state).unwrap() {
        assert_eq!(mode(&e.unwrap().path()), 0o600);
    }
}

/// The same steps as [`setup`] and a few writing commands, every one run under `umask 000`,
/// so that a mode left to the umask would show as 0666/0777.
#[cfg(unix)]
fn setup_with_umask_000() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let w = World {
        vault: tmp.path().join("stick").join("CERTVAULT"),
        p12: fixture("legacy.p12"),
        tmp,
        secrets: Vec::new(),
        recovery_code: String::new(),
        pin_code: String::new(),
    };
    std::fs::create_dir_all(w.vault.parent().unwrap()).unwrap();
    let pass = w.file("pass.txt", PASSPHRASE);
    let in_umask_000 = |args: &[&std::ffi::OsStr]| {
        let bin = assert_cmd::cargo::cargo_bin("certvault");
        let base = cmd(&w);
        // `sh -c 'umask 000; exec "$0" "$@"' certvault ARGS…`
        let out = Command::new("sh")
            .arg("-c")
            .arg("umask 000; exec \"$0\" \"$@\"")
            .arg(&bin)
            .args(args)
            .envs(base.get_envs().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))))
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    };
    in_umask_000(&[
        os("init"),
        os("--allow-fixed-disk"),
        os("--passphrase-file"),
        pass.as_os_str(),
        os("--recovery-out"),
        w.path("recovery.txt").as_os_str(),
        w.vault.as_os_str(),
    ]);
    let recovery = std::fs::read_to_string(w.path("recovery.txt")).unwrap();
    let pin_code = recovery.lines().find_map(|l| l.strip_prefix("PIN-CODE:")).unwrap().trim().to_string();
    let pin_code = w.file("pin-code.txt", &pin_code);
    let v = w.vault.as_os_str();
    let out = in_umask_000(&[
        os("add"),
        w.p12.as_os_str(),
        os("--vault"),
        v,
        os("--passphrase-file"),
        pass.as_os_str(),
        os("--pin-file"),
        fixture("pin.txt").as_os_str(),
    ]);
    let entry = entry_id_in(&out.stdout);
    in_umask_000(&[
        os("export"),
        os(&entry),
        os("--vault"),
        v,
        os("--passphrase-file"),
        pass.as_os_str(),
        os("--out"),
        w.path("exported.p12").as_os_str(),
    ]);
    in_umask_000(&[
        os("sheet"),
        os("--vault"),
        v,
        os("--passphrase-file"),
        pass.as_os_str(),
        os("--pin-code-file"),
        pin_code.as_os_str(),
        os("--out"),
        w.path("sheet.pdf").as_os_str(),
    ]);
    in_umask_000(&[
        os("scan"),
        w.path("stick").as_os_str(),
        os("--vault"),
        v,
        os("--passphrase-file"),
        pass.as_os_str(),
    ]);
    w
}

/// While certvault waits for a secret (here: a PIN file that is a FIFO nobody has written to
/// yet), it already runs with core dumps off: core-file limit 0, and not dumpable, which makes
/// its `/proc/PID` files belong to root although the process runs as another user.
#[cfg(target_os = "linux")]
#[test]
fn core_dumps_are_off_before_any_secret_is_read() {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let p12 = tmp.path().join("cert.p12");
    std::fs::copy(fixture("legacy.p12"), &p12).unwrap();
    std::fs::set_permissions(&p12, std::fs::Permissions::from_mode(0o644)).unwrap();
    // A copy of the binary that "nobody" can run, wherever the target folder is.
    let bin = tmp.path().join("certvault");
    std::fs::copy(assert_cmd::cargo::cargo_bin("certvault"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let fifo = tmp.path().join("pin-fifo");
    assert!(Command::new("mkfifo").arg("-m").arg("666").arg(&fifo).status().unwrap().success());
    // As root (CI), run it as "nobody" so that root-owned /proc files mean "not dumpable";
    // for any other user, root ownership means the same.
    // SAFETY: geteuid has no preconditions.
    let mut c = if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    c.arg("inspect").arg(&p12).arg("--pin-file").arg(&fifo).env("LANG", "C");
    c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let child = c.spawn().unwrap();
    let proc_dir = PathBuf::from(format!("/proc/{}", child.id()));
    let core_limit = || {
        let limits = std::fs::read_to_string(proc_dir.join("limits")).unwrap_or_default();
        let line = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap_or("").to_string();
        line.split_whitespace().skip(4).take(2).collect::<Vec<_>>().join(" ")
    };
    let is_certvault = || std::fs::read_link(proc_dir.join("exe")).ok().as_deref() == Some(bin.as_path());
    // certvault blocks opening the FIFO until the PIN is written, so it is alive while we look;
    // poll (a hang guard of 60 s, not a timing assertion) until it has passed main's first line.
    let mut limit_zero = false;
    let mut owner = u32::MAX;
    for _ in 0..1200 {
        limit_zero = is_certvault() && core_limit() == "0 0";
        owner = std::fs::metadata(proc_dir.join("status")).map(|m| m.uid()).unwrap_or(u32::MAX);
        if limit_zero && owner == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let process_uid: u32 = std::fs::read_to_string(proc_dir.join("status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().next().map(|u| u.parse().unwrap()))
        .unwrap();
    // Let it finish: write the PIN.
    std::fs::OpenOptions::new().write(true).open(&fifo).unwrap().write_all(b"4821\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(limit_zero, "the core-file limit of certvault is not 0 0: {}", core_limit());
    assert_ne!(process_uid, 0, "the test must run certvault as a user other than root");
    assert_eq!(owner, 0, "/proc/PID/status belongs to uid {owner}: the process is dumpable");
}
