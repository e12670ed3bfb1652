//! The pool's memory: every message it ever queued (the log the changed-since API reads), the inbox
//! (the pending subset), acknowledgements, what the client sent back, faults and counters.
//!
//! One `std::sync::Mutex` guards it all: no `.await` ever happens under the lock, and the simulator's
//! traffic is far too small for contention to matter.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::faults::Faults;
use crate::xml::{self, Scan};

/// Where a message came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Origin {
    /// A file of the messages directory (or a message given in the config).
    File,
    /// A reload copy of message `of`, asked for by the outbound message `request` (a receipt id).
    Reload {
        /// Id of the original message.
        of: String,
        /// Id of the receipt of the RFCIN.
        request: String,
    },
    /// The GS1 Response the pool sends for the outbound message `to` (a receipt id).
    Response {
        /// Id of the receipt answered.
        to: String,
    },
    /// Added at run time through `POST /admin/messages` or [`crate::RunningSim::add_message`].
    Injected,
}

/// One message the pool holds.
#[derive(Debug)]
pub(crate) struct Message {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) body: Bytes,
    pub(crate) changed: OffsetDateTime,
    pub(crate) origin: Origin,
    pub(crate) scan: Scan,
}

/// A message as lists and `GET /admin/state` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageSummary {
    /// Stable id: sequence number and file name.
    pub id: String,
    /// File name it came from (or was given).
    pub name: String,
    /// Bytes of the XML.
    pub size: usize,
    /// Always `application/xml`: what the XML is, whatever envelope a fetch uses.
    pub content_type: String,
    /// Change time (RFC 3339, UTC): what the changed-since API filters on.
    pub changed: String,
    /// Whether this is a reload copy asked for by an RFCIN.
    pub reload: bool,
    /// Where it came from.
    pub origin: Origin,
}

impl Message {
    pub(crate) fn summary(&self) -> MessageSummary {
        MessageSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            size: self.body.len(),
            content_type: "application/xml".to_owned(),
            changed: rfc3339(self.changed),
            reload: matches!(self.origin, Origin::Reload { .. }),
            origin: self.origin.clone(),
        }
    }
}

/// An acknowledgement, through the API or by a push or drop-folder delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AckRecord {
    /// The message.
    pub id: String,
    /// `api`, `push` or `drop_folder`.
    pub via: String,
    /// Whether the `redeliver_after_ack` fault put it back in the inbox.
    pub redelivered: bool,
}

/// A message the client sent to the pool (`POST /outbound` or the drop folder's outbound folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Receipt {
    /// Our id for it (`r` and a sequence number).
    pub id: String,
    /// `api` or `drop_folder`.
    pub via: String,
    /// Root element's local name (`catalogueItemConfirmationMessage`...), empty if unreadable.
    pub root: String,
    /// SBDH `InstanceIdentifier`.
    pub instance_identifier: Option<String>,
    /// SBDH sender GLN.
    pub sender: Option<String>,
    /// `accepted` or `rejected`.
    pub outcome: String,
    /// Why it was rejected.
    pub error: Option<String>,
    /// Ids of the messages queued in answer (reload copies, a GS1 Response).
    pub queued: Vec<String>,
    /// The body as received (lossy UTF-8).
    pub xml: String,
}

/// The outcome of one push or drop-folder delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Delivery {
    /// The message.
    pub id: String,
    /// Attempts made.
    pub attempts: u32,
    /// HTTP statuses seen, in order (empty for the drop folder; 0 for a connection error).
    pub statuses: Vec<u16>,
    /// Whether it was delivered (a 2xx, or the file renamed into place).
    pub delivered: bool,
    /// Why it was given up.
    pub error: Option<String>,
}

/// Outcome of an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckOutcome {
    Acked { redelivered: bool },
    AlreadyAcked,
    Unknown,
}

/// The whole memory of the pool.
#[derive(Debug)]
pub(crate) struct Pool {
    log: Vec<Arc<Message>>,
    by_id: HashMap<String, u64>,
    pending: BTreeSet<u64>,
    acked_ids: BTreeSet<String>,
    pub(crate) acked: Vec<AckRecord>,
    pub(crate) received: Vec<Receipt>,
    pub(crate) deliveries: Vec<Delivery>,
    /// Messages the push or drop worker gave up on; skipped from then on.
    pub(crate) undeliverable: BTreeSet<u64>,
    pub(crate) faults: Faults,
    pub(crate) requests: BTreeMap<String, u64>,
    pub(crate) statuses: BTreeMap<String, u64>,
    /// Issued OAuth2 tokens and when they expire.
    pub(crate) tokens: HashMap<String, Instant>,
    pub(crate) tokens_issued: u64,
    pub(crate) receipts_issued: u64,
    /// TLS handshakes completed and refused (both zero on plain HTTP).
    pub(crate) tls_accepted: u64,
    pub(crate) tls_refused: u64,
    epoch: OffsetDateTime,
    shared_timestamps: usize,
    files: usize,
    last_changed: OffsetDateTime,
}

impl Pool {
    pub(crate) fn new(epoch: OffsetDateTime, shared_timestamps: usize, faults: Faults) -> Pool {
        Pool {
            log: Vec::new(),
            by_id: HashMap::new(),
            pending: BTreeSet::new(),
            acked_ids: BTreeSet::new(),
            acked: Vec::new(),
            received: Vec::new(),
            deliveries: Vec::new(),
            undeliverable: BTreeSet::new(),
            faults,
            requests: BTreeMap::new(),
            statuses: BTreeMap::new(),
            tokens: HashMap::new(),
            tokens_issued: 0,
            receipts_issued: 0,
            tls_accepted: 0,
            tls_refused: 0,
            epoch,
            shared_timestamps: shared_timestamps.max(1),
            files: 0,
            last_changed: epoch,
        }
    }

    /// Queues a message in the inbox and the log. Files take the next step of the synthetic clock
    /// (several share each second); anything later is stamped now, never before the newest message.
    pub(crate) fn add(&mut self, name: &str, body: Bytes, origin: Origin) -> Arc<Message> {
        let seq = self.log.len() as u64 + 1;
        let changed = if origin == Origin::File {
            let step = (self.files / self.shared_timestamps) as i64;
            self.files += 1;
            self.epoch + time::Duration::seconds(step)
        } else {
            OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .unwrap_or(self.last_changed)
                .max(self.last_changed)
        };
        self.last_changed = self.last_changed.max(changed);
        let id = format!("{seq:06}-{}", id_safe(name));
        let scan = xml::scan_lenient(&body);
        let message =
            Arc::new(Message { seq, id: id.clone(), name: name.to_owned(), body, changed, origin, scan });
        self.by_id.insert(id, seq);
        self.log.push(message.clone());
        self.pending.insert(seq);
        message
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Message>> {
        let seq = *self.by_id.get(id)?;
        self.log.get(usize::try_from(seq).ok()?.checked_sub(1)?).cloned()
    }

    pub(crate) fn get_pending(&self, id: &str) -> Option<Arc<Message>> {
        self.get(id).filter(|m| self.pending.contains(&m.seq))
    }

    /// Pending messages after sequence number `after`, at most `limit`, and whether more follow.
    pub(crate) fn inbox_page(&self, after: u64, limit: usize) -> (Vec<Arc<Message>>, bool) {
        let mut seqs = self.pending.range(after + 1..);
        let page: Vec<_> = seqs.by_ref().take(limit).filter_map(|&s| self.get_seq(s)).collect();
        (page, seqs.next().is_some())
    }

    /// Messages at or after position `from` in (change time, sequence) order, at most `limit`,
    /// and whether more follow.
    pub(crate) fn changes_page(&self, from: Position, limit: usize) -> (Vec<Arc<Message>>, bool) {
        let mut all: Vec<_> = self.log.iter().filter(|m| from.admits(m)).cloned().collect();
        all.sort_by_key(|m| (m.changed, m.seq));
        let more = all.len() > limit;
        all.truncate(limit);
        (all, more)
    }

    /// The first pending message a push or drop worker has not given up on.
    pub(crate) fn next_to_deliver(&self) -> Option<Arc<Message>> {
        self.pending.iter().find(|s| !self.undeliverable.contains(s)).and_then(|&s| self.get_seq(s))
    }

    pub(crate) fn ack(&mut self, id: &str, via: &str) -> AckOutcome {
        let Some(seq) = self.by_id.get(id).copied() else {
            return AckOutcome::Unknown;
        };
        if !self.pending.contains(&seq) {
            return AckOutcome::AlreadyAcked;
        }
        let redelivered = self.faults.take_redeliver();
        if !redelivered {
            self.pending.remove(&seq);
            self.acked_ids.insert(id.to_owned());
        }
        self.acked.push(AckRecord { id: id.to_owned(), via: via.to_owned(), redelivered });
        AckOutcome::Acked { redelivered }
    }

    /// Every message ever queued, in order.
    pub(crate) fn log(&self) -> &[Arc<Message>] {
        &self.log
    }

    pub(crate) fn inbox(&self) -> Vec<MessageSummary> {
        self.pending.iter().filter_map(|&s| self.get_seq(s)).map(|m| m.summary()).collect()
    }

    fn get_seq(&self, seq: u64) -> Option<Arc<Message>> {
        self.log.get(usize::try_from(seq).ok()?.checked_sub(1)?).cloned()
    }
}

/// Where a changed-since page starts: at a time (inclusive), or just after a message already listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    Since(OffsetDateTime),
    After(OffsetDateTime, u64),
}

impl Position {
    fn admits(&self, m: &Message) -> bool {
        match *self {
            Position::Since(t) => m.changed >= t,
            Position::After(t, seq) => (m.changed, m.seq) > (t, seq),
        }
    }
}

/// RFC 3339 in UTC with a `Z`, whole seconds as stored.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// A file name made safe for ids and file names: its stem, with anything but ASCII letters, digits,
/// `-`, `_` and `.` replaced by `_`, cut to 64 characters.
fn id_safe(name: &str) -> String {
    let stem = name.strip_suffix(".xml").unwrap_or(name);
    let safe: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .take(64)
        .collect();
    if safe.is_empty() { "message".to_owned() } else { safe }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Pool {
        let mut pool = Pool::new(OffsetDateTime::UNIX_EPOCH, 2, Faults::default());
        for name in ["a.xml", "b.xml", "c.xml"] {
            pool.add(name, Bytes::from_static(b"<x/>"), Origin::File);
        }
        pool
    }

    #[test]
    fn files_share_timestamps_in_groups() {
        let pool = pool();
        let times: Vec<_> = pool.log().iter().map(|m| m.changed.unix_timestamp()).collect();
        assert_eq!(times, [0, 0, 1]);
        assert_eq!(pool.log()[0].id, "000001-a");
    }

    #[test]
    fn ack_removes_from_inbox_once() {
        let mut pool = pool();
        assert_eq!(pool.ack("000002-b", "api"), AckOutcome::Acked { redelivered: false });
        assert_eq!(pool.ack("000002-b", "api"), AckOutcome::AlreadyAcked);
        assert_eq!(pool.ack("nope", "api"), AckOutcome::Unknown);
        let (page, more) = pool.inbox_page(0, 10);
        assert_eq!(page.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 3]);
        assert!(!more);
    }

    #[test]
    fn odd_names_make_safe_ids() {
        assert_eq!(id_safe("a b/ü.xml"), "a_b__");
        assert_eq!(id_safe(".xml"), "message");
    }
}
