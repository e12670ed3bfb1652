//! Properties of the plan over random sequences of documents, applied to
//! an in-memory state (the same effects the store writes):
//! - re-delivering a document right after it was applied changes nothing;
//! - liveness holds after every step: a live key is standalone or listed
//!   as a child by a live parent, and every parent it names is live;
//! - an older version never changes anything.

use std::collections::BTreeMap;

use gdsn_diff::{
    ChangeKind, Effect, Incoming, IncomingItem, Reason, StateView, Stored, Tombstone, Version, plan,
};
use gdsn_model::ids::{Gln, Gtin, ItemKey, TargetMarket};
use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Default)]
struct Mem {
    live: BTreeMap<ItemKey, (Stored, Value)>,
    tombstones: BTreeMap<ItemKey, Tombstone>,
}

impl StateView for Mem {
    fn stored(&self, key: &ItemKey) -> Option<Stored> {
        self.live.get(key).map(|(s, _)| s.clone())
    }
    fn tombstone(&self, key: &ItemKey) -> Option<Tombstone> {
        self.tombstones.get(key).cloned()
    }
    fn record(&self, key: &ItemKey) -> Option<Value> {
        self.live.get(key).map(|(_, v)| v.clone())
    }
    fn parents_listing(&self, key: &ItemKey) -> std::collections::BTreeSet<ItemKey> {
        self.live
            .iter()
            .filter(|(_, (s, _))| s.links.children.contains(key))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

impl Mem {
    fn apply(&mut self, effects: &[Effect]) {
        for effect in effects {
            match effect {
                Effect::Put { key, record, hash, version, links } => {
                    let stored = Stored { hash: *hash, version: *version, links: links.clone() };
                    let record = serde_json::from_str(record).expect("record JSON");
                    self.live.insert(key.clone(), (stored, record));
                    self.tombstones.remove(key);
                }
                Effect::Relink { key, links } => {
                    if let Some((s, _)) = self.live.get_mut(key) {
                        s.links = links.clone();
                    }
                }
                Effect::Remove { key, tombstone } => {
                    self.live.remove(key);
                    self.tombstones.insert(key.clone(), tombstone.clone());
                }
            }
        }
    }

    fn check_liveness(&self) -> Result<(), String> {
        for (key, (stored, _)) in &self.live {
            let links = &stored.links;
            if !links.standalone && links.parents.is_empty() {
                return Err(format!("{key} is live with no parent and not standalone"));
            }
            for parent in &links.parents {
                let Some((p, _)) = self.live.get(parent) else {
                    return Err(format!("{key} names dead parent {parent}"));
                };
                if !p.links.children.contains(key) {
                    return Err(format!("{key} names {parent}, which does not list it"));
                }
            }
            for child in &links.children {
                if let Some((c, _)) = self.live.get(child)
                    && !c.links.parents.contains(key)
                {
                    return Err(format!("{key} lists live child {child}, which does not name it"));
                }
            }
        }
        Ok(())
    }
}

fn key(n: u8) -> ItemKey {
    // GTINs 0000000000001d.. with valid check digits.
    let payload = format!("{:013}", u64::from(n) + 1);
    let check = gdsn_model::ids::check_digit(payload.as_bytes());
    ItemKey {
        provider: Gln::new_lenient("5412345000013").expect("13 digits"),
        gtin: Gtin::parse(&format!("{payload}{check}")).expect("valid GTIN"),
        target_market: TargetMarket::parse("056", None).expect("valid target market"),
    }
}

/// A small universe: tops 0-2, cases 3-4 (shared), eaches 5-6.
#[derive(Debug, Clone)]
enum Step {
    Replace { top: u8, children: Vec<u8>, grandchild: Option<u8>, content: u8, time: i128 },
    Remove { top: u8, time: i128 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..3, proptest::collection::vec(3u8..5, 0..3), proptest::option::of(5u8..7), 0u8..3, 0i128..6)
            .prop_map(|(top, mut children, grandchild, content, time)| {
                children.sort();
                children.dedup();
                Step::Replace { top, children, grandchild, content, time }
            }),
        1 => (0u8..3, 0i128..6).prop_map(|(top, time)| Step::Remove { top, time }),
    ]
}

fn item(n: u8, children: Vec<u8>, content: u8, version: Version) -> IncomingItem {
    let record = json!({ "gtin": key(n).gtin.to_string(), "content": content, "children": children });
    IncomingItem {
        key: key(n),
        version,
        hash: u128::from(n) << 8 | u128::from(content) | (children.len() as u128) << 16,
        record: record.to_string().into(),
        children: children.into_iter().map(key).collect(),
    }
}

fn incoming(step: &Step, sequence: u64) -> Incoming {
    match step {
        Step::Replace { top, children, grandchild, content, time } => {
            let version = Version { item_time: *time, message_time: 0, sequence };
            let below: Vec<u8> = grandchild.iter().copied().collect();
            let mut items = vec![item(*top, children.clone(), *content, version)];
            items.extend(children.iter().map(|c| item(*c, below.clone(), 0, version)));
            items.extend(
                grandchild.iter().filter(|_| !children.is_empty()).map(|g| item(*g, vec![], 0, version)),
            );
            if children.is_empty() {
                items[0].children.clear();
            }
            Incoming::Replace { items }
        }
        Step::Remove { top, time } => Incoming::Remove {
            top: key(*top),
            version: Version { item_time: *time, message_time: 0, sequence },
            reason: Reason::Deleted,
        },
    }
}

proptest! {
    #[test]
    fn liveness_and_idempotence_hold(steps in proptest::collection::vec(step(), 1..25)) {
        let mut mem = Mem::default();
        for (i, step) in steps.iter().enumerate() {
            let doc = incoming(step, i as u64 * 2);
            let first = plan(&mem, &doc);
            mem.apply(&first.effects);
            mem.check_liveness().map_err(TestCaseError::fail)?;
            // The same document again (a later arrival) changes nothing.
            if let Incoming::Replace { .. } = doc {
                let again = plan(&mem, &incoming(step, i as u64 * 2 + 1));
                prop_assert!(again.effects.is_empty(), "re-delivery wrote {:?}", again.effects);
                prop_assert!(again.changes.iter().all(|c| matches!(c.kind, ChangeKind::Unchanged | ChangeKind::Stale)));
            }
        }
    }

    #[test]
    fn an_older_version_changes_nothing(steps in proptest::collection::vec(step(), 1..15), late in step()) {
        let mut mem = Mem::default();
        for (i, step) in steps.iter().enumerate() {
            mem.apply(&plan(&mem, &incoming(step, 100 + i as u64)).effects);
        }
        // `late` has item_time 0..6 but sequence 0: older than every stored
        // version with the same item time, so only strictly newer item
        // times may change anything.
        let max_time = mem.live.values().map(|(s, _)| s.version.item_time)
            .chain(mem.tombstones.values().map(|t| t.version.item_time)).max();
        let doc = incoming(&late, 0);
        let p = plan(&mem, &doc);
        let late_time = match &late { Step::Replace { time, .. } | Step::Remove { time, .. } => *time };
        // Every key the late document targets directly (its items, or its
        // top) whose stored version is newer must be stale; cascaded link
        // changes on other keys are legitimate.
        let targets: Vec<ItemKey> = match &doc {
            Incoming::Replace { items } => items.iter().map(|i| i.key.clone()).collect(),
            Incoming::Remove { top, .. } => vec![top.clone()],
        };
        let _ = max_time;
        for target in &targets {
            let Some(first) = p.changes.iter().find(|c| &c.key == target) else { continue };
            if let Some((s, _)) = mem.live.get(target)
                && s.version.item_time > late_time
            {
                prop_assert_eq!(&first.kind, &ChangeKind::Stale, "{}", target);
            }
        }
    }
}

#[test]
fn replacing_a_hierarchy_unlinks_dropped_children_but_keeps_shared_ones() {
    let mut mem = Mem::default();
    let v = |s| Version { item_time: 1, message_time: 0, sequence: s };
    // Pallet 0 > cases 3, 4; pallet 1 > case 4 (shared).
    let doc0 = Incoming::Replace {
        items: vec![item(0, vec![3, 4], 0, v(1)), item(3, vec![], 0, v(1)), item(4, vec![], 0, v(1))],
    };
    let doc1 = Incoming::Replace { items: vec![item(1, vec![4], 0, v(2)), item(4, vec![], 0, v(2))] };
    mem.apply(&plan(&mem, &doc0).effects);
    let p1 = plan(&mem, &doc1);
    mem.apply(&p1.effects);
    assert_eq!(mem.live.len(), 4);
    // Pallet 0 now lists only case 3: case 4 keeps pallet 1 as parent.
    let doc0b = Incoming::Replace { items: vec![item(0, vec![3], 1, v(3)), item(3, vec![], 0, v(3))] };
    let p = plan(&mem, &doc0b);
    mem.apply(&p.effects);
    mem.check_liveness().unwrap();
    assert!(mem.live.contains_key(&key(4)));
    assert_eq!(mem.live[&key(4)].0.links.parents.iter().collect::<Vec<_>>(), vec![&key(1)]);
    // Pallet 1 deleted: case 4 is left orphaned and goes with it.
    let delete = Incoming::Remove { top: key(1), version: v(4), reason: Reason::Deleted };
    let p = plan(&mem, &delete);
    let removed: Vec<_> = p
        .changes
        .iter()
        .filter(|c| matches!(c.kind, ChangeKind::Removed { .. }))
        .map(|c| c.key.clone())
        .collect();
    assert_eq!(removed, vec![key(1), key(4)]);
    mem.apply(&p.effects);
    mem.check_liveness().unwrap();
    // A late ADD of pallet 1 older than the delete is stale.
    let late = Incoming::Replace {
        items: vec![item(1, vec![], 0, Version { item_time: 0, message_time: 0, sequence: 9 })],
    };
    assert_eq!(plan(&mem, &late).changes[0].kind, ChangeKind::Stale);
}

#[test]
fn a_delete_before_its_add_keeps_the_older_add_out() {
    let mut mem = Mem::default();
    let delete = Incoming::Remove {
        top: key(2),
        version: Version { item_time: 5, message_time: 0, sequence: 1 },
        reason: Reason::Deleted,
    };
    let p = plan(&mem, &delete);
    assert!(p.changes.is_empty());
    mem.apply(&p.effects);
    let add = Incoming::Replace {
        items: vec![item(2, vec![], 0, Version { item_time: 4, message_time: 0, sequence: 2 })],
    };
    assert_eq!(plan(&mem, &add).changes[0].kind, ChangeKind::Stale);
    let newer = Incoming::Replace {
        items: vec![item(2, vec![], 0, Version { item_time: 6, message_time: 0, sequence: 3 })],
    };
    assert_eq!(plan(&mem, &newer).changes[0].kind, ChangeKind::Added);
}

#[test]
fn changed_fields_are_named() {
    let mut mem = Mem::default();
    let v = |s| Version { item_time: s, message_time: 0, sequence: s as u64 };
    mem.apply(&plan(&mem, &Incoming::Replace { items: vec![item(0, vec![], 0, v(1))] }).effects);
    let p = plan(&mem, &Incoming::Replace { items: vec![item(0, vec![], 2, v(2))] });
    assert_eq!(p.changes[0].kind, ChangeKind::Updated { fields: vec!["content".to_owned()] });
}
