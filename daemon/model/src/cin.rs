//! The Catalogue Item Notification document: one hierarchy per document.

use serde::Serialize;

use crate::message::DocumentHeader;
use crate::time::Timestamp;
use crate::trade_item::TradeItem;

/// One `catalogueItemNotification` document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CinDocument {
    /// Creation time, status and identification.
    pub header: DocumentHeader,
    /// `isReload`: a resend requested with RFCIN.
    pub is_reload: bool,
    /// The top of the hierarchy.
    pub catalogue_item: CatalogueItem,
}

/// A `catalogueItem`: a trade item with its children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogueItem {
    /// `dataRecipient` (GLN as given).
    pub data_recipient: Option<String>,
    /// `sourceDataPool` (GLN as given).
    pub source_data_pool: Option<String>,
    /// `catalogueItemState/catalogueItemStateCode`.
    pub state: Option<String>,
    /// `catalogueItemState/cancelDateTime`.
    pub cancel_date: Option<Timestamp>,
    /// `catalogueItemState/discontinueDateTime`.
    pub discontinue_date: Option<Timestamp>,
    /// The item itself.
    pub trade_item: TradeItem,
    /// `catalogueItemChildItemLink`: the next lower level.
    pub children: Vec<ChildLink>,
}

/// One `catalogueItemChildItemLink`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildLink {
    /// `quantity`.
    pub quantity: Option<u64>,
    /// The child.
    pub catalogue_item: CatalogueItem,
}

impl CatalogueItem {
    /// Visits this item and every descendant, parents before children, with
    /// the parent's item and the link quantity.
    pub fn walk<'a>(
        &'a self,
        visit: &mut dyn FnMut(&'a CatalogueItem, Option<(&'a CatalogueItem, Option<u64>)>),
    ) {
        visit(self, None);
        self.walk_children(visit);
    }

    fn walk_children<'a>(
        &'a self,
        visit: &mut dyn FnMut(&'a CatalogueItem, Option<(&'a CatalogueItem, Option<u64>)>),
    ) {
        for link in &self.children {
            visit(&link.catalogue_item, Some((self, link.quantity)));
            link.catalogue_item.walk_children(visit);
        }
    }
}
