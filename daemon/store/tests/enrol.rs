//! Enrolments on a real sled store: every state transition, each through
//! the store call that causes it, and what survives a reopen and a backup.

use gdsn_diff::{Incoming, IncomingItem, Version};
use gdsn_model::ids::{Gln, Gtin, ItemKey, TargetMarket};
use gdsn_store::{EnrolError, EnrolRequest, EnrolResponse, EnrolState, MessageFinish, Outbound, Store};
use serde_json::json;

const PROVIDER: &str = "5412345000013";
const PAIR: &str = "5412345000013/056";

fn key(provider: &str, gtin: &str) -> ItemKey {
    ItemKey {
        provider: Gln::new_lenient(provider).expect("gln"),
        gtin: Gtin::parse(gtin).expect("gtin"),
        target_market: TargetMarket::parse("056", None).expect("tm"),
    }
}

fn hierarchy(provider: &str, gtins: &[&str], time: i128) -> Incoming {
    let items = gtins
        .iter()
        .enumerate()
        .map(|(i, gtin)| IncomingItem {
            key: key(provider, gtin),
            version: Version { item_time: time, message_time: time, sequence: time as u64 },
            hash: 7,
            record: json!({ "gtin": gtin }).to_string().into(),
            children: gtins.get(i + 1).map(|c| key(provider, c)).into_iter().collect(),
        })
        .collect();
    Incoming::Replace { items }
}

fn outbound(id: &str) -> Outbound {
    Outbound { message_id: id.into(), receiver: "5400000900006".into(), xml: format!("<m id='{id}'/>") }
}

fn request() -> EnrolRequest {
    EnrolRequest {
        provider_gln: PROVIDER.into(),
        target_market: "056".into(),
        gpc: Some("10000248".into()),
        connection: "pool-a".into(),
        recipient_gln: "5412345000006".into(),
        cis: outbound("ENROL-1-CIS"),
        rfcin: Some(outbound("ENROL-1-RFCIN")),
    }
}

fn state(store: &Store) -> EnrolState {
    store.enrolment(PAIR).expect("read").expect("enrolled").state
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    (dir, store)
}

/// A message's last chunk carrying reload marks for the pair.
/// Its arrival sequence is after every write of the tests' hierarchies.
fn reload_finish(gtins: &[&str]) -> MessageFinish {
    let sequence = 100;
    let keys = gtins.iter().map(|g| key(PROVIDER, g)).collect();
    let version = Version { item_time: 50, message_time: 50, sequence };
    MessageFinish { reload: vec![(PAIR.into(), sequence, version, keys)], ..MessageFinish::default() }
}

#[test]
fn enrolment_walks_requested_sent_subscribed_loading_synchronised() {
    let (_dir, store) = open();
    let enrolment = store.enrol(&request()).expect("enrol");
    assert_eq!(enrolment.state, EnrolState::Requested);
    // The CIS and RFCIN are queued for the enrolment's connection.
    let pending = store.pending_replies().expect("replies");
    let kinds: Vec<(&str, Option<&str>)> =
        pending.iter().map(|r| (r.kind.as_str(), r.connection.as_deref())).collect();
    assert_eq!(kinds, vec![("CIS", Some("pool-a")), ("RFCIN", Some("pool-a"))]);
    // Delivering the RFCIN says nothing; delivering the CIS is `sent`.
    store.delivered(pending[1].sequence).expect("delivered");
    assert_eq!(state(&store), EnrolState::Requested);
    store.delivered(pending[0].sequence).expect("delivered");
    assert_eq!(state(&store), EnrolState::Sent);
    // Items of another provider change nothing; the pair's first CIN does.
    store.apply(&[hierarchy("7712345678944", &["05412345000105"], 1)]).expect("apply");
    assert_eq!(state(&store), EnrolState::Sent);
    store.apply(&[hierarchy(PROVIDER, &["05412345000105", "05412345000112"], 1)]).expect("apply");
    assert_eq!(state(&store), EnrolState::Subscribed);
    // A reload message opens a session: `loading`, with its last chunk.
    let reload = hierarchy(PROVIDER, &["05412345000105"], 2);
    store.apply_last(&[reload], &reload_finish(&["05412345000105"])).expect("apply");
    assert_eq!(state(&store), EnrolState::Loading);
    // Closing it sweeps the unmarked child: `synchronised`.
    store.reload_close(PAIR, 1.0, false).expect("close");
    let enrolment = store.enrolment(PAIR).expect("read").expect("enrolled");
    assert_eq!(enrolment.state, EnrolState::Synchronised);
    let history: Vec<EnrolState> = enrolment.history.iter().map(|t| t.state).collect();
    use EnrolState::*;
    assert_eq!(history, vec![Requested, Sent, Subscribed, Loading, Synchronised]);
    assert!(enrolment.last_message_at.is_some());
    let views = store.enrolments().expect("list");
    assert_eq!((views.len(), views[0].items), (1, 1));
}

#[test]
fn a_held_sweep_keeps_the_enrolment_loading() {
    let (_dir, store) = open();
    store.enrol(&request()).expect("enrol");
    store.apply(&[hierarchy(PROVIDER, &["05412345000105", "05412345000112"], 1)]).expect("apply");
    let other = hierarchy(PROVIDER, &["05412345000129"], 2);
    store.apply_last(&[other], &reload_finish(&["05412345000129"])).expect("apply");
    assert_eq!(state(&store), EnrolState::Loading);
    let outcome = store.reload_close(PAIR, 0.1, false).expect("close");
    assert!(matches!(outcome, gdsn_store::reload::CloseOutcome::Held { .. }), "{outcome:?}");
    assert_eq!(state(&store), EnrolState::Loading);
    store.reload_close(PAIR, 0.1, true).expect("confirm");
    assert_eq!(state(&store), EnrolState::Synchronised);
}

fn respond(store: &Store, original: &str, error: Option<&str>) {
    let finish = MessageFinish {
        sender: "5400000900006".into(),
        message_id: format!("RESP-{original}-{}", error.is_some()),
        enrolment_responses: vec![EnrolResponse {
            pair: PAIR.into(),
            original: original.into(),
            error: error.map(str::to_owned),
        }],
        ..MessageFinish::default()
    };
    store.apply_last(&[], &finish).expect("apply");
}

#[test]
fn gs1_responses_accept_or_fail_the_enrolment() {
    let (_dir, store) = open();
    store.enrol(&request()).expect("enrol");
    assert_eq!(store.enrolment_by_message("ENROL-1-CIS").expect("scan").as_deref(), Some(PAIR));
    assert_eq!(store.enrolment_by_message("OTHER").expect("scan"), None);
    // A response to another message of ours changes nothing.
    respond(&store, "SOMETHING-ELSE", None);
    assert_eq!(state(&store), EnrolState::Requested);
    respond(&store, "ENROL-1-CIS", None);
    assert_eq!(state(&store), EnrolState::Subscribed);
    respond(&store, "ENROL-1-RFCIN", Some("[GR001] no such data source"));
    let enrolment = store.enrolment(PAIR).expect("read").expect("enrolled");
    assert_eq!(enrolment.state, EnrolState::Failed);
    assert_eq!(enrolment.error.as_deref(), Some("[GR001] no such data source"));
    // A failed pair may be enrolled again.
    let again = EnrolRequest { cis: outbound("ENROL-2-CIS"), rfcin: None, ..request() };
    let enrolment = store.enrol(&again).expect("re-enrol");
    assert_eq!((enrolment.state, enrolment.error), (EnrolState::Requested, None));
}

#[test]
fn a_live_pair_cannot_be_enrolled_twice() {
    let (_dir, store) = open();
    store.enrol(&request()).expect("enrol");
    match store.enrol(&request()) {
        Err(EnrolError::AlreadyEnrolled { pair, state: "requested" }) => assert_eq!(pair, PAIR),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Refused in the transaction: no second CIS was queued.
    assert_eq!(store.pending_replies().expect("replies").len(), 2);
}

#[test]
fn unenrol_queues_the_delete_and_purge_removes_the_pair_only() {
    let (_dir, store) = open();
    store.enrol(&request()).expect("enrol");
    store.apply(&[hierarchy(PROVIDER, &["05412345000105", "05412345000112"], 1)]).expect("apply");
    store.apply(&[hierarchy("7712345678944", &["05412345000129"], 1)]).expect("apply");
    let outbox_before = store.outbox().expect("outbox").len();
    let enrolment = store.unenrol(PAIR, &outbound("UNENROL-CIS")).expect("unenrol");
    assert_eq!(enrolment.state, EnrolState::Unenrolled);
    let last = store.pending_replies().expect("replies").pop().expect("queued");
    assert_eq!((last.kind.as_str(), last.message_id.as_str()), ("CIS", "UNENROL-CIS"));
    assert_eq!(store.purge_pair(PROVIDER, "056").expect("purge"), 2);
    // The other provider's item stays; the pair's keys are tombstones with
    // a delete in the outbox each.
    assert_eq!(store.counts().live, 1);
    let outbox = store.outbox().expect("outbox");
    let deletes = outbox[outbox_before..].iter().filter(|(_, e)| e["op"] == "delete").count();
    assert_eq!(deletes, 2);
    // Unenrolled is not live: the pair may be enrolled again, and the same
    // items, reloaded later, come back.
    store.enrol(&EnrolRequest { cis: outbound("ENROL-3-CIS"), ..request() }).expect("re-enrol");
    // (Same lastChangeDateTime, a later reload message.)
    let mut reloaded = hierarchy(PROVIDER, &["05412345000105", "05412345000112"], 1);
    if let Incoming::Replace { items } = &mut reloaded {
        for item in items {
            item.version = Version { message_time: 9, sequence: 99, ..item.version };
        }
    }
    store.apply(&[reloaded]).expect("apply");
    assert_eq!(store.counts().live, 3);
    assert!(matches!(store.unenrol("0000000000000/056", &outbound("X")), Err(EnrolError::NotEnrolled(_))));
}

#[test]
fn enrolments_survive_reopen_and_backup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut backup = Vec::new();
    {
        let store = Store::open(dir.path()).expect("open");
        store.enrol(&request()).expect("enrol");
        store.flush().expect("flush");
        store.backup(&mut backup).expect("backup");
    }
    // sled's flusher may hold the lock a moment after the drop: retry briefly.
    let store = (0..100)
        .find_map(|_| match Store::open(dir.path()) {
            Err(gdsn_store::StoreError::InUse { .. }) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
                None
            }
            other => Some(other),
        })
        .unwrap_or_else(|| Store::open(dir.path()))
        .expect("reopen");
    let before = store.enrolment(PAIR).expect("read").expect("kept");
    let target = tempfile::tempdir().expect("temp dir");
    let (restored, _) = Store::restore(&target.path().join("store"), &backup[..]).expect("restore");
    assert_eq!(restored.enrolment(PAIR).expect("read"), Some(before));
}
