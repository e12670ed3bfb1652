//! The state every handler and worker shares.

use std::ops::Deref;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::Notify;

use crate::config::SimConfig;
use crate::pool::{Message, Origin, Pool};

/// A cheap handle on the simulator's state.
#[derive(Clone)]
pub(crate) struct Sim(Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) config: SimConfig,
    pool: Mutex<Pool>,
    /// Woken whenever a message enters the inbox, so the push or drop worker delivers it. One
    /// worker at most waits on it, and `notify_one` keeps a permit when none is waiting yet.
    pub(crate) wake: Notify,
    /// Makes every issued OAuth2 token different.
    pub(crate) token_counter: AtomicU64,
}

impl Deref for Sim {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Sim {
    pub(crate) fn new(config: SimConfig, pool: Pool) -> Sim {
        Sim(Arc::new(Inner {
            config,
            pool: Mutex::new(pool),
            wake: Notify::new(),
            token_counter: AtomicU64::new(0),
        }))
    }

    /// The pool, locked. A panic under the lock cannot leave it half-changed in a way that matters
    /// to a simulator, so a poisoned lock is simply taken over.
    pub(crate) fn pool(&self) -> MutexGuard<'_, Pool> {
        self.0.pool.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a message and wakes the delivery worker.
    pub(crate) fn add(&self, name: &str, body: Bytes, origin: Origin) -> Arc<Message> {
        let message = self.pool().add(name, body, origin);
        self.wake.notify_one();
        message
    }
}
