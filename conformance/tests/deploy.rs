//! The deployment files in `deploy/` against the daemon they deploy.
//!
//! No container engine or cluster runs on these machines, so the container file and the Kubernetes
//! manifests are parsed and their properties checked: a non-root user, probes on routes the daemon
//! serves, a grace period longer than the drain deadline of the config they ship, the volume at the
//! config's data dir. The systemd unit is parsed too, and `systemd-analyze verify` runs on it where
//! the command exists. Configs are loaded with `gdsn_config::check`, the function behind
//! `gdsn-sync check-config`.

use std::collections::BTreeMap;
use std::env::VarError;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use gdsn_config::{Config, Environment, Transport};
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Where the daemon keeps its state in the image, the unit and the manifests.
const DATA_DIR: &str = "/var/lib/gdsn-sync";
/// The config file the image, the unit and the StatefulSet start the daemon with.
const CONFIG_FILE: &str = "/etc/gdsn-sync/config.toml";

fn read(relative: &str) -> String {
    let path = Path::new(ROOT).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

// --- the daemon's routes ---

/// Whether the daemon serves `route`, decided from what exists: the OpenAPI document of the daemon's
/// API when it exists (issue 6), else the route's string literal in the daemon's sources. `None` while
/// neither the document nor `gdsn-sync run` exists (the listener arrives with `run`); once `run`
/// exists, a route that is renamed or missing fails.
fn daemon_serves(route: &str) -> Option<bool> {
    let openapi = Path::new(ROOT).join("schemas/openapi.yaml");
    if openapi.exists() {
        let spec: Value =
            serde_norway::from_str(&read("schemas/openapi.yaml")).expect("openapi.yaml is YAML");
        return Some(spec["paths"].get(route).is_some());
    }
    let literal = format!("\"{route}\"");
    let mut sources = Vec::new();
    rust_sources(&Path::new(ROOT).join("daemon"), &mut sources);
    if sources.iter().any(|file| std::fs::read_to_string(file).is_ok_and(|text| text.contains(&literal))) {
        return Some(true);
    }
    let cli = read("daemon/gdsn-sync/src/cli.rs");
    let has_run = cli.lines().any(|line| line.trim_start().starts_with("Run("));
    has_run.then_some(false)
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && name != "fuzz" {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            out.push(path);
        }
    }
}

fn assert_served(route: &str) {
    match daemon_serves(route) {
        Some(served) => assert!(served, "the probes use {route}, which the daemon does not serve"),
        None => println!(
            "SKIPPED: {route} not checked against the daemon: neither schemas/openapi.yaml nor `gdsn-sync run` exists yet"
        ),
    }
}

// --- configs ---

/// Answers every variable with a dummy value and every file with a PEM stub (which passes the
/// certificate and key checks), as daemon/config's example test does: what is checked is everything
/// but the secrets' values.
struct AnySecret;

const PEM_STUB: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

impl Environment for AnySecret {
    fn var(&self, name: &str) -> Result<String, VarError> {
        Ok(format!("dummy-{name}"))
    }

    fn read_file(&self, _path: &Path) -> std::io::Result<Vec<u8>> {
        Ok(PEM_STUB.as_bytes().to_vec())
    }
}

/// Every `deploy/examples/*.toml` with its typed config.
fn example_configs() -> Vec<(PathBuf, Config)> {
    let folder = Path::new(ROOT).join("deploy/examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("deploy/examples")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("example readable");
            let config =
                Config::from_toml(&text, &file, &AnySecret).unwrap_or_else(|error| panic!("{error}"));
            (file, config)
        })
        .collect()
}

// --- Kubernetes ---

fn manifest(name: &str) -> Value {
    let text = read(&format!("deploy/kubernetes/{name}"));
    serde_norway::from_str(&text).unwrap_or_else(|error| panic!("deploy/kubernetes/{name}: {error}"))
}

fn statefulset() -> Value {
    let set = manifest("statefulset.yaml");
    assert_eq!(set["kind"], "StatefulSet");
    set
}

fn daemon_container(set: &Value) -> &Value {
    let containers = set["spec"]["template"]["spec"]["containers"].as_array().expect("containers");
    containers.iter().find(|c| c["name"] == "gdsn-sync").expect("a container called gdsn-sync")
}

/// The config of the ConfigMap, as text.
fn configmap_text() -> String {
    let map = manifest("configmap.yaml");
    assert_eq!(map["kind"], "ConfigMap");
    map["data"]["config.toml"].as_str().expect("data.config.toml").to_owned()
}

/// The ConfigMap's config, checked as `gdsn-sync check-config` checks it: written to a temp dir with
/// the secret files it names (all under the Secret's mount) written there too, with stub values.
fn configmap_config() -> Config {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).expect("secrets dir");
    let mut text = configmap_text();
    for path in file_secrets(&configmap_text()) {
        let key = path.strip_prefix(SECRET_MOUNT).expect("a secret under the Secret's mount");
        std::fs::write(secrets.join(key), "dummy-secret-value\n").expect("stub secret");
        text = text.replace(&format!("\"{path}\""), &format!("\"{}\"", secrets.join(key).display()));
    }
    let file = dir.path().join("config.toml");
    std::fs::write(&file, text).expect("config written");
    gdsn_config::check(&file).unwrap_or_else(|error| panic!("the ConfigMap's config:\n{error}"))
}

/// Where the StatefulSet mounts the Secret `gdsn-sync-credentials`.
const SECRET_MOUNT: &str = "/run/secrets/gdsn-sync/";

/// Every `{ file = "..." }` secret a config names.
fn file_secrets(text: &str) -> Vec<String> {
    fn walk(value: &toml::Value, out: &mut Vec<String>) {
        match value {
            toml::Value::Table(table) => {
                if let (1, Some(toml::Value::String(path))) = (table.len(), table.get("file")) {
                    out.push(path.clone());
                }
                table.values().for_each(|v| walk(v, out));
            }
            toml::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let value: toml::Value = toml::from_str(text).expect("the ConfigMap's config is TOML");
    let mut out = Vec::new();
    walk(&value, &mut out);
    out
}

/// The container port a probe's `port` (a number or a port name) resolves to.
fn probe_port(container: &Value, probe: &Value) -> u64 {
    let port = &probe["httpGet"]["port"];
    if let Some(number) = port.as_u64() {
        return number;
    }
    let name = port.as_str().expect("probe port is a number or a name");
    let ports = container["ports"].as_array().expect("container ports");
    let named = ports.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("no port named {name}"));
    named["containerPort"].as_u64().expect("containerPort")
}

#[test]
fn the_configmap_config_passes_check_config_and_listens_on_all_interfaces() {
    let config = configmap_config();
    assert!(
        config.http.listen.ip().is_unspecified(),
        "probes and the Service need 0.0.0.0: {}",
        config.http.listen
    );
    assert_eq!(config.http.listen.port(), 8480);
    assert_eq!(config.data_dir, Path::new(DATA_DIR));
}

#[test]
fn the_probes_hit_the_real_health_routes_on_the_listen_port() {
    let set = statefulset();
    let container = daemon_container(&set);
    let listen: SocketAddr = configmap_config().http.listen;
    for (probe, route) in
        [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")]
    {
        let probe_spec = &container[probe];
        if probe == "startupProbe" && probe_spec.is_null() {
            continue;
        }
        assert_eq!(probe_spec["httpGet"]["path"], route, "{probe}");
        assert_eq!(probe_port(container, probe_spec), u64::from(listen.port()), "{probe} port");
        assert_served(route);
    }
}

#[test]
fn the_grace_period_outlasts_the_drain_deadline() {
    let set = statefulset();
    let grace =
        set["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].as_u64().expect("grace period");
    let deadline = configmap_config().pipeline.drain_deadline;
    // The drain is followed by the final store and index flush: keep at least 10 s for it.
    assert!(
        Duration::from_secs(grace) >= deadline + Duration::from_secs(10),
        "terminationGracePeriodSeconds {grace} is not 10 s above the drain deadline {deadline:?}"
    );
}

#[test]
fn the_persistent_volume_is_mounted_at_the_data_dir() {
    let set = statefulset();
    let data_dir = configmap_config().data_dir;
    let claims = set["spec"]["volumeClaimTemplates"].as_array().expect("volumeClaimTemplates");
    assert_eq!(claims.len(), 1, "one claim, for the data dir");
    let claim = &claims[0]["metadata"]["name"];
    let container = daemon_container(&set);
    let mounts = container["volumeMounts"].as_array().expect("volumeMounts");
    let mount = mounts.iter().find(|m| &m["name"] == claim).expect("the claim is mounted");
    assert_eq!(mount["mountPath"].as_str().map(Path::new), Some(data_dir.as_path()));
    assert_ne!(mount["readOnly"], true);
}

#[test]
fn the_statefulset_runs_one_non_root_replica_with_its_config_and_secret() {
    let set = statefulset();
    assert_eq!(set["spec"]["replicas"], 1, "one replica per set of data pool connections");
    let pod = &set["spec"]["template"]["spec"];
    let security = &pod["securityContext"];
    assert_eq!(security["runAsNonRoot"], true);
    let uid = security["runAsUser"].as_u64().expect("runAsUser");
    assert_ne!(uid, 0);
    assert_eq!(Some(uid), containerfile_user().map(|(uid, _)| uid), "the image's USER");
    assert!(security["fsGroup"].as_u64().is_some_and(|gid| gid != 0), "fsGroup");

    let container = daemon_container(&set);
    let own = &container["securityContext"];
    assert_eq!(own["readOnlyRootFilesystem"], true);
    assert_eq!(own["allowPrivilegeEscalation"], false);
    assert!(own["capabilities"]["drop"].as_array().is_some_and(|d| d.iter().any(|c| c == "ALL")));

    // The daemon is started with the config the ConfigMap mounts.
    let args: Vec<&str> =
        container["args"].as_array().expect("args").iter().filter_map(Value::as_str).collect();
    assert_eq!(args, ["run", "--config", CONFIG_FILE]);
    let config_dir = Path::new(CONFIG_FILE).parent().expect("config dir");
    let volume_of = |mount_path: &Path| -> Value {
        let mounts = container["volumeMounts"].as_array().expect("volumeMounts");
        let mount = mounts
            .iter()
            .find(|m| m["mountPath"].as_str().map(Path::new) == Some(mount_path))
            .unwrap_or_else(|| panic!("nothing mounted at {}", mount_path.display()));
        let volumes = pod["volumes"].as_array().expect("volumes");
        volumes.iter().find(|v| v["name"] == mount["name"]).cloned().expect("the mount's volume")
    };
    assert_eq!(volume_of(config_dir)["configMap"]["name"], manifest("configmap.yaml")["metadata"]["name"]);

    // Every secret file the config names is a key of the Secret mounted there.
    let secret = manifest("secret.example.yaml");
    assert_eq!(volume_of(Path::new(SECRET_MOUNT))["secret"]["secretName"], secret["metadata"]["name"]);
    let secrets = file_secrets(&configmap_text());
    assert!(!secrets.is_empty());
    for path in secrets {
        let key =
            path.strip_prefix(SECRET_MOUNT).unwrap_or_else(|| panic!("{path} is not under {SECRET_MOUNT}"));
        assert!(secret["stringData"].get(key).is_some(), "the Secret has no key {key}");
    }
}

#[test]
fn the_service_and_kustomization_match_the_statefulset() {
    let set = statefulset();
    let service = manifest("service.yaml");
    assert_eq!(set["spec"]["serviceName"], service["metadata"]["name"]);
    let labels = &set["spec"]["template"]["metadata"]["labels"];
    for (key, value) in service["spec"]["selector"].as_object().expect("selector") {
        assert_eq!(&labels[key], value, "the Service selects the pod by {key}");
    }
    let port = &service["spec"]["ports"][0];
    assert_eq!(port["port"], 8480);
    let container = daemon_container(&set);
    let target = port["targetPort"].as_str().expect("a named target port");
    assert!(container["ports"].as_array().expect("ports").iter().any(|p| p["name"] == target));

    let kustomization = manifest("kustomization.yaml");
    let resources: Vec<&str> =
        kustomization["resources"].as_array().expect("resources").iter().filter_map(Value::as_str).collect();
    let mut files: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("deploy/kubernetes"))
        .expect("deploy/kubernetes")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml") && name != "kustomization.yaml")
        .collect();
    files.sort();
    for file in &files {
        manifest(file);
        // The example Secret is left out, so applying never overwrites real credentials.
        assert_eq!(
            resources.contains(&file.as_str()),
            file != "secret.example.yaml",
            "{file} in kustomization"
        );
    }
}

// --- the container file ---

/// The instructions of a Containerfile: (keyword in upper case, arguments), continuation lines joined,
/// comments and parser directives dropped.
fn containerfile() -> Vec<(String, String)> {
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in read("deploy/container/Containerfile").lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (keyword, args) = current.split_once(char::is_whitespace).expect("an instruction");
                instructions.push((keyword.to_uppercase(), args.trim().to_owned()));
                current.clear();
            }
        }
    }
    instructions
}

/// The instructions of the last stage (from its FROM on).
fn final_stage() -> Vec<(String, String)> {
    let all = containerfile();
    let start = all.iter().rposition(|(keyword, _)| keyword == "FROM").expect("a FROM");
    all[start..].to_vec()
}

/// The final stage's USER as numbers, if it is numeric.
fn containerfile_user() -> Option<(u64, u64)> {
    let stage = final_stage();
    let user = stage.iter().rev().find(|(keyword, _)| keyword == "USER").map(|(_, args)| args.clone())?;
    let (uid, gid) = user.split_once(':').unwrap_or((&user, &user));
    Some((uid.parse().ok()?, gid.parse().ok()?))
}

fn json_array(args: &str) -> Vec<String> {
    serde_json::from_str(args).unwrap_or_else(|error| panic!("exec form expected, {args}: {error}"))
}

#[test]
fn the_final_image_runs_as_a_numeric_non_root_user() {
    let (uid, gid) = containerfile_user().expect("the final stage sets a numeric USER uid:gid");
    assert!(uid != 0 && gid != 0, "USER {uid}:{gid}");
}

#[test]
fn the_image_is_built_in_a_separate_stage_and_starts_the_daemon() {
    let all = containerfile();
    let stages = all.iter().filter(|(keyword, _)| keyword == "FROM").count();
    assert!(stages >= 2, "multi-stage");
    let build = all.iter().any(|(keyword, args)| {
        keyword == "RUN" && args.contains("cargo build --release --locked -p gdsn-sync")
    });
    assert!(build, "the build stage runs cargo build --release --locked -p gdsn-sync");

    let stage = final_stage();
    let base = &stage[0].1;
    assert!(!base.contains("rust:"), "the final image is not the Rust toolchain image: {base}");
    let last = |keyword: &str| {
        stage.iter().rev().find(|(k, _)| k == keyword).map(|(_, args)| args.clone()).unwrap_or_default()
    };
    assert_eq!(last("STOPSIGNAL"), "SIGTERM");
    let port = configmap_config().http.listen.port();
    assert!(last("EXPOSE").split_whitespace().any(|p| p == port.to_string()), "EXPOSE {port}");
    assert!(json_array(&last("VOLUME")).contains(&DATA_DIR.to_owned()), "VOLUME {DATA_DIR}");
    let mut command = json_array(&last("ENTRYPOINT"));
    command.extend(json_array(&last("CMD")));
    assert_eq!(command, ["/usr/local/bin/gdsn-sync", "run", "--config", CONFIG_FILE]);
    // The StatefulSet's args replace CMD with the same command.
    let set = statefulset();
    let args = &daemon_container(&set)["args"];
    assert_eq!(json_array(&args.to_string()), command[1..]);

    let ignored = read(".dockerignore");
    for entry in ["target", ".git"] {
        assert!(ignored.lines().any(|line| line.trim() == entry), ".dockerignore leaves out {entry}");
    }
}

// --- systemd ---

/// A unit file as (section, key) -> every value, in order (a key may repeat; an empty assignment is
/// kept as an empty value).
fn parse_unit(relative: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut section = String::new();
    for line in read(relative).lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            section = name.to_owned();
            continue;
        }
        let (key, value) =
            line.split_once('=').unwrap_or_else(|| panic!("{relative}: not key=value: {line}"));
        out.entry((section.clone(), key.trim().to_owned())).or_default().push(value.trim().to_owned());
    }
    out
}

fn service_value(unit: &BTreeMap<(String, String), Vec<String>>, key: &str) -> Vec<String> {
    unit.get(&("Service".to_owned(), key.to_owned())).cloned().unwrap_or_default()
}

/// A systemd time span of the forms this project writes: `90`, `90s`, `2min`, `1min 30s`.
fn timespan(text: &str) -> Duration {
    text.split_whitespace()
        .map(|part| {
            let digits = part.find(|c: char| !c.is_ascii_digit()).unwrap_or(part.len());
            let (number, unit) = part.split_at(digits);
            let number: u64 = number.parse().unwrap_or_else(|_| panic!("time span {text}"));
            match unit {
                "" | "s" | "sec" => Duration::from_secs(number),
                "min" | "m" => Duration::from_secs(60 * number),
                _ => panic!("time span unit {unit} in {text}"),
            }
        })
        .sum()
}

#[test]
fn the_unit_checks_the_config_and_runs_the_daemon_as_its_own_user() {
    let unit = parse_unit("deploy/systemd/gdsn-sync.service");
    let one = |key: &str| -> String {
        let values = service_value(&unit, key);
        values.last().cloned().unwrap_or_else(|| panic!("no {key}="))
    };
    assert_eq!(one("User"), "gdsn-sync");
    assert_eq!(one("Group"), "gdsn-sync");
    assert_eq!(one("ExecStartPre"), format!("/usr/local/bin/gdsn-sync check-config {CONFIG_FILE}"));
    assert_eq!(one("ExecStart"), format!("/usr/local/bin/gdsn-sync run --config {CONFIG_FILE}"));
    assert_eq!(one("Restart"), "on-failure");
    assert_eq!(one("KillSignal"), "SIGTERM");
    for (key, value) in [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "yes"),
        ("ProtectHome", "yes"),
        ("CapabilityBoundingSet", ""),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
    ] {
        assert_eq!(one(key), value, "{key}=");
    }
    assert!(service_value(&unit, "SystemCallFilter").contains(&"@system-service".to_owned()));

    // The data dir and every drop folder of the examples are writable, nothing else.
    let writable: Vec<String> =
        service_value(&unit, "ReadWritePaths").iter().map(|p| p.trim_start_matches('-').to_owned()).collect();
    let is_writable = |path: &Path| writable.iter().any(|w| path.starts_with(w));
    for (file, config) in example_configs() {
        assert!(is_writable(&config.data_dir), "{}: data dir {}", file.display(), config.data_dir.display());
        for connection in &config.connections {
            if let Transport::DropFolder { folders, .. } = &connection.transport {
                for folder in [&folders.inbox, &folders.done, &folders.failed, &folders.outbound] {
                    assert!(is_writable(folder), "{}: {} is not writable", file.display(), folder.display());
                }
            }
        }
    }

    // The SFTP mirror writes the daemon's drop folders as the same user.
    let mirror = parse_unit("deploy/sftp/gdsn-sftp-mirror@.service");
    assert_eq!(service_value(&mirror, "User"), ["gdsn-sync"]);
    for path in service_value(&mirror, "ReadWritePaths") {
        assert!(is_writable(Path::new(&path)), "the mirror writes {path}, which the daemon cannot");
    }
}

#[test]
fn the_unit_stop_timeout_outlasts_every_drain_deadline() {
    let unit = parse_unit("deploy/systemd/gdsn-sync.service");
    let timeout = timespan(service_value(&unit, "TimeoutStopSec").last().expect("TimeoutStopSec="));
    let mut configs = example_configs();
    configs.push((PathBuf::from("deploy/kubernetes/configmap.yaml"), configmap_config()));
    let default =
        Config::from_toml("", Path::new(CONFIG_FILE), &AnySecret).expect("an empty config is valid");
    configs.push((PathBuf::from("the defaults"), default));
    for (file, config) in configs {
        let deadline = config.pipeline.drain_deadline;
        assert!(
            timeout >= deadline + Duration::from_secs(10),
            "TimeoutStopSec {timeout:?} is not 10 s above the drain deadline {deadline:?} of {}",
            file.display()
        );
    }
}

/// Copies of the units into `dir`, with the programs they start replaced by a stub (they are not
/// installed here, and `verify` checks that each exists), and template units instantiated.
fn units_for_verify(dir: &Path) -> Vec<PathBuf> {
    let stub = dir.join("stub");
    std::fs::write(&stub, "#!/bin/sh\nexit 0\n").expect("stub");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let stub = stub.to_string_lossy().into_owned();
    [
        ("deploy/systemd/gdsn-sync.service", "gdsn-sync.service"),
        ("deploy/sftp/gdsn-sftp-mirror@.service", "gdsn-sftp-mirror@test.service"),
        ("deploy/sftp/gdsn-sftp-mirror@.timer", "gdsn-sftp-mirror@test.timer"),
    ]
    .into_iter()
    .map(|(source, name)| {
        let text = read(source)
            .replace("/usr/local/bin/gdsn-sync", &stub)
            .replace("/usr/local/lib/gdsn-sync/gdsn-sftp-mirror.sh", &stub);
        let copy = dir.join(name);
        std::fs::write(&copy, text).expect("unit copy");
        copy
    })
    .collect()
}

fn systemd_analyze() -> Option<&'static str> {
    let found =
        Command::new("systemd-analyze").arg("--version").output().is_ok_and(|out| out.status.success());
    if !found {
        println!("SKIPPED: systemd-analyze is not installed");
    }
    found.then_some("systemd-analyze")
}

#[test]
fn systemd_analyze_verifies_the_units() {
    let Some(program) = systemd_analyze() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let units = units_for_verify(dir.path());
    let out =
        Command::new(program).arg("verify").args(&units).current_dir(dir.path()).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Unknown keys and bad values are only warned about: any output is a failure.
    assert!(out.status.success() && stderr.trim().is_empty(), "systemd-analyze verify:\n{stderr}");
}

#[test]
fn systemd_rates_the_daemon_unit_well_exposed_at_most() {
    let Some(program) = systemd_analyze() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let units = units_for_verify(dir.path());
    let out = Command::new(program)
        .args(["security", "--offline=true", "--threshold=20", "--no-pager"])
        .arg(&units[0])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("unrecognized option") || stderr.contains("Unknown option") {
        println!("SKIPPED: this systemd-analyze has no offline security check: {stderr}");
        return;
    }
    let overall = text.lines().find(|line| line.contains("Overall exposure level")).unwrap_or_default();
    // Exposure is rated 0 (best) to 10; the threshold 20 means 2.0, "OK".
    assert!(out.status.success(), "{overall}\n{stderr}");
}
