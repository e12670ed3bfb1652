//! Per-connection bookkeeping the daemon keeps across restarts: a
//! changed-since cursor and the time of the last scheduled run. Small JSON
//! values in `meta` under `connection/NAME`; the store does not read them.

use serde_json::Value;

use crate::{Store, StoreError};

fn key(name: &str) -> Vec<u8> {
    format!("connection/{name}").into_bytes()
}

impl Store {
    /// What the daemon last saved for connection `name`.
    pub fn connection_state(&self, name: &str) -> Result<Option<Value>, StoreError> {
        let Some(bytes) = self.meta.get(key(name))? else { return Ok(None) };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt { tree: "meta", key: format!("connection/{name}") })
    }

    /// Saves connection `name`'s state and flushes: a cursor is only worth
    /// saving if it survives a crash.
    pub fn set_connection_state(&self, name: &str, state: &Value) -> Result<(), StoreError> {
        self.meta.insert(key(name), state.to_string().into_bytes())?;
        self.flush()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{Store, StoreError};

    /// Opens the store again in this process: sled's background flusher
    /// may hold the directory's lock for a moment after the last handle
    /// is dropped, so "in use" is retried briefly.
    fn reopen(dir: &std::path::Path) -> Result<Store, StoreError> {
        for _ in 0..100 {
            match Store::open(dir) {
                Err(StoreError::InUse { .. }) => std::thread::sleep(std::time::Duration::from_millis(20)),
                other => return other,
            }
        }
        Store::open(dir)
    }

    #[test]
    fn connection_state_survives_reopen() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        {
            let store = Store::open(dir.path())?;
            assert_eq!(store.connection_state("pool-a")?, None);
            store.set_connection_state("pool-a", &json!({ "high_water_mark": "2026-11-28T10:00:00Z" }))?;
            store.set_connection_state("pool-b", &json!({ "last_run": 1 }))?;
        }
        let store = reopen(dir.path())?;
        assert_eq!(
            store.connection_state("pool-a")?,
            Some(json!({ "high_water_mark": "2026-11-28T10:00:00Z" }))
        );
        assert_eq!(store.connection_state("pool-b")?, Some(json!({ "last_run": 1 })));
        Ok(())
    }
}
