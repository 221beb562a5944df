//! Standard output that goes away: `certvault list | head -1` (a pipe whose reader has
//! closed) ends quietly with the command's own exit code, and output that cannot be written
//! (`> /dev/full`) is an error, exit code 2, with a message — never a panic (101).

mod common;
mod leak;

use std::process::{Command, Stdio};

use leak::*;

/// `(what, args)` for `list`, `scan`, `verify` and `clean` on a vault with a copy to find,
/// and the exit code each ends with when its output is read.
fn commands(v: &TestVault) -> Vec<(&'static str, Vec<String>, i32)> {
    let terminal = v.tmp.path().join("terminal");
    put(&terminal, "Downloads/202101010000777.p12", &fixture_bytes("legacy.p12"));
    let unlock = |mut args: Vec<String>| {
        args.extend(["--passphrase-file".to_string(), v.pass.display().to_string()]);
        args
    };
    let vault = v.dir.display().to_string();
    let terminal = terminal.display().to_string();
    vec![
        ("list", unlock(vec!["list".into(), "--vault".into(), vault.clone()]), 0),
        ("scan", unlock(vec!["scan".into(), terminal.clone(), "--vault".into(), vault.clone()]), 1),
        ("verify", unlock(vec!["verify".into(), vault.clone()]), 0),
        ("clean", unlock(vec!["clean".into(), terminal, "--vault".into(), vault]), 1),
    ]
}

fn certvault_with_stdout(args: &[String], stdout: Stdio) -> std::process::Output {
    let state = tempfile::tempdir().unwrap();
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("certvault"));
    c.env("LANG", "C").env_remove("LC_ALL").env_remove("LC_MESSAGES");
    c.env("XDG_STATE_HOME", state.path()).env_remove("CERTVAULT_STATE_DIR");
    c.args(args).stdout(stdout).stderr(Stdio::piped());
    c.output().unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly_with_the_commands_own_exit_code() {
    let v = new_vault();
    for (what, args, code) in commands(&v) {
        for json in [false, true] {
            let mut args = args.clone();
            if json {
                args.push("--json".into());
            }
            // The reader is gone before certvault writes its first line.
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            let out = certvault_with_stdout(&args, Stdio::from(writer));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(code), "{what} (json: {json}): {stderr}");
            assert!(!stderr.contains("panicked") && !stderr.contains("internal error"), "{what}: {stderr}");
            assert!(!stderr.contains("standard output"), "{what}: a closed pipe is not an error: {stderr}");
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_is_an_error_with_exit_code_2() {
    let v = new_vault();
    for (what, args, _) in commands(&v) {
        for json in [false, true] {
            let mut args = args.clone();
            if json {
                args.push("--json".into());
            }
            let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
            let out = certvault_with_stdout(&args, Stdio::from(full));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{what} (json: {json}): {stderr}");
            assert!(!stderr.contains("panicked") && !stderr.contains("internal error"), "{what}: {stderr}");
            assert!(
                stderr.contains("could not write to standard output") && stderr.contains("No space left"),
                "{what}: {stderr}"
            );
        }
    }
}
