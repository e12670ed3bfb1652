//! `tradeItem` → [`TradeItem`]: identity, hierarchy data and the facts
//! (paths in `schemas/field-mapping.md`).

use gdsn_model::ids::{Gln, Gtin, TargetMarket};
use gdsn_model::trade_item::{
    AdditionalId, Channel, Contact, Dimensions, GpcBrick, Image, ItemDates, ItemFacts, LangMap, Measure,
    NextLowerLevel, Party, TradeItem,
};

use crate::context::Ctx;
use crate::tree::Node;

/// A `childTradeItem` of `nextLowerLevelTradeItemInformation`, kept with
/// its node so hierarchy checks can point at it.
pub(crate) struct StatedChild<'t> {
    pub(crate) gtin: Option<Gtin>,
    pub(crate) quantity: Option<u64>,
    pub(crate) node: Node<'t>,
}

/// Reads a trade item. `None` when its identity (GTIN, target market or
/// information provider) is missing or invalid; the error is in `ctx`.
pub(crate) fn trade_item<'t>(node: Node<'t>, ctx: &mut Ctx<'t>) -> Option<(TradeItem, Vec<StatedChild<'t>>)> {
    let gtin = gtin(node, ctx);
    let target_market = target_market(node, ctx);
    provider_gln(node, ctx);
    let (next_lower_level, stated) = next_lower_level(node, ctx);
    let facts = facts(node, ctx);
    let trade_item = TradeItem { gtin: gtin?, target_market: target_market?, facts, next_lower_level };
    Some((trade_item, stated))
}

fn gtin(node: Node<'_>, ctx: &mut Ctx<'_>) -> Option<Gtin> {
    let Some(gtin_node) = node.child("gtin").filter(|n| n.value().is_some()) else {
        ctx.report("M004", "tradeItem has no gtin", node);
        return None;
    };
    let text = ctx.trimmed(gtin_node)?;
    match Gtin::parse(text) {
        Ok(g) => Some(g),
        Err(e) => {
            ctx.report("R447", format!("trade item {e}"), gtin_node);
            None
        }
    }
}

fn target_market(node: Node<'_>, ctx: &mut Ctx<'_>) -> Option<TargetMarket> {
    let tm = node.child("targetMarket");
    let Some(country) = tm.and_then(|t| t.child("targetMarketCountryCode")).filter(|n| n.value().is_some())
    else {
        ctx.report("M006", "tradeItem has no targetMarket/targetMarketCountryCode", tm.unwrap_or(node));
        return None;
    };
    let code = ctx.trimmed(country)?;
    let subdivision = tm.and_then(|t| t.value_at(&["targetMarketSubdivisionCode"]));
    match TargetMarket::parse(code, subdivision) {
        Ok(tm) => Some(tm),
        Err(e) => {
            ctx.report("M006", e.to_string(), country);
            None
        }
    }
}

/// The information provider's GLN is part of the item key: it must be
/// there and have 13 digits; a wrong check digit is only a warning (R448).
fn provider_gln(node: Node<'_>, ctx: &mut Ctx<'_>) -> Option<Gln> {
    let provider = node.child("informationProviderOfTradeItem");
    let Some(gln_node) = provider.and_then(|p| p.child("gln")).filter(|n| n.value().is_some()) else {
        ctx.report("M004", "tradeItem has no informationProviderOfTradeItem/gln", provider.unwrap_or(node));
        return None;
    };
    let text = ctx.trimmed(gln_node)?;
    match Gln::new_lenient(text) {
        Ok(gln) => {
            if !gln.check_digit_ok() {
                ctx.report(
                    "R448",
                    format!("information provider GLN `{text}` has a wrong check digit; kept as given"),
                    gln_node,
                );
            }
            Some(gln)
        }
        Err(e) => {
            ctx.report("M005", format!("information provider {e}"), gln_node);
            None
        }
    }
}

fn next_lower_level<'t>(node: Node<'t>, ctx: &mut Ctx<'t>) -> (Option<NextLowerLevel>, Vec<StatedChild<'t>>) {
    let Some(nll) = node.child("nextLowerLevelTradeItemInformation") else {
        return (None, Vec::new());
    };
    let mut stated = Vec::new();
    let mut model = NextLowerLevel {
        quantity_of_children: ctx.count(nll.child("quantityOfChildren")),
        total_quantity: ctx.count(nll.child("totalQuantityOfNextLowerLevelTradeItem")),
        children: Vec::new(),
    };
    for child in nll.children_named("childTradeItem") {
        let quantity = ctx.count(child.child("quantityOfNextLowerLevelTradeItem"));
        let raw = child.value_at(&["gtin"]);
        let gtin = match (raw, child.child("gtin")) {
            (Some(text), Some(gtin_node)) => match Gtin::parse(text) {
                Ok(g) => Some(g),
                Err(e) => {
                    ctx.report("R471", format!("child {e}"), gtin_node);
                    None
                }
            },
            _ => {
                ctx.report("M004", "childTradeItem has no gtin", child);
                None
            }
        };
        model.children.push((raw.unwrap_or_default().to_owned(), quantity));
        stated.push(StatedChild { gtin, quantity, node: child });
    }
    (Some(model), stated)
}

fn facts(node: Node<'_>, ctx: &mut Ctx<'_>) -> ItemFacts {
    let mut facts = ItemFacts {
        information_provider: party(node.child("informationProviderOfTradeItem")),
        brand_owner: node.child("brandOwner").map(|p| party(Some(p))),
        manufacturers: node.children_named("manufacturerOfTradeItem").map(|p| party(Some(p))).collect(),
        unit_descriptor: node.value_at(&["tradeItemUnitDescriptorCode"]).map(str::to_owned),
        is_consumer_unit: ctx.boolean(node.child("isTradeItemAConsumerUnit")),
        is_base_unit: ctx.boolean(node.child("isTradeItemABaseUnit")),
        gpc_brick: GpcBrick {
            code: node.value_at(&["gdsnTradeItemClassification", "gpcCategoryCode"]).map(str::to_owned),
            name: node.value_at(&["gdsnTradeItemClassification", "gpcCategoryName"]).map(str::to_owned),
        },
        contacts: node.children_named("tradeItemContactInformation").map(contact).collect(),
        additional_ids: node
            .children_named("additionalTradeItemIdentification")
            .filter_map(additional_id)
            .collect(),
        dates: dates(node.child("tradeItemSynchronisationDates"), ctx),
        ..ItemFacts::default()
    };
    // Other parties' GLNs are informative: kept when 13 digits (R448 if the
    // check digit is wrong), dropped with W008 otherwise.
    if let Some(owner) = facts.brand_owner.as_mut() {
        owner.gln = ctx.optional_gln(node.at(&["brandOwner", "gln"]));
    }
    let manufacturers = node.children_named("manufacturerOfTradeItem");
    for (party, manufacturer) in facts.manufacturers.iter_mut().zip(manufacturers) {
        party.gln = ctx.optional_gln(manufacturer.child("gln"));
    }
    if facts.dates.last_change.is_none() {
        ctx.report("M004", "tradeItem has no tradeItemSynchronisationDates/lastChangeDateTime", node);
    }
    crate::cin::modules(node, &mut facts, ctx);
    if facts.brand_name.is_none() {
        ctx.report("R1063", "tradeItem has no brandName", node);
    }
    facts
}

fn party(node: Option<Node<'_>>) -> Party {
    Party {
        gln: node.and_then(|n| n.value_at(&["gln"])).map(str::to_owned),
        name: node.and_then(|n| n.value_at(&["partyName"])).map(str::to_owned),
    }
}

fn contact(node: Node<'_>) -> Contact {
    let channels = node
        .children_named("targetMarketCommunicationChannel")
        .flat_map(|t| t.children_named("communicationChannel"))
        .filter_map(|c| {
            Some(Channel {
                code: c.value_at(&["communicationChannelCode"]).map(str::to_owned),
                value: c.value_at(&["communicationValue"])?.to_owned(),
            })
        })
        .collect();
    Contact {
        kind: node.value_at(&["contactTypeCode"]).map(str::to_owned),
        name: node.value_at(&["contactName"]).map(str::to_owned),
        address: node.value_at(&["contactAddress"]).map(str::to_owned),
        channels,
    }
}

fn additional_id(node: Node<'_>) -> Option<AdditionalId> {
    Some(AdditionalId {
        kind: node.attr("additionalTradeItemIdentificationTypeCode").map(str::to_owned),
        value: node.value()?.to_owned(),
    })
}

fn dates(node: Option<Node<'_>>, ctx: &mut Ctx<'_>) -> ItemDates {
    let Some(node) = node else { return ItemDates::default() };
    ItemDates {
        last_change: ctx.timestamp(node.child("lastChangeDateTime")),
        effective: ctx.timestamp(node.child("effectiveDateTime")),
        publication: ctx.timestamp(node.child("publicationDateTime")),
        discontinued: ctx.timestamp(node.child("discontinuedDateTime")),
        cancelled: ctx.timestamp(node.child("cancelledDateTime")),
    }
}

/// A measurement element (`height`, `netContent`, ...).
pub(crate) fn measure(node: Option<Node<'_>>) -> Option<Measure> {
    let node = node?;
    Some(Measure {
        value: node.value()?.to_owned(),
        unit: node.attr("measurementUnitCode").map(str::to_owned),
    })
}

/// Adds a language-tagged text to `map`; for a repeated language the first
/// text wins, with a warning (W006).
pub(crate) fn add_text(map: &mut LangMap, node: Node<'_>, ctx: &mut Ctx<'_>) {
    let Some(text) = node.value() else { return };
    let lang = language(node, ctx);
    if map.contains_key(&lang) {
        let msg = format!("second `{}` text for language `{lang}`; the first is kept", node.name());
        ctx.report("W006", msg, node);
        return;
    }
    map.insert(lang, text.to_owned());
}

/// The ISO 639 code of a text, lower case with `-` (`en_US` becomes
/// `en-us`); a missing or malformed code becomes `und` (undetermined).
fn language(node: Node<'_>, ctx: &mut Ctx<'_>) -> String {
    let Some(raw) = node.attr("languageCode") else { return "und".to_owned() };
    let code = raw.trim().to_ascii_lowercase().replace('_', "-");
    let mut parts = code.split('-');
    let primary_ok =
        parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    let rest_ok =
        parts.all(|p| !p.is_empty() && p.len() <= 8 && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        return code;
    }
    ctx.report("W008", format!("language code `{raw}` is not an ISO 639 code; text kept as `und`"), node);
    "und".to_owned()
}

/// Reads the dimension triple.
pub(crate) fn dimensions(node: Node<'_>) -> Dimensions {
    Dimensions {
        height: measure(node.child("height")),
        width: measure(node.child("width")),
        depth: measure(node.child("depth")),
    }
}

/// A referenced file with a URI.
/// Only pictures are kept (PRODUCT_IMAGE, PRODUCT_LABEL_IMAGE, ... or an
/// untyped file): safety data sheets and videos are not a product card's.
pub(crate) fn image(node: Node<'_>) -> Option<Image> {
    let kind = node.value_at(&["referencedFileTypeCode"]);
    if kind.is_some_and(|k| !k.contains("IMAGE")) {
        return None;
    }
    Some(Image {
        url: node.value_at(&["uniformResourceIdentifier"])?.to_owned(),
        kind: kind.map(str::to_owned),
        language: node.value_at(&["fileLanguageCode"]).map(|l| l.to_ascii_lowercase()),
    })
}
