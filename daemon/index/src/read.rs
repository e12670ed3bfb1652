//! The read side: [`SearchHandle`], for lookups and searches.
//!
//! tantivy readers take no lock, so a handle works while another process
//! (the daemon) holds the writer; it sees what was committed when it was
//! opened or last [reloaded](SearchHandle::reload). Tombstones carry no
//! search field and every query is also restricted to live documents, so
//! neither lookups nor searches ever return one.

use std::path::{Path, PathBuf};

use gdsn_model::ids::Gtin;
use serde_json::Value;
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value as _};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::dirs::IndexDir;
use crate::error::IndexError;
use crate::open;
use crate::schema::Fields;
use crate::search::{self, SearchRequest, SearchResponse};

/// A read handle on one generation of the index.
pub struct SearchHandle {
    /// `Some` when the handle follows `CURRENT` on reload.
    follow: Option<IndexDir>,
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl SearchHandle {
    /// Opens the generation in `path` and stays on it (a rebuilt generation
    /// under test, before the switch). Never creates anything.
    pub fn open_generation(path: &Path) -> Result<SearchHandle, IndexError> {
        let (index, fields) = open::index(path, false)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchHandle { follow: None, path: path.to_owned(), index, reader, fields })
    }

    /// Opens the generation `CURRENT` names and follows `CURRENT` on reload.
    pub(crate) fn open_current(dir: &IndexDir) -> Result<SearchHandle, IndexError> {
        let path = dir.current_path()?;
        let mut handle = match SearchHandle::open_generation(&path) {
            Ok(handle) => handle,
            // Two switches between reading CURRENT and opening its
            // generation can have pruned it: read CURRENT once more.
            Err(e) => match dir.current_path()? {
                again if again != path => SearchHandle::open_generation(&again)?,
                _ => return Err(e),
            },
        };
        handle.follow = Some(dir.clone());
        Ok(handle)
    }

    /// The generation directory being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Picks up what was committed since the handle was opened or last
    /// reloaded, and, when following `CURRENT`, a switched generation.
    pub fn reload(&mut self) -> Result<(), IndexError> {
        if let Some(dir) = &self.follow
            && dir.current_path()? != self.path
        {
            *self = SearchHandle::open_current(dir)?;
            return Ok(());
        }
        Ok(self.reader.reload()?)
    }

    /// Picks up what was committed to the generation being read, without
    /// `&mut`: readers keep searching the previous state meanwhile. Returns
    /// `false`, having done nothing, when the handle follows `CURRENT` and a
    /// switch happened: then [`SearchHandle::reload`] must reopen it.
    pub fn refresh(&self) -> Result<bool, IndexError> {
        if let Some(dir) = &self.follow
            && dir.current_path()? != self.path
        {
            return Ok(false);
        }
        self.reader.reload()?;
        Ok(true)
    }

    /// Every live record of `gtin` (across providers and target markets),
    /// in key order. `market` restricts to a target market: a country code
    /// (`840`, including its subdivisions) or `840/US-CA`.
    pub fn lookup(&self, gtin: Gtin, market: Option<&str>) -> Result<Vec<Value>, IndexError> {
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, term_query(Term::from_field_text(self.fields.gtin, gtin.as_str())))];
        if let Some(market) = market {
            clauses.push((Occur::Must, search::market_filter(&self.fields, market)));
        }
        clauses.push((Occur::Must, live_query(&self.fields)));
        let mut docs: Vec<DocAddress> =
            searcher.search(&BooleanQuery::new(clauses), &DocSetCollector)?.into_iter().collect();
        docs.sort();
        let mut records: Vec<(String, Value)> =
            docs.into_iter().map(|doc| stored(&searcher, &self.fields, doc)).collect::<Result<_, _>>()?;
        records.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(records.into_iter().map(|(_, record)| record).collect())
    }

    /// A full-text search with filters, facets and a paging cursor; see
    /// [`SearchRequest`].
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, IndexError> {
        search::run(&self.index, &self.reader.searcher(), &self.fields, request)
    }

    /// Live (not deleted) documents.
    pub fn count_live(&self) -> Result<u64, IndexError> {
        count_live(&self.reader.searcher(), &self.fields)
    }
}

/// Live documents in `searcher`.
pub(crate) fn count_live(searcher: &Searcher, fields: &Fields) -> Result<u64, IndexError> {
    Ok(searcher.search(&*live_query(fields), &Count)? as u64)
}

/// Matches every live document (deleted = false).
pub(crate) fn live_query(fields: &Fields) -> Box<dyn Query> {
    term_query(Term::from_field_bool(fields.deleted, false))
}

/// An exact term, matched without frequencies.
pub(crate) fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

/// The key and the record stored for `doc`.
pub(crate) fn stored(
    searcher: &Searcher,
    fields: &Fields,
    doc: DocAddress,
) -> Result<(String, Value), IndexError> {
    let document: TantivyDocument = searcher.doc(doc)?;
    let key = document.get_first(fields.key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let text = document.get_first(fields.record).and_then(|v| v.as_str()).unwrap_or("null");
    match serde_json::from_str(text) {
        Ok(record) => Ok((key, record)),
        Err(source) => Err(IndexError::BadStoredRecord { key, source }),
    }
}
