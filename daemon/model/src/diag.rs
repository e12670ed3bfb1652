//! Diagnostics: every problem the parser reports, with a stable code, a
//! severity and a pointer (line, column and element path) into the input.
//!
//! Codes are a contract listed in `schemas/diagnostic-codes.json`:
//! `R<n>` GDSN validation rule n, `X<nnn>` XML syntax and safety,
//! `M<nnn>` message structure, `W<nnn>` tolerated dialect.

use std::fmt;

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong (a recognised non-CIN message).
    Info,
    /// Tolerated: the document is still accepted.
    Warning,
    /// The document (or, for XML errors, the rest of the message) is rejected.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Where in the input a problem is: 1-based line and byte column, and the
/// element path from the root (`/catalogueItemNotificationMessage/transaction[1]/...`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, counted in bytes.
    pub column: u64,
    /// Element path of local names, with 1-based indexes where an element repeats.
    pub path: String,
}

/// One problem found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error, warning or info.
    pub severity: Severity,
    /// Stable code from `schemas/diagnostic-codes.json`.
    pub code: &'static str,
    /// What is wrong, in lower case, naming the value where it helps.
    pub message: String,
    /// Where.
    #[serde(flatten)]
    pub position: Position,
}

impl Diagnostic {
    /// A diagnostic whose severity is the code's default severity.
    pub fn new(code: &'static str, message: impl Into<String>, position: Position) -> Diagnostic {
        Diagnostic { severity: default_severity(code), code, message: message.into(), position }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Every code the parser can emit with its default severity. Keep in step
/// with `schemas/diagnostic-codes.json` (a test compares the two).
pub const CODES: &[(&str, Severity)] = &[
    ("X001", Severity::Error),
    ("X002", Severity::Error),
    ("X003", Severity::Error),
    ("X004", Severity::Error),
    ("X005", Severity::Error),
    ("X006", Severity::Error),
    ("X007", Severity::Error),
    ("X010", Severity::Error),
    ("X011", Severity::Error),
    ("X012", Severity::Error),
    ("X013", Severity::Error),
    ("X014", Severity::Error),
    ("X020", Severity::Error),
    ("M001", Severity::Error),
    ("M002", Severity::Error),
    ("M003", Severity::Error),
    ("M004", Severity::Error),
    ("M005", Severity::Error),
    ("M006", Severity::Error),
    ("M007", Severity::Error),
    ("M008", Severity::Error),
    ("M009", Severity::Error),
    ("M010", Severity::Warning),
    ("M011", Severity::Warning),
    ("M100", Severity::Info),
    ("R96", Severity::Warning),
    ("R107", Severity::Warning),
    ("R202", Severity::Warning),
    ("R203", Severity::Warning),
    ("R447", Severity::Error),
    ("R448", Severity::Warning),
    ("R454", Severity::Error),
    ("R471", Severity::Error),
    ("R475", Severity::Warning),
    ("R1063", Severity::Warning),
    ("R1457", Severity::Warning),
    ("W001", Severity::Warning),
    ("W002", Severity::Warning),
    ("W003", Severity::Warning),
    ("W004", Severity::Warning),
    ("W005", Severity::Warning),
    ("W006", Severity::Warning),
    ("W007", Severity::Warning),
    ("W008", Severity::Warning),
    ("W009", Severity::Warning),
];

/// The default severity of `code`; an unlisted code is an error so that a
/// typo can never downgrade a problem (and the code-list test catches it).
pub fn default_severity(code: &str) -> Severity {
    CODES.iter().find(|(c, _)| *c == code).map_or(Severity::Error, |(_, s)| *s)
}
