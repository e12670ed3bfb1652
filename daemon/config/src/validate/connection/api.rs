//! The two HTTP protocols' paths, pointers and parameters, with their defaults.

use url::Url;

use super::super::{Ctx, values};
use crate::choices::{AckMethod, PayloadEncoding};
use crate::connection::{ChangedSinceApi, InboxApi, MessageAccess, Payload};
use crate::error::FieldPath;
use crate::raw::{RawChangedSinceApi, RawInboxApi};

/// The fields both protocols have, as written.
struct RawAccess<'a> {
    messages_pointer: Option<&'a str>,
    message_id_pointer: Option<&'a str>,
    fetch_path: Option<&'a str>,
    default_fetch_path: &'static str,
    payload_encoding: Option<PayloadEncoding>,
    payload_pointer: Option<&'a str>,
}

pub(super) fn inbox(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raw: Option<&RawInboxApi>,
    base: &Url,
) -> Option<InboxApi> {
    let default = RawInboxApi::default();
    let raw = raw.unwrap_or(&default);
    let list_url = cx
        .ok(&path.key("list_path"), values::relative_url(base, raw.list_path.as_deref().unwrap_or("inbox")));
    let messages = access(
        cx,
        path,
        base,
        &RawAccess {
            messages_pointer: raw.messages_pointer.as_deref(),
            message_id_pointer: raw.message_id_pointer.as_deref(),
            fetch_path: raw.fetch_path.as_deref(),
            default_fetch_path: "inbox/{id}",
            payload_encoding: raw.payload_encoding,
            payload_pointer: raw.payload_pointer.as_deref(),
        },
    );
    let cursor_pointer = pointer(cx, path, "cursor_pointer", raw.cursor_pointer.as_deref(), "/next_cursor");
    let cursor_param = param(cx, path, "cursor_param", raw.cursor_param.as_deref(), "cursor");
    let ack_path = raw.ack_path.as_deref().unwrap_or("inbox/{id}/ack");
    let ack = cx.ok(&path.key("ack_path"), values::path_template(base, ack_path));
    Some(InboxApi {
        list_url: list_url?,
        messages: messages?,
        cursor_pointer: cursor_pointer?,
        cursor_param: cursor_param?,
        ack: ack?,
        ack_method: raw.ack_method.unwrap_or(AckMethod::Post),
    })
}

pub(super) fn changed_since(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raw: Option<&RawChangedSinceApi>,
    base: &Url,
) -> Option<ChangedSinceApi> {
    let default = RawChangedSinceApi::default();
    let raw = raw.unwrap_or(&default);
    let list_url = cx.ok(
        &path.key("list_path"),
        values::relative_url(base, raw.list_path.as_deref().unwrap_or("changes")),
    );
    let messages = access(
        cx,
        path,
        base,
        &RawAccess {
            messages_pointer: raw.messages_pointer.as_deref(),
            message_id_pointer: raw.message_id_pointer.as_deref(),
            fetch_path: raw.fetch_path.as_deref(),
            default_fetch_path: "messages/{id}",
            payload_encoding: raw.payload_encoding,
            payload_pointer: raw.payload_pointer.as_deref(),
        },
    );
    let since_param = param(cx, path, "since_param", raw.since_param.as_deref(), "since");
    let overlap = cx.secs(&path.key("overlap_secs"), raw.overlap_secs, 300, 1, 7 * 86_400);
    let high_water =
        pointer(cx, path, "high_water_pointer", raw.high_water_pointer.as_deref(), "/high_water_mark");
    let page_token =
        pointer(cx, path, "page_token_pointer", raw.page_token_pointer.as_deref(), "/next_page_token");
    let page_param = param(cx, path, "page_token_param", raw.page_token_param.as_deref(), "page_token");
    Some(ChangedSinceApi {
        list_url: list_url?,
        messages: messages?,
        since_param: since_param?,
        overlap: overlap?,
        high_water_pointer: high_water?,
        page_token_pointer: page_token?,
        page_token_param: page_param?,
    })
}

fn access(cx: &mut Ctx<'_>, path: &FieldPath, base: &Url, raw: &RawAccess<'_>) -> Option<MessageAccess> {
    let messages = pointer(cx, path, "messages_pointer", raw.messages_pointer, "/messages");
    let id = pointer(cx, path, "message_id_pointer", raw.message_id_pointer, "/id");
    let fetch_path = raw.fetch_path.unwrap_or(raw.default_fetch_path);
    let fetch = cx.ok(&path.key("fetch_path"), values::path_template(base, fetch_path));
    let payload = match raw.payload_encoding.unwrap_or(PayloadEncoding::Xml) {
        PayloadEncoding::Xml if raw.payload_pointer.is_some() => {
            cx.report(
                &path.key("payload_pointer"),
                "only used with payload_encoding = \"base64_json\"; remove it",
            );
            None
        }
        PayloadEncoding::Xml => Some(Payload::Xml),
        PayloadEncoding::Base64Json => pointer(cx, path, "payload_pointer", raw.payload_pointer, "/payload")
            .map(|pointer| Payload::Base64Json { pointer }),
    };
    Some(MessageAccess {
        messages_pointer: messages?,
        message_id_pointer: id?,
        fetch: fetch?,
        payload: payload?,
    })
}

fn pointer(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    field: &str,
    value: Option<&str>,
    default: &str,
) -> Option<crate::connection::JsonPointer> {
    cx.ok(&path.key(field), values::json_pointer(value.unwrap_or(default)))
}

fn param(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    field: &str,
    value: Option<&str>,
    default: &str,
) -> Option<String> {
    cx.ok(&path.key(field), values::query_param(value.unwrap_or(default)))
}
