//! The version the index holds for a key, live or tombstone: what the
//! version guard of [`crate::IndexSink::publish`] compares with.
//!
//! Invariant: at most one alive document per key. Every write of a key
//! that the index already holds is `delete_term(key)` followed by one
//! `add_document`, in the same commit, so readers never see two.

use std::sync::Arc;

use tantivy::columnar::Column;
use tantivy::index::InvertedIndexReader;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Searcher, TERMINATED, TantivyError, Term};

use crate::error::IndexError;
use crate::schema::{Fields, names};

/// Per-segment readers of a searcher, opened once per publish.
pub(crate) struct VersionLookup {
    searcher: Searcher,
    segments: Vec<(Arc<InvertedIndexReader>, Column<u64>)>,
    fields: Fields,
}

impl VersionLookup {
    pub(crate) fn new(searcher: Searcher, fields: Fields) -> Result<VersionLookup, IndexError> {
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let postings = segment.inverted_index(fields.key)?;
                let versions = segment.fast_fields().u64(names::VERSION)?;
                Ok((postings, versions))
            })
            .collect::<Result<_, IndexError>>()?;
        Ok(VersionLookup { searcher, segments, fields })
    }

    /// The version of `key`'s alive document, if any.
    pub(crate) fn version(&self, key: &str) -> Result<Option<u64>, IndexError> {
        let term = Term::from_field_text(self.fields.key, key);
        let mut found = None;
        for (ord, (postings, versions)) in self.segments.iter().enumerate() {
            let Some(mut docs) =
                postings.read_postings(&term, IndexRecordOption::Basic).map_err(TantivyError::from)?
            else {
                continue;
            };
            let alive = self.searcher.segment_reader(ord as u32).alive_bitset();
            let mut doc = docs.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    // Several alive documents would break the invariant;
                    // the highest version is the one that counts.
                    found = found.max(versions.first(doc));
                }
                doc = docs.advance();
            }
        }
        Ok(found)
    }
}
