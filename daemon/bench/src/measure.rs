//! The measured workloads, shared by the `gdsn-bench` binary and the tests.

use std::hint::black_box;
use std::io::{self, BufRead, Write};
use std::ops::ControlFlow;

use gdsn_xml::ParseOptions;
use quick_xml::Reader;
use quick_xml::events::Event;

/// What one pass of [`parse_normalize_hash`] saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseStats {
    /// Documents handed to the callback.
    pub documents: usize,
    /// Of those, accepted ones.
    pub accepted: usize,
    /// Of those, rejected ones.
    pub rejected: usize,
    /// Records of accepted documents.
    pub records: usize,
    /// Diagnostics in documents and outside them, of any severity.
    pub diagnostics: usize,
    /// `Summary::is_clean()`: nothing rejected, no message-level error.
    pub clean: bool,
    /// Bytes of JSON the records serialised to (into a counting sink).
    pub json_bytes: u64,
    /// Records whose JSON serialisation failed (expected: 0).
    pub json_errors: usize,
    /// XOR of every record's content hash, so the work cannot be skipped.
    pub hash_xor: u128,
}

/// Parses a message with `gdsn_xml::parse`, then, for every record of every
/// accepted document, serialises it to JSON into a sink that only counts
/// bytes (the normalized output) and computes its content hash.
pub fn parse_normalize_hash<R: BufRead>(reader: R) -> ParseStats {
    let mut stats = ParseStats::default();
    let summary = gdsn_xml::parse(reader, &ParseOptions::default(), |document| {
        stats.documents += 1;
        if document.accepted {
            stats.accepted += 1;
        } else {
            stats.rejected += 1;
        }
        stats.diagnostics += document.diagnostics.len();
        for record in &document.records {
            let mut sink = CountingSink(0);
            if serde_json::to_writer(&mut sink, record).is_err() {
                stats.json_errors += 1;
            }
            stats.json_bytes += sink.0;
            stats.hash_xor ^= black_box(record.content_hash());
            stats.records += 1;
        }
        ControlFlow::Continue(())
    });
    stats.diagnostics += summary.diagnostics.len();
    stats.clean = summary.is_clean();
    stats
}

/// The baseline: quick-xml's borrowing `Reader::from_str` over a message
/// already in memory, reading every event until EOF without looking at it.
/// Returns the number of events before EOF.
pub fn quick_xml_events(xml: &str) -> Result<u64, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut events = 0u64;
    loop {
        match reader.read_event()? {
            Event::Eof => return Ok(events),
            event => {
                black_box(event);
                events += 1;
            }
        }
    }
}

/// For context, not the ratio's denominator: quick-xml's namespace-resolving
/// `NsReader` streaming from a `BufRead`, as gdsn-sync reads, doing nothing
/// with the events. The gap between this and (a) is gdsn-sync's own work
/// (tree, conversion, checks, records, hash).
pub fn quick_xml_ns_streaming<R: BufRead>(reader: R) -> Result<u64, quick_xml::Error> {
    let mut reader = quick_xml::NsReader::from_reader(reader);
    let mut buf = Vec::with_capacity(4096);
    let mut events = 0u64;
    loop {
        buf.clear();
        match reader.read_resolved_event_into(&mut buf)? {
            (_, Event::Eof) => return Ok(events),
            event => {
                black_box(event);
                events += 1;
            }
        }
    }
}

/// The peak resident set size of this process (`VmHWM` in
/// `/proc/self/status`), in KiB; `None` where that file does not exist.
pub fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A writer that discards bytes and counts them.
struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// CPU time of the whole process (user + system, every thread, exited
/// ones too) from `/proc/self/stat`, in seconds; 0 where it does not exist.
/// Clock ticks are assumed to be 100 per second (Linux's USER_HZ).
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at field 3.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    (ticks(11) + ticks(12)) as f64 / 100.0
}
