//! Turns a captured document tree into model types and checks a CIN
//! hierarchy the way a data recipient relies on it.

use std::collections::HashMap;
use std::sync::Arc;

use gdsn_model::cin::{CatalogueItem, ChildLink, CinDocument};
use gdsn_model::ids::Gtin;
use gdsn_model::message::{Command, CommandContext, Document, DocumentHeader, Envelope, MessageType};
use gdsn_model::record::{self, SourceInfo};
use gdsn_model::trade_item::ItemFacts;

use crate::context::Ctx;
use crate::trade_item::{self, StatedChild};
use crate::tree::{Namespaces, Node};
use crate::{ParsedDocument, RawItemRef, envelope, other};

/// Everything [`convert`] needs to know about where a document sits.
pub(crate) struct Input<'a> {
    pub(crate) message_type: MessageType,
    pub(crate) node: Option<Node<'a>>,
    pub(crate) base: &'a str,
    pub(crate) namespaces: &'a Namespaces,
    pub(crate) envelope: Option<&'a Arc<Envelope>>,
    pub(crate) context: CommandContext,
    pub(crate) index: usize,
    pub(crate) naive_zone: Option<chrono_tz::Tz>,
}

/// Converts one document of any type, with its diagnostics and, for a
/// CIN without errors, its records.
pub(crate) fn convert(input: Input<'_>) -> ParsedDocument {
    let mut parsed = ParsedDocument {
        message_type: input.message_type,
        index: input.index,
        context: input.context,
        envelope: input.envelope.cloned(),
        document: None,
        raw_reference: None,
        records: Vec::new(),
        diagnostics: Vec::new(),
        accepted: false,
    };
    let Some(node) = input.node else { return parsed };
    let mut ctx = Ctx::new(node, input.base, input.namespaces).in_zone(input.naive_zone);
    warn_foreign(node, &mut ctx);
    let command = parsed.context.command;
    parsed.document = match input.message_type {
        MessageType::Cin => cin_document(node, &mut ctx).map(|d| Document::Cin(Box::new(d))),
        MessageType::Cihw => {
            if command.is_some_and(|c| c != Command::Delete) {
                ctx.report("R1457", "CIHW command should be DELETE; accepted as a withdrawal", node);
            }
            Some(Document::Cihw(other::cihw(node, &mut ctx)))
        }
        MessageType::Cic => Some(Document::Cic(other::cic(node, &mut ctx))),
        MessageType::Cis => Some(Document::Cis(other::subscription(node, &mut ctx))),
        MessageType::Rfcin => Some(Document::Rfcin(other::subscription(node, &mut ctx))),
        MessageType::Cip => Some(Document::Cip(other::cip(node, &mut ctx))),
        MessageType::Gs1Response => Some(Document::Response(other::response(node, &mut ctx))),
    };
    if input.message_type == MessageType::Cin && parsed.document.is_none() {
        parsed.raw_reference = raw_reference(node);
    }
    if let (false, Some(Document::Cin(doc))) = (ctx.has_errors(), &parsed.document) {
        let source = SourceInfo {
            data_pool: None,
            sender: input.envelope.and_then(|e| e.sender.clone()),
            message_id: input.envelope.and_then(|e| e.instance_identifier.clone()),
            command,
            document_status: doc.header.status.clone(),
            is_reload: doc.is_reload,
        };
        parsed.records = record::records_of(doc, &source);
    }
    parsed.diagnostics = ctx.diags;
    parsed
}

/// The top trade item's identifiers as written, read from the same
/// elements the typed conversion reads, for a CIN it could not type.
fn raw_reference(node: Node<'_>) -> Option<RawItemRef> {
    let trade = node.at(&["catalogueItem", "tradeItem"])?;
    let text = |path: &[&str]| trade.value_at(path).map(str::to_owned);
    Some(RawItemRef {
        gtin: text(&["gtin"])?,
        information_provider: text(&["informationProviderOfTradeItem", "gln"])?,
        target_market_country: text(&["targetMarket", "targetMarketCountryCode"])?,
        target_market_subdivision: text(&["targetMarket", "targetMarketSubdivisionCode"]),
    })
}

/// Warns (W001) about elements in a namespace GS1 does not put there: they
/// are ignored, since matching is by namespace URI. Children of `extension`
/// are modules, each in its own namespace, and are exempt.
fn warn_foreign(node: Node<'_>, ctx: &mut Ctx<'_>) {
    for child in node.children() {
        if node.owns(child) || node.name() == "extension" {
            warn_foreign(child, ctx);
        } else {
            let uri = ctx.namespace(child);
            ctx.report(
                "W001",
                format!("element `{{{uri}}}{}` is in a foreign namespace; ignored", child.name()),
                child,
            );
        }
    }
}

/// The fields of `DocumentType` plus the document's own identification.
pub(crate) fn header(node: Node<'_>, id_element: &str, ctx: &mut Ctx<'_>) -> DocumentHeader {
    DocumentHeader {
        creation: ctx.timestamp(node.child("creationDateTime")),
        status: node.value_at(&["documentStatusCode"]).map(str::to_owned),
        id: node.child(id_element).map(envelope::entity_id),
    }
}

fn cin_document<'t>(node: Node<'t>, ctx: &mut Ctx<'t>) -> Option<CinDocument> {
    let header = header(node, "catalogueItemNotificationIdentification", ctx);
    let is_reload = ctx.boolean(node.child("isReload"));
    if node.child("isReload").and_then(Node::value).is_none() {
        ctx.report("M004", "catalogueItemNotification has no isReload", node);
    }
    warn_unknown_children(node, CIN_CHILDREN, ctx);
    let Some(item_node) = node.child("catalogueItem") else {
        ctx.report("M004", "catalogueItemNotification has no catalogueItem", node);
        return None;
    };
    let mut walk = Walk::default();
    let catalogue_item = catalogue_item(item_node, ctx, &mut walk)?;
    let document = CinDocument { header, is_reload: is_reload.unwrap_or(false), catalogue_item };
    if !ctx.has_errors() {
        check_duplicates(&document, &walk.nodes, ctx);
    }
    Some(document)
}

const CIN_CHILDREN: &[&str] = &[
    "creationDateTime",
    "documentStatusCode",
    "documentActionCode",
    "documentStructureVersion",
    "lastUpdateDateTime",
    "revisionNumber",
    "extension",
    "avpList",
    "catalogueItemNotificationIdentification",
    "isReload",
    "catalogueItem",
];
const CATALOGUE_ITEM_CHILDREN: &[&str] =
    &["dataRecipient", "sourceDataPool", "catalogueItemState", "tradeItem", "catalogueItemChildItemLink"];

fn warn_unknown_children(node: Node<'_>, known: &[&str], ctx: &mut Ctx<'_>) {
    for child in node.children() {
        if !known.contains(&child.name()) {
            ctx.report("W001", format!("unknown element `{}` ignored", child.name()), child);
        }
    }
}

/// State of the walk down one hierarchy.
#[derive(Default)]
struct Walk<'t> {
    /// GTINs from the top to the current item, to find cycles.
    ancestors: Vec<Gtin>,
    /// `catalogueItem` nodes of converted items, in the order of `CatalogueItem::walk`.
    nodes: Vec<Node<'t>>,
}

fn catalogue_item<'t>(node: Node<'t>, ctx: &mut Ctx<'t>, walk: &mut Walk<'t>) -> Option<CatalogueItem> {
    warn_unknown_children(node, CATALOGUE_ITEM_CHILDREN, ctx);
    let Some(trade_node) = node.child("tradeItem") else {
        ctx.report("M004", "catalogueItem has no tradeItem", node);
        return None;
    };
    let data_recipient = ctx.optional_gln(node.child("dataRecipient"));
    if node.child("dataRecipient").is_none() {
        ctx.report("R203", "catalogueItem has no dataRecipient", node);
    }
    let source_data_pool = ctx.optional_gln(node.child("sourceDataPool"));
    let state_node = node.child("catalogueItemState");
    let (trade_item, stated) = trade_item::trade_item(trade_node, ctx)?;
    let gtin = trade_item.gtin;
    if walk.ancestors.contains(&gtin) {
        let code = if walk.ancestors.last() == Some(&gtin) { "R454" } else { "M009" };
        ctx.report(code, format!("GTIN {gtin} is packed inside itself"), trade_node);
        return None;
    }
    walk.nodes.push(node);
    walk.ancestors.push(gtin);
    let mut children = Vec::new();
    for link in node.children_named("catalogueItemChildItemLink") {
        let quantity = ctx.count(link.child("quantity"));
        let Some(child_node) = link.child("catalogueItem") else {
            ctx.report("M004", "catalogueItemChildItemLink has no catalogueItem", link);
            continue;
        };
        if let Some(child) = catalogue_item(child_node, ctx, walk) {
            children.push(ChildLink { quantity, catalogue_item: child });
        }
    }
    walk.ancestors.pop();
    let item = CatalogueItem {
        data_recipient,
        source_data_pool,
        state: state_node.and_then(|s| s.value_at(&["catalogueItemStateCode"])).map(str::to_owned),
        cancel_date: ctx.timestamp(state_node.and_then(|s| s.child("cancelDateTime"))),
        discontinue_date: ctx.timestamp(state_node.and_then(|s| s.child("discontinueDateTime"))),
        trade_item,
        children,
    };
    check_links(&item, &stated, node, ctx);
    Some(item)
}

/// Compares the links (`catalogueItemChildItemLink`) with what the item
/// states about its children (`nextLowerLevelTradeItemInformation`).
fn check_links(item: &CatalogueItem, stated: &[StatedChild<'_>], node: Node<'_>, ctx: &mut Ctx<'_>) {
    let facts = &item.trade_item.facts;
    let own = item.trade_item.gtin;
    for child in stated {
        let Some(gtin) = child.gtin else { continue };
        if gtin == own {
            ctx.report("R454", format!("child GTIN {gtin} equals its parent's"), child.node);
            continue;
        }
        match item.children.iter().find(|l| l.catalogue_item.trade_item.gtin == gtin) {
            None => ctx.report(
                "M008",
                format!("child GTIN {gtin} has no catalogueItemChildItemLink in this hierarchy"),
                child.node,
            ),
            Some(link)
                if link.quantity != child.quantity && link.quantity.is_some() && child.quantity.is_some() =>
            {
                let msg = format!(
                    "child {gtin}: link quantity {} but quantityOfNextLowerLevelTradeItem {}",
                    link.quantity.unwrap_or_default(),
                    child.quantity.unwrap_or_default()
                );
                ctx.report("W007", msg, child.node);
            }
            Some(_) => {}
        }
    }
    check_totals(item, stated, node, ctx);
    for link in &item.children {
        let child = &link.catalogue_item.trade_item;
        if !stated.is_empty() && !stated.iter().any(|s| s.gtin == Some(child.gtin)) {
            ctx.report(
                "W007",
                format!("linked child {} is not listed in nextLowerLevelTradeItemInformation", child.gtin),
                node,
            );
        }
        if child.target_market.country() != item.trade_item.target_market.country() {
            ctx.report(
                "R475",
                format!(
                    "child {} is for target market {}, its parent for {}",
                    child.gtin, child.target_market, item.trade_item.target_market
                ),
                node,
            );
        }
    }
    let is_base =
        facts.is_base_unit == Some(true) || facts.unit_descriptor.as_deref() == Some("BASE_UNIT_OR_EACH");
    if is_base && !item.children.is_empty() {
        ctx.report("R96", format!("base unit {own} has child items"), node);
    }
    if facts.dates.discontinued.is_some() && facts.dates.cancelled.is_some() {
        ctx.report("R107", format!("{own} has both discontinued and cancelled dates"), node);
    }
}

fn check_totals(item: &CatalogueItem, stated: &[StatedChild<'_>], node: Node<'_>, ctx: &mut Ctx<'_>) {
    let Some(nll) = &item.trade_item.next_lower_level else { return };
    let Some(total) = nll.total_quantity else { return };
    let sum: u64 = stated.iter().filter_map(|s| s.quantity).sum();
    if sum != total {
        let msg =
            format!("child quantities add up to {sum}, totalQuantityOfNextLowerLevelTradeItem is {total}");
        ctx.report("R202", msg, node);
    }
}

/// A GTIN may appear several times in one hierarchy (a mixed pallet) but
/// only with identical content; otherwise which one is true is unknowable.
fn check_duplicates(document: &CinDocument, nodes: &[Node<'_>], ctx: &mut Ctx<'_>) {
    let mut first: HashMap<(Gtin, String), &CatalogueItem> = HashMap::new();
    let mut index = 0;
    let mut clashes = Vec::new();
    document.catalogue_item.walk(&mut |item, _| {
        let key = (item.trade_item.gtin, item.trade_item.target_market.to_string());
        match first.get(&key) {
            Some(earlier) if !same_content(earlier, item) => clashes.push((index, item.trade_item.gtin)),
            Some(_) => {}
            None => {
                first.insert(key, item);
            }
        }
        index += 1;
    });
    for (i, gtin) in clashes {
        if let Some(&node) = nodes.get(i) {
            ctx.report(
                "M007",
                format!("GTIN {gtin} appears again in this hierarchy with different content"),
                node,
            );
        }
    }
}

fn same_content(a: &CatalogueItem, b: &CatalogueItem) -> bool {
    let links = |c: &CatalogueItem| -> Vec<(Gtin, Option<u64>)> {
        c.children.iter().map(|l| (l.catalogue_item.trade_item.gtin, l.quantity)).collect()
    };
    a.trade_item == b.trade_item && a.state == b.state && links(a) == links(b)
}

/// Reads the information modules under `tradeItemInformation/extension`.
/// Modules are matched by local name; one in the empty namespace is a
/// dialect seen in real traffic (W003, once per item).
pub(crate) fn modules(trade_node: Node<'_>, facts: &mut ItemFacts, ctx: &mut Ctx<'_>) {
    let mut warned = false;
    for info in trade_node.children_named("tradeItemInformation") {
        for extension in info.children_named("extension") {
            for module in extension.children() {
                let uri = ctx.namespace(module);
                if !uri.is_empty() && !uri.starts_with("urn:gs1:gdsn:") {
                    continue;
                }
                if !warned && uri.is_empty() {
                    warned = true;
                    ctx.report(
                        "W003",
                        format!("module `{}` is in the empty namespace", module.name()),
                        module,
                    );
                }
                read_module(module, facts, ctx);
            }
        }
    }
}

fn read_module(module: Node<'_>, facts: &mut ItemFacts, ctx: &mut Ctx<'_>) {
    match module.name() {
        "tradeItemDescriptionModule" => {
            for info in module.children_named("tradeItemDescriptionInformation") {
                description(info, facts, ctx);
            }
        }
        "referencedFileDetailInformationModule" => {
            facts.images.extend(module.children_named("referencedFileHeader").filter_map(trade_item::image));
        }
        "tradeItemMeasurementsModule" => {
            if let Some(m) = module.child("tradeItemMeasurements") {
                facts
                    .net_contents
                    .extend(m.children_named("netContent").filter_map(|n| trade_item::measure(Some(n))));
                facts.dimensions = trade_item::dimensions(m);
                facts.gross_weight = trade_item::measure(m.at(&["tradeItemWeight", "grossWeight"]));
                facts.net_weight = trade_item::measure(m.at(&["tradeItemWeight", "netWeight"]));
            }
        }
        "placeOfItemActivityModule" => {
            for place in module.children_named("placeOfProductActivity") {
                let codes =
                    place.children_named("countryOfOrigin").filter_map(|c| c.value_at(&["countryCode"]));
                facts.countries_of_origin.extend(codes.map(pad_country));
            }
        }
        "packagingInformationModule" => {
            let codes = module.children_named("packaging").filter_map(|p| p.value_at(&["packagingTypeCode"]));
            facts.packaging_types.extend(codes.map(str::to_owned));
        }
        "tradeItemDataCarrierAndIdentificationModule" => {
            let codes =
                module.children_named("dataCarrier").filter_map(|d| d.value_at(&["dataCarrierTypeCode"]));
            facts.data_carriers.extend(codes.map(str::to_owned));
        }
        _ => {}
    }
}

fn description(info: Node<'_>, facts: &mut ItemFacts, ctx: &mut Ctx<'_>) {
    if let Some(brand) = info.child("brandNameInformation") {
        facts.brand_name =
            facts.brand_name.take().or_else(|| brand.value_at(&["brandName"]).map(str::to_owned));
        facts.sub_brand = facts.sub_brand.take().or_else(|| brand.value_at(&["subBrand"]).map(str::to_owned));
    }
    for child in info.children() {
        let map = match child.name() {
            "tradeItemDescription" => &mut facts.descriptions,
            "descriptionShort" => &mut facts.short_descriptions,
            "functionalName" => &mut facts.functional_names,
            "variantDescription" => &mut facts.variant_descriptions,
            _ => continue,
        };
        trade_item::add_text(map, child, ctx);
    }
}

/// ISO 3166-1 numeric codes are written as three digits, as target markets are.
fn pad_country(code: &str) -> String {
    if (1..3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("{code:0>3}")
    } else {
        code.to_owned()
    }
}
