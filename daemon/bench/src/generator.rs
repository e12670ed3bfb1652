//! [`CinGenerator`]: a Catalogue Item Notification message rendered one
//! document at a time as the reader asks for bytes.

use std::io::{self, BufRead, Read};

use crate::content::{
    BRANDS, Brand, CASE_OF, COMMANDS, FAMILIES, Family, LANGUAGES, MARKETS, PALLET_OF, SENTENCES, VARIANTS,
    ZONES, unit_label,
};
use crate::gs1;
use crate::rng::Rng;
use crate::xml::Xml;

const ROOT: &str = "catalogue_item_notification:catalogueItemNotificationMessage";
const DOCUMENT: &str = "catalogue_item_notification:catalogueItemNotification";
/// Declared once on the root, as most data pools do, rather than on each module.
const ROOT_NAMESPACES: &[(&str, &str)] = &[
    ("xmlns:catalogue_item_notification", "urn:gs1:gdsn:catalogue_item_notification:xsd:3"),
    ("xmlns:sh", "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"),
    ("xmlns:trade_item_description", "urn:gs1:gdsn:trade_item_description:xsd:3"),
    ("xmlns:referenced_file_detail_information", "urn:gs1:gdsn:referenced_file_detail_information:xsd:3"),
    ("xmlns:trade_item_measurements", "urn:gs1:gdsn:trade_item_measurements:xsd:3"),
    ("xmlns:place_of_item_activity", "urn:gs1:gdsn:place_of_item_activity:xsd:3"),
];

/// Documents generated when neither limit of [`GeneratorConfig`] is set.
pub const DEFAULT_DOCUMENTS: usize = 100;

/// Most documents in one `transaction`.
pub const MAX_TRANSACTION_DOCUMENTS: u32 = 100;

/// Appended to every `descriptionShort` of a revised trade item.
const REVISION: &str = " (v2)";

/// The year of every generated time, and of a revised item's `lastChangeDateTime`.
const YEAR: &str = "2025-";
const REVISED_YEAR: &str = "2026-";

/// Bytes written after the last document (closing tags), counted ahead so
/// that a message stays close to its byte target.
const CLOSING_BYTES: u64 = 96;

/// What to generate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// Stop after this many documents.
    pub documents: Option<usize>,
    /// Stop starting new documents once the message has reached about this
    /// many bytes; it overshoots by at most one document and the closing tags.
    pub target_bytes: Option<u64>,
    /// The same seed always gives the same bytes.
    pub seed: u64,
}

/// Where the generator is in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Header,
    Body,
    Done,
}

/// The packaging level of a trade item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Each,
    Case,
    Pallet,
}

impl Level {
    fn indicator(self) -> u8 {
        match self {
            Level::Each => 0,
            Level::Case => 1,
            Level::Pallet => 5,
        }
    }

    fn child(self) -> Option<Level> {
        match self {
            Level::Each => None,
            Level::Case => Some(Level::Each),
            Level::Pallet => Some(Level::Case),
        }
    }
}

/// Outer size of one level: depth, height, width (mm) and gross weight (g).
#[derive(Debug, Clone, Copy)]
struct Shape {
    dims: [u64; 3],
    weight: u64,
}

/// A calendar time in 2025 with its zone.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    zone: &'static str,
}

/// Everything one document (one hierarchy) is made of, drawn up front.
#[derive(Clone, Copy)]
struct Product {
    index: usize,
    brand: &'static Brand,
    family: &'static Family,
    item_reference: u32,
    variant: &'static [&'static str; 5],
    /// A sentence appended to the long descriptions, for half the products.
    sentence: Option<&'static [&'static str; 5]>,
    net: u32,
    market: &'static str,
    changed: Stamp,
    /// Eaches per case, cases per pallet.
    eaches_per_case: u32,
    cases_per_pallet: u32,
    each: Shape,
}

impl Product {
    fn gtin(&self, level: Level) -> [u8; 14] {
        gs1::gtin14(level.indicator(), self.brand.prefix, self.item_reference)
    }

    fn quantity(&self, level: Level) -> u32 {
        match level {
            Level::Each => 1,
            Level::Case => self.eaches_per_case,
            Level::Pallet => self.cases_per_pallet,
        }
    }

    fn shape(&self, level: Level) -> Shape {
        let [d, h, w] = self.each.dims;
        let per_case = u64::from(self.eaches_per_case);
        let case = Shape {
            dims: [d * 2 + 8, h + 12, w * per_case.div_ceil(2) + 8],
            weight: self.each.weight * per_case + 350,
        };
        match level {
            Level::Each => self.each,
            Level::Case => case,
            Level::Pallet => {
                let cases = u64::from(self.cases_per_pallet);
                let per_layer = ((1200 / case.dims[0].max(1)) * (800 / case.dims[2].max(1))).max(1);
                let layers = cases.div_ceil(per_layer);
                Shape { dims: [1200, 150 + layers * case.dims[1], 800], weight: case.weight * cases + 25_000 }
            }
        }
    }
}

/// A GDSN Catalogue Item Notification message, generated on the fly.
///
/// It implements [`Read`] and [`BufRead`]: each time its buffer runs dry it
/// renders the next piece (the header, one document, or the closing tags)
/// into one reused buffer, so memory stays at one document (about 20 KB)
/// whatever the size of the message.
///
/// Documents alternate between a pallet > case > each hierarchy (three
/// trade items, even positions from 0) and a single each (odd positions).
/// Every trade item carries valid GTINs and GLNs, parties, a GPC brick,
/// a consumer contact, texts in en, fr, ar, ru and de, two images,
/// measurements, the country of origin and zoned synchronisation dates,
/// about 3-6 KB of XML each. Documents are grouped in transactions of 1 to
/// [`MAX_TRANSACTION_DOCUMENTS`] documents, one `documentCommand` each.
/// The parser accepts every document without any diagnostic.
pub struct CinGenerator {
    config: GeneratorConfig,
    rng: Rng,
    xml: Xml,
    /// Read position in `xml.buf`.
    pos: usize,
    phase: Phase,
    /// Bytes rendered so far, including what is still buffered.
    rendered: u64,
    /// Bytes handed to the reader so far.
    consumed: u64,
    documents: usize,
    trade_items: usize,
    transactions: usize,
    /// Revise every n-th trade item ([`CinGenerator::change_every`]).
    change_every: Option<usize>,
    changed_items: usize,
    /// Documents in the open transaction (0: none open).
    in_transaction: u32,
    transaction_size: u32,
    data_pool: [u8; 13],
    recipient: [u8; 13],
    created: Stamp,
}

impl CinGenerator {
    /// A generator for `config`.
    pub fn new(config: GeneratorConfig) -> CinGenerator {
        let mut rng = Rng::new(config.seed);
        let created = stamp(&mut rng);
        CinGenerator {
            config,
            rng,
            xml: Xml::new(),
            pos: 0,
            phase: Phase::Header,
            rendered: 0,
            consumed: 0,
            documents: 0,
            trade_items: 0,
            transactions: 0,
            change_every: None,
            changed_items: 0,
            in_transaction: 0,
            transaction_size: 0,
            data_pool: gs1::gln("5400000", 90_000),
            recipient: gs1::gln("5412345", 0),
            created,
        }
    }

    /// Revises every `every`-th trade item (the 10th, 20th, ... for 10),
    /// counted in rendering order: its `descriptionShort` texts get a suffix
    /// and its `lastChangeDateTime` moves one year later. Everything else,
    /// keys included, stays as without it, so a revised message is the same
    /// catalogue with those items changed. 0 revises nothing (the default,
    /// whose output is unchanged by this option).
    pub fn change_every(mut self, every: usize) -> CinGenerator {
        self.change_every = (every > 0).then_some(every);
        self
    }

    /// Trade items revised so far (see [`CinGenerator::change_every`]).
    pub fn changed_items(&self) -> usize {
        self.changed_items
    }

    /// Documents rendered so far (all of them once the reader saw EOF).
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Trade items rendered so far: the number of records the parser
    /// produces for them (1 per single each, 3 per hierarchy).
    pub fn trade_items(&self) -> usize {
        self.trade_items
    }

    /// Transactions opened so far.
    pub fn transactions(&self) -> usize {
        self.transactions
    }

    /// Bytes handed to the reader so far.
    pub fn bytes_generated(&self) -> u64 {
        self.consumed
    }

    /// True once the closing tag has been rendered.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Renders the next piece; false at the end of the message.
    fn refill(&mut self) -> bool {
        self.xml.buf.clear();
        self.pos = 0;
        match self.phase {
            Phase::Header => {
                self.header();
                self.phase = Phase::Body;
            }
            Phase::Body if self.wants_document() => self.document(),
            Phase::Body => {
                self.footer();
                self.phase = Phase::Done;
            }
            Phase::Done => return false,
        }
        self.rendered += self.xml.buf.len() as u64;
        true
    }

    fn wants_document(&self) -> bool {
        let limit = match (self.config.documents, self.config.target_bytes) {
            (Some(n), _) => n,
            (None, Some(_)) => usize::MAX,
            (None, None) => DEFAULT_DOCUMENTS,
        };
        if self.documents >= limit {
            return false;
        }
        match self.config.target_bytes {
            Some(target) => self.documents == 0 || self.rendered + CLOSING_BYTES < target,
            None => true,
        }
    }

    fn header(&mut self) {
        let x = &mut self.xml;
        x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        x.open_attrs(ROOT, ROOT_NAMESPACES);
        x.open("sh:StandardBusinessDocumentHeader");
        x.leaf("sh:HeaderVersion", "1.0");
        x.open("sh:Sender");
        x.start_attr("sh:Identifier", "Authority", "GS1");
        x.raw(gs1::as_str(&self.data_pool));
        x.end("sh:Identifier");
        x.close("sh:Sender");
        x.open("sh:Receiver");
        x.start_attr("sh:Identifier", "Authority", "GS1");
        x.raw(gs1::as_str(&self.recipient));
        x.end("sh:Identifier");
        x.close("sh:Receiver");
        x.open("sh:DocumentIdentification");
        x.leaf("sh:Standard", "GS1");
        x.leaf("sh:TypeVersion", "3.1");
        x.start("sh:InstanceIdentifier");
        x.raw("MSG-");
        x.num(self.config.seed);
        x.end("sh:InstanceIdentifier");
        x.leaf("sh:Type", "catalogueItemNotification");
        x.start("sh:CreationDateAndTime");
        timestamp(x, self.created);
        x.end("sh:CreationDateAndTime");
        x.close("sh:DocumentIdentification");
        x.close("sh:StandardBusinessDocumentHeader");
    }

    fn footer(&mut self) {
        if self.in_transaction > 0 {
            self.xml.close("transaction");
            self.in_transaction = 0;
        }
        self.xml.close(ROOT);
        self.xml.newline();
    }

    fn open_transaction(&mut self) {
        self.transactions += 1;
        self.transaction_size = self.rng.range(1, MAX_TRANSACTION_DOCUMENTS);
        let x = &mut self.xml;
        x.open("transaction");
        x.open("transactionIdentification");
        x.start("entityIdentification");
        x.raw("TRX-");
        x.num(self.config.seed);
        x.raw("-");
        x.num(self.transactions as u64);
        x.end("entityIdentification");
        x.open("contentOwner");
        x.leaf("gln", gs1::as_str(&self.data_pool));
        x.close("contentOwner");
        x.close("transactionIdentification");
    }

    fn draw_product(&mut self) -> Product {
        let index = self.documents;
        let brand = &BRANDS[index % BRANDS.len()];
        let family = &FAMILIES[brand.family % FAMILIES.len()];
        let rng = &mut self.rng;
        let [d, h, w] = family.dims.map(u64::from);
        let jitter = rng.below(8);
        Product {
            index,
            brand,
            family,
            item_reference: ((index / BRANDS.len()) % 100_000) as u32,
            variant: rng.pick(VARIANTS),
            sentence: (rng.below(2) == 0).then(|| rng.pick(SENTENCES)),
            net: rng.choose(family.net_values),
            market: rng.choose(MARKETS),
            changed: stamp(rng),
            eaches_per_case: rng.choose(&[6, 8, 12, 24]),
            cases_per_pallet: rng.choose(&[20, 36, 40, 60, 80]),
            each: Shape {
                dims: [d + jitter, h + jitter * 2, w + jitter],
                weight: u64::from(family.weight) + rng.below(40),
            },
        }
    }

    fn document(&mut self) {
        if self.in_transaction == 0 {
            self.open_transaction();
        }
        let product = self.draw_product();
        let command = self.rng.choose(COMMANDS);
        let top = if product.index.is_multiple_of(2) { Level::Pallet } else { Level::Each };
        let provider = gs1::gln(product.brand.prefix, 0);
        let x = &mut self.xml;
        x.open("documentCommand");
        x.open_attrs("documentCommandHeader", &[("type", command)]);
        x.open("documentCommandIdentification");
        entity_identification(x, "CMD-", self.config.seed, product.index, &self.data_pool);
        x.close("documentCommandIdentification");
        x.close("documentCommandHeader");
        x.open(DOCUMENT);
        x.start("creationDateTime");
        timestamp(x, self.created);
        x.end("creationDateTime");
        x.leaf("documentStatusCode", "ORIGINAL");
        x.open("catalogueItemNotificationIdentification");
        entity_identification(x, "CIN-", self.config.seed, product.index, &provider);
        x.close("catalogueItemNotificationIdentification");
        x.leaf("isReload", "false");
        self.catalogue_item(&product, top);
        let x = &mut self.xml;
        x.close(DOCUMENT);
        x.close("documentCommand");
        self.documents += 1;
        self.in_transaction += 1;
        if self.in_transaction >= self.transaction_size {
            self.xml.close("transaction");
            self.in_transaction = 0;
        }
    }

    fn catalogue_item(&mut self, p: &Product, level: Level) {
        self.trade_items += 1;
        let revised = self.change_every.is_some_and(|n| self.trade_items.is_multiple_of(n));
        self.changed_items += usize::from(revised);
        let x = &mut self.xml;
        x.open("catalogueItem");
        x.leaf("dataRecipient", gs1::as_str(&self.recipient));
        x.leaf("sourceDataPool", gs1::as_str(&self.data_pool));
        x.open("catalogueItemState");
        x.leaf("catalogueItemStateCode", "REGISTERED");
        x.close("catalogueItemState");
        trade_item(x, p, level, revised);
        if let Some(child) = level.child() {
            let x = &mut self.xml;
            x.open("catalogueItemChildItemLink");
            x.leaf_num("quantity", u64::from(p.quantity(level)));
            self.catalogue_item(p, child);
            self.xml.close("catalogueItemChildItemLink");
        }
        self.xml.close("catalogueItem");
    }
}

impl Read for CinGenerator {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for CinGenerator {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.xml.buf.len() {
            if !self.refill() {
                return Ok(&[]);
            }
        }
        Ok(&self.xml.buf[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.xml.buf.len() - self.pos);
        self.pos += amount;
        self.consumed += amount as u64;
    }
}

fn stamp(rng: &mut Rng) -> Stamp {
    Stamp {
        month: rng.range(1, 12),
        day: rng.range(1, 28),
        hour: rng.range(0, 23),
        minute: rng.range(0, 59),
        second: rng.range(0, 59),
        zone: rng.choose(ZONES),
    }
}

/// `entityIdentification` (`PREFIX-seed-n`) with its `contentOwner/gln`.
fn entity_identification(x: &mut Xml, prefix: &str, seed: u64, index: usize, owner: &[u8]) {
    x.start("entityIdentification");
    x.raw(prefix);
    x.num(seed);
    x.raw("-");
    x.num(index as u64 + 1);
    x.end("entityIdentification");
    x.open("contentOwner");
    x.leaf("gln", gs1::as_str(owner));
    x.close("contentOwner");
}

fn timestamp(x: &mut Xml, t: Stamp) {
    dated(x, YEAR, t);
}

/// A time of `t` in the year `year` (written with its dash).
fn dated(x: &mut Xml, year: &str, t: Stamp) {
    x.raw(year);
    x.num2(t.month);
    x.raw("-");
    x.num2(t.day);
    x.raw("T");
    x.num2(t.hour);
    x.raw(":");
    x.num2(t.minute);
    x.raw(":");
    x.num2(t.second);
    x.raw(t.zone);
}

fn flag(x: &mut Xml, name: &str, value: bool) {
    x.leaf(name, if value { "true" } else { "false" });
}

fn party(x: &mut Xml, role: &str, gln: &[u8], name: &str) {
    x.open(role);
    x.leaf("gln", gs1::as_str(gln));
    x.leaf("partyName", name);
    x.close(role);
}

fn trade_item(x: &mut Xml, p: &Product, level: Level, revised: bool) {
    let brand = p.brand;
    let gtin = p.gtin(level);
    let each = level == Level::Each;
    x.open("tradeItem");
    x.leaf("gtin", gs1::as_str(&gtin));
    if each {
        x.start_attr(
            "additionalTradeItemIdentification",
            "additionalTradeItemIdentificationTypeCode",
            "SUPPLIER_ASSIGNED",
        );
        x.raw("SKU-");
        x.raw(brand.prefix);
        x.raw("-");
        x.num(u64::from(p.item_reference));
        x.end("additionalTradeItemIdentification");
    }
    flag(x, "isTradeItemABaseUnit", each);
    flag(x, "isTradeItemAConsumerUnit", each);
    flag(x, "isTradeItemADespatchUnit", !each);
    flag(x, "isTradeItemAnInvoiceUnit", level != Level::Pallet);
    flag(x, "isTradeItemAnOrderableUnit", true);
    let descriptor = match level {
        Level::Each => "BASE_UNIT_OR_EACH",
        Level::Case => "CASE",
        Level::Pallet => "PALLET",
    };
    x.leaf("tradeItemUnitDescriptorCode", descriptor);
    let provider = gs1::gln(brand.prefix, 0);
    party(x, "brandOwner", &provider, brand.company);
    party(x, "informationProviderOfTradeItem", &provider, brand.company);
    if each {
        party(x, "manufacturerOfTradeItem", &gs1::gln(brand.prefix, 1), brand.factory);
    }
    x.open("gdsnTradeItemClassification");
    x.leaf("gpcCategoryCode", p.family.gpc_code);
    x.leaf("gpcCategoryName", p.family.gpc_name);
    x.close("gdsnTradeItemClassification");
    if let Some(child) = level.child() {
        let quantity = u64::from(p.quantity(level));
        x.open("nextLowerLevelTradeItemInformation");
        x.leaf_num("quantityOfChildren", 1);
        x.leaf_num("totalQuantityOfNextLowerLevelTradeItem", quantity);
        x.open("childTradeItem");
        x.leaf("gtin", gs1::as_str(&p.gtin(child)));
        x.leaf_num("quantityOfNextLowerLevelTradeItem", quantity);
        x.close("childTradeItem");
        x.close("nextLowerLevelTradeItemInformation");
    }
    x.open("targetMarket");
    x.leaf("targetMarketCountryCode", p.market);
    x.close("targetMarket");
    if each {
        contact(x, brand);
    }
    x.open("tradeItemInformation");
    x.open("extension");
    description_module(x, p, level, revised);
    files_module(x, p, &gtin);
    measurements_module(x, p, level);
    origin_module(x, p);
    x.close("extension");
    x.close("tradeItemInformation");
    x.open("tradeItemSynchronisationDates");
    x.start("lastChangeDateTime");
    dated(x, if revised { REVISED_YEAR } else { YEAR }, p.changed);
    x.end("lastChangeDateTime");
    x.start("effectiveDateTime");
    timestamp(x, Stamp { hour: 0, minute: 0, second: 0, ..p.changed });
    x.end("effectiveDateTime");
    x.start("publicationDateTime");
    timestamp(x, p.changed);
    x.end("publicationDateTime");
    x.close("tradeItemSynchronisationDates");
    x.close("tradeItem");
}

fn contact(x: &mut Xml, brand: &Brand) {
    x.open("tradeItemContactInformation");
    x.leaf("contactTypeCode", "CXC");
    x.leaf("contactAddress", brand.address);
    x.leaf("contactName", brand.company);
    x.open("targetMarketCommunicationChannel");
    let channels: [(&str, &str, &str); 3] = [
        ("TELEPHONE", "", brand.phone),
        ("EMAIL", "consumer", brand.domain),
        ("WEBSITE", "https://www.", brand.domain),
    ];
    for (code, lead, value) in channels {
        x.open("communicationChannel");
        x.leaf("communicationChannelCode", code);
        x.start("communicationValue");
        x.raw(lead);
        if code == "EMAIL" {
            x.raw("@");
        }
        x.raw(value);
        x.end("communicationValue");
        x.close("communicationChannel");
    }
    x.close("targetMarketCommunicationChannel");
    x.close("tradeItemContactInformation");
}

/// "{brand} {functional} {variant}" and, for packaging levels, the count.
fn short_text(x: &mut Xml, p: &Product, level: Level, lang: usize) {
    x.raw(p.brand.name);
    x.raw(" ");
    x.raw(p.family.functional[lang]);
    x.raw(" ");
    x.raw(p.variant[lang]);
    match level {
        Level::Each => net_text(x, p, lang),
        Level::Case | Level::Pallet => {
            let (before, after) = if level == Level::Case { CASE_OF[lang] } else { PALLET_OF[lang] };
            x.raw(", ");
            x.raw(before);
            x.num(u64::from(p.quantity(level)));
            x.raw(after);
        }
    }
}

fn net_text(x: &mut Xml, p: &Product, lang: usize) {
    if let Some(labels) = unit_label(p.family.net_unit) {
        x.raw(" ");
        x.num(u64::from(p.net));
        x.raw(" ");
        x.raw(labels[lang]);
    }
}

fn description_module(x: &mut Xml, p: &Product, level: Level, revised: bool) {
    const MODULE: &str = "trade_item_description:tradeItemDescriptionModule";
    x.open(MODULE);
    x.open("tradeItemDescriptionInformation");
    for (lang, code) in LANGUAGES.iter().enumerate() {
        x.start_attr("descriptionShort", "languageCode", code);
        short_text(x, p, level, lang);
        if revised {
            x.raw(REVISION);
        }
        x.end("descriptionShort");
    }
    for (lang, code) in LANGUAGES.iter().enumerate() {
        x.leaf_attr("functionalName", "languageCode", code, p.family.functional[lang]);
    }
    if level == Level::Each {
        for (lang, code) in LANGUAGES.iter().enumerate() {
            x.start_attr("tradeItemDescription", "languageCode", code);
            x.raw(p.brand.name);
            x.raw(" ");
            x.raw(p.family.long[lang]);
            x.raw(".");
            if let Some(sentence) = p.sentence {
                x.raw(" ");
                x.raw(sentence[lang]);
            }
            x.end("tradeItemDescription");
        }
    }
    x.open("brandNameInformation");
    x.leaf("brandName", p.brand.name);
    x.start("subBrand");
    x.raw(p.brand.sub_brand);
    x.raw(" ");
    x.raw(p.variant[0]);
    x.end("subBrand");
    x.close("brandNameInformation");
    x.close("tradeItemDescriptionInformation");
    x.close(MODULE);
}

fn files_module(x: &mut Xml, p: &Product, gtin: &[u8]) {
    const MODULE: &str = "referenced_file_detail_information:referencedFileDetailInformationModule";
    x.open(MODULE);
    let files = [("A1N1", "Front view", "TRUE"), ("A7N1", "Back of pack with label", "FALSE")];
    for (facing, caption, primary) in files {
        x.open("referencedFileHeader");
        x.leaf("referencedFileTypeCode", "PRODUCT_IMAGE");
        x.leaf_attr("contentDescription", "languageCode", "en", caption);
        x.leaf("fileFormatName", "JPEG");
        x.start("fileName");
        x.raw(gs1::as_str(gtin));
        x.raw("_");
        x.raw(facing);
        x.raw(".jpg");
        x.end("fileName");
        x.start("uniformResourceIdentifier");
        x.raw("https://images.");
        x.raw(p.brand.domain);
        x.raw("/");
        x.raw(gs1::as_str(gtin));
        x.raw("/");
        x.raw(gs1::as_str(gtin));
        x.raw("_");
        x.raw(facing);
        x.raw(".jpg");
        x.end("uniformResourceIdentifier");
        x.leaf("isPrimaryFile", primary);
        x.close("referencedFileHeader");
    }
    x.close(MODULE);
}

fn measure(x: &mut Xml, name: &str, unit: &str, value: u64) {
    x.start_attr(name, "measurementUnitCode", unit);
    x.num(value);
    x.end(name);
}

fn measurements_module(x: &mut Xml, p: &Product, level: Level) {
    const MODULE: &str = "trade_item_measurements:tradeItemMeasurementsModule";
    x.open(MODULE);
    let shape = p.shape(level);
    x.open("tradeItemMeasurements");
    measure(x, "depth", "MMT", shape.dims[0]);
    measure(x, "height", "MMT", shape.dims[1]);
    if level == Level::Each {
        measure(x, "netContent", p.family.net_unit, u64::from(p.net));
    }
    measure(x, "width", "MMT", shape.dims[2]);
    x.open("tradeItemWeight");
    measure(x, "grossWeight", "GRM", shape.weight);
    x.close("tradeItemWeight");
    x.close("tradeItemMeasurements");
    x.close(MODULE);
}

fn origin_module(x: &mut Xml, p: &Product) {
    const MODULE: &str = "place_of_item_activity:placeOfItemActivityModule";
    x.open(MODULE);
    x.open("placeOfProductActivity");
    x.open("countryOfOrigin");
    x.leaf("countryCode", p.brand.origin);
    x.close("countryOfOrigin");
    x.close("placeOfProductActivity");
    x.close(MODULE);
}
