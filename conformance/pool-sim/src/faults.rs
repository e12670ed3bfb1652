//! The fault catalogue: what can go wrong, armed for the next N requests.
//!
//! Every fault counts down: `next` is how many more requests it hits, and a spent fault disappears
//! from [`Faults`] (so `GET /admin/state` shows what is still armed). Request faults hit the pool API
//! (`/inbox...`, `/changes`, `/messages/...`, `/outbound`), never `/admin/...` or `/oauth/token`;
//! body faults hit the message fetches; listing faults hit the list pages.

use serde::{Deserialize, Serialize};

/// The faults armed now. The JSON form is what `POST /admin/faults` takes and `--faults` reads;
/// a field left out is off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Faults {
    /// Answer the next requests with a 5xx status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_5xx: Option<StatusFault>,
    /// Answer the next requests with 429 and `Retry-After`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitFault>,
    /// Wait before sending the response headers of the next requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stall: Option<StallFault>,
    /// Trickle the body of the next fetches in small chunks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slow_body: Option<SlowBodyFault>,
    /// Announce the full `Content-Length` on the next fetches, send half the body, then close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated_body: Option<CountFault>,
    /// Serve the next fetches with a content type other than the one announced by the protocol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrong_content_type: Option<ContentTypeFault>,
    /// List the first entry of the next list pages twice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_listing: Option<CountFault>,
    /// Put the next acknowledged messages back into the inbox (they are delivered again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redeliver_after_ack: Option<CountFault>,
    /// Reverse the entries of the next list pages, so a newer message comes before an older one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_order: Option<CountFault>,
}

/// A fault with nothing to it but how many more times it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountFault {
    /// Hits left.
    pub next: u32,
}

/// 5xx answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusFault {
    /// Hits left.
    pub next: u32,
    /// The status, 500 to 599. Default 503.
    #[serde(default = "default_5xx")]
    pub status: u16,
}

/// 429 answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitFault {
    /// Hits left.
    pub next: u32,
    /// Seconds in `Retry-After`. Default 1.
    #[serde(default = "default_retry_after")]
    pub retry_after_secs: u32,
}

/// A wait before the headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StallFault {
    /// Hits left.
    pub next: u32,
    /// Milliseconds to wait, at most 600000.
    pub ms: u64,
}

/// A body sent a few bytes at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowBodyFault {
    /// Hits left.
    pub next: u32,
    /// Bytes per chunk, at least 1. Default 64.
    #[serde(default = "default_chunk")]
    pub chunk_bytes: usize,
    /// Milliseconds between chunks. Default 20.
    #[serde(default = "default_interval")]
    pub interval_ms: u64,
}

/// A wrong `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentTypeFault {
    /// Hits left.
    pub next: u32,
    /// The type sent instead. Default `text/html; charset=utf-8` (a proxy's error page).
    #[serde(default = "default_wrong_type")]
    pub content_type: String,
}

fn default_5xx() -> u16 {
    503
}
fn default_retry_after() -> u32 {
    1
}
fn default_chunk() -> usize {
    64
}
fn default_interval() -> u64 {
    20
}
fn default_wrong_type() -> String {
    "text/html; charset=utf-8".to_owned()
}

/// What a request fault does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestFault {
    Status(u16),
    RateLimit { retry_after_secs: u32 },
}

/// What body faults do to one fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BodyFaults {
    pub(crate) slow: Option<(usize, u64)>,
    pub(crate) truncated: bool,
    pub(crate) content_type: Option<String>,
}

/// What listing faults do to one list page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ListFaults {
    pub(crate) duplicate: bool,
    pub(crate) reverse: bool,
}

impl Faults {
    /// Refuses values that cannot be served: a status outside 500-599, an empty chunk, a stall
    /// over ten minutes, a content type that is not a valid header value.
    pub fn check(&self) -> Result<(), String> {
        if let Some(f) = &self.error_5xx
            && !(500..=599).contains(&f.status)
        {
            return Err(format!("error_5xx.status must be 500 to 599, not {}", f.status));
        }
        if let Some(f) = &self.slow_body
            && f.chunk_bytes == 0
        {
            return Err("slow_body.chunk_bytes must be at least 1".to_owned());
        }
        if let Some(f) = &self.stall
            && f.ms > 600_000
        {
            return Err(format!("stall.ms must be at most 600000, not {}", f.ms));
        }
        if let Some(f) = &self.wrong_content_type
            && axum::http::HeaderValue::from_str(&f.content_type).is_err()
        {
            return Err("wrong_content_type.content_type is not a valid header value".to_owned());
        }
        Ok(())
    }

    /// The stall for this request, if one is armed (counts one hit).
    pub(crate) fn take_stall(&mut self) -> Option<u64> {
        let ms = self.stall.as_ref()?.ms;
        spend(&mut self.stall, |f| &mut f.next);
        Some(ms)
    }

    /// The status fault for this request, if one is armed (counts one hit). 5xx comes before 429.
    pub(crate) fn take_request(&mut self) -> Option<RequestFault> {
        if let Some(status) = self.error_5xx.as_ref().map(|f| f.status) {
            spend(&mut self.error_5xx, |f| &mut f.next);
            return Some(RequestFault::Status(status));
        }
        let retry_after_secs = self.rate_limit.as_ref()?.retry_after_secs;
        spend(&mut self.rate_limit, |f| &mut f.next);
        Some(RequestFault::RateLimit { retry_after_secs })
    }

    /// The body faults for this fetch (counts one hit of each armed one).
    pub(crate) fn take_body(&mut self) -> BodyFaults {
        let slow = self.slow_body.as_ref().map(|f| (f.chunk_bytes, f.interval_ms));
        spend(&mut self.slow_body, |f| &mut f.next);
        let truncated = self.truncated_body.is_some();
        spend(&mut self.truncated_body, |f| &mut f.next);
        let content_type = self.wrong_content_type.as_ref().map(|f| f.content_type.clone());
        spend(&mut self.wrong_content_type, |f| &mut f.next);
        BodyFaults { slow, truncated, content_type }
    }

    /// The listing faults for this page (counts one hit of each armed one).
    pub(crate) fn take_list(&mut self) -> ListFaults {
        let faults =
            ListFaults { duplicate: self.duplicate_listing.is_some(), reverse: self.out_of_order.is_some() };
        spend(&mut self.duplicate_listing, |f| &mut f.next);
        spend(&mut self.out_of_order, |f| &mut f.next);
        faults
    }

    /// Whether this acknowledgement is lost (counts one hit).
    pub(crate) fn take_redeliver(&mut self) -> bool {
        let armed = self.redeliver_after_ack.is_some();
        spend(&mut self.redeliver_after_ack, |f| &mut f.next);
        armed
    }

    /// Drops faults armed with `next: 0`, which would otherwise never fire nor disappear.
    pub(crate) fn normalise(&mut self) {
        fn drop_spent<T>(slot: &mut Option<T>, next: impl Fn(&T) -> u32) {
            if slot.as_ref().is_some_and(|f| next(f) == 0) {
                *slot = None;
            }
        }
        drop_spent(&mut self.error_5xx, |f| f.next);
        drop_spent(&mut self.rate_limit, |f| f.next);
        drop_spent(&mut self.stall, |f| f.next);
        drop_spent(&mut self.slow_body, |f| f.next);
        drop_spent(&mut self.truncated_body, |f| f.next);
        drop_spent(&mut self.wrong_content_type, |f| f.next);
        drop_spent(&mut self.duplicate_listing, |f| f.next);
        drop_spent(&mut self.redeliver_after_ack, |f| f.next);
        drop_spent(&mut self.out_of_order, |f| f.next);
    }
}

/// Counts one hit of an armed fault and clears it when spent.
fn spend<T>(slot: &mut Option<T>, next: impl Fn(&mut T) -> &mut u32) {
    if let Some(fault) = slot.as_mut() {
        let left = next(fault);
        *left = left.saturating_sub(1);
        if *left == 0 {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_count_down_and_disappear() {
        let mut faults: Faults =
            serde_json::from_str(r#"{"error_5xx":{"next":2},"rate_limit":{"next":1,"retry_after_secs":3}}"#)
                .unwrap();
        assert_eq!(faults.take_request(), Some(RequestFault::Status(503)));
        assert_eq!(faults.take_request(), Some(RequestFault::Status(503)));
        assert_eq!(faults.take_request(), Some(RequestFault::RateLimit { retry_after_secs: 3 }));
        assert_eq!(faults.take_request(), None);
        assert_eq!(faults, Faults::default());
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused() {
        assert!(serde_json::from_str::<Faults>(r#"{"error_500":{"next":1}}"#).is_err());
        let bad: Faults = serde_json::from_str(r#"{"error_5xx":{"next":1,"status":404}}"#).unwrap();
        assert!(bad.check().is_err());
    }
}
