//! `certvault demo`'s throwaway certificate: a test CA and a clinic certificate (ECDSA P-256,
//! a Japanese clinic name, a 10-digit institution code), made in memory and written as a
//! PKCS#12 file the way OpenSSL 3 writes them (PBES2 AES-256-CBC with PBKDF2-HMAC-SHA256, an
//! HMAC-SHA-256 MAC), so the whole story can run without touching a real certificate.
//!
//! The certificates come from `x509-cert`'s builder, the PKCS#12 structure from the `pkcs12`,
//! `cms` and `pkcs8` types; only the glue between `p256` and the builder is ours.

use std::time::Duration;

use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use rand::RngCore;
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};
use crate::msg;

/// The clinic of the demo certificate.
pub const DEMO_CLINIC: &str = "医療法人社団 デモ会 さくら内科クリニック (certvault demo)";
/// Its 10-digit medical institution code (a made-up one).
pub const DEMO_INSTITUTION_CODE: &str = "1399999999";
/// The file name, numbered like the online-qualification download.
pub const DEMO_FILE_NAME: &str = "202601010000999.p12";

use const_oid::db::{rfc4519, rfc5280, rfc5912};

/// PBKDF2 and MAC iterations, as OpenSSL 3's defaults.
const ITERATIONS: u32 = 2048;

/// A throwaway clinic certificate: the PKCS#12 bytes (protected by `pin`) and the CA
/// certificate's DER. Valid from `not_before` to `not_after` (Unix seconds).
pub fn make_clinic_certificate(pin: &str, not_before: i64, not_after: i64) -> Result<(Vec<u8>, Vec<u8>)> {
    make(pin, not_before, not_after)
        .map_err(|detail| Error::new(ErrorKind::Internal, msg!("err-demo-certificate", detail = detail)))
}

fn make(pin: &str, not_before: i64, not_after: i64) -> std::result::Result<(Vec<u8>, Vec<u8>), String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    let ca_key = KeyPair::generate();
    let ca_name = name("certvault demo", "certvault デモ認証局 (TEST ONLY)").map_err(|e| text(&e))?;
    let ca = certificate(
        Profile { subject: ca_name.clone(), issuer: ca_name.clone(), ca: true },
        &ca_key,
        &ca_key,
        not_before - 86_400,
        not_after + 365 * 86_400,
    )?;
    let leaf_key = KeyPair::generate();
    let leaf = certificate(
        Profile {
            subject: name(DEMO_CLINIC, DEMO_INSTITUTION_CODE).map_err(|e| text(&e))?,
            issuer: ca_name,
            ca: false,
        },
        &leaf_key,
        &ca_key,
        not_before,
        not_after,
    )?;
    let key_der = leaf_key.pkcs8().map_err(|e| text(&e))?;
    let key_id = sha1::Sha1::digest(&leaf_key.public().0).to_vec();
    let p12 =
        crate::pkcs12::write::write(&leaf, &[&ca], &key_der, &key_id, pin, "certvault demo", ITERATIONS)
            .map_err(|e| text(&*e))?;
    Ok((p12, ca))
}

/// C=JP, O=`org`, CN=`cn`; the names in UTF-8, as the online-qualification certificates.
fn name(org: &str, cn: &str) -> der::Result<Name> {
    let rdn = |oid: Oid, value: Any| -> der::Result<RelativeDistinguishedName> {
        Ok(RelativeDistinguishedName::from(SetOfVec::try_from(vec![AttributeTypeAndValue { oid, value }])?))
    };
    let printable = der::asn1::PrintableStringRef::new("JP")?;
    Ok(Name::hazmat_from_rdn_sequence(RdnSequence::from(vec![
        rdn(rfc4519::COUNTRY_NAME, Any::encode_from(&printable)?)?,
        rdn(rfc4519::ORGANIZATION_NAME, Any::encode_from(&der::asn1::Utf8StringRef::new(org)?)?)?,
        rdn(rfc4519::COMMON_NAME, Any::encode_from(&der::asn1::Utf8StringRef::new(cn)?)?)?,
    ])))
}

fn certificate(
    profile: Profile,
    key: &KeyPair,
    signer: &KeyPair,
    not_before: i64,
    not_after: i64,
) -> std::result::Result<Vec<u8>, String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    let time = |unix: i64| -> der::Result<Time> {
        let since_epoch = Duration::from_secs(u64::try_from(unix).unwrap_or(0));
        // The builder turns it into UTCTime for 1950–2049, as RFC 5280 §4.1.2.5 asks.
        Ok(Time::GeneralTime(GeneralizedTime::from_unix_duration(since_epoch)?))
    };
    let validity =
        Validity::new(time(not_before).map_err(|e| text(&e))?, time(not_after).map_err(|e| text(&e))?);
    let mut serial = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut serial);
    // Positive and 16 bytes long, as CAs make them.
    serial[0] &= 0x7F;
    serial[0] |= 0x01;
    let serial = SerialNumber::new(&serial).map_err(|e| text(&e))?;
    let spki =
        SubjectPublicKeyInfoOwned::from_der(&key.spki_der().map_err(|e| text(&e))?).map_err(|e| text(&e))?;
    let builder = CertificateBuilder::new(profile, serial, validity, spki).map_err(|e| text(&e))?;
    let cert = builder.build::<_, DerSignature>(signer).map_err(|e| text(&e))?;
    cert.to_der().map_err(|e| text(&e))
}

/// The extensions of a CA that signs clients, or of a client certificate.
struct Profile {
    subject: Name,
    issuer: Name,
    ca: bool,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        use x509_cert::ext::pkix::{
            AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
            SubjectKeyIdentifier,
        };
        let key_id = |spk: SubjectPublicKeyInfoRef<'_>| -> der::Result<OctetString> {
            // RFC 5280 §4.2.1.2 method 1: SHA-1 of the public key bits.
            OctetString::new(sha1::Sha1::digest(spk.subject_public_key.raw_bytes()).to_vec())
        };
        let basic = BasicConstraints { ca: self.ca, path_len_constraint: None };
        // keyCertSign + cRLSign for the CA, digitalSignature for the client.
        let usage = if self.ca {
            KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)
        } else {
            KeyUsage(KeyUsages::DigitalSignature.into())
        };
        let mut extensions = vec![
            extension(rfc5280::ID_CE_BASIC_CONSTRAINTS, true, &basic)?,
            extension(rfc5280::ID_CE_KEY_USAGE, true, &usage)?,
            extension(rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER, false, &SubjectKeyIdentifier(key_id(spk)?))?,
        ];
        if !self.ca {
            let client_auth = ExtendedKeyUsage(vec![rfc5280::ID_KP_CLIENT_AUTH]);
            extensions.push(extension(rfc5280::ID_CE_EXT_KEY_USAGE, false, &client_auth)?);
            let authority = AuthorityKeyIdentifier {
                key_identifier: Some(key_id(issuer_spk)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            extensions.push(extension(rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER, false, &authority)?);
        }
        Ok(extensions)
    }
}

fn extension(oid: Oid, critical: bool, value: &impl Encode) -> der::Result<Extension> {
    Ok(Extension { extn_id: oid, critical, extn_value: OctetString::new(value.to_der()?)? })
}

/// A P-256 key. `p256` 0.13 (the generation `age` already brings) speaks `signature` 2 and
/// `spki` 0.7; the builder wants `signature` 3 and `spki` 0.8: these few impls connect them.
struct KeyPair {
    key: p256::ecdsa::SigningKey,
}

/// The SEC1 uncompressed point of a P-256 public key.
#[derive(Clone)]
struct PublicKey(Vec<u8>);

/// An ECDSA signature, DER-encoded (what X.509 carries).
struct DerSignature(Vec<u8>);

impl KeyPair {
    fn generate() -> KeyPair {
        KeyPair { key: p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng) }
    }

    fn public(&self) -> PublicKey {
        PublicKey(self.key.verifying_key().to_encoded_point(false).as_bytes().to_vec())
    }

    fn spki_der(&self) -> der::Result<Vec<u8>> {
        self.public().spki()?.to_der()
    }

    /// PKCS#8 PrivateKeyInfo holding an RFC 5915 ECPrivateKey with its public key.
    fn pkcs8(&self) -> der::Result<Zeroizing<Vec<u8>>> {
        let scalar = Zeroizing::new(self.key.to_bytes().to_vec());
        let public = self.public();
        let ec_key = Zeroizing::new(
            sec1::EcPrivateKey { private_key: &scalar, parameters: None, public_key: Some(&public.0) }
                .to_der()?,
        );
        let info = pkcs8::PrivateKeyInfoRef::new(
            pkcs8::AlgorithmIdentifierRef {
                oid: rfc5912::ID_EC_PUBLIC_KEY,
                parameters: Some((&rfc5912::SECP_256_R_1).into()),
            },
            der::asn1::OctetStringRef::new(&ec_key)?,
        );
        Ok(Zeroizing::new(info.to_der()?))
    }
}

impl PublicKey {
    fn spki(&self) -> der::Result<SubjectPublicKeyInfoOwned> {
        Ok(SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: rfc5912::ID_EC_PUBLIC_KEY,
                parameters: Some(Any::encode_from(&rfc5912::SECP_256_R_1)?),
            },
            subject_public_key: BitString::from_bytes(&self.0)?,
        })
    }
}

impl spki::EncodePublicKey for PublicKey {
    fn to_public_key_der(&self) -> spki::Result<der::Document> {
        Ok(der::Document::encode_msg(&self.spki()?)?)
    }
}

impl signature::Keypair for KeyPair {
    type VerifyingKey = PublicKey;
    fn verifying_key(&self) -> PublicKey {
        self.public()
    }
}

impl spki::DynSignatureAlgorithmIdentifier for KeyPair {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(AlgorithmIdentifierOwned { oid: rfc5912::ECDSA_WITH_SHA_256, parameters: None })
    }
}

impl signature::Signer<DerSignature> for KeyPair {
    fn try_sign(&self, msg: &[u8]) -> std::result::Result<DerSignature, signature::Error> {
        use p256::ecdsa::signature::Signer as _;
        let signature: p256::ecdsa::Signature = self.key.sign(msg);
        Ok(DerSignature(signature.to_der().as_bytes().to_vec()))
    }
}

impl spki::SignatureBitStringEncoding for DerSignature {
    fn to_bitstring(&self) -> der::Result<BitString> {
        BitString::from_bytes(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::x509::KeyMatch;
    use crate::pkcs12::{PasswordCheck, Pkcs12File};

    #[test]
    fn our_reader_opens_the_demo_file_with_its_pin_only_and_finds_the_clinic() {
        let now = crate::dates::now_unix();
        let (p12, ca) = make_clinic_certificate("4821", now - 3600, now + 400 * 86_400).unwrap();
        let file = Pkcs12File::parse(&p12).unwrap();
        assert!(file.unsupported_algorithm().is_none());
        assert_eq!(file.check_pin("1234").unwrap(), PasswordCheck::Wrong);
        let opened = file.open("4821").unwrap();
        let analysis =
            crate::certificate::file::analyse(std::path::Path::new(DEMO_FILE_NAME), &opened).unwrap();
        assert_eq!(analysis.key_match, Some(KeyMatch::Matches));
        let leaf = analysis.leaf.as_ref().unwrap();
        assert_eq!(leaf.institution_code.as_deref(), Some(DEMO_INSTITUTION_CODE));
        assert!(leaf.subject.contains(DEMO_CLINIC) && !leaf.is_ca);
        assert!((399..=400).contains(&leaf.days_left(now)));
        let root = analysis.root().unwrap();
        assert!(root.is_ca && root.self_signed);
        assert_eq!(root.sha1, crate::certificate::x509::colon_hex(&sha1::Sha1::digest(&ca)));
    }
}
