//! The facts collector `os_release`: operating-system facts from the text of an os-release file
//! (freedesktop.org's `/etc/os-release` format), which the host reads and passes in `content`.

use crate::envelope::{only_keys, req_str, Object};
use crate::host::{self, Level};
use crate::time;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The answer of `get_facts_collectors`.
pub fn definitions() -> Value {
    json!([
        {
            "name": "os_release",
            "description": "Operating-system facts (id, name, version, family) from the text of /etc/os-release, stamped with the host's time.",
            "config_schema": {
                "type": "object",
                "properties": {
                    "content": {"type": "string", "description": "the text of /etc/os-release"}
                },
                "required": ["content"],
                "additionalProperties": false
            }
        }
    ])
}

/// Runs the collector `name`.
pub fn execute(name: &str, config: &Object) -> Result<Value, String> {
    match name {
        "os_release" => os_release(config),
        _ => Err(format!("Unknown facts collector: {name}")),
    }
}

fn os_release(config: &Object) -> Result<Value, String> {
    only_keys(config, &["content"])?;
    let fields = parse_os_release(req_str(config, "content")?)?;
    let get = |key: &str| fields.get(key).cloned();
    // Defaults of the os-release specification for absent fields.
    let id = get("ID").unwrap_or_else(|| "linux".into());
    let name = get("NAME").unwrap_or_else(|| "Linux".into());
    let pretty = get("PRETTY_NAME").unwrap_or_else(|| name.clone());
    let id_like: Vec<String> = get("ID_LIKE").map(|s| s.split_whitespace().map(String::from).collect()).unwrap_or_default();
    let family = family(&id, &id_like);
    let now = host::timestamp();
    host::log(Level::Debug, &format!("os_release: {pretty} (family {family})"));
    let mut os = Map::new();
    os.insert("id".into(), Value::from(id));
    os.insert("name".into(), Value::from(name));
    os.insert("pretty_name".into(), Value::from(pretty));
    os.insert("id_like".into(), Value::from(id_like));
    os.insert("family".into(), Value::from(family));
    for (key, field) in [("version", "VERSION"), ("version_id", "VERSION_ID"), ("version_codename", "VERSION_CODENAME")] {
        os.insert(key.into(), get(field).map_or(Value::Null, Value::from));
    }
    Ok(json!({"facts": {"os": os, "collected_at": time::rfc3339(now), "collected_at_unix": now}}))
}

/// The family Ansible-style playbooks branch on, from `ID` then `ID_LIKE`.
fn family(id: &str, id_like: &[String]) -> &'static str {
    for candidate in std::iter::once(id).chain(id_like.iter().map(String::as_str)) {
        let family = match candidate {
            "debian" | "ubuntu" | "raspbian" | "linuxmint" => "debian",
            "rhel" | "fedora" | "centos" | "rocky" | "almalinux" | "ol" | "amzn" => "redhat",
            "suse" | "opensuse" | "sles" | "opensuse-leap" | "opensuse-tumbleweed" => "suse",
            "arch" | "manjaro" => "arch",
            "alpine" => "alpine",
            "gentoo" => "gentoo",
            _ => continue,
        };
        return family;
    }
    "unknown"
}

/// `KEY=value` lines; values may be double- or single-quoted (backslash escapes `\"`, `\\`,
/// `` \` ``, `\$` inside double quotes). Blank lines and `#` comments are skipped.
fn parse_os_release(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut fields = BTreeMap::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or_else(|| format!("os-release line {}: expected KEY=value", n + 1))?;
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
            return Err(format!("os-release line {}: {key:?} is not a variable name", n + 1));
        }
        let value = unquote(value).ok_or_else(|| format!("os-release line {}: unterminated quote", n + 1))?;
        fields.insert(key.to_string(), value);
    }
    Ok(fields)
}

fn unquote(value: &str) -> Option<String> {
    let quote = match value.chars().next() {
        Some(q @ ('"' | '\'')) => q,
        _ => return Some(value.to_string()),
    };
    let inner = value[1..].strip_suffix(quote)?;
    if quote == '\'' {
        return Some(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e @ ('"' | '\\' | '`' | '$')) => out.push(e),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n# comment\n\nHOME_URL=\"https://www.debian.org/\"\n";

    #[test]
    fn collects_debian() {
        let cfg = json!({"content": DEBIAN});
        let facts = &execute("os_release", cfg.as_object().unwrap()).unwrap()["facts"];
        assert_eq!(facts["os"]["id"], json!("debian"));
        assert_eq!(facts["os"]["family"], json!("debian"));
        assert_eq!(facts["os"]["version_id"], json!("12"));
        assert_eq!(facts["os"]["version_codename"], json!("bookworm"));
        assert_eq!(facts["os"]["pretty_name"], json!("Debian GNU/Linux 12 (bookworm)"));
        assert_eq!(facts["collected_at"], json!("2024-03-01T12:00:00Z"));
    }

    #[test]
    fn uses_id_like_and_defaults() {
        let cfg = json!({"content": "ID=rocky\nID_LIKE=\"rhel centos fedora\"\n"});
        let facts = &execute("os_release", cfg.as_object().unwrap()).unwrap()["facts"];
        assert_eq!(facts["os"]["family"], json!("redhat"));
        assert_eq!(facts["os"]["id_like"], json!(["rhel", "centos", "fedora"]));
        let cfg = json!({"content": ""});
        let facts = &execute("os_release", cfg.as_object().unwrap()).unwrap()["facts"];
        assert_eq!(facts["os"]["id"], json!("linux"));
        assert_eq!(facts["os"]["pretty_name"], json!("Linux"));
        assert_eq!(facts["os"]["version_id"], Value::Null);
    }

    #[test]
    fn reports_malformed_lines() {
        let cfg = json!({"content": "ID=debian\nNAME=\"Debian\n"});
        assert_eq!(execute("os_release", cfg.as_object().unwrap()).unwrap_err(), "os-release line 2: unterminated quote");
        let cfg = json!({"content": "just words\n"});
        assert_eq!(execute("os_release", cfg.as_object().unwrap()).unwrap_err(), "os-release line 1: expected KEY=value");
    }
}
