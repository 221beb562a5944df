//! The vault's own work, without the deliberate KDF cost (Argon2id, scrypt), for a vault of
//! ten certificates: what `list` does after the key is known (read + decrypt + untar +
//! validate the newest generation) and what `add` does (read and check the .p12 and its
//! PIN, seal the PIN, build, seal, write, flush, read back and verify the next generation).
//! Target: each under 50 ms. `benches/vault.sh` reports whole-command wall time and peak
//! memory including the KDFs. Run: `cargo bench --bench vault`.

use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use certvault_core::pkcs12::Pkcs12File;
use criterion::{criterion_group, criterion_main, Criterion};
use vault_format::secrecy::SecretString;
use vault_format::{
    generation_file_name, open_generation, seal_generation, seal_pin, Identity, Payload, VaultHeader,
};

fn run(cmd: &mut Command) {
    let st = cmd.status().expect("runs");
    assert!(st.success(), "{cmd:?}");
}

fn vault_benches(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let fx = root.join("fx");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make-fixtures.sh");
    run(Command::new("bash").arg(script).arg(&fx));
    let bin = env!("CARGO_BIN_EXE_certvault");
    std::fs::write(root.join("pass"), "sakura umbrella kettle nineteen").unwrap();
    let dir = root.join("v");
    run(Command::new(bin)
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(root.join("pass"))
        .arg("--recovery-out")
        .arg(root.join("rec"))
        .arg(&dir));
    // Ten certificates: each export of the same key and certificate has fresh salts, so ten
    // distinct files, as a clinic's re-issued certificates would be.
    for i in 0..11 {
        let p12 = root.join(format!("c{i}.p12"));
        run(Command::new("openssl")
            .args(["pkcs12", "-export", "-in"])
            .arg(fx.join("leaf.crt"))
            .arg("-inkey")
            .arg(fx.join("leaf.key"))
            .arg("-certfile")
            .arg(fx.join("ca.crt"))
            .arg("-passout")
            .arg(format!("file:{}", fx.join("pin.txt").display()))
            .arg("-out")
            .arg(&p12));
        if i < 10 {
            run(Command::new(bin)
                .arg("add")
                .arg(&p12)
                .arg("--vault")
                .arg(&dir)
                .arg("--passphrase-file")
                .arg(root.join("pass"))
                .arg("--pin-file")
                .arg(fx.join("pin.txt")));
        }
    }
    let rec = std::fs::read_to_string(root.join("rec")).unwrap();
    let identity_line = rec.lines().find_map(|l| l.strip_prefix("RECOVERY-IDENTITY: ")).unwrap();
    let identity = Identity::from_str(identity_line).unwrap();
    let header = VaultHeader::from_json(&std::fs::read(dir.join("vault.json")).unwrap()).unwrap();
    let newest = 11;

    let mut group = c.benchmark_group("vault_without_kdf");
    group.bench_function("list_10_certificates", |b| {
        b.iter(|| {
            let bytes = std::fs::read(dir.join(generation_file_name(newest))).unwrap();
            let payload = open_generation(&bytes, &identity, &header.vault_id, newest).unwrap();
            assert_eq!(payload.manifest.entries.len(), 10);
            payload
        })
    });

    let new_p12 = std::fs::read(root.join("c10.p12")).unwrap();
    let bytes = std::fs::read(dir.join(generation_file_name(newest))).unwrap();
    let base: Payload = open_generation(&bytes, &identity, &header.vault_id, newest).unwrap();
    let scratch = root.join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let mut n = 100u64;
    group.bench_function("add_11th_certificate", |b| {
        b.iter(|| {
            let file = Pkcs12File::parse(&new_p12).unwrap();
            let opened = file.open("4821").unwrap();
            let analysis = certvault_core::certificate::file::analyse(Path::new("c10.p12"), &opened).unwrap();
            let leaf = analysis.leaf.unwrap();
            let sealed = seal_pin(&SecretString::from("4821".to_string()), &header.pin_recipient).unwrap();
            let mut payload = base.clone();
            let mut entry = base.manifest.entries[0].clone();
            entry.id = vault_format::entry_id(&new_p12);
            entry.sha256 = vault_format::sha256_hex(&new_p12);
            entry.size = new_p12.len() as u64;
            entry.certificate.leaf_sha1 = certvault_core::certificate::x509::plain_hex(&leaf.sha1);
            payload.add_entry(entry, new_p12.clone(), Some(sealed)).unwrap();
            n += 1;
            payload.manifest.generation = n;
            let ct = seal_generation(&payload, &identity.to_public()).unwrap();
            let name = generation_file_name(n);
            certvault_core::vault::write_new_file(&scratch, &name, &ct).unwrap();
            let back = std::fs::read(scratch.join(&name)).unwrap();
            let again = open_generation(&back, &identity, &header.vault_id, n).unwrap();
            assert_eq!(again.manifest.entries.len(), 11);
            std::fs::remove_file(scratch.join(&name)).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, vault_benches);
criterion_main!(benches);
