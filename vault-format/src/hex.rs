//! Lowercase hexadecimal, the only hex spelling the format uses (SPEC.md §2.4).

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Encodes bytes as lowercase hex.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Decodes exactly `N` bytes from lowercase hex; anything else is `None`.
pub(crate) fn decode_array<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        *o = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Whether `s` is non-empty lowercase hex of even length, at most `max_len` characters.
pub(crate) fn is_lower_hex(s: &str, max_len: usize) -> bool {
    !s.is_empty() && s.len() % 2 == 0 && s.len() <= max_len && s.bytes().all(|c| nibble(c).is_some())
}

/// Whether `s` is lowercase hex of exactly `len` characters.
pub(crate) fn is_lower_hex_len(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|c| nibble(c).is_some())
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
