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

static STATE: OnceLock<tempfile::TempDir> = OnceLock::new();

/// The real binary, in English unless a test asks otherwise. Its records (`sheet`, `scan`,
/// `clean`, `restore` append to the logs `certvault status` reads) go to a temporary state
/// folder of this test binary, never the user's; a test that looks at them sets its own
/// `XDG_STATE_HOME` or `CERTVAULT_STATE_DIR`.
pub fn certvault() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("certvault").expect("binary built");
    cmd.env("LANG", "C").env_remove("LC_ALL").env_remove("LC_MESSAGES");
    let state = STATE.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    cmd.env("XDG_STATE_HOME", state.path()).env_remove("CERTVAULT_STATE_DIR");
    cmd
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
