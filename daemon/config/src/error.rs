//! The one error type of this crate, [`ConfigError`], and the pieces it is made of: a [`Problem`] names
//! the file, the line and column, the field path and what is wrong.

use std::fmt;
use std::path::PathBuf;

/// Why a configuration could not be loaded.
///
/// Every message is lower case and starts with where the problem is, so an operator can jump to it:
/// `deploy/examples/http.toml:12:9: connections[1].schedule: invalid cron expression "...": ...`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read at all.
    #[error("{}: cannot read config file: {source}", path.display())]
    Read {
        /// The file as named by the caller.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid configuration. Validation reports every problem it finds, not
    /// just the first; a TOML syntax or type error stops before validation and comes alone.
    #[error("{}", join_lines(problems))]
    Invalid {
        /// Each problem, in the order of the file.
        problems: Vec<Problem>,
    },
}

impl ConfigError {
    /// The problems of an invalid configuration; empty for a file that could not be read.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Invalid { problems } => problems,
            ConfigError::Read { .. } => &[],
        }
    }
}

/// One thing wrong with a configuration, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The config file as the caller named it, or `<embedded defaults>`.
    pub file: PathBuf,
    /// The 1-based line and column of the offending value, key or table header; `None` when there is no
    /// text to point into (the embedded defaults).
    pub position: Option<(usize, usize)>,
    /// The field path, such as `connections[1].http.auth.client_secret`; empty for a TOML syntax error.
    pub field: String,
    /// What is wrong, lower case, without a trailing period.
    pub message: String,
}

impl Problem {
    /// The 1-based line of the problem, if it has a position.
    pub fn line(&self) -> Option<usize> {
        self.position.map(|(line, _)| line)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

fn join_lines(problems: &[Problem]) -> String {
    problems.iter().map(Problem::to_string).collect::<Vec<_>>().join("\n")
}

/// Where a value sits in the configuration: `connections[1].http.auth`.
///
/// Validation carries one down as it walks the raw config, so every problem names its field, and the
/// locator turns it back into a position in the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldPath(Vec<Segment>);

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

impl FieldPath {
    /// The path of the document itself.
    pub(crate) fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// This path followed by a key.
    pub(crate) fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_owned()));
        FieldPath(segments)
    }

    /// This path followed by an array index.
    pub(crate) fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        FieldPath(segments)
    }

    /// The steps, outermost first.
    pub(crate) fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => write!(f, "{key}")?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_toml_keys() {
        let path = FieldPath::root().key("connections").index(1).key("http").key("auth");
        assert_eq!(path.to_string(), "connections[1].http.auth");
        assert_eq!(FieldPath::root().to_string(), "");
    }

    #[test]
    fn problems_show_file_position_field_and_message() {
        let problem = Problem {
            file: PathBuf::from("deploy/examples/http.toml"),
            position: Some((12, 9)),
            field: "connections[1].schedule".into(),
            message: "invalid cron expression \"x\": bad".into(),
        };
        assert_eq!(
            problem.to_string(),
            "deploy/examples/http.toml:12:9: connections[1].schedule: invalid cron expression \"x\": bad"
        );
        let bare = Problem { position: None, field: String::new(), ..problem };
        assert_eq!(bare.to_string(), "deploy/examples/http.toml: invalid cron expression \"x\": bad");
    }
}
