//! The inbox protocol: list pages by cursor, fetch each message, hand it to the handler, acknowledge
//! it once the handler says it is durable.

use std::collections::HashSet;

use gdsn_config::{AckMethod, InboxApi};
use reqwest::Method;

use crate::client::{Api, PoolClient};
use crate::error::PollError;
use crate::handler::MessageHandler;
use crate::messages::{check_pages, fetch, ids, text_at};

/// What one inbox poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboxReport {
    /// List pages read.
    pub pages: u64,
    /// Messages handed to the handler and acknowledged.
    pub delivered: u64,
    /// Entries listed again within this poll (a duplicate listing), skipped.
    pub duplicates: u64,
}

impl PoolClient {
    /// Drains the inbox: every page until the cursor runs out, each message fetched, handled and
    /// acknowledged in turn. The first error stops the poll; what was acknowledged stays acknowledged,
    /// and the rest is listed again next time (the inbox re-lists unacknowledged messages).
    pub async fn poll_inbox<H: MessageHandler>(&self, handler: &mut H) -> Result<InboxReport, PollError> {
        let Api::Inbox(api) = &self.api else {
            return Err(PollError::Setup(format!("connection {} is not an inbox connection", self.name)));
        };
        let mut report = InboxReport::default();
        // Ids handled in this poll, so a duplicate listing is not fetched twice. It holds one poll's
        // ids only; across polls the pool's acknowledgement (and the store) remove repeats.
        let mut handled = HashSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = api.list_url.clone();
            if let Some(cursor) = &cursor {
                url.query_pairs_mut().append_pair(&api.cursor_param, cursor);
            }
            let page = self.get_json(url.clone()).await?;
            report.pages += 1;
            check_pages(report.pages, url.as_str())?;
            for id in ids(&page, &api.messages, url.as_str())? {
                if !handled.insert(id.clone()) {
                    report.duplicates += 1;
                    continue;
                }
                self.deliver(api, &id, handler).await?;
                report.delivered += 1;
            }
            match text_at(&page, &api.cursor_pointer) {
                Some(next) if cursor.as_deref() == Some(next.as_str()) => {
                    return Err(PollError::protocol(url.as_str(), "the cursor did not advance"));
                }
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        tracing::info!(connection = %self.name, pages = report.pages, delivered = report.delivered, "inbox polled");
        Ok(report)
    }

    /// Fetch, handle, and only after `Durable`, acknowledge.
    async fn deliver<H: MessageHandler>(
        &self,
        api: &InboxApi,
        id: &str,
        handler: &mut H,
    ) -> Result<(), PollError> {
        let xml = fetch(self, &api.messages, id).await?;
        tracing::debug!(connection = %self.name, id, bytes = xml.len(), "fetched");
        handler
            .handle(id, xml)
            .await
            .map_err(|e| PollError::Handler { id: id.to_owned(), source: Box::new(e) })?;
        let base = &self.settings.base_url;
        let url = api.ack.url(base, id).ok_or_else(|| {
            PollError::protocol(base.as_str(), format!("message id {id:?} cannot name a URL"))
        })?;
        let method = match api.ack_method {
            AckMethod::Put => Method::PUT,
            AckMethod::Delete => Method::DELETE,
            AckMethod::Post => Method::POST,
        };
        let response = self.send(method, url.clone(), None).await?;
        // The ack's body is a small receipt; read a little of it so the connection can be reused.
        crate::response::read_capped(response, url.as_str(), 1 << 20).await?;
        Ok(())
    }
}
