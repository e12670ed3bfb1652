//! The HTML routes of a real `gdsn-sync run` over HTTP: status codes,
//! headers (CSP, content types, caching), the way a code goes straight to
//! its card, language negotiation and RTL, escaping of what a request
//! carries, the pages before anything is published and with a cluster
//! sink, and the ops page behind a read token.

#[path = "support/catalogue.rs"]
mod catalogue;
#[path = "support/daemon.rs"]
mod support_daemon;

use catalogue::{CASE, Catalogue, GTIN8, HEADPHONES, PALLET, PERFUME};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn header(response: &reqwest::blocking::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// One daemon, first empty, then with the catalogue: every public page.
#[test]
fn pages_before_and_after_the_catalogue() {
    let mut site = Catalogue::start("", "");

    // Empty index: the search box, and a polite word instead of results.
    let response = site.get("/", &[]);
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&response, "content-security-policy"), CSP);
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "referrer-policy"), "no-referrer");
    let body = response.text().expect("a body");
    assert!(body.contains("<html lang=\"en\" dir=\"ltr\"") && body.contains("autofocus"));
    let body = site.page("/?q=parfum", &[], 200);
    assert!(body.contains("No product data has been received yet"), "{body}");
    let body = site.page(&format!("/p/{PERFUME}"), &[], 200);
    assert!(body.contains("No product data has been received yet"));

    site.load();

    // A GTIN-13, a GTIN-12 and a Digital Link go straight to the card;
    // the GTIN with two markets goes to its two cards.
    for (q, location) in [
        ("0812345200010", format!("/p/{HEADPHONES}?market=276")),
        ("095002170", String::new()),
        ("https%3A%2F%2Fid.gs1.org%2F01%2F10812345200017", format!("/p/{CASE}?market=276")),
        ("3012345100014", format!("/p/{PERFUME}")),
        ("95002170", format!("/p/{GTIN8}?market=840")),
    ] {
        let response = site.get(&format!("/?q={q}"), &[]);
        if location.is_empty() {
            // Nine digits are no GTIN: an ordinary search.
            assert_eq!(response.status().as_u16(), 200, "{q}");
        } else {
            assert_eq!(response.status().as_u16(), 303, "{q}");
            assert_eq!(header(&response, "location"), location, "{q}");
        }
    }
    let cards = site.page(&format!("/p/{PERFUME}"), &[], 200);
    assert_eq!(cards.matches("<article class=\"card\"").count(), 2);
    assert!(cards.contains("France (250)") && cards.contains("Belgium (056)"));

    // The case: its pallet and its eaches, linked with quantities and
    // named by their own records.
    let case = site.page(&format!("/p/{CASE}?market=276"), &[], 200);
    assert!(case.contains(&format!("href=\"/p/{PALLET}?market=276\"")), "{case}");
    assert!(case.contains("<bdi class=\"name\" lang=\"en\">ArcPro 700 Headphones, pallet 40 cases</bdi>"));
    assert!(case.contains(&format!(
        "<bdi dir=\"ltr\">12 ×</bdi><bdi class=\"name\" lang=\"en\">ArcPro 700 Wireless Headphones Black</bdi>\
         <a class=\"code\" href=\"/p/{HEADPHONES}?market=276\""
    )));
    // No French text: the name falls back to another language, marked as such.
    let french = site.page(&format!("/p/{CASE}?market=276&ui=fr"), &[], 200);
    assert!(french.contains("<bdi class=\"name\" lang=\"en\">ArcPro 700 Wireless Headphones Black</bdi>"));
    assert!(
        case.contains("Last synchronised: <bdi class=\"synced\" dir=\"ltr\">"),
        "the sync stamp is shown"
    );

    // Words in Arabic and Russian find 0001's each, shown in that language.
    let arabic = site.page("/?q=%D8%B9%D8%B7%D8%B1&ui=ar", &[], 200);
    assert!(arabic.contains("<html lang=\"ar\" dir=\"rtl\""));
    assert!(arabic.contains(&format!("href=\"/p/{PERFUME}?market=250\"")), "{arabic}");
    assert!(arabic.contains("لوميير دامبر ماء عطر 100 مل"));
    let russian =
        site.page("/?q=%D0%B2%D0%B0%D0%BD%D0%B8%D0%BB%D0%B8", &[("accept-language", "ru-RU,ru;q=0.9")], 200);
    assert!(russian.contains("<html lang=\"ru\" dir=\"ltr\"") && russian.contains("Люмьер д'Амбр"));

    // Unknown, malformed and hostile codes.
    let missing = site.page("/p/04006381333931", &[], 404);
    assert!(missing.contains("No product with GTIN 04006381333931 has been published."));
    let bad = site.page("/p/12345", &[], 400);
    assert!(bad.contains("not a valid GTIN"));
    let hostile = site.page("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", &[], 200);
    assert!(
        !hostile.contains("<script>alert(1)") && hostile.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    let hostile = site.page("/p/%3Cimg%20src%3Dx%3E", &[], 400);
    assert!(!hostile.contains("<img src=x>") && hostile.contains("&lt;img src=x&gt;"));
    assert_eq!(site.get("/?q=parfum&cursor=not-a-cursor", &[]).status().as_u16(), 400);

    // Language: ?ui= wins and is remembered; then the cookie; then the browser.
    let response = site.get("/?ui=ar", &[("cookie", "gdsn_ui=fr"), ("accept-language", "ru")]);
    assert!(
        header(&response, "set-cookie").starts_with("gdsn_ui=ar; Path=/; Max-Age=31536000; SameSite=Lax")
    );
    assert!(response.text().expect("a body").contains("<html lang=\"ar\" dir=\"rtl\""));
    let response = site.get("/", &[("cookie", "other=1; gdsn_ui=fr"), ("accept-language", "ru")]);
    assert!(header(&response, "set-cookie").is_empty(), "only an explicit choice sets the cookie");
    assert!(response.text().expect("a body").contains("<html lang=\"fr\""));
    assert!(
        site.page("/", &[("accept-language", "de, ar;q=0.8")], 200).contains("<html lang=\"ar\" dir=\"rtl\"")
    );

    // Assets: the URLs the page links, with their types and a year of cache.
    for (name, kind) in
        [("page.css", "text/css"), ("page.js", "text/javascript"), ("icon.svg", "image/svg+xml")]
    {
        let marker = format!("/assets/{name}?v=");
        let start = body_index(&cards, &marker);
        let end = start + cards[start..].find('"').expect("the end of the URL");
        let response = site.get(&cards[start..end], &[]);
        assert_eq!(response.status().as_u16(), 200, "{name}");
        assert!(header(&response, "content-type").starts_with(kind), "{name}");
        assert_eq!(header(&response, "cache-control"), "public, max-age=31536000, immutable");
    }
    assert_eq!(site.get("/assets/..%2FCargo.toml", &[]).status().as_u16(), 404);

    // The ops page is public like /v1/status by default.
    let response = site.get("/ops", &[]);
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "cache-control"), "no-store");
    let ops = response.text().expect("a body");
    assert!(ops.contains("<strong>drop</strong>") && ops.contains("drop_folder"), "{ops}");
    assert!(ops.contains("data-count=\"live\"><b>7</b>"), "0001, 0002 (3), 0043 (2), 0044: {ops}");
}

/// `application/x-www-form-urlencoded` for the few characters used here.
fn form_value(text: &str) -> String {
    text.replace('%', "%25").replace('/', "%2F").replace('&', "%26").replace('=', "%3D")
}

fn body_index(body: &str, marker: &str) -> usize {
    body.find(marker).unwrap_or_else(|| panic!("no {marker} in the page"))
}

/// `read_access = "token"`: every page asks for the token with a form; the
/// form's POST sets the session cookie; a bearer header works too.
#[test]
fn pages_behind_a_read_token() {
    let read = gdsn_config::hash_admin_token("read-me");
    let site = Catalogue::start(&format!("read_access = \"token\"\nread_token_sha256 = \"{read}\""), "");
    for path in ["/", "/ops", &format!("/p/{PERFUME}")] {
        let login = site.page(path, &[], 401);
        assert!(
            login.contains("action=\"/ops\"") && login.contains(&format!("name=\"next\" value=\"{path}\""))
        );
    }
    assert!(site.page("/", &[("cookie", "gdsn_read=wrong")], 401).contains("That token was not accepted."));
    assert_eq!(site.get("/ops", &[("authorization", "Bearer read-me")]).status().as_u16(), 200);
    // Assets stay public: the login page itself needs its CSS.
    assert_eq!(site.get("/assets/page.css", &[]).status().as_u16(), 200);

    let post = |token: &str, next: &str| {
        site.http
            .post(format!("{}/ops", site.daemon.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={}&next={}", form_value(token), form_value(next)))
            .send()
            .expect("POST /ops")
    };
    assert_eq!(post("wrong", "/").status().as_u16(), 401);
    let response = post("read-me", "/p/03012345100014");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(header(&response, "location"), "/p/03012345100014");
    let cookie = header(&response, "set-cookie");
    assert_eq!(cookie, "gdsn_read=read-me; Path=/; HttpOnly; SameSite=Lax");
    assert_eq!(header(&post("read-me", "//evil.example/"), "location"), "/", "never another site");
    let page = site.page("/ops", &[("cookie", "gdsn_read=read-me")], 200);
    assert!(page.contains("<strong>drop</strong>"));
}

/// With a cluster sink the pages cannot read: they say so instead of failing.
#[test]
fn a_cluster_sink_is_explained() {
    let sink = "\n[sink]\nkind = \"opensearch\"\n\n[sink.opensearch]\nurl = \"http://127.0.0.1:9/\"\nalias = \"gdsn-products\"\n";
    let site = Catalogue::start("", sink);
    let body = site.page("/?q=parfum", &[], 200);
    assert!(body.contains("needs the embedded index"), "{body}");
    let body = site.page(&format!("/p/{PERFUME}"), &[("accept-language", "fr")], 200);
    assert!(body.contains("a besoin de l'index intégré"));
    // The ops page still works: the index count is what it cannot give.
    assert!(site.page("/ops", &[], 200).contains("needs the embedded index"));
}
