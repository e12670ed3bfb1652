//! Validated identifiers: GTIN, GLN, target market and the item key.
//!
//! Each newtype checks itself on construction, so holding one means it is
//! valid (rust-analyzer's "function preconditions"). The one exception is
//! [`Gln::new_lenient`]: GS1's own samples carry GLNs with wrong check digits,
//! and our policy (R448) keeps such a value as given, with a warning.

use std::fmt;

use serde::{Serialize, Serializer};

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Characters other than ASCII digits.
    #[error("{kind} `{value}` contains characters other than digits")]
    NotDigits {
        /// What was being read (GTIN, GLN, ...).
        kind: &'static str,
        /// The value as given.
        value: String,
    },
    /// Wrong number of digits.
    #[error("{kind} `{value}` has {len} digits, expected {expected}")]
    Length {
        /// What was being read.
        kind: &'static str,
        /// The value as given.
        value: String,
        /// Its length.
        len: usize,
        /// The lengths allowed, in words.
        expected: &'static str,
    },
    /// The GS1 modulo-10 check digit does not match.
    #[error("{kind} `{value}` has check digit {found}, expected {expected}")]
    CheckDigit {
        /// What was being read.
        kind: &'static str,
        /// The value as given.
        value: String,
        /// The last digit of the value.
        found: u8,
        /// The digit the algorithm computes.
        expected: u8,
    },
    /// A target market that is not a 1-3 digit ISO 3166-1 numeric code.
    #[error("target market `{0}` is not an ISO 3166-1 numeric code")]
    TargetMarket(String),
    /// A subdivision that is not an ISO 3166-2 code such as `US-CA`.
    #[error("target market subdivision `{0}` is not an ISO 3166-2 code")]
    Subdivision(String),
}

/// The GS1 modulo-10 check digit of `digits` (the payload, without check
/// digit). Expects ASCII digits; anything else counts as 0.
///
/// Weights 3 and 1 alternate from the rightmost payload digit, so the same
/// routine serves GTIN-8/12/13/14, GLN and SSCC.
pub fn check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            u32::from(if d.is_ascii_digit() { d - b'0' } else { 0 }) * if i % 2 == 0 { 3 } else { 1 }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn digits_only(kind: &'static str, value: &str) -> Result<(), IdError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotDigits { kind, value: value.to_owned() });
    }
    Ok(())
}

fn verify_check_digit(kind: &'static str, value: &str) -> Result<(), IdError> {
    let Some((&last, payload)) = value.as_bytes().split_last() else {
        return Err(IdError::NotDigits { kind, value: value.to_owned() });
    };
    let expected = check_digit(payload);
    let found = last.wrapping_sub(b'0');
    if found != expected {
        return Err(IdError::CheckDigit { kind, value: value.to_owned(), found, expected });
    }
    Ok(())
}

/// A Global Trade Item Number, always held in its 14-digit form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gtin([u8; 14]);

impl Gtin {
    /// Reads a GTIN-8, -12, -13 or -14 (digits only), checks its check digit
    /// and left-pads it to 14 digits.
    pub fn parse(value: &str) -> Result<Gtin, IdError> {
        digits_only("GTIN", value)?;
        if !matches!(value.len(), 8 | 12 | 13 | 14) {
            return Err(IdError::Length {
                kind: "GTIN",
                value: value.to_owned(),
                len: value.len(),
                expected: "8, 12, 13 or 14",
            });
        }
        verify_check_digit("GTIN", value)?;
        let mut out = [b'0'; 14];
        out[14 - value.len()..].copy_from_slice(value.as_bytes());
        Ok(Gtin(out))
    }

    /// The 14-digit form.
    pub fn as_str(&self) -> &str {
        // Invariant: only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The shorter GTIN-8/12/13 forms this GTIN-14 has, shortest first
    /// (a GTIN-14 with leading zeros is also a valid GTIN-13, -12 or -8).
    pub fn short_forms(&self) -> Vec<&str> {
        let s = self.as_str();
        [8usize, 12, 13]
            .into_iter()
            .filter(|&n| s.as_bytes()[..14 - n].iter().all(|&b| b == b'0'))
            .map(|n| &s[14 - n..])
            .collect()
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gtin({})", self.as_str())
    }
}

impl Serialize for Gtin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A Global Location Number: 13 digits.
///
/// `check_digit_ok` records whether the check digit matched: a GLN with a wrong
/// check digit is kept as given (rule 448 is a warning for us).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gln {
    digits: [u8; 13],
    check_digit_ok: bool,
}

impl Gln {
    /// Reads a 13-digit GLN and insists on a correct check digit.
    pub fn parse(value: &str) -> Result<Gln, IdError> {
        let gln = Gln::new_lenient(value)?;
        verify_check_digit("GLN", value)?;
        Ok(gln)
    }

    /// Reads a 13-digit GLN, keeping it even when its check digit is wrong.
    pub fn new_lenient(value: &str) -> Result<Gln, IdError> {
        digits_only("GLN", value)?;
        if value.len() != 13 {
            return Err(IdError::Length {
                kind: "GLN",
                value: value.to_owned(),
                len: value.len(),
                expected: "13",
            });
        }
        let mut digits = [0u8; 13];
        digits.copy_from_slice(value.as_bytes());
        let check_digit_ok = verify_check_digit("GLN", value).is_ok();
        Ok(Gln { digits, check_digit_ok })
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits).unwrap_or("")
    }

    /// Whether the check digit matched when the GLN was read.
    pub fn check_digit_ok(&self) -> bool {
        self.check_digit_ok
    }
}

impl fmt::Display for Gln {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Gln {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gln({})", self.as_str())
    }
}

impl Serialize for Gln {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A target market: ISO 3166-1 numeric country code (always three digits,
/// `056` for Belgium) and an optional ISO 3166-2 subdivision (`US-CA`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TargetMarket {
    country: [u8; 3],
    subdivision: Option<String>,
}

impl TargetMarket {
    /// Reads a country code of one to three digits (left-padded to three) and
    /// an optional subdivision, which is upper-cased (`us-ca` occurs in real data).
    pub fn parse(country: &str, subdivision: Option<&str>) -> Result<TargetMarket, IdError> {
        let country = country.trim();
        if country.is_empty()
            || country.len() > 3
            || !country.bytes().all(|b| b.is_ascii_digit())
            || country.bytes().all(|b| b == b'0')
        {
            return Err(IdError::TargetMarket(country.to_owned()));
        }
        let mut code = [b'0'; 3];
        code[3 - country.len()..].copy_from_slice(country.as_bytes());
        let subdivision = match subdivision.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(parse_subdivision(s)?),
        };
        Ok(TargetMarket { country: code, subdivision })
    }

    /// The three-digit country code.
    pub fn country(&self) -> &str {
        std::str::from_utf8(&self.country).unwrap_or("")
    }

    /// The upper-case ISO 3166-2 subdivision, if any.
    pub fn subdivision(&self) -> Option<&str> {
        self.subdivision.as_deref()
    }
}

fn parse_subdivision(s: &str) -> Result<String, IdError> {
    let upper = s.to_ascii_uppercase();
    let ok = match upper.split_once('-') {
        Some((cc, rest)) => {
            cc.len() == 2
                && cc.bytes().all(|b| b.is_ascii_uppercase())
                && (1..=3).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    };
    if ok { Ok(upper) } else { Err(IdError::Subdivision(s.to_owned())) }
}

impl fmt::Display for TargetMarket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.country())?;
        if let Some(sub) = &self.subdivision {
            write!(f, "/{sub}")?;
        }
        Ok(())
    }
}

impl Serialize for TargetMarket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TargetMarket", 2)?;
        st.serialize_field("country", self.country())?;
        st.serialize_field("subdivision", &self.subdivision)?;
        st.end()
    }
}

/// The identity of a synchronised item: information-provider GLN + GTIN +
/// target market (+ subdivision), the `catalogueItemReference` triple.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ItemKey {
    /// The information provider (data source).
    pub provider: Gln,
    /// The trade item.
    pub gtin: Gtin,
    /// Where it is sold.
    pub target_market: TargetMarket,
}

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.provider, self.gtin, self.target_market)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_matches_gs1_worked_examples() {
        assert_eq!(check_digit(b"50123456789"), 0);
        assert_eq!(check_digit(b"501234567890"), 0);
        assert!(Gtin::parse("5012345678900").is_ok());
        assert!(Gtin::parse("4006381333931").is_ok());
        assert!(Gtin::parse("4006381333932").is_err());
    }

    #[test]
    fn gtin_pads_and_lists_short_forms() {
        let g = Gtin::parse("96385074").unwrap();
        assert_eq!(g.as_str(), "00000096385074");
        assert_eq!(g.short_forms(), vec!["96385074", "000096385074", "0000096385074"]);
        let g = Gtin::parse("10036016500279").unwrap();
        assert!(g.short_forms().is_empty());
    }

    #[test]
    fn gtin_refuses_bad_input() {
        for bad in ["", "123", "abcdefghijklm", "1234567890123456", "0003600029145x"] {
            assert!(Gtin::parse(bad).is_err(), "{bad}");
        }
        let err = Gtin::parse("00018627703390").unwrap_err();
        assert!(matches!(err, IdError::CheckDigit { found: 0, .. }), "{err}");
    }

    #[test]
    fn gln_lenient_keeps_wrong_check_digit() {
        let gln = Gln::new_lenient("7712345678944").unwrap();
        assert!(!gln.check_digit_ok());
        assert!(Gln::parse("7712345678944").is_err());
        assert!(Gln::parse("5412345000013").is_ok());
        assert!(Gln::new_lenient("TOKEN").is_err());
    }

    #[test]
    fn target_market_is_three_digits_with_upper_subdivision() {
        let tm = TargetMarket::parse("56", None).unwrap();
        assert_eq!(tm.country(), "056");
        let tm = TargetMarket::parse("840", Some("us-ca")).unwrap();
        assert_eq!(tm.subdivision(), Some("US-CA"));
        assert_eq!(tm.to_string(), "840/US-CA");
        assert!(TargetMarket::parse("FR", None).is_err());
        assert!(TargetMarket::parse("000", None).is_err());
        assert!(TargetMarket::parse("840", Some("California")).is_err());
    }
}
