//! Starting simulators and talking to them.

use std::path::PathBuf;

use gdsn_pool_sim::{RunningSim, SimConfig, StateSnapshot};
use reqwest::StatusCode;
use serde_json::Value;
use time::OffsetDateTime;

/// The first `n` conformance cases' inputs, named `CASE.xml`.
pub(crate) fn cases(names: &[&str]) -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases");
    names
        .iter()
        .map(|case| {
            let bytes = std::fs::read(root.join(case).join("input.xml")).expect("conformance case input");
            (format!("{case}.xml"), bytes)
        })
        .collect()
}

/// `n` tiny messages `m01.xml`..., enough for paging.
pub(crate) fn tiny(n: usize) -> Vec<(String, Vec<u8>)> {
    (1..=n).map(|i| (format!("m{i:02}.xml"), format!("<m n=\"{i}\"/>").into_bytes())).collect()
}

/// A config serving `messages`, with a fixed clock origin so change times are known.
pub(crate) fn config(messages: Vec<(String, Vec<u8>)>) -> SimConfig {
    let mut config = SimConfig::new();
    config.messages = messages;
    config.epoch = Some(OffsetDateTime::from_unix_timestamp(1_767_225_600).expect("2026-01-01")); // 2026-01-01T00:00:00Z
    config
}

pub(crate) async fn start(config: SimConfig) -> RunningSim {
    gdsn_pool_sim::serve(config).await.expect("simulator starts")
}

/// A plain HTTP client for one simulator.
pub(crate) struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
}

impl Client {
    pub(crate) fn new(sim: &RunningSim) -> Client {
        Client { http: reqwest::Client::new(), base: sim.base_url() }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    pub(crate) async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.http.get(self.url(path)).send().await.expect("GET");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn post_xml(&self, path: &str, body: &[u8]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(path))
            .header("content-type", "application/xml")
            .body(body.to_vec())
            .send()
            .await
            .expect("POST");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn set_faults(&self, faults: Value) -> StatusCode {
        self.http.post(self.url("admin/faults")).json(&faults).send().await.expect("POST faults").status()
    }

    pub(crate) async fn state(&self) -> StateSnapshot {
        let response = self.http.get(self.url("admin/state")).send().await.expect("GET state");
        response.json().await.expect("state JSON")
    }
}

/// The ids of a list page.
pub(crate) fn ids(page: &Value) -> Vec<String> {
    page["messages"]
        .as_array()
        .expect("messages array")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Waits up to 5 s for `check` to hold, polling every 20 ms.
pub(crate) async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..250 {
        if check() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Adds an `application/x-www-form-urlencoded` body (reqwest's `form` needs a feature the workspace
/// does not enable).
pub(crate) fn form(request: reqwest::RequestBuilder, pairs: &[(&str, &str)]) -> reqwest::RequestBuilder {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    request.header("content-type", "application/x-www-form-urlencoded").body(body.join("&"))
}
