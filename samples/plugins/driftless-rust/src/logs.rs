//! The log parsers `logfmt` and `syslog`. Each turns one line into a log entry:
//!
//! ```json
//! {"timestamp": "2024-03-01T12:00:00Z" | null, "level": "error|warn|info|debug|<other>" | null,
//!  "message": "text", "fields": {"key": "value", ...}}
//! ```
//!
//! Level words are normalised to the four `host_log` words where they have an obvious meaning
//! (`warning` -> `warn`, `crit` -> `error`, `trace` -> `debug`, ...); any other word is kept,
//! lower-cased.

use crate::envelope::{only_keys, opt_str, Object};
use serde_json::{json, Map, Value};

/// The answer of `get_log_parsers`.
pub fn definitions() -> Value {
    json!([
        {
            "name": "logfmt",
            "description": "key=value pairs (values bare or double-quoted with \\\" \\\\ \\n \\t escapes; a key alone means true). The timestamp, level and message keys become the entry's own members, the rest its fields.",
            "config_schema": {
                "type": "object",
                "properties": {
                    "timestamp_key": {"type": "string", "minLength": 1, "default": "ts"},
                    "level_key": {"type": "string", "minLength": 1, "default": "level"},
                    "message_key": {"type": "string", "minLength": 1, "default": "msg"}
                },
                "additionalProperties": false
            }
        },
        {
            "name": "syslog",
            "description": "A BSD syslog line (RFC 3164): <PRI>Mmm dd hh:mm:ss host app[pid]: message. The severity becomes the level; facility, severity, host, app and pid become fields.",
            "config_schema": {"type": "object", "properties": {}, "additionalProperties": false}
        }
    ])
}

/// Parses `input` with the parser `name`.
pub fn execute(name: &str, config: &Object, input: &str) -> Result<Value, String> {
    let line = input.trim_end_matches(|c| c == '\n' || c == '\r');
    if line.contains('\n') {
        return Err("a log parser takes one line; the input has several".into());
    }
    let entry = match name {
        "logfmt" => logfmt(config, line)?,
        "syslog" => {
            only_keys(config, &[])?;
            syslog(line)?
        }
        _ => return Err(format!("Unknown log parser: {name}")),
    };
    Ok(json!({ "entry": entry }))
}

/// The four host_log words for common level spellings; other words lower-cased.
pub fn normalise_level(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "error" | "err" | "fatal" | "crit" | "critical" | "alert" | "emerg" | "emergency" | "panic" => "error".into(),
        "warn" | "warning" => "warn".into(),
        "info" | "information" | "notice" => "info".into(),
        "debug" | "trace" | "verbose" => "debug".into(),
        _ => lower,
    }
}

fn entry(timestamp: Option<String>, level: Option<String>, message: String, fields: Map<String, Value>) -> Value {
    json!({"timestamp": timestamp, "level": level, "message": message, "fields": fields})
}

fn logfmt(config: &Object, line: &str) -> Result<Value, String> {
    only_keys(config, &["timestamp_key", "level_key", "message_key"])?;
    let ts_key = opt_str(config, "timestamp_key")?.unwrap_or("ts");
    let level_key = opt_str(config, "level_key")?.unwrap_or("level");
    let msg_key = opt_str(config, "message_key")?.unwrap_or("msg");
    let pairs = parse_logfmt(line)?;
    let (mut timestamp, mut level, mut message) = (None, None, String::new());
    let mut fields = Map::new();
    for (key, value) in pairs {
        let text = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if key == ts_key {
            timestamp = Some(text);
        } else if key == level_key {
            level = Some(normalise_level(&text));
        } else if key == msg_key {
            message = text;
        } else {
            fields.insert(key, value);
        }
    }
    Ok(entry(timestamp, level, message, fields))
}

/// The pairs of a logfmt line, in order (a repeated key keeps its last value).
fn parse_logfmt(line: &str) -> Result<Vec<(String, Value)>, String> {
    let bytes = line.as_bytes();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' || bytes[i] == b'\t' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'=' | b'"') {
            i += 1;
        }
        if i == start {
            return Err(format!("logfmt: expected a key at column {}", start + 1));
        }
        let key = line[start..i].to_string();
        if i >= bytes.len() || bytes[i] != b'=' {
            if i < bytes.len() && bytes[i] == b'"' {
                return Err(format!("logfmt: unexpected '\"' in a key at column {}", i + 1));
            }
            pairs.push((key, Value::Bool(true)));
            continue;
        }
        i += 1; // '='
        let value = if i < bytes.len() && bytes[i] == b'"' {
            let open = i;
            i += 1;
            let mut text = String::new();
            let mut closed = false;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    b'\\' if i + 1 < bytes.len() => {
                        text.push(match bytes[i + 1] {
                            b'n' => '\n',
                            b't' => '\t',
                            b'r' => '\r',
                            b'"' => '"',
                            b'\\' => '\\',
                            other => return Err(format!("logfmt: unknown escape '\\{}' at column {}", other as char, i + 1)),
                        });
                        i += 2;
                    }
                    _ => {
                        let c = line[i..].chars().next().unwrap_or('\u{fffd}');
                        text.push(c);
                        i += c.len_utf8();
                    }
                }
            }
            if !closed {
                return Err(format!("logfmt: the quoted value opened at column {} is never closed", open + 1));
            }
            text
        } else {
            let start = i;
            while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t') {
                if bytes[i] == b'"' {
                    return Err(format!("logfmt: unexpected '\"' inside an unquoted value at column {}", i + 1));
                }
                i += 1;
            }
            line[start..i].to_string()
        };
        pairs.push((key, Value::String(value)));
    }
    Ok(pairs)
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SEVERITIES: [&str; 8] = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
const FACILITIES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security",
    "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
];

fn syslog(line: &str) -> Result<Value, String> {
    let rest = line.strip_prefix('<').ok_or("syslog: the line must start with <PRI>")?;
    let close = rest.find('>').filter(|&n| (1..=3).contains(&n)).ok_or("syslog: <PRI> must be 1 to 3 digits")?;
    let pri: u32 = rest[..close].parse().map_err(|_| "syslog: <PRI> must be 1 to 3 digits")?;
    if pri > 191 {
        return Err(format!("syslog: priority {pri} is out of range (0 to 191)"));
    }
    let rest = &rest[close + 1..];
    // "Mmm dd hh:mm:ss " is 16 bytes; the day is space-padded ("Oct  1").
    let stamp = rest.get(..15).ok_or("syslog: expected a timestamp 'Mmm dd hh:mm:ss' after <PRI>")?;
    let valid_stamp = stamp.is_ascii()
        && MONTHS.contains(&&stamp[..3])
        && stamp.as_bytes()[3] == b' '
        && stamp[4..6].trim_start().parse::<u8>().map_or(false, |d| (1..=31).contains(&d))
        && stamp.as_bytes()[6] == b' '
        && stamp.as_bytes()[9] == b':'
        && stamp.as_bytes()[12] == b':'
        && [7, 8, 10, 11, 13, 14].iter().all(|&i| stamp.as_bytes()[i].is_ascii_digit());
    if !valid_stamp || rest.as_bytes().get(15) != Some(&b' ') {
        return Err(format!("syslog: {:?} is not a timestamp 'Mmm dd hh:mm:ss'", stamp));
    }
    let rest = &rest[16..];
    let (host, rest) = rest.split_once(' ').ok_or("syslog: expected a host name after the timestamp")?;
    let (severity, facility) = (pri % 8, pri / 8);
    let mut fields = Map::new();
    fields.insert("facility".into(), Value::from(FACILITIES[facility as usize]));
    fields.insert("severity".into(), Value::from(SEVERITIES[severity as usize]));
    fields.insert("host".into(), Value::from(host));
    // "app[pid]: message" or "app: message"; a line without a tag is all message.
    let message = match rest.split_once(": ") {
        Some((tag, message)) if !tag.is_empty() && !tag.contains(' ') => {
            match tag.strip_suffix(']').and_then(|t| t.split_once('[')) {
                Some((app, pid)) => {
                    fields.insert("app".into(), Value::from(app));
                    fields.insert("pid".into(), Value::from(pid));
                }
                None => {
                    fields.insert("app".into(), Value::from(tag));
                }
            }
            message
        }
        _ => rest,
    };
    Ok(entry(Some(stamp.to_string()), Some(normalise_level(SEVERITIES[severity as usize])), message.to_string(), fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, config: &str, line: &str) -> Result<Value, String> {
        let cfg: Object = serde_json::from_str(config).unwrap();
        execute(name, &cfg, line).map(|v| v["entry"].clone())
    }

    #[test]
    fn parses_logfmt() {
        let e = parse("logfmt", "{}", "ts=2024-03-01T12:00:00Z level=WARNING msg=\"disk \\\"/\\\" at 91%\" host=web-1 retry\n").unwrap();
        assert_eq!(
            e,
            json!({"timestamp": "2024-03-01T12:00:00Z", "level": "warn", "message": "disk \"/\" at 91%",
                   "fields": {"host": "web-1", "retry": true}})
        );
        let e = parse("logfmt", r#"{"message_key": "message", "level_key": "lvl"}"#, "lvl=crit message=boom msg=x").unwrap();
        assert_eq!(e["level"], json!("error"));
        assert_eq!(e["message"], json!("boom"));
        assert_eq!(e["fields"]["msg"], json!("x"));
        assert_eq!(e["timestamp"], Value::Null);
    }

    #[test]
    fn reports_logfmt_errors_with_columns() {
        assert_eq!(parse("logfmt", "{}", "a=1 b=\"open").unwrap_err(), "logfmt: the quoted value opened at column 7 is never closed");
        assert_eq!(parse("logfmt", "{}", "a=1 =2").unwrap_err(), "logfmt: expected a key at column 5");
        assert_eq!(parse("logfmt", "{}", "a=x\"y").unwrap_err(), "logfmt: unexpected '\"' inside an unquoted value at column 4");
        assert_eq!(parse("logfmt", "{}", "a\nb").unwrap_err(), "a log parser takes one line; the input has several");
    }

    #[test]
    fn parses_syslog() {
        let e = parse("syslog", "{}", "<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8").unwrap();
        assert_eq!(
            e,
            json!({"timestamp": "Oct 11 22:14:15", "level": "error", "message": "'su root' failed for lonvick on /dev/pts/8",
                   "fields": {"facility": "auth", "severity": "crit", "host": "mymachine", "app": "su", "pid": "230"}})
        );
        let e = parse("syslog", "{}", "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!").unwrap();
        assert_eq!(e["level"], json!("info"));
        assert_eq!(e["fields"]["facility"], json!("user"));
        assert_eq!(e["message"], json!("Use the BFG!"));
    }

    #[test]
    fn reports_syslog_errors() {
        assert_eq!(parse("syslog", "{}", "Oct 11 x").unwrap_err(), "syslog: the line must start with <PRI>");
        assert_eq!(parse("syslog", "{}", "<192>Oct 11 22:14:15 h m").unwrap_err(), "syslog: priority 192 is out of range (0 to 191)");
        assert!(parse("syslog", "{}", "<34>2024-03-01T12:00:00Z h m").unwrap_err().contains("is not a timestamp"));
        assert!(parse("syslog", r#"{"x": 1}"#, "<34>Oct 11 22:14:15 h m").unwrap_err().starts_with("config.x is not a known setting"));
    }
}
