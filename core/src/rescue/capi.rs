//! The CryptoAPI's RSA `PRIVATEKEYBLOB` (what `CryptExportKey` gives for an exportable key)
//! as PKCS#8, for the Windows rescue where `PFXExportCertStoreEx` is not there to do it (Wine
//! 8.0 has it only as a stub). Plain bytes, so it is tested on every system.
//!
//! Layout: `BLOBHEADER` (type 7, version 2, 2 reserved bytes, ALG_ID), `RSAPUBKEY` (magic
//! "RSA2", bit length, public exponent), then modulus, prime1, prime2, exponent1, exponent2,
//! coefficient and private exponent, little-endian, each n/8 or n/16 bytes long.

use der::asn1::{OctetStringRef, UintRef};
use der::Encode;
use zeroize::Zeroizing;

const PRIVATEKEYBLOB: u8 = 7;
const RSA2: u32 = 0x3241_5352;

/// A little-endian number as big-endian bytes without leading zeros (at least one byte).
fn big_endian(le: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut be: Vec<u8> = le.iter().rev().copied().collect();
    let zeros = be.iter().take_while(|b| **b == 0).count().min(be.len().saturating_sub(1));
    be.drain(..zeros);
    Zeroizing::new(be)
}

/// PKCS#8 `PrivateKeyInfo` (rsaEncryption) for an RSA `PRIVATEKEYBLOB`; `None` when the blob
/// is not one.
pub fn rsa_private_blob_to_pkcs8(blob: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if blob.len() < 20 || blob[0] != PRIVATEKEYBLOB {
        return None;
    }
    let magic = u32::from_le_bytes(blob[8..12].try_into().ok()?);
    let bits = u32::from_le_bytes(blob[12..16].try_into().ok()?) as usize;
    if magic != RSA2 || bits == 0 || !bits.is_multiple_of(16) {
        return None;
    }
    let exponent = u32::from_le_bytes(blob[16..20].try_into().ok()?).to_le_bytes();
    let (full, half) = (bits / 8, bits / 16);
    let mut rest = &blob[20..];
    let mut take = |n: usize| -> Option<Zeroizing<Vec<u8>>> {
        let (part, tail) = (rest.get(..n)?, rest.get(n..)?);
        rest = tail;
        Some(big_endian(part))
    };
    let modulus = take(full)?;
    let prime1 = take(half)?;
    let prime2 = take(half)?;
    let exponent1 = take(half)?;
    let exponent2 = take(half)?;
    let coefficient = take(half)?;
    let private_exponent = take(full)?;
    let public_exponent = big_endian(&exponent);
    let key = pkcs1::RsaPrivateKeyRef {
        modulus: UintRef::new(&modulus).ok()?,
        public_exponent: UintRef::new(&public_exponent).ok()?,
        private_exponent: UintRef::new(&private_exponent).ok()?,
        prime1: UintRef::new(&prime1).ok()?,
        prime2: UintRef::new(&prime2).ok()?,
        exponent1: UintRef::new(&exponent1).ok()?,
        exponent2: UintRef::new(&exponent2).ok()?,
        coefficient: UintRef::new(&coefficient).ok()?,
        other_prime_infos: None,
    };
    let pkcs1_der = Zeroizing::new(key.to_der().ok()?);
    let info = pkcs8::PrivateKeyInfoRef::new(
        pkcs8::AlgorithmIdentifierRef {
            oid: const_oid::db::rfc5912::RSA_ENCRYPTION,
            parameters: Some(der::asn1::AnyRef::NULL),
        },
        OctetStringRef::new(&pkcs1_der).ok()?,
    );
    Some(Zeroizing::new(info.to_der().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    /// The blob the CryptoAPI would give for an openssl-made key.
    fn blob_of(pkcs1_der: &[u8]) -> Vec<u8> {
        let key = pkcs1::RsaPrivateKeyRef::from_der(pkcs1_der).unwrap();
        let bits = key.modulus.as_bytes().len() * 8;
        let le = |u: &UintRef<'_>, n: usize| {
            let mut v: Vec<u8> = u.as_bytes().iter().rev().copied().collect();
            v.resize(n, 0);
            v
        };
        let mut e = [0u8; 4];
        let eb = key.public_exponent.as_bytes();
        e[4 - eb.len()..].copy_from_slice(eb);
        let mut blob = vec![PRIVATEKEYBLOB, 2, 0, 0];
        blob.extend_from_slice(&0x0000_a400u32.to_le_bytes()); // CALG_RSA_KEYX
        blob.extend_from_slice(&RSA2.to_le_bytes());
        blob.extend_from_slice(&(bits as u32).to_le_bytes());
        blob.extend_from_slice(&u32::from_be_bytes(e).to_le_bytes());
        for (u, n) in [
            (&key.modulus, bits / 8),
            (&key.prime1, bits / 16),
            (&key.prime2, bits / 16),
            (&key.exponent1, bits / 16),
            (&key.exponent2, bits / 16),
            (&key.coefficient, bits / 16),
            (&key.private_exponent, bits / 8),
        ] {
            blob.extend(le(u, n));
        }
        blob
    }

    #[test]
    fn a_private_key_blob_becomes_the_same_pkcs8_as_openssl_writes() {
        let tmp = tempfile::tempdir().unwrap();
        let key = tmp.path().join("k.pem");
        let run = |args: &[&str]| {
            let out = std::process::Command::new("openssl").args(args).output().expect("openssl runs");
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            out.stdout
        };
        run(&["genrsa", "-out", key.to_str().unwrap(), "2048"]);
        let pkcs1_der = run(&["rsa", "-in", key.to_str().unwrap(), "-outform", "DER", "-traditional"]);
        let pkcs8_der =
            run(&["pkcs8", "-topk8", "-nocrypt", "-in", key.to_str().unwrap(), "-outform", "DER"]);
        let converted = rsa_private_blob_to_pkcs8(&blob_of(&pkcs1_der)).unwrap();
        assert_eq!(&converted[..], &pkcs8_der[..]);
        assert!(rsa_private_blob_to_pkcs8(&[0u8; 40]).is_none());
        assert!(rsa_private_blob_to_pkcs8(&blob_of(&pkcs1_der)[..100]).is_none(), "truncated");
    }
}
