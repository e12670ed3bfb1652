//! Small CIN messages for tests and latency benchmarks: one item each,
//! with the fields a test varies (id, GTIN, reload flag, change time,
//! description). The end-to-end suite, the daemon's reindex test and the
//! ingest-latency bench all build their messages here.

/// The GLN of the data recipient the messages are addressed to.
pub const RECIPIENT_GLN: &str = "5412345000006";
/// The information provider of every item.
pub const PROVIDER_GLN: &str = "3012345000000";
/// The data pool that sends them.
pub const POOL_GLN: &str = "5400000900006";

/// The GTIN-14 `03012` + `prefix` (3 digits) + `n` (5 digits) + check
/// digit: distinct, valid GTINs per test (a prefix per test).
///
/// # Panics
///
/// When `prefix` > 999 or `n` > 99,999 (the GTIN would be too long).
pub fn gtin(prefix: u32, n: u32) -> String {
    let body = format!("03012{prefix:03}{n:05}");
    assert_eq!(body.len(), 13, "gtin({prefix}, {n}): prefix or n too large");
    let sum: u32 =
        body.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// One small CIN: a single each, ADD, target market 250.
pub struct Cin<'a> {
    /// The message id (SBDH InstanceIdentifier; also used in the
    /// transaction, command and document ids).
    pub id: &'a str,
    /// The item's GTIN-14.
    pub gtin: &'a str,
    /// `isReload`.
    pub reload: bool,
    /// The item's `lastChangeDateTime` (decides which version wins).
    pub changed: &'a str,
    /// Its `descriptionShort` in English.
    pub description: &'a str,
}

impl<'a> Cin<'a> {
    /// Message `id` with item `gtin`, changed 2025-02-03T10:15:00+01:00.
    pub fn new(id: &'a str, gtin: &'a str) -> Cin<'a> {
        Cin { id, gtin, reload: false, changed: "2025-02-03T10:15:00+01:00", description: "E2E perfume" }
    }

    /// The message's XML.
    pub fn xml(&self) -> String {
        let Cin { id, gtin, reload, changed, description } = self;
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<catalogue_item_notification:catalogueItemNotificationMessage xmlns:catalogue_item_notification="urn:gs1:gdsn:catalogue_item_notification:xsd:3" xmlns:sh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
  <sh:StandardBusinessDocumentHeader>
    <sh:HeaderVersion>1.0</sh:HeaderVersion>
    <sh:Sender><sh:Identifier Authority="GS1">{POOL_GLN}</sh:Identifier></sh:Sender>
    <sh:Receiver><sh:Identifier Authority="GS1">{RECIPIENT_GLN}</sh:Identifier></sh:Receiver>
    <sh:DocumentIdentification>
      <sh:Standard>GS1</sh:Standard>
      <sh:TypeVersion>3.1</sh:TypeVersion>
      <sh:InstanceIdentifier>{id}</sh:InstanceIdentifier>
      <sh:Type>catalogueItemNotification</sh:Type>
      <sh:CreationDateAndTime>2025-06-02T08:00:00+02:00</sh:CreationDateAndTime>
    </sh:DocumentIdentification>
  </sh:StandardBusinessDocumentHeader>
  <transaction>
    <transactionIdentification><entityIdentification>{id}-T</entityIdentification><contentOwner><gln>{POOL_GLN}</gln></contentOwner></transactionIdentification>
    <documentCommand>
      <documentCommandHeader type="ADD"><documentCommandIdentification><entityIdentification>{id}-C</entityIdentification><contentOwner><gln>{POOL_GLN}</gln></contentOwner></documentCommandIdentification></documentCommandHeader>
      <catalogue_item_notification:catalogueItemNotification>
        <creationDateTime>2025-06-02T08:00:00+02:00</creationDateTime>
        <documentStatusCode>ORIGINAL</documentStatusCode>
        <catalogueItemNotificationIdentification><entityIdentification>{id}-D</entityIdentification><contentOwner><gln>{PROVIDER_GLN}</gln></contentOwner></catalogueItemNotificationIdentification>
        <isReload>{reload}</isReload>
        <catalogueItem>
          <dataRecipient>{RECIPIENT_GLN}</dataRecipient>
          <sourceDataPool>{POOL_GLN}</sourceDataPool>
          <tradeItem>
            <gtin>{gtin}</gtin>
            <isTradeItemABaseUnit>true</isTradeItemABaseUnit>
            <isTradeItemAConsumerUnit>true</isTradeItemAConsumerUnit>
            <isTradeItemADespatchUnit>false</isTradeItemADespatchUnit>
            <isTradeItemAnInvoiceUnit>true</isTradeItemAnInvoiceUnit>
            <isTradeItemAnOrderableUnit>true</isTradeItemAnOrderableUnit>
            <tradeItemUnitDescriptorCode>BASE_UNIT_OR_EACH</tradeItemUnitDescriptorCode>
            <informationProviderOfTradeItem><gln>{PROVIDER_GLN}</gln><partyName>E2E Brands</partyName></informationProviderOfTradeItem>
            <gdsnTradeItemClassification><gpcCategoryCode>10000251</gpcCategoryCode></gdsnTradeItemClassification>
            <targetMarket><targetMarketCountryCode>250</targetMarketCountryCode></targetMarket>
            <tradeItemInformation>
              <extension>
                <trade_item_description:tradeItemDescriptionModule xmlns:trade_item_description="urn:gs1:gdsn:trade_item_description:xsd:3">
                  <tradeItemDescriptionInformation>
                    <descriptionShort languageCode="en">{description}</descriptionShort>
                    <brandNameInformation><brandName>E2E</brandName></brandNameInformation>
                  </tradeItemDescriptionInformation>
                </trade_item_description:tradeItemDescriptionModule>
              </extension>
            </tradeItemInformation>
            <tradeItemSynchronisationDates><lastChangeDateTime>{changed}</lastChangeDateTime></tradeItemSynchronisationDates>
          </tradeItem>
        </catalogueItem>
      </catalogue_item_notification:catalogueItemNotification>
    </documentCommand>
  </transaction>
</catalogue_item_notification:catalogueItemNotificationMessage>
"#
        )
    }
}
