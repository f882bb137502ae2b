//! Result envelopes and reading of the JSON arguments.
//!
//! Every `execute_*` export answers `{"status":"success", ...}` or
//! `{"status":"error","message":"..."}` and never traps on bad input: the host validates a
//! configuration against the definition's `config_schema` before calling, and this plugin checks
//! again what it relies on (a host that skipped validation still gets an error envelope).

use crate::host::{self, Level};
use serde_json::{Map, Value};

/// The fields of an argument object, or a message saying which argument is not an object.
pub type Object = Map<String, Value>;

/// `{"status":"success"}` plus the given fields.
pub fn success(fields: Value) -> String {
    let mut out = Map::new();
    out.insert("status".into(), Value::from("success"));
    if let Value::Object(map) = fields {
        out.extend(map);
    }
    Value::Object(out).to_string()
}

/// `{"status":"error","message":message}`.
pub fn error(message: &str) -> String {
    let mut out = Map::new();
    out.insert("status".into(), Value::from("error"));
    out.insert("message".into(), Value::from(message));
    Value::Object(out).to_string()
}

/// Turns the result of the export `export` into its envelope; a failure is also logged at `warn`.
pub fn finish(export: &str, name: &str, result: Result<Value, String>) -> String {
    match result {
        Ok(fields) => success(fields),
        Err(message) => {
            host::log(Level::Warn, &format!("{export} {name}: {message}"));
            error(&message)
        }
    }
}

/// Parses `text` (the argument called `what`) as JSON.
pub fn parse(text: &str, what: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{what} is not valid JSON: {e}"))
}

/// Parses `text` as a JSON object. An empty string counts as `{}` (no configuration).
pub fn parse_object(text: &str, what: &str) -> Result<Object, String> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match parse(text, what)? {
        Value::Object(map) => Ok(map),
        other => Err(format!("{what} must be a JSON object, not {}", kind(&other))),
    }
}

/// Parses `text` as a JSON array. An empty string counts as `[]` (no arguments).
pub fn parse_array(text: &str, what: &str) -> Result<Vec<Value>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    match parse(text, what)? {
        Value::Array(items) => Ok(items),
        other => Err(format!("{what} must be a JSON array, not {}", kind(&other))),
    }
}

/// The JSON type name of a value, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An optional string member of the configuration (`null` counts as absent).
pub fn opt_str<'a>(config: &'a Object, key: &str) -> Result<Option<&'a str>, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("config.{key} must be a string, not {}", kind(other))),
    }
}

/// A required string member of the configuration.
pub fn req_str<'a>(config: &'a Object, key: &str) -> Result<&'a str, String> {
    opt_str(config, key)?.ok_or_else(|| format!("config.{key} is required"))
}

/// An optional boolean member of the configuration.
pub fn opt_bool(config: &Object, key: &str) -> Result<Option<bool>, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(format!("config.{key} must be a boolean, not {}", kind(other))),
    }
}

/// Rejects members the definition's schema does not declare (`additionalProperties: false`).
pub fn only_keys(config: &Object, allowed: &[&str]) -> Result<(), String> {
    match config.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) if allowed.is_empty() => Err(format!("config.{unknown} is not a known setting (this takes no settings)")),
        Some(unknown) => Err(format!("config.{unknown} is not a known setting (known: {})", allowed.join(", "))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_have_a_status_and_the_fields() {
        // serde_json's map is ordered by key: the host must not expect "status" first.
        assert_eq!(success(serde_json::json!({"value": 1})), r#"{"status":"success","value":1}"#);
        assert_eq!(error("bad \"x\""), r#"{"message":"bad \"x\"","status":"error"}"#);
    }

    #[test]
    fn arguments_are_checked() {
        assert!(parse_object("", "config").unwrap().is_empty());
        assert_eq!(parse_object("[1]", "config").unwrap_err(), "config must be a JSON object, not an array");
        assert!(parse_object("{", "config").unwrap_err().starts_with("config is not valid JSON"));
        let cfg = parse_object(r#"{"a": 1, "b": "x"}"#, "config").unwrap();
        assert_eq!(opt_str(&cfg, "a").unwrap_err(), "config.a must be a string, not a number");
        assert_eq!(req_str(&cfg, "c").unwrap_err(), "config.c is required");
        assert_eq!(only_keys(&cfg, &["a"]).unwrap_err(), "config.b is not a known setting (known: a)");
    }
}
