//! [`ByteSize`]: a size in bytes written as an integer (`67108864`) or with a unit (`"64 MiB"`).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A number of bytes.
///
/// In the file: a non-negative integer of bytes, or a string of a whole number and a unit: `B`, decimal
/// `KB`/`MB`/`GB` (powers of 1000) or binary `KiB`/`MiB`/`GiB` (powers of 1024), with or without a
/// space, unit letters in any case: `"64 MiB"`, `"5MB"`, `"512 KiB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

impl ByteSize {
    /// The size in bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes", self.0)
    }
}

/// Reads `"64 MiB"` and friends; the error says what was expected.
fn parse(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits_end = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits_end);
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "invalid byte size {text:?}: expected a whole number and B, KB, MB, GB, KiB, MiB or GiB"
            ));
        }
    };
    let number: u64 =
        number.parse().map_err(|_| format!("invalid byte size {text:?}: expected a whole number first"))?;
    number.checked_mul(multiplier).ok_or_else(|| format!("byte size {text:?} is too large"))
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ByteSizeVisitor)
    }
}

struct ByteSizeVisitor;

impl Visitor<'_> for ByteSizeVisitor {
    type Value = ByteSize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number of bytes or a string like \"64 MiB\"")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<ByteSize, E> {
        Ok(ByteSize(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<ByteSize, E> {
        u64::try_from(value).map(ByteSize).map_err(|_| E::custom(format!("byte size {value} is negative")))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<ByteSize, E> {
        parse(value).map(ByteSize).map_err(E::custom)
    }
}

impl JsonSchema for ByteSize {
    fn schema_name() -> Cow<'static, str> {
        "ByteSize".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A size in bytes: an integer, or a whole number with a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. \"64 MiB\".",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*[0-9]+\\s*([BbKkMmGg]|[KkMmGg][Ii]?[Bb])?\\s*$" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_decimal_or_binary() {
        assert_eq!(parse("64 MiB"), Ok(64 << 20));
        assert_eq!(parse("5MB"), Ok(5_000_000));
        assert_eq!(parse("512 kib"), Ok(512 * 1024));
        assert_eq!(parse("1024"), Ok(1024));
        assert_eq!(parse(" 7 B "), Ok(7));
    }

    #[test]
    fn bad_sizes_say_what_is_expected() {
        assert!(parse("64 MB/s").unwrap_err().contains("expected a whole number and B, KB"));
        assert!(parse("1.5 GiB").is_err());
        assert!(parse("MiB").unwrap_err().contains("whole number first"));
        assert!(parse("99999999999999 GiB").unwrap_err().contains("too large"));
    }

    #[test]
    fn integers_and_strings_deserialize() {
        #[derive(Debug, serde::Deserialize)]
        struct T {
            a: ByteSize,
            b: ByteSize,
        }
        let t: T = toml::from_str("a = 10\nb = \"1 KiB\"").unwrap();
        assert_eq!((t.a.bytes(), t.b.bytes()), (10, 1024));
        assert!(toml::from_str::<T>("a = -1\nb = 1").unwrap_err().message().contains("negative"));
    }
}
