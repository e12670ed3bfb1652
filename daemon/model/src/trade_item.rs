//! A trade item as the parser reads it: identity, hierarchy data and the
//! facts a customs officer needs to recognise the genuine product.
//!
//! `ItemFacts` is shared with the normalized record (flattened into it), so
//! a field added here reaches downstream consumers: update
//! `schemas/product-record.schema.json` and `schemas/field-mapping.md` with it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ids::{Gln, Gtin, ItemKey, TargetMarket};
use crate::time::Timestamp;

/// Text by ISO 639 language code, in code order (deterministic output).
pub type LangMap = BTreeMap<String, String>;

/// One trade item (one level of a hierarchy).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TradeItem {
    /// `gtin`.
    pub gtin: Gtin,
    /// `targetMarket/targetMarketCountryCode` (+ subdivision).
    pub target_market: TargetMarket,
    /// The descriptive content.
    #[serde(flatten)]
    pub facts: ItemFacts,
    /// `nextLowerLevelTradeItemInformation`, the children as the item's own data states them.
    pub next_lower_level: Option<NextLowerLevel>,
}

impl TradeItem {
    /// The item key: information provider GLN + GTIN + target market, the
    /// key [`ProductRecord::key`](crate::record::ProductRecord::key) gives
    /// this item's record. `None` when the provider GLN is missing or not 13
    /// digits (the parser rejects such a document).
    pub fn key(&self) -> Option<ItemKey> {
        let provider = Gln::new_lenient(self.facts.information_provider.gln.as_deref()?).ok()?;
        Some(ItemKey { provider, gtin: self.gtin, target_market: self.target_market.clone() })
    }
}

/// `nextLowerLevelTradeItemInformation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NextLowerLevel {
    /// `quantityOfChildren`.
    pub quantity_of_children: Option<u64>,
    /// `totalQuantityOfNextLowerLevelTradeItem`.
    pub total_quantity: Option<u64>,
    /// `childTradeItem/{gtin, quantityOfNextLowerLevelTradeItem}` (GTINs as given).
    pub children: Vec<(String, Option<u64>)>,
}

/// A party in a role: `informationProviderOfTradeItem`, `brandOwner`, ...
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Party {
    /// Its GLN, kept as given (a wrong check digit is only a warning).
    pub gln: Option<String>,
    /// `partyName`, trimmed.
    pub name: Option<String>,
}

/// A measurement with its UN/ECE Rec 20 unit (`MMT`, `GRM`, `MLT`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Measure {
    /// The decimal value as written (trimmed), so no precision is lost.
    pub value: String,
    /// `@measurementUnitCode`.
    pub unit: Option<String>,
}

/// Outer dimensions of the item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Dimensions {
    /// `height`.
    pub height: Option<Measure>,
    /// `width`.
    pub width: Option<Measure>,
    /// `depth`.
    pub depth: Option<Measure>,
}

/// A referenced file of type image (`referencedFileHeader`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Image {
    /// `uniformResourceIdentifier`.
    pub url: String,
    /// `referencedFileTypeCode` (PRODUCT_IMAGE, ...).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `fileLanguageCode`.
    pub language: Option<String>,
}

/// `tradeItemContactInformation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Contact {
    /// `contactTypeCode` (CXC consumer support, BZL brand owner, ...).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `contactName`.
    pub name: Option<String>,
    /// `contactAddress`.
    pub address: Option<String>,
    /// `communicationChannel/{communicationChannelCode, communicationValue}`.
    pub channels: Vec<Channel>,
}

/// One way of reaching a contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Channel {
    /// TELEPHONE, EMAIL, WEBSITE, ...
    pub code: Option<String>,
    /// The number, address or URL.
    pub value: String,
}

/// `gdsnTradeItemClassification`: the GPC brick, IPM's "type of good".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct GpcBrick {
    /// `gpcCategoryCode` (8 digits).
    pub code: Option<String>,
    /// `gpcCategoryName`.
    pub name: Option<String>,
}

/// `tradeItemSynchronisationDates`, in RFC 3339 UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemDates {
    /// `lastChangeDateTime`: the item's version for ordering updates.
    pub last_change: Option<Timestamp>,
    /// `effectiveDateTime`.
    pub effective: Option<Timestamp>,
    /// `publicationDateTime`.
    pub publication: Option<Timestamp>,
    /// `discontinuedDateTime`.
    pub discontinued: Option<Timestamp>,
    /// `cancelledDateTime`.
    pub cancelled: Option<Timestamp>,
}

/// An `additionalTradeItemIdentification`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AdditionalId {
    /// `@additionalTradeItemIdentificationTypeCode`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The identifier.
    pub value: String,
}

/// Everything descriptive about a trade item. Flattened into the record.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ItemFacts {
    /// `informationProviderOfTradeItem`.
    pub information_provider: Party,
    /// `brandOwner`.
    pub brand_owner: Option<Party>,
    /// `manufacturerOfTradeItem`.
    pub manufacturers: Vec<Party>,
    /// `brandNameInformation/brandName`.
    pub brand_name: Option<String>,
    /// `brandNameInformation/subBrand`.
    pub sub_brand: Option<String>,
    /// `tradeItemDescription` by language.
    pub descriptions: LangMap,
    /// `descriptionShort` by language.
    pub short_descriptions: LangMap,
    /// `functionalName` by language.
    pub functional_names: LangMap,
    /// `variantDescription` by language.
    pub variant_descriptions: LangMap,
    /// `tradeItemUnitDescriptorCode` (BASE_UNIT_OR_EACH, CASE, PALLET, ...).
    pub unit_descriptor: Option<String>,
    /// `isTradeItemAConsumerUnit`.
    pub is_consumer_unit: Option<bool>,
    /// `isTradeItemABaseUnit`.
    pub is_base_unit: Option<bool>,
    /// `gdsnTradeItemClassification`.
    pub gpc_brick: GpcBrick,
    /// `netContent`, one per unit.
    pub net_contents: Vec<Measure>,
    /// `height`, `width`, `depth`.
    pub dimensions: Dimensions,
    /// `tradeItemWeight/grossWeight`.
    pub gross_weight: Option<Measure>,
    /// `tradeItemWeight/netWeight`.
    pub net_weight: Option<Measure>,
    /// `countryOfOrigin/countryCode` (ISO 3166-1 numeric, as given).
    pub countries_of_origin: Vec<String>,
    /// Product images and other referenced files with a URI.
    pub images: Vec<Image>,
    /// `tradeItemContactInformation`.
    pub contacts: Vec<Contact>,
    /// `packaging/packagingTypeCode` values.
    pub packaging_types: Vec<String>,
    /// `dataCarrier/dataCarrierTypeCode` values (EAN_13, ...): what is printed on the pack.
    pub data_carriers: Vec<String>,
    /// `additionalTradeItemIdentification`.
    pub additional_ids: Vec<AdditionalId>,
    /// `tradeItemSynchronisationDates`.
    pub dates: ItemDates,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_provider_gtin_and_market() {
        let item = |gln: Option<&str>| TradeItem {
            gtin: Gtin::parse("05412345000105").unwrap(),
            target_market: TargetMarket::parse("56", Some("be-bru")).unwrap(),
            facts: ItemFacts {
                information_provider: Party { gln: gln.map(str::to_owned), name: None },
                ..ItemFacts::default()
            },
            next_lower_level: None,
        };
        let key = item(Some("5412345000013")).key().unwrap();
        assert_eq!(key.to_string(), "5412345000013/05412345000105/056/BE-BRU");
        assert!(item(Some("5412345000010")).key().is_some(), "a wrong GLN check digit is kept");
        assert!(item(Some("541234500001")).key().is_none());
        assert!(item(None).key().is_none());
    }
}
