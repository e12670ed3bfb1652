//! The daemon's JSON API against a real `gdsn-sync run` on loopback, with
//! conformance messages posted through `POST /v1/messages` and published
//! by its publisher: lookups in every code form, search with facets and
//! cursors, hierarchies, enrolments (the CIS really goes out), dead
//! letters, access, body cap and the error bodies; and, in `openapi`,
//! `schemas/openapi.yaml` against the routes the daemon registers.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

#[path = "support/daemon.rs"]
mod daemon;
#[path = "read_api/openapi.rs"]
mod openapi;
// Only `case` is used here.
#[allow(dead_code)]
mod support;

use daemon::Daemon;

const ADMIN: &str = "read-api-admin-token";
const READER: &str = "read-api-read-token";
const RECIPIENT_GLN: &str = "5412345000006";
/// The provider of case 0002 (and 0042, 0043).
const PROVIDER_GLN: &str = "0812345000009";
const NEVER: &str = "0 0 1 1 *";
const DEADLINE: Duration = Duration::from_secs(30);

/// `gdsn-sync run` with a drop folder connection and an admin token;
/// `http` is added to the `[http]` table, `extra` after the connections.
fn start(http: &str, extra: &str) -> Daemon {
    let admin = sha256_hex(ADMIN);
    let reader = sha256_hex(READER);
    let config = format!(
        r#"data_dir = "data"
recipient_gln = "{RECIPIENT_GLN}"
allow_plaintext_secrets = true

[[connections]]
name = "drop"
kind = "drop_folder"
schedule = "{NEVER}"
drop_folder = {{ inbox = "inbox" }}
{extra}
[http]
listen = "127.0.0.1:0"
admin_token_sha256 = "{admin}"
read_token_sha256 = "{reader}"
max_request_body_bytes = "64 KiB"
{http}

[pipeline]
drain_deadline_secs = 5

[publisher]
commit_interval_ms = 50
"#
    );
    Daemon::start(&config, DEADLINE)
}

/// SHA-256 in hex through `sha256sum`, as the README tells operators to
/// make the config value (the test then also checks that recipe).
fn sha256_hex(token: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum runs");
    child.stdin.take().expect("stdin").write_all(token.as_bytes()).expect("written");
    let out = child.wait_with_output().expect("sha256sum ends");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().expect("a digest").to_owned()
}

/// A client of one daemon (its `http://127.0.0.1:PORT`).
struct Api {
    url: String,
    http: Client,
}

impl Api {
    fn new(daemon: &Daemon) -> Api {
        let http = Client::builder().timeout(Duration::from_secs(30)).build().expect("a client");
        Api { url: daemon.url.clone(), http }
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", self.url))
    }

    fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(format!("{}{path}", self.url))
    }

    fn admin(&self, request: RequestBuilder) -> RequestBuilder {
        request.bearer_auth(ADMIN)
    }

    /// A request's status and JSON body (`null` when not JSON).
    fn send(&self, request: RequestBuilder) -> (StatusCode, Value) {
        let response: Response = request.send().expect("the daemon answers");
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// GET `path`, which must answer 200; its body.
    fn ok(&self, path: &str) -> Value {
        let (status, body) = self.send(self.get(path));
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// Posts a conformance case's message and waits until it is durable.
    fn ingest(&self, case: &str) {
        let xml = std::fs::read(support::case(case)).expect("the case's input");
        let request = self.admin(self.post("/v1/messages")).body(xml);
        let (status, body) = self.send(request);
        assert_eq!(status, StatusCode::OK, "{case}: {body}");
    }
}

/// The error code of an error body, checking the body's shape.
fn code(body: &Value) -> &str {
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}"))
}

/// Percent-encodes everything but unreserved characters, for a path segment.
fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Cases 0001 (one each), 0002 (pallet > case > each, market 276), 0042
/// (the same each in 840/US-CA) and 0043 (GTIN-8 and GTIN-12 items),
/// posted and published.
fn loaded(daemon: &mut Daemon) {
    let api = Api::new(daemon);
    for case in [
        "0001_cin_single_each",
        "0002_cin_pallet_case_each",
        "0042_cin_subdivision",
        "0043_cin_gtin8_and_gtin12",
    ] {
        api.ingest(case);
    }
    // The messages are durable; the publisher makes them searchable soon after.
    daemon.wait_for("the last message published", || {
        (api.get("/v1/products/95002170").send().ok()?.status() == StatusCode::OK).then_some(())
    });
}

#[test]
fn lookup_reads_every_code_form_and_answers_404_and_400_with_codes() {
    let mut daemon = start("", "");
    loaded(&mut daemon);
    let api = Api::new(&daemon);

    // GTIN-13 of the each: published in 276 (case 0002) and 840/US-CA (0042).
    let each = api.ok("/v1/products/0812345200010");
    assert_eq!(each["gtin"], "00812345200010");
    assert_eq!(each["form"], "plain_gtin");
    let markets: Vec<&str> =
        each["records"].as_array().unwrap().iter().map(|r| r["target_market"].as_str().unwrap()).collect();
    assert_eq!(markets.len(), 2, "{each}");
    assert!(markets.contains(&"276") && markets.contains(&"840"), "{markets:?}");
    let in_276 = api.ok("/v1/products/0812345200010?market=276");
    assert_eq!(in_276["records"].as_array().unwrap().len(), 1);
    assert_eq!(in_276["records"][0]["target_market"], "276");
    assert_eq!(in_276["market"], "276");
    let in_ca = api.ok("/v1/products/0812345200010?market=840/us-ca");
    assert_eq!(in_ca["records"][0]["target_market_subdivision"], "US-CA");
    let (status, body) = api.send(api.get("/v1/products/0812345200010?market=250"));
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
    let (status, body) = api.send(api.get("/v1/products/0812345200010?market=12x"));
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");

    // GTIN-14, GTIN-8 and GTIN-12.
    let case = api.ok("/v1/products/10812345200017");
    assert_eq!(case["records"][0]["children"][0]["gtin"], "00812345200010");
    assert_eq!(api.ok("/v1/products/95002170")["gtin"], "00000095002170");
    assert_eq!(api.ok("/v1/products/861234000248")["gtin"], "00861234000248");

    // A scanner's element string (AIM prefix, lot) and a Digital Link, in the
    // path (percent-encoded) and in the query.
    let scan = api.ok(&format!("/v1/products/{}", segment("]C1011081234520001710LOT42")));
    assert_eq!(
        (scan["form"].as_str(), scan["gtin"].as_str()),
        (Some("element_string"), Some("10812345200017"))
    );
    assert_eq!(scan["attributes"], json!([{ "ai": "10", "value": "LOT42" }]));
    let link = "https://id.gs1.org/01/10812345200017/10/LOT42";
    let by_path = api.ok(&format!("/v1/products/{}", segment(link)));
    assert_eq!(
        (by_path["form"].as_str(), by_path["gtin"].as_str()),
        (Some("digital_link"), Some("10812345200017"))
    );
    let by_query = api.ok(&format!("/v1/products?code={}", segment(link)));
    assert_eq!(by_query["records"], by_path["records"]);
    assert_eq!(by_query["code"], link);

    // Unknown (valid check digit), a bad check digit, not a code at all.
    let (status, body) = api.send(api.get("/v1/products/4006381333931"));
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
    for bad in ["0812345200011", "12345", "hello"] {
        let (status, body) = api.send(api.get(&format!("/v1/products/{bad}")));
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_code"), "{bad}: {body}");
    }
    let (status, body) = api.send(api.get("/v1/products"));
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");
}

#[test]
fn search_pages_with_cursors_and_facets_and_hierarchies_resolve_both_ways() {
    let mut daemon = start("", "");
    loaded(&mut daemon);
    let api = Api::new(&daemon);

    // SonicArc: the three levels of 0002 in 276 and the each of 0042.
    let first = api.ok("/v1/search?brand=sonicarc&limit=3");
    assert_eq!(first["total"], 4, "{first}");
    assert_eq!(first["facets"]["market"], json!({ "276": 3, "840/US-CA": 1 }));
    assert_eq!(first["facets"]["brand"], json!({ "SonicArc": 4 }));
    assert_eq!(first["hits"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second = api.ok(&format!("/v1/search?brand=sonicarc&limit=3&cursor={}", segment(cursor)));
    assert_eq!(second["hits"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);
    let mut keys: Vec<&str> = first["hits"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["hits"].as_array().unwrap())
        .map(|h| h["key"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 4, "pages overlap: {keys:?}");

    // Text in Russian and Arabic (case 0001), a language filter, a GTIN as text.
    let ru = api.ok(&format!("/v1/search?q={}", segment("парфюмерная")));
    assert_eq!(ru["hits"][0]["record"]["gtin"], "03012345100014", "{ru}");
    let ar = api.ok(&format!("/v1/search?q={}&lang=ar", segment("عطر")));
    assert_eq!(ar["total"], 1, "{ar}");
    assert!(api.ok("/v1/search?q=parfum&lang=en")["total"].as_u64() >= Some(1));
    assert_eq!(api.ok("/v1/search?q=10812345200017")["hits"][0]["record"]["gtin"], "10812345200017");
    assert_eq!(api.ok("/v1/search?gpc=10000803")["total"], 2);

    // A cursor of another query, garbage, a limit over the maximum.
    for bad in [
        format!("/v1/search?brand=voltedge&limit=3&cursor={}", segment(cursor)),
        "/v1/search?cursor=zzz".to_owned(),
    ] {
        let (status, body) = api.send(api.get(&bad));
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_cursor"), "{bad}: {body}");
    }
    let (status, body) = api.send(api.get("/v1/search?limit=501"));
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");
    let (status, body) = api.send(api.get("/v1/search?limit=many"));
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");

    // The case: its each (12 per case) below, its pallet (40 cases) above.
    let tree = api.ok("/v1/products/10812345200017/hierarchy");
    let item = &tree["items"][0];
    assert_eq!(tree["items"].as_array().unwrap().len(), 1);
    assert_eq!(item["item"]["gtin"], "10812345200017");
    assert_eq!(
        item["children"],
        json!([{
            "gtin": "00812345200010", "quantity": 12, "published": true,
            "records": [item["children"][0]["records"][0].clone()],
        }])
    );
    assert_eq!(item["children"][0]["records"][0]["target_market"], "276");
    assert_eq!(item["parents"][0]["gtin"], "50812345200015");
    assert_eq!(item["parents"][0]["quantity"], 40);
    assert_eq!(item["parents"][0]["published"], true);
    // The each: parents only in 276; in 840/US-CA it stands alone.
    let each = api.ok("/v1/products/0812345200010/hierarchy");
    let items = each["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        let parents = item["parents"].as_array().unwrap();
        match item["item"]["target_market"].as_str() {
            Some("276") => assert_eq!((parents.len(), &parents[0]["quantity"]), (1, &json!(12))),
            _ => assert!(parents.is_empty(), "{item}"),
        }
        assert!(item["children"].as_array().unwrap().is_empty());
    }
    let (status, body) = api.send(api.get("/v1/products/4006381333931/hierarchy"));
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
}

#[test]
fn enrolment_queues_and_sends_the_cis_and_rfcin_and_delete_purges() {
    let mut daemon = start("", "");
    let api = Api::new(&daemon);
    api.ingest("0002_cin_pallet_case_each");
    let pool = "5412345000013";
    let new = json!({ "provider_gln": PROVIDER_GLN, "target_market": "276", "connection": "drop", "pool_gln": pool });
    let post = |body: &Value| api.admin(api.post("/v1/enrolments")).json(body);

    let response = post(&new).send().expect("answered");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(location.as_deref(), Some("/v1/enrolments/0812345000009-276"));
    let created: Value = response.json().expect("JSON");
    assert_eq!(created["id"], "0812345000009-276");
    assert_eq!(created["state"], "requested");
    assert_eq!(created["queued"], json!(["CIS", "RFCIN"]));
    assert_eq!(created["items"], 3);
    assert_eq!(created["pool_gln"], pool);
    assert_eq!(created["recipient_gln"], RECIPIENT_GLN, "the config's recipient by default");

    // Both messages reach the drop folder's outbound folder (the outbound
    // sender was woken), from us to the pool, naming the pair.
    let outbound = daemon.data().join("dropfolder/drop/outbound");
    let ids = [created["cis_message_id"].as_str().unwrap(), created["rfcin_message_id"].as_str().unwrap()];
    let sent = daemon.wait_for("the CIS and RFCIN in the outbound folder", || {
        let texts = folder_texts(&outbound);
        ids.iter().all(|id| texts.iter().any(|t| t.contains(id))).then_some(texts)
    });
    let cis = sent.iter().find(|t| t.contains(ids[0])).unwrap();
    assert!(
        cis.contains("catalogueItemSubscription") && cis.contains(PROVIDER_GLN) && cis.contains(pool),
        "{cis}"
    );
    assert!(sent.iter().any(|t| t.contains(ids[1]) && t.contains("requestForCatalogueItemNotification")));

    let (status, body) = api.send(post(&new));
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "already_enrolled"), "{body}");
    let mut bad = new.clone();
    bad["provider_gln"] = json!("0812345000008");
    let (status, body) = api.send(post(&bad));
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("provider_gln"), "{body}");
    let mut bad = new;
    bad["connection"] = json!("nowhere");
    assert_eq!(api.send(post(&bad)).0, StatusCode::BAD_REQUEST);
    let (status, body) = api.send(post(&json!({ "provider_gln": PROVIDER_GLN })));
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");

    let (_, list) = api.send(api.admin(api.get("/v1/enrolments")));
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["id"], "0812345000009-276");
    let (status, one) = api.send(api.admin(api.get("/v1/enrolments/0812345000009%2F276")));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["pair"], "0812345000009/276");
    let (status, body) = api.send(api.admin(api.get("/v1/enrolments/0812345000009-056")));
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
    let (status, body) = api.send(api.admin(api.get("/v1/enrolments/nonsense")));
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");

    let delete =
        api.admin(api.http.delete(format!("{}/v1/enrolments/0812345000009-276?purge=true", api.url)));
    let (status, gone) = api.send(delete);
    assert_eq!(status, StatusCode::OK, "{gone}");
    assert_eq!((gone["state"].as_str(), gone["purged"].as_u64()), (Some("unenrolled"), Some(3)));
    daemon.wait_for("the CIS delete in the outbound folder", || {
        folder_texts(&outbound).iter().any(|t| t.contains("GDSN-SYNC-UNENROL-")).then_some(())
    });
    daemon.wait_for("the purged items gone from the index", || {
        (api.get("/v1/products/10812345200017").send().ok()?.status() == StatusCode::NOT_FOUND).then_some(())
    });
}

fn folder_texts(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
}

#[test]
fn tokens_body_cap_dead_letters_and_readiness() {
    let mut daemon = start(r#"read_access = "token""#, "");
    let api = Api::new(&daemon);
    // Reads want the read or the admin token; admin routes only the admin one.
    for path in [
        "/v1/products/10812345200017",
        "/v1/search?q=x",
        "/v1/products/10812345200017/hierarchy",
        "/v1/status",
    ] {
        let (status, body) = api.send(api.get(path));
        assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"), "{path}: {body}");
        let (status, _) = api.send(api.get(path).bearer_auth("wrong"));
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_ne!(api.send(api.get(path).bearer_auth(READER)).0, StatusCode::UNAUTHORIZED, "{path}");
        assert_ne!(api.send(api.admin(api.get(path))).0, StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in ["/v1/enrolments", "/v1/dead-letters", "/v1/quarantine", "/v1/replies"] {
        let (status, body) = api.send(api.get(path).bearer_auth(READER));
        assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"), "{path}: {body}");
    }
    // Before anything is published: search is an empty page, lookups 404.
    let (status, empty) = api.send(api.get("/v1/search?q=anything").bearer_auth(READER));
    assert_eq!((status, &empty["total"]), (StatusCode::OK, &json!(0)), "{empty}");
    let (status, body) = api.send(api.get("/v1/products/10812345200017").bearer_auth(READER));
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    // Ready: the store answers and the index opens (or none exists yet).
    let (status, ready) = api.send(api.get("/readyz"));
    assert_eq!((status, &ready["store"]), (StatusCode::OK, &json!("ok")), "{ready}");
    assert!(
        ["ok", "nothing published yet"].contains(&ready["index"].as_str().unwrap_or_default()),
        "{ready}"
    );

    // The body cap (64 KiB here) on JSON and message bodies alike.
    let big = format!("{{\"provider_gln\": \"{}\"}}", "0".repeat(70 * 1024));
    let request = api.admin(api.post("/v1/enrolments")).header("content-type", "application/json").body(big);
    let (status, body) = api.send(request);
    assert_eq!((status, code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"), "{body}");
    let xml = vec![b' '; 70 * 1024];
    let request = api.admin(api.post("/v1/messages")).body(xml);
    if let Ok(response) = request.send() {
        // A client may instead see the connection closed before it sent all.
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    // Dead letters: none yet; a retry queues none and says so.
    let (status, list) = api.send(api.admin(api.get("/v1/dead-letters")));
    assert_eq!((status, list), (StatusCode::OK, json!([])));
    let (status, retried) = api.send(api.admin(api.post("/v1/dead-letters/retry")));
    assert_eq!((status, retried), (StatusCode::OK, json!({ "queued": 0 })));

    // Unknown routes and methods answer in the error body too.
    let (status, body) = api.send(api.get("/v1/nothing-here"));
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "no_route"), "{body}");
    let (status, body) = api.send(api.http.delete(format!("{}/v1/search", api.url)));
    assert_eq!((status, code(&body)), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"), "{body}");
    daemon.stop();
}

#[test]
fn admin_routes_are_refused_without_a_configured_admin_token() {
    // A drop folder and no admin_token_sha256.
    let daemon = Daemon::start(&daemon::drop_folder_config("", ""), DEADLINE);
    let api = Api::new(&daemon);
    for path in ["/v1/enrolments", "/v1/dead-letters", "/v1/replies"] {
        let (status, body) = api.send(api.admin(api.get(path)));
        assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "admin_disabled"), "{path}: {body}");
    }
    let (status, body) = api.send(api.admin(api.post("/v1/reindex")));
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "admin_disabled"), "{body}");
    // Reads stay public.
    assert_eq!(api.send(api.get("/v1/search")).0, StatusCode::OK);
}
