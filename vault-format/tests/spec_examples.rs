//! SPEC.md's JSON examples against the crate: each example is read by the crate's reader
//! (so the spec shows nothing a reader rejects), and the crate's writer puts the members in
//! the example's order (§2.4: "members in the order of the examples"), with the values the
//! example shows.

use std::path::Path;

use vault_format::{Manifest, VaultHeader};

fn spec() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("SPEC.md")).unwrap()
}

/// The first ```json block after the heading `heading`.
fn example(spec: &str, heading: &str) -> String {
    let at = spec.find(heading).unwrap_or_else(|| panic!("no heading {heading}"));
    let start = at + spec[at..].find("```json\n").unwrap() + "```json\n".len();
    let end = start + spec[start..].find("```").unwrap();
    spec[start..end].to_owned()
}

/// Member names in the order they are written, at every depth.
fn member_order(json: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = json;
    while let Some(i) = rest.find("\":") {
        let head = &rest[..i];
        let open = head.rfind('"').unwrap();
        names.push(head[open + 1..].to_owned());
        rest = &rest[i + 2..];
    }
    names
}

#[test]
fn header_example_reads_and_the_writer_writes_it_in_order() {
    let spec = spec();
    let text = example(&spec, "### 5.1 Example");
    let header = VaultHeader::from_json(text.as_bytes()).expect("§5.1 example is a valid vault.json");
    let written = String::from_utf8(header.to_json()).unwrap();
    assert_eq!(member_order(&written), member_order(&text));
    let a: serde_json::Value = serde_json::from_str(&text).unwrap();
    let b: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(a, b);
}

#[test]
fn manifest_example_reads_and_the_writer_writes_it_in_order() {
    let spec = spec();
    let header = example(&spec, "### 5.1 Example");
    let kdf_start = header.find("\"kdf\": ").unwrap() + "\"kdf\": ".len();
    let kdf_end = kdf_start + header[kdf_start..].find("\n  },\n").unwrap() + "\n  }".len();
    let kdf = &header[kdf_start..kdf_end];
    // §9.1 elides the KDF objects as `{ … }`; they are §5.1's.
    let text = example(&spec, "### 9.1 Example").replace("{ \"recovery\": { … }, \"pin_code\": { … } }", kdf);
    assert!(!text.contains('…'), "{text}");
    let manifest = Manifest::from_json(text.as_bytes()).expect("§9.1 example is a valid manifest.json");
    let written = String::from_utf8(manifest.to_json()).unwrap();
    assert_eq!(member_order(&written), member_order(&text));
    let a: serde_json::Value = serde_json::from_str(&text).unwrap();
    let b: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(a, b);
    // The example's certificate is in the form writers write (§9.2).
    let c = &manifest.entries[0].certificate;
    assert!(c.subject.starts_with("C=JP, "), "{}", c.subject);
    assert_eq!(c.key_type, "RSA");
    assert!(
        c.institution_code.as_deref().is_some_and(|i| i.len() == 10 && i.bytes().all(|b| b.is_ascii_digit()))
    );
}
