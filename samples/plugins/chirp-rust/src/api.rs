//! The Chirp HTTP API, reached through `host_http_request`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Failure, Outcome};
use crate::host;

pub const BASE_URL: &str = "https://api.chirp.example";
pub const ACCESS_TOKEN_KEY: &str = "oauth:access_token";
pub const REFRESH_TOKEN_KEY: &str = "oauth:refresh_token";

/// A KV read that failed with something other than "no value".
pub fn storage_failure(key: &str, code: i64) -> Failure {
    Failure::new(
        "storage_error",
        format!("reading the KV key '{}' failed: host_store_get returned {} ({})", key, code, host::status_name(code)),
        code == host::RATE_LIMITED || code == host::UNAVAILABLE,
    )
}

#[derive(Serialize)]
struct HttpRequest<'a> {
    method: &'a str,
    url: String,
    headers: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
}

#[derive(Deserialize)]
struct HttpResponse {
    status: i64,
    #[serde(default)]
    body: Option<String>,
}

/// A session with the API: the bearer token read once per request from the KV store.
pub struct Chirp {
    token: Option<String>,
}

impl Chirp {
    /// Reads `oauth:access_token`. No value or an empty one means no `Authorization` header;
    /// a value that is not UTF-8 cannot be sent as a header and is ignored with a warning.
    pub fn connect() -> Outcome<Chirp> {
        let token = match host::store_get(ACCESS_TOKEN_KEY) {
            Ok(Some(bytes)) if !bytes.is_empty() => match String::from_utf8(bytes) {
                Ok(token) => Some(token),
                Err(_) => {
                    host::log(host::Level::Warn, "the stored access token is not UTF-8; calling without Authorization");
                    None
                }
            },
            Ok(_) => None,
            Err(code) => return Err(storage_failure(ACCESS_TOKEN_KEY, code)),
        };
        Ok(Chirp { token })
    }

    /// Calls `method path` with an optional JSON body. Returns the body of a 2xx answer; every
    /// other outcome is mapped to the error codes of samples/plugins/README.md.
    pub fn call<B: Serialize>(&self, method: &str, path: &str, body: Option<&B>) -> Outcome<String> {
        let mut headers = BTreeMap::new();
        if let Some(token) = &self.token {
            headers.insert("Authorization", format!("Bearer {}", token));
        }
        let body = match body {
            Some(value) => {
                headers.insert("Content-Type", "application/json".to_string());
                Some(serde_json::to_string(value).map_err(|e| {
                    Failure::invalid_request(format!("cannot encode the request body: {}", e))
                })?)
            }
            None => None,
        };
        let request = HttpRequest { method, url: format!("{}{}", BASE_URL, path), headers, body };
        let request_json = serde_json::to_vec(&request)
            .map_err(|e| Failure::invalid_request(format!("cannot encode the HTTP request: {}", e)))?;

        let response = match host::http_request(&request_json) {
            Ok(bytes) => bytes,
            Err(code) => return Err(transport_failure(code, method, path)),
        };
        let response: HttpResponse = serde_json::from_slice(&response).map_err(|e| {
            Failure::platform_error(format!("the host's HTTP response to {} {} is unreadable: {}", method, path, e))
        })?;
        let status = response.status;
        let failure = |code: &'static str, retryable: bool| {
            Err(Failure::new(
                code,
                format!("Chirp API answered HTTP {} to {} {}", status, method, path),
                retryable,
            ))
        };
        match status {
            200..=299 => Ok(response.body.unwrap_or_default()),
            401 | 403 => failure("unauthorized", false),
            404 => failure("not_found", false),
            429 => failure("rate_limit_exceeded", true),
            500..=599 => failure("platform_unavailable", true),
            _ => failure("platform_error", false),
        }
    }
}

/// A negative `host_http_request` result.
fn transport_failure(code: i64, method: &str, path: &str) -> Failure {
    let (error, retryable) = match code {
        host::PERMISSION_DENIED => ("network_denied", false),
        host::RATE_LIMITED => ("rate_limit_exceeded", true),
        _ => ("network_error", true),
    };
    Failure::new(
        error,
        format!("{} {} failed: host_http_request returned {} ({})", method, path, code, host::status_name(code)),
        retryable,
    )
}

/// Parses a 2xx body into the shape the API documents; anything else is `platform_error`.
pub fn parse_body<T: DeserializeOwned>(body: &str, what: &str) -> Outcome<T> {
    serde_json::from_str(body)
        .map_err(|e| Failure::platform_error(format!("Chirp API returned an unexpected {} body: {}", what, e)))
}
