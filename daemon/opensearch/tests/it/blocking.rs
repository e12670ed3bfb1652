//! The blocking adapter: the publisher's `Sink` trait over the async sink,
//! on a runtime of its own (the CLI) and on the daemon's runtime through a
//! handle, from a blocking thread.

use gdsn_opensearch::{BlockingSink, Readiness};
use gdsn_sink::{Health, Sink, SinkError};

use crate::support::emulator::{Emulator, Kind};
use crate::support::{GTINS, sink, upsert};

/// Plain `#[test]`: the CLI has no runtime, the adapter brings its own.
/// On a new cluster the first publish creates the index and the alias.
#[test]
fn own_runtime_creates_the_alias_then_publishes() {
    let setup = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let emulator = match setup.block_on(Emulator::start(Kind::Osmem)) {
        Ok(emulator) => emulator,
        Err(why) => return println!("SKIPPED ({why})"),
    };
    let mut adapter = BlockingSink::with_own_runtime(sink(&emulator.url, None)).expect("runtime");
    let batch: Vec<_> = GTINS.iter().enumerate().map(|(i, g)| upsert(g, "Lumière", 10 + i as u64)).collect();
    let ack = adapter.publish(&batch).expect("published");
    assert_eq!(ack.applied, GTINS.len());
    assert_eq!(adapter.health(), Health::Ready);
    // A repeat is harmless: every change comes back as already newer.
    let again = adapter.publish(&batch).expect("republished");
    assert_eq!((again.applied, again.already_newer), (0, GTINS.len()));
    let inner = adapter.sink();
    let readiness = adapter.block_on(inner.ensure_ready()).expect("ready");
    assert_eq!(readiness, Readiness::Existing(vec!["gdsn-products-000001".into()]));
    adapter.block_on(inner.refresh("gdsn-products")).expect("refresh");
    assert_eq!(adapter.block_on(inner.count("gdsn-products")).expect("count"), GTINS.len() as u64);
}

/// The daemon's way: `drain` runs in `spawn_blocking` and the adapter
/// blocks on the daemon's multi-threaded runtime through its handle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handle_from_spawn_blocking() {
    let emulator = match Emulator::start(Kind::Osmem).await {
        Ok(emulator) => emulator,
        Err(why) => return println!("SKIPPED ({why})"),
    };
    let mut adapter = BlockingSink::with_handle(sink(&emulator.url, None), tokio::runtime::Handle::current());
    let acked = tokio::task::spawn_blocking(move || {
        let batch = [upsert(GTINS[0], "Lumière", 3)];
        (adapter.health(), adapter.publish(&batch).map(|ack| ack.applied))
    })
    .await
    .expect("blocking task");
    assert_eq!(acked.0, Health::Ready);
    assert_eq!(acked.1.ok(), Some(1));
}

/// Nothing listening: every call is `Unavailable`, nothing panics, and
/// building the adapter needed no network.
#[test]
fn dead_port_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let mut adapter =
        BlockingSink::with_own_runtime(sink(&format!("http://127.0.0.1:{port}"), None)).expect("runtime");
    let Err(SinkError::Unavailable { reason, .. }) = adapter.publish(&[upsert(GTINS[0], "Lumière", 1)])
    else {
        panic!("a dead port must be unavailable");
    };
    assert!(reason.contains("alias gdsn-products"), "{reason}");
    assert!(matches!(adapter.health(), Health::Unavailable(_)));
}
