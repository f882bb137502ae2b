//! Error responses: `{"status":"error","code","message","retryable"}`.

use serde::Serialize;

/// A failed request, turned into an error response by `handlers::handle`.
#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
    pub retryable: bool,
}

impl Failure {
    pub fn new(code: &'static str, message: impl Into<String>, retryable: bool) -> Self {
        Failure { code, message: message.into(), retryable }
    }

    /// A required field missing, empty or of the wrong type; a bad timestamp; `start` after `end`.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Failure::new("invalid_request", message, false)
    }

    /// A 2xx answer whose body is not the JSON the Chirp API documents (or an HTTP envelope
    /// from the host that cannot be read).
    pub fn platform_error(message: impl Into<String>) -> Self {
        Failure::new("platform_error", message, false)
    }

    pub fn to_json(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct ErrorResponse<'a> {
            status: &'static str,
            code: &'a str,
            message: &'a str,
            retryable: bool,
        }
        let body = ErrorResponse {
            status: "error",
            code: self.code,
            message: &self.message,
            retryable: self.retryable,
        };
        // Serialising a struct of strings and a bool cannot fail; the fallback keeps this panic-free.
        serde_json::to_vec(&body).unwrap_or_else(|_| {
            br#"{"status":"error","code":"internal_error","message":"could not serialise the error","retryable":false}"#.to_vec()
        })
    }
}

pub type Outcome<T> = Result<T, Failure>;
