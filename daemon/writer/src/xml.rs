//! A small, deterministic XML writer: UTF-8, two-space indentation, one
//! element per line, text and attribute values escaped.
//!
//! Element and attribute names are always the crate's own constants, so they
//! are written as given. Values must already be checked ([`crate::check`]):
//! escaping cannot make a character XML 1.0 forbids acceptable.

use crate::error::WriteError;

/// Builds one document into a string.
pub(crate) struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// A writer that has written the XML declaration.
    pub(crate) fn new() -> XmlWriter {
        XmlWriter { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), depth: 0 }
    }

    /// Writes `<name attrs>`, then what `body` writes one level deeper, then `</name>`.
    pub(crate) fn element(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        body: impl FnOnce(&mut XmlWriter) -> Result<(), WriteError>,
    ) -> Result<(), WriteError> {
        self.open_tag(name, attrs);
        self.out.push('\n');
        self.depth += 1;
        body(self)?;
        self.depth -= 1;
        self.indent();
        self.close_tag(name);
        Ok(())
    }

    /// Writes `<name>text</name>`.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    /// Writes `<name attrs>text</name>`.
    pub(crate) fn leaf_with(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open_tag(name, attrs);
        escape_text(&mut self.out, text);
        self.close_tag(name);
    }

    /// The document.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_attribute(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('>');
    }

    fn close_tag(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }
}

/// Escapes character data. `>` is escaped too (so `]]>` cannot occur), and
/// a carriage return becomes `&#13;`, which a parser would otherwise turn
/// into a line feed.
fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// Escapes a double-quoted attribute value. Tab, line feed and carriage
/// return become character references, which attribute-value normalisation
/// keeps (a literal one would be read back as a space).
fn escape_attribute(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        escape_text(&mut out, s);
        out
    }

    fn attribute(s: &str) -> String {
        let mut out = String::new();
        escape_attribute(&mut out, s);
        out
    }

    #[test]
    fn text_escapes_markup_and_keeps_the_rest() {
        assert_eq!(text(r#"<a & b> "q" 'a'"#), r#"&lt;a &amp; b&gt; "q" 'a'"#);
        assert_eq!(text("]]>"), "]]&gt;");
        assert_eq!(text("&amp;"), "&amp;amp;");
        assert_eq!(text("a\r\nb\tc"), "a&#13;\nb\tc");
        assert_eq!(text("Молоко حليب 😀"), "Молоко حليب 😀");
    }

    #[test]
    fn attributes_escape_quotes_and_white_space() {
        assert_eq!(attribute(r#"a"b'c<d>&"#), "a&quot;b'c&lt;d&gt;&amp;");
        assert_eq!(attribute("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
    }

    #[test]
    fn elements_nest_with_indentation() {
        let mut w = XmlWriter::new();
        let result = w.element("p:root", &[("xmlns:p", "urn:x")], |w| {
            w.leaf("a", "1 < 2");
            w.element("b", &[], |w| {
                w.leaf_with("c", &[("lang", "ar")], "حليب");
                Ok(())
            })
        });
        assert_eq!(result, Ok(()));
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p:root xmlns:p=\"urn:x\">\n  <a>1 &lt; 2</a>\n  <b>\n    <c lang=\"ar\">حليب</c>\n  </b>\n</p:root>\n"
        );
    }

    #[test]
    fn an_error_in_a_body_stops_the_write() {
        let mut w = XmlWriter::new();
        let err = WriteError::Empty { what: "x" };
        let result = w.element("root", &[], |w| w.element("inner", &[], |_| Err(err.clone())));
        assert_eq!(result, Err(err));
    }
}
