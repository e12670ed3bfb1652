//! Maps quick-xml errors to our `X` diagnostic codes.

use quick_xml::errors::{Error, IllFormedError, SyntaxError};

/// The code and message for a quick-xml error. `event_too_large` tells an
/// I/O error caused by our own event size cap from a real one.
pub(crate) fn classify(error: &Error, event_too_large: bool) -> (&'static str, String) {
    match error {
        Error::Io(e) if event_too_large => ("X014", e.to_string()),
        Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            ("X002", format!("invalid UTF-8: {e}"))
        }
        Error::Io(e) => ("X020", format!("read failed: {e}")),
        Error::Syntax(s) => match s {
            SyntaxError::UnclosedTag
            | SyntaxError::UnclosedCData
            | SyntaxError::UnclosedComment
            | SyntaxError::UnclosedPI
            | SyntaxError::UnclosedXmlDecl
            | SyntaxError::UnclosedDoctype
            | SyntaxError::UnclosedSingleQuotedAttributeValue
            | SyntaxError::UnclosedDoubleQuotedAttributeValue => {
                ("X006", format!("input ends inside markup: {s}"))
            }
            _ => ("X001", format!("syntax error: {s}")),
        },
        Error::IllFormed(IllFormedError::MissingEndTag(name)) => {
            ("X006", format!("input ends before </{name}>"))
        }
        Error::IllFormed(
            e @ (IllFormedError::MismatchedEndTag { .. } | IllFormedError::UnmatchedEndTag(_)),
        ) => ("X007", e.to_string()),
        Error::IllFormed(e) => ("X001", format!("ill-formed: {e}")),
        Error::InvalidAttr(e) => ("X001", format!("bad attribute: {e}")),
        Error::Encoding(e) => ("X002", format!("not UTF-8: {e}")),
        Error::Escape(e) => ("X005", format!("bad reference: {e}")),
        Error::Namespace(e) => ("X004", format!("namespace error: {e}")),
    }
}
