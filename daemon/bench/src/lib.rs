//! Benchmark and soak tooling for gdsn-sync's streaming parser and store.
//!
//! - [`CinGenerator`] renders a large, realistic GDSN Catalogue Item
//!   Notification (GS1 XML BMS 3.1) message on the fly as a
//!   [`std::io::Read`] / [`std::io::BufRead`], one document at a time, so a
//!   multi-gigabyte message costs the memory of one document. Output is
//!   deterministic for a seed, and every document is accepted by
//!   `gdsn_xml::parse` without any diagnostic.
//! - [`measure`] holds the workloads the `gdsn-bench` binary times: the
//!   full parse + normalize + content hash, the bare quick-xml event loop
//!   it is compared with, and the process's peak RSS.
//! - [`store_bench`] holds the store benchmark's workloads: a message
//!   applied to the sled store as `gdsn-sync ingest` applies it, and the
//!   serial bound it is compared with (parse cost plus raw sled calls).
//! - [`gs1`] computes GS1 check digits for the identifiers the generator
//!   writes.
//!
//! Useful for: throughput figures, memory-bound checks, fuzz seeds. Not
//! useful for: conformance (the hand-written cases in `conformance/` are
//! the reference for what the parser must say about each input).

mod content;
pub mod daemon;
mod generator;
pub mod gs1;
pub mod http1;
pub mod measure;
mod rng;
pub mod small;
pub mod store_bench;
mod xml;

pub use generator::{CinGenerator, DEFAULT_DOCUMENTS, GeneratorConfig, MAX_TRANSACTION_DOCUMENTS};
