//! `enrol`, `enrolments` and `unenrol`: the right holders whose catalogues
//! we subscribe to, one (provider GLN, target market) pair each.
//!
//! `enrol` builds a CIS (ADD) and an RFCIN (reload) with gdsn-writer and
//! hands them to the store, which records the enrolment and queues both
//! for the enrolment's connection in one transaction. The state then moves
//! with what the store sees (see gdsn-store's `enrol` module).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use gdsn_model::ids::{Gln, TargetMarket};
use gdsn_model::time::Timestamp;
use gdsn_store::{EnrolRequest, Enrolment, EnrolmentView, Outbound, Store};
use gdsn_writer::{
    Envelope, Subscription, SubscriptionCommand, catalogue_item_subscription,
    request_for_catalogue_item_notification,
};
use serde_json::json;

use crate::cli::StoreArgs;
use crate::ingest::{fail, open_store};

#[derive(Debug, Args)]
pub(crate) struct EnrolArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) pair: PairArgs,
    /// Subscribe only to this GPC brick (8 digits).
    #[arg(long, value_name = "BRICK")]
    pub(crate) gpc: Option<String>,
    /// The connection that carries the CIS and RFCIN (and later the CINs).
    #[arg(long, value_name = "NAME")]
    pub(crate) connection: String,
    #[command(flatten)]
    pub(crate) identity: IdentityArgs,
    /// Do not ask for a reload (no RFCIN).
    #[arg(long)]
    pub(crate) no_reload: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EnrolmentsArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UnenrolArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) pair: PairArgs,
    /// Also remove every live item of the pair (tombstones `unenrolled`,
    /// with outbox entries, so the index drops them on publish).
    #[arg(long)]
    pub(crate) purge: bool,
    #[command(flatten)]
    pub(crate) identity: IdentityArgs,
}

/// The pair an enrolment is about.
#[derive(Debug, Args)]
pub(crate) struct PairArgs {
    /// The information provider's (right holder's) GLN.
    #[arg(long, value_name = "GLN")]
    pub(crate) provider_gln: String,
    /// The target market country code (3 digits, `056`).
    #[arg(long, value_name = "TM")]
    pub(crate) target_market: String,
}

/// Who we are, and who our data pool is.
#[derive(Debug, Args)]
pub(crate) struct IdentityArgs {
    /// Our GLN as data recipient (the CIS sender); default: the config's
    /// `recipient_gln`, or for `unenrol` the enrolment's.
    #[arg(long, value_name = "GLN")]
    pub(crate) recipient_gln: Option<String>,
    /// Our data pool's GLN (the CIS receiver); for `unenrol` default: the
    /// enrolment's.
    #[arg(long, value_name = "GLN")]
    pub(crate) pool_gln: Option<String>,
    /// A configuration file: the connection must exist in it, and
    /// `recipient_gln` defaults from it.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

pub(crate) fn enrol(args: &EnrolArgs) -> ExitCode {
    match try_enrol(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

pub(crate) fn enrolments(args: &EnrolmentsArgs) -> ExitCode {
    let listed = open_store(&args.store).and_then(|store| Ok(store.enrolments()?));
    match listed {
        Ok(list) if args.json => {
            list.iter().for_each(|view| println!("{}", as_json(view)));
            ExitCode::SUCCESS
        }
        Ok(list) => {
            print_table(&list);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

pub(crate) fn unenrol(args: &UnenrolArgs) -> ExitCode {
    match try_unenrol(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn try_enrol(args: &EnrolArgs) -> Result<()> {
    let (provider, market) = pair(&args.pair)?;
    check_gpc(args.gpc.as_deref()).with_context(|| format!("--gpc {}", args.gpc.as_deref().unwrap_or("")))?;
    let config = args.identity.config.as_deref().map(gdsn_config::check).transpose()?;
    let mut recipient = args.identity.recipient_gln.clone();
    if let (Some(config), Some(file)) = (&config, &args.identity.config) {
        if config.connection(&args.connection).is_none() {
            bail!("connection `{}` is not in {}", args.connection, file.display());
        }
        recipient = recipient.or_else(|| config.recipient_gln.as_ref().map(ToString::to_string));
    }
    let recipient = gln("--recipient-gln", recipient.as_deref(), "needed: our GLN is the CIS sender")?;
    let pool = gln("--pool-gln", args.identity.pool_gln.as_deref(), "needed: the CIS goes to our data pool")?;
    let reload = !args.no_reload && config.as_ref().is_none_or(|c| c.enrolment.request_reload);
    let store = open_store(&args.store)?;
    let spec = EnrolSpec {
        provider_gln: provider,
        target_market: market,
        gpc: args.gpc.clone(),
        connection: args.connection.clone(),
        recipient_gln: recipient,
        pool_gln: pool,
        reload,
    };
    let request = enrol_request(&store, &spec)?;
    let enrolment = store.enrol(&request)?;
    store.flush()?;
    let queued = if request.rfcin.is_some() { "CIS and RFCIN" } else { "CIS" };
    println!(
        "enrolled {}: {}, {queued} queued for {}",
        enrolment.pair(),
        enrolment.state.as_str(),
        enrolment.connection
    );
    Ok(())
}

/// A checked enrolment: what `enrol` and `POST /v1/enrolments` both build
/// the CIS and RFCIN from.
#[derive(Debug, Clone)]
pub(crate) struct EnrolSpec {
    pub(crate) provider_gln: String,
    pub(crate) target_market: String,
    pub(crate) gpc: Option<String>,
    pub(crate) connection: String,
    pub(crate) recipient_gln: String,
    pub(crate) pool_gln: String,
    /// Also queue an RFCIN (reload).
    pub(crate) reload: bool,
}

/// The store's request for `spec`: the CIS (ADD) and, with `reload`, the
/// RFCIN, numbered from the store's sequence. Builds XML only; the caller
/// hands it to `Store::enrol` and flushes.
pub(crate) fn enrol_request(store: &Store, spec: &EnrolSpec) -> Result<EnrolRequest> {
    let sequence = store.next_sequence()?;
    let sub = Subscription {
        document_id: format!("CIS-{sequence}"),
        data_recipient: spec.recipient_gln.clone(),
        data_source: Some(spec.provider_gln.clone()),
        gtin: None,
        gpc_category_code: spec.gpc.clone(),
        target_market: Some(spec.target_market.clone()),
        recipient_data_pool: Some(spec.pool_gln.clone()),
    };
    let env = |kind: &str| Envelope {
        sender: spec.recipient_gln.clone(),
        receiver: spec.pool_gln.clone(),
        message_id: format!("GDSN-SYNC-ENROL-{sequence}-{kind}"),
        created: now(),
    };
    let cis_env = env("CIS");
    let cis = catalogue_item_subscription(&cis_env, SubscriptionCommand::Add, std::slice::from_ref(&sub))?;
    let rfcin = if spec.reload {
        let rfcin_env = env("RFCIN");
        let xml = request_for_catalogue_item_notification(&rfcin_env, &[sub], true)?;
        Some(Outbound { message_id: rfcin_env.message_id, receiver: spec.pool_gln.clone(), xml })
    } else {
        None
    };
    Ok(EnrolRequest {
        provider_gln: spec.provider_gln.clone(),
        target_market: spec.target_market.clone(),
        gpc: spec.gpc.clone(),
        connection: spec.connection.clone(),
        recipient_gln: spec.recipient_gln.clone(),
        cis: Outbound { message_id: cis_env.message_id, receiver: spec.pool_gln.clone(), xml: cis },
        rfcin,
    })
}

fn try_unenrol(args: &UnenrolArgs) -> Result<()> {
    let (provider, market) = pair(&args.pair)?;
    let pair = format!("{provider}/{market}");
    let store = open_store(&args.store)?;
    let Some(enrolment) = store.enrolment(&pair)? else { bail!("{pair} is not enrolled") };
    let config = args.identity.config.as_deref().map(gdsn_config::check).transpose()?;
    let recipient = args
        .identity
        .recipient_gln
        .clone()
        .or_else(|| config.as_ref().and_then(|c| c.recipient_gln.as_ref().map(ToString::to_string)));
    let recipient = recipient.unwrap_or(enrolment.recipient_gln.clone());
    let recipient = gln("--recipient-gln", Some(recipient.as_str()).filter(|r| !r.is_empty()), "needed")?;
    let pool = args.identity.pool_gln.clone().unwrap_or(enrolment.pool_gln.clone());
    let pool = gln("--pool-gln", Some(pool.as_str()).filter(|p| !p.is_empty()), "needed")?;
    let cis_delete = unenrol_message(&store, &enrolment, &recipient, &pool)?;
    store.unenrol(&pair, &cis_delete)?;
    store.flush()?;
    println!("unenrolled {pair}: CIS delete queued for {}", enrolment.connection);
    if args.purge {
        purge(&store, &provider, &market)?;
    }
    Ok(())
}

/// The CIS (DELETE) that ends `enrolment`, from `recipient` to `pool`
/// (checked GLNs), numbered from the store's sequence; the caller hands it
/// to `Store::unenrol`.
pub(crate) fn unenrol_message(
    store: &Store,
    enrolment: &Enrolment,
    recipient: &str,
    pool: &str,
) -> Result<Outbound> {
    let sequence = store.next_sequence()?;
    let sub = Subscription {
        document_id: format!("CIS-{sequence}"),
        data_recipient: recipient.to_owned(),
        data_source: Some(enrolment.provider_gln.clone()),
        gtin: None,
        gpc_category_code: enrolment.gpc.clone(),
        target_market: Some(enrolment.target_market.clone()),
        recipient_data_pool: Some(pool.to_owned()),
    };
    let env = Envelope {
        sender: recipient.to_owned(),
        receiver: pool.to_owned(),
        message_id: format!("GDSN-SYNC-UNENROL-{sequence}-CIS"),
        created: now(),
    };
    let xml = catalogue_item_subscription(&env, SubscriptionCommand::Delete, &[sub])?;
    Ok(Outbound { message_id: env.message_id, receiver: pool.to_owned(), xml })
}

fn purge(store: &Store, provider: &str, market: &str) -> Result<()> {
    let removed = store.purge_pair(provider, market)?;
    store.flush()?;
    println!(
        "purged {provider}/{market}: {removed} items removed (the index drops them on the next publish)"
    );
    Ok(())
}

/// Checks the pair's GLN (check digit) and target market (3 digits).
fn pair(args: &PairArgs) -> Result<(String, String)> {
    check_pair(&args.provider_gln, &args.target_market, ("--provider-gln", "--target-market"))
}

/// The pair as stored (`GLN`, `TM`), checked; `names` say which input was
/// wrong (the CLI's flags, the API's fields).
pub(crate) fn check_pair(provider: &str, market: &str, names: (&str, &str)) -> Result<(String, String)> {
    let gln = Gln::parse(provider.trim()).with_context(|| format!("{} {provider}", names.0))?;
    let tm = TargetMarket::parse(market.trim(), None).with_context(|| format!("{} {market}", names.1))?;
    Ok((gln.as_str().to_owned(), tm.country().to_owned()))
}

/// A GPC brick is 8 digits.
pub(crate) fn check_gpc(gpc: Option<&str>) -> Result<()> {
    match gpc {
        Some(gpc) if !(gpc.len() == 8 && gpc.bytes().all(|b| b.is_ascii_digit())) => {
            bail!("a GPC brick is 8 digits")
        }
        _ => Ok(()),
    }
}

/// `value` as a checked GLN; `flag` names the input, `why` says why it is
/// needed when it is missing.
pub(crate) fn gln(flag: &str, value: Option<&str>, why: &str) -> Result<String> {
    let Some(value) = value else { bail!("{flag} is {why}") };
    let gln = Gln::parse(value.trim()).with_context(|| format!("{flag} {value}"))?;
    Ok(gln.as_str().to_owned())
}

/// An enrolment as `enrolments --json` prints it and the API answers it.
pub(crate) fn as_json(view: &EnrolmentView) -> serde_json::Value {
    let mut value = serde_json::to_value(&view.enrolment).unwrap_or_default();
    value["pair"] = json!(view.enrolment.pair());
    value["items"] = json!(view.items);
    value
}

fn print_table(list: &[EnrolmentView]) {
    println!(
        "{:<18} {:<13} {:<16} {:>7}  {:<20}  error",
        "pair", "state", "connection", "items", "last message"
    );
    for view in list {
        let e = &view.enrolment;
        println!(
            "{:<18} {:<13} {:<16} {:>7}  {:<20}  {}",
            e.pair(),
            e.state.as_str(),
            e.connection,
            view.items,
            e.last_message_at.as_deref().unwrap_or("-"),
            e.error.as_deref().unwrap_or("")
        );
    }
}

fn now() -> Timestamp {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    Timestamp::from_unix_nanos(nanos - nanos % 1_000_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
}
