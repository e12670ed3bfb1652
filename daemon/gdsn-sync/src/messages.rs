//! `parse`, `validate` and `inspect`: the message commands.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;

use gdsn_model::diag::Diagnostic;
use gdsn_xml::{ParseOptions, ParsedDocument, Summary};
use serde_json::json;

use crate::cli::{FilesArgs, InspectArgs};

/// What `parse` writes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Records,
    DiagnosticsOnly,
}

/// Outcome of one file, ordered by severity of the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Clean = 0,
    Rejected = 1,
    Unreadable = 2,
}

const READ_BUFFER: usize = 64 * 1024;

pub(crate) fn parse(args: &FilesArgs, output: Output) -> ExitCode {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let stderr = io::stderr();
    let mut err = BufWriter::new(stderr.lock());
    let mut worst = Outcome::Clean;
    for path in &args.files {
        let settings = Settings { options: args.limits.options(), output, json: args.json_diagnostics };
        let outcome = parse_file(path, &settings, &mut out, &mut err);
        worst = worst.max(outcome);
    }
    let flushed = out.flush().and_then(|()| err.flush());
    if flushed.is_err() {
        // Nowhere left to report to (closed pipe); the exit code says it.
        return ExitCode::from(2);
    }
    ExitCode::from(worst as u8)
}

/// How `parse` and `validate` treat each file.
struct Settings {
    options: ParseOptions,
    output: Output,
    json: bool,
}

fn parse_file(path: &Path, settings: &Settings, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let Settings { options, output, json } = settings;
    let (output, json) = (*output, *json);
    let (name, input) = match open_input(path) {
        Ok(opened) => opened,
        Err(e) => {
            let _ = writeln!(err, "{e}");
            return Outcome::Unreadable;
        }
    };
    let mut write_failed = false;
    let summary = gdsn_xml::parse(BufReader::with_capacity(READ_BUFFER, input), options, |doc| {
        if output == Output::Records {
            for record in &doc.records {
                let line = serde_json::to_string(record).unwrap_or_default();
                write_failed |= writeln!(out, "{line}").is_err();
            }
        }
        for d in &doc.diagnostics {
            write_failed |= write_diagnostic(err, &name, d, json).is_err();
        }
        if write_failed { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    for d in &summary.diagnostics {
        let _ = write_diagnostic(err, &name, d, json);
    }
    if write_failed {
        return Outcome::Unreadable;
    }
    outcome_of(&summary)
}

/// A read error part-way is an unreadable file (2), not a rejection (1).
fn outcome_of(summary: &Summary) -> Outcome {
    if summary.diagnostics.iter().any(|d| d.code == "X020") {
        Outcome::Unreadable
    } else if summary.is_clean() {
        Outcome::Clean
    } else {
        Outcome::Rejected
    }
}

/// Opens a message: `-` is standard input. Directories are refused here,
/// where the message can say so, rather than as a read error later.
fn open_input(path: &Path) -> Result<(String, Box<dyn Read>), String> {
    if path.as_os_str() == "-" {
        return Ok(("<stdin>".to_owned(), Box::new(io::stdin().lock())));
    }
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    match file.metadata() {
        Ok(m) if m.is_dir() => Err(format!("{name}: cannot read: is a directory")),
        _ => Ok((name, Box::new(file))),
    }
}

fn write_diagnostic(w: &mut impl Write, file: &str, d: &Diagnostic, json: bool) -> io::Result<()> {
    if json {
        let mut value = serde_json::to_value(d).unwrap_or_default();
        if let Some(obj) = value.as_object_mut() {
            obj.insert("file".into(), json!(file));
        }
        writeln!(w, "{value}")
    } else {
        let p = &d.position;
        writeln!(w, "{file}:{}:{}: {} {}: {} ({})", p.line, p.column, d.severity, d.code, d.message, p.path)
    }
}

pub(crate) fn inspect(args: &InspectArgs) -> ExitCode {
    let (_, input) = match open_input(&args.file) {
        Ok(opened) => opened,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut documents = Vec::new();
    let summary =
        gdsn_xml::parse(BufReader::with_capacity(READ_BUFFER, input), &args.limits.options(), |doc| {
            documents.push(document_json(&doc));
            ControlFlow::Continue(())
        });
    let value = inspect_json(&args.file, &summary, &documents);
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    if writeln!(io::stdout().lock(), "{text}").is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(outcome_of(&summary) as u8)
}

fn document_json(doc: &ParsedDocument) -> serde_json::Value {
    json!({
        "index": doc.index,
        "accepted": doc.accepted,
        "transaction": doc.context.transaction_index,
        "transaction_id": doc.context.transaction_id,
        "command": doc.context.command,
        "command_id": doc.context.command_id,
        "document": doc.document,
        "diagnostics": doc.diagnostics,
    })
}

fn inspect_json(path: &Path, summary: &Summary, documents: &[serde_json::Value]) -> serde_json::Value {
    json!({
        "file": path.display().to_string(),
        "message_type": summary.message_type,
        "envelope": summary.envelope,
        "documents": documents,
        "diagnostics": summary.diagnostics,
    })
}
