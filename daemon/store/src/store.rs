//! Opening the store, applying planned documents, and reading it back.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use gdsn_diff::{Effect, Incoming, Plan, Stored, plan};
use gdsn_model::ids::ItemKey;
use serde_json::{Value, json};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{Db, Transactional, Tree};

use crate::view::{TxView, ViewError};
use crate::{FORMAT_VERSION, StoreError, codec, keys};

/// The store of one data directory.
pub struct Store {
    pub(crate) db: Db,
    pub(crate) meta: Tree,
    pub(crate) items: Tree,
    pub(crate) state: Tree,
    claims: Tree,
    tombstones: Tree,
    pub(crate) outbox: Tree,
    pub(crate) dead_letters: Tree,
    messages: Tree,
    quarantine: Tree,
    pub(crate) replies: Tree,
    pub(crate) held_replies: Tree,
    pub(crate) reloads: Tree,
    pub(crate) reload_marks: Tree,
    pub(crate) enrolments: Tree,
    /// What `sync.applied_at` and enrolment times are read from.
    pub(crate) clock: crate::clock::WallClock,
}

/// Whether a message was seen before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageStatus {
    /// Never applied.
    New,
    /// Applied before with the same content: applying it again does nothing.
    AlreadyApplied,
    /// The same sender and message id with other content.
    Conflict,
    /// Partly applied before a crash, with the same content: this many
    /// documents (the first ones) are committed; carry on after them.
    Resume(usize),
}

/// How far a message too big for one transaction has been applied,
/// written with each of its chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePoint {
    /// SBDH sender.
    pub sender: String,
    /// SBDH InstanceIdentifier.
    pub message_id: String,
    /// Content hash of the message's bytes.
    pub hash: u128,
    /// Documents committed so far (the first ones of the message).
    pub documents: usize,
}

/// A message set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// SBDH sender.
    pub sender: String,
    /// SBDH InstanceIdentifier.
    pub message_id: String,
    /// Why.
    pub reason: String,
    /// Its archive file, when it was archived.
    pub archive: Option<String>,
}

/// What one [`Store::apply`] did.
#[derive(Debug, Default)]
pub struct ApplyOutcome {
    /// One plan per document, in order.
    pub plans: Vec<Plan>,
    /// Effects written (each also an outbox entry).
    pub writes: usize,
}

/// An outbound message waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingReply {
    /// Queue order.
    pub sequence: u64,
    /// `CIC` or `GS1Response`.
    pub kind: String,
    /// Its SBDH InstanceIdentifier.
    pub message_id: String,
    /// The data pool it goes to.
    pub receiver: String,
    /// The message.
    pub xml: String,
    /// The connection the message it answers came through, which carries
    /// it back; `None` for messages ingested from the command line.
    pub connection: Option<String>,
}

/// Sizes of the store, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Live items.
    pub live: usize,
    /// Tombstones.
    pub tombstones: usize,
    /// Outbox entries not yet published.
    pub outbox: usize,
    /// Messages applied.
    pub messages: usize,
    /// Messages quarantined.
    pub quarantined: usize,
    /// Outbound messages waiting for delivery.
    pub replies: usize,
}

/// What a transaction does after planning its documents.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// Commit the documents' effects.
    Apply,
    /// Commit, and record how far the message has got.
    Chunk(&'a ResumePoint),
    /// Plan only: roll everything back.
    RollBack,
    /// Commit, and mark the message done (reply ids generated beforehand).
    Finish(&'a MessageFinish, &'a [u64]),
    /// Commit a reload sweep of this pair (its enrolment is synchronised).
    Sweep(&'a str),
}

/// Everything that marks a message as done, written with its last chunk.
#[derive(Debug, Clone, Default)]
pub struct MessageFinish {
    /// SBDH sender.
    pub sender: String,
    /// SBDH InstanceIdentifier.
    pub message_id: String,
    /// Content hash of the message's bytes.
    pub hash: u128,
    /// Its archive file name.
    pub archive: Option<String>,
    /// Summary shown by tools.
    pub summary: Value,
    /// Replies to queue: (kind, message id, receiver, XML).
    pub replies: Vec<(String, String, String, String)>,
    /// Reload marks: (pair, opening sequence, sweep version, keys received).
    pub reload: Vec<(String, u64, gdsn_diff::Version, Vec<ItemKey>)>,
    /// Replies held until the message's changes are published (CIC
    /// SYNCHRONISED): (kind, message id, receiver, XML, item keys).
    pub held: Vec<(String, String, String, String, Vec<String>)>,
    /// The connection the message came through: its replies go back there.
    pub connection: Option<String>,
    /// GS1 Responses in the message that answer an enrolment's CIS or RFCIN.
    pub enrolment_responses: Vec<crate::enrol::EnrolResponse>,
}

impl MessageFinish {
    fn write(&self, done: &Done<'_>, reply_ids: &[u64]) -> Result<(), TxError> {
        let Done { messages, replies, reloads, reload_marks, held_replies, meta, enrolments, now } = done;
        if !self.message_id.is_empty() || !self.sender.is_empty() {
            let value = json!({ "hash": format!("{:032x}", self.hash), "archive": self.archive, "summary": self.summary });
            messages.insert(message_key(&self.sender, &self.message_id), value.to_string().into_bytes())?;
        }
        for ((kind, message_id, receiver, xml), id) in self.replies.iter().zip(reply_ids) {
            let value = json!({ "kind": kind, "message_id": message_id, "receiver": receiver, "xml": xml, "connection": self.connection });
            replies.insert(&id.to_be_bytes(), value.to_string().into_bytes())?;
        }
        // Held until every outbox entry up to here is published.
        let through =
            meta.get("outbox_seq")?.and_then(|b| b.as_ref().try_into().ok()).map_or(0, u64::from_be_bytes);
        for ((kind, message_id, receiver, xml, keys), id) in
            self.held.iter().zip(&reply_ids[self.replies.len()..])
        {
            let value = json!({ "kind": kind, "message_id": message_id, "receiver": receiver, "xml": xml, "keys": keys, "through": through, "connection": self.connection });
            held_replies.insert(&id.to_be_bytes(), value.to_string().into_bytes())?;
        }
        for (pair, opened_at, version, keys) in &self.reload {
            let trees = (*reloads, *reload_marks, *enrolments);
            crate::reload::mark_in(trees, pair, *opened_at, *version, keys, now)?;
        }
        for response in &self.enrolment_responses {
            crate::enrol::on_response(enrolments, response, now)?;
        }
        Ok(())
    }
}

/// The trees that record a message as done, inside the transaction.
struct Done<'t> {
    messages: &'t TransactionalTree,
    replies: &'t TransactionalTree,
    reloads: &'t TransactionalTree,
    reload_marks: &'t TransactionalTree,
    held_replies: &'t TransactionalTree,
    meta: &'t TransactionalTree,
    enrolments: &'t TransactionalTree,
    /// The transaction's time, for enrolment state changes.
    now: &'t str,
}

/// Why a transaction ended without committing.
pub(crate) enum Aborted {
    /// A stored value could not be read.
    Failed(String),
    /// A dry run, done on purpose, with what it would have done.
    RolledBack(ApplyOutcome),
}

type TxError = ConflictableTransactionError<Aborted>;

impl Store {
    /// Opens (or creates) the store under `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let pid_file = dir.join("owner.pid");
        let db = match sled::open(dir) {
            Ok(db) => db,
            // sled reports a held lock as an `Other` error with this text.
            Err(sled::Error::Io(e))
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.to_string().contains("could not acquire lock") =>
            {
                let pid = std::fs::read_to_string(&pid_file).ok().and_then(|p| p.trim().parse().ok());
                return Err(StoreError::InUse { dir: dir.display().to_string(), pid });
            }
            Err(e) => return Err(e.into()),
        };
        // Best effort: only for the message above, never for locking.
        let _ = std::fs::write(&pid_file, std::process::id().to_string());
        let tree = |name: &str| db.open_tree(name);
        let store = Store {
            meta: tree("meta")?,
            items: tree("items")?,
            state: tree("state")?,
            claims: tree("claims")?,
            tombstones: tree("tombstones")?,
            outbox: tree("outbox")?,
            dead_letters: tree("dead_letters")?,
            messages: tree("messages")?,
            quarantine: tree("quarantine")?,
            replies: tree("replies")?,
            held_replies: tree("held_replies")?,
            reloads: tree("reloads")?,
            reload_marks: tree("reload_marks")?,
            enrolments: tree("enrolments")?,
            clock: crate::clock::system(),
            db,
        };
        store.check_format()?;
        Ok(store)
    }

    fn check_format(&self) -> Result<(), StoreError> {
        match self.meta.get("format")? {
            None => {
                self.meta.insert("format", &FORMAT_VERSION.to_be_bytes())?;
                Ok(())
            }
            Some(v) => {
                let found = v.as_ref().try_into().map(u32::from_be_bytes).unwrap_or(0);
                if found == FORMAT_VERSION {
                    Ok(())
                } else {
                    Err(StoreError::Format { found, expected: FORMAT_VERSION })
                }
            }
        }
    }

    /// The sequence number the next message would get, without taking it.
    pub fn peek_sequence(&self) -> Result<u64, StoreError> {
        let current =
            self.meta.get("sequence")?.and_then(|b| b.as_ref().try_into().ok()).map_or(0, u64::from_be_bytes);
        Ok(current + 1)
    }

    /// The next local arrival sequence number (persisted, monotonic).
    pub fn next_sequence(&self) -> Result<u64, StoreError> {
        let next = self.meta.update_and_fetch("sequence", |old| {
            let n = old.and_then(|b| b.try_into().ok()).map_or(0, u64::from_be_bytes);
            Some((n + 1).to_be_bytes().to_vec())
        })?;
        Ok(next.and_then(|b| b.as_ref().try_into().ok()).map_or(0, u64::from_be_bytes))
    }

    /// Whether `(sender, message_id)` was applied before, and with which content.
    pub fn message_status(
        &self,
        sender: &str,
        message_id: &str,
        hash: u128,
    ) -> Result<MessageStatus, StoreError> {
        let Some(value) = self.messages.get(message_key(sender, message_id))? else {
            return Ok(MessageStatus::New);
        };
        let stored: Value = serde_json::from_slice(&value).unwrap_or(Value::Null);
        let same = stored["hash"] == json!(format!("{hash:032x}"));
        Ok(match stored["resume"].as_u64() {
            Some(documents) if same => MessageStatus::Resume(usize::try_from(documents).unwrap_or(0)),
            _ if same => MessageStatus::AlreadyApplied,
            _ => MessageStatus::Conflict,
        })
    }

    /// Queues an outbound message (a CIC, GS1 Response, CIS or RFCIN)
    /// until a transport delivers it; `connection` names the one that
    /// carries it (`None`: only `gdsn-sync replies --to` delivers it).
    pub fn queue_reply(
        &self,
        kind: &str,
        message_id: &str,
        receiver: &str,
        xml: &str,
        connection: Option<&str>,
    ) -> Result<u64, StoreError> {
        let seq = self.db.generate_id()?;
        let value = json!({ "kind": kind, "message_id": message_id, "receiver": receiver, "xml": xml, "connection": connection });
        self.replies.insert(seq.to_be_bytes(), value.to_string().into_bytes())?;
        Ok(seq)
    }

    /// Replies waiting for delivery, oldest first: (sequence, kind, message id, receiver, XML).
    pub fn pending_replies(&self) -> Result<Vec<PendingReply>, StoreError> {
        let mut pending = Vec::new();
        for entry in self.replies.iter() {
            let (seq, value) = entry?;
            let seq =
                seq.as_ref().try_into().map(u64::from_be_bytes).map_err(|_| corrupt("replies", &seq))?;
            let v: Value = serde_json::from_slice(&value).map_err(|_| corrupt("replies", &value))?;
            let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            pending.push(PendingReply {
                sequence: seq,
                kind: text("kind"),
                message_id: text("message_id"),
                receiver: text("receiver"),
                xml: text("xml"),
                connection: v["connection"].as_str().map(str::to_owned),
            });
        }
        Ok(pending)
    }

    /// Forgets a reply once a transport has delivered it durably; an
    /// enrolment's CIS moves the enrolment to `sent` in the same transaction.
    pub fn delivered(&self, sequence: u64) -> Result<(), StoreError> {
        let now = self.now_rfc3339();
        let result = (&self.replies, &self.enrolments).transaction(|(replies, enrolments)| {
            if let Some(reply) = replies.remove(&sequence.to_be_bytes())? {
                crate::enrol::on_delivered(enrolments, &reply, sequence, &now)?;
            }
            Ok(())
        });
        match result {
            Ok(()) | Err(TransactionError::Abort(Aborted::RolledBack(_))) => Ok(()),
            Err(TransactionError::Abort(Aborted::Failed(reason))) => {
                Err(StoreError::Corrupt { tree: "enrolments", key: reason })
            }
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
        }
    }

    /// Quarantined messages, in key order.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError> {
        let mut list = Vec::new();
        for entry in self.quarantine.iter() {
            let (key, value) = entry?;
            let text = String::from_utf8_lossy(&key);
            let (sender, id) = text.split_once('\0').unwrap_or(("", &text));
            let v: Value = serde_json::from_slice(&value).unwrap_or(Value::Null);
            list.push(Quarantined {
                sender: sender.to_owned(),
                message_id: id.to_owned(),
                reason: v["reason"].as_str().unwrap_or_default().to_owned(),
                archive: v["archive"].as_str().map(str::to_owned),
            });
        }
        Ok(list)
    }

    /// Sets a message aside with the reason and, when it was archived, the
    /// archive file that `replay` reads.
    pub fn quarantine(
        &self,
        sender: &str,
        message_id: &str,
        reason: &str,
        archive: Option<&str>,
    ) -> Result<(), StoreError> {
        let value = json!({ "reason": reason, "archive": archive });
        self.quarantine.insert(message_key(sender, message_id), value.to_string().into_bytes())?;
        Ok(())
    }

    /// Takes a message out of quarantine (after a replay applied it).
    pub fn release(&self, sender: &str, message_id: &str) -> Result<(), StoreError> {
        self.quarantine.remove(message_key(sender, message_id))?;
        Ok(())
    }

    /// Applied messages with this id (any sender): (sender, archive file).
    pub fn applied_with_id(&self, message_id: &str) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let mut found = Vec::new();
        for entry in self.messages.iter() {
            let (key, value) = entry?;
            let text = String::from_utf8_lossy(&key);
            let Some((sender, id)) = text.split_once('\0') else { continue };
            if id == message_id {
                let v: Value = serde_json::from_slice(&value).unwrap_or(Value::Null);
                found.push((sender.to_owned(), v["archive"].as_str().map(str::to_owned)));
            }
        }
        Ok(found)
    }

    /// Entries waiting in the outbox.
    pub fn outbox_depth(&self) -> usize {
        self.outbox.len()
    }

    /// Plans `documents` as [`Store::apply`] would, each seeing the ones
    /// before it, then rolls everything back: nothing is written.
    pub fn plan_only(&self, documents: &[Incoming]) -> Result<ApplyOutcome, StoreError> {
        self.transact(documents, Mode::RollBack)
    }

    /// Plans and applies `documents` in one transaction.
    pub fn apply(&self, documents: &[Incoming]) -> Result<ApplyOutcome, StoreError> {
        self.transact(documents, Mode::Apply)
    }

    /// Applies one chunk (whole documents) of a message that is not
    /// finished yet, recording in the same transaction how far it got, so
    /// a restart resumes after this chunk ([`MessageStatus::Resume`]).
    pub fn apply_chunk(
        &self,
        documents: &[Incoming],
        point: &ResumePoint,
    ) -> Result<ApplyOutcome, StoreError> {
        self.transact(documents, Mode::Chunk(point))
    }

    /// Applies the last chunk of a message together with everything that
    /// marks the message as done: its record (content hash, archive file),
    /// the replies it earned and its reload marks. One transaction, so a
    /// crash leaves either all of it or none: a re-delivery after a crash
    /// never queues a reply twice.
    pub fn apply_last(
        &self,
        documents: &[Incoming],
        finish: &MessageFinish,
    ) -> Result<ApplyOutcome, StoreError> {
        let reply_ids: Vec<u64> = (0..finish.replies.len() + finish.held.len())
            .map(|_| self.db.generate_id())
            .collect::<Result<_, _>>()?;
        self.transact(documents, Mode::Finish(finish, &reply_ids))
    }

    /// Applies a reload sweep of `pair` in one transaction that also moves
    /// the pair's enrolment from `loading` to `synchronised`.
    pub(crate) fn apply_sweep(&self, documents: &[Incoming], pair: &str) -> Result<ApplyOutcome, StoreError> {
        self.transact(documents, Mode::Sweep(pair))
    }

    fn transact(&self, documents: &[Incoming], mode: Mode<'_>) -> Result<ApplyOutcome, StoreError> {
        let trees = (
            &self.items,
            &self.state,
            &self.claims,
            &self.tombstones,
            &self.outbox,
            &self.meta,
            &self.messages,
            &self.replies,
            &self.reloads,
            &self.reload_marks,
            &self.held_replies,
            &self.enrolments,
        );
        let applied_at = self.now_rfc3339();
        let applied_at_json = Value::from(applied_at.as_str()).to_string();
        let result = trees.transaction(|t| {
            let (items, state, claims, tombstones, outbox, meta) = (&t.0, &t.1, &t.2, &t.3, &t.4, &t.5);
            let done = Done {
                messages: &t.6,
                replies: &t.7,
                reloads: &t.8,
                reload_marks: &t.9,
                held_replies: &t.10,
                meta: &t.5,
                enrolments: &t.11,
                now: &applied_at,
            };
            let mut outcome = ApplyOutcome::default();
            for document in documents {
                let view = TxView { items, state, claims, tombstones, failure: RefCell::new(None) };
                let planned = plan(&view, document);
                match view.failure.take() {
                    None => {}
                    Some(ViewError::Tx(e)) => return Err(e.into()),
                    Some(ViewError::Corrupt(why)) => {
                        return Err(ConflictableTransactionError::Abort(Aborted::Failed(why)));
                    }
                }
                let trees = Writer {
                    items,
                    state,
                    claims,
                    tombstones,
                    outbox,
                    meta,
                    applied_at: &applied_at,
                    applied_at_json: &applied_at_json,
                };
                for effect in &planned.effects {
                    trees.write(effect)?;
                }
                outcome.writes += planned.effects.len();
                outcome.plans.push(planned);
            }
            // The first CIN of an enrolled pair proves the subscription.
            if !matches!(mode, Mode::RollBack) {
                for pair in crate::enrol::cin_pairs(documents) {
                    crate::enrol::on_cin(done.enrolments, &pair, &applied_at)?;
                }
            }
            match mode {
                Mode::Apply => {}
                Mode::Sweep(pair) => crate::enrol::on_sweep(done.enrolments, pair, &applied_at)?,
                Mode::Chunk(point) => {
                    let value = json!({ "hash": format!("{:032x}", point.hash), "resume": point.documents });
                    done.messages.insert(
                        message_key(&point.sender, &point.message_id),
                        value.to_string().into_bytes(),
                    )?;
                }
                Mode::RollBack => {
                    return Err(ConflictableTransactionError::Abort(Aborted::RolledBack(outcome)));
                }
                Mode::Finish(finish, ids) => finish.write(&done, ids)?,
            }
            Ok(outcome)
        });
        match result {
            Ok(outcome) | Err(TransactionError::Abort(Aborted::RolledBack(outcome))) => Ok(outcome),
            Err(TransactionError::Abort(Aborted::Failed(reason))) => {
                Err(StoreError::Corrupt { tree: "transaction", key: reason })
            }
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
        }
    }

    /// Every tree with its name, in a fixed order (backup and restore).
    pub(crate) fn trees(&self) -> Vec<(&'static str, &Tree)> {
        vec![
            ("meta", &self.meta),
            ("items", &self.items),
            ("state", &self.state),
            ("claims", &self.claims),
            ("tombstones", &self.tombstones),
            ("outbox", &self.outbox),
            ("dead_letters", &self.dead_letters),
            ("messages", &self.messages),
            ("quarantine", &self.quarantine),
            ("replies", &self.replies),
            ("held_replies", &self.held_replies),
            ("reloads", &self.reloads),
            ("reload_marks", &self.reload_marks),
            ("enrolments", &self.enrolments),
        ]
    }

    /// Waits until everything committed so far is on disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// Sizes of the trees.
    pub fn counts(&self) -> Counts {
        Counts {
            live: self.items.len(),
            tombstones: self.tombstones.len(),
            outbox: self.outbox.len(),
            messages: self.messages.len(),
            quarantined: self.quarantine.len(),
            replies: self.replies.len(),
        }
    }

    /// Writes every live record as one JSON line, in key order, with
    /// `parents` from the store's links (every live hierarchy's parents).
    pub fn export(&self, out: &mut impl Write) -> Result<usize, StoreError> {
        self.for_each_live(|_, record| -> Result<(), StoreError> {
            writeln!(out, "{record}")?;
            Ok(())
        })
    }

    /// Calls `f` with every live record in key order (as [`Store::export`]
    /// writes it), stopping at the first error; returns how many.
    pub fn for_each_live<E: From<StoreError>>(
        &self,
        mut f: impl FnMut(&str, Value) -> Result<(), E>,
    ) -> Result<usize, E> {
        let mut n = 0;
        for entry in self.items.iter() {
            let (key, value) = entry.map_err(StoreError::from)?;
            let record = self.with_links(&key, &value)?;
            f(&String::from_utf8_lossy(&key), record)?;
            n += 1;
        }
        Ok(n)
    }

    /// A stored record with `parents` from the store's links: every live
    /// hierarchy's parents, not only those of the message that wrote it.
    pub(crate) fn with_links(&self, key: &[u8], value: &[u8]) -> Result<Value, StoreError> {
        let mut record: Value = serde_json::from_slice(value).map_err(|_| corrupt("items", key))?;
        if let Some(bytes) = self.state.get(key)? {
            let stored = codec::decode_state(&bytes).ok_or_else(|| corrupt("state", key))?;
            let parents: Vec<String> = stored.links.parents.iter().map(|p| p.gtin.to_string()).collect();
            record["parents"] = json!(parents);
        }
        Ok(record)
    }

    /// The stored state of a key (for tests and tools).
    pub fn stored(&self, key: &ItemKey) -> Result<Option<Stored>, StoreError> {
        let Some(bytes) = self.state.get(keys::encode(key))? else { return Ok(None) };
        codec::decode_state(&bytes).map(Some).ok_or_else(|| corrupt("state", &bytes))
    }

    /// The outbox entries in sequence order (for tests and the publisher).
    pub fn outbox(&self) -> Result<Vec<(u64, Value)>, StoreError> {
        let mut entries = Vec::new();
        for entry in self.outbox.iter() {
            let (seq, value) = entry?;
            let seq = seq.as_ref().try_into().map(u64::from_be_bytes).map_err(|_| corrupt("outbox", &seq))?;
            entries.push((seq, serde_json::from_slice(&value).map_err(|_| corrupt("outbox", &value))?));
        }
        Ok(entries)
    }
}

fn message_key(sender: &str, message_id: &str) -> Vec<u8> {
    let mut key = sender.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(message_id.as_bytes());
    key
}

fn corrupt(tree: &'static str, key: &[u8]) -> StoreError {
    StoreError::Corrupt { tree, key: String::from_utf8_lossy(key).into_owned() }
}

/// The trees an effect writes, inside the transaction.
struct Writer<'t> {
    items: &'t TransactionalTree,
    state: &'t TransactionalTree,
    claims: &'t TransactionalTree,
    tombstones: &'t TransactionalTree,
    outbox: &'t TransactionalTree,
    meta: &'t TransactionalTree,
    /// When this transaction applies, for the records' `sync` object.
    applied_at: &'t str,
    /// The same as a JSON string (quoted).
    applied_at_json: &'t str,
}

impl Writer<'_> {
    fn write(&self, effect: &Effect) -> Result<(), TxError> {
        match effect {
            Effect::Put { key, record, hash, version, links } => {
                // One key buffer, shared by the four trees' writes.
                let k = sled::IVec::from(keys::encode(key));
                let old_children = self.old_children(&k)?;
                let seq = self.enqueue(&k, "upsert", version.to_bytes())?;
                self.items.insert(k.clone(), self.stamped_json(record, seq)?)?;
                let stored = Stored { hash: *hash, version: *version, links: links.clone() };
                self.state.insert(k.clone(), codec::encode_state(&stored))?;
                // The plan has read the tombstone (a cached read here): a
                // key that has none costs no removal at commit.
                if self.tombstones.get(&k)?.is_some() {
                    self.tombstones.remove(k)?;
                }
                self.reclaim(key, &old_children, &links.children)
            }
            Effect::Relink { key, links } => {
                let k = keys::encode(key);
                let Some(bytes) = self.state.get(&k)? else { return Ok(()) };
                let mut stored = codec::decode_state(&bytes).ok_or_else(|| abort("state", key))?;
                stored.links = links.clone();
                self.state.insert(k.clone(), codec::encode_state(&stored))?;
                let seq = self.enqueue(&k, "upsert", stored.version.to_bytes())?;
                // The record is re-stamped so `sync.version` is always the
                // sequence of the key's latest write (what sinks compare).
                if let Some(record) = self.items.get(&k)? {
                    let record: Value = serde_json::from_slice(&record).map_err(|_| abort("items", key))?;
                    self.items.insert(k, self.stamped(record, seq)?)?;
                }
                Ok(())
            }
            Effect::Remove { key, tombstone } => {
                let k = keys::encode(key);
                let old_children = self.old_children(&k)?;
                let was_live = self.items.remove(k.clone())?.is_some();
                self.state.remove(k.clone())?;
                self.tombstones.insert(k.clone(), codec::encode_tombstone(tombstone))?;
                self.reclaim(key, &old_children, &[])?;
                if was_live {
                    self.enqueue(&k, "delete", tombstone.version.to_bytes())?;
                }
                Ok(())
            }
        }
    }

    fn old_children(&self, k: &[u8]) -> Result<Vec<ItemKey>, TxError> {
        let Some(bytes) = self.state.get(k)? else { return Ok(Vec::new()) };
        let stored = codec::decode_state(&bytes).ok_or_else(|| abort_bytes("state", k))?;
        Ok(stored.links.children)
    }

    /// Keeps `claims` (child -> parents listing it) in step with `parent`'s children.
    fn reclaim(&self, parent: &ItemKey, old: &[ItemKey], new: &[ItemKey]) -> Result<(), TxError> {
        for child in old.iter().filter(|c| !new.contains(c)) {
            self.edit_claims(child, |set| {
                set.remove(parent);
            })?;
        }
        for child in new.iter().filter(|c| !old.contains(c)) {
            self.edit_claims(child, |set| {
                set.insert(parent.clone());
            })?;
        }
        Ok(())
    }

    fn edit_claims(&self, child: &ItemKey, edit: impl FnOnce(&mut BTreeSet<ItemKey>)) -> Result<(), TxError> {
        let k = keys::encode(child);
        let mut set: BTreeSet<ItemKey> = match self.claims.get(&k)? {
            Some(bytes) => {
                codec::decode_keys(&bytes).ok_or_else(|| abort("claims", child))?.into_iter().collect()
            }
            None => BTreeSet::new(),
        };
        edit(&mut set);
        if set.is_empty() {
            self.claims.remove(k)?;
        } else {
            self.claims.insert(k, codec::encode_keys(set.iter()))?;
        }
        Ok(())
    }

    /// The incoming record's JSON text as stored ([`stamp_json`]).
    fn stamped_json(&self, record: &str, seq: u64) -> Result<Vec<u8>, TxError> {
        stamp_json(record, seq, self.applied_at_json).ok_or_else(not_an_object)
    }

    /// A stored record re-stamped ([`stamp_value`]).
    fn stamped(&self, record: Value, seq: u64) -> Result<Vec<u8>, TxError> {
        stamp_value(record, seq, self.applied_at).ok_or_else(not_an_object)
    }

    /// Appends an index change to the outbox under the next sequence
    /// number, which it returns.
    fn enqueue(&self, key: &[u8], op: &str, version: [u8; 40]) -> Result<u64, TxError> {
        let seq = self
            .meta
            .get("outbox_seq")?
            .and_then(|b| b.as_ref().try_into().ok())
            .map_or(0, u64::from_be_bytes)
            + 1;
        self.meta.insert("outbox_seq", &seq.to_be_bytes())?;
        let entry = outbox_entry(&String::from_utf8_lossy(key), op, &version, self.applied_at_json);
        self.outbox.insert(&seq.to_be_bytes(), entry)?;
        Ok(seq)
    }
}

/// A record as stored: with its `sync` object as the last member (the
/// outbox sequence of this write as the sinks' version, and when it was
/// applied). `None` for a value that is not an object.
fn stamp_value(mut record: Value, seq: u64, applied_at: &str) -> Option<Vec<u8>> {
    record
        .as_object_mut()?
        .insert("sync".into(), json!({ "version": seq, "applied_at": applied_at, "published_at": null }));
    Some(record.to_string().into_bytes())
}

/// [`stamp_value`] of a record given as compact JSON text without a `sync`
/// member (a `ProductRecord` serialised): the same bytes, built by
/// appending to the text instead of parsing and serialising it again.
/// `applied_at_json` is the time as a JSON string, quotes included.
fn stamp_json(record: &str, seq: u64, applied_at_json: &str) -> Option<Vec<u8>> {
    let body = record.strip_prefix('{')?.strip_suffix('}')?;
    let mut out = Vec::with_capacity(record.len() + 96);
    out.push(b'{');
    out.extend_from_slice(body.as_bytes());
    if !body.is_empty() {
        out.push(b',');
    }
    out.extend_from_slice(b"\"sync\":{\"version\":");
    out.extend_from_slice(seq.to_string().as_bytes());
    out.extend_from_slice(b",\"applied_at\":");
    out.extend_from_slice(applied_at_json.as_bytes());
    out.extend_from_slice(b",\"published_at\":null}}");
    Some(out)
}

/// An outbox entry's JSON: `{"key":…,"op":…,"version":…,"at":…}` with the
/// version as lower-case hex, written directly (the same bytes as building
/// the object with `json!` and serialising it).
fn outbox_entry(key: &str, op: &str, version: &[u8; 40], applied_at_json: &str) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(key.len() + op.len() + applied_at_json.len() + 120);
    out.extend_from_slice(b"{\"key\":");
    // Strings a JSON writer cannot fail on.
    let _ = serde_json::to_writer(&mut out, key);
    out.extend_from_slice(b",\"op\":");
    let _ = serde_json::to_writer(&mut out, op);
    out.extend_from_slice(b",\"version\":\"");
    for byte in version {
        out.push(HEX[usize::from(byte >> 4)]);
        out.push(HEX[usize::from(byte & 0xf)]);
    }
    out.extend_from_slice(b"\",\"at\":");
    out.extend_from_slice(applied_at_json.as_bytes());
    out.push(b'}');
    out
}

fn not_an_object() -> TxError {
    ConflictableTransactionError::Abort(Aborted::Failed("a record is not a JSON object".into()))
}

fn abort(tree: &str, key: &ItemKey) -> TxError {
    ConflictableTransactionError::Abort(Aborted::Failed(format!("{tree} value of {key} cannot be decoded")))
}

fn abort_bytes(tree: &str, key: &[u8]) -> TxError {
    let key = String::from_utf8_lossy(key);
    ConflictableTransactionError::Abort(Aborted::Failed(format!("{tree} value of {key} cannot be decoded")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamping_the_text_gives_the_bytes_of_stamping_the_value() {
        let applied_at = "2024-05-06T07:08:09Z";
        let applied_at_json = Value::from(applied_at).to_string();
        for record in [
            json!({}),
            json!({ "gtin": "05412345000105" }),
            json!({
                "schema_version": 1, "gtin": "05412345000105", "state": null,
                "descriptions": { "en": "a \"quoted\" \\ text\n", "ar": "نص", "ru": "текст" },
                "net_content": [{ "value": 1.5, "unit": "KGM" }, { "value": 1e-7, "unit": "MTR" }],
                "children": [], "big": 18446744073709551615u64, "negative": -3, "flag": false,
            }),
        ] {
            let text = serde_json::to_string(&record).expect("json");
            assert_eq!(
                stamp_json(&text, 42, &applied_at_json),
                stamp_value(record, 42, applied_at),
                "{text}"
            );
        }
        assert_eq!(stamp_json("[1]", 1, &applied_at_json), None);
    }

    #[test]
    fn outbox_entries_are_the_json_they_were() {
        let applied_at = "2024-05-06T07:08:09Z";
        let mut version = [0u8; 40];
        for (n, byte) in version.iter_mut().enumerate() {
            *byte = (n as u8).wrapping_mul(37);
        }
        let version_hex: String = version.iter().map(|b| format!("{b:02x}")).collect();
        let key = "5412345000013/05412345000105/056";
        let expected = json!({ "key": key, "op": "upsert", "version": version_hex, "at": applied_at });
        let applied_at_json = Value::from(applied_at).to_string();
        assert_eq!(
            outbox_entry(key, "upsert", &version, &applied_at_json),
            expected.to_string().into_bytes()
        );
    }
}
