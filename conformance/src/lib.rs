//! The conformance kit of gdsn-sync: message cases with reviewed expected
//! outcomes, and the one function that runs a message through the parser
//! the way `gdsn-sync parse` does.
//!
//! A case is a folder under `conformance/cases/` (see its README): the input
//! message, a `case.toml` with the expected outcome class, and snapshots
//! (`expected.ndjson`, `expected.diagnostics`, `expected.documents.json`)
//! written with `UPDATE_EXPECT=1` and reviewed by hand.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use gdsn_model::diag::Diagnostic;
use gdsn_xml::ParseOptions;
use serde::Deserialize;

/// What `case.toml` says a case must give.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// One line: what the case shows.
    pub description: String,
    /// Expected `gdsn-sync parse` exit code.
    pub exit: u8,
    /// Expected number of records.
    pub records: usize,
    /// Codes that must appear among the diagnostics.
    pub codes: Vec<String>,
    /// CIN, CIHW, CIC, CIS, RFCIN, CIP, GS1Response, or `none`.
    pub message_type: String,
    /// Whether the input is valid against GS1's 3.1.35 XSDs (modules
    /// included); dialect and broken cases are not.
    pub schema_valid: bool,
}

/// One case folder.
#[derive(Debug, Clone)]
pub struct Case {
    /// Folder name (`0001_cin_single_each`).
    pub name: String,
    /// Folder path.
    pub dir: PathBuf,
    /// Its `case.toml`.
    pub spec: CaseSpec,
}

impl Case {
    /// The message file.
    pub fn input(&self) -> PathBuf {
        self.dir.join("input.xml")
    }
}

/// The folder holding the cases.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// Every case, in name order. A folder without a readable `case.toml` is an
/// error, so a half-added case cannot be silently skipped.
pub fn cases() -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    let entries = std::fs::read_dir(cases_dir()).map_err(|e| format!("cases dir: {e}"))?;
    for entry in entries {
        let dir = entry.map_err(|e| e.to_string())?.path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text =
            std::fs::read_to_string(dir.join("case.toml")).map_err(|e| format!("{name}/case.toml: {e}"))?;
        let spec: CaseSpec = toml::from_str(&text).map_err(|e| format!("{name}/case.toml: {e}"))?;
        cases.push(Case { name, dir, spec });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// What parsing one message gave, rendered as `gdsn-sync parse` renders it.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The exit code `parse` gives for it (0 or 1).
    pub exit: u8,
    /// Records, one JSON line each.
    pub records: Vec<String>,
    /// Diagnostics as `file:line:col: severity code: message (path)`.
    pub diagnostics: Vec<String>,
    /// Every code seen.
    pub codes: BTreeSet<String>,
    /// Short name of the recognised message type, or `none`.
    pub message_type: String,
    /// The document model of each document (what `inspect` prints).
    pub documents: Vec<serde_json::Value>,
}

/// Parses `path` (named `display_name` in diagnostics).
pub fn run(path: &Path, display_name: &str) -> Result<Outcome, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut outcome = Outcome::default();
    let mut all: Vec<Diagnostic> = Vec::new();
    let summary = gdsn_xml::parse(BufReader::new(file), &ParseOptions::default(), |doc| {
        for record in &doc.records {
            outcome.records.push(serde_json::to_string(record).unwrap_or_default());
        }
        outcome.documents.push(serde_json::json!({
            "index": doc.index,
            "accepted": doc.accepted,
            "command": doc.context.command,
            "document": doc.document,
        }));
        all.extend(doc.diagnostics);
        ControlFlow::Continue(())
    });
    all.extend(summary.diagnostics.iter().cloned());
    for d in &all {
        outcome.codes.insert(d.code.to_owned());
        outcome.diagnostics.push(render(display_name, d));
    }
    outcome.exit = if summary.is_clean() { 0 } else { 1 };
    outcome.message_type = summary.message_type.map_or("none", |t| t.short_name()).to_owned();
    Ok(outcome)
}

/// The text form of a diagnostic, as `gdsn-sync` prints it.
pub fn render(file: &str, d: &Diagnostic) -> String {
    let p = &d.position;
    format!("{file}:{}:{}: {} {}: {} ({})", p.line, p.column, d.severity, d.code, d.message, p.path)
}

/// `../shared/gdsn/samples` beside the checkout, when present.
pub fn shared_samples_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/gdsn/samples");
    dir.is_dir().then_some(dir)
}
