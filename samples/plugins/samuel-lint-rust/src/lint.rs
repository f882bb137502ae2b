//! The `lint` and `health` exports: input parsing, the rules download, the directory walk, the
//! soft deadline, `fix`, and the result JSON.

use crate::host::{self, Level};
use crate::rules;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

pub const NAME: &str = "samuel-lint";
pub const VERSION: &str = "0.1.0";

/// Files larger than this are reported as `unreadable` instead of being linted.
const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Findings beyond this many are counted in `findings_omitted` instead of listed.
const MAX_FINDINGS: usize = 1000;
/// Directories deeper than this below the root are reported, not entered.
const MAX_DEPTH: usize = 64;
/// The largest `delay_ms_per_file` accepted (one hour).
const MAX_DELAY_MS: u64 = 3_600_000;
const DEFAULT_MAX_LINE: usize = 100;
const MAX_LINE_LIMIT: usize = 1_000_000;
const UNREADABLE: &str = "unreadable";

#[derive(Deserialize)]
struct LintRequest {
    #[serde(default)]
    root: Option<String>,
    #[serde(default)]
    rules_url: Option<String>,
    #[serde(default)]
    delay_ms_per_file: Option<u64>,
    #[serde(default)]
    fix: Option<bool>,
}

#[derive(Serialize)]
struct Finding {
    file: String,
    line: usize,
    column: usize,
    rule: &'static str,
    message: String,
}

#[derive(Serialize)]
struct WriteError {
    file: String,
    error: String,
    kind: String,
}

fn error(code: &str, message: String) -> Vec<u8> {
    to_bytes(&json!({"error": {"code": code, "message": message}}))
}

fn to_bytes(value: &Value) -> Vec<u8> {
    // Serializing a Value with string keys cannot fail.
    serde_json::to_vec(value).unwrap_or_else(|_| b"{\"error\":\"serialization failed\"}".to_vec())
}

/// Cuts text that came from outside (input, environment) for use in a message.
fn excerpt(text: &str) -> String {
    let mut cut: String = text.chars().take(64).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// `LINT_MAX_LINE` from the environment the host lets through; 100 when absent.
fn max_line() -> Result<usize, String> {
    match std::env::var("LINT_MAX_LINE") {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_MAX_LINE),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err("LINT_MAX_LINE is not valid UTF-8".to_string())
        }
        Ok(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LINE_LIMIT).contains(&n) && !text.starts_with('+') => Ok(n),
            _ => Err(format!(
                "LINT_MAX_LINE must be a whole number from 1 to {}, not \"{}\"",
                MAX_LINE_LIMIT,
                excerpt(&text)
            )),
        },
    }
}

fn parse_request(input: &[u8]) -> Result<LintRequest, String> {
    let value: Value = serde_json::from_slice(input).map_err(|e| format!("input is not JSON: {}", e))?;
    if !value.is_object() {
        return Err("input must be a JSON object".to_string());
    }
    // Read again from the bytes (not the Value) so that a field given twice is an error.
    let request: LintRequest =
        serde_json::from_slice(input).map_err(|e| format!("invalid input: {}", e))?;
    if let Some(root) = &request.root {
        if !root.starts_with('/') || root.contains('\0') {
            return Err(format!(
                "root must be an absolute path, not \"{}\"",
                excerpt(root)
            ));
        }
    }
    if let Some(delay) = request.delay_ms_per_file {
        if delay > MAX_DELAY_MS {
            return Err(format!(
                "delay_ms_per_file must be at most {}, not {}",
                MAX_DELAY_MS, delay
            ));
        }
    }
    Ok(request)
}

/// The banned words from `rules_url`, or the `network` member saying why there are none.
fn fetch_rules(url: &str) -> Result<Vec<String>, Value> {
    let failure = |status: i64, error: String| json!({"url": url, "status": status, "error": error});
    let request = to_bytes(&json!({"method": "GET", "url": url}));
    let answer = host::net_outbound(&request).map_err(|code| failure(code, host::status_text(code)))?;

    #[derive(Deserialize)]
    struct Answer {
        status: i64,
        #[serde(default)]
        body: Option<String>,
    }
    #[derive(Deserialize)]
    struct Rules {
        banned: Vec<String>,
    }

    let answer: Answer = serde_json::from_slice(&answer)
        .map_err(|e| failure(0, format!("the host's answer is not {{\"status\", \"body\"}} JSON: {}", e)))?;
    if !(200..300).contains(&answer.status) {
        return Err(failure(answer.status, format!("HTTP {}", answer.status)));
    }
    let body = answer.body.unwrap_or_default();
    let rules: Rules = serde_json::from_str(&body).map_err(|e| {
        failure(
            answer.status,
            format!("the rules are not {{\"banned\": [\"word\", ...]}}: {}", e),
        )
    })?;
    let mut words: Vec<String> = rules
        .banned
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    words.sort();
    words.dedup();
    Ok(words)
}

/// Collects the regular files under `dir` (symbolic links are not followed); directories that
/// cannot be listed become `unreadable` findings.
fn collect(dir: &Path, depth: usize, files: &mut Vec<PathBuf>, problems: &mut Vec<Finding>) {
    let unreadable = |path: &Path, message: String| Finding {
        file: path_text(path),
        line: 0,
        column: 0,
        rule: UNREADABLE,
        message,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(unreadable(dir, format!("cannot list the directory: {}", e)));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(unreadable(dir, format!("cannot list the directory: {}", e)));
                return;
            }
        };
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => {
                if depth >= MAX_DEPTH {
                    problems.push(unreadable(
                        &path,
                        format!("directory nested deeper than {} levels; not entered", MAX_DEPTH),
                    ));
                } else {
                    collect(&path, depth + 1, files, problems);
                }
            }
            Ok(kind) if kind.is_file() => files.push(path),
            Ok(_) => {} // symbolic links and special files are not linted
            Err(e) => problems.push(unreadable(&path, format!("cannot tell what it is: {}", e))),
        }
    }
}

/// Reads a file of at most 1 MiB as UTF-8 text.
fn read_text(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {}", e))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {}", e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("larger than {} bytes; not linted", MAX_FILE_BYTES));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {}); not linted",
            e.utf8_error().valid_up_to()
        )
    })
}

pub fn lint(input: &[u8]) -> Vec<u8> {
    let request = match parse_request(input) {
        Ok(request) => request,
        Err(message) => return error("bad_input", message),
    };
    let max_line = match max_line() {
        Ok(n) => n,
        Err(message) => return error("bad_config", message),
    };
    let root = PathBuf::from(request.root.as_deref().unwrap_or("/workspace"));
    let delay = request.delay_ms_per_file.unwrap_or(0);
    let fix = request.fix.unwrap_or(false);

    host::log(
        Level::Info,
        &format!("linting {} with max line {}", path_text(&root), max_line),
    );

    // The root itself must be listable: anything else is an error, not a finding.
    if let Err(e) = std::fs::read_dir(&root) {
        return error("io", format!("cannot read {}: {}", path_text(&root), e));
    }

    let mut result = Map::new();
    let mut banned = Vec::new();
    if let Some(url) = &request.rules_url {
        match fetch_rules(url) {
            Ok(words) => {
                result.insert("rules".into(), json!({"url": url, "banned": words.len()}));
                banned = words;
            }
            Err(network) => {
                result.insert("network".into(), network);
            }
        }
    }

    let mut files = Vec::new();
    let mut findings = Vec::new();
    collect(&root, 0, &mut files, &mut findings);
    files.sort();

    let mut checked = 0usize;
    let mut stopped_at: Option<String> = None;
    let mut fixed = Vec::new();
    let mut write_errors = Vec::new();
    for path in &files {
        if host::soft_deadline_ms() <= 0 {
            stopped_at = Some(path_text(path));
            break;
        }
        if delay > 0 {
            std::thread::sleep(std::time::Duration::from_millis(delay));
        }
        checked += 1;
        let file = path_text(path);
        let text = match read_text(path) {
            Ok(text) => text,
            Err(message) => {
                findings.push(Finding {
                    file,
                    line: 0,
                    column: 0,
                    rule: UNREADABLE,
                    message,
                });
                continue;
            }
        };
        for f in rules::check_text(&text, max_line, &banned) {
            findings.push(Finding {
                file: file.clone(),
                line: f.line,
                column: f.column,
                rule: f.rule,
                message: f.message,
            });
        }
        if fix {
            if let Some(new_text) = rules::strip_trailing_whitespace(&text) {
                match std::fs::write(path, new_text) {
                    Ok(()) => fixed.push(file),
                    Err(e) => write_errors.push(WriteError {
                        file,
                        error: e.to_string(),
                        kind: format!("{:?}", e.kind()),
                    }),
                }
            }
        }
    }

    findings.sort_by(|a, b| {
        Path::new(&a.file)
            .cmp(Path::new(&b.file))
            .then(a.line.cmp(&b.line))
            .then(a.column.cmp(&b.column))
            .then(a.rule.cmp(b.rule))
    });
    let total = findings.len();
    let mut counts: Map<String, Value> = Map::new();
    for f in &findings {
        let n = counts.get(f.rule).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(f.rule.to_string(), json!(n + 1));
    }
    findings.truncate(MAX_FINDINGS);

    host::log(
        Level::Info,
        &format!(
            "linted {} of {} files: {} findings{}",
            checked,
            files.len(),
            total,
            match &stopped_at {
                Some(path) => format!("; stopped at the soft deadline before {}", path),
                None => String::new(),
            }
        ),
    );

    result.insert("findings".into(), json!(findings));
    result.insert("files".into(), json!(checked));
    result.insert("files_found".into(), json!(files.len()));
    result.insert("max_line".into(), json!(max_line));
    result.insert("counts".into(), Value::Object(counts));
    result.insert("truncated".into(), json!(stopped_at.is_some()));
    if let Some(path) = stopped_at {
        result.insert("stopped_at".into(), json!(path));
    }
    if total > MAX_FINDINGS {
        result.insert("findings_omitted".into(), json!(total - MAX_FINDINGS));
    }
    if fix {
        result.insert("fixed".into(), json!(fixed));
        result.insert("write_errors".into(), json!(write_errors));
    }
    to_bytes(&Value::Object(result))
}

pub fn health() -> Vec<u8> {
    let mut names: Vec<String> = std::env::vars_os()
        .map(|(name, _)| name.to_string_lossy().into_owned())
        .collect();
    names.sort();
    to_bytes(&json!({
        "ok": true,
        "name": NAME,
        "version": VERSION,
        "soft_deadline_ms": host::soft_deadline_ms(),
        "env_visible": names,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(input: &str) -> Value {
        serde_json::from_slice(&lint(input.as_bytes())).unwrap()
    }

    #[test]
    fn malformed_input_is_bad_input() {
        for input in ["", "{", "[]", "\"x\"", "{\"root\": 5}", "{\"root\": \"rel\"}", "{\"fix\": \"yes\"}",
            "{\"root\": \"/a\", \"root\": \"/b\"}", "{\"delay_ms_per_file\": -1}", "{\"delay_ms_per_file\": 3600001}"] {
            let v = answer(input);
            assert_eq!(v["error"]["code"], "bad_input", "{}: {}", input, v);
        }
    }

    #[test]
    fn missing_root_is_io_error() {
        let v = answer("{\"root\": \"/nonexistent-samuel-lint-root\"}");
        assert_eq!(v["error"]["code"], "io");
    }

    #[test]
    fn lints_a_directory() {
        let dir = std::env::temp_dir().join(format!("samuel-lint-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.txt"), "ok\nTODO x \n").unwrap();
        std::fs::write(dir.join("sub/a.txt"), "\tindented\n").unwrap();
        std::fs::write(dir.join("bin.dat"), [0xffu8, 0xfe]).unwrap();
        let input = json!({"root": dir.to_str().unwrap(), "fix": true}).to_string();
        let v = answer(&input);
        assert_eq!(v["files"], 3, "{}", v);
        assert_eq!(v["truncated"], false);
        let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert_eq!(rules, vec!["todo-owner", "trailing-whitespace", "unreadable", "tab-indent"], "{}", v);
        assert_eq!(v["fixed"].as_array().unwrap().len(), 1);
        assert_eq!(std::fs::read_to_string(dir.join("b.txt")).unwrap(), "ok\nTODO x\n");
        // The rules URL is answered -6 by the native stand-in.
        let input = json!({"root": dir.to_str().unwrap(), "rules_url": "http://rules.samuel.test/r.json"}).to_string();
        let v = answer(&input);
        assert_eq!(v["network"]["status"], -6);
        assert_eq!(v["network"]["error"], "unavailable");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
