//! Search cursors: where the previous page ended, in an opaque string.
//!
//! Hits are ordered by score (descending), then key (ascending); keys are
//! unique among live documents, so this is a total order. A cursor holds
//! the (score, key) of the last hit handed out, and the next page is every
//! hit strictly after it in that order (keyset paging). For an index that
//! does not change between the calls, every score is recomputed bit for
//! bit, so paging never repeats or skips a hit. When the index changes,
//! hits whose score and key did not change are still neither repeated nor
//! skipped (an offset cursor would shift by every insertion above it);
//! BM25 scores depend on index-wide statistics, so a commit can move a hit
//! across the cursor, which no cursor over relevance order can prevent.
//!
//! The cursor also carries a fingerprint of the query and filters, so a
//! cursor replayed with another query is refused instead of silently
//! paging through the wrong order.
//!
//! Format: 16 hex digits of fingerprint, 8 of the score's f32 bits, then
//! the key's UTF-8 bytes in hex.

use crate::error::IndexError;

/// The decoded position after which the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct After {
    pub(crate) score: f32,
    pub(crate) key: String,
}

/// FNV-1a over the parts, each followed by a separator byte that text
/// cannot contain, so ("ab", "") and ("a", "b") differ.
pub(crate) fn fingerprint<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for part in parts {
        match part {
            Some(text) => text.bytes().for_each(&mut eat),
            None => eat(0xfe),
        }
        eat(0xff);
    }
    hash
}

/// The cursor after `after` for a request with `fingerprint`.
pub(crate) fn encode(fingerprint: u64, after: &After) -> String {
    let mut out = format!("{fingerprint:016x}{:08x}", after.score.to_bits());
    for b in after.key.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Reads a cursor handed out for a request with `fingerprint`.
pub(crate) fn decode(fingerprint: u64, cursor: &str) -> Result<After, IndexError> {
    let bytes = cursor.as_bytes();
    if bytes.len() < 24 || !bytes.len().is_multiple_of(2) {
        return Err(IndexError::BadCursor("wrong length"));
    }
    let hex = |range: std::ops::Range<usize>| {
        cursor
            .get(range)
            .and_then(|s| u64::from_str_radix(s, 16).ok())
            .ok_or(IndexError::BadCursor("not hexadecimal"))
    };
    if hex(0..16)? != fingerprint {
        return Err(IndexError::BadCursor("it belongs to another query"));
    }
    let score = f32::from_bits(hex(16..24)? as u32);
    if !score.is_finite() {
        return Err(IndexError::BadCursor("bad score"));
    }
    let key = (24..bytes.len())
        .step_by(2)
        .map(|i| hex(i..i + 2).map(|b| b as u8))
        .collect::<Result<Vec<u8>, _>>()?;
    let key = String::from_utf8(key).map_err(|_| IndexError::BadCursor("key is not UTF-8"))?;
    Ok(After { score, key })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let after = After { score: 3.25, key: "3012345000000/03012345100014/250".into() };
        let fp = fingerprint([Some("parfum"), None]);
        assert_eq!(decode(fp, &encode(fp, &after)).unwrap(), after);
        let odd = After { score: 0.0, key: "é/Ж".into() };
        assert_eq!(decode(fp, &encode(fp, &odd)).unwrap(), odd);
    }

    #[test]
    fn refuses_foreign_and_broken_cursors() {
        let fp = fingerprint([Some("a")]);
        let cursor = encode(fp, &After { score: 1.0, key: "k".into() });
        assert!(decode(fingerprint([Some("b")]), &cursor).is_err());
        for bad in ["", "zz", &cursor[..cursor.len() - 1], &format!("{cursor}zz"), "é"] {
            assert!(decode(fp, bad).is_err(), "{bad}");
        }
        assert_ne!(fingerprint([Some("ab"), Some("")]), fingerprint([Some("a"), Some("b")]));
        assert_ne!(fingerprint([None]), fingerprint([Some("")]));
    }
}
