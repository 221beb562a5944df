//! Every seed of `fuzz/corpus/<target>/` and every crash input of `fuzz/regressions/<target>/`
//! runs through the fuzz target's body (`tests/fuzz_harness/mod.rs`) in plain `cargo test`, so
//! a crash found by the fuzzer and fixed stays fixed without nightly or cargo-fuzz.

mod fuzz_harness;

use std::path::Path;

/// A fuzz target's body.
type Body = fn(&[u8]);

const TARGETS: [(&str, Body); 7] = [
    ("pkcs12", fuzz_harness::pkcs12),
    ("x509", fuzz_harness::x509),
    ("payload", fuzz_harness::payload),
    ("manifest", fuzz_harness::manifest),
    ("code", fuzz_harness::code),
    ("share", fuzz_harness::share),
    ("sniff", fuzz_harness::sniff),
];

/// Runs each file of `fuzz/<kind>/<target>/`; returns how many there were.
fn run_all(kind: &str, target: &str, body: Body) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return 0 };
    let mut n = 0;
    for entry in entries {
        let path = entry.expect("dir entry").path();
        let data = std::fs::read(&path).expect("read input");
        let outcome = std::panic::catch_unwind(|| body(&data));
        assert!(outcome.is_ok(), "fuzz target {target} panics on {}", path.display());
        n += 1;
    }
    n
}

#[test]
fn every_seed_runs_clean() {
    for (target, body) in TARGETS {
        let n = run_all("corpus", target, body);
        assert!(n > 0, "fuzz/corpus/{target} has no seeds: run fuzz/make-corpus.sh");
    }
}

#[test]
fn every_crash_found_by_fuzzing_stays_fixed() {
    let total: usize = TARGETS.iter().map(|(target, body)| run_all("regressions", target, *body)).sum();
    assert!(total > 0, "fuzz/regressions holds the inputs of the crashes found so far");
}
