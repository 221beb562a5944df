//! Shared test helpers: the fixture family (generated once per test binary by the committed
//! script, with openssl) and small wrappers around the real `certvault` binary and openssl.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

static FIXTURES: OnceLock<tempfile::TempDir> = OnceLock::new();

/// The folder holding every fixture of `tests/fixtures/make-fixtures.sh`.
pub fn fixtures() -> &'static Path {
    FIXTURES
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make-fixtures.sh");
            let status =
                Command::new("bash").arg(&script).arg(dir.path()).status().expect("run make-fixtures.sh");
            assert!(status.success(), "make-fixtures.sh failed");
            dir
        })
        .path()
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
}

/// Set (to anything but `0` or `false`) when the tests run in CI, as `.ci/run` does there.
/// CI runs as root with every tool the tests call installed (`.ci/run` installs them).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The switch that lets a developer's machine skip, loudly, a test whose tool or privilege is
/// missing there. It has no effect in CI.
pub const ALLOW_SKIP_VAR: &str = "CERTVAULT_ALLOW_SKIP";

/// A prerequisite of the running test (a tool, root). Returns whether it is met. When it is
/// not, the test fails — always in CI, and elsewhere unless `CERTVAULT_ALLOW_SKIP=1` — so
/// that no test passes by returning early without testing. With the switch, outside CI, it
/// prints `SKIPPED: TEST: WHAT` on standard error, appends the line to
/// `target/tmp/skipped-tests.txt` (the skips of every run, to be read) and returns false: the
/// test then returns.
pub fn require(met: bool, what: &str) -> bool {
    if met {
        return true;
    }
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let allowed = std::env::var(ALLOW_SKIP_VAR).is_ok_and(|v| v == "1");
    if in_ci() || !allowed {
        panic!(
            "{test}: needs {what}, which is missing here{}",
            if in_ci() {
                " (CI must provide it: .ci/run installs the tools and runs as root)".to_string()
            } else {
                format!("; {ALLOW_SKIP_VAR}=1 skips such tests outside CI, loudly")
            }
        );
    }
    let line = format!("SKIPPED: {test}: needs {what}");
    eprintln!("\n{line}\n");
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped-tests.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&log) {
        use std::io::Write;
        let _ = writeln!(f, "{line}");
    }
    false
}

/// Whether `tool` is on the PATH.
pub fn have_tool(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v '{tool}'"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `require` for a tool on the PATH.
pub fn require_tool(tool: &str) -> bool {
    require(have_tool(tool), &format!("the tool `{tool}`"))
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `require` for root, naming what it is needed for.
pub fn require_root(why: &str) -> bool {
    require(is_root(), &format!("root ({why})"))
}

/// A PATH under which `hidden` tools are missing and every other one of this PATH is found:
/// a folder of links to the rest, for tests of what a test does when its tool is missing.
pub fn path_without(hidden: &[&str], dir: &Path) -> std::ffi::OsString {
    std::fs::create_dir_all(dir).expect("folder for the PATH");
    for folder in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for e in entries.flatten() {
            let name = e.file_name();
            if hidden.iter().any(|h| name == *h) || dir.join(&name).exists() {
                continue;
            }
            #[cfg(unix)]
            let _ = std::os::unix::fs::symlink(e.path(), dir.join(&name));
        }
    }
    dir.as_os_str().to_owned()
}

/// Runs one test of the current test binary again, alone, in a child with `env` set: how a
/// test checks what another does when a prerequisite is missing. Returns (passed, output).
pub fn rerun_test(test: &str, env: &[(&str, &std::ffi::OsStr)], as_user: Option<u32>) -> (bool, String) {
    let me = std::env::current_exe().expect("test binary");
    let mut cmd = match as_user {
        Some(uid) => {
            let mut c = Command::new("setpriv");
            c.args([format!("--reuid={uid}"), format!("--regid={uid}"), "--clear-groups".into()]).arg(&me);
            c
        }
        None => Command::new(&me),
    };
    cmd.args(["--exact", test, "--nocapture"]);
    cmd.env_remove(ALLOW_SKIP_VAR).env_remove("CI");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the test binary runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("running 1 test"), "{test} did not run: {text}");
    (out.status.success(), text)
}

/// Runs `test` of the current test binary again with `path` as PATH (and as user `as_user`):
/// in CI it must fail, naming what it needs; outside CI it must fail too, unless
/// `CERTVAULT_ALLOW_SKIP=1`, with which it passes after a `SKIPPED:` line.
pub fn assert_fails_in_ci_and_skips_only_loudly(test: &str, path: &std::ffi::OsStr, as_user: Option<u32>) {
    use std::ffi::OsStr;
    let (passed, out) = rerun_test(test, &[("PATH", path), ("CI", OsStr::new("true"))], as_user);
    assert!(
        !passed && out.contains("needs"),
        "{test} ({as_user:?}) passed in CI without its prerequisite: {out}"
    );
    let (passed, out) = rerun_test(test, &[("PATH", path)], as_user);
    assert!(
        !passed && out.contains(ALLOW_SKIP_VAR),
        "{test} ({as_user:?}) passed without its prerequisite: {out}"
    );
    let (passed, out) = rerun_test(test, &[("PATH", path), (ALLOW_SKIP_VAR, OsStr::new("1"))], as_user);
    assert!(passed && out.contains("SKIPPED: "), "{test} ({as_user:?}) with the switch outside CI: {out}");
}

static STATE: OnceLock<tempfile::TempDir> = OnceLock::new();

/// The real binary, in English unless a test asks otherwise. Its records (`sheet`, `scan`,
/// `clean`, `restore` append to the logs `certvault status` reads) go to a temporary state
/// folder of this test binary, never the user's; a test that looks at them sets its own
/// `XDG_STATE_HOME` or `CERTVAULT_STATE_DIR`.
///
/// New vaults get tiny KDF parameters (`CERTVAULT_TEST_CHEAP_KDF=1`): these tests are about
/// what the commands do, and the release parameters (512 MiB of Argon2id per code, about a
/// second each) made them most of CI's test time. Where the parameters are the point, a test
/// removes the variable: tests/tamper.rs `with_kdf(false)`, tests/release_bundle.rs and
/// tools/release/stick-test.sh use the parameters a release build writes.
pub fn certvault() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("certvault").expect("binary built");
    cmd.env("LANG", "C").env_remove("LC_ALL").env_remove("LC_MESSAGES");
    cmd.env(certvault_core::durable::CHEAP_KDF_VAR, "1");
    let state = STATE.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    cmd.env("XDG_STATE_HOME", state.path()).env_remove("CERTVAULT_STATE_DIR");
    cmd
}

/// `certvault init` of a vault at `vault` (its parent made) with `passphrase`, written to
/// `inputs/pass.txt`; returns that file and `inputs/pin-code.txt`, holding the PIN code init
/// printed.
pub fn init_vault(inputs: &Path, vault: &Path, passphrase: &str) -> (PathBuf, PathBuf) {
    let pass = inputs.join("pass.txt");
    std::fs::write(&pass, format!("{passphrase}\n")).unwrap();
    std::fs::create_dir_all(vault.parent().unwrap()).unwrap();
    let rec = inputs.join("recovery.txt");
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(&rec)
        .arg(vault)
        .assert()
        .success();
    let pin_code = std::fs::read_to_string(&rec)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("PIN-CODE: ").map(str::to_string))
        .expect("init printed the PIN code");
    let pin_code_file = inputs.join("pin-code.txt");
    std::fs::write(&pin_code_file, pin_code).unwrap();
    (pass, pin_code_file)
}

/// What openssl says, e.g. `openssl_x509("leaf.crt", &["-fingerprint", "-sha1"])`.
pub fn openssl_x509(cert: &str, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .arg("x509")
        .arg("-in")
        .arg(fixture(cert))
        .arg("-noout")
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(out.status.success(), "openssl x509 {args:?} failed");
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

/// The value after the first '=' of openssl's `name=value` output.
pub fn after_eq(s: &str) -> String {
    s.split_once('=').map(|(_, v)| v.trim().to_string()).unwrap_or_default()
}

/// `notAfter=Feb 24 04:08:54 2029 GMT` → `2029-02-24T04:08:54Z`.
pub fn openssl_date_to_rfc3339(s: &str) -> String {
    let v = after_eq(s);
    let parts: Vec<&str> = v.split_whitespace().collect();
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == parts[0])
        .expect("month")
        + 1;
    format!("{}-{:02}-{:02}T{}Z", parts[3], month, parts[1].parse::<u32>().expect("day"), parts[2])
}

/// The entry id in `add`'s "Sealed FILE as entry ID (generation N)." line.
pub fn entry_id_in(stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout);
    text.split("entry ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("an entry id in add's output")
        .to_string()
}

/// A tmpfs mounted at `dir` with `options` (e.g. `size=64k`, `ro,size=64k`): a small, full or
/// write-protected stick. Needs root, as CI has; unmounted when dropped.
pub struct Tmpfs(PathBuf);

impl Tmpfs {
    pub fn mount(dir: &Path, options: &str) -> Tmpfs {
        let mounted =
            Command::new("mount").args(["-t", "tmpfs", "-o", options, "tmpfs"]).arg(dir).status().unwrap();
        assert!(mounted.success(), "mount failed: this test needs root, as CI has");
        Tmpfs(dir.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

pub const DAY: i64 = 86_400;

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `YYYYMMDDHHMMSSZ` for openssl ca.
pub fn openssl_time(unix: i64) -> String {
    let format = time::macros::format_description!("[year][month][day][hour][minute][second]Z");
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap().format(&format).unwrap()
}

/// `YYYY-MM-DDTHH:MM:SSZ`, as the vault records times.
pub fn rfc3339(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap().format(&format).unwrap()
}

/// Runs `cmd`, which must succeed.
pub fn run_ok(cmd: &mut Command) {
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A clinic certificate (the fixture CA and key) valid from `start_days_ago` days ago until
/// `days` days (plus an hour) from now, as a PKCS#12 file with the fixture PIN, in `dir`.
pub fn certificate(dir: &Path, start_days_ago: i64, days: i64) -> PathBuf {
    let work = dir.join(format!("ca-{start_days_ago}-{days}"));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("index.txt"), "").unwrap();
    std::fs::write(work.join("serial.txt"), "2000\n").unwrap();
    let end = now() + days * DAY + 3600;
    let start = now() - start_days_ago * DAY;
    run_ok(
        Command::new("openssl")
            .current_dir(&work)
            .args(["req", "-new", "-utf8", "-config"])
            .arg(fixture("ca.cnf"))
            .arg("-key")
            .arg(fixture("leaf.key"))
            .args([
                "-subj",
                "/C=JP/O=医療法人社団 さくら会 さくら内科クリニック/CN=1312345678",
                "-out",
                "leaf.csr",
            ]),
    );
    run_ok(
        Command::new("openssl")
            .current_dir(&work)
            .args(["ca", "-batch", "-notext", "-config"])
            .arg(fixture("ca.cnf"))
            .arg("-cert")
            .arg(fixture("ca.crt"))
            .arg("-keyfile")
            .arg(fixture("ca.key"))
            .args([
                "-extensions",
                "v3_leaf",
                "-startdate",
                &openssl_time(start),
                "-enddate",
                &openssl_time(end),
            ])
            .args(["-in", "leaf.csr", "-out", "leaf.crt"]),
    );
    let p12 = dir.join(format!("20210101{:03}{:04}.p12", start_days_ago, days + 1000));
    run_ok(
        Command::new("openssl")
            .current_dir(&work)
            .args(["pkcs12", "-export", "-in", "leaf.crt", "-inkey"])
            .arg(fixture("leaf.key"))
            .arg("-certfile")
            .arg(fixture("ca.crt"))
            .arg("-passout")
            .arg(format!("file:{}", fixture("pin.txt").display()))
            .arg("-out")
            .arg(&p12),
    );
    p12
}
