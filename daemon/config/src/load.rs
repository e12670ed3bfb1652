//! Loading: file → text → [`RawConfig`] → [`Config`], with every error placed in the file.

use std::path::{Path, PathBuf};

use crate::choices::ConnectionKind;
use crate::config::Config;
use crate::error::{ConfigError, FieldPath, Problem};
use crate::locate::Locator;
use crate::raw::{RawConfig, RawConnection, RawDropFolder};
use crate::secret::{Environment, OsEnvironment};
use crate::validate::{self, Ctx};

/// The file name problems of the embedded defaults are reported under.
const EMBEDDED: &str = "<embedded defaults>";

/// Loads and validates the config file at `path`, with the process's environment for secrets: what
/// `gdsn-sync check-config FILE` and `gdsn-sync run --config FILE` call.
pub fn check(path: &Path) -> Result<Config, ConfigError> {
    Config::load(path)
}

impl Config {
    /// Loads and validates the config file at `path`; secrets come from the process's environment
    /// variables and files.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_with(path, &OsEnvironment)
    }

    /// Loads and validates the config file at `path`, reading it and its secrets through `env`.
    pub fn load_with(path: &Path, env: &dyn Environment) -> Result<Config, ConfigError> {
        let bytes =
            env.read_file(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            let problem = Problem {
                file: path.to_path_buf(),
                position: None,
                field: String::new(),
                message: "the file is not UTF-8 text".to_owned(),
            };
            ConfigError::Invalid { problems: vec![problem] }
        })?;
        Config::from_toml(&text, path, env)
    }

    /// Parses and validates TOML `text` as if read from `file`: problems name `file`, and relative paths
    /// are relative to its directory.
    pub fn from_toml(text: &str, file: &Path, env: &dyn Environment) -> Result<Config, ConfigError> {
        RawConfig::parse(text, file)?.validate(file, text, env)
    }

    /// The configuration `gdsn-sync run` uses without a config file: data directory `data_dir`
    /// (normally `./data`); one drop-folder connection called `inbox` on `./inbox`, with `done/`,
    /// `failed/` and `outbound/` under `DATA_DIR/dropfolder/`; the embedded index; HTTP on
    /// 127.0.0.1:8480 with admin endpoints disabled (no token). Relative paths are relative to the current
    /// directory. It fails only if `data_dir` is inside `./inbox`.
    pub fn embedded_defaults(data_dir: &Path) -> Result<Config, ConfigError> {
        let dropfolder = data_dir.join("dropfolder");
        let connection = RawConnection {
            name: "inbox".to_owned(),
            kind: ConnectionKind::DropFolder,
            enabled: None,
            schedule: None,
            time_zone: None,
            jitter_secs: None,
            backoff: None,
            replies: None,
            naive_timestamps_zone: None,
            http: None,
            inbox: None,
            changed_since: None,
            drop_folder: Some(RawDropFolder {
                inbox: PathBuf::from("inbox"),
                done: Some(dropfolder.join("done")),
                failed: Some(dropfolder.join("failed")),
                outbound: Some(dropfolder.join("outbound")),
                min_age_secs: None,
            }),
            webhook: None,
        };
        let raw = RawConfig {
            data_dir: Some(data_dir.to_path_buf()),
            connections: vec![connection],
            ..RawConfig::default()
        };
        validate_at(&raw, Path::new(EMBEDDED), "", Path::new("."), None, &OsEnvironment)
    }
}

impl RawConfig {
    /// Reads TOML `text` (from `file`, named in errors) into the raw config: syntax, types and unknown
    /// fields are checked here, nothing else.
    pub fn parse(text: &str, file: &Path) -> Result<RawConfig, ConfigError> {
        toml::from_str(text).map_err(|error| {
            let locator = Locator::new(text);
            let (field, position) = match error.span() {
                Some(span) => {
                    let (path, span) = locator.path_at(&span, error.message());
                    (path.to_string(), Some(locator.line_column(span.start)))
                }
                None => (String::new(), None),
            };
            let message = error.message().trim_end_matches('\n').to_owned();
            ConfigError::Invalid {
                problems: vec![Problem { file: file.to_path_buf(), position, field, message }],
            }
        })
    }

    /// Checks everything and builds the typed config. `file` names the source in problems and its
    /// directory anchors relative paths; `text` is the source (used only to give problems a line and
    /// column; pass `""` for a raw config built in code); secrets are read through `env`.
    pub fn validate(self, file: &Path, text: &str, env: &dyn Environment) -> Result<Config, ConfigError> {
        let base_dir = file.parent().unwrap_or(Path::new("."));
        validate_at(&self, file, text, base_dir, Some(file.to_path_buf()), env)
    }
}

fn validate_at(
    raw: &RawConfig,
    file: &Path,
    text: &str,
    base_dir: &Path,
    source: Option<PathBuf>,
    env: &dyn Environment,
) -> Result<Config, ConfigError> {
    let mut cx = Ctx::new(env, base_dir);
    let config = validate::config(raw, &mut cx, source);
    let problems = cx.into_problems();
    match config {
        Some(config) if problems.is_empty() => Ok(config),
        _ => Err(ConfigError::Invalid { problems: place(file, text, problems) }),
    }
}

/// Gives each problem its position in `text`, and sorts them in file order.
fn place(file: &Path, text: &str, problems: Vec<(FieldPath, String)>) -> Vec<Problem> {
    let locator = (!text.is_empty()).then(|| Locator::new(text));
    let mut placed: Vec<Problem> = problems
        .into_iter()
        .map(|(path, message)| Problem {
            file: file.to_path_buf(),
            position: locator.as_ref().map(|locator| locator.line_column(locator.span_of(&path).start)),
            field: path.to_string(),
            message,
        })
        .collect();
    placed.sort_by_key(|problem| problem.position);
    if placed.is_empty() {
        // Unreachable by construction (a section only fails after reporting why); never hide a failure.
        placed.push(Problem {
            file: file.to_path_buf(),
            position: None,
            field: String::new(),
            message: "invalid configuration".to_owned(),
        });
    }
    placed
}
