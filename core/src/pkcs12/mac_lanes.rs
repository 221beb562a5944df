//! `recover-pin`'s fast path: RFC 7292's MAC check (the PKCS#12 KDF, then HMAC over the
//! authSafe) for 8 or 16 PIN candidates at once, in SIMD lanes ([`super::lanes`]).
//!
//! Everything that does not depend on the password is computed once: the KDF's first two
//! blocks (the diversifier `D` and the salt `S`) and its final padding block, and the HMAC's
//! data blocks. Per candidate that leaves one block for the password, one padding block, the
//! `iterations − 1` one-block rehashes of the digest, and the HMAC. A lane that matches is
//! only a hint: the search confirms it with the ordinary check before reporting it.

use zeroize::Zeroizing;

use super::lanes::{self, Block, Lane, LaneHash, State};

/// The SIMD width chosen at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneWidth {
    /// AVX-512F: 16 lanes of 32 bits.
    Avx512,
    /// AVX2: 8 lanes.
    Avx2,
}

impl LaneWidth {
    /// The widest this CPU runs, or `None` (then the scalar check is used).
    pub fn detect() -> Option<LaneWidth> {
        [LaneWidth::Avx512, LaneWidth::Avx2].into_iter().find(|width| width.available())
    }

    pub fn lanes(self) -> usize {
        match self {
            LaneWidth::Avx512 => 16,
            LaneWidth::Avx2 => 8,
        }
    }

    /// Whether this CPU runs the width (a cached flag: cheap enough to ask on every batch).
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            match self {
                LaneWidth::Avx512 => std::is_x86_feature_detected!("avx512f"),
                LaneWidth::Avx2 => std::is_x86_feature_detected!("avx2"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MacDigest {
    Sha1,
    Sha224,
    Sha256,
}

/// The MAC check of one file, ready for candidates.
pub struct LaneMacChecker {
    digest: MacDigest,
    width: LaneWidth,
    iterations: u32,
    /// The KDF's state after `D` and `S`.
    after_salt: [u32; 8],
    /// The KDF input's padding block (`D || S || P` is always whole blocks).
    kdf_end: [u32; 16],
    /// The HMAC's inner message after the key block: the authSafe, padded.
    data_blocks: Vec<[u32; 16]>,
    /// The MAC value in the file, as words.
    expected: [u32; 8],
}

/// Longest password (bytes, as RFC 7292 encodes it) that fits the one password block.
pub const MAX_PASSWORD_BYTES: usize = 64;

impl LaneMacChecker {
    /// `None` when the lane path does not apply: a digest other than SHA-1/224/256, a MAC
    /// value of the wrong length, or an iteration count of zero.
    pub(crate) fn new(
        digest: MacDigest,
        width: LaneWidth,
        salt: &[u8],
        iterations: u32,
        auth_safe: &[u8],
        mac_value: &[u8],
    ) -> Option<Self> {
        let out_words = match digest {
            MacDigest::Sha1 => lanes::Sha1::OUT_WORDS,
            MacDigest::Sha224 => lanes::Sha224::OUT_WORDS,
            MacDigest::Sha256 => lanes::Sha256::OUT_WORDS,
        };
        if iterations == 0 || mac_value.len() != out_words * 4 {
            return None;
        }
        // RFC 7292 B.2: D is 64 bytes of the ID (3 = MAC key); S is the salt repeated to a
        // whole number of blocks.
        let mut prefix = vec![3u8; 64];
        if !salt.is_empty() {
            let s_len = salt.len().div_ceil(64) * 64;
            prefix.extend(salt.iter().cycle().take(s_len));
        }
        let after_salt = {
            let mut state: State<u32> = match digest {
                MacDigest::Sha1 => lanes::Sha1::IV,
                MacDigest::Sha224 => lanes::Sha224::IV,
                MacDigest::Sha256 => lanes::Sha256::IV,
            };
            for block in lanes::block_words(&prefix) {
                match digest {
                    MacDigest::Sha1 => lanes::compress_scalar::<lanes::Sha1>(&mut state, &block),
                    MacDigest::Sha224 => lanes::compress_scalar::<lanes::Sha224>(&mut state, &block),
                    MacDigest::Sha256 => lanes::compress_scalar::<lanes::Sha256>(&mut state, &block),
                }
            }
            state
        };
        let kdf_end = lanes::block_words(&lanes::padded_tail(&[], prefix.len() as u64 + 64))[0];
        let whole = auth_safe.len() / 64 * 64;
        let mut data = auth_safe[..whole].to_vec();
        data.extend(lanes::padded_tail(&auth_safe[whole..], 64 + auth_safe.len() as u64));
        let mut expected = [0u32; 8];
        for (w, chunk) in expected.iter_mut().zip(mac_value.chunks_exact(4)) {
            *w = u32::from_be_bytes(chunk.try_into().ok()?);
        }
        Some(LaneMacChecker {
            digest,
            width,
            iterations,
            after_salt,
            kdf_end,
            data_blocks: lanes::block_words(&data),
            expected,
        })
    }

    /// Candidates per call to [`LaneMacChecker::matches`].
    pub fn lanes(&self) -> usize {
        self.width.lanes()
    }

    pub fn width(&self) -> LaneWidth {
        self.width
    }

    /// Which of `passwords` (RFC 7292 encoded, at most [`Self::lanes`] of them, each at most
    /// [`MAX_PASSWORD_BYTES`] and not empty) give the file's MAC: bit `i` for `passwords[i]`.
    pub fn matches(&self, passwords: &[&[u8]]) -> u32 {
        assert!(!passwords.is_empty() && passwords.len() <= self.lanes());
        assert!(self.width.available(), "{:?} lanes on a CPU without them", self.width);
        let blocks = Zeroizing::new(passwords.iter().map(|p| password_block(p)).collect::<Vec<_>>());
        let mask = (1u32 << passwords.len()) - 1;
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: the CPU has the feature each function is compiled for: `width` is
            // available (asserted above).
            let all = unsafe {
                match (self.width, self.digest) {
                    (LaneWidth::Avx512, MacDigest::Sha1) => x86::avx512::<lanes::Sha1>(self, &blocks),
                    (LaneWidth::Avx512, MacDigest::Sha224) => x86::avx512::<lanes::Sha224>(self, &blocks),
                    (LaneWidth::Avx512, MacDigest::Sha256) => x86::avx512::<lanes::Sha256>(self, &blocks),
                    (LaneWidth::Avx2, MacDigest::Sha1) => x86::avx2::<lanes::Sha1>(self, &blocks),
                    (LaneWidth::Avx2, MacDigest::Sha224) => x86::avx2::<lanes::Sha224>(self, &blocks),
                    (LaneWidth::Avx2, MacDigest::Sha256) => x86::avx2::<lanes::Sha256>(self, &blocks),
                }
            };
            all & mask
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            // Never built: `LaneWidth::detect` finds no width off x86-64.
            let _ = (blocks, mask);
            unreachable!("SIMD lanes are x86-64 only")
        }
    }

    /// [`Self::run`] on one scalar lane: the tests' reference for the SIMD widths.
    #[cfg(test)]
    fn run_scalar(&self, block: &[u32; 16]) -> bool {
        let blocks = std::slice::from_ref(block);
        1 == match self.digest {
            MacDigest::Sha1 => self.run::<lanes::Sha1, u32>(blocks, &lanes::compress_scalar::<lanes::Sha1>),
            MacDigest::Sha224 => {
                self.run::<lanes::Sha224, u32>(blocks, &lanes::compress_scalar::<lanes::Sha224>)
            }
            MacDigest::Sha256 => {
                self.run::<lanes::Sha256, u32>(blocks, &lanes::compress_scalar::<lanes::Sha256>)
            }
        }
    }

    /// The whole check in `V`'s lanes; `compress` is `H`'s compression compiled for `V`.
    /// Lanes past `blocks.len()` repeat the last candidate.
    #[inline(always)]
    fn run<H: LaneHash, V: Lane>(
        &self,
        blocks: &[[u32; 16]],
        compress: &impl Fn(&mut State<V>, &Block<V>),
    ) -> u32 {
        let out = H::OUT_WORDS;
        let mut column = [0u32; 16];
        let password: Block<V> = std::array::from_fn(|i| {
            for (lane, value) in column[..V::LANES].iter_mut().enumerate() {
                *value = blocks[lane.min(blocks.len() - 1)][i];
            }
            V::load(&column[..V::LANES])
        });
        column.fill(0);
        let mut state: State<V> = self.after_salt.map(V::splat);
        compress(&mut state, &password);
        compress(&mut state, &lanes::splat_block(&self.kdf_end));
        // Iterations 2..: the digest, rehashed as a one-block message.
        for _ in 1..self.iterations {
            let mut block: Block<V> = [V::splat(0); 16];
            block[..out].copy_from_slice(&state[..out]);
            block[out] = V::splat(0x8000_0000);
            block[15] = V::splat(out as u32 * 32);
            state = lanes::initial::<H, V>();
            compress(&mut state, &block);
        }
        // HMAC with the derived key (one digest long, zero-padded to the block).
        let key = state;
        let keyed = |pad: u32| -> Block<V> {
            std::array::from_fn(|i| if i < out { key[i].xor(V::splat(pad)) } else { V::splat(pad) })
        };
        let mut inner = lanes::initial::<H, V>();
        compress(&mut inner, &keyed(0x3636_3636));
        for block in &self.data_blocks {
            compress(&mut inner, &lanes::splat_block(block));
        }
        let mut outer = lanes::initial::<H, V>();
        compress(&mut outer, &keyed(0x5c5c_5c5c));
        let mut last: Block<V> = [V::splat(0); 16];
        last[..out].copy_from_slice(&inner[..out]);
        last[out] = V::splat(0x8000_0000);
        last[15] = V::splat((64 + out as u32 * 4) * 8);
        compress(&mut outer, &last);
        let mut found = u32::MAX >> (32 - V::LANES);
        let mut words = [0u32; 16];
        for (word, expected) in outer[..out].iter().zip(self.expected) {
            word.store(&mut words[..V::LANES]);
            for (lane, value) in words[..V::LANES].iter().enumerate() {
                if *value != expected {
                    found &= !(1 << lane);
                }
            }
        }
        found
    }
}

/// `P` of RFC 7292 B.2 for a password of at most 64 bytes: the password repeated to one block.
fn password_block(password: &[u8]) -> [u32; 16] {
    assert!(!password.is_empty() && password.len() <= MAX_PASSWORD_BYTES);
    let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(password.iter().copied().cycle().take(64).collect());
    lanes::block_words(&bytes)[0]
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    use std::arch::x86_64::{__m256i, __m512i};

    use super::lanes::{Block, LaneHash, State};
    use super::LaneMacChecker;

    /// # Safety
    /// The CPU must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn avx512<H: LaneHash>(checker: &LaneMacChecker, blocks: &[[u32; 16]]) -> u32 {
        checker.run::<H, __m512i>(blocks, &|state, block| compress_avx512::<H>(state, block))
    }

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2<H: LaneHash>(checker: &LaneMacChecker, blocks: &[[u32; 16]]) -> u32 {
        checker.run::<H, __m256i>(blocks, &|state, block| compress_avx2::<H>(state, block))
    }

    // One compression function per width and hash, called from every step of the check: the
    // unrolled rounds are compiled once instead of once per call site.

    /// 16 lanes in AVX-512 registers (its rotate and three-input logic included).
    #[target_feature(enable = "avx512f")]
    #[inline(never)]
    pub(crate) fn compress_avx512<H: LaneHash>(state: &mut State<__m512i>, block: &Block<__m512i>) {
        H::compress(state, block)
    }

    /// 8 lanes in AVX2 registers.
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    pub(crate) fn compress_avx2<H: LaneHash>(state: &mut State<__m256i>, block: &Block<__m256i>) {
        H::compress(state, block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pkcs12::lanes::tests::next;

    /// The scalar reference: RustCrypto's PKCS#12 KDF and HMAC, as `verify_mac` uses them.
    fn reference_mac(
        digest: MacDigest,
        password: &[u8],
        salt: &[u8],
        iterations: i32,
        data: &[u8],
    ) -> Vec<u8> {
        use hmac::{KeyInit, Mac};
        use pkcs12::kdf::{derive_key, Pkcs12KeyType};
        macro_rules! mac {
            ($d:ty, $len:expr) => {{
                let key = derive_key::<$d>(password, salt, Pkcs12KeyType::Mac, iterations, $len);
                let mut h = hmac::Hmac::<$d>::new_from_slice(&key).unwrap();
                h.update(data);
                h.finalize().into_bytes().to_vec()
            }};
        }
        match digest {
            MacDigest::Sha1 => mac!(sha1::Sha1, 20),
            MacDigest::Sha224 => mac!(sha2::Sha224, 28),
            MacDigest::Sha256 => mac!(sha2::Sha256, 32),
        }
    }

    fn bytes(rng: &mut u64, len: usize) -> Vec<u8> {
        (0..len).map(|_| next(rng) as u8).collect()
    }

    /// Salt and data lengths around the block edges; few iterations keep it quick.
    const CASES: [(usize, usize, i32); 7] =
        [(8, 0, 1), (8, 55, 2), (0, 56, 3), (20, 64, 5), (64, 119, 2), (65, 1000, 7), (8, 2500, 40)];

    /// `lanes` random passwords of every length class, a MAC made with one of them, and its
    /// checker on `width`.
    fn case(
        rng: &mut u64,
        digest: MacDigest,
        width: LaneWidth,
        lanes: usize,
        (salt_len, data_len, iterations): (usize, usize, i32),
    ) -> (LaneMacChecker, Vec<Vec<u8>>, usize) {
        let salt = bytes(rng, salt_len);
        let data = bytes(rng, data_len);
        let passwords: Vec<Vec<u8>> =
            (0..lanes).map(|i| bytes(rng, 1 + (i * 7 + data_len) % MAX_PASSWORD_BYTES)).collect();
        let right = (next(rng) % lanes as u64) as usize;
        let mac = reference_mac(digest, &passwords[right], &salt, iterations, &data);
        let checker = LaneMacChecker::new(digest, width, &salt, iterations as u32, &data, &mac).unwrap();
        // Every password on its own against the reference: only the right one gives the MAC.
        for (i, p) in passwords.iter().enumerate() {
            assert_eq!(reference_mac(digest, p, &salt, iterations, &data) == mac, i == right);
        }
        (checker, passwords, right)
    }

    #[test]
    fn the_scalar_lane_gives_the_reference_mac() {
        let mut rng = 0x5EED;
        for digest in [MacDigest::Sha1, MacDigest::Sha224, MacDigest::Sha256] {
            for shape in CASES {
                let (checker, passwords, right) = case(&mut rng, digest, LaneWidth::Avx2, 4, shape);
                for (i, p) in passwords.iter().enumerate() {
                    assert_eq!(checker.run_scalar(&password_block(p)), i == right, "{digest:?} {shape:?}");
                }
            }
        }
    }

    /// Every lane of a full batch, and every short batch (the search's last one).
    fn check_width(width: LaneWidth) {
        let lanes = width.lanes();
        let mut rng = 0x5EED ^ lanes as u64;
        for digest in [MacDigest::Sha1, MacDigest::Sha224, MacDigest::Sha256] {
            for shape in CASES {
                let (checker, passwords, right) = case(&mut rng, digest, width, lanes, shape);
                let refs: Vec<&[u8]> = passwords.iter().map(Vec::as_slice).collect();
                assert_eq!(checker.matches(&refs), 1 << right, "{digest:?}, {width:?}, {shape:?}");
                for len in 1..lanes {
                    let expect = if right < len { 1 << right } else { 0 };
                    assert_eq!(
                        checker.matches(&refs[..len]),
                        expect,
                        "{digest:?}, {width:?}, {len} of {lanes}"
                    );
                }
            }
        }
    }

    /// The SIMD code paths this CPU runs. One it lacks cannot run here; the front-end test
    /// `tests/recover_pin.rs::the_search_uses_the_widest_lanes_this_cpu_has` names it on stderr.
    #[test]
    fn the_simd_widths_this_cpu_has_give_the_reference_mac() {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") {
                check_width(LaneWidth::Avx2);
            }
            if std::is_x86_feature_detected!("avx512f") {
                check_width(LaneWidth::Avx512);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        assert_eq!(LaneWidth::detect(), None);
    }

    #[test]
    fn the_password_block_repeats_the_password() {
        let block = password_block(&[0, 0x31, 0, 0x32, 0, 0]);
        assert_eq!(block[0], 0x0031_0032);
        assert_eq!(block[1], 0x0000_0031);
        assert_eq!(block[15], 0x0031_0032);
    }
}
