//! Every file in `deploy/examples/` loads and validates, and matches the JSON Schema.
//!
//! The examples name their secrets as environment variables and files that do not exist here; the fake
//! environment answers any variable with a dummy value and any file with a PEM stub, so what is tested
//! is everything but the secrets' values.

use std::path::{Path, PathBuf};

use gdsn_config::{Config, ConnectionKind, SinkSettings};

use crate::util::FakeEnv;

fn examples() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("examples folder entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "toml"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Config {
    let text = std::fs::read_to_string(path).expect("example readable");
    let env = FakeEnv { anything: true, ..FakeEnv::default() };
    Config::from_toml(&text, path, &env).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn every_example_is_valid() {
    let files = examples();
    assert!(files.len() >= 6, "expected an example per transport and the sink, found {files:?}");
    for file in &files {
        load(file);
    }
}

#[test]
fn the_examples_cover_every_transport_and_both_sinks() {
    let configs: Vec<Config> = examples().iter().map(|file| load(file)).collect();
    for kind in ConnectionKind::ALL {
        let covered =
            configs.iter().flat_map(|config| &config.connections).any(|connection| connection.kind() == kind);
        assert!(covered, "no example has a {kind:?} connection");
    }
    assert!(configs.iter().any(|config| matches!(config.sink, SinkSettings::OpenSearch(_))));
    let auth_kinds: Vec<&str> = configs
        .iter()
        .flat_map(|config| &config.connections)
        .filter_map(|c| c.http())
        .map(|http| http.auth.kind())
        .collect();
    for kind in ["oauth2_client_credentials", "hmac", "mtls"] {
        assert!(auth_kinds.contains(&kind), "no example uses {kind} auth: {auth_kinds:?}");
    }
}

#[test]
fn every_example_matches_the_json_schema() {
    let schema: serde_json::Value = serde_json::from_str(&gdsn_config::schema_json()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    for file in examples() {
        let instance: serde_json::Value = toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&instance).map(|error| error.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

/// The schema's kind rules catch what the loader catches, so an editor shows the same mistake.
#[test]
fn the_schema_refuses_a_table_the_kind_does_not_use() {
    let schema: serde_json::Value = serde_json::from_str(&gdsn_config::schema_json()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let instance: serde_json::Value = toml::from_str(
        "[[connections]]\nname = \"w\"\nkind = \"webhook\"\nschedule = \"@daily\"\nwebhook.auth = { kind = \"bearer\", token = { env = \"T\" } }\n",
    )
    .unwrap();
    assert!(!validator.is_valid(&instance));
}
