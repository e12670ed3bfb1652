//! A running `gdsn-sync run` with a small real catalogue, for the page
//! tests (`tests/page.rs`) and the browser tests (`tests/browser.rs`);
//! `#[path]`-included next to `support/daemon.rs`.
//!
//! The catalogue is conformance messages: 0001 (one each, text in en, fr,
//! ar, ru), 0002 (pallet > case > each), 0043 (GTIN-8 and GTIN-12) and
//! 0044 (the full card). 0044 describes the same GTIN and market as 0001
//! under the same message id, so it is loaded as message MSG-0044 for
//! Belgium (056): the GTIN then has two live records, one card each.
#![allow(dead_code)]

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::support_daemon::Daemon;

pub(crate) const ADMIN_TOKEN: &str = "page-test-admin-token";
const DEADLINE: Duration = Duration::from_secs(60);

/// 0001's each (France) and 0044's (Belgium).
pub(crate) const PERFUME: &str = "03012345100014";
/// 0002: pallet > case (40) > each (12).
pub(crate) const PALLET: &str = "50812345200015";
pub(crate) const CASE: &str = "10812345200017";
pub(crate) const HEADPHONES: &str = "00812345200010";
/// 0043's GTIN-8 item, as 14 digits.
pub(crate) const GTIN8: &str = "00000095002170";

pub(crate) struct Catalogue {
    pub(crate) daemon: Daemon,
    pub(crate) http: reqwest::blocking::Client,
}

impl Catalogue {
    /// A daemon with an empty store; `http` goes into `[http]` after the
    /// listen address and admin token, `extra` at the end of the file.
    pub(crate) fn start(http: &str, extra: &str) -> Catalogue {
        let admin = gdsn_config::hash_admin_token(ADMIN_TOKEN);
        let http = format!("admin_token_sha256 = \"{admin}\"\n{http}");
        let config = crate::support_daemon::drop_folder_config(&http, extra);
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Catalogue { daemon: Daemon::start(&config, DEADLINE), http }
    }

    /// Drops the four messages into the inbox, polls, and waits until the
    /// last record is searchable.
    pub(crate) fn load(&mut self) {
        let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/cases");
        let read = |case: &str| {
            fs::read_to_string(cases.join(case).join("input.xml")).unwrap_or_else(|e| panic!("{case}: {e}"))
        };
        let inbox = self.daemon.inbox();
        for case in ["0001_cin_single_each", "0002_cin_pallet_case_each", "0043_cin_gtin8_and_gtin12"] {
            fs::write(inbox.join(format!("{case}.xml")), read(case)).expect("a drop file");
        }
        let full_card = read("0044_cin_full_card")
            .replace("<sh:InstanceIdentifier>MSG-0001<", "<sh:InstanceIdentifier>MSG-0044<")
            .replace("<targetMarketCountryCode>250<", "<targetMarketCountryCode>056<");
        fs::write(inbox.join("0044_cin_full_card.xml"), full_card).expect("a drop file");
        let response = self
            .http
            .post(format!("{}/v1/connections/drop/poll", self.daemon.url))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .expect("the poll request");
        assert_eq!(response.status().as_u16(), 200, "poll: {:?}", response.text());
        let url = format!("{}/p/{PERFUME}", self.daemon.url);
        let http = self.http.clone();
        self.daemon.wait_for("the catalogue to be published", || {
            let body = http.get(&url).send().ok()?.text().ok()?;
            let ready = body.matches("<article class=\"card\"").count() == 2;
            ready.then_some(())
        });
        // The other messages went in the same poll; wait for the last one too.
        let url = format!("{}/p/{GTIN8}", self.daemon.url);
        self.daemon.wait_for("0043", || (http.get(&url).send().ok()?.status().as_u16() == 200).then_some(()));
    }

    /// A GET with extra headers.
    pub(crate) fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::blocking::Response {
        let mut request = self.http.get(format!("{}{path}", self.daemon.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().unwrap_or_else(|e| panic!("GET {path}: {e}\n{}", self.daemon.log()))
    }

    /// A GET that must answer `status`; its body.
    pub(crate) fn page(&self, path: &str, headers: &[(&str, &str)], status: u16) -> String {
        let response = self.get(path, headers);
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.text().expect("a body")
    }
}
