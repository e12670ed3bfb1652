//! Item keys as bytes: the text form `GLN/GTIN/TM[/SUBDIVISION]`, which
//! sorts by provider, then GTIN, then target market.

use gdsn_model::ids::{Gln, Gtin, ItemKey, TargetMarket};

/// The stored form of a key: its text form (`ItemKey`'s `Display`), built
/// without the formatting machinery (it runs several times per item).
pub fn encode(key: &ItemKey) -> Vec<u8> {
    let (provider, gtin, country) = (key.provider.as_str(), key.gtin.as_str(), key.target_market.country());
    let subdivision = key.target_market.subdivision();
    let mut out =
        Vec::with_capacity(provider.len() + gtin.len() + country.len() + 3 + subdivision.map_or(0, str::len));
    for part in [provider, "/", gtin, "/", country] {
        out.extend_from_slice(part.as_bytes());
    }
    if let Some(subdivision) = subdivision {
        out.push(b'/');
        out.extend_from_slice(subdivision.as_bytes());
    }
    out
}

/// Reads [`encode`]; `None` for bytes that are not a key.
pub fn decode(bytes: &[u8]) -> Option<ItemKey> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut parts = text.splitn(4, '/');
    let provider = Gln::new_lenient(parts.next()?).ok()?;
    let gtin = Gtin::parse(parts.next()?).ok()?;
    let target_market = TargetMarket::parse(parts.next()?, parts.next()).ok()?;
    Some(ItemKey { provider, gtin, target_market })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for (gln, gtin, tm, sub) in [
            ("5412345000013", "05412345000105", "056", None),
            ("7712345678944", "00074562000525", "840", Some("US-CA")),
        ] {
            let key = ItemKey {
                provider: Gln::new_lenient(gln).expect("gln"),
                gtin: Gtin::parse(gtin).expect("gtin"),
                target_market: TargetMarket::parse(tm, sub).expect("tm"),
            };
            assert_eq!(encode(&key), key.to_string().into_bytes());
            assert_eq!(decode(&encode(&key)), Some(key));
        }
        assert_eq!(decode(b"nonsense"), None);
        assert_eq!(decode(&[0xff, 0xfe]), None);
    }
}
