//! Writing PKCS#12 (RFC 7292): the demo's throwaway certificate, and a certificate rescued
//! from a store whose own export gives only the key (`rescue` on Wine, the macOS keychain).

use der::asn1::{BmpString, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use hmac::{KeyInit, Mac};
use rand::RngCore;
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use zeroize::Zeroizing;

use const_oid::db::rfc5912;

const PKCS9_FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
const PKCS9_LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
const PKCS7_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const PKCS7_ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
const SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");

/// PKCS#12 as OpenSSL 3 writes it (`leaf` first, with the key's `local_key_id` and `friendly`
/// name; then `others`, the chain): certificates in a PBES2-encrypted safe, the key in a
/// shrouded key bag, both AES-256-CBC with PBKDF2-HMAC-SHA256, and an HMAC-SHA-256 MAC keyed
/// by the RFC 7292 appendix B KDF.
pub fn write(
    leaf: &[u8],
    others: &[&[u8]],
    pkcs8_der: &[u8],
    local_key_id: &[u8],
    pin: &str,
    friendly: &str,
    iterations: u32,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let pbes2 = || -> Result<pkcs5::pbes2::Parameters, Box<dyn std::error::Error>> {
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut iv);
        Ok(pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &salt, iv)?)
    };
    let public_key_id = local_key_id.to_vec();
    let attributes: x509_cert::attr::Attributes = SetOfVec::try_from(vec![
        Attribute {
            oid: PKCS9_FRIENDLY_NAME,
            values: SetOfVec::try_from(vec![Any::encode_from(&BmpString::from_utf8(friendly)?)?])?,
        },
        Attribute {
            oid: PKCS9_LOCAL_KEY_ID,
            values: SetOfVec::try_from(vec![Any::encode_from(&OctetString::new(public_key_id)?)?])?,
        },
    ])?;
    let cert_bag = |der: &[u8],
                    attributes: Option<x509_cert::attr::Attributes>|
     -> der::Result<::pkcs12::safe_bag::SafeBag> {
        let bag = ::pkcs12::CertBag {
            cert_id: ::pkcs12::PKCS_12_X509_CERT_OID,
            cert_value: OctetString::new(der)?,
        };
        Ok(::pkcs12::safe_bag::SafeBag {
            bag_id: ::pkcs12::PKCS_12_CERT_BAG_OID,
            bag_value: bag.to_der()?,
            bag_attributes: attributes,
        })
    };
    let mut cert_safe: Vec<::pkcs12::safe_bag::SafeBag> = vec![cert_bag(leaf, Some(attributes.clone()))?];
    for other in others {
        cert_safe.push(cert_bag(other, None)?);
    }
    let cert_safe = cert_safe.to_der()?;
    let params = pbes2()?;
    let encrypted = params.encrypt(pin.as_bytes(), &cert_safe)?;
    let encrypted_data = cms::encrypted_data::EncryptedData {
        version: cms::content_info::CmsVersion::V0,
        enc_content_info: cms::enveloped_data::EncryptedContentInfo {
            content_type: PKCS7_DATA,
            content_enc_alg: AlgorithmIdentifierOwned::from_der(
                &pkcs5::EncryptionScheme::from(params).to_der()?,
            )?,
            encrypted_content: Some(OctetString::new(encrypted)?),
        },
        unprotected_attrs: None,
    };
    let certs_info = cms::content_info::ContentInfo {
        content_type: PKCS7_ENCRYPTED_DATA,
        content: Any::encode_from(&encrypted_data)?,
    };

    let key_info = pkcs8::PrivateKeyInfoRef::from_der(pkcs8_der)?;
    let shrouded = key_info.encrypt_with_params(pbes2()?, pin.as_bytes())?;
    let key_safe = vec![::pkcs12::safe_bag::SafeBag {
        bag_id: SHROUDED_KEY_BAG,
        bag_value: shrouded.as_bytes().to_vec(),
        bag_attributes: Some(attributes),
    }]
    .to_der()?;
    let key_info = cms::content_info::ContentInfo {
        content_type: PKCS7_DATA,
        content: Any::encode_from(&OctetString::new(key_safe)?)?,
    };

    let auth_safe = vec![certs_info, key_info].to_der()?;
    let mut mac_salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut mac_salt);
    let mac_key = Zeroizing::new(::pkcs12::kdf::derive_key_utf8::<sha2::Sha256>(
        pin,
        &mac_salt,
        ::pkcs12::kdf::Pkcs12KeyType::Mac,
        iterations as i32,
        32,
    )?);
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&mac_key)?;
    mac.update(&auth_safe);
    let pfx = ::pkcs12::pfx::Pfx {
        version: ::pkcs12::pfx::Version::V3,
        auth_safe: cms::content_info::ContentInfo {
            content_type: PKCS7_DATA,
            content: Any::encode_from(&OctetString::new(auth_safe)?)?,
        },
        mac_data: Some(::pkcs12::MacData {
            mac: ::pkcs12::DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid: rfc5912::ID_SHA_256,
                    parameters: Some(Any::null()),
                },
                digest: OctetString::new(mac.finalize().into_bytes().to_vec())?,
            },
            mac_salt: OctetString::new(mac_salt.to_vec())?,
            iterations: iterations as i32,
        }),
    };
    Ok(pfx.to_der()?)
}
