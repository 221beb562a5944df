//! Several copies (issue 7, build 2): `certvault clone`, `verify` and `sync` through the real
//! binary, with cheap KDF parameters (debug builds only).

mod common;
mod copies_common;

use std::path::Path;
use std::process::Output;

use copies_common::*;
use serde_json::Value;

/// Runs certvault; a sync leaves program/ alone (`--no-program`): these vaults are made
/// without the program (tests/copies_common), and a sync would otherwise add it in a new
/// generation (tests/program_on_stick.rs tests that).
fn run(s: &Scratch, args: &[&str], dirs: &[&Path]) -> Output {
    let no_program: &[&str] = if args.first() == Some(&"sync") { &["--no-program"] } else { &[] };
    s.cmd().args(args).args(no_program).args(dirs).output().unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), stderr(out)))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn verify_json(s: &Scratch, dirs: &[&Path], pass_file: &Path) -> (i32, Value) {
    let out = run(s, &["verify", "--json", "--passphrase-file", pass_file.to_str().unwrap()], dirs);
    (out.status.code().unwrap(), json_of(&out))
}

fn states(report: &Value) -> Vec<String> {
    report["copies"].as_array().unwrap().iter().map(|c| c["state"].as_str().unwrap().to_string()).collect()
}

fn clone(s: &Scratch, src: &Path, dest: &Path) -> Output {
    s.cmd().args(s.clone_args(src, dest)).output().unwrap()
}

/// Two copies of one vault with one certificate: A (made by init) and B (made by clone).
fn two_copies(s: &Scratch) -> (std::path::PathBuf, std::path::PathBuf) {
    let a = s.path("A");
    s.init(&a);
    s.add(&a, &common::fixture("aes.p12"), &common::fixture("pin.txt"));
    let b = s.path("B");
    let out = clone(s, &a, &b);
    assert!(out.status.success(), "clone: {}", stderr(&out));
    (a, b)
}

#[test]
fn clone_writes_a_verified_copy_and_notes_it_for_status() {
    let s = Scratch::new();
    let (a, b) = two_copies(&s);
    assert_eq!(opens_to(&b, PASSPHRASE).unwrap(), opens_to(&a, PASSPHRASE).unwrap());
    assert_eq!(leftovers(&b), Vec::<String>::new());
    for name in ["vault.json", "unlock.age", "README.txt", "vault-2.age"] {
        assert_eq!(std::fs::read(a.join(name)).unwrap(), std::fs::read(b.join(name)).unwrap(), "{name}");
    }
    let (code, report) = verify_json(&s, &[&a, &b], &s.pass);
    assert_eq!(code, 0, "{report}");
    assert_eq!(states(&report), ["current", "current"]);
    assert_eq!(report["all_current"], true);
    assert_eq!(report["newest_generation"], 2);
    assert_eq!(report["copies"][1]["unlock"], "ok");
    assert_eq!(report["copies"][1]["generations"][0]["ok"], true);
    // clone and verify each left a record for `certvault status`.
    let log = std::fs::read_to_string(s.state.join("certvault/verify-log.jsonl")).unwrap();
    let records: Vec<certvault_core::records::VerifyRecord> =
        log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 2, "{log}");
    assert_eq!(records[1].vault_id, report["vault_id"].as_str().unwrap());
    assert_eq!(records[1].newest_generation, 2);
    assert!(records.iter().all(|r| r.copies.len() == 2 && r.copies.iter().all(|c| c.state == "current")));
    // A third copy, with the JSON report for scripts.
    let c = s.path("C");
    let out = s.cmd().args(s.clone_args(&a, &c)).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cloned = json_of(&out);
    assert_eq!(cloned["dest"], c.display().to_string());
    assert_eq!(cloned["generation"], 2);
    assert_eq!(states(&cloned["copies"]), ["current", "current"]);
    // The human report names each copy and its state.
    let out = run(&s, &["verify", "--passphrase-file", s.pass.to_str().unwrap()], &[&a, &b]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("complete and current (generation 2)") && text.contains(&*b.display().to_string()),
        "{text}"
    );
}

#[test]
fn a_single_copy_is_current_but_verify_suggests_a_second() {
    let s = Scratch::new();
    let a = s.path("A");
    s.init(&a);
    let out = run(&s, &["verify", "--passphrase-file", s.pass.to_str().unwrap()], &[&a]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("only copy"));
}

#[test]
fn a_stale_copy_is_found_and_sync_brings_it_up_to_date() {
    let s = Scratch::new();
    let (a, b) = two_copies(&s);
    s.add(&a, &common::fixture("ec.p12"), &common::fixture("pin.txt"));
    s.add(&a, &common::fixture("hpki.p12"), &common::fixture("hpki-pw.txt"));
    let (code, report) = verify_json(&s, &[&a, &b], &s.pass);
    assert_eq!(code, 1);
    assert_eq!(states(&report), ["current", "stale"]);
    assert_eq!(report["newest_generation"], 4);
    assert_eq!(report["newest_copy"], a.display().to_string());
    assert_eq!(report["copies"][1]["generation"], 2);

    let out = run(&s, &["sync", "--json", "--passphrase-file", s.pass.to_str().unwrap()], &[&b, &a]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let synced = json_of(&out);
    assert!(!synced["actions"].as_array().unwrap().is_empty());
    assert_eq!(states(&synced["copies"]), ["current", "current"]);
    assert_eq!(opens_to(&b, PASSPHRASE).unwrap(), opens_to(&a, PASSPHRASE).unwrap());
    // B now holds the newest generation and its fallback, like A; the old one is gone.
    let mut names: Vec<String> = std::fs::read_dir(&b)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("vault-"))
        .collect();
    names.sort();
    assert_eq!(names, ["vault-3.age", "vault-4.age"]);
    // Nothing more to do.
    let out = run(&s, &["sync", "--passphrase-file", s.pass.to_str().unwrap()], &[&a, &b]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing to write"));
}

#[test]
fn a_damaged_copy_is_named_and_repaired_from_the_good_one() {
    let s = Scratch::new();
    let (a, b) = two_copies(&s);
    let gen = b.join("vault-2.age");
    let mut bytes = std::fs::read(&gen).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&gen, &bytes).unwrap();
    let (code, report) = verify_json(&s, &[&a, &b], &s.pass);
    assert_eq!(code, 1);
    assert_eq!(states(&report), ["current", "damaged"]);
    assert_eq!(report["copies"][1]["generations"][0]["ok"], false);
    let problems = report["copies"][1]["problems"].to_string();
    assert!(problems.contains("vault-2.age"), "{problems}");

    let out = run(&s, &["sync", "--passphrase-file", s.pass.to_str().unwrap()], &[&a, &b]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(b.join("vault-2.age")).unwrap(), std::fs::read(a.join("vault-2.age")).unwrap());
    assert_eq!(
        std::fs::read(b.join("vault-2.age.damaged")).unwrap(),
        bytes,
        "the damaged file is kept aside"
    );
    assert_eq!(verify_json(&s, &[&a, &b], &s.pass).0, 0);
}

#[test]
fn another_vault_is_reported_and_never_touched() {
    let s = Scratch::new();
    let (a, _) = two_copies(&s);
    let c = s.path("C");
    s.init(&c);
    let before = snapshot(&c);
    let (code, report) = verify_json(&s, &[&a, &c], &s.pass);
    assert_eq!(code, 1);
    assert_eq!(states(&report), ["current", "other-vault"]);
    assert_ne!(report["copies"][1]["vault_id"], report["vault_id"]);
    let out = run(&s, &["sync", "--passphrase-file", s.pass.to_str().unwrap()], &[&a, &c]);
    assert_eq!(out.status.code(), Some(1), "another vault is never current: {}", stderr(&out));
    assert_eq!(snapshot(&c), before, "sync never writes into another vault");
    // Clone refuses to write over it, and over a copy of the same vault.
    let out = clone(&s, &a, &c);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("another vault"), "{}", stderr(&out));
    let b = s.path("B");
    let out = clone(&s, &a, &b);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already holds a copy") && stderr(&out).contains("certvault sync"));
}

/// Every file below `dir` (the program/ folder too) with a digest of its bytes.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    use sha2::{Digest, Sha256};
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap()) {
        let name = e.file_name().into_string().unwrap();
        if name == "certvault.lock" {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            v.extend(snapshot(&e.path()).into_iter().map(|(n, d)| (format!("{name}/{n}"), d)));
        } else {
            let digest = Sha256::digest(std::fs::read(e.path()).unwrap());
            v.push((name, digest.iter().map(|b| format!("{b:02x}")).collect()));
        }
    }
    v.sort();
    v
}

#[test]
fn clone_refuses_unusable_destinations() {
    let s = Scratch::new();
    let a = s.path("A");
    s.init(&a);
    // Not empty (a user's file).
    let busy = s.path("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    let out = clone(&s, &a, &busy);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(busy.join("notes.txt")).unwrap(), "mine");
    // The vault itself.
    let out = run(
        &s,
        &["clone", "--allow-fixed-disk", "--passphrase-file", s.pass.to_str().unwrap(), "--vault"],
        &[&a, &a],
    );
    assert_eq!(out.status.code(), Some(2));
    // A fixed disk without --allow-fixed-disk, and no terminal to ask on.
    let out = run(
        &s,
        &["clone", "--passphrase-file", s.pass.to_str().unwrap(), "--vault", a.to_str().unwrap()],
        &[&s.path("fixed")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--allow-fixed-disk"), "{}", stderr(&out));
    assert!(!s.path("fixed").join("vault.json").exists());
    // The wrong passphrase: nothing is written.
    let wrong = s.path("wrong.txt");
    std::fs::write(&wrong, "not the passphrase at all\n").unwrap();
    let out = run(
        &s,
        &[
            "clone",
            "--allow-fixed-disk",
            "--passphrase-file",
            wrong.to_str().unwrap(),
            "--vault",
            a.to_str().unwrap(),
        ],
        &[&s.path("W")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("wrong passphrase") || stderr(&out).contains("passphrase"),
        "{}",
        stderr(&out)
    );
    assert!(!s.path("W").join("vault.json").exists());
}

#[test]
fn a_passphrase_changed_on_one_copy_is_carried_to_the_others() {
    let s = Scratch::new();
    let (a, b) = two_copies(&s);
    let out = s.cmd().args(s.passwd_args(&a)).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (code, report) = verify_json(&s, &[&a, &b], &s.new_pass);
    assert_eq!(code, 1);
    assert_eq!(states(&report), ["current", "stale"]);
    assert_eq!(report["copies"][1]["unlock"], "other-passphrase");
    let out = run(&s, &["sync", "--passphrase-file", s.new_pass.to_str().unwrap()], &[&a, &b]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(opens_to(&b, NEW_PASSPHRASE).is_ok());
    assert!(opens_to(&b, PASSPHRASE).is_err());
    assert_eq!(leftovers(&b), Vec::<String>::new());
}

#[test]
fn copies_changed_separately_are_diverged_and_sync_refuses_to_choose() {
    let s = Scratch::new();
    let (a, b) = two_copies(&s);
    s.add(&a, &common::fixture("ec.p12"), &common::fixture("pin.txt"));
    s.add(&b, &common::fixture("hpki.p12"), &common::fixture("hpki-pw.txt"));
    let (code, report) = verify_json(&s, &[&a, &b], &s.pass);
    assert_eq!(code, 1);
    assert_eq!(states(&report), ["diverged", "diverged"]);
    let before = (snapshot(&a), snapshot(&b));
    let out = run(&s, &["sync", "--passphrase-file", s.pass.to_str().unwrap()], &[&a, &b]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("changed separately"), "{}", stderr(&out));
    assert_eq!((snapshot(&a), snapshot(&b)), before);
}

#[test]
fn missing_copies_and_the_recovery_code() {
    let s = Scratch::new();
    let a = s.path("A");
    let code = s.init(&a);
    let rc = s.path("rc.txt");
    std::fs::write(&rc, format!("{code}\n")).unwrap();
    let gone = s.path("not-plugged-in");
    let out = run(&s, &["verify", "--json", "--recovery-code-file", rc.to_str().unwrap()], &[&a, &gone]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(states(&report), ["current", "missing"]);
    assert_eq!(report["copies"][0]["unlock"], "not-checked");
    let out = run(&s, &["verify", "--recovery-code-file", rc.to_str().unwrap()], &[&a]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // No vault at all: an error, not a report.
    let out = run(&s, &["verify", "--passphrase-file", s.pass.to_str().unwrap()], &[&gone]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn verify_speaks_japanese() {
    let s = Scratch::new();
    let (a, b) = two_copies(&s);
    s.add(&a, &common::fixture("ec.p12"), &common::fixture("pin.txt"));
    let out = run(&s, &["--lang", "ja", "verify", "--passphrase-file", s.pass.to_str().unwrap()], &[&a, &b]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("最新で、欠けもありません") && text.contains("古いままです"), "{text}");
}
