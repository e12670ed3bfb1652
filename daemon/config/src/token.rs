//! API tokens stored as SHA-256 hashes: [`TokenHash`] and [`hash_admin_token`].
//!
//! The config holds `admin_token_sha256 = "<64 hex digits>"`, never the token: a leaked config file (a
//! backup, a support ticket) does not give admin access. The token is long and random, so a plain
//! SHA-256 is enough; a password hash would only slow every request down.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The SHA-256 of an API bearer token, checked in constant time.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

/// The value to put in `admin_token_sha256` (or `read_token_sha256`) for `token`: its SHA-256 in lower-case
/// hex, the same as `printf %s TOKEN | sha256sum` prints.
pub fn hash_admin_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

impl TokenHash {
    /// Reads 64 hex digits (either case).
    pub fn parse(hex_digits: &str) -> Result<Self, String> {
        let invalid = || {
            format!(
                "expected the SHA-256 of the token as 64 hex digits (got {} characters), as `printf %s TOKEN | sha256sum` prints it",
                hex_digits.chars().count()
            )
        };
        let bytes = hex_digits.as_bytes();
        if bytes.len() != 64 {
            return Err(invalid());
        }
        let mut digest = [0u8; 32];
        for (slot, pair) in digest.iter_mut().zip(bytes.chunks_exact(2)) {
            let high = hex_value(pair[0]).ok_or_else(invalid)?;
            let low = hex_value(pair[1]).ok_or_else(invalid)?;
            *slot = high << 4 | low;
        }
        Ok(TokenHash(digest))
    }

    /// Whether `presented` (from an `Authorization: Bearer` header) is the token. The comparison of the
    /// digests takes the same time wherever they differ.
    pub fn verify(&self, presented: &str) -> bool {
        let digest = Sha256::digest(presented.as_bytes());
        // `subtle`: the comparison must not be one the optimiser may end early.
        bool::from(self.0.as_slice().ct_eq(digest.as_slice()))
    }
}

impl fmt::Debug for TokenHash {
    // Not a secret, but there is no reason to spread it through logs either: the first bytes identify it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", hex(&self.0[..4]))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_token_verifies_and_others_do_not() {
        let stored = hash_admin_token("correct horse");
        assert_eq!(stored.len(), 64);
        let hash = TokenHash::parse(&stored.to_uppercase()).unwrap();
        assert!(hash.verify("correct horse"));
        assert!(!hash.verify("correct horse "));
        assert!(!hash.verify(""));
    }

    #[test]
    fn known_digest() {
        assert_eq!(
            hash_admin_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn malformed_hashes_are_refused() {
        assert!(TokenHash::parse("abc").unwrap_err().contains("64 hex digits (got 3 characters)"));
        assert!(TokenHash::parse(&"g".repeat(64)).is_err());
        assert_eq!(format!("{:?}", TokenHash::parse(&"0".repeat(64)).unwrap()), "TokenHash(00000000…)");
    }
}
