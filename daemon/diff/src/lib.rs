//! What an incoming document changes, given what is stored.
//!
//! [`plan`] is a pure function from a view of the stored state and one
//! incoming document (a hierarchy to replace, or a top item to remove) to
//! the list of [`Change`]s to report and [`Effect`]s to write. The store
//! applies the effects in one transaction; nothing here does IO.
//!
//! The rules, which ARCHITECTURE.md and the README restate:
//! - **Version** = (trade item `lastChangeDateTime`, message creation time,
//!   local arrival sequence), compared in that order. An incoming version
//!   older than the stored item or its tombstone is **stale** and changes
//!   nothing; an equal content hash with the same links is **unchanged** and
//!   writes nothing.
//! - **Liveness**: a key is live while it is the top of a live document
//!   (standalone) or a child of a live key. Replacing a hierarchy unlinks
//!   the children it no longer lists; one left with no live parent and not
//!   standalone is removed (`unlinked`), and so on down. Removing a top
//!   removes it and each descendant left with no live parent.
//!
//! Useful for: deciding what to write. Not useful for: storage (gdsn-store)
//! or reading messages (gdsn-xml).

pub mod incoming;
mod plan;
mod version;

pub use plan::{
    Change, ChangeKind, Effect, Incoming, IncomingItem, Links, Plan, Reason, RecordJson, StateView, Stored,
    Tombstone, plan,
};
pub use version::Version;
