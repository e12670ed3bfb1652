//! `schemas/openapi.yaml` against the daemon's router, both ways.
//!
//! axum cannot list a router's routes, and the binary has no library to
//! build one from a test, so the registered routes are read from the
//! source: every `.route(PATH, METHODS)` under `src/daemon/` (a non-literal
//! path must be named in `COMPUTED`, any other way of registering one fails
//! the scan). Then a real daemon is asked every specified route, with no
//! token, and must route it (whatever it answers, not the fallback's
//! `no_route` or `method_not_allowed`). So a route added without a spec
//! entry fails the first test, and a spec entry nothing serves both.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::Value;

use super::{Api, start};

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// Routes registered with a computed path: the expression, and the routes
/// it stands for.
const COMPUTED: [(&str, &str, &str); 1] = [("&webhook.path", "POST", "/v1/webhooks/{name}")];

fn spec() -> Value {
    let path = manifest().join("../../schemas/openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("read the OpenAPI document");
    serde_norway::from_str(&text).expect("the OpenAPI document is valid YAML")
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec_routes(spec: &Value) -> BTreeSet<(String, String)> {
    let paths = spec["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("path item");
            METHODS.iter().filter(|m| item.contains_key(**m)).map(|m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

/// Every route the daemon's source registers.
fn source_routes() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    rust_files(&manifest().join("src/daemon"), &mut files);
    let mut routes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for refused in [".nest(", ".nest_service(", ".fallback_service("] {
            assert!(
                !text.contains(refused),
                "{}: {refused} hides routes from this scan; extend it",
                file.display()
            );
        }
        for (call, is_service) in [(".route(", false), (".route_service(", true)] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(call) {
                let args = arguments(&rest[at + call.len()..]);
                routes.extend(registered(args, is_service, &file));
                rest = &rest[at + call.len()..];
            }
        }
    }
    routes
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text up to the parenthesis that closes a call (string literals
/// skipped, so a `(` in a path does not count).
fn arguments(text: &str) -> &str {
    let (mut depth, mut in_string, mut escaped) = (1usize, false, false);
    for (i, c) in text.char_indices() {
        match (in_string, c) {
            (true, '\\') if !escaped => escaped = true,
            (true, '"') if !escaped => in_string = false,
            (true, _) => escaped = false,
            (false, '"') => in_string = true,
            (false, '(') => depth += 1,
            (false, ')') => {
                depth -= 1;
                if depth == 0 {
                    return &text[..i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced call: {}", &text[..text.len().min(80)]);
}

/// The (method, path) pairs one `.route(...)` call registers.
fn registered(args: &str, is_service: bool, file: &Path) -> Vec<(String, String)> {
    let args = args.trim();
    let Some(literal) = args.strip_prefix('"') else {
        let expression = args.split(',').next().unwrap_or_default().trim();
        let known: Vec<_> = COMPUTED.iter().filter(|(e, _, _)| *e == expression).collect();
        assert!(
            !known.is_empty(),
            "{}: route with a computed path {expression}; add it to COMPUTED",
            file.display()
        );
        return known.iter().map(|(_, m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    };
    let end = literal.find('"').expect("a closed string");
    let path = literal[..end].to_owned();
    if is_service {
        return vec![("GET".to_owned(), path)];
    }
    let handlers = &literal[end..];
    let mut methods: Vec<String> = METHODS
        .iter()
        .filter(|m| {
            let token = format!("{m}(");
            handlers
                .match_indices(&token)
                .any(|(i, _)| i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        })
        .map(|m| m.to_uppercase())
        .collect();
    methods.extend(
        METHODS
            .iter()
            .filter(|m| handlers.contains(&format!("MethodFilter::{}", m.to_uppercase())))
            .map(|m| m.to_uppercase()),
    );
    assert!(!methods.is_empty(), "{}: no method found for {path}", file.display());
    methods.into_iter().map(|m| (m, path.clone())).collect()
}

#[test]
fn every_registered_route_is_specified_and_every_specified_route_is_registered() {
    let spec = spec();
    assert!(spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")));
    let served = source_routes();
    assert!(
        served.contains(&("GET".to_owned(), "/v1/search".to_owned())),
        "the scan finds routes: {served:?}"
    );
    let specified = spec_routes(&spec);
    let missing: Vec<_> = served.difference(&specified).collect();
    assert!(missing.is_empty(), "registered but not in schemas/openapi.yaml: {missing:?}");
    let extra: Vec<_> = specified.difference(&served).collect();
    assert!(extra.is_empty(), "in schemas/openapi.yaml but not registered: {extra:?}");
}

#[test]
fn the_error_codes_are_the_daemons_one_list() {
    let spec = spec();
    let specified: BTreeSet<&str> = spec["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("the ErrorCode enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // The rows of `ErrorCode::row` in api/error.rs: `=> ("code", StatusCode::...`.
    let source = std::fs::read_to_string(manifest().join("src/daemon/api/error.rs")).expect("error.rs");
    let coded: BTreeSet<&str> = source
        .split("=> (\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\", StatusCode::").map(|(code, _)| code))
        .collect();
    assert!(coded.len() > 20, "{coded:?}");
    assert_eq!(specified, coded);
    let mut refs = Vec::new();
    walk_refs(&spec, &spec, &mut refs);
    assert!(refs.is_empty(), "unresolved $ref: {refs:?}");
}

fn walk_refs(spec: &Value, node: &Value, broken: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref")
                && spec.pointer(target.trim_start_matches('#')).is_none()
            {
                broken.push(target.clone());
            }
            map.values().for_each(|v| walk_refs(spec, v, broken));
        }
        Value::Array(items) => items.iter().for_each(|v| walk_refs(spec, v, broken)),
        _ => {}
    }
}

#[test]
fn a_running_daemon_routes_every_specified_route() {
    let hook = "\n[[connections]]\nname = \"hook\"\nkind = \"webhook\"\nreplies = []\n\n[connections.webhook.auth]\nkind = \"bearer\"\ntoken = { plaintext = \"push-token\" }\n";
    let daemon = start("", hook);
    let api = Api::new(&daemon);
    for (method, path) in spec_routes(&spec()) {
        let concrete = path
            .replace("/v1/webhooks/{name}", "/v1/webhooks/hook")
            .replace("/assets/{name}", "/assets/none.css")
            .replace("{name}", "drop")
            .replace("{code}", "10812345200017")
            .replace("{id}", "0812345000009-276")
            .replace("{sequence}", "1")
            .replace("{pair}", "0812345000009%2F276");
        // No token: admin routes answer 401 having been routed, and nothing
        // (a poll, a reindex) runs.
        let request = api.http.request(method.parse().expect("a method"), format!("{}{concrete}", api.url));
        // A form for the one form route, so its extractor does not refuse first.
        let request = if path == "/ops" && method == "POST" {
            request.header("content-type", "application/x-www-form-urlencoded").body("token=wrong")
        } else {
            request
        };
        let (status, body) = api.send(request);
        let code = body["error"]["code"].as_str().unwrap_or_default();
        assert!(
            status != StatusCode::METHOD_NOT_ALLOWED && code != "no_route" && code != "method_not_allowed",
            "{method} {path}: {status} {body}"
        );
    }
}
