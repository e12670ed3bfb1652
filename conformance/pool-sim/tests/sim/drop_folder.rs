//! Drop-folder mode: `.part` then rename, and replies taken from the outbound folder.

use std::time::Duration;

use gdsn_pool_sim::DropFolderConfig;

use crate::helpers::{config, eventually, start, tiny};
use crate::outbound::message;

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn messages_appear_as_part_then_xml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path().join("inbox");
    let mut config = config(tiny(2));
    let mut drop = DropFolderConfig::new(inbox.clone());
    drop.hold_part = Duration::from_millis(300);
    config.drop_folder = Some(drop);
    let sim = start(config).await;
    eventually("the first .part", || names(&inbox) == ["000001-m01.part"]).await;
    eventually("the first rename", || names(&inbox).first().is_some_and(|n| n == "000001-m01.xml")).await;
    eventually("both written", || names(&inbox) == ["000001-m01.xml", "000002-m02.xml"]).await;
    assert_eq!(std::fs::read(inbox.join("000002-m02.xml")).unwrap(), b"<m n=\"2\"/>");
    let state = sim.state();
    assert!(state.inbox.is_empty());
    assert!(state.deliveries.iter().all(|d| d.delivered));
}

#[tokio::test]
async fn replies_are_taken_from_the_outbound_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inbox, outbound) = (dir.path().join("inbox"), dir.path().join("outbound"));
    let mut config = config(Vec::new());
    let mut drop = DropFolderConfig::new(inbox.clone());
    drop.outbound = Some(outbound.clone());
    drop.scan_interval = Duration::from_millis(20);
    config.drop_folder = Some(drop);
    let sim = start(config).await;
    // A file still being written is left alone; a finished one is taken and removed.
    std::fs::write(outbound.join("cis.xml.part"), message("0029_cis_add")).unwrap();
    std::fs::write(outbound.join("cis.xml"), message("0029_cis_add")).unwrap();
    eventually("the CIS taken", || names(&outbound) == ["cis.xml.part"]).await;
    // The pool answers the CIS with a GS1 Response, which lands in the inbox folder.
    eventually("the response dropped", || names(&inbox).len() == 1).await;
    let response = std::fs::read_to_string(inbox.join(&names(&inbox)[0])).unwrap();
    assert!(response.contains("<responseStatusCode>ACCEPTED</responseStatusCode>"));
    let received = sim.state().received;
    assert_eq!((received.len(), received[0].via.as_str()), (1, "drop_folder"));
}
