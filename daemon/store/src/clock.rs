//! The wall clock the store stamps with: `sync.applied_at` on records, the
//! times of enrolment state changes, and what the publisher writes as
//! `sync.published_at`. Injectable ([`Store::with_clock`]), so a test can
//! make every byte the store writes deterministic; the system clock
//! otherwise.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use gdsn_model::time::Timestamp;

use crate::Store;

/// A source of the current time.
pub type WallClock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The system's clock.
pub fn system() -> WallClock {
    Arc::new(|| {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128);
        Timestamp::from_unix_nanos(nanos).unwrap_or(Timestamp::UNIX_EPOCH)
    })
}

/// A clock that always says `at` (tests).
pub fn fixed(at: Timestamp) -> WallClock {
    Arc::new(move || at)
}

impl Store {
    /// The same store stamping with `clock` from now on.
    pub fn with_clock(mut self, clock: WallClock) -> Store {
        self.clock = clock;
        self
    }

    /// The store's current time.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The store's current time as stamped: RFC 3339, UTC, whole seconds.
    pub fn now_rfc3339(&self) -> String {
        let nanos = self.now().unix_nanos();
        Timestamp::from_unix_nanos(nanos - nanos.rem_euclid(1_000_000_000))
            .map_or_else(|| "1970-01-01T00:00:00Z".to_owned(), |t| t.to_string())
    }
}
