//! The sink's behaviour end to end, written once and run against each
//! emulator (tests/it/emulators.rs) and a real cluster (tests/it/real_cluster.rs).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use gdsn_opensearch::{Auth, CanaryFailure, OpenSearchSink, Readiness, SinkConfig, gtin_forms};
use gdsn_sink::{Ack, Change, Health, SinkError};
use serde_json::{Value, json};

use crate::support::{GTINS, delete, key, record, upsert};

/// Where a scenario runs: a cluster and an alias of its own.
#[derive(Clone)]
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) alias: String,
    pub(crate) auth: Auth,
    pub(crate) ca_cert_file: Option<PathBuf>,
    pub(crate) index_body: Option<Value>,
    pub(crate) require_alias: bool,
}

impl Target {
    pub(crate) fn sink(&self) -> OpenSearchSink {
        let mut config = SinkConfig::new(&self.url, &self.alias);
        config.auth = self.auth.clone();
        config.ca_cert_file = self.ca_cert_file.clone();
        config.index_body = self.index_body.clone();
        config.require_alias = self.require_alias;
        config.request_timeout = Duration::from_secs(30);
        OpenSearchSink::new(config).expect("valid config")
    }

    /// A raw search through the alias, for what the sink's API does not cover.
    async fn search(&self, query: Value) -> Vec<Value> {
        let mut request =
            reqwest::Client::new().post(format!("{}/{}/_search", self.url, self.alias)).json(&query);
        if let Auth::Basic { username, password } = &self.auth {
            request = request.basic_auth(username, Some(password));
        }
        let answer: Value = request.send().await.expect("search sent").json().await.expect("search JSON");
        answer["hits"]["hits"].as_array().cloned().unwrap_or_else(|| panic!("no hits in {answer}"))
    }
}

fn all_upserts(first_version: u64) -> Vec<Change> {
    GTINS.iter().enumerate().map(|(i, g)| upsert(g, "Lumière", first_version + i as u64)).collect()
}

async fn ready_with_products(sink: &OpenSearchSink) -> String {
    let created = sink.ensure_ready().await.expect("ensure_ready");
    let Readiness::Created(first) = created else { panic!("a new alias is created: {created:?}") };
    assert_eq!(first, format!("{}-000001", sink.alias()));
    let ack = sink.publish(&all_upserts(10)).await.expect("publish");
    assert_eq!(ack, Ack { applied: GTINS.len(), already_newer: 0 });
    sink.refresh(sink.alias()).await.expect("refresh");
    first
}

/// Publish, find by every GTIN form, find by brand and text, delete.
pub(crate) async fn round_trip(target: &Target) {
    let sink = target.sink();
    let first = ready_with_products(&sink).await;
    assert_eq!(sink.health().await, Health::Ready);
    assert_eq!(sink.count(sink.alias()).await.expect("count"), GTINS.len() as u64);
    for gtin in GTINS {
        for form in gtin_forms(gtin) {
            let hits = sink.search_gtin(sink.alias(), &form).await.expect("search");
            assert_eq!(hits.len(), 1, "{form}");
            assert_eq!(hits[0].id, key(gtin));
            assert_eq!(
                hits[0].record,
                record(gtin, "Lumière", hits[0].record["sync"]["version"].as_u64().expect("version"))
            );
        }
    }
    // The brand keyword is folded: "LUMIERE" finds "Lumière".
    let by_brand = target.search(json!({"query": {"term": {"brand": "lumiere"}}})).await;
    assert_eq!(by_brand.len(), GTINS.len());
    let by_text = target.search(json!({"query": {"match": {"description.en": "parfum"}}})).await;
    assert_eq!(by_text.len(), GTINS.len());

    let ack = sink.publish(&[delete(GTINS[0], 100)]).await.expect("delete");
    assert_eq!(ack, Ack { applied: 1, already_newer: 0 });
    sink.refresh(sink.alias()).await.expect("refresh");
    assert!(sink.search_gtin(sink.alias(), GTINS[0]).await.expect("search").is_empty());
    assert_eq!(sink.count(sink.alias()).await.expect("count"), GTINS.len() as u64 - 1);
    assert_eq!(sink.ensure_ready().await.expect("again"), Readiness::Existing(vec![first]));
}

/// A lower version never replaces a higher one, in separate batches or in one.
pub(crate) async fn older_version_ignored(target: &Target) {
    let sink = target.sink();
    sink.ensure_ready().await.expect("ensure_ready");
    let gtin = GTINS[1];
    let brand_now = || async {
        sink.refresh(sink.alias()).await.expect("refresh");
        let hits = sink.search_gtin(sink.alias(), gtin).await.expect("search");
        hits.first().map(|h| h.record["brand_name"].as_str().unwrap_or("").to_owned())
    };
    assert_eq!(
        sink.publish(&[upsert(gtin, "New", 50)]).await.expect("v50"),
        Ack { applied: 1, already_newer: 0 }
    );
    assert_eq!(
        sink.publish(&[upsert(gtin, "Old", 40)]).await.expect("v40"),
        Ack { applied: 0, already_newer: 1 }
    );
    assert_eq!(
        sink.publish(&[upsert(gtin, "Again", 50)]).await.expect("v50"),
        Ack { applied: 0, already_newer: 1 }
    );
    assert_eq!(
        sink.publish(&[delete(gtin, 45)]).await.expect("del 45"),
        Ack { applied: 0, already_newer: 1 }
    );
    assert_eq!(brand_now().await.as_deref(), Some("New"));
    let (newer, mid) = (upsert(gtin, "Newer", 60), upsert(gtin, "Mid", 55));
    assert_eq!(sink.publish(&[newer, mid]).await.expect("one batch"), Ack { applied: 1, already_newer: 1 });
    assert_eq!(brand_now().await.as_deref(), Some("Newer"));
    assert_eq!(
        sink.publish(&[delete(gtin, 70)]).await.expect("del 70"),
        Ack { applied: 1, already_newer: 0 }
    );
    assert_eq!(brand_now().await, None);
}

/// A record the mapping refuses is rejected with the item's error; the rest
/// of the batch is acknowledged.
pub(crate) async fn mapping_error_rejected(target: &Target) {
    let sink = target.sink();
    sink.ensure_ready().await.expect("ensure_ready");
    let mut bad = upsert(GTINS[2], "Bad", 7);
    if let gdsn_sink::Op::Upsert(record) = &mut bad.op {
        record["dates"]["last_change"] = json!("not a date");
    }
    let good = upsert(GTINS[3], "Good", 8);
    let Err(SinkError::Partial { ack, retry, rejected }) = sink.publish(&[bad, good]).await else {
        panic!("a mapping error is a partial failure");
    };
    assert_eq!(ack, Ack { applied: 1, already_newer: 0 });
    assert!(retry.is_empty());
    assert_eq!(rejected.keys().copied().collect::<Vec<_>>(), [7]);
    assert!(rejected[&7].contains("pars"), "{}", rejected[&7]);
}

/// Reindex into a new index and swap the alias while a reader searches
/// through it: every search answers, before, during and after.
pub(crate) async fn reindex_swap_while_searching(target: &Target) {
    let sink = target.sink();
    let old = ready_with_products(&sink).await;
    let new = sink.create_next_index().await.expect("next index");
    assert_eq!(new, format!("{}-000002", sink.alias()));
    // A newer version of one product comes first; the older copy after it
    // must not win.
    let mut copy = vec![upsert(GTINS[4], "Lumière Nouveau", 90)];
    copy.extend(all_upserts(10));
    let ack = sink.publish_to_index(&new, &copy).await.expect("fill the new index");
    assert_eq!(ack.applied, copy.len() - 1);
    assert_eq!(ack.already_newer, 1, "the newer copy of GTINS[4] wins whatever the order");
    sink.canary(&new, &GTINS, GTINS.len() as u64, 0.0).await.expect("canary passes");

    let stop = Arc::new(AtomicBool::new(false));
    let (searches, misses) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let reader = {
        let (sink, stop, searches, misses) = (sink.clone(), stop.clone(), searches.clone(), misses.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                match sink.search_gtin(sink.alias(), GTINS[1]).await {
                    Ok(hits) if hits.len() == 1 => {}
                    _ => {
                        misses.fetch_add(1, Ordering::SeqCst);
                    }
                }
                searches.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    sink.swap_alias(&old, &new).await.expect("swap");
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.store(true, Ordering::SeqCst);
    reader.await.expect("reader");
    assert!(searches.load(Ordering::SeqCst) > 5, "the reader ran");
    assert_eq!(misses.load(Ordering::SeqCst), 0, "every search answered through the swap");

    assert_eq!(sink.alias_indices().await.expect("alias"), vec![new.clone()]);
    let nouveau = sink.search_gtin(sink.alias(), GTINS[4]).await.expect("search");
    assert_eq!(nouveau[0].record["brand_name"], "Lumière Nouveau", "the alias serves the new index");
    assert!(sink.delete_index(&new).await.is_err(), "the serving index is never deleted");
    assert!(sink.swap_alias(&old, &new).await.is_err(), "a swap from an index the alias is not on fails");
    sink.delete_index(&old).await.expect("delete the old index");
    assert_eq!(sink.publish(&[upsert(GTINS[0], "Après", 200)]).await.expect("publish").applied, 1);
}

/// A new index that fails its canary is never swapped in: the old one
/// keeps serving every product.
pub(crate) async fn failed_canary_keeps_old(target: &Target) {
    let sink = target.sink();
    let old = ready_with_products(&sink).await;
    let new = sink.create_next_index().await.expect("next index");
    sink.publish_to_index(&new, &all_upserts(10)[..3]).await.expect("partial fill");
    let count = sink.canary(&new, &GTINS, GTINS.len() as u64, 0.1).await;
    assert!(matches!(count, Err(CanaryFailure::Count { actual: 3, expected: 5, .. })), "{count:?}");
    let missing = sink.canary(&new, &GTINS, 3, 0.0).await;
    let Err(CanaryFailure::MissingGtins { gtins, .. }) = missing else {
        panic!("missing GTINs: {missing:?}")
    };
    assert_eq!(gtins, GTINS[3..]);
    // The caller does not swap; the alias still serves the old index in full.
    assert_eq!(sink.alias_indices().await.expect("alias"), vec![old]);
    for gtin in GTINS {
        assert_eq!(sink.search_gtin(sink.alias(), gtin).await.expect("search").len(), 1, "{gtin}");
    }
    sink.delete_index(&new).await.expect("drop the failed index");
}
