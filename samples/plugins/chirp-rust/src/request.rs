//! The `PluginRequest` JSON: an object with a snake_case `"type"` discriminator (anywhere in the
//! object). Unknown fields are ignored; an optional field that is `null` is absent.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Failure, Outcome};

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    Publish {
        text: String,
        /// Always sent by Airlock; absent or `null` is taken as empty.
        #[serde(default)]
        media_urls: Option<Vec<String>>,
        #[serde(default)]
        hashtags: Option<Vec<String>>,
        /// Accepted (must be an object when present) but not sent to Chirp.
        #[serde(default)]
        #[allow(dead_code)]
        metadata: Option<Map<String, Value>>,
    },
    DeletePost {
        post_id: String,
    },
    FetchComments {
        post_id: String,
        #[serde(default)]
        cursor: Option<String>,
    },
    ReplyComment {
        comment_id: String,
        text: String,
    },
    FetchInsights {
        start: String,
        end: String,
    },
    FetchPostMetrics {
        post_id: String,
    },
    ExchangeCode {
        code: String,
        redirect_uri: String,
    },
    RefreshToken {
        refresh_token: String,
    },
    Custom {
        action: String,
        #[serde(default)]
        payload: Option<Value>,
    },
}

/// The nine `type` values, as in `Request`.
pub const KNOWN_TYPES: [&str; 9] = [
    "publish",
    "delete_post",
    "fetch_comments",
    "reply_comment",
    "fetch_insights",
    "fetch_post_metrics",
    "exchange_code",
    "refresh_token",
    "custom",
];

/// The request's `type`, checked before the fields so that an unknown kind is told apart from a
/// malformed known one: not JSON / not an object / no string `type` is `invalid_request`, a `type`
/// outside the nine is `unsupported_request`.
pub fn request_type(input: &[u8]) -> Outcome<String> {
    let value: Value = serde_json::from_slice(input)
        .map_err(|e| Failure::invalid_request(format!("the request is not valid JSON: {}", e)))?;
    let kind = match &value {
        Value::Object(fields) => match fields.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            None | Some(Value::Null) => {
                return Err(Failure::invalid_request("the request has no \"type\""));
            }
            Some(_) => return Err(Failure::invalid_request("the request's \"type\" is not a string")),
        },
        _ => return Err(Failure::invalid_request("the request is not a JSON object")),
    };
    Ok(kind)
}

/// Deserialises a request of a known type (the input is known to be a JSON object); a field
/// missing, of the wrong type or given twice is `invalid_request` (emptiness is checked by the
/// handlers with `required`). It reads the original bytes rather than the `Value` of
/// `request_type`, which would silently keep the last of two duplicate keys.
pub fn parse(input: &[u8], kind: &str) -> Outcome<Request> {
    serde_json::from_slice(input).map_err(|e| Failure::invalid_request(format!("invalid {} request: {}", kind, e)))
}

/// A required string field must be non-empty.
pub fn required<'a>(value: &'a str, field: &str) -> Outcome<&'a str> {
    if value.is_empty() {
        Err(Failure::invalid_request(format!("the field `{}` must not be empty", field)))
    } else {
        Ok(value)
    }
}
