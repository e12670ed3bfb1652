//! Arbitrary bytes through the whole parse: `gdsn_xml::parse` over a
//! `&[u8]` reader, then, for every document, each record serialized to
//! JSON (the normalized output) and its content hash. Any panic, overflow
//! or runaway allocation is a finding: the parser promises to turn every
//! input into diagnostics.

#![no_main]

use std::ops::ControlFlow;

use gdsn_xml::{ParseOptions, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut records = 0usize;
    let summary = parse(data, &ParseOptions::default(), |document| {
        // A rejected document never carries records.
        assert!(document.accepted || document.records.is_empty());
        for record in &document.records {
            let json = serde_json::to_vec(record).expect("a record always serializes");
            assert!(!json.is_empty());
            std::hint::black_box(record.content_hash());
            records += 1;
        }
        ControlFlow::Continue(())
    });
    assert!(summary.rejected <= summary.documents);
    std::hint::black_box(records);
});
