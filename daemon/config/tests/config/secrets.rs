//! Secrets are resolved from variables and files, and never appear in `Debug` or `Display` output.

use gdsn_config::{HttpAuth, Transport, WebhookAuth, hash_admin_token};

use crate::util::{load, valid};

/// A config with one secret of every kind and source, in variables and files whose values the test
/// knows.
fn every_secret() -> String {
    format!(
        r#"
allow_plaintext_secrets = true
[http]
admin_token_sha256 = "{admin}"

[[connections]]
name = "a"
kind = "http_inbox"
schedule = "@hourly"
[connections.http]
base_url = "https://pool.example/"
auth = {{ kind = "oauth2_password", token_url = "https://auth.example/token", client_id = "c", client_secret = {{ env = "POOL_SECRET" }}, username = "u", password = {{ file = "/run/secrets/pool" }} }}

[[connections]]
name = "b"
kind = "webhook"
webhook.auth = {{ kind = "hmac_sha256", secret = {{ plaintext = "plain-secret-value" }} }}

[sink]
kind = "opensearch"
opensearch = {{ url = "https://search.example", alias = "p", auth = {{ kind = "basic", username = "u", password = {{ env = "POOL_SECRET" }} }} }}
"#,
        admin = hash_admin_token("admin-token-value")
    )
}

#[test]
fn secrets_are_resolved_from_their_sources() {
    let config = valid(&every_secret());
    let Transport::HttpInbox { http, .. } = &config.connections[0].transport else { panic!() };
    let HttpAuth::OAuth2Password { client_secret, password, .. } = &http.auth else { panic!() };
    assert_eq!(client_secret.as_ref().unwrap().expose(), "env-secret-value");
    assert_eq!(password.expose(), "file-secret-value", "one trailing newline removed");
    let Transport::Webhook { webhook, .. } = &config.connections[1].transport else { panic!() };
    let WebhookAuth::HmacSha256 { secret, signature_header, signature_prefix } = &webhook.auth else {
        panic!()
    };
    assert_eq!(secret.expose(), "plain-secret-value");
    assert_eq!((signature_header.as_str(), signature_prefix.as_str()), ("X-Signature-256", "sha256="));
}

#[test]
fn debug_output_of_a_config_never_contains_a_secret() {
    let config = valid(&every_secret());
    let printed = format!("{config:?} {config:#?}");
    for secret in ["env-secret-value", "file-secret-value", "plain-secret-value", "admin-token-value"] {
        assert!(!printed.contains(secret), "{secret} leaked");
    }
    assert!(printed.contains("***"));
    // The raw config holds the clear-text value; its Debug hides it too.
    let raw = gdsn_config::RawConfig::parse(&every_secret(), std::path::Path::new("x.toml")).unwrap();
    assert!(!format!("{raw:?}").contains("plain-secret-value"));
}

#[test]
fn errors_about_secrets_do_not_contain_them() {
    // A file that exists but is not a certificate: the message names the file, not its content.
    let text = "[[connections]]\nname = \"a\"\nkind = \"http_inbox\"\nschedule = \"@hourly\"\n[connections.http]\nbase_url = \"https://pool.example/\"\nauth = { kind = \"mtls\", cert_file = \"/run/secrets/pool\", key_file = \"/run/secrets/pool\" }\n";
    let message = load(text).unwrap_err().to_string();
    assert!(message.contains("/run/secrets/pool is not a PEM certificate"), "{message}");
    assert!(!message.contains("file-secret-value"), "{message}");
}

#[test]
fn the_admin_token_is_checked_against_its_hash() {
    let config = valid(&every_secret());
    assert!(config.http.allows_admin(Some("admin-token-value")));
    assert!(!config.http.allows_admin(Some("guess")));
    assert!(!config.http.allows_admin(None));
    assert!(config.http.allows_read(None), "read endpoints are public by default");
    let token_only = valid(&format!(
        "[http]\nread_access = \"token\"\nread_token_sha256 = \"{}\"\n",
        hash_admin_token("reader")
    ));
    assert!(token_only.http.allows_read(Some("reader")));
    assert!(!token_only.http.allows_read(None));
    assert!(!token_only.http.allows_admin(Some("reader")), "a read token is not an admin token");
}
