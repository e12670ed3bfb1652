//! The drop-folder transport of gdsn-sync: the daemon's side of an inbox that an SFTP mirror or an
//! AS2 gateway writes into, and of an outbound folder they send from.
//!
//! Synchronous by design: the daemon calls it on a blocking thread.
//!
//! # Flow
//!
//! 1. [`DropFolder::open`] checks and opens the four folders ([`Folders`]) once.
//! 2. [`DropFolder::scan`] lists the inbox (not recursively) and returns the files that are
//!    [`ReadyFile`]s: regular files whose identity, size and modification time have not changed
//!    across scans for at least the minimum age ([`Stability`], timed by an injectable [`Clock`]),
//!    oldest first, then by name.
//! 3. [`DropFolder::take`] opens one for the caller to stream ([`Taken`] implements `Read`).
//! 4. When the outcome is durable, [`DropFolder::done`] or [`DropFolder::failed`] moves the file.
//! 5. [`DropFolder::write_reply`] writes a reply into `outbound/` with write-then-rename.
//!
//! # Invariants
//!
//! - **A file leaves the inbox only after its outcome is durable**: nothing here moves a file on its
//!   own; the caller calls `done`/`failed` after its store commit. A crash before that leaves the
//!   file in the inbox, and it is taken again (the store detects the re-delivery).
//! - **Nothing is ever lost or overwritten on the way out**: the move is a rename within one file
//!   system (checked when opening), never onto an existing name (`RENAME_NOREPLACE`, or link and
//!   unlink where that is unsupported); a clash gets a counter, `CIN.xml` → `CIN.1.xml`. Both
//!   folders are flushed after the move, the destination first.
//! - **A re-delivered name is never moved unread**: if the inbox name names another file by the
//!   time the caller finishes, the move is skipped ([`Finished::Gone`]).
//! - **No partial file is ever visible** under a reply's final name in `outbound/`.
//! - **Confinement**: no path outside the four folders is ever touched. Names are one plain path
//!   component (no `/`, `\`, NUL, control characters, `.` or `..`, no leading `.`); every operation
//!   is relative to a folder's open descriptor (`openat`, `renameat`) and never follows a symbolic
//!   link in the last component; inbox entries that are links are refused and reported once; the
//!   folders themselves must be real directories unless [`Folders::allow_symlinked_folders`] is
//!   set explicitly, and a folder swapped after opening stops the scan
//!   ([`DropFolderError::FolderReplaced`]).
//! - Temporary and hidden names (leading `.`, or ending in `.part`, `.tmp`, `.filepart`) and
//!   non-regular entries are never looked at.

mod atomic;
mod clock;
mod error;
mod folders;
mod name;
mod outbound;
mod scan;
mod stability;
mod sys;
mod take;

use std::collections::BTreeSet;
use std::sync::Arc;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{DropFolderError, NameError, Result, Role};
pub use folders::Folders;
pub use name::{MAX_NAME_BYTES, TEMPORARY_SUFFIXES, check_name, is_ignored};
pub use outbound::{Written, reply_file_name};
pub use scan::{ReadyFile, Refusal, RefusalReason, Scan};
pub use stability::{Signature, Stability};
pub use take::{Finished, Taken};

/// One drop-folder connection's folders, opened, with the inbox observations between scans.
pub struct DropFolder {
    dirs: folders::OpenFolders,
    stability: Stability,
    clock: Arc<dyn Clock>,
    /// Inbox names already reported as refused, so each is reported once while it stays.
    refused: BTreeSet<String>,
}

impl std::fmt::Debug for DropFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DropFolder").field("dirs", &self.dirs).field("stability", &self.stability).finish()
    }
}

impl DropFolder {
    /// Checks and opens the folders (creating missing ones), on the system clock.
    pub fn open(folders: &Folders) -> Result<Self> {
        Ok(DropFolder {
            dirs: folders::OpenFolders::open(folders)?,
            stability: Stability::new(folders.min_age),
            clock: Arc::new(SystemClock),
            refused: BTreeSet::new(),
        })
    }

    /// The same drop folder timed by another clock (tests use a [`ManualClock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}
