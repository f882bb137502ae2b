// ---- runtime: what every contract's Rust bindings share ----

/// The largest input an export accepts (bytes).
pub const MAX_INPUT: usize = 16 * 1024 * 1024;
/// The deepest JSON nesting read or written: System.Text.Json's default.
pub const MAX_DEPTH: usize = 64;

/// A typed error a plugin answers with. Under the contract's error envelope the host raises it as
/// `PluginErrorException` with the same code, message and retryable flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

impl PluginError {
    /// An error the host should not retry.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        PluginError { code: code.into(), message: message.into(), retryable: false }
    }

    /// An error the host may retry (a rate limit, an outage).
    pub fn retryable(code: impl Into<String>, message: impl Into<String>) -> Self {
        PluginError { code: code.into(), message: message.into(), retryable: true }
    }

    /// The answer for a request case this plugin does not implement.
    pub fn unsupported(case: &str) -> Self {
        PluginError::new("unsupported_request", format!("this plugin does not handle \"{}\"", case))
    }
}

impl core::fmt::Display for PluginError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Why a host function gave no value: the host's status codes, or an answer the bindings cannot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostError {
    PermissionDenied,
    RateLimited,
    InvalidArgument,
    TooLarge,
    Unavailable,
    /// The host answered something that is not the contract's type.
    Malformed,
    /// The argument could not be written (a value the contract's JSON cannot hold).
    BadArgument,
    /// A negative status the contract does not name.
    Other(i64),
}

impl HostError {
    fn from_status(status: i64) -> HostError {
        match status {
            -2 => HostError::PermissionDenied,
            -3 => HostError::RateLimited,
            -4 => HostError::InvalidArgument,
            -5 => HostError::TooLarge,
            -6 => HostError::Unavailable,
            other => HostError::Other(other),
        }
    }

    /// The status's wire name ("permission_denied", ...).
    pub fn code(&self) -> &'static str {
        match self {
            HostError::PermissionDenied => "permission_denied",
            HostError::RateLimited => "rate_limited",
            HostError::InvalidArgument => "invalid_argument",
            HostError::TooLarge => "too_large",
            HostError::Unavailable => "unavailable",
            HostError::Malformed => "malformed_host_result",
            HostError::BadArgument => "bad_argument",
            HostError::Other(_) => "host_error",
        }
    }

    /// Whether a later call may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, HostError::RateLimited | HostError::Unavailable)
    }
}

impl core::fmt::Display for HostError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HostError::Other(status) => write!(f, "host status {}", status),
            other => f.write_str(other.code()),
        }
    }
}

impl From<HostError> for PluginError {
    fn from(error: HostError) -> PluginError {
        PluginError { code: error.code().to_string(), message: format!("a host function failed: {}", error), retryable: error.is_retryable() }
    }
}

/// Any JSON value (`JsonElement`, `JsonNode`, `JsonObject`, extension data), kept as its validated text.
#[derive(Debug, Clone)]
pub struct Json(Box<serde_json::value::RawValue>);

impl Json {
    /// Validates `text` as one JSON value nested at most `MAX_DEPTH` deep.
    pub fn from_text(text: &str) -> Result<Json, PluginError> {
        check_json(text.as_bytes()).map_err(|e| PluginError::new("invalid_json", e))?;
        serde_json::value::RawValue::from_string(text.to_string()).map(Json).map_err(|e| PluginError::new("invalid_json", e.to_string()))
    }

    /// The JSON of any serializable value (`serde_json::json!(...)`, a generated type, ...).
    pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Json, PluginError> {
        let text = serde_json::to_string(value).map_err(|e| PluginError::new("invalid_result", e.to_string()))?;
        Json::from_text(&text)
    }

    /// JSON `null`.
    pub fn null() -> Json {
        Json(serde_json::value::RawValue::from_string("null".to_string()).expect("null is JSON"))
    }

    /// The value's JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// Reads the value as `T` (a generated type, `serde_json::Value`, ...).
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, PluginError> {
        serde_json::from_str(self.0.get()).map_err(|e| PluginError::new("invalid_json", e.to_string()))
    }

    /// Whether the value is a JSON object.
    pub fn is_object(&self) -> bool {
        self.0.get().trim_start().starts_with('{')
    }

    /// Whether the value is a JSON array.
    pub fn is_array(&self) -> bool {
        self.0.get().trim_start().starts_with('[')
    }
}

impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        self.text() == other.text()
    }
}

impl Default for Json {
    fn default() -> Json {
        Json::null()
    }
}

impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        <Box<serde_json::value::RawValue> as serde::Deserialize>::deserialize(d).map(Json)
    }
}

/// A JSON object of strings (`IReadOnlyDictionary<string, string>`), in the order it was read or built. A key given
/// twice keeps its first place and its last value, as System.Text.Json does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrMap(pub Vec<(String, String)>);

impl StrMap {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Sets `key` (replacing its value if present).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

impl serde::Serialize for StrMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for StrMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StrMap, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StrMap;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<StrMap, A::Error> {
                let mut map = StrMap::default();
                while let Some(key) = access.next_key::<String>()? {
                    let value = access.next_value::<String>()?;
                    map.insert(key, value);
                }
                Ok(map)
            }
        }
        d.deserialize_map(V)
    }
}

/// The bindings' own plumbing: not part of the author's API.
#[doc(hidden)]
pub mod rt {
    use super::{PluginError, MAX_DEPTH, MAX_INPUT};

    /// Checks a JSON text's size and nesting before serde reads it (serde_json's own limit is 128 levels).
    pub fn check_json(bytes: &[u8]) -> Result<(), String> {
        if bytes.len() > MAX_INPUT {
            return Err(format!("input of {} bytes is larger than {} bytes", bytes.len(), MAX_INPUT));
        }
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        for (at, &b) in bytes.iter().enumerate() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(format!("JSON nested deeper than {} levels at byte {}", MAX_DEPTH, at));
                    }
                }
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads one `T` from the whole of `bytes`, strictly; `what` names the input in the error.
    pub fn read<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, PluginError> {
        check_json(bytes).map_err(|e| PluginError::new("invalid_request", format!("{}: {}", what, e)))?;
        serde_json::from_slice(bytes).map_err(|e| PluginError::new("invalid_request", format!("{}: {}", what, e)))
    }

    /// Reads text, refusing invalid UTF-8.
    pub fn read_text(bytes: &[u8], what: &str) -> Result<String, PluginError> {
        core::str::from_utf8(bytes).map(str::to_string).map_err(|_| PluginError::new("invalid_request", format!("{} is not valid UTF-8", what)))
    }

    /// The JSON of a result; a value that cannot be written is an `invalid_result` error.
    pub fn write<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, PluginError> {
        let bytes = serde_json::to_vec(value).map_err(|e| PluginError::new("invalid_result", e.to_string()))?;
        check_json(&bytes).map_err(|e| PluginError::new("invalid_result", e))?;
        Ok(bytes)
    }

    /// The JSON of an optional result, or `none` (`null`, or nothing for a fixed-offset hook's "no change") without one.
    pub fn write_option<T: serde::Serialize>(value: Option<T>, none: &[u8]) -> Result<Vec<u8>, PluginError> {
        match value {
            Some(value) => write(&value),
            None => Ok(none.to_vec()),
        }
    }

    /// The discriminator of a tagged union: the string member `name`, which must come first unless `anywhere`.
    pub fn union_tag(bytes: &[u8], name: &'static str, anywhere: bool) -> Result<String, PluginError> {
        struct Probe {
            name: &'static str,
            anywhere: bool,
        }
        impl<'de> serde::de::Visitor<'de> for Probe {
            type Value = String;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<String, A::Error> {
                let mut tag: Option<String> = None;
                while let Some(key) = access.next_key::<String>()? {
                    if key == self.name && tag.is_none() {
                        tag = Some(access.next_value::<String>()?);
                    } else if tag.is_none() && !self.anywhere {
                        return Err(serde::de::Error::custom(format!("\"{}\" must be the first member", self.name)));
                    } else {
                        access.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                tag.ok_or_else(|| serde::de::Error::custom(format!("missing discriminator \"{}\"", self.name)))
            }
        }
        check_json(bytes).map_err(|e| PluginError::new("invalid_request", format!("request: {}", e)))?;
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let tag = serde::Deserializer::deserialize_map(&mut de, Probe { name, anywhere })
            .and_then(|tag| de.end().map(|_| tag))
            .map_err(|e| PluginError::new("invalid_request", format!("request: {}", e)))?;
        Ok(tag)
    }

    /// `Some(value)`, refusing `null` with the member's name.
    pub fn present<T>(value: Option<T>, member: &'static str) -> Result<T, String> {
        value.ok_or_else(|| format!("\"{}\" must not be null", member))
    }

    /// The input region `(ptr, len)` of an export, owned by the host.
    ///
    /// # Safety
    /// `(ptr, len)` must be readable linear memory, as the ABI guarantees.
    pub unsafe fn input<'a>(ptr: i32, len: i32) -> &'a [u8] {
        let len = len as u32 as usize;
        if len == 0 || ptr == 0 {
            &[]
        } else {
            core::slice::from_raw_parts(ptr as u32 as usize as *const u8, len)
        }
    }

    /// Stops the call: the contract has no way to carry the error (the host raises a trap).
    pub fn trap(error: &PluginError) -> ! {
        let _ = error;
        #[cfg(target_arch = "wasm32")]
        core::arch::wasm32::unreachable();
        #[cfg(not(target_arch = "wasm32"))]
        panic!("{}", error);
    }

    /// `{"code","message","retryable"}` members, after an opening that already holds at least one member or none.
    fn error_members(out: &mut Vec<u8>, error: &PluginError) {
        let code = serde_json::to_string(&error.code).unwrap_or_else(|_| "\"error\"".to_string());
        let message = serde_json::to_string(&error.message).unwrap_or_else(|_| "\"\"".to_string());
        out.extend_from_slice(b"\"code\":");
        out.extend_from_slice(code.as_bytes());
        out.extend_from_slice(b",\"message\":");
        out.extend_from_slice(message.as_bytes());
        out.extend_from_slice(if error.retryable { b",\"retryable\":true" as &[u8] } else { b",\"retryable\":false" });
    }

    /// The `Status` envelope: `{"status":"<ok>", ...members}` or `{"status":"error","code",...}`.
    pub fn status_envelope(result: Result<Vec<u8>, PluginError>, ok: &str) -> Vec<u8> {
        let result = result.and_then(|json| {
            if json.first() != Some(&b'{') {
                return Err(PluginError::new("invalid_result", "an enveloped result must be a JSON object"));
            }
            let mut out = b"{\"status\":".to_vec();
            out.extend_from_slice(serde_json::to_string(ok).unwrap_or_default().as_bytes());
            if json.len() > 2 {
                out.push(b',');
            }
            out.extend_from_slice(&json[1..]);
            Ok(out)
        });
        match result {
            Ok(out) => out,
            Err(error) => {
                let mut out = b"{\"status\":\"error\",".to_vec();
                error_members(&mut out, &error);
                out.push(b'}');
                out
            }
        }
    }

    /// The `ErrorMember` envelope: the value, or `{"error":{"code","message","retryable"}}`.
    pub fn error_member_envelope(result: Result<Vec<u8>, PluginError>) -> Vec<u8> {
        match result {
            Ok(json) => json,
            Err(error) => {
                let mut out = b"{\"error\":{".to_vec();
                error_members(&mut out, &error);
                out.extend_from_slice(b"}}");
                out
            }
        }
    }

    /// No envelope: the value, or a trap.
    pub fn no_envelope(result: Result<Vec<u8>, PluginError>) -> Vec<u8> {
        match result {
            Ok(json) => json,
            Err(error) => trap(&error),
        }
    }

    /// A scalar result, or a trap.
    pub fn scalar<T>(result: Result<T, PluginError>) -> T {
        match result {
            Ok(value) => value,
            Err(error) => trap(&error),
        }
    }

    // <packed-results>
    /// The outcome of a host function's packed result: `Ok(None)` for "no value".
    pub fn host_packed(packed: i64, empty_is_value: bool) -> Result<Option<Vec<u8>>, super::HostError> {
        if packed == -1 {
            return Ok(None);
        }
        if packed < 0 {
            return Err(super::HostError::from_status(packed));
        }
        let ptr = ((packed as u64) >> 32) as u32;
        let len = (packed as u64 & 0xFFFF_FFFF) as u32;
        if len == 0 {
            if cfg!(feature = "plain-host-results") {
                return Ok(None);
            }
            return if empty_is_value { Ok(Some(Vec::new())) } else { Err(super::HostError::Malformed) };
        }
        // SAFETY: the host wrote `len` bytes into a buffer it obtained from this module's allocator and hands it over.
        Ok(Some(unsafe { super::alloc::adopt(ptr, len) }))
    }
    // </packed-results>

    /// Reads a host function's JSON answer as `T`.
    pub fn host_json<T: serde::de::DeserializeOwned>(bytes: Option<Vec<u8>>) -> Result<Option<T>, super::HostError> {
        match bytes {
            None => Ok(None),
            Some(bytes) => {
                check_json(&bytes).map_err(|_| super::HostError::Malformed)?;
                serde_json::from_slice(&bytes).map(Some).map_err(|_| super::HostError::Malformed)
            }
        }
    }

    /// Reads a host function's text answer.
    pub fn host_text(bytes: Option<Vec<u8>>) -> Result<Option<String>, super::HostError> {
        match bytes {
            None => Ok(None),
            Some(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| super::HostError::Malformed),
        }
    }
}

use rt::check_json;
