//! PIN checks per second on a legacy (SHA-1 MAC, 2,048 iterations) and an OpenSSL 3 (SHA-256
//! MAC, 2,048 iterations) file, and on a MAC-less file (decryption check). One check is what
//! `recover-pin` does per candidate; divide by the core count for one thread's share.
//! Run: `cargo bench --bench pin_check`. `benches/recover_pin.sh` times whole searches.

use std::path::Path;
use std::process::Command;

use certvault_core::pkcs12::Pkcs12File;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make-fixtures.sh");
    assert!(Command::new("bash").arg(script).arg(dir.path()).status().expect("bash").success());
    dir
}

fn pin_checks(c: &mut Criterion) {
    let dir = fixtures();
    let mut group = c.benchmark_group("pin_check");
    group.throughput(Throughput::Elements(1));
    for name in ["legacy.p12", "aes.p12", "nomac.p12"] {
        let bytes = std::fs::read(dir.path().join(name)).expect("fixture");
        let file = Pkcs12File::parse(&bytes).expect("parses");
        let checker = file.pin_checker().expect("supported");
        assert!(checker.check("4821"));
        group.bench_function(name, |b| b.iter(|| checker.check(std::hint::black_box("1234"))));
    }
    group.finish();
}

criterion_group!(benches, pin_checks);
criterion_main!(benches);
