//! Lowercase hexadecimal, the only hex spelling the format uses (SPEC.md §2.4).

/// Encodes bytes as lowercase hex.
pub(crate) fn encode(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// Whether `c` is a lowercase hex digit.
fn is_digit(c: u8) -> bool {
    matches!(c, b'0'..=b'9' | b'a'..=b'f')
}

/// Decodes exactly `N` bytes from lowercase hex; anything else is `None`.
pub(crate) fn decode_array<const N: usize>(s: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    let decoded = base16ct::lower::decode(s, &mut out).ok()?;
    (decoded.len() == N).then_some(out)
}

/// Whether `s` is non-empty lowercase hex of even length, at most `max_len` characters.
pub(crate) fn is_lower_hex(s: &str, max_len: usize) -> bool {
    !s.is_empty() && s.len() % 2 == 0 && s.len() <= max_len && s.bytes().all(is_digit)
}

/// Whether `s` is lowercase hex of exactly `len` characters.
pub(crate) fn is_lower_hex_len(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(is_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let b = [0x00, 0x7f, 0x80, 0xff, 0x12];
        assert_eq!(encode(&b), "007f80ff12");
        assert_eq!(decode_array::<5>("007f80ff12"), Some(b));
        assert_eq!(decode_array::<5>("007F80FF12"), None);
        assert_eq!(decode_array::<5>("007f80ff1"), None);
        assert!(is_lower_hex("00ab", 4));
        assert!(!is_lower_hex("00ab", 2));
        assert!(!is_lower_hex("0ab", 4));
        assert!(!is_lower_hex("", 4));
    }
}
