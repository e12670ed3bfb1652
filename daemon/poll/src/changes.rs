//! The changed-since protocol: windows that start `overlap` before the last high-water mark, paged by
//! token, with repeats dropped by message id.
//!
//! The window is inclusive and several messages share a change time, so a window that started exactly
//! at the last mark would still repeat messages, and one that started after it would lose those that
//! share it. Starting earlier by the overlap also catches rows the pool commits late. The price is
//! repeats, which [`ChangedSinceState::recent_ids`] removes.

use std::collections::{HashSet, VecDeque};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::{Api, PoolClient};
use crate::error::PollError;
use crate::handler::MessageHandler;
use crate::messages::{check_pages, fetch, ids, text_at};

/// Ids remembered by default: far more than one overlap window of a real pool holds.
pub const DEFAULT_RECENT_IDS: usize = 10_000;

/// Where a changed-since connection stands. The caller stores it (as JSON, say) after every poll,
/// failed ones included: it is always consistent, since a mark only advances after the whole page
/// before it was handled, and an id is only recorded once its message was durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedSinceState {
    /// The last high-water mark the pool sent (RFC 3339), `None` before the first complete page.
    pub high_water_mark: Option<String>,
    /// Ids delivered recently, oldest first, at most `capacity`. It must cover one overlap window,
    /// or a message of the window would be delivered again (harmless to the store, but a repeat).
    pub recent_ids: VecDeque<String>,
    /// How many ids are kept.
    pub capacity: usize,
}

impl Default for ChangedSinceState {
    fn default() -> Self {
        ChangedSinceState { high_water_mark: None, recent_ids: VecDeque::new(), capacity: DEFAULT_RECENT_IDS }
    }
}

impl ChangedSinceState {
    fn remember(&mut self, id: String) {
        self.recent_ids.push_back(id);
        while self.recent_ids.len() > self.capacity.max(1) {
            self.recent_ids.pop_front();
        }
    }
}

/// What one changed-since poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChangesReport {
    /// List pages read.
    pub pages: u64,
    /// Messages handed to the handler.
    pub delivered: u64,
    /// Listed messages already delivered (the overlap, or a duplicate listing), skipped.
    pub repeats: u64,
}

impl PoolClient {
    /// One changed-since poll: from `state`'s mark less the overlap (from the beginning the first
    /// time), page by page, each new message fetched and handled; `state` advances as it goes.
    pub async fn poll_changes<H: MessageHandler>(
        &self,
        state: &mut ChangedSinceState,
        handler: &mut H,
    ) -> Result<ChangesReport, PollError> {
        let Api::ChangedSince(api) = &self.api else {
            return Err(PollError::Setup(format!(
                "connection {} is not a changed-since connection",
                self.name
            )));
        };
        let mut seen: HashSet<String> = state.recent_ids.iter().cloned().collect();
        let mut report = ChangesReport::default();
        let mut url = api.list_url.clone();
        if let Some(mark) = &state.high_water_mark {
            let since = window_start(mark, api.overlap).ok_or_else(|| {
                PollError::Setup(format!("stored high-water mark {mark:?} is not RFC 3339"))
            })?;
            url.query_pairs_mut().append_pair(&api.since_param, &since);
        }
        loop {
            let page = self.get_json(url.clone()).await?;
            report.pages += 1;
            check_pages(report.pages, url.as_str())?;
            for id in ids(&page, &api.messages, url.as_str())? {
                if seen.contains(&id) {
                    report.repeats += 1;
                    continue;
                }
                let xml = fetch(self, &api.messages, &id).await?;
                handler
                    .handle(&id, xml)
                    .await
                    .map_err(|e| PollError::Handler { id: id.clone(), source: Box::new(e) })?;
                seen.insert(id.clone());
                state.remember(id);
                report.delivered += 1;
            }
            if let Some(mark) = text_at(&page, &api.high_water_pointer) {
                advance(state, mark, url.as_str())?;
            }
            let Some(token) = text_at(&page, &api.page_token_pointer) else { break };
            url = api.list_url.clone();
            url.query_pairs_mut().append_pair(&api.page_token_param, &token);
        }
        tracing::info!(connection = %self.name, pages = report.pages, delivered = report.delivered, repeats = report.repeats, "changes polled");
        Ok(report)
    }
}

/// Keeps the later of the stored and the new mark (a page's mark never moves a window back).
fn advance(state: &mut ChangedSinceState, mark: String, url: &str) -> Result<(), PollError> {
    let new = OffsetDateTime::parse(&mark, &Rfc3339)
        .map_err(|_| PollError::protocol(url, format!("high-water mark {mark:?} is not RFC 3339")))?;
    let old = state.high_water_mark.as_deref().and_then(|m| OffsetDateTime::parse(m, &Rfc3339).ok());
    if old.is_none_or(|old| new > old) {
        state.high_water_mark = Some(mark);
    }
    Ok(())
}

/// `mark - overlap` in RFC 3339, UTC.
fn window_start(mark: &str, overlap: std::time::Duration) -> Option<String> {
    let mark = OffsetDateTime::parse(mark, &Rfc3339).ok()?;
    let overlap = time::Duration::try_from(overlap).ok()?;
    let start = mark.checked_sub(overlap)?.to_offset(time::UtcOffset::UTC);
    start.format(&Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_reach_back_by_the_overlap() {
        let start = window_start("2026-01-01T00:05:00+01:00", std::time::Duration::from_secs(300));
        assert_eq!(start.as_deref(), Some("2025-12-31T23:00:00Z"));
        assert_eq!(window_start("yesterday", std::time::Duration::from_secs(1)), None);
    }

    #[test]
    fn recent_ids_are_bounded_and_marks_only_advance() {
        let mut state = ChangedSinceState { capacity: 2, ..ChangedSinceState::default() };
        for id in ["a", "b", "c"] {
            state.remember(id.to_owned());
        }
        assert_eq!(state.recent_ids, ["b", "c"]);
        advance(&mut state, "2026-01-02T00:00:00Z".into(), "u").unwrap();
        advance(&mut state, "2026-01-01T00:00:00Z".into(), "u").unwrap();
        assert_eq!(state.high_water_mark.as_deref(), Some("2026-01-02T00:00:00Z"));
        assert!(advance(&mut state, "soon".into(), "u").is_err());
    }
}
