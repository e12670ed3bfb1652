//! `schemas/pool-api.openapi.yaml` against what the simulator really serves.

use std::collections::BTreeSet;
use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Client, config, start, tiny};

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

fn spec() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/pool-api.openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("read the OpenAPI document");
    serde_norway::from_str(&text).expect("the OpenAPI document is valid YAML")
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

#[test]
fn every_served_route_is_specified_and_every_specified_route_is_served() {
    let spec = spec();
    assert!(spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")));
    let served: BTreeSet<(String, String)> = gdsn_pool_sim::served_routes().into_iter().collect();
    let specified = spec_routes(&spec);
    let missing: Vec<_> = served.difference(&specified).collect();
    let extra: Vec<_> = specified.difference(&served).collect();
    assert!(missing.is_empty(), "served but not in the spec: {missing:?}");
    assert!(extra.is_empty(), "in the spec but not served: {extra:?}");
}

#[test]
fn the_spec_names_what_the_config_defaults_to() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    for (schema, field) in [
        ("InboxPage", "messages"),
        ("InboxPage", "next_cursor"),
        ("ChangesPage", "messages"),
        ("ChangesPage", "high_water_mark"),
        ("ChangesPage", "next_page_token"),
        ("MessageEntry", "id"),
        ("MessageEnvelope", "payload"),
    ] {
        assert!(schemas[schema]["properties"][field].is_object(), "{schema}.{field}");
    }
    let params = |path: &str| -> Vec<String> {
        let list = spec["paths"][path]["get"]["parameters"].as_array().cloned().unwrap_or_default();
        list.iter().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
    };
    assert!(params("/inbox").contains(&"cursor".to_owned()));
    assert!(
        params("/changes").contains(&"since".to_owned())
            && params("/changes").contains(&"page_token".to_owned())
    );
    let schemes = &spec["components"]["securitySchemes"];
    for (scheme, header) in
        [("hmacKeyId", "X-Key-Id"), ("hmacTimestamp", "X-Timestamp"), ("hmacSignature", "X-Signature")]
    {
        assert_eq!(schemes[scheme]["name"], header);
    }
    assert_eq!(schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"], "/oauth/token");
    let webhook = &spec["webhooks"]["message"]["post"];
    assert!(webhook["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "X-Signature-256"));
    let description = spec["info"]["description"].as_str().unwrap();
    assert!(
        description
            .contains(r#"METHOD + "\n" + PATH_AND_QUERY + "\n" + TIMESTAMP + "\n" + hex(SHA-256(body))"#)
    );
}

#[test]
fn every_reference_resolves() {
    fn walk(spec: &Value, node: &Value, broken: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    let pointer = target.trim_start_matches('#');
                    if spec.pointer(pointer).is_none() {
                        broken.push(target.clone());
                    }
                }
                map.values().for_each(|v| walk(spec, v, broken));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(spec, v, broken)),
            _ => {}
        }
    }
    let spec = spec();
    let mut broken = Vec::new();
    walk(&spec, &spec, &mut broken);
    assert!(broken.is_empty(), "{broken:?}");
}

#[tokio::test]
async fn every_served_route_answers_its_method() {
    let sim = start(config(tiny(1))).await;
    let c = Client::new(&sim);
    for (method, path) in gdsn_pool_sim::served_routes() {
        let url = c.url(&path.replace("{id}", "000001-m01"));
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = c.http.request(method.clone(), url).send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        let routed = status != StatusCode::METHOD_NOT_ALLOWED
            && !body["message"].as_str().is_some_and(|m| m.starts_with("no such route"));
        assert!(routed, "{method} {path}: {status} {body}");
    }
}
