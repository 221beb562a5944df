//! What a person needs to know about a certificate: names, dates, thumbprints, key, purpose.

use der::asn1::{BitString, ObjectIdentifier as Oid};
use der::{Decode, Encode};
use serde::Serialize;
use sha1::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::certificate::Raw;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

/// An X.509 certificate (RFC 5280 section 4.1), read leniently, as we only read: the serial
/// number as any INTEGER (real CAs have issued negative and over-long ones, hence the `Raw`
/// profile), the validity times as they are written ([`Validity`]).
#[derive(der::Sequence)]
#[allow(dead_code)] // fields read only to check the structure
struct Certificate {
    tbs_certificate: TbsCertificate,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

#[derive(der::Sequence)]
#[allow(dead_code)]
struct TbsCertificate {
    #[asn1(context_specific = "0", default = "Default::default")]
    version: x509_cert::certificate::Version,
    serial_number: SerialNumber<Raw>,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    issuer_unique_id: Option<BitString>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    subject_unique_id: Option<BitString>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<x509_cert::ext::Extensions>,
}

/// The validity times, read by [`unix_time`]: the `der` crate's time types start in 1970, but
/// a UTCTime covers 1950–2049 and certificates use all of it (`500101120100Z` is 1950).
#[derive(der::Sequence)]
struct Validity {
    not_before: der::Any,
    not_after: der::Any,
}

const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");

/// Facts about one X.509 certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// The 10-digit medical institution code, when the subject carries one.
    pub institution_code: Option<String>,
    /// The subject's O, e.g. the clinic's name.
    pub organization: Option<String>,
    /// Colon-separated upper-case hex, as Windows shows it.
    pub serial: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    #[serde(skip)]
    pub not_after_unix: i64,
    pub key_type: String,
    pub key_bits: Option<u32>,
    pub sha1: String,
    pub sha256: String,
    pub is_ca: bool,
    pub self_signed: bool,
    #[serde(skip)]
    pub spki_key: Vec<u8>,
}

impl CertInfo {
    pub fn days_left(&self, now_unix: i64) -> i64 {
        (self.not_after_unix - now_unix).div_euclid(86_400)
    }
}

/// Why a certificate could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("a certificate in the file cannot be read: {0}")]
pub struct CertError(String);

/// `AB:CD:…`: fingerprints and serials as people compare them with Windows and openssl.
pub fn colon_hex(bytes: &[u8]) -> String {
    colon_pairs(&base16ct::upper::encode_string(bytes))
}

/// `abcd…`: lowercase hex without separators.
pub fn lower_hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// `AB:CD:…` → `abcd…`, the form the vault manifest stores.
pub fn plain_hex(colon: &str) -> String {
    colon.replace(':', "").to_lowercase()
}

/// `abcd…` → `AB:CD:…`, the form people compare with Windows (a negative serial keeps its `-`).
pub fn colon_hex_from_plain(plain: &str) -> String {
    let (sign, digits) = plain.strip_prefix('-').map_or(("", plain), |rest| ("-", rest));
    format!("{sign}{}", colon_pairs(&digits.to_uppercase()))
}

/// Hex digits in pairs joined by `:` (an odd last digit stands alone).
fn colon_pairs(hex: &str) -> String {
    let mut out = String::with_capacity(hex.len() * 3 / 2);
    for (i, c) in hex.chars().enumerate() {
        if i > 0 && i % 2 == 0 {
            out.push(':');
        }
        out.push(c);
    }
    out
}

pub fn parse(der_bytes: &[u8]) -> Result<CertInfo, CertError> {
    // Thumbprints cover the bytes as stored, which is what Windows and openssl hash.
    let (normalised, _) = crate::pkcs12::ber::to_der(der_bytes).map_err(|e| CertError(e.to_string()))?;
    let cert = Certificate::from_der(&normalised).map_err(|e| CertError(e.to_string()))?;
    let tbs = &cert.tbs_certificate;
    let subject = format_name(&tbs.subject);
    let issuer = format_name(&tbs.issuer);
    let not_before_unix = unix_time(&tbs.validity.not_before)?;
    let not_after_unix = unix_time(&tbs.validity.not_after)?;
    let spki = &tbs.subject_public_key_info;
    let spki_key = spki.subject_public_key.raw_bytes().to_vec();
    let (key_type, key_bits) =
        key_description(&spki.algorithm.oid, spki.algorithm.parameters.as_ref(), &spki_key);
    let is_ca = tbs
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == BASIC_CONSTRAINTS)
        .and_then(|e| x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|bc| bc.ca);
    let self_signed = tbs.subject == tbs.issuer;
    let institution_code = institution_code(&tbs.subject);
    let organization = attribute(&tbs.subject, "O");
    Ok(CertInfo {
        subject,
        issuer,
        institution_code,
        organization,
        serial: serial_text(tbs.serial_number.as_bytes()),
        not_before: rfc3339(not_before_unix),
        not_after: rfc3339(not_after_unix),
        not_after_unix,
        key_type,
        key_bits,
        sha1: colon_hex(&sha1::Sha1::digest(der_bytes)),
        sha256: colon_hex(&sha2::Sha256::digest(der_bytes)),
        is_ca,
        self_signed,
        spki_key,
    })
}

/// A serial number's INTEGER content octets (two's complement) as Windows shows a serial,
/// colon-separated hex; a negative one as OpenSSL shows it, `-` and the magnitude (`FF` is
/// `-01`).
fn serial_text(twos_complement: &[u8]) -> String {
    if twos_complement.first().is_none_or(|b| b & 0x80 == 0) {
        return colon_hex(twos_complement);
    }
    // The magnitude of a negative number: invert every bit and add one.
    let mut magnitude: Vec<u8> = twos_complement.iter().map(|b| !b).collect();
    for b in magnitude.iter_mut().rev() {
        let (sum, carry) = b.overflowing_add(1);
        *b = sum;
        if !carry {
            break;
        }
    }
    let first = magnitude.iter().position(|b| *b != 0).unwrap_or(magnitude.len() - 1);
    format!("-{}", colon_hex(&magnitude[first..]))
}

/// A validity time (RFC 5280 section 4.1.2.5) in Unix seconds, negative before 1970: UTCTime
/// `YYMMDDHHMMSSZ`, where YY 50–99 is 19YY and 00–49 is 20YY, or GeneralizedTime
/// `YYYYMMDDHHMMSSZ`.
fn unix_time(value: &der::Any) -> Result<i64, CertError> {
    use der::{Tag, Tagged};
    let bad = || CertError(format!("a validity time is not a valid RFC 5280 time ({})", value.tag()));
    let text = value.value();
    let number = |digits: &[u8]| -> Result<u16, CertError> {
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        Ok(digits.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
    };
    let (year, rest) = match (value.tag(), text.len()) {
        (Tag::UtcTime, 13) => {
            let yy = number(&text[..2])?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..])
        }
        (Tag::GeneralizedTime, 15) => (number(&text[..4])?, &text[4..]),
        _ => return Err(bad()),
    };
    if rest[10] != b'Z' {
        return Err(bad());
    }
    let field = |i: usize| number(&rest[i..i + 2]).and_then(|n| u8::try_from(n).map_err(|_| bad()));
    let month = time::Month::try_from(field(0)?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(i32::from(year), month, field(2)?).map_err(|_| bad())?;
    let clock = time::Time::from_hms(field(4)?, field(6)?, field(8)?).map_err(|_| bad())?;
    Ok(time::PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp())
}

pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

fn key_description(alg: &Oid, params: Option<&der::Any>, key: &[u8]) -> (String, Option<u32>) {
    match *alg {
        RSA_ENCRYPTION => {
            let bits = pkcs1::RsaPublicKeyRef::from_der(key).ok().map(|k| {
                let n = k.modulus.as_bytes();
                let n = &n[n.iter().take_while(|b| **b == 0).count()..];
                n.first().map_or(0, |top| (n.len() as u32 - 1) * 8 + (8 - top.leading_zeros()))
            });
            ("RSA".into(), bits)
        }
        EC_PUBLIC_KEY => {
            let curve = params.and_then(|p| p.decode_as::<Oid>().ok());
            match curve {
                Some(P256) => ("ECDSA P-256".into(), Some(256)),
                Some(P384) => ("ECDSA P-384".into(), Some(384)),
                Some(P521) => ("ECDSA P-521".into(), Some(521)),
                Some(other) => (format!("ECDSA {other}"), None),
                None => ("ECDSA".into(), None),
            }
        }
        ED25519 => ("Ed25519".into(), Some(256)),
        other => (crate::pkcs12::algorithms::oid_name(&other), None),
    }
}

/// Short names for the attributes clinics' certificates use; others print as OIDs.
fn attribute_short_name(oid: &Oid) -> String {
    match oid.to_string().as_str() {
        "2.5.4.3" => "CN".into(),
        "2.5.4.6" => "C".into(),
        "2.5.4.7" => "L".into(),
        "2.5.4.8" => "ST".into(),
        "2.5.4.10" => "O".into(),
        "2.5.4.11" => "OU".into(),
        "2.5.4.5" => "serialNumber".into(),
        "1.2.840.113549.1.9.1" => "emailAddress".into(),
        other => other.to_string(),
    }
}

fn attribute_value(value: &der::Any) -> String {
    use der::asn1::{BmpString, Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    use der::{Tag, Tagged};
    let decoded = match value.tag() {
        Tag::Utf8String => value.decode_as::<Utf8StringRef<'_>>().ok().map(|s| s.to_string()),
        Tag::PrintableString => value.decode_as::<PrintableStringRef<'_>>().ok().map(|s| s.to_string()),
        Tag::Ia5String => value.decode_as::<Ia5StringRef<'_>>().ok().map(|s| s.to_string()),
        Tag::TeletexString => value.decode_as::<TeletexStringRef<'_>>().ok().map(|s| s.to_string()),
        Tag::BmpString => value.decode_as::<BmpString>().ok().map(|s| s.to_string()),
        _ => None,
    };
    decoded.unwrap_or_else(|| format!("#{}", lower_hex(&value.to_der().unwrap_or_default())))
}

/// `C=JP, O=…, CN=…` in the order written, as `openssl x509 -nameopt utf8,sep_comma_plus_space`
/// shows it; readable for a person, unlike RFC 4514's reversed, escaped form.
pub fn format_name(name: &x509_cert::name::Name) -> String {
    name.iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| format!("{}={}", attribute_short_name(&atv.oid), attribute_value(&atv.value)))
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn attribute(name: &x509_cert::name::Name, short: &str) -> Option<String> {
    name.iter().find(|atv| attribute_short_name(&atv.oid) == short).map(|atv| attribute_value(&atv.value))
}

/// The 10-digit medical institution code (都道府県 2 + 点数表 1 + 郡市区 2 + 番号 4 + 検証 1):
/// a run of exactly ten digits, searched in CN first, then the other attributes.
fn institution_code(name: &x509_cert::name::Name) -> Option<String> {
    let mut values: Vec<(bool, String)> = name
        .iter()
        .map(|atv| (attribute_short_name(&atv.oid) == "CN", attribute_value(&atv.value)))
        .collect();
    values.sort_by_key(|(is_cn, _)| !is_cn);
    values.iter().find_map(|(_, v)| find_ten_digits(v))
}

pub fn find_ten_digits(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 10 {
                return Some(chars[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Whether a PKCS#8 private key belongs to a certificate, by comparing public keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyMatch {
    Matches,
    DoesNotMatch,
    /// The key type does not carry its public half and we do not compute it.
    Unknown,
}

pub fn key_matches(pkcs8_der: &[u8], cert: &CertInfo) -> KeyMatch {
    let Ok(info) = pkcs12::safe_bag::PrivateKeyInfo::from_der(pkcs8_der) else {
        return KeyMatch::Unknown;
    };
    let private = info.private_key.as_bytes();
    match info.algorithm.oid {
        RSA_ENCRYPTION => {
            let (Ok(key), Ok(public)) = (
                pkcs1::RsaPrivateKeyRef::from_der(private),
                pkcs1::RsaPublicKeyRef::from_der(&cert.spki_key),
            ) else {
                return KeyMatch::DoesNotMatch;
            };
            if key.modulus == public.modulus && key.public_exponent == public.public_exponent {
                KeyMatch::Matches
            } else {
                KeyMatch::DoesNotMatch
            }
        }
        EC_PUBLIC_KEY => match sec1::EcPrivateKey::from_der(private) {
            Ok(key) => match key.public_key {
                Some(public) if public == cert.spki_key.as_slice() => KeyMatch::Matches,
                Some(_) => KeyMatch::DoesNotMatch,
                None => KeyMatch::Unknown,
            },
            Err(_) => KeyMatch::DoesNotMatch,
        },
        _ => KeyMatch::Unknown,
    }
}

/// What a certificate is for: the vault's own enum (one `Purpose` everywhere).
pub use vault_format::Purpose;

/// The purpose's id (`online-qualification`, `hpki-second`, `other`), as in the manifest and
/// in message ids (`purpose-…`).
/// The purpose as its own message (`purpose-…`).
pub fn purpose_message(p: Purpose) -> crate::message::Message {
    match p {
        Purpose::OnlineQualification => crate::msg!("purpose-online-qualification"),
        Purpose::HpkiSecond => crate::msg!("purpose-hpki-second"),
        Purpose::Other => crate::msg!("purpose-other"),
    }
}

pub fn purpose_id(p: Purpose) -> &'static str {
    match p {
        Purpose::OnlineQualification => "online-qualification",
        Purpose::HpkiSecond => "hpki-second",
        Purpose::Other => "other",
    }
}

/// What the certificate is for, guessed from issuer and file name.
pub fn guess_purpose(issuer: Option<&str>, file_name: &str) -> Purpose {
    let name = file_name.to_lowercase();
    let issuer = issuer.unwrap_or("");
    if name.contains("hpki") || issuer.to_uppercase().contains("HPKI") {
        return Purpose::HpkiSecond;
    }
    // The online-qualification download is named with a long number, e.g. 202101010000777.p12.
    let stem = name.strip_suffix(".p12").or_else(|| name.strip_suffix(".pfx")).unwrap_or(&name);
    let numbered = stem.len() >= 12 && stem.chars().all(|c| c.is_ascii_digit());
    if numbered
        || issuer.contains("オンライン請求")
        || issuer.contains("共通認証局")
        || issuer.to_lowercase().contains("online billing")
    {
        return Purpose::OnlineQualification;
    }
    Purpose::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_digit_runs_only() {
        assert_eq!(find_ten_digits("1312345678"), Some("1312345678".into()));
        assert_eq!(find_ten_digits("code 1312345678 HPKI"), Some("1312345678".into()));
        assert_eq!(find_ten_digits("13123456789"), None);
        assert_eq!(find_ten_digits("131234567"), None);
        assert_eq!(find_ten_digits("a131234567b8"), None);
    }

    #[test]
    fn purpose_from_names() {
        assert_eq!(guess_purpose(None, "client.hpki-cardless-signature"), Purpose::HpkiSecond);
        assert_eq!(guess_purpose(None, "202101010000777.p12"), Purpose::OnlineQualification);
        assert_eq!(
            guess_purpose(Some("CN=オンライン請求ネットワーク関連システム共通認証局"), "x.p12"),
            Purpose::OnlineQualification
        );
        assert_eq!(guess_purpose(Some("CN=Example CA"), "mail.pfx"), Purpose::Other);
    }

    #[test]
    fn colon_hex_is_upper_case() {
        assert_eq!(colon_hex(&[0x0a, 0xff, 0x00]), "0A:FF:00");
        assert_eq!(plain_hex("0A:FF:00"), "0aff00");
        assert_eq!(colon_hex_from_plain("0aff00"), "0A:FF:00");
        assert_eq!(colon_hex_from_plain(&plain_hex("-80:FF")), "-80:FF");
    }

    #[test]
    fn negative_serials_read_as_openssl_prints_them() {
        assert_eq!(serial_text(&[0xff]), "-01");
        assert_eq!(serial_text(&[0x80]), "-80");
        assert_eq!(serial_text(&[0xff, 0x7f, 0x01]), "-80:FF");
        assert_eq!(serial_text(&[0xff, 0x00]), "-01:00");
        assert_eq!(serial_text(&[0x00, 0x80]), "00:80");
        assert_eq!(serial_text(&[0x01]), "01");
    }

    #[test]
    fn validity_times_cover_what_rfc_5280_allows() {
        let utc = |s: &str| der::Any::new(der::Tag::UtcTime, s.as_bytes()).unwrap();
        let general = |s: &str| der::Any::new(der::Tag::GeneralizedTime, s.as_bytes()).unwrap();
        assert_eq!(unix_time(&utc("500101120100Z")).unwrap(), -631_108_740);
        assert_eq!(unix_time(&utc("491231235959Z")).unwrap(), 2_524_607_999);
        assert_eq!(unix_time(&utc("700101000000Z")).unwrap(), 0);
        assert_eq!(unix_time(&general("19500101120100Z")).unwrap(), -631_108_740);
        assert_eq!(unix_time(&general("20500101000000Z")).unwrap(), 2_524_608_000);
        for bad in ["500101120100", "5001011201Z", "501301120100Z", "500230120100Z", "50010124010aZ"] {
            assert!(unix_time(&utc(bad)).is_err(), "{bad}");
        }
        assert!(unix_time(&general("500101120100Z")).is_err());
    }
}
