//! Benchmark: rendering the recovery sheet PDF (ja and en, 3 certificates, with PIN code).
//!
//! Run with `cargo bench --bench sheet`.

use certvault_core::sheet::{render_pdf, CodeBlock, SheetCertificate, SheetInput, SheetLang};
use criterion::{criterion_group, criterion_main, Criterion};
use secrecy::SecretString;

fn input(lang: SheetLang) -> SheetInput {
    let cert = |purpose: &str| SheetCertificate {
        purpose: purpose.into(),
        subject: "CN=1312345678,OU=さくら内科・小児科クリニック,O=医療法人社団 さくら会,C=JP".into(),
        institution_code: Some("1312345678".into()),
        issuer: "オンライン請求ネットワーク関連システム共通認証局".into(),
        serial: "4F:1A:09:C2:7B:33:8E:D0:12:AB".into(),
        not_after: "2028-03-31".into(),
        leaf_sha1: "3F:A2:91:0C:5D:7E:88:14:B6:C3:2A:90:E1:F4:07:6B:D8:59:AC:12".into(),
        ca_sha1: Some("B1:BC:96:8B:D4:F4:9D:62:2A:A8:9A:81:F2:15:01:52:A4:1D:82:9C".into()),
        file_sha256: "9f2c4a1be07d3356c8a2e41f0b9d7c6e5a4f3b2c1d0e9f8a7b6c5d4e3f2a1b0c".into(),
        hint_present: true,
    };
    SheetInput {
        lang,
        clinic_name: Some("医療法人社団 さくら会 さくら内科・小児科クリニック 附属 在宅医療センター".into()),
        institution_code: Some("1312345678".into()),
        vault_id: "cv-8f3a2c71-5d4e".into(),
        created: "2025-04-01".into(),
        generation: 3,
        recovery: Some(CodeBlock {
            groups: SecretString::from("7K2QD-M9XAE-4TW1R-ZC8HN-P3V6Y"),
            identity: SecretString::from(
                "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS7R9KD",
            ),
            checksum: "4F2A".into(),
        }),
        pin_code: Some(CodeBlock {
            groups: SecretString::from("H4JW2-9QKEM-T7B3X-RN5DA-0VC8G"),
            identity: SecretString::from(
                "AGE-SECRET-KEY-1ZGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQ2VF3L",
            ),
            checksum: "9C1E".into(),
        }),
        share: None,
        certificates: vec![
            cert("オンライン資格確認"),
            cert("HPKIセカンド電子証明書"),
            cert("オンライン請求"),
        ],
        stock_tools_generation_file: "vault-3.age".into(),
        programs: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let ja = input(SheetLang::Ja);
    let en = input(SheetLang::En);
    let mut g = c.benchmark_group("sheet");
    g.sample_size(20);
    g.bench_function("render_pdf_ja_3_certs", |b| b.iter(|| render_pdf(&ja).unwrap()));
    g.bench_function("render_pdf_en_3_certs", |b| b.iter(|| render_pdf(&en).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
