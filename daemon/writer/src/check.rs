//! Checks that a value has the form its XSD type demands before it is
//! written. Each check returns the value, so a write reads
//! `w.leaf("gln", check::gln(at, "sender", value)?)`.
//!
//! `at` is the path of the enclosing input (`confirmations[1]`, or empty at
//! the top); `name` the field inside it. The path is only built on error.

use std::collections::BTreeSet;

use crate::error::WriteError;

/// `at.name`, or `name` at the top.
pub(crate) fn path(at: &str, name: &str) -> String {
    if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") }
}

fn digits<'v>(
    at: &str,
    name: &str,
    value: &'v str,
    len: usize,
    expected: &'static str,
) -> Result<&'v str, WriteError> {
    if value.len() == len && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value)
    } else {
        Err(WriteError::Invalid { field: path(at, name), value: value.to_owned(), expected })
    }
}

/// `GLNType`: exactly 13 digits (the check digit is not verified).
pub(crate) fn gln<'v>(at: &str, name: &str, value: &'v str) -> Result<&'v str, WriteError> {
    digits(at, name, value, 13, "a GLN of 13 digits")
}

/// `GTINType`: exactly 14 digits (the check digit is not verified).
pub(crate) fn gtin<'v>(at: &str, name: &str, value: &'v str) -> Result<&'v str, WriteError> {
    digits(at, name, value, 14, "a GTIN of 14 digits")
}

/// A target market country: the three-digit ISO 3166-1 numeric code GDSN uses.
pub(crate) fn country<'v>(at: &str, name: &str, value: &'v str) -> Result<&'v str, WriteError> {
    digits(at, name, value, 3, "a target market country code of 3 digits")
}

/// A GPC brick code: exactly 8 digits.
pub(crate) fn gpc<'v>(at: &str, name: &str, value: &'v str) -> Result<&'v str, WriteError> {
    digits(at, name, value, 8, "a GPC category code of 8 digits")
}

/// Text of `min..=max` characters that XML 1.0 can carry.
pub(crate) fn text<'v>(
    at: &str,
    name: &str,
    value: &'v str,
    min: usize,
    max: usize,
) -> Result<&'v str, WriteError> {
    if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
        return Err(WriteError::ForbiddenCharacter { field: path(at, name), code_point: u32::from(c) });
    }
    let chars = value.chars().count();
    if !(min..=max).contains(&chars) {
        return Err(WriteError::Length { field: path(at, name), chars, min, max });
    }
    Ok(value)
}

/// An identifier or code (`entityIdentification`, `String80Type` codes):
/// 1 to 80 characters without surrounding white space, which readers trim.
pub(crate) fn token<'v>(at: &str, name: &str, value: &'v str) -> Result<&'v str, WriteError> {
    let value = text(at, name, value, 1, 80)?;
    if value.trim() != value {
        return Err(WriteError::Invalid {
            field: path(at, name),
            value: value.to_owned(),
            expected: "an identifier without surrounding white space",
        });
    }
    Ok(value)
}

/// XML 1.0's `Char` production (Rust strings hold no surrogates).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Checks a message's list: not empty and within rule 493.
pub(crate) fn list<T>(what: &'static str, items: &[T]) -> Result<(), WriteError> {
    if items.is_empty() {
        return Err(WriteError::Empty { what });
    }
    if items.len() > crate::MAX_TRANSACTIONS {
        return Err(WriteError::TooMany { what, count: items.len(), max: crate::MAX_TRANSACTIONS });
    }
    Ok(())
}

/// Document identifiers seen so far in one message; each becomes a
/// transaction and command identifier too, so each must be unique.
#[derive(Default)]
pub(crate) struct DocumentIds<'v>(BTreeSet<&'v str>);

impl<'v> DocumentIds<'v> {
    /// Checks `value` as an identifier and that it is new in this message.
    pub(crate) fn add(&mut self, at: &str, name: &str, value: &'v str) -> Result<&'v str, WriteError> {
        let value = token(at, name, value)?;
        if !self.0.insert(value) {
            return Err(WriteError::Duplicate { field: path(at, name), value: value.to_owned() });
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_need_their_exact_digit_count() {
        assert_eq!(gln("", "sender", "4000001000005"), Ok("4000001000005"));
        assert!(gln("", "sender", "400000100000").is_err());
        assert!(gln("", "sender", "40000010000050").is_err());
        assert!(gln("", "sender", "400000100000a").is_err());
        assert!(gln("", "sender", " 4000001000005").is_err());
        assert_eq!(gtin("x", "gtin", "04012345000016"), Ok("04012345000016"));
        assert!(gtin("x", "gtin", "4012345000016").is_err());
        assert!(gtin("x", "gtin", "０4012345000016").is_err(), "full-width digits are not digits");
        assert_eq!(country("", "tm", "056"), Ok("056"));
        assert!(country("", "tm", "56").is_err());
        assert_eq!(gpc("", "gpc", "10000028"), Ok("10000028"));
        assert!(gpc("", "gpc", "1000002").is_err());
    }

    #[test]
    fn errors_name_the_field_path() {
        let err = gtin("confirmations[3].item", "gtin", "123").unwrap_err();
        assert_eq!(err.to_string(), "confirmations[3].item.gtin `123` is not a GTIN of 14 digits");
        let err = gln("", "envelope.sender", "1").unwrap_err();
        assert_eq!(err.to_string(), "envelope.sender `1` is not a GLN of 13 digits");
    }

    #[test]
    fn text_counts_characters_not_bytes() {
        let arabic = "م".repeat(80);
        assert_eq!(arabic.len(), 160);
        assert!(token("", "id", &arabic).is_ok());
        let err = token("", "id", &"ж".repeat(81)).unwrap_err();
        assert_eq!(err, WriteError::Length { field: "id".into(), chars: 81, min: 1, max: 80 });
        assert!(matches!(token("", "id", ""), Err(WriteError::Length { chars: 0, .. })));
        assert!(text("", "d", &"x".repeat(1000), 1, 1000).is_ok());
        assert!(text("", "d", &"x".repeat(1001), 1, 1000).is_err());
    }

    #[test]
    fn characters_xml_cannot_carry_are_refused() {
        for bad in ["a\u{0}b", "\u{1}", "bell\u{7}", "\u{1B}[0m", "\u{FFFE}", "\u{FFFF}", "\u{1F}"] {
            let err = text("s", "d", bad, 0, 100).unwrap_err();
            assert!(matches!(err, WriteError::ForbiddenCharacter { .. }), "{bad:?}");
        }
        let err = text("s", "d", "ok\u{8}", 0, 100).unwrap_err();
        assert_eq!(err.to_string(), "s.d contains U+0008, which XML 1.0 cannot carry");
        for good in ["tab\there", "line\nfeed", "cr\r", "\u{7F}", "\u{FFFD}", "😀", "\u{10FFFF}", "\u{E000}"]
        {
            assert!(text("s", "d", good, 0, 100).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn tokens_refuse_surrounding_white_space() {
        assert!(token("", "id", "a b").is_ok());
        for bad in [" a", "a ", "\ta", "a\n", " "] {
            assert!(token("", "id", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn document_ids_must_be_unique() {
        let mut ids = DocumentIds::default();
        assert!(ids.add("d[0]", "id", "A").is_ok());
        assert!(ids.add("d[1]", "id", "B").is_ok());
        let err = ids.add("d[2]", "id", "A").unwrap_err();
        assert_eq!(err, WriteError::Duplicate { field: "d[2].id".into(), value: "A".into() });
    }

    #[test]
    fn lists_are_bounded() {
        assert_eq!(list::<u8>("xs", &[]), Err(WriteError::Empty { what: "xs" }));
        assert!(list("xs", &[0u8; 1000]).is_ok());
        assert_eq!(list("xs", &[0u8; 1001]), Err(WriteError::TooMany { what: "xs", count: 1001, max: 1000 }));
    }
}
