//! Reload sessions: what a data pool's resend (`isReload=true`) proves
//! about the keys it did not resend.
//!
//! The first reload message for a (provider GLN, target market) pair opens
//! a session; every key of the pair received in it is marked. When the
//! session closes, every live key of the pair that is unmarked and was last
//! written before the session opened is removed (`not in reload`), unless
//! that would remove more than the allowed fraction of the pair's keys:
//! then the session is held until an operator confirms it.

use gdsn_diff::{Incoming, Reason, Version};
use gdsn_model::ids::ItemKey;
use serde_json::{Value, json};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

use crate::store::Store;
use crate::{StoreError, codec, keys};

/// A (provider GLN, target market country) pair, as text `GLN/TM`.
pub type Pair = String;

/// The pair a key belongs to.
pub fn pair_of(key: &ItemKey) -> Pair {
    format!("{}/{}", key.provider, key.target_market.country())
}

/// An open or held reload session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The pair.
    pub pair: Pair,
    /// Arrival sequence of the message that opened it.
    pub opened_at: u64,
    /// Version of the sweep's tombstones (the opening message's time).
    pub version: Version,
    /// Held for confirmation, with the number of keys the sweep would remove.
    pub held: Option<usize>,
    /// Keys marked so far.
    pub marked: usize,
}

/// What closing a session did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseOutcome {
    /// The sweep ran and removed this many keys.
    Swept(usize),
    /// The sweep would remove `candidates` of `live` keys, more than allowed: held.
    Held {
        /// Keys the sweep would remove.
        candidates: usize,
        /// Live keys of the pair.
        live: usize,
    },
}

impl Store {
    /// Every open or held session.
    pub fn reload_sessions(&self) -> Result<Vec<Session>, StoreError> {
        let mut sessions = Vec::new();
        for entry in self.reloads.iter() {
            let (pair, value) = entry?;
            let pair = String::from_utf8_lossy(&pair).into_owned();
            let v: Value = serde_json::from_slice(&value).map_err(|_| corrupt(&pair))?;
            let version = unhex(v["version"].as_str().unwrap_or("")).and_then(|b| Version::from_bytes(&b));
            let marked = self.reload_marks.scan_prefix(format!("{pair}\0")).count();
            sessions.push(Session {
                opened_at: v["opened_at"].as_u64().unwrap_or(0),
                version: version.ok_or_else(|| corrupt(&pair))?,
                held: v["held"].as_u64().map(|n| n as usize),
                marked,
                pair,
            });
        }
        Ok(sessions)
    }

    /// Closes the pair's session: sweeps, or holds the sweep when it would
    /// remove more than `max_fraction` of the pair's live keys, unless
    /// `confirmed`.
    pub fn reload_close(
        &self,
        pair: &str,
        max_fraction: f64,
        confirmed: bool,
    ) -> Result<CloseOutcome, StoreError> {
        let Some(session) = self.reload_sessions()?.into_iter().find(|s| s.pair == pair) else {
            return Ok(CloseOutcome::Swept(0));
        };
        let (live, candidates) = self.sweep_candidates(&session)?;
        if !confirmed && candidates.len() as f64 > max_fraction * live as f64 {
            let value = json!({ "opened_at": session.opened_at, "version": hex(&session.version.to_bytes()), "held": candidates.len() });
            self.reloads.insert(pair, value.to_string().into_bytes())?;
            return Ok(CloseOutcome::Held { candidates: candidates.len(), live });
        }
        let removals: Vec<Incoming> = candidates
            .into_iter()
            .map(|top| Incoming::Remove { top, version: session.version, reason: Reason::NotInReload })
            .collect();
        // The enrolment becomes `synchronised` with the sweep's commit.
        let outcome = self.apply_sweep(&removals, pair)?;
        let swept = outcome
            .plans
            .iter()
            .flat_map(|p| &p.changes)
            .filter(|c| matches!(c.kind, gdsn_diff::ChangeKind::Removed { .. }))
            .count();
        for mark in self.reload_marks.scan_prefix(format!("{pair}\0")).keys() {
            self.reload_marks.remove(mark?)?;
        }
        self.reloads.remove(pair)?;
        Ok(CloseOutcome::Swept(swept))
    }

    /// (live keys of the pair, those the sweep would remove).
    fn sweep_candidates(&self, session: &Session) -> Result<(usize, Vec<ItemKey>), StoreError> {
        let (provider, market) = session.pair.split_once('/').unwrap_or((&session.pair, ""));
        let mut live = 0;
        let mut candidates = Vec::new();
        for entry in self.state.scan_prefix(format!("{provider}/")) {
            let (k, value) = entry?;
            let Some(key) = keys::decode(&k) else { continue };
            if key.target_market.country() != market {
                continue;
            }
            live += 1;
            let stored = codec::decode_state(&value).ok_or_else(|| corrupt(&key.to_string()))?;
            let marked = self.reload_marks.contains_key(mark_key(&session.pair, &key))?;
            if !marked && stored.version.sequence < session.opened_at {
                candidates.push(key);
            }
        }
        Ok((live, candidates))
    }
}

/// The trees a message's reload marks are written to: `reloads`,
/// `reload_marks` and `enrolments`.
pub(crate) type MarkTrees<'t> = (&'t TransactionalTree, &'t TransactionalTree, &'t TransactionalTree);

/// Marks keys received in a reload message, opening the pair's session if
/// none is open (its enrolment, if any, is then `loading` since `now`);
/// inside the transaction that finishes the message.
pub(crate) fn mark_in(
    (reloads, marks, enrolments): MarkTrees<'_>,
    pair: &str,
    opened_at: u64,
    version: Version,
    keys: &[ItemKey],
    now: &str,
) -> Result<(), ConflictableTransactionError<crate::store::Aborted>> {
    if reloads.get(pair)?.is_none() {
        let value = json!({ "opened_at": opened_at, "version": hex(&version.to_bytes()), "held": null });
        reloads.insert(pair.as_bytes(), value.to_string().into_bytes())?;
        crate::enrol::on_reload_open(enrolments, pair, now)?;
    }
    for key in keys {
        marks.insert(mark_key(pair, key), &[])?;
    }
    Ok(())
}

fn mark_key(pair: &str, key: &ItemKey) -> Vec<u8> {
    let mut k = pair.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&keys::encode(key));
    k
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

fn corrupt(key: &str) -> StoreError {
    StoreError::Corrupt { tree: "reloads", key: key.to_owned() }
}
