//! A small element tree for one document at a time, in an arena.
//!
//! The driver builds one [`Tree`] per captured element (a document, the
//! SBDH, a command header), converts it to model types and clears it, so
//! memory is bounded by the largest document, never by the message. The
//! arena is reused from one document to the next: names, text and
//! attributes are appended to one string and nodes to one vector, so a
//! steady-state parse allocates nothing per element.

use std::ops::Range;

/// Namespace of an element, interned per message: 0 is the empty namespace.
pub(crate) type NsId = u16;

const NONE: usize = usize::MAX;

/// The arena: every node of one captured element.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: Vec<NodeData>,
    /// Names, text and attribute names and values, back to back.
    strings: String,
    attrs: Vec<(Range<usize>, Range<usize>)>,
}

#[derive(Debug, Clone)]
struct NodeData {
    name: Range<usize>,
    ns: NsId,
    text: Range<usize>,
    attrs: Range<usize>,
    parent: usize,
    first_child: usize,
    last_child: usize,
    next_sibling: usize,
    line: u64,
    column: u64,
}

impl Tree {
    /// Empties the arena, keeping its capacity.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.strings.clear();
        self.attrs.clear();
    }

    /// Adds an element as the last child of `parent` (or as the root) and
    /// returns its id.
    pub(crate) fn open(
        &mut self,
        parent: Option<usize>,
        name: &str,
        ns: NsId,
        line: u64,
        column: u64,
    ) -> usize {
        let id = self.nodes.len();
        let name = self.push_str(name);
        let empty = self.strings.len()..self.strings.len();
        let attrs = self.attrs.len()..self.attrs.len();
        let parent = parent.unwrap_or(NONE);
        self.nodes.push(NodeData {
            name,
            ns,
            text: empty,
            attrs,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            line,
            column,
        });
        if let Some(p) = self.nodes.get_mut(parent) {
            let previous_last = std::mem::replace(&mut p.last_child, id);
            if previous_last == NONE {
                p.first_child = id;
            } else if let Some(prev) = self.nodes.get_mut(previous_last) {
                prev.next_sibling = id;
            }
        }
        id
    }

    /// Adds an attribute to the node opened last.
    pub(crate) fn add_attr(&mut self, id: usize, name: &str, value: &str) {
        let name = self.push_str(name);
        let value = self.push_str(value);
        self.attrs.push((name, value));
        if let Some(node) = self.nodes.get_mut(id) {
            node.attrs.end = self.attrs.len();
        }
    }

    /// Number of attributes of a node.
    pub(crate) fn attr_count(&self, id: usize) -> usize {
        self.nodes.get(id).map_or(0, |n| n.attrs.len())
    }

    /// Length in bytes of a node's text so far.
    pub(crate) fn text_len(&self, id: usize) -> usize {
        self.nodes.get(id).map_or(0, |n| n.text.len())
    }

    /// Appends character data to a node's text.
    pub(crate) fn push_text(&mut self, id: usize, text: &str) {
        let end = self.strings.len();
        let Some(node) = self.nodes.get(id) else { return };
        let current = node.text.clone();
        let start = if current.is_empty() {
            end
        } else if current.end == end {
            current.start
        } else {
            // Text after a child element (mixed content, rare): move what
            // the node had to the end so its text stays one range.
            self.strings.extend_from_within(current);
            end
        };
        self.strings.push_str(text);
        if let Some(node) = self.nodes.get_mut(id) {
            node.text = start..self.strings.len();
        }
    }

    fn push_str(&mut self, s: &str) -> Range<usize> {
        let start = self.strings.len();
        self.strings.push_str(s);
        start..self.strings.len()
    }

    /// The node with this id, if any.
    pub(crate) fn node(&self, id: usize) -> Option<Node<'_>> {
        (id < self.nodes.len()).then_some(Node { tree: self, id })
    }

    /// The root node, if any.
    pub(crate) fn root(&self) -> Option<Node<'_>> {
        (!self.nodes.is_empty()).then_some(Node { tree: self, id: 0 })
    }
}

/// One element of a [`Tree`]: a cheap, copyable handle.
#[derive(Clone, Copy)]
pub(crate) struct Node<'t> {
    tree: &'t Tree,
    id: usize,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}>", self.name())
    }
}

impl<'t> Node<'t> {
    fn data(self) -> &'t NodeData {
        &self.tree.nodes[self.id]
    }

    fn str(self, range: &Range<usize>) -> &'t str {
        self.tree.strings.get(range.clone()).unwrap_or("")
    }

    /// Local name (no prefix).
    pub(crate) fn name(self) -> &'t str {
        self.str(&self.data().name)
    }

    /// Interned namespace URI; see [`Namespaces`].
    pub(crate) fn ns(self) -> NsId {
        self.data().ns
    }

    /// Character data as read, entity references resolved; white space
    /// before the first character is dropped.
    pub(crate) fn text(self) -> &'t str {
        self.str(&self.data().text)
    }

    /// 1-based line of the start tag.
    pub(crate) fn line(self) -> u64 {
        self.data().line
    }

    /// 1-based byte column of the start tag.
    pub(crate) fn column(self) -> u64 {
        self.data().column
    }

    /// True when both handles name the same element.
    pub(crate) fn is(self, other: Node<'_>) -> bool {
        std::ptr::eq(self.tree, other.tree) && self.id == other.id
    }

    /// The parent element, within the tree.
    pub(crate) fn parent(self) -> Option<Node<'t>> {
        let parent = self.data().parent;
        (parent != NONE).then_some(Node { tree: self.tree, id: parent })
    }

    /// Child elements in document order.
    pub(crate) fn children(self) -> Children<'t> {
        Children { tree: self.tree, next: self.data().first_child }
    }

    /// Whether `child` belongs to this element's vocabulary: GS1 leaves
    /// everything inside a document unqualified, and the SBDH keeps its own
    /// namespace, so a child is ours when it is unqualified or shares our
    /// namespace. An element of a foreign namespace never matches by name.
    pub(crate) fn owns(self, child: Node<'_>) -> bool {
        child.ns() == 0 || child.ns() == self.ns()
    }

    /// First child with this local name (see [`Node::owns`]).
    pub(crate) fn child(self, name: &str) -> Option<Node<'t>> {
        self.children().find(|c| c.name() == name && self.owns(*c))
    }

    /// Children with this local name, in document order (see [`Node::owns`]).
    pub(crate) fn children_named<'n>(self, name: &'n str) -> impl Iterator<Item = Node<'t>> + use<'t, 'n> {
        self.children().filter(move |c| c.name() == name && self.owns(*c))
    }

    /// Follows a path of local names, taking the first match at each step.
    pub(crate) fn at(self, path: &[&str]) -> Option<Node<'t>> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// Trimmed text, or `None` when empty.
    pub(crate) fn value(self) -> Option<&'t str> {
        let t = self.text().trim();
        (!t.is_empty()).then_some(t)
    }

    /// Trimmed text of the child at `path`.
    pub(crate) fn value_at(self, path: &[&str]) -> Option<&'t str> {
        self.at(path).and_then(Node::value)
    }

    /// Attribute value by local name.
    pub(crate) fn attr(self, name: &str) -> Option<&'t str> {
        let attrs = self.tree.attrs.get(self.data().attrs.clone())?;
        attrs.iter().find(|(k, _)| self.str(k) == name).map(|(_, v)| self.str(v))
    }
}

/// Iterator over a node's children.
pub(crate) struct Children<'t> {
    tree: &'t Tree,
    next: usize,
}

impl<'t> Iterator for Children<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        let data = self.tree.nodes.get(self.next)?;
        let node = Node { tree: self.tree, id: self.next };
        self.next = data.next_sibling;
        Some(node)
    }
}

/// The namespace URIs seen in one message, interned so that each element
/// carries a small id instead of a string.
#[derive(Debug, Default)]
pub(crate) struct Namespaces {
    uris: Vec<Box<str>>,
}

impl Namespaces {
    /// The id of `uri`; the empty namespace is 0.
    pub(crate) fn intern(&mut self, uri: &str) -> NsId {
        if uri.is_empty() {
            return 0;
        }
        if let Some(i) = self.uris.iter().position(|u| &**u == uri) {
            return (i + 1) as NsId;
        }
        // A message with more than 65,000 namespaces is hostile; fold the
        // rest into one "other" id rather than grow without bound.
        if self.uris.len() >= usize::from(NsId::MAX) - 1 {
            return NsId::MAX;
        }
        self.uris.push(uri.into());
        self.uris.len() as NsId
    }

    /// The URI of an id ("" for the empty namespace or an unknown id).
    pub(crate) fn uri(&self, id: NsId) -> &str {
        id.checked_sub(1).and_then(|i| self.uris.get(usize::from(i))).map_or("", |u| u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_links_text_and_attributes() {
        let mut tree = Tree::default();
        let root = tree.open(None, "a", 0, 1, 1);
        let b = tree.open(Some(root), "b", 0, 2, 3);
        tree.add_attr(b, "languageCode", "en");
        tree.push_text(b, "hello ");
        tree.push_text(b, "world");
        let c = tree.open(Some(root), "b", 0, 3, 3);
        tree.push_text(root, "mixed");
        tree.push_text(c, "second");
        tree.push_text(root, " content");
        let a = tree.root().unwrap();
        let names: Vec<&str> = a.children().map(|n| n.text()).collect();
        assert_eq!(names, vec!["hello world", "second"]);
        assert_eq!(a.text(), "mixed content");
        assert_eq!(a.child("b").and_then(|n| n.attr("languageCode")), Some("en"));
        assert_eq!(a.children_named("b").count(), 2);
        let second = a.children().nth(1).unwrap();
        assert!(second.parent().unwrap().is(a));
        assert_eq!((second.line(), second.column()), (3, 3));
        tree.clear();
        assert!(tree.root().is_none());
    }
}
