//! Encodings of the `state`, `claims` and `tombstones` values.
//!
//! `state`: 16-byte content hash, 40-byte [`Version`], 1 byte standalone,
//! then the parents and the children as key lists. A key list is a u32
//! count followed by, for each key, a u16 length and the key bytes.

use std::collections::BTreeSet;

use gdsn_diff::{Links, Reason, Stored, Tombstone, Version};
use gdsn_model::ids::ItemKey;

use crate::keys;

/// Encodes a live key's state.
pub fn encode_state(stored: &Stored) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&stored.hash.to_be_bytes());
    out.extend_from_slice(&stored.version.to_bytes());
    out.push(u8::from(stored.links.standalone));
    put_keys(&mut out, stored.links.parents.iter());
    put_keys(&mut out, stored.links.children.iter());
    out
}

/// Decodes [`encode_state`].
pub fn decode_state(bytes: &[u8]) -> Option<Stored> {
    let hash = u128::from_be_bytes(bytes.get(..16)?.try_into().ok()?);
    let version = Version::from_bytes(bytes.get(16..56)?)?;
    let standalone = *bytes.get(56)? == 1;
    let mut rest = bytes.get(57..)?;
    let parents: BTreeSet<ItemKey> = take_keys(&mut rest)?.into_iter().collect();
    let children = take_keys(&mut rest)?;
    Some(Stored { hash, version, links: Links { parents, children, standalone } })
}

/// Encodes a key list (the `claims` value).
pub fn encode_keys<'k>(keys: impl Iterator<Item = &'k ItemKey>) -> Vec<u8> {
    let mut out = Vec::new();
    put_keys(&mut out, keys);
    out
}

/// Decodes [`encode_keys`].
pub fn decode_keys(mut bytes: &[u8]) -> Option<Vec<ItemKey>> {
    take_keys(&mut bytes)
}

/// Encodes a tombstone: the version, then the reason's text.
pub fn encode_tombstone(tombstone: &Tombstone) -> Vec<u8> {
    let mut out = tombstone.version.to_bytes().to_vec();
    out.extend_from_slice(tombstone.reason.as_text().as_bytes());
    out
}

/// Decodes [`encode_tombstone`].
pub fn decode_tombstone(bytes: &[u8]) -> Option<Tombstone> {
    let version = Version::from_bytes(bytes.get(..40)?)?;
    let reason = Reason::from_text(std::str::from_utf8(bytes.get(40..)?).ok()?);
    Some(Tombstone { version, reason })
}

fn put_keys<'k>(out: &mut Vec<u8>, keys: impl Iterator<Item = &'k ItemKey>) {
    let encoded: Vec<Vec<u8>> = keys.map(keys::encode).collect();
    out.extend_from_slice(&(encoded.len() as u32).to_be_bytes());
    for key in encoded {
        out.extend_from_slice(&(key.len() as u16).to_be_bytes());
        out.extend_from_slice(&key);
    }
}

fn take_keys(bytes: &mut &[u8]) -> Option<Vec<ItemKey>> {
    let count = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
    *bytes = bytes.get(4..)?;
    let mut keys = Vec::new();
    for _ in 0..count {
        let len = usize::from(u16::from_be_bytes(bytes.get(..2)?.try_into().ok()?));
        keys.push(keys::decode(bytes.get(2..2 + len)?)?);
        *bytes = bytes.get(2 + len..)?;
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(gtin: &str) -> ItemKey {
        keys::decode(format!("5412345000013/{gtin}/056").as_bytes()).expect("key")
    }

    #[test]
    fn state_and_tombstones_round_trip() {
        let stored = Stored {
            hash: 0x0123_4567_89ab_cdef_0011_2233_4455_6677,
            version: Version { item_time: -5, message_time: 7, sequence: 3 },
            links: Links {
                parents: [key("05412345000105")].into_iter().collect(),
                children: vec![key("05412345000112"), key("05412345000129")],
                standalone: true,
            },
        };
        assert_eq!(decode_state(&encode_state(&stored)), Some(stored.clone()));
        assert_eq!(decode_state(&encode_state(&stored)[..60]), None);
        let tombstone =
            Tombstone { version: stored.version, reason: Reason::Withdrawn("PUBLICATION_WITHDRAWAL".into()) };
        assert_eq!(decode_tombstone(&encode_tombstone(&tombstone)), Some(tombstone));
    }
}
