//! The embedded search index of gdsn-sync, on tantivy: the default sink of
//! the publisher and the read side of `lookup` and `search`.
//!
//! # Model
//!
//! One tantivy document per item key (`GLN/GTIN/TM[/SUBDIVISION]`). It
//! stores the product record's JSON text verbatim (returned as published)
//! and indexes search fields derived from it (the table is in the crate's
//! README): the key, the GTIN-14 and the GTIN-8/12/13 forms it has, the
//! brand (as given for facets, folded for the filter), target market and
//! subdivision, GPC brick, information provider GLN, the party and brand
//! names, and every multilingual text (`descriptions`, `short_descriptions`,
//! `functional_names`, `variant_descriptions`) in the field of its language.
//! A `version` fast field and a `deleted` flag carry the version guard.
//!
//! # Analysers
//!
//! `en` and `fr`: words, lower case, ASCII folding, Snowball stemmer;
//! `ru`: words, lower case, Russian stemmer; `ar`: words, lower case, Arabic
//! orthographic normalisation ([`ArabicNormalizer`]: alef forms, alef
//! maksura, teh marbuta, tashkeel, tatweel), Arabic stemmer; `folded`
//! (words, lower case, ASCII folding) for every other language and for
//! names. Text in language L goes to L's field, or to the folded field. See
//! [`SearchRequest`] for how a query uses them.
//!
//! # Publishing and the version guard
//!
//! [`IndexSink::publish`] compares each change's version with the version
//! the index holds for the key, live or tombstone: lower or equal is
//! ignored (`already_newer`); higher replaces the document (`delete_term`
//! of the key, then `add_document`), a delete with a tombstone (key,
//! version, `deleted = true`, no search field). So an older upsert that
//! arrives after a delete never brings the item back, and at-least-once
//! delivery is safe. Versions are read from committed segments plus the
//! changes earlier in the same batch.
//!
//! **Invariant:** at most one alive document per key (live or tombstone).
//!
//! **Invariant:** one publish is one commit, and the commit payload
//! (`{"last_seq": N}`) records the highest outbox sequence published so far
//! in the same atomic `meta.json` write as the documents. After a crash
//! the index holds exactly the batches up to [`IndexSink::last_seq`]; a
//! failed publish drops the writer and whatever it staged.
//!
//! **Invariant:** lookups and searches never return a tombstone: tombstones
//! have no search field and every query also requires `deleted = false`.
//!
//! # Generations
//!
//! `DATA/index/` holds `gen-NNNNNN/` directories and a `CURRENT` file naming
//! the serving one, replaced atomically (temporary file, fsync, rename,
//! fsync of the directory). [`IndexDir::begin_rebuild`] creates the next
//! generation for a reindex; the caller fills it, checks it through
//! [`Rebuild::open_reader`], and [switches](IndexDir::switch_to) or
//! [abandons](Rebuild::abandon) it. A switch keeps the previous generation
//! (a reader may still be opening it) and removes older ones.
//!
//! **Invariant:** a generation is only ever opened with the schema it was
//! created with ([`IndexError::SchemaMismatch`] otherwise): a schema or
//! analyser change means a rebuild into a new generation.
//!
//! # Reading
//!
//! [`SearchHandle`] needs no lock, so the CLI reads while the daemon
//! writes; it sees the commits up to its last [`SearchHandle::reload`].
//! The API is synchronous: async callers run it on a blocking thread.

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
