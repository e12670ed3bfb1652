//! The embedded search index (tantivy). Being written.
