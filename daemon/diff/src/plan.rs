//! Planning one document: which keys change, and how.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use gdsn_model::ids::ItemKey;
use serde_json::Value;

use crate::Version;

/// The hierarchy links of a live key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// Live keys that list this one as a child.
    pub parents: BTreeSet<ItemKey>,
    /// The children this key's own record lists.
    pub children: Vec<ItemKey>,
    /// The top item of a live document.
    pub standalone: bool,
}

impl Links {
    fn is_orphan(&self) -> bool {
        self.parents.is_empty() && !self.standalone
    }
}

/// What the store holds for a live key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Content hash of the record (`ProductRecord::content_hash`).
    pub hash: u128,
    /// Version of the record.
    pub version: Version,
    /// Hierarchy links.
    pub links: Links,
}

/// What the store remembers of a removed key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// Version of the removal.
    pub version: Version,
    /// Why.
    pub reason: Reason,
}

/// Why a key was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A CIN with command DELETE.
    Deleted,
    /// A CIHW, with its `hierarchyDeletionReasonCode`.
    Withdrawn(String),
    /// No live parent lists it any more, and it is not a top item.
    Unlinked,
    /// A reload of its provider and target market did not carry it.
    NotInReload,
    /// Its provider and target market were unenrolled and purged.
    Unenrolled,
}

impl Reason {
    /// The stable text form (`deleted`, `withdrawn: CODE`, `unlinked`, `not in reload`, `unenrolled`).
    pub fn as_text(&self) -> String {
        match self {
            Reason::Deleted => "deleted".to_owned(),
            Reason::Withdrawn(code) => format!("withdrawn: {code}"),
            Reason::Unlinked => "unlinked".to_owned(),
            Reason::NotInReload => "not in reload".to_owned(),
            Reason::Unenrolled => "unenrolled".to_owned(),
        }
    }

    /// Reads [`Reason::as_text`].
    pub fn from_text(text: &str) -> Reason {
        match text {
            "deleted" => Reason::Deleted,
            "unlinked" => Reason::Unlinked,
            "not in reload" => Reason::NotInReload,
            "unenrolled" => Reason::Unenrolled,
            other => Reason::Withdrawn(other.strip_prefix("withdrawn: ").unwrap_or(other).to_owned()),
        }
    }
}

/// Read access to the stored state. The store implements it over its
/// transaction, so a plan sees the effects of earlier documents.
pub trait StateView {
    /// The live key's state, if live.
    fn stored(&self, key: &ItemKey) -> Option<Stored>;
    /// The key's tombstone, if removed.
    fn tombstone(&self, key: &ItemKey) -> Option<Tombstone>;
    /// The stored record as JSON, to name the fields that changed.
    fn record(&self, key: &ItemKey) -> Option<Value>;
    /// Live keys whose records list `key` as a child, whether or not `key`
    /// itself is live (a key coming back takes up every parent that lists it).
    fn parents_listing(&self, key: &ItemKey) -> BTreeSet<ItemKey>;
}

/// A record serialised once, as compact JSON text (an object): planning
/// and writing pass it on without copying or re-serialising it.
pub type RecordJson = Arc<str>;

/// One item of an incoming hierarchy.
#[derive(Debug, Clone)]
pub struct IncomingItem {
    /// Its key.
    pub key: ItemKey,
    /// Its version.
    pub version: Version,
    /// `ProductRecord::content_hash`.
    pub hash: u128,
    /// The record as JSON text.
    pub record: RecordJson,
    /// Keys of the children its record lists.
    pub children: Vec<ItemKey>,
}

/// One incoming document, as the diff sees it.
#[derive(Debug, Clone)]
pub enum Incoming {
    /// ADD, CHANGE_BY_REFRESH or CORRECT: the whole hierarchy, top first.
    Replace {
        /// The items, top first.
        items: Vec<IncomingItem>,
    },
    /// DELETE (version from the item it carries) or CIHW.
    Remove {
        /// The top item of the hierarchy.
        top: ItemKey,
        /// The removal's version.
        version: Version,
        /// Why.
        reason: Reason,
    },
}

/// How a key changed, for summaries and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// New, or back after a tombstone.
    Added,
    /// Changed; the top-level record fields that differ.
    Updated {
        /// Field names, sorted.
        fields: Vec<String>,
    },
    /// Same content and links: nothing written.
    Unchanged,
    /// Older than what is stored: nothing written.
    Stale,
    /// Removed, with the reason.
    Removed {
        /// Why.
        reason: Reason,
    },
}

/// A change to one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The key.
    pub key: ItemKey,
    /// What happened.
    pub kind: ChangeKind,
}

/// A write for the store. Every effect is also an index change (outbox entry).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Store the record, its hash, version and links; clear any tombstone.
    Put {
        /// The key.
        key: ItemKey,
        /// The record as JSON text.
        record: RecordJson,
        /// Its content hash.
        hash: u128,
        /// Its version.
        version: Version,
        /// Its links.
        links: Links,
    },
    /// Only the links changed (a parent came or went).
    Relink {
        /// The key.
        key: ItemKey,
        /// The new links.
        links: Links,
    },
    /// Remove the key and keep a tombstone.
    Remove {
        /// The key.
        key: ItemKey,
        /// The tombstone to keep.
        tombstone: Tombstone,
    },
}

/// What one document changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// One change per key touched, in document order then cascade order.
    pub changes: Vec<Change>,
    /// The writes, in order.
    pub effects: Vec<Effect>,
}

/// Plans one incoming document against `view`.
pub fn plan(view: &impl StateView, incoming: &Incoming) -> Plan {
    let mut planner =
        Planner { view, links: BTreeMap::new(), cache: RefCell::default(), plan: Plan::default() };
    match incoming {
        Incoming::Replace { items } => planner.replace(items),
        Incoming::Remove { top, version, reason } => planner.remove_top(top, *version, reason),
    }
    planner.plan
}

/// Plan state: the links as the plan has changed them so far.
struct Planner<'v, V> {
    view: &'v V,
    links: BTreeMap<ItemKey, Option<Links>>,
    /// Stored states read so far: the view does not change during a plan
    /// (its effects are written after it), and each item is looked at
    /// several times.
    cache: RefCell<BTreeMap<ItemKey, Option<Stored>>>,
    plan: Plan,
}

impl<V: StateView> Planner<'_, V> {
    fn stored(&self, key: &ItemKey) -> Option<Stored> {
        if let Some(hit) = self.cache.borrow().get(key) {
            return hit.clone();
        }
        let stored = self.view.stored(key);
        self.cache.borrow_mut().insert(key.clone(), stored.clone());
        stored
    }

    /// Current links of a key: planned, else stored; `None` when not live.
    fn links_of(&self, key: &ItemKey) -> Option<Links> {
        match self.links.get(key) {
            Some(planned) => planned.clone(),
            None => self.stored(key).map(|s| s.links),
        }
    }

    /// [`StateView::parents_listing`] as this plan has changed it so far.
    fn parents_listing(&self, key: &ItemKey) -> BTreeSet<ItemKey> {
        let mut parents = self.view.parents_listing(key);
        for (planned, links) in &self.links {
            match links {
                Some(l) if l.children.contains(key) => parents.insert(planned.clone()),
                _ => parents.remove(planned),
            };
        }
        parents
    }

    fn is_stale(&self, key: &ItemKey, version: Version) -> bool {
        let stored = self.stored(key).is_some_and(|s| s.version > version);
        stored || self.view.tombstone(key).is_some_and(|t| t.version > version)
    }

    fn replace(&mut self, items: &[IncomingItem]) {
        let accepted = self.accepted(items);
        let in_document = parents_in_document(&accepted);
        for item in items {
            let parents = in_document.get(&item.key).cloned().unwrap_or_default();
            if !accepted.iter().any(|a| a.key == item.key) {
                self.plan.changes.push(Change { key: item.key.clone(), kind: ChangeKind::Stale });
                // Its content is older, but an accepted parent here lists
                // it: it is that parent's child all the same.
                self.add_parents(&item.key, parents);
                continue;
            }
            let is_top = std::ptr::eq(item, &items[0]);
            self.put(item, parents, is_top);
        }
        for item in accepted {
            self.unlink_dropped_children(item);
        }
    }

    /// The items to write: fresh ones (not older than what is stored) that
    /// are the top, already live, or listed by an accepted parent of this
    /// document. A new child whose only parents here are stale would be an
    /// orphan, so it is left out (reported stale) with them. Items come top
    /// first, parents before children, so one pass suffices.
    fn accepted<'i>(&self, items: &'i [IncomingItem]) -> Vec<&'i IncomingItem> {
        let mut accepted: Vec<&IncomingItem> = Vec::new();
        for (n, item) in items.iter().enumerate() {
            if self.is_stale(&item.key, item.version) {
                continue;
            }
            let reachable = n == 0
                || self.links_of(&item.key).is_some()
                || accepted.iter().any(|p| p.children.contains(&item.key));
            if reachable {
                accepted.push(item);
            }
        }
        accepted
    }

    fn put(&mut self, item: &IncomingItem, doc_parents: BTreeSet<ItemKey>, is_top: bool) {
        let stored = self.stored(&item.key);
        let mut links = Links { parents: doc_parents, children: item.children.clone(), standalone: is_top };
        match self.links_of(&item.key) {
            Some(old) => {
                links.parents.extend(old.parents);
                links.standalone |= old.standalone;
            }
            None => links.parents.extend(self.parents_listing(&item.key)),
        }
        let kind = match &stored {
            None => ChangeKind::Added,
            Some(s) if s.hash == item.hash && s.links == links => ChangeKind::Unchanged,
            Some(s) if s.hash == item.hash => ChangeKind::Updated { fields: vec!["parents".to_owned()] },
            Some(_) => ChangeKind::Updated { fields: self.changed_fields(item) },
        };
        if kind != ChangeKind::Unchanged {
            self.plan.effects.push(Effect::Put {
                key: item.key.clone(),
                record: item.record.clone(),
                hash: item.hash,
                version: item.version,
                links: links.clone(),
            });
        }
        self.links.insert(item.key.clone(), Some(links));
        self.plan.changes.push(Change { key: item.key.clone(), kind });
    }

    fn changed_fields(&self, item: &IncomingItem) -> Vec<String> {
        let old = self.view.record(&item.key).unwrap_or(Value::Null);
        // Parsed only here: an item whose hash did not change never needs it.
        let new: Value = serde_json::from_str(&item.record).unwrap_or(Value::Null);
        let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
            return vec!["*".to_owned()];
        };
        let mut fields: BTreeSet<&String> = BTreeSet::new();
        for (name, value) in new {
            if name != "source" && name != "parents" && old.get(name) != Some(value) {
                fields.insert(name);
            }
        }
        fields.extend(old.keys().filter(|k| !new.contains_key(*k)));
        fields.into_iter().cloned().collect()
    }

    /// Adds parents to a live key's links (no effect on a dead key).
    fn add_parents(&mut self, key: &ItemKey, parents: BTreeSet<ItemKey>) {
        let Some(mut links) = self.links_of(key) else { return };
        let before = links.parents.len();
        links.parents.extend(parents);
        if links.parents.len() == before {
            return;
        }
        self.links.insert(key.clone(), Some(links.clone()));
        self.plan.effects.push(Effect::Relink { key: key.clone(), links });
        let kind = ChangeKind::Updated { fields: vec!["parents".to_owned()] };
        self.plan.changes.push(Change { key: key.clone(), kind });
    }

    /// Children the stored record listed and the new one does not lose this parent.
    fn unlink_dropped_children(&mut self, item: &IncomingItem) {
        let Some(old) = self.stored(&item.key) else { return };
        for child in old.links.children.iter().filter(|c| !item.children.contains(c)) {
            self.drop_parent(child, &item.key, item.version, &Reason::Unlinked);
        }
    }

    /// Removes `parent` from `child`'s parents; an orphan is removed in turn.
    fn drop_parent(&mut self, child: &ItemKey, parent: &ItemKey, version: Version, reason: &Reason) {
        let Some(mut links) = self.links_of(child) else { return };
        if !links.parents.remove(parent) {
            return;
        }
        if links.is_orphan() {
            self.remove(child, version, reason);
        } else {
            self.links.insert(child.clone(), Some(links.clone()));
            self.plan.effects.push(Effect::Relink { key: child.clone(), links });
            let kind = ChangeKind::Updated { fields: vec!["parents".to_owned()] };
            self.plan.changes.push(Change { key: child.clone(), kind });
        }
    }

    fn remove_top(&mut self, top: &ItemKey, version: Version, reason: &Reason) {
        if self.is_stale(top, version) {
            self.plan.changes.push(Change { key: top.clone(), kind: ChangeKind::Stale });
            return;
        }
        if self.links_of(top).is_some() {
            self.remove(top, version, reason);
        } else {
            // Not live (never seen, or already removed): keep the tombstone
            // anyway, so an older ADD arriving later stays stale.
            let tombstone = Tombstone { version, reason: reason.clone() };
            self.plan.effects.push(Effect::Remove { key: top.clone(), tombstone });
        }
    }

    /// Removes a live key and cascades to the children it leaves orphaned.
    fn remove(&mut self, key: &ItemKey, version: Version, reason: &Reason) {
        let Some(links) = self.links_of(key) else { return };
        self.links.insert(key.clone(), None);
        let tombstone = Tombstone { version, reason: reason.clone() };
        self.plan.effects.push(Effect::Remove { key: key.clone(), tombstone });
        self.plan
            .changes
            .push(Change { key: key.clone(), kind: ChangeKind::Removed { reason: reason.clone() } });
        for child in &links.children {
            self.drop_parent(child, key, version, reason);
        }
    }
}

/// For each key, the keys in this document that list it as a child.
fn parents_in_document(items: &[&IncomingItem]) -> BTreeMap<ItemKey, BTreeSet<ItemKey>> {
    let mut parents: BTreeMap<ItemKey, BTreeSet<ItemKey>> = BTreeMap::new();
    for item in items {
        for child in &item.children {
            parents.entry(child.clone()).or_default().insert(item.key.clone());
        }
    }
    parents
}
