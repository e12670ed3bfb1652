//! Secrets: where the file says they come from ([`SecretSource`]), the resolved value ([`Secret`]), and the
//! [`Environment`] they are read from.
//!
//! A config file names its secrets, it does not hold them: `client_secret = { env = "POOL_SECRET" }` or
//! `{ file = "/run/secrets/pool" }`. They are resolved once, at validation, so a missing variable or an
//! unreadable file stops the daemon at start with the field's position, never at the first poll.

use std::fmt;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;

/// Where a secret comes from, as written in the file: a table with exactly one of these keys.
#[derive(Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum SecretSource {
    /// The name of an environment variable holding the secret, for example `{ env = "POOL_CLIENT_SECRET" }`.
    /// The variable must be set and not empty when the config is loaded.
    Env(String),
    /// A file holding the secret (a Kubernetes or systemd credential), absolute or relative to the config
    /// file's directory. One trailing newline is removed; the rest must be non-empty UTF-8.
    File(PathBuf),
    /// The secret itself in clear text. Refused unless the top-level `allow_plaintext_secrets = true`; meant
    /// for local trials against the pool simulator, never for a real pool.
    Plaintext(String),
}

/// A resolved secret: a password, token, key or client secret.
///
/// Its `Debug` and `Display` print `***`, so a config can be logged or printed whole without leaking it;
/// only [`Secret::expose`] gives the value, and only the code that sends it should call that.
#[derive(Clone)]
pub struct Secret(String);

/// Where the loader reads environment variables and files: the process's own ([`OsEnvironment`]), or a
/// stand-in in tests (setting environment variables is `unsafe` in Rust 2024 and races other tests).
pub trait Environment {
    /// The value of an environment variable, as `std::env::var` reports it.
    fn var(&self, name: &str) -> Result<String, std::env::VarError>;
    /// The bytes of a file (secrets, certificates, the config file itself).
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>>;
}

/// The process's environment variables and file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsEnvironment;

impl Environment for OsEnvironment {
    fn var(&self, name: &str) -> Result<String, std::env::VarError> {
        std::env::var(name)
    }

    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }
}

impl Secret {
    /// A secret with this value (for tests and for callers that obtain secrets elsewhere).
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value. Never log it or put it in an error message.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(name) => f.debug_tuple("Env").field(name).finish(),
            SecretSource::File(path) => f.debug_tuple("File").field(path).finish(),
            SecretSource::Plaintext(_) => f.debug_tuple("Plaintext").field(&"***").finish(),
        }
    }
}

impl SecretSource {
    /// Reads the secret. `base_dir` anchors a relative file name; a clear-text value is accepted only when
    /// `allow_plaintext` is set. The error never contains the secret.
    pub(crate) fn resolve(
        &self,
        env: &dyn Environment,
        base_dir: &Path,
        allow_plaintext: bool,
    ) -> Result<Secret, String> {
        match self {
            SecretSource::Env(name) => from_env(env, name),
            SecretSource::File(path) => from_file(env, &base_dir.join(path)),
            SecretSource::Plaintext(_) if !allow_plaintext => Err(
                "clear-text secret refused: use { env = \"VAR\" } or { file = \"/path\" }, or set allow_plaintext_secrets = true for a local trial"
                    .to_owned(),
            ),
            SecretSource::Plaintext(value) if value.is_empty() => Err("secret is empty".to_owned()),
            SecretSource::Plaintext(value) => Ok(Secret(value.clone())),
        }
    }
}

fn from_env(env: &dyn Environment, name: &str) -> Result<Secret, String> {
    match env.var(name) {
        Ok(value) if value.is_empty() => Err(format!("environment variable {name} is empty")),
        Ok(value) => Ok(Secret(value)),
        Err(std::env::VarError::NotPresent) => Err(format!("environment variable {name} is not set")),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("environment variable {name} is not valid unicode"))
        }
    }
}

fn from_file(env: &dyn Environment, path: &Path) -> Result<Secret, String> {
    let bytes = env
        .read_file(path)
        .map_err(|error| format!("cannot read secret file {}: {error}", path.display()))?;
    let mut value =
        String::from_utf8(bytes).map_err(|_| format!("secret file {} is not UTF-8", path.display()))?;
    // Files written by `echo` or an editor end in a newline that is not part of the secret.
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    if value.is_empty() {
        return Err(format!("secret file {} is empty", path.display()));
    }
    Ok(Secret(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;

    impl Environment for Fake {
        fn var(&self, name: &str) -> Result<String, std::env::VarError> {
            match name {
                "SET" => Ok("s3cret".into()),
                "EMPTY" => Ok(String::new()),
                _ => Err(std::env::VarError::NotPresent),
            }
        }

        fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
            match path.to_str() {
                Some("/etc/s/crlf") => Ok(b"from-file\r\n".to_vec()),
                Some("/etc/s/newline") => Ok(b"\n".to_vec()),
                _ => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
            }
        }
    }

    fn resolve(source: &SecretSource, allow: bool) -> Result<String, String> {
        source.resolve(&Fake, Path::new("/etc/s"), allow).map(|secret| secret.expose().to_owned())
    }

    #[test]
    fn environment_variables_must_be_set_and_non_empty() {
        assert_eq!(resolve(&SecretSource::Env("SET".into()), false), Ok("s3cret".into()));
        assert_eq!(
            resolve(&SecretSource::Env("EMPTY".into()), false),
            Err("environment variable EMPTY is empty".into())
        );
        assert_eq!(
            resolve(&SecretSource::Env("NOPE".into()), false),
            Err("environment variable NOPE is not set".into())
        );
    }

    #[test]
    fn files_are_relative_to_the_config_and_lose_one_newline() {
        assert_eq!(resolve(&SecretSource::File("crlf".into()), false), Ok("from-file".into()));
        assert_eq!(
            resolve(&SecretSource::File("newline".into()), false),
            Err("secret file /etc/s/newline is empty".into())
        );
        let missing = resolve(&SecretSource::File("/nope".into()), false).unwrap_err();
        assert!(missing.starts_with("cannot read secret file /nope: "), "{missing}");
    }

    #[test]
    fn clear_text_needs_explicit_permission_and_is_never_printed() {
        let source = SecretSource::Plaintext("hunter2".into());
        assert!(resolve(&source, false).unwrap_err().contains("allow_plaintext_secrets"));
        assert_eq!(resolve(&source, true), Ok("hunter2".into()));
        assert_eq!(format!("{source:?}"), "Plaintext(\"***\")");
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "*** ***");
    }
}
