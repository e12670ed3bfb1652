//! The normalized product record: the contract with downstream search
//! consumers, described by `schemas/product-record.schema.json` and mapped
//! from GDSN paths in `schemas/field-mapping.md`.
//!
//! One record per trade item per key: every level of a hierarchy is a record.
//! A GTIN that appears several times in one hierarchy with identical content
//! is one record with several parents (the parser rejects differing content).

use serde::Serialize;

use crate::cin::{CatalogueItem, CinDocument};
use crate::ids::{Gln, Gtin, ItemKey, TargetMarket};
use crate::message::Command;
use crate::trade_item::ItemFacts;

/// The version of the record format; bump it on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// One normalized product record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductRecord {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// 14 digits.
    pub gtin: Gtin,
    /// ISO 3166-1 numeric, three digits.
    pub target_market: String,
    /// Upper-case ISO 3166-2, or null.
    pub target_market_subdivision: Option<String>,
    /// `catalogueItemStateCode`: REGISTERED, IN_PROGRESS, DISCONTINUED, CANCELED.
    pub state: Option<String>,
    /// Descriptive content (flattened).
    #[serde(flatten)]
    pub facts: ItemFacts,
    /// The next lower level, from `catalogueItemChildItemLink`.
    pub children: Vec<ChildRef>,
    /// GTINs of the items this one is packed in, within the hierarchy (empty for the top).
    pub parents: Vec<Gtin>,
    /// Where the record came from. Not part of the content hash.
    pub source: SourceInfo,
}

impl ProductRecord {
    /// The item key: information provider GLN + GTIN + target market. `None`
    /// only for a record whose provider GLN is not 13 digits, which the
    /// parser never produces.
    pub fn key(&self) -> Option<ItemKey> {
        let provider = Gln::new_lenient(self.facts.information_provider.gln.as_deref()?).ok()?;
        let target_market =
            TargetMarket::parse(&self.target_market, self.target_market_subdivision.as_deref()).ok()?;
        Some(ItemKey { provider, gtin: self.gtin, target_market })
    }
}

/// A child of a record with its quantity per parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildRef {
    /// The child's GTIN.
    pub gtin: Gtin,
    /// `catalogueItemChildItemLink/quantity`.
    pub quantity: Option<u64>,
}

/// Provenance of a record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    /// `sourceDataPool` GLN, or null.
    pub data_pool: Option<String>,
    /// SBDH `Sender/Identifier`.
    pub sender: Option<String>,
    /// SBDH `InstanceIdentifier`.
    pub message_id: Option<String>,
    /// The document command.
    pub command: Option<Command>,
    /// `documentStatusCode`.
    pub document_status: Option<String>,
    /// `isReload`.
    pub is_reload: bool,
}

/// The records of one accepted CIN document, top item first, then each
/// level in document order; a repeated GTIN is merged into its first record.
pub fn records_of(document: &CinDocument, source: &SourceInfo) -> Vec<ProductRecord> {
    let mut records: Vec<ProductRecord> = Vec::new();
    document.catalogue_item.walk(&mut |item, parent| {
        let gtin = item.trade_item.gtin;
        let parent_gtin = parent.map(|(p, _)| p.trade_item.gtin);
        let market = &item.trade_item.target_market;
        let same_key = |r: &&mut ProductRecord| {
            r.gtin == gtin
                && r.target_market == market.country()
                && r.target_market_subdivision.as_deref() == market.subdivision()
        };
        if let Some(existing) = records.iter_mut().find(same_key) {
            if let Some(p) = parent_gtin.filter(|p| !existing.parents.contains(p)) {
                existing.parents.push(p);
            }
            return;
        }
        records.push(record_of(item, parent_gtin, source));
    });
    records
}

fn record_of(item: &CatalogueItem, parent: Option<Gtin>, source: &SourceInfo) -> ProductRecord {
    let trade_item = &item.trade_item;
    let mut source = source.clone();
    source.data_pool.clone_from(&item.source_data_pool);
    ProductRecord {
        schema_version: SCHEMA_VERSION,
        gtin: trade_item.gtin,
        target_market: trade_item.target_market.country().to_owned(),
        target_market_subdivision: trade_item.target_market.subdivision().map(str::to_owned),
        state: item.state.clone(),
        facts: trade_item.facts.clone(),
        children: item
            .children
            .iter()
            .map(|link| ChildRef { gtin: link.catalogue_item.trade_item.gtin, quantity: link.quantity })
            .collect(),
        parents: parent.into_iter().collect(),
        source,
    }
}

/// The part of a record that counts as its content.
#[derive(Serialize)]
struct ContentView<'a> {
    gtin: &'a Gtin,
    target_market: &'a str,
    target_market_subdivision: &'a Option<String>,
    state: &'a Option<String>,
    facts: &'a ItemFacts,
    children: &'a [ChildRef],
}

impl ProductRecord {
    /// A 128-bit hash of the record's content: everything but `source` and
    /// `parents`, so the same item received in another message hashes the
    /// same, and an item shared by two hierarchies does not flip between
    /// them (the store keeps the parents of every hierarchy).
    pub fn content_hash(&self) -> u128 {
        let view = ContentView {
            gtin: &self.gtin,
            target_market: &self.target_market,
            target_market_subdivision: &self.target_market_subdivision,
            state: &self.state,
            facts: &self.facts,
            children: &self.children,
        };
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        // Serialising into the hasher avoids building the JSON text; the
        // field order is fixed by the struct, so the hash is deterministic.
        let _ = serde_json::to_writer(HashWriter(&mut hasher), &view);
        hasher.digest128()
    }
}

struct HashWriter<'a>(&'a mut xxhash_rust::xxh3::Xxh3);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
