//! Typable codes: the recovery code R and the PIN code C (SPEC.md §3).
//!
//! A code is 100 random bits written as 20 Crockford base32 data symbols, in 5 groups of
//! 4 data symbols followed by 1 check symbol:
//!
//! ```text
//! XXXXC-XXXXC-XXXXC-XXXXC-XXXXC
//! ```
//!
//! The check symbol of group `g` (1..=5) is, over GF(2^5) with the primitive polynomial
//! x^5 + x^2 + 1 (SPEC.md §3.3):
//!
//! ```text
//! c = α·d1 ⊕ α²·d2 ⊕ α³·d3 ⊕ α⁴·d4 ⊕ b(kind, g)      b(R, g) = g,  b(C, g) = g ⊕ 16
//! ```

use std::fmt;

use rand::{CryptoRng, RngCore};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use zeroize::{Zeroize, Zeroizing};

/// Number of bytes in a code's canonical value (SPEC.md §3.2).
pub const CODE_BYTES: usize = 13;
/// Number of groups in a written code.
pub const GROUPS: usize = 5;
/// Symbols per written group (4 data + 1 check).
pub const GROUP_SYMBOLS: usize = 5;
/// Data symbols per group.
pub const GROUP_DATA_SYMBOLS: usize = 4;
/// Total symbols in a written code.
pub const CODE_SYMBOLS: usize = GROUPS * GROUP_SYMBOLS;
/// Total data symbols (20 × 5 bits = 100 bits).
pub const DATA_SYMBOLS: usize = GROUPS * GROUP_DATA_SYMBOLS;

/// Crockford's base32 alphabet: value `v` is written `ALPHABET[v]` (SPEC.md §3.1).
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The reduction polynomial x^5 + x^2 + 1 of GF(2^5), as a bit mask (SPEC.md §3.3).
pub const GF32_POLY: u8 = 0b10_0101;

/// Which of the two codes a value is (SPEC.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeKind {
    /// The recovery code R: derives the vault identity (SPEC.md §4).
    Recovery,
    /// The PIN code C: derives the PIN identity (SPEC.md §4); never stored.
    PinCode,
}

impl CodeKind {
    /// The Argon2id salt prefix (domain separation string) for this kind (SPEC.md §4).
    pub const fn salt_label(self) -> &'static [u8] {
        match self {
            CodeKind::Recovery => b"certvault/v1/recovery",
            CodeKind::PinCode => b"certvault/v1/pin-code",
        }
    }

    /// The other kind.
    pub const fn other(self) -> CodeKind {
        match self {
            CodeKind::Recovery => CodeKind::PinCode,
            CodeKind::PinCode => CodeKind::Recovery,
        }
    }

    /// The binding term b(kind, g) added to the check symbol of group `g` (SPEC.md §3.3).
    const fn binding(self, group: u8) -> u8 {
        match self {
            CodeKind::Recovery => group,
            CodeKind::PinCode => group ^ 0x10,
        }
    }
}

impl fmt::Display for CodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CodeKind::Recovery => "recovery code",
            CodeKind::PinCode => "PIN code",
        })
    }
}

/// Why a typed code was not accepted (SPEC.md §3.4).
///
/// Group numbers count from 1, as printed on the recovery sheet. No variant carries any
/// part of the code's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// Nothing but separators was typed.
    #[error("no code was entered")]
    Empty,
    /// A character that is neither a Crockford symbol, a tolerated confusion, nor a
    /// separator (for example `U`). `group` is the group it was typed in.
    #[error("group {group}: '{character}' is not a valid character")]
    InvalidCharacter {
        /// Group (1..=5) in which the character was found.
        group: u8,
        /// The offending character (never a valid symbol, so never part of the code).
        character: char,
    },
    /// The code was typed as five separated groups, but this group does not have five
    /// symbols.
    #[error("group {group} has {symbols} characters instead of 5")]
    GroupLength {
        /// Group (1..=5) of the wrong length.
        group: u8,
        /// Number of symbols found in it.
        symbols: usize,
    },
    /// The code does not have 25 symbols.
    #[error("a code has 25 characters (5 groups of 5), but {symbols} were entered")]
    Length {
        /// Number of symbols found.
        symbols: usize,
    },
    /// A group's check symbol does not match: a symbol in this group is mistyped, two are
    /// swapped, or the group belongs at another position.
    #[error("group {group} is mistyped (its check character does not match)")]
    Checksum {
        /// The first group (1..=5) whose check failed.
        group: u8,
    },
    /// The code is valid, but of the other kind.
    #[error("this is the {found}, not the {expected}")]
    WrongKind {
        /// The kind that was asked for.
        expected: CodeKind,
        /// The kind the code turned out to be.
        found: CodeKind,
    },
    /// Canonical bytes whose four padding bits are not zero (SPEC.md §3.2).
    #[error("canonical code bytes must end with four zero bits")]
    NonCanonical,
}

/// A recovery code or PIN code (SPEC.md §3).
///
/// Holds the 100-bit value in a zeroize-on-drop box. It has no `Display`, its `Debug` is
/// redacted, and the written form is only available as a [`SecretString`] through
/// [`Code::to_grouped_string`].
pub struct Code {
    kind: CodeKind,
    value: SecretBox<[u8; CODE_BYTES]>,
}

impl Clone for Code {
    fn clone(&self) -> Self {
        Code { kind: self.kind, value: SecretBox::init_with_mut(|v| *v = *self.value.expose_secret()) }
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Code").field("kind", &self.kind).field("value", &"[REDACTED]").finish()
    }
}

/// Multiplication in GF(2^5) modulo x^5 + x^2 + 1, without secret-dependent branches.
pub(crate) const fn gf_mul(a: u8, b: u8) -> u8 {
    let mut a = a & 0x1f;
    let mut b = b & 0x1f;
    let mut r = 0u8;
    let mut i = 0;
    while i < 5 {
        r ^= a & 0u8.wrapping_sub(b & 1);
        b >>= 1;
        a <<= 1;
        a ^= GF32_POLY & 0u8.wrapping_sub((a >> 5) & 1);
        i += 1;
    }
    r
}

/// Weights α^1..α^4 of the four data symbols (α = x = 2).
const WEIGHTS: [u8; GROUP_DATA_SYMBOLS] = [2, 4, 8, 16];

/// The check symbol value of one group (SPEC.md §3.3). `group` counts from 1.
pub fn check_symbol(kind: CodeKind, group: u8, data: &[u8; GROUP_DATA_SYMBOLS]) -> u8 {
    let mut c = kind.binding(group);
    for (w, d) in WEIGHTS.iter().zip(data) {
        c ^= gf_mul(*w, *d);
    }
    c
}

/// Reads 5-bit symbol `i` (0..20) of the canonical value, most significant bit first.
fn get_symbol(bytes: &[u8; CODE_BYTES], i: usize) -> u8 {
    let bit = i * 5;
    let byte = bit / 8;
    let shift = bit % 8;
    let hi = u16::from(bytes[byte]) << 8;
    let lo = bytes.get(byte + 1).map_or(0, |b| u16::from(*b));
    (((hi | lo) >> (11 - shift)) & 0x1f) as u8
}

/// Writes 5-bit symbol `i` (0..20) into a zeroed canonical value.
fn put_symbol(bytes: &mut [u8; CODE_BYTES], i: usize, v: u8) {
    let bit = i * 5;
    let byte = bit / 8;
    let shift = bit % 8;
    let word = u16::from(v & 0x1f) << (11 - shift);
    bytes[byte] |= (word >> 8) as u8;
    if let Some(b) = bytes.get_mut(byte + 1) {
        *b |= (word & 0xff) as u8;
    }
}

/// What one typed character is in a code (SPEC.md §3.4): a symbol's value, a separator, or
/// neither. Public for front-ends that check a code while it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    /// A symbol of the alphabet, by value (0..32).
    Symbol(u8),
    /// A hyphen or space of any kind: ignored.
    Separator,
    /// Anything else (`U`, punctuation): the code is refused.
    Invalid,
}

/// Reads one typed character with the tolerances of SPEC.md §3.4 (full-width forms, lower
/// case, `O`→`0`, `I`/`L`→`1`, hyphens and spaces of every kind).
pub fn classify(c: char) -> Typed {
    // Full-width ASCII forms (typed with a Japanese IME) map to ASCII.
    let c = match u32::from(c) {
        0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    match c {
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF70}' => Typed::Separator,
        c if c.is_whitespace() => Typed::Separator,
        c if c.is_ascii_alphanumeric() => {
            let c = c.to_ascii_uppercase();
            let c = match c {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            match ALPHABET.iter().position(|a| char::from(*a) == c) {
                Some(v) => Typed::Symbol(v as u8),
                None => Typed::Invalid,
            }
        }
        _ => Typed::Invalid,
    }
}

impl Code {
    /// Draws a fresh code from the operating system's CSPRNG.
    pub fn generate(kind: CodeKind) -> Code {
        Code::generate_with_rng(kind, &mut rand::rngs::OsRng)
    }

    /// Draws a fresh code from `rng` (SPEC.md §3.2: 100 uniformly random bits).
    pub fn generate_with_rng<R: RngCore + CryptoRng>(kind: CodeKind, rng: &mut R) -> Code {
        let value = SecretBox::init_with_mut(|v: &mut [u8; CODE_BYTES]| {
            rng.fill_bytes(v);
            v[CODE_BYTES - 1] &= 0xf0;
        });
        Code { kind, value }
    }

    /// Builds a code from its canonical 13-byte value (SPEC.md §3.2). The last four bits
    /// must be zero.
    pub fn from_canonical_bytes(kind: CodeKind, bytes: &[u8; CODE_BYTES]) -> Result<Code, CodeError> {
        if bytes[CODE_BYTES - 1] & 0x0f != 0 {
            return Err(CodeError::NonCanonical);
        }
        Ok(Code { kind, value: SecretBox::init_with_mut(|v| *v = *bytes) })
    }

    /// The kind of this code.
    pub fn kind(&self) -> CodeKind {
        self.kind
    }

    /// The canonical value (SPEC.md §3.2), the Argon2id password of SPEC.md §4.
    pub fn expose_canonical_bytes(&self) -> &[u8; CODE_BYTES] {
        self.value.expose_secret()
    }

    /// Renders the written form `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX` (SPEC.md §3.1).
    pub fn to_grouped_string(&self) -> SecretString {
        let bytes = self.value.expose_secret();
        let mut s = String::with_capacity(CODE_SYMBOLS + GROUPS - 1);
        let mut data = Zeroizing::new([0u8; GROUP_DATA_SYMBOLS]);
        for g in 0..GROUPS {
            if g > 0 {
                s.push('-');
            }
            for (j, d) in data.iter_mut().enumerate() {
                *d = get_symbol(bytes, g * GROUP_DATA_SYMBOLS + j);
                s.push(char::from(ALPHABET[usize::from(*d)]));
            }
            let c = check_symbol(self.kind, (g + 1) as u8, &data);
            s.push(char::from(ALPHABET[usize::from(c)]));
        }
        SecretString::from(s)
    }

    /// Parses a typed code of the `expected` kind (SPEC.md §3.4).
    ///
    /// Tolerates lower case, spaces, missing or extra hyphens, full-width characters, and
    /// Crockford's confusions (`O`→`0`, `I`/`L`→`1`). A valid code of the other kind is
    /// reported as [`CodeError::WrongKind`].
    pub fn parse(expected: CodeKind, input: &str) -> Result<Code, CodeError> {
        let symbols = read_symbols(input)?;
        let ok_expected = groups_ok(expected, &symbols);
        if ok_expected.iter().all(|ok| *ok) {
            return Ok(Code::from_symbols(expected, &symbols));
        }
        let ok_other = groups_ok(expected.other(), &symbols);
        let n_expected = ok_expected.iter().filter(|ok| **ok).count();
        let n_other = ok_other.iter().filter(|ok| **ok).count();
        if n_other == GROUPS || (n_other >= 3 && n_expected == 0) {
            return Err(CodeError::WrongKind { expected, found: expected.other() });
        }
        let group = ok_expected.iter().position(|ok| !ok).unwrap_or(0) + 1;
        Err(CodeError::Checksum { group: group as u8 })
    }

    /// Parses a typed code of either kind, telling which one it is.
    pub fn parse_any(input: &str) -> Result<Code, CodeError> {
        match Code::parse(CodeKind::Recovery, input) {
            Err(CodeError::WrongKind { found, .. }) => Code::parse(found, input),
            r => r,
        }
    }

    fn from_symbols(kind: CodeKind, symbols: &[u8; CODE_SYMBOLS]) -> Code {
        let value = SecretBox::init_with_mut(|v: &mut [u8; CODE_BYTES]| {
            for g in 0..GROUPS {
                for j in 0..GROUP_DATA_SYMBOLS {
                    put_symbol(v, g * GROUP_DATA_SYMBOLS + j, symbols[g * GROUP_SYMBOLS + j]);
                }
            }
        });
        Code { kind, value }
    }
}

/// Extracts exactly 25 symbol values from typed text (SPEC.md §3.4 steps 1-3).
fn read_symbols(input: &str) -> Result<Zeroizing<[u8; CODE_SYMBOLS]>, CodeError> {
    let mut symbols = Zeroizing::new([0u8; CODE_SYMBOLS]);
    let mut count = 0usize;
    // Lengths of separator-delimited chunks, to name a short or long group.
    let mut chunks: Vec<usize> = Vec::new();
    let mut in_chunk = false;
    for c in input.chars() {
        match classify(c) {
            Typed::Symbol(v) => {
                if let Some(slot) = symbols.get_mut(count) {
                    *slot = v;
                }
                count += 1;
                if in_chunk {
                    if let Some(last) = chunks.last_mut() {
                        *last += 1;
                    }
                } else {
                    chunks.push(1);
                    in_chunk = true;
                }
            }
            Typed::Separator => in_chunk = false,
            Typed::Invalid => {
                let group = (count / GROUP_SYMBOLS + 1).min(GROUPS) as u8;
                return Err(CodeError::InvalidCharacter { group, character: c });
            }
        }
    }
    if count == 0 {
        return Err(CodeError::Empty);
    }
    if count != CODE_SYMBOLS {
        if chunks.len() == GROUPS {
            if let Some((i, n)) = chunks.iter().enumerate().find(|(_, n)| **n != GROUP_SYMBOLS) {
                return Err(CodeError::GroupLength { group: (i + 1) as u8, symbols: *n });
            }
        }
        return Err(CodeError::Length { symbols: count });
    }
    Ok(symbols)
}

/// Whether each group's check symbol matches for `kind`.
fn groups_ok(kind: CodeKind, symbols: &[u8; CODE_SYMBOLS]) -> [bool; GROUPS] {
    let mut ok = [false; GROUPS];
    let mut data = Zeroizing::new([0u8; GROUP_DATA_SYMBOLS]);
    for (g, o) in ok.iter_mut().enumerate() {
        let group = &symbols[g * GROUP_SYMBOLS..(g + 1) * GROUP_SYMBOLS];
        data.copy_from_slice(&group[..GROUP_DATA_SYMBOLS]);
        *o = check_symbol(kind, (g + 1) as u8, &data) == group[GROUP_DATA_SYMBOLS];
    }
    data.zeroize();
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code_from(kind: CodeKind, bytes: [u8; CODE_BYTES]) -> Code {
        Code::from_canonical_bytes(kind, &bytes).unwrap()
    }

    fn filled(b: u8) -> [u8; CODE_BYTES] {
        let mut v = [b; CODE_BYTES];
        v[CODE_BYTES - 1] &= 0xf0;
        v
    }

    fn written(c: &Code) -> String {
        c.to_grouped_string().expose_secret().to_owned()
    }

    #[test]
    fn gf_is_a_field_with_primitive_alpha() {
        // α = 2 generates all 31 non-zero elements.
        let mut seen = [false; 32];
        let mut x = 1u8;
        for _ in 0..31 {
            assert!(!seen[usize::from(x)]);
            seen[usize::from(x)] = true;
            x = gf_mul(x, 2);
        }
        assert_eq!(x, 1);
        // α^5 = α^2 + 1.
        assert_eq!(gf_mul(16, 2), 0b00101);
    }

    #[test]
    fn zero_code() {
        let c = code_from(CodeKind::Recovery, [0; CODE_BYTES]);
        assert_eq!(written(&c), "00001-00002-00003-00004-00005");
        let c = code_from(CodeKind::PinCode, [0; CODE_BYTES]);
        assert_eq!(written(&c), "0000H-0000J-0000K-0000M-0000N");
    }

    #[test]
    fn symbol_packing_is_big_endian() {
        let mut b = [0u8; CODE_BYTES];
        put_symbol(&mut b, 0, 0x1f);
        assert_eq!(b[0], 0xf8);
        put_symbol(&mut b, 19, 0x1f);
        assert_eq!(b[11], 0x01);
        assert_eq!(b[12], 0xf0);
        assert_eq!(get_symbol(&b, 0), 0x1f);
        assert_eq!(get_symbol(&b, 19), 0x1f);
        assert_eq!(get_symbol(&b, 1), 0);
    }

    #[test]
    fn non_canonical_rejected() {
        let mut b = [0u8; CODE_BYTES];
        b[12] = 1;
        assert_eq!(Code::from_canonical_bytes(CodeKind::Recovery, &b).unwrap_err(), CodeError::NonCanonical);
    }

    #[test]
    fn exhaustive_single_group_properties() {
        // For every group position and a spread of data, every single-symbol
        // substitution, adjacent swap and wrong position is detected.
        for kind in [CodeKind::Recovery, CodeKind::PinCode] {
            for g in 1..=5u8 {
                for seed in 0u32..2048 {
                    let d = [
                        (seed & 31) as u8,
                        ((seed >> 5) & 31) as u8,
                        ((seed * 7 + 3) & 31) as u8,
                        ((seed * 13 + 11) & 31) as u8,
                    ];
                    let c = check_symbol(kind, g, &d);
                    let group = [d[0], d[1], d[2], d[3], c];
                    let valid = |s: &[u8; 5]| check_symbol(kind, g, &[s[0], s[1], s[2], s[3]]) == s[4];
                    for i in 0..5 {
                        for v in 0..32u8 {
                            if v != group[i] {
                                let mut s = group;
                                s[i] = v;
                                assert!(!valid(&s));
                            }
                        }
                        if i < 4 && group[i] != group[i + 1] {
                            let mut s = group;
                            s.swap(i, i + 1);
                            assert!(!valid(&s));
                        }
                    }
                    for h in 1..=5u8 {
                        for k in [CodeKind::Recovery, CodeKind::PinCode] {
                            if (h, k) != (g, kind) {
                                assert_ne!(check_symbol(k, h, &d), c);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn tolerant_parsing() {
        let c = code_from(CodeKind::Recovery, filled(0xa5));
        let w = written(&c);
        let sloppy: String = w.replace('-', " ").to_lowercase().replace('0', "o").replace('1', "l");
        let p = Code::parse(CodeKind::Recovery, &sloppy).unwrap();
        assert_eq!(p.expose_canonical_bytes(), c.expose_canonical_bytes());
        let nohyphen: String = w.chars().filter(|c| *c != '-').collect();
        assert!(Code::parse(CodeKind::Recovery, &nohyphen).is_ok());
        let fullwidth: String = w
            .chars()
            .map(|c| if c == '-' { 'ー' } else { char::from_u32(u32::from(c) + 0xFEE0).unwrap() })
            .collect();
        assert!(Code::parse(CodeKind::Recovery, &fullwidth).is_ok());
        let extra = format!("--{}--", w.replace('-', "---"));
        assert!(Code::parse(CodeKind::Recovery, &extra).is_ok());
    }

    #[test]
    fn errors_name_the_group() {
        let c = code_from(CodeKind::Recovery, filled(0x3c));
        let w = written(&c);
        let mut chars: Vec<char> = w.chars().collect();
        // group 3 starts at index 12
        chars[13] = if chars[13] == 'A' { 'B' } else { 'A' };
        let bad: String = chars.iter().collect();
        assert_eq!(Code::parse(CodeKind::Recovery, &bad).unwrap_err(), CodeError::Checksum { group: 3 });
        let u = w.replacen(&w[18..19], "U", 1);
        assert!(matches!(
            Code::parse(CodeKind::Recovery, &u).unwrap_err(),
            CodeError::InvalidCharacter { character: 'U', .. }
        ));
        // Drop the last symbol of group 3.
        let short = format!("{}{}", &w[..16], &w[17..]);
        assert_eq!(
            Code::parse(CodeKind::Recovery, &short).unwrap_err(),
            CodeError::GroupLength { group: 3, symbols: 4 }
        );
        let squashed: String = short.chars().filter(|c| *c != '-').collect();
        assert_eq!(
            Code::parse(CodeKind::Recovery, &squashed).unwrap_err(),
            CodeError::Length { symbols: 24 }
        );
        assert_eq!(Code::parse(CodeKind::Recovery, " - ").unwrap_err(), CodeError::Empty);
        let pin = code_from(CodeKind::PinCode, *c.expose_canonical_bytes());
        assert_eq!(
            Code::parse(CodeKind::Recovery, &written(&pin)).unwrap_err(),
            CodeError::WrongKind { expected: CodeKind::Recovery, found: CodeKind::PinCode }
        );
        assert_eq!(Code::parse_any(&written(&pin)).unwrap().kind(), CodeKind::PinCode);
    }

    #[test]
    fn debug_is_redacted() {
        let c = Code::generate(CodeKind::Recovery);
        let d = format!("{c:?}");
        assert!(d.contains("REDACTED"));
        assert!(!d.contains(&written(&c)[..5]));
    }

    proptest! {
        #[test]
        fn round_trip(mut bytes in any::<[u8; CODE_BYTES]>(), pin in any::<bool>()) {
            bytes[CODE_BYTES - 1] &= 0xf0;
            let kind = if pin { CodeKind::PinCode } else { CodeKind::Recovery };
            let c = code_from(kind, bytes);
            let w = written(&c);
            prop_assert_eq!(w.len(), 29);
            let p = Code::parse(kind, &w).unwrap();
            prop_assert_eq!(p.expose_canonical_bytes(), &bytes);
            prop_assert_eq!(p.kind(), kind);
            let other = Code::parse(kind.other(), &w).unwrap_err();
            prop_assert_eq!(other, CodeError::WrongKind { expected: kind.other(), found: kind });
        }

        #[test]
        fn single_substitution_names_its_group(mut bytes in any::<[u8; CODE_BYTES]>(), pos in 0usize..25, v in 0u8..32) {
            bytes[CODE_BYTES - 1] &= 0xf0;
            let c = code_from(CodeKind::Recovery, bytes);
            let w: Vec<char> = written(&c).chars().filter(|c| *c != '-').collect();
            let new = char::from(ALPHABET[usize::from(v)]);
            prop_assume!(w[pos] != new);
            let mut t = w.clone();
            t[pos] = new;
            let typed: String = t.iter().collect();
            let err = Code::parse(CodeKind::Recovery, &typed).unwrap_err();
            prop_assert_eq!(err, CodeError::Checksum { group: (pos / 5 + 1) as u8 });
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,64}") {
            let _ = Code::parse(CodeKind::Recovery, &s);
            let _ = Code::parse_any(&s);
        }
    }
}
