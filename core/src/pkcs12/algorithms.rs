//! Names for the algorithm identifiers found in PKCS#12 files, and which ones we can open.

use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;

pub const PBE_SHA1_RC4_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.1");
pub const PBE_SHA1_RC4_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.2");
pub const PBE_SHA1_3DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
pub const PBE_SHA1_2DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.4");
pub const PBE_SHA1_RC2_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.5");
pub const PBE_SHA1_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");
pub const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
pub const PBKDF2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.12");
pub const PBMAC1: Oid = Oid::new_unwrap("1.2.840.113549.1.5.14");
pub const SCRYPT: Oid = Oid::new_unwrap("1.3.6.1.4.1.11591.4.11");

pub const HMAC_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
pub const HMAC_SHA224: Oid = Oid::new_unwrap("1.2.840.113549.2.8");
pub const HMAC_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.2.9");
pub const HMAC_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.2.10");
pub const HMAC_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.2.11");

pub const AES128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
pub const AES192_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.22");
pub const AES256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
pub const DES_EDE3_CBC: Oid = Oid::new_unwrap("1.2.840.113549.3.7");

pub const CAMELLIA128_CBC: Oid = Oid::new_unwrap("1.2.392.200011.61.1.1.1.2");
pub const CAMELLIA192_CBC: Oid = Oid::new_unwrap("1.2.392.200011.61.1.1.1.3");
pub const CAMELLIA256_CBC: Oid = Oid::new_unwrap("1.2.392.200011.61.1.1.1.4");
pub const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// Upper bound on any iteration count we will run. Real files use 2,000 to 600,000; a hostile
/// file asking for 2^31 would otherwise keep the CPU busy for an hour.
pub const MAX_ITERATIONS: u64 = 10_000_000;

fn known_name(oid: &Oid) -> Option<&'static str> {
    Some(match *oid {
        PBE_SHA1_RC4_128 => "pbeWithSHAAnd128BitRC4",
        PBE_SHA1_RC4_40 => "pbeWithSHAAnd40BitRC4",
        PBE_SHA1_3DES => "pbeWithSHAAnd3-KeyTripleDES-CBC",
        PBE_SHA1_2DES => "pbeWithSHAAnd2-KeyTripleDES-CBC",
        PBE_SHA1_RC2_128 => "pbeWithSHAAnd128BitRC2-CBC",
        PBE_SHA1_RC2_40 => "pbeWithSHAAnd40BitRC2-CBC",
        PBES2 => "PBES2",
        PBKDF2 => "PBKDF2",
        PBMAC1 => "PBMAC1",
        SCRYPT => "scrypt",
        HMAC_SHA1 => "HMAC-SHA1",
        HMAC_SHA224 => "HMAC-SHA224",
        HMAC_SHA256 => "HMAC-SHA256",
        HMAC_SHA384 => "HMAC-SHA384",
        HMAC_SHA512 => "HMAC-SHA512",
        AES128_CBC => "AES-128-CBC",
        AES192_CBC => "AES-192-CBC",
        AES256_CBC => "AES-256-CBC",
        DES_EDE3_CBC => "DES-EDE3-CBC",
        CAMELLIA128_CBC => "Camellia-128-CBC",
        CAMELLIA192_CBC => "Camellia-192-CBC",
        CAMELLIA256_CBC => "Camellia-256-CBC",
        MD5 => "MD5",
        SHA1 => "SHA-1",
        SHA224 => "SHA-224",
        SHA256 => "SHA-256",
        SHA384 => "SHA-384",
        SHA512 => "SHA-512",
        _ => return None,
    })
}

/// A readable name for any OID: ours first, then the const-oid database, then the dotted form.
pub fn oid_name(oid: &Oid) -> String {
    if let Some(name) = known_name(oid) {
        return name.to_string();
    }
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

/// One encryption or MAC algorithm as found in the file, for reports.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AlgorithmInfo {
    /// e.g. "PBES2 (PBKDF2 HMAC-SHA256, AES-256-CBC)" or "pbeWithSHAAnd40BitRC2-CBC".
    pub name: String,
    pub iterations: Option<u64>,
    /// False when certvault cannot decrypt this (named in `name`).
    pub supported: bool,
}

/// PKCS#12 PBE parameters (RFC 7292 appendix C): SEQUENCE { salt OCTET STRING, iterations INTEGER }.
#[derive(Debug, der::Sequence)]
pub struct Pkcs12PbeParams {
    pub salt: der::asn1::OctetString,
    pub iterations: u64,
}

/// PBKDF2-params (RFC 8018 A.2), decoded loosely so that unknown PRFs can still be named.
#[derive(Debug, der::Sequence)]
pub struct Pbkdf2Params {
    pub salt: der::Any,
    pub iteration_count: u64,
    #[asn1(optional = "true")]
    pub key_length: Option<u32>,
    #[asn1(optional = "true")]
    pub prf: Option<AlgorithmIdentifierOwned>,
}

/// PBES2-params (RFC 8018 A.4).
#[derive(Debug, der::Sequence)]
pub struct Pbes2Params {
    pub key_derivation_func: AlgorithmIdentifierOwned,
    pub encryption_scheme: AlgorithmIdentifierOwned,
}

fn params_der(alg: &AlgorithmIdentifierOwned) -> Option<Vec<u8>> {
    alg.parameters.as_ref().and_then(|p| p.to_der().ok())
}

/// Describes an encryption algorithm identifier without a password.
pub fn describe_encryption(alg: &AlgorithmIdentifierOwned) -> AlgorithmInfo {
    match alg.oid {
        PBE_SHA1_3DES | PBE_SHA1_RC2_40 | PBE_SHA1_RC2_128 => {
            let iterations =
                params_der(alg).and_then(|d| Pkcs12PbeParams::from_der(&d).ok()).map(|p| p.iterations);
            AlgorithmInfo { name: oid_name(&alg.oid), iterations, supported: true }
        }
        PBES2 => describe_pbes2(alg),
        _ => AlgorithmInfo { name: oid_name(&alg.oid), iterations: None, supported: false },
    }
}

fn describe_pbes2(alg: &AlgorithmIdentifierOwned) -> AlgorithmInfo {
    let Some(params) = params_der(alg).and_then(|d| Pbes2Params::from_der(&d).ok()) else {
        return AlgorithmInfo {
            name: "PBES2 (unreadable parameters)".into(),
            iterations: None,
            supported: false,
        };
    };
    let cipher = params.encryption_scheme.oid;
    let cipher_ok = matches!(cipher, AES128_CBC | AES192_CBC | AES256_CBC | DES_EDE3_CBC);
    let kdf = &params.key_derivation_func;
    let (kdf_name, iterations, kdf_ok) = if kdf.oid == PBKDF2 {
        match params_der(kdf).and_then(|d| Pbkdf2Params::from_der(&d).ok()) {
            Some(p) => {
                let prf = p.prf.as_ref().map(|a| a.oid).unwrap_or(HMAC_SHA1);
                let prf_ok = matches!(prf, HMAC_SHA1 | HMAC_SHA224 | HMAC_SHA256 | HMAC_SHA384 | HMAC_SHA512);
                (format!("PBKDF2 {}", oid_name(&prf)), Some(p.iteration_count), prf_ok)
            }
            None => ("PBKDF2 (unreadable parameters)".to_string(), None, false),
        }
    } else if kdf.oid == SCRYPT {
        ("scrypt".to_string(), None, true)
    } else {
        (oid_name(&kdf.oid), None, false)
    };
    AlgorithmInfo {
        name: format!("PBES2 ({kdf_name}, {})", oid_name(&cipher)),
        iterations,
        supported: cipher_ok && kdf_ok,
    }
}

/// Describes a MAC digest algorithm (the PKCS#12 HMAC construction, RFC 7292 appendix B).
pub fn describe_mac(digest: &Oid, iterations: u64) -> AlgorithmInfo {
    let supported = matches!(*digest, SHA1 | SHA224 | SHA256 | SHA384 | SHA512);
    let name = if *digest == PBMAC1 {
        "PBMAC1".to_string()
    } else {
        format!("HMAC-{}", oid_name(digest).replace("SHA-", "SHA"))
    };
    AlgorithmInfo { name, iterations: Some(iterations), supported }
}
