//! Reviewed snapshots of one CIC and one GS1 Response, compared byte for
//! byte, and the determinism of every builder. Refresh with
//! `UPDATE_EXPECT=1 cargo test -p gdsn-writer --test snapshot` and review
//! the diff.

mod common;

use std::path::PathBuf;

use common::*;
use gdsn_writer::{
    SubscriptionCommand, catalogue_item_confirmation, catalogue_item_subscription, gs1_response_exception,
    request_for_catalogue_item_notification,
};

fn assert_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, actual).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_EXPECT=1)", path.display()));
    assert!(expected == actual, "{name} differs from its snapshot; got:\n{actual}");
}

#[test]
fn cic_snapshot() {
    let xml = catalogue_item_confirmation(&envelope("MSG-CIC-1"), &confirmations()).unwrap();
    assert_snapshot("cic.xml", &xml);
}

#[test]
fn gs1_response_snapshot() {
    let xml = gs1_response_exception(&envelope("MSG-RESP-1"), "POOL-MSG-42", SOURCE_PL, &response_errors())
        .unwrap();
    assert_snapshot("gs1_response.xml", &xml);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let build = || {
        let env = envelope("MSG-1");
        [
            catalogue_item_confirmation(&env, &confirmations()).unwrap(),
            gs1_response_exception(&env, "X", POOL, &response_errors()).unwrap(),
            catalogue_item_subscription(&env, SubscriptionCommand::Add, &subscriptions()).unwrap(),
            request_for_catalogue_item_notification(&env, &subscriptions(), true).unwrap(),
        ]
    };
    assert_eq!(build(), build());
}
