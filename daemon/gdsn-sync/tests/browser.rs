//! The product page in a real browser: a real `gdsn-sync run` with the
//! catalogue of `support/catalogue.rs`, then
//! `node conformance/browser/product-page.mjs URL target/browser-artifacts`,
//! which drives Debian's headless Chromium with playwright-core: search by
//! a scanned GTIN-13, by a GS1 Digital Link, by an Arabic and a Russian
//! word; the card's brand, description language and hierarchy links; the
//! Arabic page's `dir=rtl` and mirrored layout (computed positions); the
//! language cookie; no CSP violation; and screenshots at phone and desktop
//! sizes, kept in `target/browser-artifacts/` as test artefacts.
//!
//! Needs `/usr/bin/chromium` (Debian's `chromium`) and
//! `conformance/browser/node_modules` (`npm ci`); `.ci/run` installs both.
//! Under CI (`CI` set) a missing one fails the test; elsewhere it prints
//! SKIPPED and passes.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/catalogue.rs"]
mod catalogue;
#[path = "support/daemon.rs"]
mod support_daemon;

const CHROMIUM: &str = "/usr/bin/chromium";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What is missing to run the browser test, if anything.
fn missing(scripts: &Path) -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node".into());
    }
    if !scripts.join("node_modules/playwright-core/package.json").exists() {
        return Some(format!("{}/node_modules (npm ci)", scripts.display()));
    }
    None
}

#[test]
fn product_page_in_headless_chromium() {
    let scripts = workspace().join("conformance/browser");
    if let Some(what) = missing(&scripts) {
        assert!(std::env::var_os("CI").is_none(), "the browser test needs {what}");
        println!("SKIPPED: the browser test needs {what}");
        return;
    }
    let mut site = catalogue::Catalogue::start("", "");
    site.load();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace().join("target"), PathBuf::from);
    let artifacts = target.join("browser-artifacts");
    let output = Command::new("node")
        .arg(scripts.join("product-page.mjs"))
        .arg(&site.daemon.url)
        .arg(&artifacts)
        .current_dir(&scripts)
        .output()
        .expect("running node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "the browser test failed ({}):\n{stdout}\n{stderr}", output.status);
    println!("screenshots in {}", artifacts.display());
}
