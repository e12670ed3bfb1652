//! Checks of single values: names, time zones, JSON pointers, header names, log filters, URLs.
//!
//! Each returns the checked value or a lower-case message that names the value as written.

use chrono_tz::Tz;
use gdsn_model::ids::TargetMarket;
use url::Url;

use crate::connection::{JsonPointer, PathTemplate};

/// A connection name: it ends up in URLs, metric labels and folder names, so it is kept to a safe set.
pub(super) fn connection_name(name: &str) -> Result<(), String> {
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let rest_ok = bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if first_ok && rest_ok && name.len() <= 63 {
        return Ok(());
    }
    Err(format!(
        "invalid connection name {name:?}: use 1 to 63 lower-case letters, digits, '-' and '_', starting with a letter or digit"
    ))
}

/// An IANA time zone name.
pub(super) fn time_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("unknown time zone {name:?}: expected an IANA name like \"Europe/Paris\" or \"UTC\"")
    })
}

/// A target market as `056` or `840/US-CA`.
pub(super) fn target_market(text: &str) -> Result<TargetMarket, String> {
    let (country, subdivision) = match text.split_once('/') {
        Some((country, subdivision)) => (country, Some(subdivision)),
        None => (text, None),
    };
    TargetMarket::parse(country, subdivision)
        .map_err(|error| format!("{error} (expected e.g. \"056\" or \"840/US-CA\")"))
}

/// An RFC 6901 JSON pointer.
pub(super) fn json_pointer(text: &str) -> Result<JsonPointer, String> {
    let starts_ok = text.is_empty() || text.starts_with('/');
    let escapes_ok = text.split('~').skip(1).all(|after| after.starts_with('0') || after.starts_with('1'));
    if starts_ok && escapes_ok {
        return Ok(JsonPointer(text.to_owned()));
    }
    Err(format!(
        "invalid JSON pointer {text:?}: expected \"\" or \"/\"-separated tokens such as \"/data/next_cursor\" (write ~ as ~0 and / inside a token as ~1)"
    ))
}

/// An HTTP header name (an RFC 9110 token).
pub(super) fn header_name(text: &str) -> Result<String, String> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !text.is_empty() && text.bytes().all(token) {
        return Ok(text.to_owned());
    }
    Err(format!("invalid header name {text:?}: expected letters, digits and -, such as \"X-Api-Key\""))
}

/// A query parameter name.
pub(super) fn query_param(text: &str) -> Result<String, String> {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    if !text.is_empty() && text.bytes().all(ok) {
        return Ok(text.to_owned());
    }
    Err(format!("invalid query parameter name {text:?}: expected letters, digits, '-', '.', '_' or '~'"))
}

/// An HTTP(S) URL to use as a base: no query or fragment, a host, and a path ending in `/` (added), so
/// relative paths are joined below it. `loopback_http_only` refuses `http://` except to this machine.
pub(super) fn base_url(text: &str, loopback_http_only: bool) -> Result<Url, String> {
    let mut url = endpoint_url(text, loopback_http_only)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("invalid URL {text:?}: a base URL has no query or fragment"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// An HTTP(S) URL of a single endpoint (a token endpoint).
pub(super) fn endpoint_url(text: &str, loopback_http_only: bool) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|error| format!("invalid URL {text:?}: {error}"))?;
    match url.scheme() {
        "https" => {}
        "http" if !loopback_http_only || is_loopback(&url) => {}
        "http" => {
            return Err(format!(
                "refusing plain http for {text:?}: credentials and messages would cross the network unencrypted; use https (http is allowed to localhost only, for the pool simulator)"
            ));
        }
        other => return Err(format!("invalid URL {text:?}: scheme {other:?}, expected https")),
    }
    if url.host().is_none() {
        return Err(format!("invalid URL {text:?}: no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("invalid URL {text:?}: put credentials in the auth table, not in the URL"));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A path relative to a base URL, joined to it.
pub(super) fn relative_url(base: &Url, path: &str) -> Result<Url, String> {
    relative_check(path)?;
    base.join(path).map_err(|error| format!("invalid path {path:?}: {error}"))
}

/// A path template relative to a base URL with an `{id}` placeholder.
pub(super) fn path_template(base: &Url, template: &str) -> Result<PathTemplate, String> {
    relative_check(template)?;
    if !template.contains("{id}") {
        return Err(format!("path {template:?} has no {{id}} placeholder for the message id"));
    }
    let template = PathTemplate(template.to_owned());
    match template.url(base, "example-id") {
        Some(_) => Ok(template),
        None => Err(format!("invalid path {:?}", template.as_str())),
    }
}

fn relative_check(path: &str) -> Result<(), String> {
    if path.contains("://") {
        return Err(format!("{path:?} is a URL: give a path relative to base_url"));
    }
    if path.starts_with('/') {
        return Err(format!(
            "path {path:?} starts with '/', which would drop base_url's own path; remove the '/'"
        ));
    }
    if path.split(['/', '?']).any(|segment| segment == "..") {
        return Err(format!("path {path:?} contains \"..\": give the path below base_url"));
    }
    Ok(())
}

/// A `RUST_LOG`-style filter: comma-separated `level`, `target` or `target=level` directives. Span
/// filters (`target[span]=level`) are not accepted here.
pub(super) fn log_filter(filter: &str) -> Result<(), String> {
    const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];
    let is_level = |text: &str| LEVELS.contains(&text.to_ascii_lowercase().as_str());
    let is_target = |text: &str| {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"_:-.".contains(&b))
    };
    for directive in filter.split(',').map(str::trim).filter(|directive| !directive.is_empty()) {
        let ok = match directive.split_once('=') {
            Some((target, level)) => is_target(target.trim()) && is_level(level.trim()),
            None => is_level(directive) || is_target(directive),
        };
        if !ok {
            return Err(format!(
                "invalid log filter directive {directive:?}: expected a level (trace, debug, info, warn, error, off) or target=level"
            ));
        }
    }
    Ok(())
}

/// An OpenSearch/Elasticsearch alias name, by the engines' index-name rules.
pub(super) fn index_alias(alias: &str) -> Result<String, String> {
    let forbidden = |c: char| "\\/*?\"<>|,# :".contains(c) || c.is_uppercase() || c.is_control();
    let ok = !alias.is_empty()
        && alias.len() <= 255
        && !alias.starts_with(['_', '-', '+'])
        && alias != "."
        && alias != ".."
        && !alias.contains(forbidden);
    if ok {
        return Ok(alias.to_owned());
    }
    Err(format!(
        "invalid alias {alias:?}: lower case, no \\ / * ? \" < > | , # : or spaces, not starting with _, - or +"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(connection_name("pool-a_1").is_ok());
        assert!(connection_name("Pool").is_err());
        assert!(connection_name("-x").is_err());
        assert!(connection_name("").is_err());
        assert!(connection_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn pointers() {
        assert!(json_pointer("").is_ok());
        assert!(json_pointer("/a/b~1c/~0").is_ok());
        assert!(json_pointer("a/b").is_err());
        assert!(json_pointer("/a~2").is_err());
    }

    #[test]
    fn urls() {
        assert_eq!(
            base_url("https://pool.example/api/v1", true).unwrap().as_str(),
            "https://pool.example/api/v1/"
        );
        assert!(base_url("http://127.0.0.1:9000", true).is_ok());
        assert!(base_url("http://pool.example", true).unwrap_err().contains("refusing plain http"));
        assert!(base_url("http://search.internal:9200", false).is_ok());
        assert!(base_url("ftp://pool.example", true).is_err());
        assert!(base_url("https://user:pw@pool.example", true).unwrap_err().contains("auth table"));
        assert!(base_url("https://pool.example/?a=1", true).is_err());
        let base = base_url("https://pool.example/api", true).unwrap();
        assert_eq!(relative_url(&base, "inbox").unwrap().as_str(), "https://pool.example/api/inbox");
        assert!(relative_url(&base, "/inbox").is_err());
        assert!(relative_url(&base, "../admin").is_err());
        assert!(path_template(&base, "inbox").unwrap_err().contains("{id}"));
    }

    #[test]
    fn log_filters() {
        assert!(log_filter("info").is_ok());
        assert!(log_filter("warn,gdsn_store=debug,hyper::client=off").is_ok());
        assert!(log_filter("verbose").is_ok(), "a bare word is a target");
        assert!(log_filter("gdsn=loud").is_err());
        assert!(log_filter("x[span]=info").is_err());
    }

    #[test]
    fn aliases_and_markets() {
        assert!(index_alias("gdsn-products").is_ok());
        assert!(index_alias("Products").is_err());
        assert!(index_alias("_x").is_err());
        assert!(target_market("840/us-ca").is_ok());
        assert!(target_market("56").is_ok());
        assert!(target_market("BE").is_err());
    }
}
