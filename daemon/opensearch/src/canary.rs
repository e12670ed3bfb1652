//! The checks a new index must pass before the alias moves to it.

use crate::error::OpenSearchError;
use crate::sink::OpenSearchSink;

/// Why a new index is not fit to serve.
#[derive(Debug, thiserror::Error)]
pub enum CanaryFailure {
    /// The tolerance is not a finite fraction between 0 and 1.
    #[error("canary tolerance {0} is not a fraction between 0 and 1")]
    Tolerance(f64),
    /// The document count is too far from what the store holds.
    #[error("{index} holds {actual} documents, expected {expected} within {allowed}")]
    Count {
        /// The index checked.
        index: String,
        /// Documents expected (the store's live keys).
        expected: u64,
        /// Documents found.
        actual: u64,
        /// The largest difference allowed.
        allowed: u64,
    },
    /// Known GTINs that the index does not find.
    #[error("{index} does not find {} known GTIN(s): {}", gtins.len(), gtins.join(", "))]
    MissingGtins {
        /// The index checked.
        index: String,
        /// The GTINs not found.
        gtins: Vec<String>,
    },
    /// A request of the check failed.
    #[error("canary request failed: {0}")]
    Request(#[from] OpenSearchError),
}

impl OpenSearchSink {
    /// Checks `index` before the alias moves to it: after a refresh, its
    /// document count must be within `tolerance` (a fraction: 0.01 allows 1 %)
    /// of `expected_count`, and a search for each of `known_gtins` must find
    /// at least one record. The caller picks the GTINs (a few that officers
    /// look up often, and a few recently changed) and swaps only on `Ok`.
    pub async fn canary(
        &self,
        index: &str,
        known_gtins: &[impl AsRef<str>],
        expected_count: u64,
        tolerance: f64,
    ) -> Result<(), CanaryFailure> {
        if !(0.0..=1.0).contains(&tolerance) {
            return Err(CanaryFailure::Tolerance(tolerance));
        }
        self.refresh(index).await?;
        let actual = self.count(index).await?;
        let allowed = allowed_difference(expected_count, tolerance);
        if actual.abs_diff(expected_count) > allowed {
            return Err(CanaryFailure::Count {
                index: index.to_owned(),
                expected: expected_count,
                actual,
                allowed,
            });
        }
        let mut missing = Vec::new();
        for gtin in known_gtins {
            if self.search_gtin(index, gtin.as_ref()).await?.is_empty() {
                missing.push(gtin.as_ref().to_owned());
            }
        }
        if !missing.is_empty() {
            return Err(CanaryFailure::MissingGtins { index: index.to_owned(), gtins: missing });
        }
        tracing::info!(%index, actual, expected_count, gtins = known_gtins.len(), "canary passed");
        Ok(())
    }
}

/// `expected × tolerance`, rounded down.
fn allowed_difference(expected: u64, tolerance: f64) -> u64 {
    // An f64 holds every count below 2^53 exactly; the cast saturates above.
    (expected as f64 * tolerance).floor() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_differences() {
        assert_eq!(allowed_difference(1000, 0.01), 10);
        assert_eq!(allowed_difference(99, 0.01), 0);
        assert_eq!(allowed_difference(0, 0.5), 0);
        assert_eq!(allowed_difference(10, 1.0), 10);
    }
}
