//! A small element tree for one document at a time.
//!
//! The driver builds a [`Node`] tree for each document (one hierarchy) and
//! for the SBDH, converts it to model types and drops it, so memory is
//! bounded by the largest document, never by the message.

/// Namespace of an element, interned per message: 0 is the empty namespace.
pub(crate) type NsId = u16;

/// One element with its attributes, text and children.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// Local name (no prefix).
    pub(crate) name: Box<str>,
    /// Interned namespace URI; see [`Namespaces`].
    pub(crate) ns: NsId,
    /// Attributes by local name (namespace declarations excluded).
    pub(crate) attrs: Vec<(Box<str>, Box<str>)>,
    /// Character data, entity references resolved; leading white space
    /// before the first character is dropped.
    pub(crate) text: String,
    pub(crate) children: Vec<Node>,
    /// 1-based line and byte column of the start tag.
    pub(crate) line: u64,
    pub(crate) column: u64,
}

impl Node {
    /// First child with this local name.
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| &*c.name == name)
    }

    /// Children with this local name, in document order.
    pub(crate) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| &*c.name == name)
    }

    /// Follows a path of local names, taking the first match at each step.
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// Trimmed text, or `None` when empty.
    pub(crate) fn value(&self) -> Option<&str> {
        let t = self.text.trim();
        (!t.is_empty()).then_some(t)
    }

    /// Trimmed text of the child at `path`.
    pub(crate) fn value_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).and_then(Node::value)
    }

    /// Attribute value by local name.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| &**k == name).map(|(_, v)| &**v)
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
