//! A table of invalid configs: each must fail with a message fragment on a given line.
//!
//! The expected line is where an operator should look: the offending value, the unknown key, or the
//! table header when something is missing from the table. All cases run before the test fails, and
//! every mismatch is printed, so one run shows every regression.

use gdsn_config::ConfigError;

use crate::util::load;

/// A valid inbox connection, lines 1 to 5; cases append to it.
const INBOX: &str = "[[connections]]
name = \"a\"
kind = \"http_inbox\"
schedule = \"*/15 * * * *\"
http = { base_url = \"https://pool.example/\" }
";

/// The same connection with its `http` as a table, lines 1 to 6; cases append keys of `http`.
const INBOX_TABLE: &str = "[[connections]]
name = \"a\"
kind = \"http_inbox\"
schedule = \"*/15 * * * *\"
[connections.http]
base_url = \"https://pool.example/\"
";

/// The start of a webhook connection, lines 1 to 3.
const WEBHOOK: &str = "[[connections]]
name = \"w\"
kind = \"webhook\"
";

struct Case {
    name: &'static str,
    text: String,
    line: usize,
    fragment: &'static str,
}

fn case(name: &'static str, text: impl Into<String>, line: usize, fragment: &'static str) -> Case {
    Case { name, text: text.into(), line, fragment }
}

fn cases() -> Vec<Case> {
    let drop = |extra: &str| format!("[[connections]]\nname = \"d\"\nkind = \"drop_folder\"\n{extra}");
    vec![
        // Syntax, types and unknown fields: serde's errors, placed by the locator.
        case("unknown top-level field", "colour = 1\n", 1, "colour: unknown field `colour`"),
        case("unknown field in a section", "[store]\nchunk = 3\n", 2, "store.chunk: unknown field `chunk`"),
        case(
            "unknown field in a connection",
            format!("{INBOX}polling = true\n"),
            6,
            "connections[0].polling: unknown field",
        ),
        case(
            "unknown field inside a tagged auth table",
            format!(
                "{INBOX_TABLE}[connections.http.auth]\nkind = \"bearer\"\ntoken = {{ env = \"POOL_SECRET\" }}\nextra = 1\n"
            ),
            10,
            "unknown field `extra`, expected `token`",
        ),
        case(
            "wrong type",
            "[store]\napply_chunk_documents = \"many\"\n",
            2,
            "store.apply_chunk_documents: invalid type: string",
        ),
        case("syntax error", "[store\n", 1, "unclosed table"),
        case(
            "unknown connection kind",
            "[[connections]]\nname = \"a\"\nkind = \"ftp\"\n",
            3,
            "unknown variant `ftp`",
        ),
        case(
            "missing connection name",
            "[[connections]]\nkind = \"webhook\"\n",
            1,
            "connections[0]: missing field `name`",
        ),
        case(
            "secret with two sources",
            format!("{INBOX_TABLE}auth = {{ kind = \"bearer\", token = {{ env = \"A\", file = \"b\" }} }}\n"),
            7,
            "single key",
        ),
        case("negative byte size", format!("{INBOX_TABLE}max_body_bytes = -1\n"), 7, "negative"),
        case(
            "byte size with a bad unit",
            "[http]\nmax_request_body_bytes = \"64 MB/s\"\n",
            2,
            "invalid byte size \"64 MB/s\"",
        ),
        // Identifiers and values.
        case(
            "GLN check digit",
            "recipient_gln = \"5412345000014\"\n",
            1,
            "recipient_gln: GLN `5412345000014` has check digit 4, expected 3",
        ),
        case("GLN length", "recipient_gln = \"541234\"\n", 1, "has 6 digits, expected 13"),
        case(
            "listen address",
            "[http]\nlisten = \"localhost:8480\"\n",
            2,
            "http.listen: invalid listen address \"localhost:8480\"",
        ),
        case("admin token hash", "[http]\nadmin_token_sha256 = \"secret\"\n", 2, "64 hex digits"),
        case(
            "read access without token",
            "[http]\nread_access = \"token\"\n",
            2,
            "needs read_token_sha256 or admin_token_sha256",
        ),
        case(
            "sweep fraction",
            "[store]\nmax_sweep_fraction = 0.0\n",
            2,
            "must be above 0 and at most 1, got 0",
        ),
        case("chunk size", "[store]\napply_chunk_documents = 0\n", 2, "must be between 1 and 100000, got 0"),
        case(
            "log filter",
            "[logging]\nlevel = \"gdsn=loud\"\n",
            2,
            "invalid log filter directive \"gdsn=loud\"",
        ),
        case(
            "publisher retry",
            "[publisher.retry]\ninitial_ms = 5000\nmax_ms = 100\n",
            3,
            "publisher.retry.max_ms: must be between 5000 and",
        ),
        // Connections: names, shapes, schedules.
        case(
            "bad connection name",
            "[[connections]]\nname = \"Pool A\"\nkind = \"webhook\"\n",
            2,
            "invalid connection name \"Pool A\"",
        ),
        case(
            "duplicate names",
            format!("{INBOX}{}", INBOX.replace("schedule", "jitter_secs = 1\nschedule")),
            7,
            "duplicate connection name \"a\", also used by connections[0]",
        ),
        case(
            "http missing",
            "[[connections]]\nname = \"a\"\nkind = \"http_inbox\"\nschedule = \"@hourly\"\n",
            1,
            "connections[0].http: required for kind = \"http_inbox\"",
        ),
        case(
            "schedule missing",
            "[[connections]]\nname = \"a\"\nkind = \"http_changed_since\"\nhttp = { base_url = \"https://p.example/\" }\n",
            1,
            "connections[0].schedule: required",
        ),
        case(
            "schedule on a webhook",
            format!(
                "{WEBHOOK}schedule = \"@hourly\"\nreplies = []\nwebhook.auth = {{ kind = \"bearer\", token = {{ env = \"POOL_SECRET\" }} }}\n"
            ),
            4,
            "connections[0].schedule: not used by kind = \"webhook\"",
        ),
        case(
            "inbox table on changed-since",
            "[[connections]]\nname = \"a\"\nkind = \"http_changed_since\"\nschedule = \"@daily\"\nhttp = { base_url = \"https://p.example/\" }\ninbox = {}\n",
            6,
            "connections[0].inbox: not used by kind",
        ),
        case(
            "cron expression",
            INBOX.replace("*/15 * * * *", "61 * * * *"),
            4,
            "connections[0].schedule: invalid cron expression \"61 * * * *\"",
        ),
        case(
            "cron field count",
            INBOX.replace("*/15 * * * *", "* * *"),
            4,
            "cron expression \"* * *\" has 3 fields",
        ),
        case(
            "time zone",
            format!("{INBOX}time_zone = \"Mars/Olympus\"\n"),
            6,
            "connections[0].time_zone: unknown time zone \"Mars/Olympus\"",
        ),
        case(
            "naive timestamp zone",
            format!("{INBOX}naive_timestamps_zone = \"CEST+2\"\n"),
            6,
            "naive_timestamps_zone: unknown time zone",
        ),
        case(
            "jitter",
            format!("{INBOX}jitter_secs = 100000\n"),
            6,
            "jitter_secs: must be between 0 and 86400",
        ),
        case(
            "backoff bounds",
            format!("{INBOX}backoff = {{ initial_secs = 30, max_secs = 10 }}\n"),
            6,
            "backoff.max_secs: must be between 30 and",
        ),
        // HTTP settings.
        case(
            "plain http to a remote pool",
            INBOX.replace("https://pool.example/", "http://pool.example/"),
            5,
            "refusing plain http",
        ),
        case(
            "not a URL",
            INBOX.replace("https://pool.example/", "pool.example"),
            5,
            "http.base_url: invalid URL \"pool.example\"",
        ),
        case(
            "credentials in the URL",
            INBOX.replace("https://pool.example/", "https://u:p@pool.example/"),
            5,
            "put credentials in the auth table",
        ),
        case(
            "timeouts",
            format!("{INBOX_TABLE}timeouts = {{ read_secs = 60, total_secs = 5 }}\n"),
            7,
            "total_secs (5) must be at least connect_secs (10) and read_secs (60)",
        ),
        case(
            "header name",
            format!(
                "{INBOX_TABLE}auth = {{ kind = \"api_key\", header = \"X Api\", key = {{ env = \"POOL_SECRET\" }} }}\n"
            ),
            7,
            "invalid header name \"X Api\"",
        ),
        case(
            "oauth2 token url",
            format!(
                "{INBOX_TABLE}auth = {{ kind = \"oauth2_client_credentials\", token_url = \"http://auth.example/t\", client_id = \"c\", client_secret = {{ env = \"POOL_SECRET\" }} }}\n"
            ),
            7,
            "http.auth.token_url: refusing plain http",
        ),
        case(
            "absolute outbound path",
            format!("{INBOX_TABLE}outbound_path = \"/replies\"\n"),
            7,
            "starts with '/'",
        ),
        case(
            "JSON pointer",
            format!("{INBOX}inbox = {{ cursor_pointer = \"next\" }}\n"),
            6,
            "connections[0].inbox.cursor_pointer: invalid JSON pointer \"next\"",
        ),
        case(
            "fetch path without id",
            format!("{INBOX}inbox = {{ fetch_path = \"inbox/one\" }}\n"),
            6,
            "has no {id} placeholder",
        ),
        case(
            "payload pointer with raw XML",
            format!("{INBOX}inbox = {{ payload_pointer = \"/xml\" }}\n"),
            6,
            "only used with payload_encoding = \"base64_json\"",
        ),
        case(
            "query parameter",
            format!("{INBOX}inbox = {{ cursor_param = \"next page\" }}\n"),
            6,
            "invalid query parameter name",
        ),
        // Secrets and files.
        case(
            "unset variable",
            format!("{INBOX_TABLE}auth = {{ kind = \"bearer\", token = {{ env = \"MISSING_VAR\" }} }}\n"),
            7,
            "connections[0].http.auth.token: environment variable MISSING_VAR is not set",
        ),
        case(
            "empty variable",
            format!("{INBOX_TABLE}auth = {{ kind = \"bearer\", token = {{ env = \"EMPTY_VAR\" }} }}\n"),
            7,
            "environment variable EMPTY_VAR is empty",
        ),
        case(
            "missing secret file",
            format!(
                "{INBOX_TABLE}auth = {{ kind = \"basic\", username = \"u\", password = {{ file = \"secrets/pw\" }} }}\n"
            ),
            7,
            "cannot read secret file /etc/gdsn-sync/secrets/pw",
        ),
        case(
            "clear-text secret",
            format!("{INBOX_TABLE}auth = {{ kind = \"bearer\", token = {{ plaintext = \"hunter2\" }} }}\n"),
            7,
            "clear-text secret refused",
        ),
        case(
            "missing certificate",
            format!(
                "{INBOX_TABLE}auth = {{ kind = \"mtls\", cert_file = \"tls/none.crt\", key_file = \"tls/client.key\" }}\n"
            ),
            7,
            "http.auth.cert_file: cannot read /etc/gdsn-sync/tls/none.crt",
        ),
        case(
            "certificate not PEM",
            format!(
                "{INBOX_TABLE}auth = {{ kind = \"mtls\", cert_file = \"tls/client.der\", key_file = \"tls/client.key\" }}\n"
            ),
            7,
            "/etc/gdsn-sync/tls/client.der is not a PEM certificate",
        ),
        // Webhooks.
        case(
            "webhook without auth",
            format!("{WEBHOOK}replies = []\n[connections.webhook]\nqueue_capacity = 8\n"),
            5,
            "missing field `auth`",
        ),
        case(
            "webhook auth none",
            format!("{WEBHOOK}replies = []\nwebhook.auth = {{ kind = \"none\" }}\n"),
            5,
            "unknown variant `none`, expected `hmac_sha256` or `bearer`",
        ),
        case(
            "webhook replies without route",
            format!(
                "{WEBHOOK}replies = [\"cic\"]\nwebhook.auth = {{ kind = \"bearer\", token = {{ env = \"POOL_SECRET\" }} }}\n"
            ),
            4,
            "sends replies through its http table",
        ),
        // Drop folders.
        case(
            "done inside the inbox",
            drop("drop_folder = { inbox = \"/srv/in\", done = \"/srv/in/done\" }\n"),
            4,
            "connections[0].drop_folder.done: /srv/in/done is inside the inbox /srv/in",
        ),
        case(
            "dot-dot in a folder",
            drop("drop_folder = { inbox = \"/srv/in/../out\" }\n"),
            4,
            "contains \"..\"",
        ),
        case(
            "data dir inside the inbox",
            format!("data_dir = \"/srv/in/data\"\n{}", drop("drop_folder = { inbox = \"/srv/in\" }\n")),
            5,
            "the data directory /srv/in/data is inside this inbox",
        ),
        case(
            "shared inbox",
            format!(
                "{}{}",
                drop("drop_folder = { inbox = \"/srv/in\" }\n"),
                drop("drop_folder = { inbox = \"/srv/in\" }\n").replace("\"d\"", "\"e\"")
            ),
            8,
            "connections[1].drop_folder.inbox: /srv/in overlaps /srv/in (connections[0].drop_folder.inbox)",
        ),
        // Sink and enrolment.
        case(
            "opensearch without its table",
            "[sink]\nkind = \"opensearch\"\n",
            1,
            "sink.opensearch: required with kind = \"opensearch\"",
        ),
        case(
            "embedded with an opensearch table",
            "[sink.opensearch]\nurl = \"https://s.example\"\nalias = \"a\"\n",
            1,
            "not used with kind = \"embedded\"",
        ),
        case(
            "alias",
            "[sink]\nkind = \"opensearch\"\nopensearch = { url = \"https://s.example\", alias = \"Products\" }\n",
            3,
            "sink.opensearch.alias: invalid alias \"Products\"",
        ),
        case(
            "sink auth",
            "[sink]\nkind = \"opensearch\"\n[sink.opensearch]\nurl = \"https://s.example\"\nalias = \"p\"\nauth = { kind = \"hmac\", key_id = \"k\", secret = { env = \"POOL_SECRET\" } }\n",
            6,
            "auth kind \"hmac\" is not supported here",
        ),
        case(
            "enrolment connection",
            format!("{INBOX}[enrolment]\nconnection = \"b\"\n"),
            7,
            "enrolment.connection: no connection is named \"b\"",
        ),
        case(
            "enrolment market",
            "[enrolment]\ntarget_markets = [\"056\", \"BE\"]\n",
            2,
            "enrolment.target_markets[1]: target market `BE`",
        ),
    ]
}

#[test]
fn every_bad_config_fails_where_and_how_expected() {
    let mut failures = Vec::new();
    for case in cases() {
        let Err(error) = load(&case.text) else {
            failures.push(format!("{}: accepted", case.name));
            continue;
        };
        let matched = error
            .problems()
            .iter()
            .any(|problem| problem.line() == Some(case.line) && problem.to_string().contains(case.fragment));
        if !matched {
            failures.push(format!(
                "{}: expected line {} with {:?}, got:\n{error}",
                case.name, case.line, case.fragment
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases().len(),
        failures.join("\n\n")
    );
}

/// The message an operator sees starts with the file, line and column; this is the format the
/// binary prints as is.
#[test]
fn messages_start_with_file_line_column_and_field() {
    let error = load(&INBOX.replace("*/15 * * * *", "61 * * * *")).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("/etc/gdsn-sync/config.toml:4:12: connections[0].schedule: invalid cron expression \"61 * * * *\": "),
        "{message}"
    );
}

/// Validation does not stop at the first problem.
#[test]
fn all_problems_are_reported_in_file_order() {
    let text = "recipient_gln = \"1\"\n[store]\napply_chunk_documents = 0\n[http]\nlisten = \"nowhere\"\n";
    let error = load(text).unwrap_err();
    let lines: Vec<Option<usize>> = error.problems().iter().map(|problem| problem.line()).collect();
    assert_eq!(lines, [Some(1), Some(3), Some(5)], "{error}");
    assert_eq!(error.to_string().lines().count(), 3);
}

#[test]
fn a_missing_file_names_the_file() {
    let error = gdsn_config::check(std::path::Path::new("/nonexistent/gdsn.toml")).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }));
    assert!(error.to_string().starts_with("/nonexistent/gdsn.toml: cannot read config file: "), "{error}");
}
