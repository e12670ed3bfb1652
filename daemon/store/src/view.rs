//! The stored state as the diff sees it, read through an open transaction
//! so that each document's plan sees the documents applied before it.

use std::cell::RefCell;
use std::collections::BTreeSet;

use gdsn_diff::{StateView, Stored, Tombstone};
use gdsn_model::ids::ItemKey;
use serde_json::Value;
use sled::transaction::{TransactionalTree, UnabortableTransactionError};

use crate::{codec, keys};

/// Trees read by the diff, inside a transaction.
pub(crate) struct TxView<'t> {
    pub(crate) items: &'t TransactionalTree,
    pub(crate) state: &'t TransactionalTree,
    pub(crate) claims: &'t TransactionalTree,
    pub(crate) tombstones: &'t TransactionalTree,
    /// The first failure: `StateView` cannot return errors, so a read
    /// failure is kept here and the transaction ends after the plan.
    pub(crate) failure: RefCell<Option<ViewError>>,
}

/// Why the view could not answer.
pub(crate) enum ViewError {
    /// sled failed (IO, such as a full disk) or asked for a retry: passed on
    /// as is, so a full disk is reported as one and a conflict is retried.
    Tx(UnabortableTransactionError),
    /// A stored value could not be decoded.
    Corrupt(String),
}

impl TxView<'_> {
    fn read(&self, tree: &TransactionalTree, key: &ItemKey) -> Option<sled::IVec> {
        match tree.get(keys::encode(key)) {
            Ok(value) => value,
            Err(e) => {
                self.failure.borrow_mut().get_or_insert(ViewError::Tx(e));
                None
            }
        }
    }

    fn corrupt(&self, name: &str, key: &ItemKey) {
        self.failure
            .borrow_mut()
            .get_or_insert_with(|| ViewError::Corrupt(format!("{name} value of {key} cannot be decoded")));
    }
}

impl StateView for TxView<'_> {
    fn stored(&self, key: &ItemKey) -> Option<Stored> {
        let bytes = self.read(self.state, key)?;
        let stored = codec::decode_state(&bytes);
        if stored.is_none() {
            self.corrupt("state", key);
        }
        stored
    }

    fn tombstone(&self, key: &ItemKey) -> Option<Tombstone> {
        let bytes = self.read(self.tombstones, key)?;
        let tombstone = codec::decode_tombstone(&bytes);
        if tombstone.is_none() {
            self.corrupt("tombstones", key);
        }
        tombstone
    }

    fn record(&self, key: &ItemKey) -> Option<Value> {
        let bytes = self.read(self.items, key)?;
        serde_json::from_slice(&bytes).ok()
    }

    fn parents_listing(&self, key: &ItemKey) -> BTreeSet<ItemKey> {
        let Some(bytes) = self.read(self.claims, key) else { return BTreeSet::new() };
        match codec::decode_keys(&bytes) {
            Some(parents) => parents.into_iter().collect(),
            None => {
                self.corrupt("claims", key);
                BTreeSet::new()
            }
        }
    }
}
