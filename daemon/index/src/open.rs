//! Opening one generation's tantivy index, for writing or reading, and the
//! commit payload.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, TantivyError};

use crate::analysis;
use crate::error::{IndexError, clip};
use crate::schema::{self, Fields};

/// What every commit records, as JSON in tantivy's commit payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Payload {
    /// The highest outbox sequence published so far.
    pub(crate) last_seq: u64,
}

impl Payload {
    pub(crate) fn to_json(self) -> String {
        format!("{{\"last_seq\":{}}}", self.last_seq)
    }
}

/// Opens the index in `path` (a generation directory), creating it when
/// `create` and the directory holds none. Registers the analysers and
/// checks the schema.
pub(crate) fn index(path: &Path, create: bool) -> Result<(Index, Fields), IndexError> {
    let (expected, fields) = schema::build();
    let directory = MmapDirectory::open(path).map_err(TantivyError::from)?;
    let exists = Index::exists(&directory).map_err(TantivyError::from)?;
    let index = if exists {
        Index::open(directory)?
    } else if create {
        Index::create(directory, expected.clone(), Default::default())?
    } else {
        return Err(IndexError::NoIndex { path: path.to_owned() });
    };
    if index.schema() != expected {
        return Err(IndexError::SchemaMismatch { path: path.to_owned() });
    }
    analysis::register(&index);
    Ok((index, fields))
}

/// The last sequence recorded by the last commit of `index` (none before
/// the first publish).
pub(crate) fn last_seq(index: &Index, path: &Path) -> Result<Option<u64>, IndexError> {
    let metas = index.load_metas()?;
    let Some(payload) = metas.payload else {
        return Ok(None);
    };
    match serde_json::from_str::<Payload>(&payload) {
        Ok(p) => Ok(Some(p.last_seq)),
        Err(_) => Err(IndexError::BadPayload { path: path.to_owned(), payload: clip(&payload) }),
    }
}
