//! Enrolments: the (provider GLN, target market) pairs we subscribed to,
//! and how far each has got.
//!
//! An enrolment is keyed by its pair (`GLN/TM`, as [`reload::pair_of`]
//! writes it) in the `enrolments` tree; its value is an [`Enrolment`] as
//! JSON. Its state moves `requested` (CIS and RFCIN queued) → `sent` (the
//! CIS delivered) → `subscribed` (the pool ACCEPTED the CIS, or the first
//! CIN for the pair arrived) → `loading` (a reload session opened for the
//! pair) → `synchronised` (the session closed and its sweep ran); a
//! REJECTED GS1 Response moves it to `failed`, `unenrol` to `unenrolled`.
//!
//! Every transition commits in the transaction of the write that causes
//! it (the reply's removal, the CIN's items, the reload marks, the sweep),
//! so a crash never leaves a state that its cause does not back.

use std::collections::BTreeSet;

use gdsn_diff::{Incoming, Reason, Version};
use gdsn_model::ids::ItemKey;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use crate::store::{Aborted, Store};
use crate::{StoreError, keys, reload};

/// How many state changes an enrolment remembers.
const HISTORY: usize = 20;

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolState {
    /// The CIS and RFCIN are queued.
    Requested,
    /// The CIS was delivered to the pool.
    Sent,
    /// The pool accepted the CIS, or sent a first CIN for the pair.
    Subscribed,
    /// A reload session is open for the pair.
    Loading,
    /// The reload session closed and its sweep ran.
    Synchronised,
    /// The pool rejected the CIS or RFCIN (the error is kept).
    Failed,
    /// Unenrolled: the CIS delete is queued.
    Unenrolled,
}

impl EnrolState {
    /// The state's name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolState::Requested => "requested",
            EnrolState::Sent => "sent",
            EnrolState::Subscribed => "subscribed",
            EnrolState::Loading => "loading",
            EnrolState::Synchronised => "synchronised",
            EnrolState::Failed => "failed",
            EnrolState::Unenrolled => "unenrolled",
        }
    }

    /// Whether the pair counts as enrolled (CINs for it are wanted).
    pub fn is_live(self) -> bool {
        !matches!(self, EnrolState::Failed | EnrolState::Unenrolled)
    }
}

/// One state change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The new state.
    pub state: EnrolState,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Why, when there is more to say than the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One enrolment, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The information provider's GLN.
    pub provider_gln: String,
    /// The target market country code.
    pub target_market: String,
    /// The GPC brick the subscription is limited to, if any.
    pub gpc: Option<String>,
    /// The connection that carries the CIS and RFCIN.
    pub connection: String,
    /// Our GLN, the sender of the CIS (the CIS delete reuses it).
    #[serde(default)]
    pub recipient_gln: String,
    /// The data pool's GLN, the receiver of the CIS.
    #[serde(default)]
    pub pool_gln: String,
    /// Where it stands.
    pub state: EnrolState,
    /// The pool's error, when it failed.
    pub error: Option<String>,
    /// The SBDH InstanceIdentifier of our latest CIS.
    pub cis_message_id: String,
    /// The SBDH InstanceIdentifier of our RFCIN, if one was sent.
    pub rfcin_message_id: Option<String>,
    /// The queue sequence of the CIS reply, until it is delivered.
    pub cis_reply_seq: Option<u64>,
    /// When it was enrolled.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// When a CIN for the pair was last applied.
    #[serde(default)]
    pub last_message_at: Option<String>,
    /// The latest state changes, oldest first (at most 20).
    pub history: Vec<Transition>,
}

impl Enrolment {
    /// The pair, `GLN/TM`.
    pub fn pair(&self) -> String {
        format!("{}/{}", self.provider_gln, self.target_market)
    }

    /// Moves to `state`, keeping the history bounded.
    pub(crate) fn move_to(&mut self, state: EnrolState, note: Option<String>, at: &str) {
        self.state = state;
        self.updated_at = at.to_owned();
        self.history.push(Transition { state, at: at.to_owned(), note });
        let excess = self.history.len().saturating_sub(HISTORY);
        self.history.drain(..excess);
    }
}

/// An outbound message built for an enrolment: (message id, receiver, XML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    /// Its SBDH InstanceIdentifier.
    pub message_id: String,
    /// The data pool's GLN.
    pub receiver: String,
    /// The message.
    pub xml: String,
}

/// What to enrol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolRequest {
    /// The information provider's GLN.
    pub provider_gln: String,
    /// The target market country code.
    pub target_market: String,
    /// The GPC brick, if any.
    pub gpc: Option<String>,
    /// The connection that carries the messages.
    pub connection: String,
    /// Our GLN, the CIS's sender.
    pub recipient_gln: String,
    /// The CIS (ADD); its receiver is the data pool.
    pub cis: Outbound,
    /// The RFCIN, if a reload is asked for.
    pub rfcin: Option<Outbound>,
}

/// A GS1 Response that answers one of our enrolment messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolResponse {
    /// The enrolment's pair.
    pub pair: String,
    /// The message it answers (our CIS or RFCIN).
    pub original: String,
    /// `None` when ACCEPTED; the error text when REJECTED or an exception.
    pub error: Option<String>,
}

/// An enrolment with what the store holds for its pair, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentView {
    /// The enrolment.
    pub enrolment: Enrolment,
    /// Live items of the pair.
    pub items: usize,
}

/// Why an enrolment could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    /// The pair is enrolled and neither failed nor unenrolled.
    #[error("{pair} is already enrolled ({state}); unenrol it first, or wait for it to fail")]
    AlreadyEnrolled {
        /// The pair.
        pair: String,
        /// Its state.
        state: &'static str,
    },
    /// The pair is not enrolled.
    #[error("{0} is not enrolled")]
    NotEnrolled(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

type TxError = ConflictableTransactionError<Aborted>;

impl Store {
    /// Records an enrolment and queues its CIS and RFCIN for its
    /// connection, in one transaction. A pair that is enrolled and neither
    /// failed nor unenrolled is refused.
    pub fn enrol(&self, request: &EnrolRequest) -> Result<Enrolment, EnrolError> {
        let pair = format!("{}/{}", request.provider_gln, request.target_market);
        let cis_seq = self.next_reply_id()?;
        let rfcin_seq = request.rfcin.as_ref().map(|_| self.next_reply_id()).transpose()?;
        let now = self.now_rfc3339();
        let mut enrolment = Enrolment {
            provider_gln: request.provider_gln.clone(),
            target_market: request.target_market.clone(),
            gpc: request.gpc.clone(),
            connection: request.connection.clone(),
            recipient_gln: request.recipient_gln.clone(),
            pool_gln: request.cis.receiver.clone(),
            state: EnrolState::Requested,
            error: None,
            cis_message_id: request.cis.message_id.clone(),
            rfcin_message_id: request.rfcin.as_ref().map(|r| r.message_id.clone()),
            cis_reply_seq: Some(cis_seq),
            created_at: now.clone(),
            updated_at: now.clone(),
            last_message_at: None,
            history: Vec::new(),
        };
        enrolment.move_to(EnrolState::Requested, None, &now);
        let result = (&self.enrolments, &self.replies).transaction(|(enrolments, replies)| {
            if let Some(existing) = read(enrolments, &pair)?
                && existing.state.is_live()
            {
                return Err(ConflictableTransactionError::Abort(Aborted::Failed(format!(
                    "already:{}",
                    existing.state.as_str()
                ))));
            }
            let connection = Some(request.connection.as_str());
            queue(replies, cis_seq, "CIS", &request.cis, connection, Some(&pair))?;
            if let (Some(rfcin), Some(seq)) = (&request.rfcin, rfcin_seq) {
                queue(replies, seq, "RFCIN", rfcin, connection, None)?;
            }
            write(enrolments, &enrolment)
        });
        match result {
            Ok(()) => Ok(enrolment),
            Err(TransactionError::Abort(Aborted::Failed(why))) => match why.strip_prefix("already:") {
                Some(state) => Err(EnrolError::AlreadyEnrolled { pair, state: state_name(state) }),
                None => Err(StoreError::Corrupt { tree: "enrolments", key: why }.into()),
            },
            Err(TransactionError::Abort(Aborted::RolledBack(_))) => Ok(enrolment),
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e).into()),
        }
    }

    /// Every enrolment in pair order, with its live item count.
    pub fn enrolments(&self) -> Result<Vec<EnrolmentView>, StoreError> {
        let mut list = Vec::new();
        for entry in self.enrolments.iter() {
            let (key, value) = entry?;
            let enrolment = decode(&key, &value)?;
            let items = self.pair_items(&enrolment.provider_gln, &enrolment.target_market)?.len();
            list.push(EnrolmentView { enrolment, items });
        }
        Ok(list)
    }

    /// The enrolment of a pair (`GLN/TM`), if any.
    pub fn enrolment(&self, pair: &str) -> Result<Option<Enrolment>, StoreError> {
        self.enrolments.get(pair)?.map(|value| decode(pair.as_bytes(), &value)).transpose()
    }

    /// The pair whose CIS or RFCIN has this message id, if any (a GS1
    /// Response names the message it answers). A scan: enrolments are few
    /// and responses rare.
    pub fn enrolment_by_message(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        for entry in self.enrolments.iter() {
            let (key, value) = entry?;
            let e = decode(&key, &value)?;
            if e.cis_message_id == message_id || e.rfcin_message_id.as_deref() == Some(message_id) {
                return Ok(Some(e.pair()));
            }
        }
        Ok(None)
    }

    /// Unenrols a pair: queues the CIS delete for its connection and marks
    /// it `unenrolled`, in one transaction. The caller purges separately.
    pub fn unenrol(&self, pair: &str, cis_delete: &Outbound) -> Result<Enrolment, EnrolError> {
        let mut enrolment = self.enrolment(pair)?.ok_or_else(|| EnrolError::NotEnrolled(pair.to_owned()))?;
        let seq = self.next_reply_id()?;
        let now = self.now_rfc3339();
        enrolment.move_to(
            EnrolState::Unenrolled,
            Some(format!("CIS delete {}", cis_delete.message_id)),
            &now,
        );
        enrolment.cis_reply_seq = None;
        let result = (&self.enrolments, &self.replies).transaction(|(enrolments, replies)| {
            queue(replies, seq, "CIS", cis_delete, Some(&enrolment.connection), None)?;
            write(enrolments, &enrolment)
        });
        result.map_err(tx_error)?;
        Ok(enrolment)
    }

    /// Live item keys of a pair, by a range scan of the provider's keys.
    pub(crate) fn pair_items(&self, provider: &str, market: &str) -> Result<Vec<sled::IVec>, StoreError> {
        let mut keys = Vec::new();
        for key in self.items.scan_prefix(format!("{provider}/")).keys() {
            let key = key?;
            let text = String::from_utf8_lossy(&key);
            if text.split('/').nth(2) == Some(market) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// Removes every live key of a pair (`unenrolled`), each with its own
    /// version under a new arrival sequence, so a later reload of the same
    /// items (after a new enrolment) brings them back. Children go before
    /// their parents: a parent's removal would give an orphan the parent's
    /// version. One transaction, outbox entries included; returns how many
    /// keys were removed.
    pub fn purge_pair(&self, provider: &str, market: &str) -> Result<usize, StoreError> {
        let sequence = self.next_sequence()?;
        let mut live = Vec::new();
        for k in self.pair_items(provider, market)? {
            let Some(key) = keys::decode(&k) else { continue };
            let Some(stored) = self.stored(&key)? else { continue };
            live.push((key, stored));
        }
        let removals: Vec<Incoming> = leaves_first(live)
            .into_iter()
            .map(|(top, v)| Incoming::Remove {
                top,
                version: Version { sequence, ..v },
                reason: Reason::Unenrolled,
            })
            .collect();
        let outcome = self.apply(&removals)?;
        Ok(outcome
            .plans
            .iter()
            .flat_map(|p| &p.changes)
            .filter(|c| matches!(c.kind, gdsn_diff::ChangeKind::Removed { .. }))
            .count())
    }

    fn next_reply_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }
}

/// Keys ordered so that each comes after every one of its children.
fn leaves_first(mut pending: Vec<(ItemKey, gdsn_diff::Stored)>) -> Vec<(ItemKey, Version)> {
    let mut order = Vec::with_capacity(pending.len());
    let mut done = BTreeSet::new();
    while !pending.is_empty() {
        let before = pending.len();
        let all: BTreeSet<ItemKey> = pending.iter().map(|(k, _)| k.clone()).collect();
        pending.retain(|(key, stored)| {
            let ready =
                stored.links.children.iter().all(|c| done.contains(c) || !all.contains(c) || c == key);
            if ready {
                order.push((key.clone(), stored.version));
            }
            !ready
        });
        done.extend(order.iter().map(|(k, _)| k.clone()));
        // A cycle cannot be stored, but never loop on one.
        if pending.len() == before {
            order.extend(pending.drain(..).map(|(k, s)| (k, s.version)));
        }
    }
    order
}

fn state_name(text: &str) -> &'static str {
    [
        EnrolState::Requested,
        EnrolState::Sent,
        EnrolState::Subscribed,
        EnrolState::Loading,
        EnrolState::Synchronised,
    ]
    .into_iter()
    .find(|s| s.as_str() == text)
    .map_or("enrolled", EnrolState::as_str)
}

fn tx_error(e: TransactionError<Aborted>) -> StoreError {
    match e {
        TransactionError::Abort(Aborted::Failed(why)) => StoreError::Corrupt { tree: "enrolments", key: why },
        TransactionError::Abort(Aborted::RolledBack(_)) => {
            StoreError::Corrupt { tree: "enrolments", key: "rolled back".into() }
        }
        TransactionError::Storage(e) => StoreError::Sled(e),
    }
}

fn decode(key: &[u8], value: &[u8]) -> Result<Enrolment, StoreError> {
    serde_json::from_slice(value).map_err(|_| StoreError::Corrupt {
        tree: "enrolments",
        key: String::from_utf8_lossy(key).into_owned(),
    })
}

/// Reads a pair's enrolment inside a transaction.
pub(crate) fn read(enrolments: &TransactionalTree, pair: &str) -> Result<Option<Enrolment>, TxError> {
    let Some(value) = enrolments.get(pair)? else { return Ok(None) };
    serde_json::from_slice(&value)
        .map(Some)
        .map_err(|_| ConflictableTransactionError::Abort(Aborted::Failed(format!("enrolment {pair}"))))
}

fn write(enrolments: &TransactionalTree, enrolment: &Enrolment) -> Result<(), TxError> {
    let value = serde_json::to_vec(enrolment)
        .map_err(|e| ConflictableTransactionError::Abort(Aborted::Failed(e.to_string())))?;
    enrolments.insert(enrolment.pair().as_bytes(), value)?;
    Ok(())
}

/// Queues a reply as [`Store::queue_reply`] does, inside a transaction;
/// `enrolment` names the pair whose CIS it is, so its delivery moves the
/// enrolment to `sent`.
fn queue(
    replies: &TransactionalTree,
    seq: u64,
    kind: &str,
    message: &Outbound,
    connection: Option<&str>,
    enrolment: Option<&str>,
) -> Result<(), TxError> {
    let value = json!({ "kind": kind, "message_id": message.message_id, "receiver": message.receiver, "xml": message.xml, "connection": connection, "enrolment": enrolment });
    replies.insert(&seq.to_be_bytes(), value.to_string().into_bytes())?;
    Ok(())
}

/// Applies `change` to the pair's enrolment, if it has one, and writes it
/// back when the change says it changed something.
fn update(
    enrolments: &TransactionalTree,
    pair: &str,
    now: &str,
    change: impl FnOnce(&mut Enrolment, &str) -> bool,
) -> Result<(), TxError> {
    let Some(mut enrolment) = read(enrolments, pair)? else { return Ok(()) };
    if change(&mut enrolment, now) {
        write(enrolments, &enrolment)?;
    }
    Ok(())
}

/// The CIS reply `seq` was delivered: `requested` → `sent`. Called with
/// the reply's stored value, in the transaction that removes it.
pub(crate) fn on_delivered(
    enrolments: &TransactionalTree,
    reply: &[u8],
    seq: u64,
    now: &str,
) -> Result<(), TxError> {
    let value: serde_json::Value = serde_json::from_slice(reply).unwrap_or_default();
    let Some(pair) = value["enrolment"].as_str() else { return Ok(()) };
    update(enrolments, pair, now, |e, now| {
        if e.cis_reply_seq != Some(seq) {
            return false;
        }
        e.cis_reply_seq = None;
        if e.state == EnrolState::Requested {
            e.move_to(EnrolState::Sent, None, now);
        }
        true
    })
}

/// CIN items for the pair were applied: the first moves `requested` or
/// `sent` to `subscribed` (pools that send no GS1 Response); every one
/// updates the last message time.
pub(crate) fn on_cin(enrolments: &TransactionalTree, pair: &str, now: &str) -> Result<(), TxError> {
    update(enrolments, pair, now, |e, now| {
        if matches!(e.state, EnrolState::Requested | EnrolState::Sent) {
            e.move_to(EnrolState::Subscribed, Some("first CIN".into()), now);
        }
        e.last_message_at = Some(now.to_owned());
        true
    })
}

/// A reload session opened for the pair: → `loading`, unless failed or
/// unenrolled.
pub(crate) fn on_reload_open(enrolments: &TransactionalTree, pair: &str, now: &str) -> Result<(), TxError> {
    update(enrolments, pair, now, |e, now| {
        let moves = e.state.is_live() && e.state != EnrolState::Loading;
        if moves {
            e.move_to(EnrolState::Loading, None, now);
        }
        moves
    })
}

/// The pair's reload session closed and its sweep ran: `loading` →
/// `synchronised`.
pub(crate) fn on_sweep(enrolments: &TransactionalTree, pair: &str, now: &str) -> Result<(), TxError> {
    update(enrolments, pair, now, |e, now| {
        let moves = e.state == EnrolState::Loading;
        if moves {
            e.move_to(EnrolState::Synchronised, None, now);
        }
        moves
    })
}

/// A GS1 Response answered our CIS or RFCIN: ACCEPTED of the CIS →
/// `subscribed` (from `requested` or `sent`); REJECTED or an exception →
/// `failed` with the error.
pub(crate) fn on_response(
    enrolments: &TransactionalTree,
    response: &EnrolResponse,
    now: &str,
) -> Result<(), TxError> {
    update(enrolments, &response.pair, now, |e, now| {
        let ours = e.cis_message_id == response.original
            || e.rfcin_message_id.as_deref() == Some(response.original.as_str());
        if !ours || e.state == EnrolState::Unenrolled {
            return false;
        }
        match &response.error {
            Some(error) => {
                e.error = Some(error.clone());
                e.move_to(EnrolState::Failed, Some(format!("response to {}", response.original)), now);
                true
            }
            None if e.cis_message_id == response.original
                && matches!(e.state, EnrolState::Requested | EnrolState::Sent) =>
            {
                e.move_to(EnrolState::Subscribed, Some("CIS accepted".into()), now);
                true
            }
            None => false,
        }
    })
}

/// The pairs of the CIN hierarchies (replacements) among `documents`, each
/// once: removals (a DELETE, a CIHW, a sweep) say nothing of a subscription.
pub(crate) fn cin_pairs(documents: &[Incoming]) -> BTreeSet<String> {
    documents
        .iter()
        .filter_map(|d| match d {
            Incoming::Replace { items } => items.first().map(|i| reload::pair_of(&i.key)),
            Incoming::Remove { .. } => None,
        })
        .collect()
}
