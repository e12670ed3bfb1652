//! The generator's output is what the parser accepts without a word.

use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::ops::ControlFlow;

use gdsn_bench::{CinGenerator, GeneratorConfig};
use gdsn_xml::{ParseOptions, parse};

fn generate(config: GeneratorConfig) -> Vec<u8> {
    let mut out = Vec::new();
    CinGenerator::new(config).read_to_end(&mut out).expect("the generator never fails");
    out
}

#[test]
fn fifty_documents_are_accepted_without_diagnostics() {
    let config = GeneratorConfig { documents: Some(50), target_bytes: None, seed: 7 };
    let mut generator = CinGenerator::new(config);
    let mut documents = 0;
    let mut records = 0;
    let mut gtins = HashSet::new();
    let mut languages = HashSet::new();
    let summary = parse(BufReader::new(&mut generator), &ParseOptions::default(), |doc| {
        documents += 1;
        assert!(doc.accepted, "document {} rejected: {:?}", doc.index, doc.diagnostics);
        assert!(doc.diagnostics.is_empty(), "document {}: {:?}", doc.index, doc.diagnostics);
        let expected = if doc.index % 2 == 1 { 3 } else { 1 };
        assert_eq!(doc.records.len(), expected, "document {}", doc.index);
        for record in &doc.records {
            assert!(gtins.insert(record.gtin), "GTIN {} repeated", record.gtin);
            assert_eq!(record.facts.images.len(), 2);
            assert!(record.facts.brand_name.is_some());
            assert!(record.facts.dates.last_change.is_some());
            let each = record.facts.unit_descriptor.as_deref() == Some("BASE_UNIT_OR_EACH");
            assert_eq!(record.facts.contacts.len(), usize::from(each));
            assert_eq!(record.facts.short_descriptions.len(), 5);
            assert_eq!(record.facts.functional_names.len(), 5);
            assert_eq!(record.facts.countries_of_origin.len(), 1);
            languages.extend(record.facts.descriptions.keys().cloned());
            record.content_hash();
        }
        records += doc.records.len();
        ControlFlow::Continue(())
    });
    assert!(summary.is_clean(), "{:?}", summary.diagnostics);
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    assert!(summary.envelope.is_some());
    assert_eq!(documents, 50);
    assert_eq!(records, 25 * 3 + 25);
    assert_eq!(generator.documents(), 50);
    assert_eq!(generator.trade_items(), records);
    assert!(generator.is_finished());
    let mut languages: Vec<_> = languages.into_iter().collect();
    languages.sort();
    assert_eq!(languages, ["ar", "de", "en", "fr", "ru"]);
    let per_item = generator.bytes_generated() / records as u64;
    assert!((3000..=6500).contains(&per_item), "{per_item} bytes per trade item");
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let config = GeneratorConfig { documents: Some(20), target_bytes: None, seed: 42 };
    let a = generate(config);
    assert_eq!(a, generate(config));
    assert_ne!(a, generate(GeneratorConfig { seed: 43, ..config }));
}

#[test]
fn byte_target_is_met_closely_and_reads_of_any_size_agree() {
    let config = GeneratorConfig { documents: None, target_bytes: Some(1_000_000), seed: 3 };
    let whole = generate(config);
    assert!(whole.len() >= 1_000_000 - 100 && whole.len() < 1_000_000 + 40_000, "{}", whole.len());
    assert!(whole.ends_with(b"</catalogue_item_notification:catalogueItemNotificationMessage>\n"));
    // Tiny reads give the same stream.
    let mut generator = CinGenerator::new(config);
    let mut small = Vec::new();
    let mut chunk = [0u8; 7];
    loop {
        let n = generator.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        small.extend_from_slice(&chunk[..n]);
    }
    assert_eq!(small, whole);
    assert_eq!(generator.bytes_generated(), whole.len() as u64);
    // More than one transaction of at most 100 documents.
    assert!(generator.transactions() > 1);
    let summary = parse(&whole[..], &ParseOptions::default(), |doc| {
        assert!(doc.accepted && doc.diagnostics.is_empty());
        assert!(doc.context.transaction_index <= generator.transactions());
        ControlFlow::Continue(())
    });
    assert!(summary.is_clean() && summary.diagnostics.is_empty());
    assert_eq!(summary.documents, generator.documents());
}

#[test]
fn defaults_and_zero() {
    let mut generator = CinGenerator::new(GeneratorConfig::default());
    std::io::copy(&mut generator, &mut std::io::sink()).unwrap();
    assert_eq!(generator.documents(), gdsn_bench::DEFAULT_DOCUMENTS);
    let one = CinGenerator::new(GeneratorConfig { documents: None, target_bytes: Some(1), seed: 0 });
    let mut one = one;
    std::io::copy(&mut one, &mut std::io::sink()).unwrap();
    assert_eq!(one.documents(), 1, "a byte target always yields at least one document");
}

/// FNV-1a 64 of the bytes: a stable fingerprint for the golden test.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The default output is frozen: the measured figures in the README and
/// the store tests' messages depend on these exact bytes.
#[test]
fn default_output_is_byte_identical_to_the_recorded_one() {
    for (documents, seed, len, fingerprint) in
        [(40, 1, 491_208, 0x5bba_fb70_cbe6_988c), (200, 5, 2_463_010, 0x8c0c_402a_28b4_48f4)]
    {
        let config = GeneratorConfig { documents: Some(documents), target_bytes: None, seed };
        let out = generate(config);
        assert_eq!((out.len(), fnv1a(&out)), (len, fingerprint), "{documents} documents, seed {seed}");
        let mut unrevised = Vec::new();
        CinGenerator::new(config).change_every(0).read_to_end(&mut unrevised).unwrap();
        assert_eq!(unrevised, out, "change_every(0) changes nothing");
    }
}

/// (key, content hash, lastChangeDateTime, short descriptions) of every record, in order.
type Seen = Vec<(String, u128, String, Vec<String>)>;

fn records_of(generator: &mut CinGenerator) -> Seen {
    let mut seen = Vec::new();
    let summary = parse(BufReader::new(generator), &ParseOptions::default(), |doc| {
        assert!(doc.accepted && doc.diagnostics.is_empty(), "{:?}", doc.diagnostics);
        for r in &doc.records {
            let key = r.key().expect("key").to_string();
            let changed = format!("{:?}", r.facts.dates.last_change);
            let short = r.facts.short_descriptions.values().cloned().collect();
            seen.push((key, r.content_hash(), changed, short));
        }
        ControlFlow::Continue(())
    });
    assert!(summary.is_clean() && summary.diagnostics.is_empty());
    seen
}

#[test]
fn change_every_revises_every_nth_item_and_keeps_the_keys() {
    let config = GeneratorConfig { documents: Some(60), target_bytes: None, seed: 9 };
    let base = records_of(&mut CinGenerator::new(config));
    let mut generator = CinGenerator::new(config).change_every(10);
    let revised = records_of(&mut generator);
    assert_eq!(base.len(), 30 * 3 + 30);
    assert_eq!(revised.len(), base.len());
    assert_eq!(generator.changed_items(), base.len() / 10);
    for (i, (old, new)) in base.iter().zip(&revised).enumerate() {
        assert_eq!(old.0, new.0, "record {i}: same key");
        if (i + 1) % 10 == 0 {
            assert_ne!(old.1, new.1, "record {i}: revised, other content");
            assert!(old.2.contains("2025") && new.2.contains("2026"), "{} -> {}", old.2, new.2);
            assert!(new.3.iter().all(|s| s.ends_with(" (v2)")), "{:?}", new.3);
        } else {
            assert_eq!(old, new, "record {i}: untouched");
        }
    }
}
