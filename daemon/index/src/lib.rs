//! The embedded search index of gdsn-sync, on tantivy. (Design notes: see
//! the end of this file's documentation, written once the API settled.)

mod analysis;
mod arabic;
mod collect;
mod cursor;
mod dirs;
mod document;
mod error;
mod open;
mod read;
mod schema;
mod search;
mod sink;
mod versions;

pub use analysis::{
    AR, EN, FOLDED, FR, KEYWORD, OWN_LANGUAGES, RU, analyser_for, register as register_analysers,
};
pub use arabic::{ArabicNormalizer, ArabicNormalizerFilter, ArabicNormalizerStream};
pub use dirs::{Generation, IndexDir, Rebuild, Switched};
pub use document::{DocumentBuilder, RecordError};
pub use error::IndexError;
pub use read::SearchHandle;
pub use schema::names as field_names;
pub use search::{DEFAULT_LIMIT, Facets, Hit, MAX_LIMIT, SearchRequest, SearchResponse};
pub use sink::{IndexSink, SinkOptions};

/// The publisher contract this sink implements, re-exported so callers of
/// the index need no second import.
pub use gdsn_sink::{Ack, Change, Health, Op, SinkError};
/// The tantivy this crate is built on, for tools that open an index
/// directly (the benchmark's baseline) with the same version.
pub use tantivy;
