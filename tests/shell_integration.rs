//! `certvault completions SHELL`, `certvault man` and `certvault --version` through the real
//! binary: every subcommand of the clap definitions appears in every output, the bash script
//! is valid bash, the man pages render, and the version names the vault format versions.

mod common;

use std::process::Command;

use clap::CommandFactory;
use common::*;

/// Every subcommand name, from the same definitions the binary uses.
fn subcommands() -> Vec<String> {
    let names: Vec<String> =
        certvault::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    // The contract's commands (docs/cli-contract.md) are all there.
    for required in [
        "inspect",
        "recover-pin",
        "init",
        "add",
        "list",
        "remove",
        "reveal-pin",
        "export",
        "passwd",
        "sheet",
        "scan",
        "clean",
        "restore",
        "clone",
        "verify",
        "sync",
        "status",
        "demo",
        "completions",
        "man",
    ] {
        assert!(names.iter().any(|n| n == required), "{required} is not a subcommand: {names:?}");
    }
    names
}

fn stdout_of(args: &[&str]) -> String {
    let out = certvault().args(args).assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn completions_name_every_subcommand_in_every_shell() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        for name in &names {
            assert!(script.contains(name.as_str()), "{shell} completion lacks {name}");
        }
        // Flags of a subcommand are completed too.
        assert!(script.contains("passphrase-file"), "{shell}");
    }
    assert!(stdout_of(&["completions", "powershell"]).contains("Register-ArgumentCompleter"));
    assert!(stdout_of(&["completions", "zsh"]).starts_with("#compdef certvault"));
    certvault().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_bash_completion_is_valid_bash_and_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("certvault.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));
    // Source it and ask for the completions of "certvault sta".
    let probe = format!(
        "source {}; COMP_WORDS=(certvault sta); COMP_CWORD=1; COMP_LINE='certvault sta'; COMP_POINT=13; \
         _certvault certvault sta certvault; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let out = Command::new("bash").arg("-c").arg(&probe).output().unwrap();
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.lines().any(|l| l == "status"), "completions of 'sta': {words:?}");
}

#[test]
fn the_man_page_documents_every_subcommand_and_renders() {
    let names = subcommands();
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH certvault 1"), "{}", &page[..200.min(page.len())]);
    for name in &names {
        assert!(page.contains(&format!("certvault\\-{}", name.replace('-', "\\-"))), "man page lacks {name}");
    }

    // --out-dir writes one page per subcommand, each a roff page man can format.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man1");
    let listing = stdout_of(&["man", "--out-dir", dir.to_str().unwrap()]);
    assert!(dir.join("certvault.1").is_file(), "{listing}");
    for name in &names {
        let file = dir.join(format!("certvault-{name}.1"));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("no page for {name}"));
        assert!(text.contains(".SH NAME"), "{name}");
    }
    let status_page = std::fs::read_to_string(dir.join("certvault-status.1")).unwrap();
    assert!(status_page.contains("\\-\\-json") && status_page.contains("\\-\\-vault"));
    // The man page renders with the real formatter (fails in CI without groff, see common).
    if require_tool("groff") {
        let out = Command::new("groff")
            .args(["-man", "-Tutf8"])
            .arg(dir.join("certvault-status.1"))
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("certvault-status"));
    }
}

#[test]
fn the_version_names_the_vault_format_versions_and_the_commit() {
    let out = stdout_of(&["--version"]);
    let v = vault_format::FORMAT_VERSION;
    let reads = if v == 1 { "1".to_string() } else { format!("1 to {v}") };
    let want = format!(
        "certvault {} (vault format: reads version {reads}, writes version {v})",
        env!("CARGO_PKG_VERSION")
    );
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(want.as_str()));
    // The commit it was built from (build.rs): this checkout's, as git names it, or `unknown`
    // where git cannot say (no git, or a checkout git refuses to read).
    let head = std::process::Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).output();
    let head = match head {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap().trim().to_string(),
        _ => "unknown".to_string(),
    };
    assert_eq!(lines.next(), Some(format!("commit {head}").as_str()));
    assert_eq!(lines.next(), None);
}
