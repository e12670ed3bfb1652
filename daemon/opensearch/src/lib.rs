//! The OpenSearch/Elasticsearch sink. Being written.
