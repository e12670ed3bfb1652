//! Raw config → typed config: every check, every default, every secret.
//!
//! Validation reports all the problems it finds, not just the first, so an operator fixes a file in one
//! round. Each check runs through [`Ctx`], which records a problem with its field path and returns
//! `None`; a section is assembled only after all its fields were checked (`Some(T { a: a?, b: b? })`),
//! so one bad field never hides the next.

pub(crate) mod connection;
mod folders;
mod http;
mod sections;
mod sink;
mod values;

use std::fmt::Display;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use gdsn_model::ids::Gln;

use crate::config::Config;
use crate::error::FieldPath;
use crate::raw::RawConfig;
use crate::secret::{Environment, Secret, SecretSource};

/// The validation context: where to read secrets and files, what relative paths are relative to, and
/// the problems found so far.
pub(crate) struct Ctx<'a> {
    env: &'a dyn Environment,
    /// The absolute directory of the config file.
    base_dir: PathBuf,
    allow_plaintext: bool,
    problems: Vec<(FieldPath, String)>,
}

impl<'a> Ctx<'a> {
    /// A context for a config file in `base_dir` (made absolute here; relative to the current directory
    /// when it is not).
    pub(crate) fn new(env: &'a dyn Environment, base_dir: &Path) -> Self {
        // `Path::new("gdsn.toml").parent()` is the empty path: the current directory.
        let base_dir = if base_dir.as_os_str().is_empty() { Path::new(".") } else { base_dir };
        let mut cx =
            Ctx { env, base_dir: base_dir.to_path_buf(), allow_plaintext: false, problems: Vec::new() };
        match std::path::absolute(base_dir) {
            Ok(absolute) => cx.base_dir = clean(&absolute),
            Err(error) => {
                cx.report(&FieldPath::root(), format!("cannot resolve the config directory: {error}"))
            }
        }
        cx
    }

    /// The problems found, in the order they were found.
    pub(crate) fn into_problems(self) -> Vec<(FieldPath, String)> {
        self.problems
    }

    /// Records a problem at `path`.
    pub(crate) fn report(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.problems.push((path.clone(), message.into()));
    }

    /// The value of a check, or `None` with its error recorded at `path`.
    pub(crate) fn ok<T, E: Display>(&mut self, path: &FieldPath, result: Result<T, E>) -> Option<T> {
        result.map_err(|error| self.report(path, error.to_string())).ok()
    }

    /// Resolves a secret, recording why it could not be.
    pub(crate) fn secret(&mut self, path: &FieldPath, source: &SecretSource) -> Option<Secret> {
        let resolved = source.resolve(self.env, &self.base_dir, self.allow_plaintext);
        self.ok(path, resolved)
    }

    /// Reads a file named in the config (certificates), recording why it could not be read.
    pub(crate) fn read_file(&mut self, path: &FieldPath, file: &Path) -> Option<Vec<u8>> {
        let read =
            self.env.read_file(file).map_err(|error| format!("cannot read {}: {error}", file.display()));
        self.ok(path, read)
    }

    /// `value` (or `default`) if it lies in `min..=max`.
    pub(crate) fn between<T>(
        &mut self,
        path: &FieldPath,
        value: Option<T>,
        default: T,
        min: T,
        max: T,
    ) -> Option<T>
    where
        T: PartialOrd + Display + Copy,
    {
        let value = value.unwrap_or(default);
        if min <= value && value <= max {
            return Some(value);
        }
        self.report(path, format!("must be between {min} and {max}, got {value}"));
        None
    }

    /// A count in `min..=max` as a `usize`.
    pub(crate) fn count(
        &mut self,
        path: &FieldPath,
        value: Option<u32>,
        default: u32,
        min: u32,
        max: u32,
    ) -> Option<usize> {
        let value = self.between(path, value, default, min, max)?;
        usize::try_from(value).ok()
    }

    /// Whole seconds in `min..=max` as a duration.
    pub(crate) fn secs(
        &mut self,
        path: &FieldPath,
        value: Option<u64>,
        default: u64,
        min: u64,
        max: u64,
    ) -> Option<Duration> {
        self.between(path, value, default, min, max).map(Duration::from_secs)
    }

    /// A configured path made absolute: relative paths are relative to the config file's directory.
    /// `.` and `..` steps are resolved lexically (symbolic links are the daemon's business at run time).
    pub(crate) fn path(&self, configured: &Path) -> PathBuf {
        clean(&self.base_dir.join(configured))
    }
}

/// Validates a raw config. `source` is recorded in the result; `None` for the embedded defaults.
pub(crate) fn config(raw: &RawConfig, cx: &mut Ctx<'_>, source: Option<PathBuf>) -> Option<Config> {
    let root = FieldPath::root();
    cx.allow_plaintext = raw.allow_plaintext_secrets.unwrap_or(false);
    let data_dir = cx.path(raw.data_dir.as_deref().unwrap_or(Path::new("data")));
    let recipient_gln =
        maybe(raw.recipient_gln.as_deref(), |gln| cx.ok(&root.key("recipient_gln"), Gln::parse(gln)));
    let store = sections::store(cx, &root.key("store"), &raw.store);
    let http = sections::http(cx, &root.key("http"), &raw.http);
    let logging = sections::logging(cx, &root.key("logging"), &raw.logging);
    let pipeline = sections::pipeline(cx, &root.key("pipeline"), &raw.pipeline);
    let sink = sink::sink(cx, &root.key("sink"), &raw.sink, &data_dir);
    let publisher = sections::publisher(cx, &root.key("publisher"), &raw.publisher);
    let connections = connection::all(cx, &root.key("connections"), &raw.connections, &data_dir);
    let enrolment = sections::enrolment(cx, &root.key("enrolment"), &raw.enrolment, &raw.connections);
    if let Some(connections) = &connections {
        folders::check(cx, &data_dir, connections);
    }
    Some(Config {
        source,
        data_dir,
        recipient_gln: recipient_gln?,
        store: store?,
        http: http?,
        logging: logging?,
        pipeline: pipeline?,
        sink: sink?,
        publisher: publisher?,
        enrolment: enrolment?,
        connections: connections?,
    })
}

/// An optional field: `Some(None)` when absent, `Some(Some(v))` when present and valid, `None` when
/// present and invalid (already reported by `check`).
pub(crate) fn maybe<T: ?Sized, U>(
    value: Option<&T>,
    check: impl FnOnce(&T) -> Option<U>,
) -> Option<Option<U>> {
    match value {
        None => Some(None),
        Some(value) => check(value).map(Some),
    }
}

/// Resolves `.` and `..` steps without touching the file system.
fn clean(path: &Path) -> PathBuf {
    let mut cleaned = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match cleaned.components().next_back() {
                Some(Component::Normal(_)) => {
                    cleaned.pop();
                }
                // `/..` is `/`; a relative path keeps its leading `..` steps.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => cleaned.push(component),
            },
            other => cleaned.push(other),
        }
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_lexically() {
        assert_eq!(clean(Path::new("/etc/gdsn/./data/../inbox")), PathBuf::from("/etc/gdsn/inbox"));
        assert_eq!(clean(Path::new("/../x")), PathBuf::from("/x"));
        assert_eq!(clean(Path::new("../../x/./y/..")), PathBuf::from("../../x"));
    }
}
