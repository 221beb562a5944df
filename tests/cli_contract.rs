//! `docs/cli-contract.md`, the command-line contract, against the real binary: every command
//! and every flag the binary has is described there, every member at the top level of the JSON
//! reports it prints is named, and the project cites no design document outside itself.

mod common;
mod copies_common;

use std::path::Path;

use common::*;
use copies_common::Scratch;

fn contract() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli-contract.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The part of the contract about one command: from its heading to the next.
fn section<'a>(doc: &'a str, command: &str) -> &'a str {
    let heading = format!("### `certvault {command}`");
    let start = doc.find(&heading).unwrap_or_else(|| panic!("the contract has no section {heading}"));
    let rest = &doc[start + heading.len()..];
    let end = rest.find("\n### ").or_else(|| rest.find("\n## ")).unwrap_or(rest.len());
    &rest[..end]
}

fn stdout_of(args: &[&str]) -> String {
    let out = certvault().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands `certvault --help` lists.
fn commands() -> Vec<String> {
    let help = stdout_of(&["--help"]);
    let block = help.split("Commands:\n").nth(1).expect("a Commands: block");
    block
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

/// The long flags `certvault COMMAND --help` lists, without the global ones.
fn flags(command: &str) -> Vec<String> {
    stdout_of(&[command, "--help"])
        .lines()
        // Option lines are indented by 2 ("  -h, --help") or 6 ("      --json"); wrapped
        // descriptions by more.
        .filter(|l| l.trim_start().starts_with('-') && [2, 6].contains(&(l.len() - l.trim_start().len())))
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("--")))
        .map(|w| w.trim_end_matches(',').to_string())
        .filter(|f| !["--help", "--version", "--lang"].contains(&f.as_str()))
        .collect()
}

#[test]
fn every_command_and_flag_of_the_binary_is_in_the_contract() {
    let doc = contract();
    let commands = commands();
    assert!(commands.len() >= 20, "{commands:?}");
    for command in &commands {
        let text = section(&doc, command);
        for flag in flags(command) {
            // The ways to open a vault are described once, as UNLOCK.
            let unlock =
                ["--passphrase-file", "--recovery-code-file", "--share-file"].contains(&flag.as_str());
            let documented = text.contains(&flag) || (unlock && text.contains("UNLOCK"));
            assert!(documented, "the contract's section on {command} does not mention {flag}");
        }
    }
    // No command in the contract that the binary does not have.
    for heading in doc.lines().filter_map(|l| l.strip_prefix("### `certvault ")) {
        let name = heading.trim_end_matches('`');
        assert!(commands.iter().any(|c| c == name), "the contract describes {name}, which the binary lacks");
    }
    // The global rules: exit codes, secrets, --lang, --json.
    let help = stdout_of(&["--help"]);
    assert!(help.contains("0 success") && help.contains("2 error"), "{help}");
    for rule in [
        "| 0 |",
        "| 1 |",
        "| 2 |",
        "never** taken from arguments or environment",
        "`--lang ja|en`",
        "| `--passphrase-file F` |",
        "| `--recovery-code-file F` |",
        "| `--share-file F` (K times) |",
    ] {
        assert!(doc.contains(rule), "the contract lacks {rule:?}");
    }
}

/// The top-level members of a JSON report.
fn members(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v.as_object().expect("an object").keys().cloned().collect()
}

#[test]
fn every_member_of_the_json_reports_is_in_the_contract() {
    let doc = contract();
    let s = Scratch::new();
    let vault = s.path("CERTVAULT");
    s.init(&vault);
    s.add(&vault, &fixture("aes.p12"), &fixture("pin.txt"));
    let copy = s.path("COPY");
    let run = |args: Vec<std::ffi::OsString>| -> String {
        let out = s.cmd().args(&args).output().unwrap();
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let os =
        |v: &[&dyn AsRef<std::ffi::OsStr>]| v.iter().map(|a| a.as_ref().to_os_string()).collect::<Vec<_>>();
    let pass = &s.pass;
    let scanned = s.path("scanned");
    std::fs::create_dir_all(&scanned).unwrap();
    std::fs::copy(fixture("aes.p12"), scanned.join("copy.p12")).unwrap();
    let reports = [
        (
            "inspect",
            run(os(&[&"inspect", &fixture("aes.p12"), &"--pin-file", &fixture("pin.txt"), &"--json"])),
        ),
        ("recover-pin", run(os(&[&"recover-pin", &fixture("aes.p12"), &"--max-digits", &"4", &"--json"]))),
        ("list", run(os(&[&"list", &"--vault", &vault, &"--passphrase-file", pass, &"--json"]))),
        ("scan", run(os(&[&"scan", &scanned, &"--vault", &vault, &"--passphrase-file", pass, &"--json"]))),
        ("clean", run(os(&[&"clean", &scanned, &"--vault", &vault, &"--passphrase-file", pass, &"--json"]))),
        (
            "clone",
            run(os(&[
                &"clone",
                &"--vault",
                &vault,
                &"--passphrase-file",
                pass,
                &"--allow-fixed-disk",
                &copy,
                &"--json",
            ])),
        ),
        ("verify", run(os(&[&"verify", &vault, &copy, &"--passphrase-file", pass, &"--json"]))),
        ("sync", run(os(&[&"sync", &vault, &copy, &"--passphrase-file", pass, &"--json"]))),
        ("status", run(os(&[&"status", &"--vault", &vault, &"--passphrase-file", pass, &"--json"]))),
        (
            "restore",
            run(os(&[
                &"restore",
                &"--vault",
                &vault,
                &"--passphrase-file",
                pass,
                &"--pin-file",
                &fixture("pin.txt"),
                &format!("--to=file:{}", s.path("restored.p12").display()),
                &"--json",
            ])),
        ),
    ];
    for (command, json) in reports {
        let text = section(&doc, command);
        for member in members(&json) {
            assert!(
                text.contains(&format!("`{member}`")),
                "the contract's {command} JSON lacks `{member}`: {json}"
            );
        }
    }
    // An error with --json: exit code 2, nothing on standard output, the message on standard error.
    let out = s
        .cmd()
        .args(["list", "--json", "--passphrase-file"])
        .arg(pass)
        .arg("--vault")
        .arg(s.path("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty() && String::from_utf8_lossy(&out.stderr).contains("missing"));
}

/// The project stands on its own: nothing in it cites a design document kept elsewhere.
#[test]
fn nothing_cites_a_design_document_outside_the_project() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let needles = [concat!("DESIGN", ".md"), concat!("../", "shared/")];
    let mut found = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = [
        "src",
        "core",
        "gui",
        "tests",
        "docs",
        "vault-format",
        "tools",
        "fuzz",
        "benches",
        "templates",
        "i18n",
        ".ci",
        "README.md",
        "SECURITY.md",
        "Cargo.toml",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "target" || n == "corpus" || n == "artifacts") {
                continue;
            }
            for e in std::fs::read_dir(&p).unwrap().flatten() {
                stack.push(e.path());
            }
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            for n in needles {
                if text.contains(n) {
                    found.push(format!("{}: {n}", p.strip_prefix(root).unwrap().display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "cite docs/cli-contract.md or vault-format/SPEC.md instead: {found:#?}");
}

/// Every kind a `--json` error can carry is in the contract's table, so scripts know it.
#[test]
fn the_contract_lists_every_error_kind() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli-contract.md")).unwrap();
    for kind in certvault_core::ErrorKind::ALL {
        let row = format!("| `{}` |", kind.as_str());
        assert!(doc.contains(&row), "docs/cli-contract.md lacks the error kind {row}");
    }
}

/// Every source file or folder that the documents, the tools' comments and the code's comments
/// name exists: a moved module leaves no stale path behind for a reader to follow.
#[test]
fn every_source_path_the_project_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack: Vec<std::path::PathBuf> = [
        "README.md",
        "SECURITY.md",
        "docs",
        "tools",
        "tests",
        "src",
        "core/src",
        "vault-format",
        "benches",
        "fuzz",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    let mut missing = Vec::new();
    let mut seen = 0;
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if p.file_name()
                .is_some_and(|n| n == "target" || n == "corpus" || n == "artifacts" || n == "vectors")
            {
                continue;
            }
            for e in std::fs::read_dir(&p).unwrap().flatten() {
                stack.push(e.path());
            }
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        let words = text.split(|c: char| c.is_whitespace() || "`()[],;:'\"<>*".contains(c));
        for word in words {
            let word = word.trim_end_matches(['.', '!', '?']);
            let named = ["src/", "core/src/", "vault-format/src/"].iter().any(|s| word.starts_with(s));
            let is_path = word.ends_with(".rs") || (word.ends_with('/') && word.len() > 4);
            if !named || !is_path || word.contains('…') || word.contains('*') || word.contains('<') {
                continue;
            }
            seen += 1;
            if !root.join(word).exists() {
                missing.push(format!("{}: {word}", p.strip_prefix(root).unwrap().display()));
            }
        }
    }
    assert!(seen > 20, "the search found only {seen} paths: is it still reading the right files?");
    assert!(missing.is_empty(), "these paths do not exist (moved?): {missing:#?}");
}
