//! The tasks: `line_in_file` and `render_template` (both of type `apply`).
//!
//! A Driftless plugin has no filesystem, so these tasks work on the content they are given and
//! answer the content the file should have, with `changed` saying whether it differs. Writing it
//! is the host's business.

use crate::envelope::{opt_bool, opt_str, only_keys, req_str, Object};
use crate::host::{self, Level};
use crate::template;
use serde_json::{json, Value};

/// The answer of `get_task_definitions`.
pub fn definitions() -> Value {
    json!([
        {
            "name": "line_in_file",
            "type": "apply",
            "description": "Ensures one line is present in (or absent from) a file's content. With `match`, the last line starting with that text is the one replaced or removed; a new line goes after the last line starting with `insert_after`, else at the end.",
            "config_schema": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "minLength": 1, "description": "the file the content belongs to (reported back, never opened)"},
                    "content": {"type": "string", "description": "the file's current content"},
                    "line": {"type": "string", "pattern": "^[^\\r\\n]*$", "description": "the line that must be present (or absent)"},
                    "match": {"type": "string", "minLength": 1, "description": "lines starting with this text are the managed line"},
                    "insert_after": {"type": "string", "minLength": 1, "description": "a new line goes after the last line starting with this text"},
                    "state": {"enum": ["present", "absent"], "default": "present"}
                },
                "required": ["path", "content"],
                "additionalProperties": false,
                "if": {"properties": {"state": {"const": "absent"}}, "required": ["state"]},
                "then": {"anyOf": [{"required": ["line"]}, {"required": ["match"]}]},
                "else": {"required": ["line"]}
            }
        },
        {
            "name": "render_template",
            "type": "apply",
            "description": "Renders a template ({{ var.path | filter(args) }}, with this plugin's filters and functions) from variables; `changed` compares with the current content when given.",
            "config_schema": {
                "type": "object",
                "properties": {
                    "template": {"type": "string"},
                    "vars": {"type": "object", "default": {}},
                    "current": {"type": "string", "description": "the destination's current content"},
                    "strict": {"type": "boolean", "default": true, "description": "an unknown variable is an error (else it renders as nothing)"}
                },
                "required": ["template"],
                "additionalProperties": false
            }
        }
    ])
}

/// Runs the task `name` with its configuration.
pub fn execute(name: &str, config: &Object) -> Result<Value, String> {
    match name {
        "line_in_file" => line_in_file(config),
        "render_template" => render_template(config),
        _ => Err(format!("Unknown task: {name}")),
    }
}

fn non_empty<'a>(config: &'a Object, key: &str) -> Result<Option<&'a str>, String> {
    match opt_str(config, key)? {
        Some("") => Err(format!("config.{key} must not be empty")),
        other => Ok(other),
    }
}

fn line_in_file(config: &Object) -> Result<Value, String> {
    only_keys(config, &["path", "content", "line", "match", "insert_after", "state"])?;
    let path = non_empty(config, "path")?.ok_or("config.path is required")?;
    let content = req_str(config, "content")?;
    let line = opt_str(config, "line")?;
    let matcher = non_empty(config, "match")?;
    let insert_after = non_empty(config, "insert_after")?;
    let present = match opt_str(config, "state")?.unwrap_or("present") {
        "present" => true,
        "absent" => false,
        other => return Err(format!("config.state must be present or absent, not {other:?}")),
    };
    if let Some(l) = line {
        if l.contains('\n') || l.contains('\r') {
            return Err("config.line must be a single line (no line breaks)".into());
        }
    }

    let eol = if content.contains("\r\n") { "\r\n" } else { "\n" };
    let ends_with_eol = content.is_empty() || content.ends_with(eol);
    let mut lines: Vec<&str> = content.split(eol).collect();
    if content.is_empty() || content.ends_with(eol) {
        lines.pop();
    }

    let (changed, message) = if present {
        let line = line.ok_or("config.line is required when state is present")?;
        let replace_at = matcher.and_then(|m| lines.iter().rposition(|l| l.starts_with(m)));
        match replace_at {
            Some(i) if lines[i] == line => (false, "line already present".to_string()),
            Some(i) => {
                lines[i] = line;
                (true, format!("line {} replaced", i + 1))
            }
            None if lines.contains(&line) => (false, "line already present".to_string()),
            None => {
                let at = insert_after
                    .and_then(|a| lines.iter().rposition(|l| l.starts_with(a)))
                    .map_or(lines.len(), |i| i + 1);
                lines.insert(at, line);
                (true, format!("line added as line {}", at + 1))
            }
        }
    } else {
        if line.is_none() && matcher.is_none() {
            return Err("config.line or config.match is required when state is absent".into());
        }
        let before = lines.len();
        lines.retain(|l| !(matcher.map_or(false, |m| l.starts_with(m)) || line == Some(*l)));
        let removed = before - lines.len();
        (removed > 0, format!("{removed} line(s) removed"))
    };

    let mut new_content = lines.join(eol);
    if ends_with_eol && !lines.is_empty() {
        new_content.push_str(eol);
    }
    let level = if changed { Level::Info } else { Level::Debug };
    host::log(level, &format!("line_in_file {path}: {message}"));
    Ok(json!({"changed": changed, "path": path, "content": new_content, "message": message}))
}

fn render_template(config: &Object) -> Result<Value, String> {
    only_keys(config, &["template", "vars", "current", "strict"])?;
    let source = req_str(config, "template")?;
    let empty = Object::new();
    let vars = match config.get("vars") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(other) => return Err(format!("config.vars must be an object, not {}", crate::envelope::kind(other))),
    };
    let strict = opt_bool(config, "strict")?.unwrap_or(true);
    let current = opt_str(config, "current")?;
    let content = template::render(source, vars, strict)?;
    let changed = current != Some(content.as_str());
    let message = match (current, changed) {
        (None, _) => "rendered",
        (Some(_), true) => "rendered content differs from the current content",
        (Some(_), false) => "rendered content equals the current content",
    };
    host::log(Level::Debug, &format!("render_template: {} bytes, {message}", content.len()));
    Ok(json!({"changed": changed, "content": content, "message": message}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(config: Value) -> Result<Value, String> {
        match config {
            Value::Object(map) => execute("line_in_file", &map),
            _ => unreachable!(),
        }
    }

    #[test]
    fn replaces_the_matched_line() {
        let out = run(json!({"path": "/etc/ssh/sshd_config", "content": "Port 22\nPermitRootLogin yes\nX11Forwarding no\n",
                             "line": "PermitRootLogin no", "match": "PermitRootLogin "})).unwrap();
        assert_eq!(out["changed"], json!(true));
        assert_eq!(out["content"], json!("Port 22\nPermitRootLogin no\nX11Forwarding no\n"));
        assert_eq!(out["message"], json!("line 2 replaced"));
    }

    #[test]
    fn is_idempotent() {
        let out = run(json!({"path": "/f", "content": "a\nb\n", "line": "b"})).unwrap();
        assert_eq!(out["changed"], json!(false));
        assert_eq!(out["content"], json!("a\nb\n"));
    }

    #[test]
    fn inserts_after_or_appends() {
        let out = run(json!({"path": "/f", "content": "[main]\nx=1\n[other]\n", "line": "y=2", "insert_after": "x="})).unwrap();
        assert_eq!(out["content"], json!("[main]\nx=1\ny=2\n[other]\n"));
        let out = run(json!({"path": "/f", "content": "a", "line": "b"})).unwrap();
        assert_eq!(out["content"], json!("a\nb"));
        let out = run(json!({"path": "/f", "content": "", "line": "b"})).unwrap();
        assert_eq!(out["content"], json!("b\n"));
        let out = run(json!({"path": "/f", "content": "a\r\nc\r\n", "line": "b"})).unwrap();
        assert_eq!(out["content"], json!("a\r\nc\r\nb\r\n"));
    }

    #[test]
    fn removes_lines() {
        let out = run(json!({"path": "/f", "content": "#x\nx=1\nx=2\ny\n", "match": "x=", "state": "absent"})).unwrap();
        assert_eq!(out["content"], json!("#x\ny\n"));
        assert_eq!(out["message"], json!("2 line(s) removed"));
        let out = run(json!({"path": "/f", "content": "y\n", "line": "x", "state": "absent"})).unwrap();
        assert_eq!(out["changed"], json!(false));
    }

    #[test]
    fn refuses_bad_configs() {
        assert_eq!(run(json!({"content": ""})).unwrap_err(), "config.path is required");
        assert_eq!(run(json!({"path": "/f", "content": ""})).unwrap_err(), "config.line is required when state is present");
        assert_eq!(run(json!({"path": "/f", "content": "", "line": "a\nb"})).unwrap_err(), "config.line must be a single line (no line breaks)");
        assert_eq!(run(json!({"path": "/f", "content": "", "line": "a", "state": "gone"})).unwrap_err(), "config.state must be present or absent, not \"gone\"");
        assert!(run(json!({"path": "/f", "content": "", "line": "a", "mode": "0644"})).unwrap_err().starts_with("config.mode is not a known setting"));
        assert_eq!(execute("nope", &Object::new()).unwrap_err(), "Unknown task: nope");
    }

    #[test]
    fn renders_templates() {
        let cfg = json!({"template": "Host {{ host | slugify }}\n", "vars": {"host": "Web 01"}, "current": "Host web-01\n"});
        let out = execute("render_template", cfg.as_object().unwrap()).unwrap();
        assert_eq!(out["content"], json!("Host web-01\n"));
        assert_eq!(out["changed"], json!(false));
    }
}
