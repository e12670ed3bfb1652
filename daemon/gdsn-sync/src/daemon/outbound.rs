//! Carrying queued replies (CIC, GS1 Response) and enrolment messages
//! (CIS, RFCIN) back to each connection's pool: files written to the drop
//! folder's `outbound/`, or POSTs to the pool's API. A reply leaves the
//! store only after its transport took it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use gdsn_config::{Connection, ReplyKind};
use gdsn_dropfolder::{DropFolder, reply_file_name};
use gdsn_poll::PoolClient;
use gdsn_store::PendingReply;
use tracing::{debug, info, warn};

use super::Shared;
use super::connections::Poller;

/// How often queued replies are looked at without a wake-up (a failed
/// delivery is retried then).
const RETRY_EVERY: Duration = Duration::from_secs(30);

/// Where one connection's replies go.
pub(crate) struct Sender {
    name: String,
    kinds: Vec<ReplyKind>,
    way: Way,
}

enum Way {
    Folder(Arc<Mutex<DropFolder>>),
    Api(Arc<PoolClient>),
}

impl Sender {
    pub(crate) fn for_poller(connection: &Connection, poller: &Poller) -> Option<Sender> {
        let way = match poller {
            Poller::Drop(folder) => Way::Folder(Arc::clone(folder)),
            Poller::Inbox(client) | Poller::Changes(client) => Way::Api(Arc::clone(client)),
        };
        Some(Sender { name: connection.name.clone(), kinds: connection.replies.clone(), way })
    }

    /// A webhook connection with an `http` table posts its replies there.
    pub(crate) fn for_webhook(connection: &Connection) -> Result<Sender> {
        let client = PoolClient::new(connection)
            .with_context(|| format!("connection {}: building its HTTP client", connection.name))?;
        Ok(Sender {
            name: connection.name.clone(),
            kinds: connection.replies.clone(),
            way: Way::Api(Arc::new(client)),
        })
    }

    /// Whether this connection sends replies of this kind. Enrolment
    /// messages always go: they are ours, not answers.
    fn sends(&self, kind: &str) -> bool {
        match kind {
            "CIC" => self.kinds.contains(&ReplyKind::Cic),
            "GS1Response" => self.kinds.contains(&ReplyKind::Gs1Response),
            _ => true,
        }
    }
}

pub(crate) async fn run(shared: Arc<Shared>, sender: Sender) {
    let mut wake = shared.replies_ready.subscribe();
    loop {
        deliver_all(&shared, &sender).await;
        tokio::select! {
            biased;
            () = shared.shutdown.cancelled() => break,
            changed = wake.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(RETRY_EVERY) => {}
        }
    }
    // One last round: replies earned by the messages drained at shutdown.
    deliver_all(&shared, &sender).await;
}

async fn deliver_all(shared: &Arc<Shared>, sender: &Sender) {
    let store = Arc::clone(&shared.store);
    let name = sender.name.clone();
    let pending = shared.tracker.spawn_blocking(move || store.pending_replies()).await;
    let pending: Vec<PendingReply> = match pending {
        Ok(Ok(all)) => all.into_iter().filter(|r| r.connection.as_deref() == Some(name.as_str())).collect(),
        Ok(Err(e)) => return warn!(connection = %sender.name, "cannot read queued replies: {e}"),
        Err(e) => return warn!(connection = %sender.name, "cannot read queued replies: {e}"),
    };
    for reply in pending {
        if !sender.sends(&reply.kind) {
            debug!(connection = %sender.name, kind = %reply.kind, id = %reply.message_id, "reply kind not sent on this connection: dropped");
        } else if let Err(e) = deliver(shared, sender, &reply).await {
            warn!(connection = %sender.name, kind = %reply.kind, id = %reply.message_id, "reply not delivered, will retry: {e}");
            shared.status.reply_failed(&sender.name, &e);
            shared.metrics.record_reply(&sender.name, &reply.kind, false);
            return;
        } else {
            info!(connection = %sender.name, kind = %reply.kind, id = %reply.message_id, "reply delivered");
            shared.status.reply_sent(&sender.name);
            shared.metrics.record_reply(&sender.name, &reply.kind, true);
        }
        let store = Arc::clone(&shared.store);
        let seq = reply.sequence;
        let forgotten =
            shared.tracker.spawn_blocking(move || store.delivered(seq).and_then(|()| store.flush())).await;
        if let Ok(Err(e)) = forgotten {
            // Sent but still queued: it will be sent again, which a pool tolerates.
            warn!(connection = %sender.name, "cannot mark a reply delivered: {e}");
        }
    }
}

async fn deliver(shared: &Shared, sender: &Sender, reply: &PendingReply) -> Result<(), String> {
    match &sender.way {
        Way::Folder(folder) => {
            let folder = Arc::clone(folder);
            let file = reply_file_name(&reply.message_id);
            let xml = reply.xml.clone().into_bytes();
            let written = shared.tracker.spawn_blocking(move || {
                let folder = folder.lock().map_err(|_| "drop folder lock poisoned".to_owned())?;
                folder.write_reply(&file, &xml).map_err(|e| e.to_string())
            });
            written.await.unwrap_or_else(|e| Err(e.to_string())).map(|_| ())
        }
        Way::Api(client) => {
            client.send_outbound(reply.xml.clone().into_bytes()).await.map(|_| ()).map_err(|e| e.to_string())
        }
    }
}
