// The customs product page in a real browser: Debian's headless Chromium
// driven by playwright-core (no browser download; see README.md).
//
//   node product-page.mjs BASE_URL ARTIFACT_DIR
//
// BASE_URL is a running `gdsn-sync run` loaded with conformance cases 0001,
// 0002, 0043 and 0044 (tests/browser.rs sets that up). Each check prints
// `ok - ...`; the first failure prints `not ok - ...` and exits 1.
// Screenshots (phone and desktop, English and Arabic) go to ARTIFACT_DIR.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, artifacts] = process.argv.slice(2);
if (!base || !artifacts) {
  console.error("usage: node product-page.mjs BASE_URL ARTIFACT_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const PERFUME = "03012345100014";
const CASE = "10812345200017";
const PALLET = "50812345200015";
const HEADPHONES = "00812345200010";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let step = "start";
function check(condition, what) {
  if (!condition) throw new Error(what);
  console.log(`ok - ${step}: ${what}`);
}

const profile = mkdtempSync(join(tmpdir(), "gdsn-browser-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // Without the background-networking flags Chromium keeps reaching for
  // Google's hosts, which this machine's closed network refuses.
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic",
  ],
  viewport: DESKTOP,
});
const cspViolations = [];
browser.on("console", (message) => {
  if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
});

/** Types like a barcode scanner: the digits, then Enter. */
async function scan(page, text) {
  await page.fill("#q", "");
  await page.keyboard.type(text);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
}

async function shot(page, name, size) {
  await page.setViewportSize(size);
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `${name}: no sideways scrolling (${overflow}px)`);
  await page.setViewportSize(DESKTOP);
}

/** The horizontal centre of an element. */
async function centre(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  return box.x + box.width / 2;
}

let exitCode = 0;
try {
  const page = browser.pages()[0] ?? (await browser.newPage());

  step = "search page";
  await page.goto(`${base}/?ui=en`);
  check(await page.evaluate(() => document.activeElement?.id === "q"), "the search box has the focus");
  check((await page.getAttribute("html", "dir")) === "ltr", "English is left to right");
  await shot(page, "en-phone-search", PHONE);

  step = "GTIN-13 scan";
  await scan(page, "0812345200010");
  check(page.url().includes(`/p/${HEADPHONES}?market=276`), `went to the card (${page.url()})`);
  check((await page.textContent("h1")).includes("ArcPro 700"), "the product's name is the title");
  check((await page.textContent(".card .brand")) === "SonicArc", "the brand is shown");
  check((await page.locator(`.hierarchy a[href="/p/${CASE}?market=276"]`).count()) === 1, "its case is linked");

  step = "Digital Link";
  await scan(page, `https://id.gs1.org/01/${CASE}`);
  check(page.url().includes(`/p/${CASE}`), `went to the case (${page.url()})`);
  const child = page.locator(`.hierarchy li.child:has(a[href="/p/${HEADPHONES}?market=276"])`);
  check((await child.textContent()).includes("12 ×"), "the case contains 12 eaches, linked");
  await Promise.all([page.waitForNavigation(), page.click(`.hierarchy a[href="/p/${PALLET}?market=276"]`)]);
  check(page.url().includes(`/p/${PALLET}`), "the pallet link opens the pallet");
  check((await page.textContent(".hierarchy li.child")).includes("40 ×"), "the pallet holds 40 cases");
  await shot(page, "en-desktop-pallet", DESKTOP);

  step = "English card";
  await page.goto(`${base}/p/${PERFUME}?market=250`);
  const ltrSearch = { input: await centre(page, "#q"), button: await centre(page, ".field button") };
  check(ltrSearch.button > ltrSearch.input, "left to right: the search button is right of the box");
  const ltrLabel = await centre(page, ".facts dt");
  const ltrValue = await centre(page, ".facts dd");
  check(ltrLabel < ltrValue, "left to right: labels left of values");
  check((await page.getAttribute(".card .description", "lang")) === "en", "the description is in English");
  await shot(page, "en-desktop-card", DESKTOP);
  await shot(page, "en-phone-card", PHONE);

  step = "Arabic search";
  await page.goto(`${base}/?ui=ar`);
  check((await page.getAttribute("html", "dir")) === "rtl", "Arabic is right to left");
  check((await page.getAttribute("html", "lang")) === "ar", "lang=ar");
  await scan(page, "عطر");
  const hit = page.locator(`a.hit[href="/p/${PERFUME}?market=250"]`);
  check((await hit.count()) === 1, "the Arabic word finds 0001's each");
  check((await hit.locator(".hit-name").getAttribute("lang")) === "ar", "its name is shown in Arabic");
  const hitBox = await hit.boundingBox();
  const thumbBox = await hit.locator(".thumb").boundingBox();
  check(thumbBox.x + thumbBox.width > hitBox.x + hitBox.width / 2, "right to left: the picture is on the right");
  await shot(page, "ar-phone-results", PHONE);
  await Promise.all([page.waitForNavigation(), hit.click()]);
  check((await page.getAttribute(".card .description", "lang")) === "ar", "the description is in Arabic");
  check((await page.textContent(".card .brand")) === "Maison Lumière", "the brand is shown");
  const rtlSearch = { input: await centre(page, "#q"), button: await centre(page, ".field button") };
  check(rtlSearch.button < rtlSearch.input, "right to left: the search button is left of the box (mirrored)");
  check((await centre(page, ".facts dt")) > (await centre(page, ".facts dd")), "right to left: labels right of values");
  await shot(page, "ar-desktop-card", DESKTOP);
  await shot(page, "ar-phone-card", PHONE);

  step = "remembered language";
  await page.goto(`${base}/`);
  check((await page.getAttribute("html", "lang")) === "ar", "the cookie keeps Arabic without ?ui=");

  step = "Russian search";
  await page.goto(`${base}/?ui=ru`);
  await scan(page, "ванили");
  const ruHit = page.locator(`a.hit[href="/p/${PERFUME}?market=250"]`);
  check((await ruHit.count()) === 1, "the Russian word finds 0001's each");
  await Promise.all([page.waitForNavigation(), ruHit.click()]);
  check((await page.getAttribute(".card .description", "lang")) === "ru", "the description is in Russian");
  check((await page.textContent(".card .description")).includes("парфюмерная вода"), "the Russian text");

  step = "two markets";
  await page.goto(`${base}/p/${PERFUME}?ui=fr`);
  check((await page.locator("article.card").count()) === 2, "one card per market (France, Belgium)");
  check((await page.textContent("body")).includes("Belgique (056)"), "markets are named in French");

  step = "ops page";
  await page.goto(`${base}/ops?ui=en`);
  check((await page.locator("#connections tbody tr").count()) === 1, "one connection row");
  await shot(page, "en-desktop-ops", DESKTOP);

  step = "content security policy";
  check(cspViolations.length === 0, `no CSP violations (${cspViolations.join(" | ")})`);
} catch (error) {
  console.log(`not ok - ${step}: ${error.message}`);
  exitCode = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(exitCode);
