//! PIN checks per second on a legacy (SHA-1 MAC, 2,048 iterations) and an OpenSSL 3 (SHA-256
//! MAC, 2,048 iterations) file, and on a MAC-less file (decryption check), on one thread: the
//! scalar check, and the SIMD lanes (AVX-512 or AVX2, as this CPU allows) that `recover-pin`
//! uses for the MAC files.
//! Run: `cargo bench --bench pin_check`. `benches/recover_pin.sh` times whole searches.

use std::path::Path;
use std::process::Command;

use certvault_core::pkcs12::{Password, PasswordForm, Pkcs12File};
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
        if let Some(lanes) = checker.lanes() {
            let wrong = Password::new("1234", PasswordForm::Bmp);
            let batch = vec![wrong.pkcs12_bytes(); lanes.lanes()];
            group.throughput(Throughput::Elements(lanes.lanes() as u64));
            group.bench_function(format!("{name} {:?} lanes", lanes.width()), |b| {
                b.iter(|| lanes.matches(std::hint::black_box(&batch)))
            });
            group.throughput(Throughput::Elements(1));
        }
        let scalar = checker.without_lanes();
        group.bench_function(format!("{name} scalar"), |b| {
            b.iter(|| scalar.check(std::hint::black_box("1234")))
        });
    }
    group.finish();
}

criterion_group!(benches, pin_checks);
criterion_main!(benches);
