//! Helpers: a fake environment (no process environment variables are ever set) and loaders.

use std::collections::BTreeMap;
use std::env::VarError;
use std::path::{Path, PathBuf};

use gdsn_config::{Config, ConfigError, Environment};

/// A PEM file that passes the loader's certificate and key checks.
pub(crate) const PEM_STUB: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

/// Where test configs pretend to live: relative paths resolve against `/etc/gdsn-sync`.
pub(crate) const CONFIG_FILE: &str = "/etc/gdsn-sync/config.toml";

/// Environment variables and files for the loader, all in memory.
#[derive(Default)]
pub(crate) struct FakeEnv {
    pub(crate) vars: BTreeMap<String, String>,
    pub(crate) files: BTreeMap<PathBuf, Vec<u8>>,
    /// Answer every unknown variable with `dummy-NAME` and every unknown file with [`PEM_STUB`].
    pub(crate) anything: bool,
}

impl FakeEnv {
    /// The environment most tests use: a few variables and files with known values.
    pub(crate) fn standard() -> Self {
        let mut env = FakeEnv::default();
        env.vars.insert("POOL_SECRET".into(), "env-secret-value".into());
        env.vars.insert("EMPTY_VAR".into(), String::new());
        env.files.insert("/run/secrets/pool".into(), b"file-secret-value\n".to_vec());
        env.files.insert("/etc/gdsn-sync/tls/client.crt".into(), PEM_STUB.as_bytes().to_vec());
        env.files.insert("/etc/gdsn-sync/tls/client.key".into(), PEM_STUB.as_bytes().to_vec());
        env.files.insert("/etc/gdsn-sync/tls/client.der".into(), vec![0x30, 0x82, 0x01]);
        env
    }
}

impl Environment for FakeEnv {
    fn var(&self, name: &str) -> Result<String, VarError> {
        match self.vars.get(name) {
            Some(value) => Ok(value.clone()),
            None if self.anything => Ok(format!("dummy-{name}")),
            None => Err(VarError::NotPresent),
        }
    }

    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match self.files.get(path) {
            Some(bytes) => Ok(bytes.clone()),
            None if self.anything => Ok(PEM_STUB.as_bytes().to_vec()),
            None => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
        }
    }
}

/// Loads `text` as `/etc/gdsn-sync/config.toml` in the standard fake environment.
pub(crate) fn load(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml(text, Path::new(CONFIG_FILE), &FakeEnv::standard())
}

/// Loads `text`, which must be valid.
pub(crate) fn valid(text: &str) -> Config {
    load(text)
        .unwrap_or_else(|error| panic!("expected a valid config, got:\n{error}\n--- config ---\n{text}"))
}

/// Loads `text`, which must be invalid, and returns the error message.
pub(crate) fn invalid(text: &str) -> String {
    match load(text) {
        Ok(_) => panic!("expected an invalid config:\n{text}"),
        Err(error) => error.to_string(),
    }
}
