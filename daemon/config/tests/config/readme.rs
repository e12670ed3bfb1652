//! The field reference in `daemon/config/README.md` is generated from the JSON Schema, so it lists
//! every field with its description and cannot drift from the code. The section between the
//! `reference:start` and `reference:end` markers must equal what [`reference`] makes;
//! `UPDATE_EXPECT=1 cargo test -p gdsn-config --test config readme` rewrites it.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Map, Value};

const START: &str = "<!-- reference:start (generated from the schema by tests/config/readme.rs) -->\n";
const END: &str = "<!-- reference:end -->\n";

#[test]
fn readme_reference_matches_the_schema() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_default();
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("{} has no reference markers ({START:?} ... {END:?})", path.display());
    };
    let current = &readme[start + START.len()..end];
    let generated = reference();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let updated = format!("{}{START}{generated}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        current == generated,
        "the field reference in {} is out of date; regenerate it with\n    UPDATE_EXPECT=1 cargo test -p gdsn-config --test config readme",
        path.display()
    );
}

/// Markdown: one section per table of the config, in the order a reader meets them.
fn reference() -> String {
    let schema: Value = serde_json::from_str(&gdsn_config::schema_json()).expect("schema is JSON");
    let defs = schema["$defs"].as_object().expect("schema has $defs");
    let mut writer = Writer { defs, out: String::new(), first_path: HashMap::new(), queue: VecDeque::new() };
    writer.queue.push_back((String::new(), false, &schema));
    while let Some((path, array, object)) = writer.queue.pop_front() {
        writer.section(&path, array, object);
    }
    // Sections and tables each end in a blank line; one is enough.
    writer.out.replace("\n\n\n", "\n\n")
}

struct Writer<'a> {
    defs: &'a Map<String, Value>,
    out: String,
    /// The TOML path where each table type was first described.
    first_path: HashMap<String, String>,
    queue: VecDeque<(String, bool, &'a Value)>,
}

impl<'a> Writer<'a> {
    fn section(&mut self, path: &str, array: bool, object: &'a Value) {
        let heading = match (path.is_empty(), array) {
            (true, _) => "Top level".to_owned(),
            (false, true) => format!("`[[{path}]]`"),
            (false, false) => format!("`[{path}]`"),
        };
        let _ = writeln!(self.out, "\n### {heading}\n");
        if let Some(description) = object.get("description").and_then(Value::as_str) {
            let _ = writeln!(self.out, "{}\n", one_line(description));
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            self.table(path, properties, &[]);
        }
        for variant in object.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
            let Some(properties) = variant.get("properties").and_then(Value::as_object) else { continue };
            let kind = properties
                .get("kind")
                .and_then(|kind| kind.get("const"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            let description = variant.get("description").and_then(Value::as_str).unwrap_or("");
            let _ = writeln!(self.out, "`kind = \"{kind}\"`: {}\n", one_line(description));
            if properties.len() > 1 {
                self.table(path, properties, &["kind"]);
            }
        }
    }

    fn table(&mut self, path: &str, properties: &'a Map<String, Value>, skip: &[&str]) {
        self.out.push_str("| field | type | description |\n|---|---|---|\n");
        for (name, property) in properties.iter().filter(|(name, _)| !skip.contains(&name.as_str())) {
            let child = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            let kind = self.type_of(property, &child, false);
            let description = property.get("description").and_then(Value::as_str).unwrap_or("");
            let _ =
                writeln!(self.out, "| `{name}` | {kind} | {} |", one_line(description).replace('|', "\\|"));
        }
        self.out.push('\n');
    }

    /// The type column; a table type is queued for its own section the first time it is met.
    fn type_of(&mut self, property: &'a Value, path: &str, in_array: bool) -> String {
        if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            return self.named_type(name, path, in_array);
        }
        match property.get("type").and_then(Value::as_str) {
            Some("array") => {
                let items = &property["items"];
                format!("list of {}", self.type_of(items, path, true))
            }
            Some(other) => other.to_owned(),
            None => "any".to_owned(),
        }
    }

    fn named_type(&mut self, name: &str, path: &str, in_array: bool) -> String {
        match name {
            "SecretSource" => return "secret: `{ env = \"VAR\" }` or `{ file = \"/path\" }`".to_owned(),
            "ByteSize" => return "byte size: integer or `\"64 MiB\"`".to_owned(),
            _ => {}
        }
        let Some(definition) = self.defs.get(name) else { return name.to_owned() };
        let alternatives = definition.get("oneOf").and_then(Value::as_array);
        let words: Option<Vec<String>> = alternatives.map(|alternatives| {
            alternatives
                .iter()
                .filter_map(|a| a.get("const").and_then(Value::as_str))
                .map(|c| format!("`{c}`"))
                .collect()
        });
        if let (Some(words), Some(alternatives)) = (&words, alternatives)
            && words.len() == alternatives.len()
        {
            return format!("one of {}", words.join(", "));
        }
        if let Some(first) = self.first_path.get(name) {
            return format!("table, as `[{first}]`");
        }
        self.first_path.insert(name.to_owned(), path.to_owned());
        self.queue.push_back((path.to_owned(), in_array, definition));
        if in_array { "tables, see below".to_owned() } else { format!("table, see `[{path}]`") }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
