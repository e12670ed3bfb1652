//! The scenarios against a real OpenSearch or Elasticsearch cluster, when
//! `GDSN_SYNC_TEST_OPENSEARCH_URL` names one (`http://localhost:9200`).
//! Optional: `GDSN_SYNC_TEST_OPENSEARCH_USERNAME` and `_PASSWORD` for basic
//! authentication, `GDSN_SYNC_TEST_OPENSEARCH_CA` for a PEM CA file. Each
//! scenario uses an alias of its own, `gdsn-test-<pid>-<n>`, and deletes its
//! indices afterwards.

use std::time::{SystemTime, UNIX_EPOCH};

use gdsn_opensearch::Auth;
use serde_json::Value;

use crate::scenarios::{self, Target};

fn target(n: usize) -> Option<Target> {
    let url = std::env::var("GDSN_SYNC_TEST_OPENSEARCH_URL").ok().filter(|u| !u.is_empty())?;
    let auth = match (
        std::env::var("GDSN_SYNC_TEST_OPENSEARCH_USERNAME"),
        std::env::var("GDSN_SYNC_TEST_OPENSEARCH_PASSWORD"),
    ) {
        (Ok(username), Ok(password)) => Auth::Basic { username, password },
        _ => Auth::None,
    };
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    Some(Target {
        url: url.trim_end_matches('/').to_owned(),
        alias: format!("gdsn-test-{}-{stamp}-{n}", std::process::id()),
        auth,
        ca_cert_file: std::env::var_os("GDSN_SYNC_TEST_OPENSEARCH_CA").map(Into::into),
        index_body: None,
        require_alias: true,
    })
}

/// Deletes every index of the scenario's alias, serving or not, by name
/// (Elasticsearch 8 refuses wildcard deletes by default).
async fn clean_up(target: &Target) {
    let client = reqwest::Client::new();
    let with_auth = |request: reqwest::RequestBuilder| match &target.auth {
        Auth::Basic { username, password } => request.basic_auth(username, Some(password)),
        _ => request,
    };
    let listed = with_auth(client.get(format!("{}/{}-*/_alias", target.url, target.alias))).send().await;
    let names: Vec<String> = match listed {
        Ok(response) => response
            .json::<Value>()
            .await
            .ok()
            .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect())),
        Err(_) => None,
    }
    .unwrap_or_default();
    for name in names {
        if let Err(e) = with_auth(client.delete(format!("{}/{name}", target.url))).send().await {
            println!("clean-up of {name} failed: {e}");
        }
    }
}

#[tokio::test]
async fn scenarios_on_a_real_cluster() {
    if target(0).is_none() {
        return println!("SKIPPED (no cluster URL)");
    }
    macro_rules! run {
        ($n:expr, $scenario:path) => {
            let target = target($n).expect("URL checked above");
            $scenario(&target).await;
            clean_up(&target).await;
        };
    }
    run!(1, scenarios::round_trip);
    run!(2, scenarios::older_version_ignored);
    run!(3, scenarios::mapping_error_rejected);
    run!(4, scenarios::reindex_swap_while_searching);
    run!(5, scenarios::failed_canary_keeps_old);
}
