//! From field paths to places in the text and back.
//!
//! The raw config types hold plain values, not `toml::Spanned` ones, so that they stay readable and their
//! JSON Schema stays plain. Positions come from a second, untyped parse of the same text
//! (`toml::de::DeTable`), which knows the span of every key and value: validation asks
//! [`Locator::span_of`] for the span of the field it complains about, and a serde error (which only has a
//! span) is given its field path by [`Locator::path_at`].

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::error::{FieldPath, Segment};

/// Every key and value of one TOML text, with its field path and span.
#[derive(Debug, Default)]
pub(crate) struct Locator {
    nodes: Vec<Node>,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    text: String,
}

#[derive(Debug)]
struct Node {
    path: FieldPath,
    span: Range<usize>,
    is_key: bool,
}

impl Locator {
    /// Indexes `text`. Text that is not valid TOML yields a locator that knows only line and column
    /// arithmetic; the TOML error itself carries the span then.
    pub(crate) fn new(text: &str) -> Self {
        let mut nodes = Vec::new();
        if let Ok(root) = DeTable::parse(text) {
            walk_table(root.get_ref(), &FieldPath::root(), &mut nodes);
        }
        let line_starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(offset, _)| offset + 1)).collect();
        Locator { nodes, line_starts, text: text.to_owned() }
    }

    /// The span of the value at `path`, or of its nearest ancestor that is in the text (the table a
    /// missing field belongs in). The document start when nothing matches.
    pub(crate) fn span_of(&self, path: &FieldPath) -> Range<usize> {
        let mut segments = path.segments();
        loop {
            if segments.is_empty() {
                return 0..0;
            }
            let found = self.nodes.iter().find(|node| !node.is_key && node.path.segments() == segments);
            if let Some(node) = found {
                return node.span.clone();
            }
            segments = &segments[..segments.len() - 1];
        }
    }

    /// The field path of the key or value a serde error's span points at: an exact match, else the
    /// smallest key or value that contains the span.
    ///
    /// Errors raised inside an internally tagged enum (the `auth` tables) point at the whole table, since
    /// serde buffers it; when the message names an unknown field or variant, the key of that name inside
    /// the table is a better answer, and it is returned instead.
    pub(crate) fn path_at(&self, span: &Range<usize>, message: &str) -> (FieldPath, Range<usize>) {
        // An array of tables and its first table share the header's span: the deeper path is the answer.
        let depth = |node: &&Node| node.path.segments().len();
        let exact = self.nodes.iter().filter(|node| node.span == *span).max_by_key(depth);
        let containing = || {
            self.nodes
                .iter()
                .filter(|node| node.span.start <= span.start && span.end <= node.span.end)
                .min_by_key(|node| (node.span.len(), std::cmp::Reverse(depth(node))))
        };
        let Some(node) = exact.or_else(containing) else {
            return (FieldPath::root(), span.clone());
        };
        if let Some(named) = named_key(message).and_then(|name| self.key_below(&node.path, name)) {
            return (named.path.clone(), named.span.clone());
        }
        (node.path.clone(), span.clone())
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|start| *start <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or(0, |before| before.chars().count());
        (line, column + 1)
    }

    /// The first key called `name` at or below `path` (a key directly at `path` counts).
    fn key_below(&self, path: &FieldPath, name: &str) -> Option<&Node> {
        self.nodes.iter().filter(|node| node.is_key).find(|node| {
            node.path.segments().starts_with(path.segments())
                && matches!(node.path.segments().last(), Some(Segment::Key(key)) if key == name)
        })
    }
}

/// The name in "unknown field `x`" or "unknown variant `x`", serde's wording.
fn named_key(message: &str) -> Option<&str> {
    let rest =
        message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    rest.split('`').next()
}

fn walk_table(table: &DeTable<'_>, path: &FieldPath, nodes: &mut Vec<Node>) {
    for (key, value) in table.iter() {
        let child = path.key(key.get_ref());
        nodes.push(Node { path: child.clone(), span: key.span(), is_key: true });
        walk_value(value.get_ref(), value.span(), &child, nodes);
    }
}

fn walk_value(value: &DeValue<'_>, span: Range<usize>, path: &FieldPath, nodes: &mut Vec<Node>) {
    nodes.push(Node { path: path.clone(), span, is_key: false });
    match value {
        DeValue::Table(table) => walk_table(table, path, nodes),
        DeValue::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk_value(item.get_ref(), item.span(), &path.index(index), nodes);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "data_dir = \"d\"\n\n[[connections]]\nname = \"a\"\n\n[[connections]]\nname = \"b\"\n[connections.auth]\nkind = \"bearer\"\ntoken = { env = \"T\" }\n";

    fn position(locator: &Locator, path: &FieldPath) -> (usize, usize) {
        locator.line_column(locator.span_of(path).start)
    }

    #[test]
    fn values_tables_and_missing_fields_have_positions() {
        let locator = Locator::new(TEXT);
        let second = FieldPath::root().key("connections").index(1);
        assert_eq!(position(&locator, &second.key("name")), (7, 8));
        assert_eq!(position(&locator, &second.key("auth")), (8, 1));
        assert_eq!(position(&locator, &second.key("schedule")), (6, 1), "a missing field: its table");
        assert_eq!(position(&locator, &FieldPath::root().key("store")), (1, 1));
    }

    #[test]
    fn spans_map_back_to_paths() {
        let locator = Locator::new(TEXT);
        let name = TEXT.find("\"b\"").unwrap();
        let (path, _) = locator.path_at(&(name..name + 3), "invalid type");
        assert_eq!(path.to_string(), "connections[1].name");
        let auth = TEXT.find("[connections.auth]").unwrap();
        let (path, span) = locator.path_at(&(auth..auth + 18), "unknown variant `env`, expected `file`");
        assert_eq!(path.to_string(), "connections[1].auth.token.env");
        assert_eq!(locator.line_column(span.start), (10, 11));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let locator = Locator::new("a = \"é\"\nb = 1\n");
        assert_eq!(locator.line_column(9), (2, 1));
        assert_eq!(locator.line_column(13), (2, 5));
        assert_eq!(locator.line_column(7), (1, 7), "é is two bytes, one column");
    }
}
