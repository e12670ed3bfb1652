//! The HMAC-SHA256 signatures of the pool protocol, public so that tests (and whoever writes a
//! client) sign exactly as the simulator verifies.
//!
//! Signed requests (auth style `hmac`, `schemas/pool-api.openapi.yaml`, security scheme `hmac`):
//!
//! ```text
//! string_to_sign = METHOD "\n" PATH_AND_QUERY "\n" TIMESTAMP "\n" hex(SHA-256(body))
//! X-Signature    = hex(HMAC-SHA256(secret, string_to_sign))
//! ```
//!
//! `METHOD` is upper case; `PATH_AND_QUERY` is the request target exactly as sent (path including any
//! base path, then `?` and the query if there is one, percent-encoding untouched); `TIMESTAMP` is the
//! `X-Timestamp` header value verbatim (RFC 3339); hex is lower case; an empty body hashes as the
//! SHA-256 of zero bytes.
//!
//! Webhook pushes sign the raw body alone: `X-Signature-256: sha256=hex(HMAC-SHA256(secret, body))`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The string a signed request's signature covers.
pub fn string_to_sign(method: &str, path_and_query: &str, timestamp: &str, body: &[u8]) -> String {
    format!("{}\n{path_and_query}\n{timestamp}\n{}", method.to_ascii_uppercase(), sha256_hex(body))
}

/// Lower-case hex HMAC-SHA256 of `data` under `secret`.
pub fn hmac_sha256_hex(secret: &[u8], data: &[u8]) -> String {
    mac(secret, data).map(|m| hex(&m.finalize().into_bytes())).unwrap_or_default()
}

/// The `X-Signature` value of a request.
pub fn sign_request(
    secret: &[u8],
    method: &str,
    path_and_query: &str,
    timestamp: &str,
    body: &[u8],
) -> String {
    hmac_sha256_hex(secret, string_to_sign(method, path_and_query, timestamp, body).as_bytes())
}

/// Whether `signature_hex` is the HMAC-SHA256 of `data` under `secret`, compared in constant time.
/// Upper-case hex is accepted; anything that is not hex is a mismatch.
pub fn verify_hex(secret: &[u8], data: &[u8], signature_hex: &str) -> bool {
    let Some(signature) = unhex(signature_hex) else {
        return false;
    };
    mac(secret, data).is_some_and(|m| m.verify_slice(&signature).is_ok())
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// HMAC takes keys of any length (longer ones are hashed first), so this is never `None`; the
/// `Option` only spares a panic path.
fn mac(secret: &[u8], data: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(data);
    Some(mac)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        let got = hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(got, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn verify_accepts_own_signature_only() {
        let sig = sign_request(b"k", "get", "/inbox?limit=2", "2026-01-01T00:00:00Z", b"");
        let sts = string_to_sign("GET", "/inbox?limit=2", "2026-01-01T00:00:00Z", b"");
        assert!(sts.starts_with("GET\n/inbox?limit=2\n2026-01-01T00:00:00Z\ne3b0c442"));
        assert!(verify_hex(b"k", sts.as_bytes(), &sig));
        assert!(verify_hex(b"k", sts.as_bytes(), &sig.to_ascii_uppercase()));
        assert!(!verify_hex(b"other", sts.as_bytes(), &sig));
        assert!(!verify_hex(b"k", sts.as_bytes(), "zz"));
        assert!(!verify_hex(b"k", sts.as_bytes(), "é"));
    }
}
