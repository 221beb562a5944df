//! SHA-1 and SHA-256 compression over several independent messages at once ("multi-buffer"
//! hashing), for `recover-pin`'s search.
//!
//! Every PIN candidate is its own chain of about 2,100 compressions (RFC 7292's KDF iterations
//! plus the HMAC), so candidates hash side by side in SIMD lanes: word `i` of lane `l` is lane
//! `l` of `state[i]`. The rounds are written once over [`Lane`], a vector of 32-bit lanes: a
//! plain `u32` (one lane, the scalar reference the tests compare with the `sha1`/`sha2`
//! crates), AVX2's `__m256i` (8 lanes) or AVX-512's `__m512i` (16 lanes, with its rotate and
//! three-input logic instructions). The rounds are unrolled by macro so that every index is a
//! constant and the 16 schedule words stay in registers.

/// A vector of 32-bit lanes; every operation works lane by lane.
pub(crate) trait Lane: Copy {
    const LANES: usize;
    fn splat(v: u32) -> Self;
    fn add(self, other: Self) -> Self;
    fn xor(self, other: Self) -> Self;
    fn and(self, other: Self) -> Self;
    fn or(self, other: Self) -> Self;
    fn rotl<const R: i32>(self) -> Self;
    fn rotr<const R: i32>(self) -> Self;
    fn shr<const R: i32>(self) -> Self;
    /// `(x & y) | (!x & z)`
    #[inline(always)]
    fn choose(x: Self, y: Self, z: Self) -> Self {
        z.xor(x.and(y.xor(z)))
    }
    /// The bitwise majority.
    #[inline(always)]
    fn majority(x: Self, y: Self, z: Self) -> Self {
        x.and(y).or(z.and(x.or(y)))
    }
    #[inline(always)]
    fn xor3(x: Self, y: Self, z: Self) -> Self {
        x.xor(y).xor(z)
    }
    /// Lane `i` from `values[i]` (exactly `LANES` values).
    fn load(values: &[u32]) -> Self;
    fn store(self, out: &mut [u32]);
}

impl Lane for u32 {
    const LANES: usize = 1;
    #[inline(always)]
    fn splat(v: u32) -> Self {
        v
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        self ^ o
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn or(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn rotl<const R: i32>(self) -> Self {
        self.rotate_left(R as u32)
    }
    #[inline(always)]
    fn rotr<const R: i32>(self) -> Self {
        self.rotate_right(R as u32)
    }
    #[inline(always)]
    fn shr<const R: i32>(self) -> Self {
        self >> R
    }
    #[inline(always)]
    fn load(values: &[u32]) -> Self {
        values[0]
    }
    #[inline(always)]
    fn store(self, out: &mut [u32]) {
        out[0] = self
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lane;
    use std::arch::x86_64::*;

    // SAFETY (every `unsafe` block below): these methods are only reached from functions
    // compiled with `#[target_feature(enable = "avx2")]` / `"avx512f"`, which in turn are only
    // called after `is_x86_feature_detected!` saw the feature.

    impl Lane for __m256i {
        const LANES: usize = 8;
        #[inline(always)]
        fn splat(v: u32) -> Self {
            unsafe { _mm256_set1_epi32(v as i32) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            unsafe { _mm256_add_epi32(self, o) }
        }
        #[inline(always)]
        fn xor(self, o: Self) -> Self {
            unsafe { _mm256_xor_si256(self, o) }
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            unsafe { _mm256_and_si256(self, o) }
        }
        #[inline(always)]
        fn or(self, o: Self) -> Self {
            unsafe { _mm256_or_si256(self, o) }
        }
        #[inline(always)]
        fn rotl<const R: i32>(self) -> Self {
            unsafe {
                _mm256_or_si256(
                    _mm256_sll_epi32(self, _mm_cvtsi32_si128(R)),
                    _mm256_srl_epi32(self, _mm_cvtsi32_si128(32 - R)),
                )
            }
        }
        #[inline(always)]
        fn rotr<const R: i32>(self) -> Self {
            unsafe {
                _mm256_or_si256(
                    _mm256_srl_epi32(self, _mm_cvtsi32_si128(R)),
                    _mm256_sll_epi32(self, _mm_cvtsi32_si128(32 - R)),
                )
            }
        }
        #[inline(always)]
        fn shr<const R: i32>(self) -> Self {
            unsafe { _mm256_srli_epi32::<R>(self) }
        }
        #[inline(always)]
        fn load(values: &[u32]) -> Self {
            assert_eq!(values.len(), 8);
            unsafe { _mm256_loadu_si256(values.as_ptr().cast()) }
        }
        #[inline(always)]
        fn store(self, out: &mut [u32]) {
            assert_eq!(out.len(), 8);
            unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), self) }
        }
    }

    impl Lane for __m512i {
        const LANES: usize = 16;
        #[inline(always)]
        fn splat(v: u32) -> Self {
            unsafe { _mm512_set1_epi32(v as i32) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            unsafe { _mm512_add_epi32(self, o) }
        }
        #[inline(always)]
        fn xor(self, o: Self) -> Self {
            unsafe { _mm512_xor_si512(self, o) }
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            unsafe { _mm512_and_si512(self, o) }
        }
        #[inline(always)]
        fn or(self, o: Self) -> Self {
            unsafe { _mm512_or_si512(self, o) }
        }
        #[inline(always)]
        fn rotl<const R: i32>(self) -> Self {
            unsafe { _mm512_rol_epi32::<R>(self) }
        }
        #[inline(always)]
        fn rotr<const R: i32>(self) -> Self {
            unsafe { _mm512_ror_epi32::<R>(self) }
        }
        #[inline(always)]
        fn shr<const R: i32>(self) -> Self {
            unsafe { _mm512_srl_epi32(self, _mm_cvtsi32_si128(R)) }
        }
        // Three-input logic in one instruction (the immediate is the function's truth table).
        #[inline(always)]
        fn choose(x: Self, y: Self, z: Self) -> Self {
            unsafe { _mm512_ternarylogic_epi32::<0xCA>(x, y, z) }
        }
        #[inline(always)]
        fn majority(x: Self, y: Self, z: Self) -> Self {
            unsafe { _mm512_ternarylogic_epi32::<0xE8>(x, y, z) }
        }
        #[inline(always)]
        fn xor3(x: Self, y: Self, z: Self) -> Self {
            unsafe { _mm512_ternarylogic_epi32::<0x96>(x, y, z) }
        }
        #[inline(always)]
        fn load(values: &[u32]) -> Self {
            assert_eq!(values.len(), 16);
            unsafe { _mm512_loadu_si512(values.as_ptr().cast()) }
        }
        #[inline(always)]
        fn store(self, out: &mut [u32]) {
            assert_eq!(out.len(), 16);
            unsafe { _mm512_storeu_si512(out.as_mut_ptr().cast(), self) }
        }
    }
}

/// A hash state: up to 8 words (SHA-1 uses the first 5).
pub(crate) type State<V> = [V; 8];
/// One 64-byte block per lane, as 16 big-endian words.
pub(crate) type Block<V> = [V; 16];

/// A Merkle–Damgård hash with 64-byte blocks and 32-bit words.
pub(crate) trait LaneHash {
    /// The initial state (SHA-1: 5 words, padded with zeros).
    const IV: [u32; 8];
    /// Output length in words (SHA-1 5, SHA-224 7, SHA-256 8).
    const OUT_WORDS: usize;
    fn compress<V: Lane>(state: &mut State<V>, block: &Block<V>);
}

/// Unrolls `$round!(t)` for t = 0..64 or 0..80.
macro_rules! unroll {
    ($round:ident, 64) => {
        unroll!(@ $round; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26
            27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55
            56 57 58 59 60 61 62 63)
    };
    ($round:ident, 80) => {
        unroll!($round, 64);
        unroll!(@ $round; 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79)
    };
    (@ $round:ident; $($t:literal)*) => { $( $round!($t); )* };
}

pub(crate) struct Sha1;

impl LaneHash for Sha1 {
    const IV: [u32; 8] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0, 0, 0, 0];
    const OUT_WORDS: usize = 5;

    #[inline(always)]
    fn compress<V: Lane>(state: &mut State<V>, block: &Block<V>) {
        let mut w = *block;
        let [mut a, mut b, mut c, mut d, mut e, ..] = *state;
        macro_rules! round {
            ($t:literal) => {{
                let t: usize = $t;
                if t >= 16 {
                    w[t & 15] = V::xor3(w[(t + 13) & 15], w[(t + 8) & 15], w[(t + 2) & 15])
                        .xor(w[t & 15])
                        .rotl::<1>();
                }
                let (f, k) = match t / 20 {
                    0 => (V::choose(b, c, d), 0x5A82_7999),
                    1 => (V::xor3(b, c, d), 0x6ED9_EBA1),
                    2 => (V::majority(b, c, d), 0x8F1B_BCDC),
                    _ => (V::xor3(b, c, d), 0xCA62_C1D6),
                };
                let temp = a.rotl::<5>().add(f).add(e).add(V::splat(k)).add(w[t & 15]);
                e = d;
                d = c;
                c = b.rotl::<30>();
                b = a;
                a = temp;
            }};
        }
        unroll!(round, 80);
        for (s, v) in state.iter_mut().zip([a, b, c, d, e]) {
            *s = s.add(v);
        }
    }
}

const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256's compression; SHA-224 differs only in its IV and output length.
#[inline(always)]
fn sha256_compress<V: Lane>(state: &mut State<V>, block: &Block<V>) {
    let mut w = *block;
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    macro_rules! round {
        ($t:literal) => {{
            let t: usize = $t;
            if t >= 16 {
                let w15 = w[(t + 1) & 15];
                let w2 = w[(t + 14) & 15];
                let s0 = V::xor3(w15.rotr::<7>(), w15.rotr::<18>(), w15.shr::<3>());
                let s1 = V::xor3(w2.rotr::<17>(), w2.rotr::<19>(), w2.shr::<10>());
                w[t & 15] = w[t & 15].add(s0).add(w[(t + 9) & 15]).add(s1);
            }
            let s1 = V::xor3(e.rotr::<6>(), e.rotr::<11>(), e.rotr::<25>());
            let t1 = h.add(s1).add(V::choose(e, f, g)).add(V::splat(SHA256_K[t])).add(w[t & 15]);
            let s0 = V::xor3(a.rotr::<2>(), a.rotr::<13>(), a.rotr::<22>());
            let t2 = s0.add(V::majority(a, b, c));
            h = g;
            g = f;
            f = e;
            e = d.add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.add(t2);
        }};
    }
    unroll!(round, 64);
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.add(v);
    }
}

pub(crate) struct Sha256;

impl LaneHash for Sha256 {
    const IV: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    const OUT_WORDS: usize = 8;
    #[inline(always)]
    fn compress<V: Lane>(state: &mut State<V>, block: &Block<V>) {
        sha256_compress(state, block)
    }
}

pub(crate) struct Sha224;

impl LaneHash for Sha224 {
    const IV: [u32; 8] =
        [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4];
    const OUT_WORDS: usize = 7;
    #[inline(always)]
    fn compress<V: Lane>(state: &mut State<V>, block: &Block<V>) {
        sha256_compress(state, block)
    }
}

/// The state every lane starts from.
#[inline(always)]
pub(crate) fn initial<H: LaneHash, V: Lane>() -> State<V> {
    H::IV.map(V::splat)
}

/// `bytes` (a multiple of 64 long) as big-endian block words, one block after the other.
pub(crate) fn block_words(bytes: &[u8]) -> Vec<[u32; 16]> {
    debug_assert_eq!(bytes.len() % 64, 0);
    bytes
        .chunks_exact(64)
        .map(|chunk| std::array::from_fn(|i| u32::from_be_bytes(chunk[i * 4..i * 4 + 4].try_into().unwrap())))
        .collect()
}

/// MD padding: `0x80`, zeros, and the bit length of a message of `total_len` bytes whose
/// last `tail.len()` bytes are `tail` (the bytes after the last whole block).
pub(crate) fn padded_tail(tail: &[u8], total_len: u64) -> Vec<u8> {
    debug_assert!(tail.len() < 64);
    let mut out = tail.to_vec();
    out.push(0x80);
    while out.len() % 64 != 56 {
        out.push(0);
    }
    out.extend_from_slice(&(total_len * 8).to_be_bytes());
    out
}

/// The same block in every lane.
#[inline(always)]
pub(crate) fn splat_block<V: Lane>(words: &[u32; 16]) -> Block<V> {
    words.map(V::splat)
}

/// `H`'s compression on one lane, compiled once: the scalar reference, and the KDF's constant
/// prefix.
#[inline(never)]
pub(crate) fn compress_scalar<H: LaneHash>(state: &mut State<u32>, block: &Block<u32>) {
    H::compress(state, block)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sha2::Digest;

    /// Hashes `N` messages of the same length side by side through `compress`.
    pub(crate) fn digest_lanes<H: LaneHash, V: Lane>(
        messages: &[Vec<u8>],
        compress: impl Fn(&mut State<V>, &Block<V>),
    ) -> Vec<Vec<u8>> {
        assert_eq!(messages.len(), V::LANES);
        let len = messages[0].len();
        assert!(messages.iter().all(|m| m.len() == len));
        let whole = len / 64 * 64;
        let padded: Vec<Vec<[u32; 16]>> = messages
            .iter()
            .map(|m| {
                let mut bytes = m[..whole].to_vec();
                bytes.extend(padded_tail(&m[whole..], len as u64));
                block_words(&bytes)
            })
            .collect();
        let mut state = initial::<H, V>();
        for b in 0..padded[0].len() {
            let block: Block<V> =
                std::array::from_fn(|i| V::load(&padded.iter().map(|p| p[b][i]).collect::<Vec<_>>()));
            compress(&mut state, &block);
        }
        let words: Vec<Vec<u32>> = state[..H::OUT_WORDS]
            .iter()
            .map(|w| {
                let mut out = vec![0; V::LANES];
                w.store(&mut out);
                out
            })
            .collect();
        (0..V::LANES).map(|lane| words.iter().flat_map(|w| w[lane].to_be_bytes()).collect()).collect()
    }

    fn random_messages(rng: &mut u64, lanes: usize, len: usize) -> Vec<Vec<u8>> {
        (0..lanes).map(|_| (0..len).map(|_| next(rng) as u8).collect()).collect()
    }

    /// xorshift64*: reproducible test input without a dependency.
    pub(crate) fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Every tail length up to three blocks and a bit (the padding's one- and two-block
    /// cases), random messages, each lane compared with the `sha1`/`sha2` crates.
    fn check_all_lengths<V: Lane>(
        sha1: impl Fn(&mut State<V>, &Block<V>),
        sha224: impl Fn(&mut State<V>, &Block<V>),
        sha256: impl Fn(&mut State<V>, &Block<V>),
    ) {
        let lanes = V::LANES;
        let mut rng = 0x9E37_79B9_7F4A_7C15 ^ lanes as u64;
        for len in 0..=200 {
            let messages = random_messages(&mut rng, lanes, len);
            let got1 = digest_lanes::<Sha1, V>(&messages, &sha1);
            let got224 = digest_lanes::<Sha224, V>(&messages, &sha224);
            let got256 = digest_lanes::<Sha256, V>(&messages, &sha256);
            for (lane, m) in messages.iter().enumerate() {
                assert_eq!(got1[lane], sha1::Sha1::digest(m).to_vec(), "SHA-1, {lanes} lanes, {len} bytes");
                assert_eq!(
                    got224[lane],
                    sha2::Sha224::digest(m).to_vec(),
                    "SHA-224, {lanes} lanes, {len} bytes"
                );
                assert_eq!(
                    got256[lane],
                    sha2::Sha256::digest(m).to_vec(),
                    "SHA-256, {lanes} lanes, {len} bytes"
                );
            }
        }
    }

    #[test]
    fn the_scalar_lane_hashes_as_the_reference_does() {
        check_all_lengths::<u32>(
            compress_scalar::<Sha1>,
            compress_scalar::<Sha224>,
            compress_scalar::<Sha256>,
        );
    }

    /// The SIMD widths this CPU runs. One it lacks cannot run here; the front-end test
    /// `tests/recover_pin.rs::the_search_uses_the_widest_lanes_this_cpu_has` names it on stderr.
    #[test]
    fn the_simd_lanes_hash_as_the_reference_does() {
        #[cfg(target_arch = "x86_64")]
        {
            use crate::pkcs12::mac_lanes::x86::{compress_avx2, compress_avx512};
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY (each call): the CPU has AVX2, checked just above.
                check_all_lengths(
                    |s, b| unsafe { compress_avx2::<Sha1>(s, b) },
                    |s, b| unsafe { compress_avx2::<Sha224>(s, b) },
                    |s, b| unsafe { compress_avx2::<Sha256>(s, b) },
                );
            }
            if std::is_x86_feature_detected!("avx512f") {
                // SAFETY (each call): the CPU has AVX-512F, checked just above.
                check_all_lengths(
                    |s, b| unsafe { compress_avx512::<Sha1>(s, b) },
                    |s, b| unsafe { compress_avx512::<Sha224>(s, b) },
                    |s, b| unsafe { compress_avx512::<Sha256>(s, b) },
                );
            }
        }
    }
}
