//! Measures the cost of the format's KDFs on this machine (SPEC.md §4.2, §6.2).
//!
//! Run in release mode: `cargo run --release --example timings [m_cost_kib t_cost ...]`.

use std::time::Instant;

use vault_format::secrecy::SecretString;
use vault_format::{Argon2Params, Code, CodeKind, UnlockFile, VaultId, derive_identity};

fn time_argon2(p: Argon2Params) -> f64 {
    let code = Code::generate(CodeKind::Recovery);
    let vid = VaultId::generate();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let _ = derive_identity(&code, &vid, &p).map_err(|e| eprintln!("{e}"));
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let args: Vec<u32> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sets: Vec<Argon2Params> = if args.len() >= 2 {
        args.chunks(2).filter(|c| c.len() == 2).map(|c| Argon2Params::new(c[0], c[1], 1)).collect()
    } else {
        vec![
            Argon2Params::new(64 * 1024, 3, 1),
            Argon2Params::new(128 * 1024, 3, 1),
            Argon2Params::DEFAULT,
            Argon2Params::new(512 * 1024, 2, 1),
        ]
    };
    for p in sets {
        println!(
            "argon2id m={} KiB t={} p={}: {:.3} s (best of 3)",
            p.m_cost,
            p.t_cost,
            p.p_cost,
            time_argon2(p)
        );
    }
    let u = UnlockFile::derive(
        VaultId::generate(),
        Code::generate(CodeKind::Recovery),
        &Argon2Params::new(8, 1, 1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let pass = SecretString::from("timing passphrase");
    for log_n in [18u8, 20, 22] {
        let ct = u.encrypt_with_work_factor(&pass, log_n).unwrap_or_else(|e| panic!("{e}"));
        let t = Instant::now();
        let _ = UnlockFile::decrypt(&ct, &pass).map_err(|e| eprintln!("{e}"));
        println!("scrypt log2 N = {log_n}: decrypt unlock.age {:.3} s", t.elapsed().as_secs_f64());
    }
}
