//! Shares of a split recovery code (SPEC.md §3.6) and the check value printed next to a
//! code (SPEC.md §3.5).
//!
//! A clinic that wants no single sheet to open the vault splits the recovery code R into N
//! shares, any K of which give R back (Shamir's secret sharing over GF(2^8), 2 ≤ K ≤ N ≤ 9).
//! Each share is written like a code, as 7 groups of 4 data symbols and 1 check symbol:
//!
//! ```text
//! K i s s c - y y y y c - … (6 groups holding the 13 share bytes and a 16-bit checksum)
//! ```
//!
//! Group 1 shows the threshold K and the share number i in plain sight (`23…` is share 3 of
//! a 2-of-N split), then 10 bits of the split's random *set id*. Typing mistakes are caught
//! per group by the check symbol (as in §3.3, with binding values of their own) and, over
//! the whole share, by a 16-bit SHA-256 checksum, so a damaged share is never combined.

use std::fmt;

use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::code::{ALPHABET, CODE_BYTES, CODE_SYMBOLS, Code, CodeKind, Typed, classify, gf_mul};

/// Groups in a written share.
pub const SHARE_GROUPS: usize = 7;
/// Symbols per written group (4 data + 1 check), as in a code.
const GROUP_SYMBOLS: usize = 5;
/// Data symbols per group.
const GROUP_DATA_SYMBOLS: usize = 4;
/// Symbols in a written share (7 × 5).
pub const SHARE_SYMBOLS: usize = SHARE_GROUPS * GROUP_SYMBOLS;
/// Smallest threshold K.
pub const MIN_THRESHOLD: u8 = 2;
/// Largest number of shares N (one symbol shows the share number).
pub const MAX_SHARES: u8 = 9;
/// Bytes of a share's canonical value: K, i, set id (2 bytes), y (13 bytes).
pub const SHARE_BYTES: usize = 4 + CODE_BYTES;
/// Domain separation prefix of the share checksum (SPEC.md §3.6.2).
pub const SHARE_CHECKSUM_LABEL: &[u8] = b"certvault/v1/share";
/// Largest set id (10 bits).
const MAX_SET_ID: u16 = 0x3ff;

/// Why a typed share was not accepted, or shares did not combine (SPEC.md §3.6).
///
/// Group numbers count from 1, as printed. No variant carries any part of a share's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// Nothing but separators was typed.
    #[error("no share code was entered")]
    Empty,
    /// A character that is neither a symbol, a tolerated confusion, nor a separator.
    #[error("group {group}: '{character}' is not a valid character")]
    InvalidCharacter {
        /// Group (1..=7) in which the character was found.
        group: u8,
        /// The offending character.
        character: char,
    },
    /// Typed as seven separated groups, but this group does not have five symbols.
    #[error("group {group} has {symbols} characters instead of 5")]
    GroupLength {
        /// Group (1..=7).
        group: u8,
        /// Symbols found in it.
        symbols: usize,
    },
    /// The share does not have 35 symbols.
    #[error("a share code has 35 characters (7 groups of 5), but {symbols} were entered")]
    Length {
        /// Symbols found.
        symbols: usize,
    },
    /// This is a recovery code or a PIN code, not a share.
    #[error("this is the {kind}, not a share code")]
    IsCode {
        /// What it is.
        kind: CodeKind,
    },
    /// A group's check symbol does not match.
    #[error("group {group} is mistyped (its check character does not match)")]
    Checksum {
        /// The first group (1..=7) whose check failed.
        group: u8,
    },
    /// Every group checks, but the share's own checksum does not: two mistakes in one group,
    /// or a damaged share.
    #[error("the share code is mistyped or damaged (its checksum does not match)")]
    ShareChecksum,
    /// Group 1 names an impossible threshold or share number.
    #[error("group 1 does not describe a share (threshold or share number out of range)")]
    Header,
    /// Fewer shares than the threshold.
    #[error("{need} share codes are needed, but only {have} were given")]
    NotEnough {
        /// Distinct shares given.
        have: usize,
        /// The threshold K.
        need: u8,
    },
    /// The same share was given twice.
    #[error("share {index} was given twice")]
    Duplicate {
        /// Its number.
        index: u8,
    },
    /// The shares come from different splits (set id or threshold differ).
    #[error("the share codes come from different splits (share {first} and share {other})")]
    DifferentSets {
        /// A share of the first split.
        first: u8,
        /// A share that belongs to another split.
        other: u8,
    },
    /// The shares do not combine into a valid recovery code.
    #[error("the share codes do not fit together")]
    Inconsistent,
    /// `split` was asked for an impossible K-of-N.
    #[error("a split needs 2 ≤ K ≤ N ≤ 9 (asked: {threshold} of {total})")]
    Parameters {
        /// K.
        threshold: u8,
        /// N.
        total: u8,
    },
}

/// One share of a split recovery code. Its `Debug` is redacted.
pub struct Share {
    threshold: u8,
    index: u8,
    set_id: u16,
    y: SecretBox<[u8; CODE_BYTES]>,
}

impl Clone for Share {
    fn clone(&self) -> Self {
        Share {
            threshold: self.threshold,
            index: self.index,
            set_id: self.set_id,
            y: SecretBox::init_with_mut(|v| *v = *self.y.expose_secret()),
        }
    }
}

impl fmt::Debug for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Share")
            .field("threshold", &self.threshold)
            .field("index", &self.index)
            .field("set_id", &self.set_id)
            .field("y", &"[REDACTED]")
            .finish()
    }
}

/// The binding term of group `g` (1..=7) of a share: `g ⊕ 8`, i.e. 9..=15, distinct from
/// the recovery code's 1..=5 and the PIN code's 17..=21 (SPEC.md §3.3).
const fn binding(group: u8) -> u8 {
    group ^ 0x08
}

fn check_symbol(group: u8, data: &[u8]) -> u8 {
    let mut c = binding(group);
    for (j, d) in data.iter().enumerate() {
        c ^= gf_mul(2 << j, *d);
    }
    c
}

/// First 4 bytes of SHA-256 of `bytes`, as 8 upper-case hex digits in two halves
/// (`4F2A-91C0`): the check value printed next to a code or share (SPEC.md §3.5).
fn check_value_of(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let hex = base16ct::upper::encode_string(&d[..4]);
    format!("{}-{}", &hex[..4], &hex[4..])
}

/// The check value printed next to a code on the recovery sheet (SPEC.md §3.5): the first
/// 4 bytes of SHA-256 over the code's 13-byte canonical value, as `XXXX-XXXX` in upper-case
/// hex. It lets a person compare a retyped code with the sheet without showing the code.
pub fn code_check_value(code: &Code) -> String {
    check_value_of(code.expose_canonical_bytes())
}

impl Share {
    /// The threshold K: shares needed.
    pub fn threshold(&self) -> u8 {
        self.threshold
    }

    /// This share's number i (1..=N), its x coordinate.
    pub fn index(&self) -> u8 {
        self.index
    }

    /// The split's set id (10 bits, random per split).
    pub fn set_id(&self) -> u16 {
        self.set_id
    }

    /// The canonical value: K, i, set id (big-endian), y.
    fn canonical(&self) -> Zeroizing<[u8; SHARE_BYTES]> {
        let mut v = Zeroizing::new([0u8; SHARE_BYTES]);
        v[0] = self.threshold;
        v[1] = self.index;
        v[2..4].copy_from_slice(&self.set_id.to_be_bytes());
        v[4..].copy_from_slice(self.y.expose_secret());
        v
    }

    /// The 16-bit checksum stored in the share (SPEC.md §3.6.2).
    fn checksum(&self) -> [u8; 2] {
        let mut h = Sha256::new();
        h.update(SHARE_CHECKSUM_LABEL);
        h.update(&self.canonical()[..]);
        let d = h.finalize();
        [d[0], d[1]]
    }

    /// The check value printed on the share sheet (SPEC.md §3.5).
    pub fn check_value(&self) -> String {
        check_value_of(&self.canonical()[..])
    }

    /// The 28 data symbols in written order.
    fn data_symbols(&self) -> Zeroizing<[u8; SHARE_GROUPS * GROUP_DATA_SYMBOLS]> {
        let mut s = Zeroizing::new([0u8; SHARE_GROUPS * GROUP_DATA_SYMBOLS]);
        s[0] = self.threshold;
        s[1] = self.index;
        s[2] = (self.set_id >> 5) as u8 & 0x1f;
        s[3] = self.set_id as u8 & 0x1f;
        // Groups 2-7: 120 bits = y (104) || checksum (16), most significant bit first.
        let mut bits = Zeroizing::new([0u8; 15]);
        bits[..CODE_BYTES].copy_from_slice(self.y.expose_secret());
        bits[CODE_BYTES..].copy_from_slice(&self.checksum());
        for i in 0..24 {
            s[4 + i] = get5(&bits[..], i);
        }
        s
    }

    /// The written form: 7 groups of 5 symbols joined by `-` (SPEC.md §3.6.1).
    pub fn to_grouped_string(&self) -> SecretString {
        let data = self.data_symbols();
        let mut s = String::with_capacity(SHARE_SYMBOLS + SHARE_GROUPS - 1);
        for g in 0..SHARE_GROUPS {
            if g > 0 {
                s.push('-');
            }
            let d = &data[g * GROUP_DATA_SYMBOLS..(g + 1) * GROUP_DATA_SYMBOLS];
            for v in d {
                s.push(char::from(ALPHABET[usize::from(*v)]));
            }
            let c = check_symbol((g + 1) as u8, d);
            s.push(char::from(ALPHABET[usize::from(c)]));
        }
        SecretString::from(s)
    }

    /// Parses a typed share (SPEC.md §3.6.3), with the tolerance of §3.4 (case, spaces,
    /// hyphens, full-width characters, `O`/`I`/`L`).
    pub fn parse(input: &str) -> Result<Share, ShareError> {
        let mut symbols = Zeroizing::new([0u8; SHARE_SYMBOLS]);
        let mut count = 0usize;
        let mut chunks: Vec<usize> = Vec::new();
        let mut in_chunk = false;
        for c in input.chars() {
            match classify(c) {
                Typed::Symbol(v) => {
                    if let Some(slot) = symbols.get_mut(count) {
                        *slot = v;
                    }
                    count += 1;
                    match chunks.last_mut() {
                        Some(last) if in_chunk => *last += 1,
                        _ => chunks.push(1),
                    }
                    in_chunk = true;
                }
                Typed::Separator => in_chunk = false,
                Typed::Invalid => {
                    let group = (count / GROUP_SYMBOLS + 1).min(SHARE_GROUPS) as u8;
                    return Err(ShareError::InvalidCharacter { group, character: c });
                }
            }
        }
        if count == 0 {
            return Err(ShareError::Empty);
        }
        if count != SHARE_SYMBOLS {
            if count == CODE_SYMBOLS {
                if let Ok(code) = Code::parse_any(input) {
                    return Err(ShareError::IsCode { kind: code.kind() });
                }
            }
            if chunks.len() == SHARE_GROUPS {
                if let Some((i, n)) = chunks.iter().enumerate().find(|(_, n)| **n != GROUP_SYMBOLS) {
                    return Err(ShareError::GroupLength { group: (i + 1) as u8, symbols: *n });
                }
            }
            return Err(ShareError::Length { symbols: count });
        }
        let mut data = Zeroizing::new([0u8; SHARE_GROUPS * GROUP_DATA_SYMBOLS]);
        for g in 0..SHARE_GROUPS {
            let group = &symbols[g * GROUP_SYMBOLS..(g + 1) * GROUP_SYMBOLS];
            if check_symbol((g + 1) as u8, &group[..GROUP_DATA_SYMBOLS]) != group[GROUP_DATA_SYMBOLS] {
                return Err(ShareError::Checksum { group: (g + 1) as u8 });
            }
            data[g * GROUP_DATA_SYMBOLS..(g + 1) * GROUP_DATA_SYMBOLS]
                .copy_from_slice(&group[..GROUP_DATA_SYMBOLS]);
        }
        let (threshold, index) = (data[0], data[1]);
        if !(MIN_THRESHOLD..=MAX_SHARES).contains(&threshold) || !(1..=MAX_SHARES).contains(&index) {
            return Err(ShareError::Header);
        }
        let set_id = (u16::from(data[2]) << 5) | u16::from(data[3]);
        let mut bits = Zeroizing::new([0u8; 15]);
        for i in 0..24 {
            put5(&mut bits[..], i, data[4 + i]);
        }
        let share = Share {
            threshold,
            index,
            set_id,
            y: SecretBox::init_with_mut(|v: &mut [u8; CODE_BYTES]| v.copy_from_slice(&bits[..CODE_BYTES])),
        };
        if share.checksum()[..] != bits[CODE_BYTES..] {
            return Err(ShareError::ShareChecksum);
        }
        Ok(share)
    }
}

/// Reads 5-bit symbol `i` of `bytes`, most significant bit first.
fn get5(bytes: &[u8], i: usize) -> u8 {
    let bit = i * 5;
    let hi = u16::from(bytes[bit / 8]) << 8;
    let lo = bytes.get(bit / 8 + 1).map_or(0, |b| u16::from(*b));
    (((hi | lo) >> (11 - bit % 8)) & 0x1f) as u8
}

/// Writes 5-bit symbol `i` into zeroed `bytes`, most significant bit first.
fn put5(bytes: &mut [u8], i: usize, v: u8) {
    let bit = i * 5;
    let word = u16::from(v & 0x1f) << (11 - bit % 8);
    bytes[bit / 8] |= (word >> 8) as u8;
    if let Some(b) = bytes.get_mut(bit / 8 + 1) {
        *b |= (word & 0xff) as u8;
    }
}

/// Splits the recovery code R into `total` shares, any `threshold` of which give R back
/// (SPEC.md §3.6.2). Each call draws new random polynomials and a new set id.
pub fn split(code: &Code, threshold: u8, total: u8) -> Result<Vec<Share>, ShareError> {
    if code.kind() != CodeKind::Recovery
        || !(MIN_THRESHOLD..=MAX_SHARES).contains(&threshold)
        || !(threshold..=MAX_SHARES).contains(&total)
    {
        return Err(ShareError::Parameters { threshold, total });
    }
    let mut id = [0u8; 2];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut id);
    let set_id = u16::from_be_bytes(id) & MAX_SET_ID;
    let dealer = blahaj::Sharks(threshold).dealer(code.expose_canonical_bytes());
    let mut shares = Vec::with_capacity(usize::from(total));
    for s in dealer.take(usize::from(total)) {
        let bytes = Zeroizing::new(Vec::from(&s));
        let (&x, y) = bytes.split_first().ok_or(ShareError::Inconsistent)?;
        if y.len() != CODE_BYTES || usize::from(x) != shares.len() + 1 {
            return Err(ShareError::Inconsistent);
        }
        shares.push(Share {
            threshold,
            index: x,
            set_id,
            y: SecretBox::init_with_mut(|v: &mut [u8; CODE_BYTES]| v.copy_from_slice(y)),
        });
    }
    // Never hand out shares that do not give R back.
    let back = combine(&shares[..usize::from(threshold)])?;
    if back.expose_canonical_bytes() != code.expose_canonical_bytes() {
        return Err(ShareError::Inconsistent);
    }
    Ok(shares)
}

fn interpolate(shares: &[&Share]) -> Result<Zeroizing<Vec<u8>>, ShareError> {
    let raw: Vec<blahaj::Share> = shares
        .iter()
        .map(|s| {
            let mut bytes = Zeroizing::new(Vec::with_capacity(SHARE_BYTES));
            bytes.push(s.index);
            bytes.extend_from_slice(s.y.expose_secret());
            blahaj::Share::try_from(&bytes[..]).map_err(|_| ShareError::Inconsistent)
        })
        .collect::<Result<_, _>>()?;
    let k = u8::try_from(shares.len()).map_err(|_| ShareError::Inconsistent)?;
    blahaj::Sharks(k).recover(&raw).map(Zeroizing::new).map_err(|_| ShareError::Inconsistent)
}

/// Combines shares into the recovery code (SPEC.md §3.6.4). Needs at least K distinct
/// shares of one split; more are checked against the first K and must agree.
pub fn combine(shares: &[Share]) -> Result<Code, ShareError> {
    let Some(first) = shares.first() else {
        return Err(ShareError::NotEnough { have: 0, need: MIN_THRESHOLD });
    };
    let mut distinct: Vec<&Share> = Vec::new();
    for s in shares {
        if s.set_id != first.set_id || s.threshold != first.threshold {
            return Err(ShareError::DifferentSets { first: first.index, other: s.index });
        }
        if let Some(d) = distinct.iter().find(|d| d.index == s.index) {
            if d.y.expose_secret() != s.y.expose_secret() {
                return Err(ShareError::DifferentSets { first: d.index, other: s.index });
            }
            return Err(ShareError::Duplicate { index: s.index });
        }
        distinct.push(s);
    }
    let k = usize::from(first.threshold);
    if distinct.len() < k {
        return Err(ShareError::NotEnough { have: distinct.len(), need: first.threshold });
    }
    let secret = interpolate(&distinct[..k])?;
    // Every further share must lie on the same polynomial.
    for extra in &distinct[k..] {
        let mut set: Vec<&Share> = distinct[..k - 1].to_vec();
        set.push(extra);
        if *interpolate(&set)? != *secret {
            return Err(ShareError::Inconsistent);
        }
    }
    let mut bytes = Zeroizing::new([0u8; CODE_BYTES]);
    if secret.len() != CODE_BYTES {
        return Err(ShareError::Inconsistent);
    }
    bytes.copy_from_slice(&secret);
    // The four padding bits of R must come back as zero (SPEC.md §3.2).
    let code = Code::from_canonical_bytes(CodeKind::Recovery, &bytes).map_err(|_| ShareError::Inconsistent);
    bytes.zeroize();
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Code {
        Code::parse(CodeKind::Recovery, "M4A5W-CF6HB-613ZN-YZ3ZG-DPKS8").unwrap()
    }

    fn written(s: &Share) -> String {
        s.to_grouped_string().expose_secret().to_owned()
    }

    #[test]
    fn split_and_combine_every_k_of_n() {
        for n in 2..=MAX_SHARES {
            for k in 2..=n {
                let shares = split(&r(), k, n).unwrap();
                assert_eq!(shares.len(), usize::from(n));
                // Every window of k shares, through the written form.
                for start in 0..=(n - k) {
                    let typed: Vec<Share> = shares[usize::from(start)..usize::from(start + k)]
                        .iter()
                        .map(|s| Share::parse(&written(s)).unwrap())
                        .collect();
                    let back = combine(&typed).unwrap();
                    assert_eq!(back.expose_canonical_bytes(), r().expose_canonical_bytes());
                }
                // All n together also work.
                assert!(combine(&shares).is_ok());
                // k-1 never do.
                let err = combine(&shares[..usize::from(k - 1)]).unwrap_err();
                assert_eq!(err, ShareError::NotEnough { have: usize::from(k - 1), need: k });
            }
        }
    }

    #[test]
    fn written_form_shows_threshold_and_number() {
        let shares = split(&r(), 2, 3).unwrap();
        for (i, s) in shares.iter().enumerate() {
            let w = written(s);
            assert_eq!(w.len(), SHARE_SYMBOLS + SHARE_GROUPS - 1);
            assert!(w.starts_with(&format!("2{}", i + 1)), "{w}");
            assert_eq!(s.check_value().len(), 9);
        }
    }

    #[test]
    fn every_single_symbol_change_is_caught_with_its_group() {
        let s = split(&r(), 3, 5).unwrap().remove(0);
        let w: Vec<char> = written(&s).chars().collect();
        for pos in 0..w.len() {
            if w[pos] == '-' {
                continue;
            }
            for &sym in ALPHABET.iter() {
                let c = char::from(sym);
                if c == w[pos] {
                    continue;
                }
                let mut t = w.clone();
                t[pos] = c;
                let t: String = t.into_iter().collect();
                let group = (pos / 6 + 1) as u8;
                assert_eq!(Share::parse(&t).unwrap_err(), ShareError::Checksum { group }, "{pos} {c}");
            }
        }
    }

    #[test]
    fn two_mistakes_in_one_group_are_caught_by_the_share_checksum() {
        let s = split(&r(), 2, 2).unwrap().remove(1);
        let w: Vec<char> = written(&s).chars().collect();
        let mut caught_by_sum = 0;
        // Change two data symbols of group 4 so that its check symbol still matches.
        for a in 0..32u8 {
            for b in 0..32u8 {
                let mut t = w.clone();
                t[18] = char::from(ALPHABET[usize::from(a)]);
                t[19] = char::from(ALPHABET[usize::from(b)]);
                if t == w {
                    continue;
                }
                let t: String = t.into_iter().collect();
                match Share::parse(&t) {
                    Err(ShareError::Checksum { group: 4 }) => {}
                    Err(ShareError::ShareChecksum) => caught_by_sum += 1,
                    other => panic!("accepted or odd: {other:?}"),
                }
            }
        }
        assert!(caught_by_sum > 0);
    }

    #[test]
    fn mixed_splits_duplicates_and_codes_are_refused() {
        let a = split(&r(), 2, 3).unwrap();
        let mut b = split(&r(), 2, 3).unwrap();
        while b[0].set_id == a[0].set_id {
            b = split(&r(), 2, 3).unwrap();
        }
        assert!(matches!(combine(&[a[0].clone(), b[1].clone()]), Err(ShareError::DifferentSets { .. })));
        assert_eq!(combine(&[a[0].clone(), a[0].clone()]).unwrap_err(), ShareError::Duplicate { index: 1 });
        let three = split(&r(), 3, 3).unwrap();
        assert!(matches!(combine(&[a[0].clone(), three[1].clone()]), Err(ShareError::DifferentSets { .. })));
        assert_eq!(
            Share::parse("M4A5W-CF6HB-613ZN-YZ3ZG-DPKS8").unwrap_err(),
            ShareError::IsCode { kind: CodeKind::Recovery }
        );
        assert_eq!(Share::parse("").unwrap_err(), ShareError::Empty);
        assert_eq!(Share::parse("21AB").unwrap_err(), ShareError::Length { symbols: 4 });
        assert!(matches!(split(&r(), 1, 3), Err(ShareError::Parameters { .. })));
        assert!(matches!(split(&r(), 4, 3), Err(ShareError::Parameters { .. })));
        assert!(matches!(split(&r(), 2, 10), Err(ShareError::Parameters { .. })));
    }

    #[test]
    fn sloppy_typing_is_accepted() {
        let s = split(&r(), 2, 3).unwrap().remove(2);
        let w = written(&s).to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(Share::parse(&w).unwrap().check_value(), s.check_value());
    }

    /// The worked example of SPEC.md §3.6.5: shares made by hand from the polynomial
    /// coefficients given there, combined by this implementation.
    #[test]
    fn spec_example() {
        let one = Share::parse(SPEC_SHARE_1).unwrap();
        let three = Share::parse(SPEC_SHARE_3).unwrap();
        assert_eq!((one.threshold(), one.index(), one.set_id()), (2, 1, 0x155));
        let back = combine(&[three, one]).unwrap();
        assert_eq!(back.to_grouped_string().expose_secret(), "M4A5W-CF6HB-613ZN-YZ3ZG-DPKS8");
        assert_eq!(code_check_value(&r()), SPEC_R_CHECK);
        assert_eq!(Share::parse(SPEC_SHARE_1).unwrap().check_value(), "877D-8E0B");
    }

    const SPEC_SHARE_1: &str = "21AN4-P034H-AA64D-4S8EY-ESB5J-ETXRZ-VJ3M1";
    const SPEC_SHARE_3: &str = "23ANC-J8H6X-607E1-19ZD2-ENTHW-821VJ-FQ6Q0";
    const SPEC_R_CHECK: &str = "2F37-EBB1";

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// Any recovery code, split K-of-N, printed, typed sloppily (lower case, spaces
            /// for hyphens) and parsed back: any K distinct shares, in any order, give the code
            /// back; K-1 never do.
            #[test]
            fn split_print_parse_combine_round_trips(
                mut bytes in any::<[u8; CODE_BYTES]>(),
                (k, n) in (MIN_THRESHOLD..=MAX_SHARES).prop_flat_map(|k| (Just(k), k..=MAX_SHARES)),
                order in Just((0..usize::from(MAX_SHARES)).collect::<Vec<usize>>()).prop_shuffle(),
            ) {
                bytes[CODE_BYTES - 1] &= 0xf0;
                let code = Code::from_canonical_bytes(CodeKind::Recovery, &bytes).unwrap();
                let shares = split(&code, k, n).unwrap();
                let picked: Vec<Share> = order
                    .iter()
                    .filter(|i| **i < usize::from(n))
                    .take(usize::from(k))
                    .map(|i| {
                        let typed = written(&shares[*i]).to_lowercase().replace('-', " ");
                        Share::parse(&typed).unwrap()
                    })
                    .collect();
                prop_assert_eq!(picked.len(), usize::from(k));
                let back = combine(&picked).unwrap();
                prop_assert_eq!(back.expose_canonical_bytes(), &bytes);
                prop_assert!(combine(&picked[..usize::from(k) - 1]).is_err());
                for s in &picked {
                    prop_assert_eq!(s.check_value(), Share::parse(&written(s)).unwrap().check_value());
                }
            }
        }
    }
}
