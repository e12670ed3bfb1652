//! The embedded store of gdsn-sync, on sled. This crate alone knows the
//! on-disk format.
//!
//! # Design
//!
//! **Assumptions.** One process per data directory (sled takes a file
//! lock); one writer at a time (callers serialise `apply`); the API is
//! synchronous, and async callers run it on a blocking thread.
//!
//! **Trees** (keys and values are bytes; an item key is its text form
//! `GLN/GTIN/TM[/SUBDIVISION]`, see [`keys`]):
//!
//! | tree | key | value |
//! |---|---|---|
//! | `meta` | `format`, `sequence`, `outbox_seq`; `connection/NAME` | u32 / u64 big-endian; JSON (a connection's cursor and last run) |
//! | `items` | item key | the normalized record, JSON |
//! | `state` | item key | content hash, version, links (see [`codec`]) |
//! | `claims` | child key | keys of the live parents whose records list it |
//! | `tombstones` | item key | removal version and reason |
//! | `outbox` | sequence, u64 big-endian | index change: key, op, GDSN version, applied time, and for a retried dead letter its first sequence (JSON); removed once the index acknowledges it (see [`outbox`](crate::OutboxEntry)) |
//! | `dead_letters` | sequence, u64 big-endian | an outbox entry the index refused for good, with its reason (JSON) |
//! | `messages` | sender `\0` message id | content hash and outcome, or the resume point of a message still being applied (JSON) |
//! | `quarantine` | sender `\0` message id | why it was set aside (JSON) |
//! | `reloads` | pair `GLN/TM` | the open or held reload session (JSON) |
//! | `reload_marks` | pair `\0` item key | empty: the key was received in the session |
//! | `replies` | sled-generated id, u64 big-endian | an outbound message waiting for delivery (JSON with the XML, its connection and, for an enrolment's CIS, the pair) |
//! | `enrolments` | pair `GLN/TM` | an enrolment: criteria, connection, state, error, our CIS/RFCIN message ids, the CIS reply's sequence, times, bounded history (JSON; see [`Enrolment`]) |
//!
//! **Transactions.** One [`Store::apply`] call is one sled transaction over
//! `items`, `state`, `claims`, `tombstones`, `outbox` and `meta`: every
//! effect of its documents, and the outbox entries for them, commit
//! together or not at all. The caller groups whole documents into calls.
//! A message too big for one transaction is applied in chunks of whole
//! documents ([`Store::apply_chunk`]); each chunk's transaction also writes
//! the message's resume point (documents committed so far) to `messages`,
//! and the last chunk ([`Store::apply_last`]) replaces it with the outcome.
//! [`Store::overlapped`] commits a message's earlier chunks on one writer
//! thread while the caller parses the next ones (see [`pipeline`]); it
//! joins the writer before returning, so the last chunk still commits
//! after every earlier one.
//! An enrolment's state changes commit with their cause: `sent` with the
//! CIS reply's removal ([`Store::delivered`]), `subscribed` with the first
//! CIN items of the pair or the message holding the accepting GS1
//! Response, `loading` with the reload marks that open a session,
//! `synchronised` with the sweep.
//!
//! **Durability.** A commit is durable once [`Store::flush`] returns after
//! it; nothing may be acknowledged to a sender before that. The raw
//! message is archived under `DATA/archive/` ([`archive`]) and fsynced
//! before the `messages` entry that names it is written.
//!
//! **Format version.** `meta/format` holds [`FORMAT_VERSION`]; opening a
//! store with another version fails with [`StoreError::Format`]. A format
//! change comes with a migration here, run at open.
//!
//! Backup and restore: see [`Store::backup`] and [`Store::restore`].
//!

pub mod archive;
mod backup;
pub mod clock;
pub mod codec;
mod connection;
mod enrol;
mod error;
pub mod keys;
mod outbox;
pub mod pipeline;
pub mod reload;
mod store;
mod view;

pub use archive::ArchiveWriter;
pub use enrol::{
    EnrolError, EnrolRequest, EnrolResponse, EnrolState, Enrolment, EnrolmentView, Outbound, Transition,
};
pub use error::{StoreError, is_enospc};
pub use outbox::{DeadLetter, OutboxEntry, OutboxOp};
pub use pipeline::{Applied, Feed, WriterStopped};
pub use store::{
    ApplyOutcome, Counts, MessageFinish, MessageStatus, PendingReply, Quarantined, ResumePoint, Store,
};

/// The on-disk format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
