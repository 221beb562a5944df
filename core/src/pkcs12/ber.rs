//! BER → DER normalisation for PKCS#12 input.
//!
//! Windows and Java export PKCS#12 files in BER: indefinite lengths, OCTET STRINGs split into
//! constructed chunks, long-form lengths where short form would do. The `der` crate (rightly)
//! accepts DER only, so every layer we parse is first rewritten here. The MAC covers the
//! *content octets* of the authSafe, which this rewrite keeps byte for byte (chunks are only
//! concatenated), so verifying the MAC after normalising is still correct.
//!
//! Hostile input is bounded: nesting depth, and every length is checked against what remains.

use std::fmt;

/// Deepest nesting accepted. PKCS#12 needs about 12 levels; 64 leaves room for odd exporters
/// without letting a crafted file recurse without end.
const MAX_DEPTH: usize = 64;

/// Why a byte string is not BER at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BerError {
    /// The data ends inside a tag, length or value.
    Truncated,
    /// Bytes remain after the outermost value.
    TrailingData,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A length that cannot be right (indefinite on a primitive value, over 8 length octets,
    /// a chunk of a constructed string that is not of the same type…).
    Malformed(&'static str),
}

impl fmt::Display for BerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BerError::Truncated => f.write_str("the data ends in the middle of a value (truncated)"),
            BerError::TrailingData => f.write_str("unexpected data after the end of the structure"),
            BerError::TooDeep => f.write_str("the structure is nested too deeply"),
            BerError::Malformed(what) => f.write_str(what),
        }
    }
}

/// Whether the input already was DER (nothing had to change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Der,
    Ber,
}

/// Rewrites one complete BER value (and nothing after it) as DER.
pub fn to_der(input: &[u8]) -> Result<(Vec<u8>, Encoding), BerError> {
    let mut out = Vec::with_capacity(input.len());
    let mut reader = Reader { data: input, pos: 0 };
    let value = reader.read_value(0)?;
    if reader.pos != input.len() {
        return Err(BerError::TrailingData);
    }
    value.encode(&mut out);
    let encoding = if out == input { Encoding::Der } else { Encoding::Ber };
    Ok((out, encoding))
}

/// Tag classes and numbers are kept as the raw identifier octets; only the constructed bit
/// (0x20 of the first octet) is ever changed.
struct Value {
    ident: Vec<u8>,
    body: Body,
}

enum Body {
    Primitive(Vec<u8>),
    Constructed(Vec<Value>),
}

impl Value {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.ident);
        match &self.body {
            Body::Primitive(bytes) => {
                push_len(out, bytes.len());
                out.extend_from_slice(bytes);
            }
            Body::Constructed(children) => {
                let mut inner = Vec::new();
                for child in children {
                    child.encode(&mut inner);
                }
                push_len(out, inner.len());
                out.extend_from_slice(&inner);
            }
        }
    }
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Universal string types whose BER form may be constructed from chunks; DER wants them
/// primitive (X.690 10.2).
fn is_chunkable_string(first_ident: u8) -> bool {
    let universal = first_ident & 0xC0 == 0;
    let number = first_ident & 0x1F;
    universal
        && matches!(
            number,
            0x03 /* BIT STRING */ | 0x04 /* OCTET STRING */ | 0x0C /* UTF8String */
                | 0x13 /* PrintableString */ | 0x14 /* T61String */ | 0x16 /* IA5String */
                | 0x1E /* BMPString */
        )
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, BerError> {
        let b = *self.data.get(self.pos).ok_or(BerError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn ident(&mut self) -> Result<Vec<u8>, BerError> {
        let first = self.byte()?;
        let mut ident = vec![first];
        if first & 0x1F == 0x1F {
            // High tag number form: base-128 digits, last one without the top bit.
            loop {
                let b = self.byte()?;
                ident.push(b);
                if ident.len() > 6 {
                    return Err(BerError::Malformed("a tag number is too large"));
                }
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        Ok(ident)
    }

    /// `None` is the indefinite form.
    fn length(&mut self) -> Result<Option<usize>, BerError> {
        let first = self.byte()?;
        let remaining = (self.data.len() - self.pos) as u64;
        if first < 0x80 {
            if u64::from(first) > remaining {
                return Err(BerError::Truncated);
            }
            return Ok(Some(first as usize));
        }
        if first == 0x80 {
            return Ok(None);
        }
        let n = (first & 0x7F) as usize;
        if n > 8 || first == 0xFF {
            return Err(BerError::Malformed("a length field is larger than any file"));
        }
        let mut len: u64 = 0;
        for _ in 0..n {
            len = (len << 8) | u64::from(self.byte()?);
        }
        if len > remaining.saturating_sub(n as u64) {
            return Err(BerError::Truncated);
        }
        Ok(Some(len as usize))
    }

    fn at_end_of_contents(&self) -> bool {
        self.data.get(self.pos) == Some(&0) && self.data.get(self.pos + 1) == Some(&0)
    }

    fn read_value(&mut self, depth: usize) -> Result<Value, BerError> {
        if depth > MAX_DEPTH {
            return Err(BerError::TooDeep);
        }
        let mut ident = self.ident()?;
        let constructed = ident[0] & 0x20 != 0;
        let length = self.length()?;
        if !constructed {
            let len =
                length.ok_or(BerError::Malformed("a primitive value uses the indefinite length form"))?;
            let bytes = self.data[self.pos..self.pos + len].to_vec();
            self.pos += len;
            return Ok(Value { ident, body: Body::Primitive(bytes) });
        }

        let mut children = Vec::new();
        match length {
            Some(len) => {
                let end = self.pos + len;
                let mut inner = Reader { data: &self.data[..end], pos: self.pos };
                while inner.pos < end {
                    children.push(inner.read_value(depth + 1)?);
                }
                self.pos = end;
            }
            None => loop {
                if self.at_end_of_contents() {
                    self.pos += 2;
                    break;
                }
                if self.pos >= self.data.len() {
                    return Err(BerError::Truncated);
                }
                children.push(self.read_value(depth + 1)?);
            },
        }

        if is_chunkable_string(ident[0]) {
            // Constructed string: concatenate the chunks, which must be of the same type.
            // BIT STRING chunks each start with an unused-bits octet; DER keeps one, the last's.
            let is_bit_string = ident[0] & 0x1F == 0x03;
            let mut bytes = Vec::new();
            let mut unused_bits = 0u8;
            for child in children {
                if child.ident[0] & !0x20 != ident[0] & !0x20 {
                    return Err(BerError::Malformed("a chunked string contains a value of another type"));
                }
                match child.body {
                    Body::Primitive(chunk) if is_bit_string => {
                        let (&unused, rest) =
                            chunk.split_first().ok_or(BerError::Malformed("an empty BIT STRING chunk"))?;
                        unused_bits = unused;
                        bytes.extend_from_slice(rest);
                    }
                    Body::Primitive(chunk) => bytes.extend_from_slice(&chunk),
                    Body::Constructed(_) => {
                        return Err(BerError::Malformed("a chunked string is nested"));
                    }
                }
            }
            if is_bit_string {
                bytes.insert(0, unused_bits);
            }
            ident[0] &= !0x20;
            return Ok(Value { ident, body: Body::Primitive(bytes) });
        }

        if ident == [0x31] {
            // DER orders the members of a SET OF by their encodings (X.690 11.6).
            let mut encoded: Vec<(Vec<u8>, Value)> = children
                .into_iter()
                .map(|c| {
                    let mut e = Vec::new();
                    c.encode(&mut e);
                    (e, c)
                })
                .collect();
            encoded.sort_by(|a, b| a.0.cmp(&b.0));
            children = encoded.into_iter().map(|(_, c)| c).collect();
        }
        Ok(Value { ident, body: Body::Constructed(children) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_input_is_unchanged() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x03, 0x04, 0x01, 0xAA];
        let (out, enc) = to_der(&der).unwrap();
        assert_eq!(out, der);
        assert_eq!(enc, Encoding::Der);
    }

    #[test]
    fn indefinite_lengths_and_chunks_become_der() {
        // SEQUENCE (indefinite) { OCTET STRING constructed { "ab", "c" } }
        let ber = [0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00, 0x00, 0x00];
        let (out, enc) = to_der(&ber).unwrap();
        assert_eq!(out, [0x30, 0x05, 0x04, 0x03, b'a', b'b', b'c']);
        assert_eq!(enc, Encoding::Ber);
    }

    #[test]
    fn long_form_lengths_are_shortened() {
        let ber = [0x04, 0x81, 0x01, 0x41];
        assert_eq!(to_der(&ber).unwrap().0, [0x04, 0x01, 0x41]);
    }

    #[test]
    fn set_members_are_sorted() {
        let ber = [0x31, 0x06, 0x02, 0x01, 0x09, 0x02, 0x01, 0x01];
        assert_eq!(to_der(&ber).unwrap().0, [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x09]);
    }

    #[test]
    fn hostile_inputs_fail_cleanly() {
        assert_eq!(to_der(&[]), Err(BerError::Truncated));
        assert_eq!(to_der(&[0x30, 0x05, 0x02]), Err(BerError::Truncated));
        assert_eq!(
            to_der(&[0x04, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            Err(BerError::Truncated)
        );
        assert_eq!(
            to_der(&[0x04, 0x80, 0x00, 0x00]).unwrap_err(),
            BerError::Malformed("a primitive value uses the indefinite length form")
        );
        assert_eq!(to_der(&[0x30, 0x80, 0x02, 0x01]), Err(BerError::Truncated));
        assert_eq!(to_der(&[0x02, 0x01, 0x01, 0xFF]), Err(BerError::TrailingData));
        // 100 nested indefinite SEQUENCEs
        let mut deep = Vec::new();
        for _ in 0..100 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        assert_eq!(to_der(&deep), Err(BerError::TooDeep));
    }
}
