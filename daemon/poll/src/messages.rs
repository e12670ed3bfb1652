//! What both protocols share: the entries of a list page, and fetching one message's XML.

use base64::Engine;
use gdsn_config::{MessageAccess, Payload};
use serde_json::Value;

use crate::client::PoolClient;
use crate::error::PollError;
use crate::response::Expect;

/// Pages one poll reads at most: a pool whose cursors go round in a circle would otherwise keep a
/// poll (and its per-poll id set) growing for ever. At 50 entries a page this is 5 million messages.
pub(crate) const MAX_PAGES_PER_POLL: u64 = 100_000;

/// Fails once a poll has read more than [`MAX_PAGES_PER_POLL`] pages.
pub(crate) fn check_pages(pages: u64, url: &str) -> Result<(), PollError> {
    if pages > MAX_PAGES_PER_POLL {
        return Err(PollError::protocol(url, format!("more than {MAX_PAGES_PER_POLL} pages in one poll")));
    }
    Ok(())
}

/// The message ids of a list page, in the order listed.
pub(crate) fn ids(page: &Value, access: &MessageAccess, url: &str) -> Result<Vec<String>, PollError> {
    let entries = access.messages_pointer.get(page).and_then(Value::as_array).ok_or_else(|| {
        PollError::protocol(url, format!("no message array at {:?}", access.messages_pointer.as_str()))
    })?;
    entries
        .iter()
        .map(|entry| {
            access.message_id_pointer.get(entry).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| {
                PollError::protocol(
                    url,
                    format!("an entry has no id at {:?}", access.message_id_pointer.as_str()),
                )
            })
        })
        .collect()
}

/// A string at `pointer`, with absent, `null` and `""` all meaning none (the protocol's last page).
pub(crate) fn text_at(page: &Value, pointer: &gdsn_config::JsonPointer) -> Option<String> {
    pointer.get(page).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Fetches message `id` and returns its XML, decoding base64 JSON when the connection says so.
pub(crate) async fn fetch(
    client: &PoolClient,
    access: &MessageAccess,
    id: &str,
) -> Result<Vec<u8>, PollError> {
    let base = &client.settings.base_url;
    let url = access
        .fetch
        .url(base, id)
        .ok_or_else(|| PollError::protocol(base.as_str(), format!("message id {id:?} cannot name a URL")))?;
    match &access.payload {
        Payload::Base64Json { pointer } => {
            let body = client.get(url.clone(), Expect::Json).await?;
            let json: Value = serde_json::from_slice(&body)
                .map_err(|e| PollError::protocol(url.as_str(), format!("not JSON: {e}")))?;
            let text = pointer.get(&json).and_then(Value::as_str).ok_or_else(|| {
                PollError::protocol(url.as_str(), format!("no base64 payload at {:?}", pointer.as_str()))
            })?;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| PollError::protocol(url.as_str(), format!("payload is not base64: {e}")))
        }
        _ => client.get(url, Expect::Xml).await,
    }
}
