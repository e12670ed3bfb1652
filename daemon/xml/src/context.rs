//! What converters share while turning one document tree into model types:
//! the diagnostics found so far and how to point at a node.

use gdsn_model::diag::{Diagnostic, Position};
use gdsn_model::ids::Gln;
use gdsn_model::time::Timestamp;

use crate::tree::{Namespaces, Node};

/// Conversion context for one document.
pub(crate) struct Ctx<'t> {
    /// The document element.
    pub(crate) root: Node<'t>,
    /// Element path of the document's parent (`/msg/transaction[2]/documentCommand`).
    pub(crate) base: &'t str,
    pub(crate) namespaces: &'t Namespaces,
    pub(crate) diags: Vec<Diagnostic>,
    /// The zone of timestamps without one; `None` is UTC.
    pub(crate) naive_zone: Option<chrono_tz::Tz>,
}

impl<'t> Ctx<'t> {
    pub(crate) fn new(root: Node<'t>, base: &'t str, namespaces: &'t Namespaces) -> Self {
        Ctx { root, base, namespaces, diags: Vec::new(), naive_zone: None }
    }

    /// The same context, reading timestamps without a zone in `zone`.
    pub(crate) fn in_zone(mut self, zone: Option<chrono_tz::Tz>) -> Self {
        self.naive_zone = zone;
        self
    }

    /// Records a diagnostic pointing at `at`, which must be in this document.
    pub(crate) fn report(&mut self, code: &'static str, message: impl Into<String>, at: Node<'_>) {
        let position = Position { line: at.line(), column: at.column(), path: self.path_of(at) };
        self.diags.push(Diagnostic::new(code, message, position));
    }

    /// True once any error was reported: the document will be rejected.
    pub(crate) fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    /// The element path of `target`, from the document element down, with
    /// `[n]` where an element has same-named siblings.
    fn path_of(&self, target: Node<'_>) -> String {
        let mut steps = Vec::new();
        let mut node = target;
        while let Some(parent) = node.parent() {
            let same: Vec<Node<'_>> = parent.children_named(node.name()).collect();
            let step = match same.iter().position(|c| c.is(node)) {
                Some(i) if same.len() > 1 => format!("/{}[{}]", node.name(), i + 1),
                _ => format!("/{}", node.name()),
            };
            steps.push(step);
            node = parent;
        }
        let mut path = format!("{}/{}", self.base, self.root.name());
        for step in steps.iter().rev() {
            path.push_str(step);
        }
        path
    }

    /// Reads a timestamp, reporting what was tolerated.
    pub(crate) fn timestamp(&mut self, node: Option<Node<'_>>) -> Option<Timestamp> {
        let node = node?;
        let text = node.value()?;
        let zone = self.naive_zone;
        let offset = |local| zone.map_or(time::UtcOffset::UTC, |tz| crate::zone::offset_at(tz, local));
        match Timestamp::parse_in(text, offset) {
            Ok((ts, notes)) => {
                if notes.zone_assumed {
                    let name = zone.map_or("UTC", |tz| tz.name());
                    self.report("W004", format!("`{text}` has no time zone; read as {name}"), node);
                }
                if notes.fraction_truncated {
                    self.report("W005", format!("`{text}` has more than 9 fraction digits; truncated"), node);
                }
                Some(ts)
            }
            Err(e) => {
                self.report("M005", e, node);
                None
            }
        }
    }

    /// Reads an optional GLN that is not part of an item key: a wrong check
    /// digit is a warning (R448), another shape a warning (W008); the value
    /// is kept as given in the first case and dropped in the second.
    pub(crate) fn optional_gln(&mut self, node: Option<Node<'_>>) -> Option<String> {
        let node = node?;
        let text = self.trimmed(node)?;
        match Gln::new_lenient(text) {
            Ok(gln) => {
                if !gln.check_digit_ok() {
                    self.report("R448", format!("GLN `{text}` has a wrong check digit; kept as given"), node);
                }
                Some(text.to_owned())
            }
            Err(e) => {
                self.report("W008", format!("{e}; ignored"), node);
                None
            }
        }
    }

    /// The trimmed value of an identifier or code, warning (W009) when the
    /// raw text had surrounding white space.
    pub(crate) fn trimmed<'n>(&mut self, node: Node<'n>) -> Option<&'n str> {
        let value = node.value()?;
        if value.len() != node.text().len() {
            self.report(
                "W009",
                format!("`{}` has surrounding white space; trimmed", node.text().escape_debug()),
                node,
            );
        }
        Some(value)
    }

    /// Reads `xsd:boolean`.
    pub(crate) fn boolean(&mut self, node: Option<Node<'_>>) -> Option<bool> {
        let node = node?;
        match node.value()? {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            other => {
                self.report("M005", format!("`{other}` is not a boolean"), node);
                None
            }
        }
    }

    /// Reads a non-negative integer.
    pub(crate) fn count(&mut self, node: Option<Node<'_>>) -> Option<u64> {
        let node = node?;
        let text = node.value()?;
        match text.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.report("M005", format!("`{text}` is not a non-negative integer"), node);
                None
            }
        }
    }

    /// The namespace URI of `node`.
    pub(crate) fn namespace(&self, node: Node<'_>) -> &'t str {
        self.namespaces.uri(node.ns())
    }
}
