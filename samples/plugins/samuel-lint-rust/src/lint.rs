//! The `lint` and `health` exports: input parsing, the rules download, the directory walk, the
//! soft deadline, `fix`, and the result JSON.

use crate::rules;
use crate::samuel::host;
use crate::samuel::{HostError, HostHttpRequest, Json, PluginError, SamuelFinding, SamuelLintReport, SamuelLintRequest, SamuelWriteError};
use serde::Deserialize;
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

/// `samuel.log` levels.
const INFO: i32 = 1;

/// A finding before it is numbered for the wire.
struct Finding {
    file: String,
    line: usize,
    column: usize,
    rule: &'static str,
    message: String,
}

fn error(code: &str, message: String) -> PluginError {
    PluginError::new(code, message)
}

fn json(value: &Value) -> Result<Json, PluginError> {
    Json::to_json(value)
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

/// The request's own rules, beyond what the contract's reader already checked (types, UTF-8, required `root`).
fn check_request(request: &SamuelLintRequest) -> Result<(), String> {
    if !request.root.starts_with('/') || request.root.contains('\0') {
        return Err(format!("root must be an absolute path, not \"{}\"", excerpt(&request.root)));
    }
    if let Some(delay) = request.delay_ms_per_file {
        if delay < 0 || delay as u64 > MAX_DELAY_MS {
            return Err(format!("delay_ms_per_file must be from 0 to {}, not {}", MAX_DELAY_MS, delay));
        }
    }
    Ok(())
}

/// The negative status a host refusal is reported with in the `network` member.
fn status_of(error: HostError) -> i64 {
    match error {
        HostError::PermissionDenied => -2,
        HostError::RateLimited => -3,
        HostError::InvalidArgument => -4,
        HostError::TooLarge => -5,
        HostError::Unavailable => -6,
        HostError::Other(status) => status,
        HostError::Malformed | HostError::BadArgument => 0,
    }
}

/// The banned words from `rules_url`, or the `network` member saying why there are none.
fn fetch_rules(url: &str) -> Result<Vec<String>, Value> {
    let failure = |status: i64, error: String| json!({"url": url, "status": status, "error": error});
    let request = HostHttpRequest { url: url.to_string(), method: Some("GET".to_string()), ..Default::default() };
    let answer = match host::net_outbound(&request) {
        Ok(Some(answer)) => answer,
        Ok(None) => return Err(failure(-1, "not found".to_string())),
        Err(e) => return Err(failure(status_of(e), e.to_string())),
    };

    #[derive(Deserialize)]
    struct Rules {
        banned: Vec<String>,
    }

    if !(200..300).contains(&answer.status) {
        return Err(failure(answer.status as i64, format!("HTTP {}", answer.status)));
    }
    let body = answer.body.unwrap_or_default();
    let rules: Rules = serde_json::from_str(&body).map_err(|e| {
        failure(
            answer.status as i64,
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

pub fn lint(request: SamuelLintRequest) -> Result<SamuelLintReport, PluginError> {
    check_request(&request).map_err(|message| error("bad_input", message))?;
    let max_line = max_line().map_err(|message| error("bad_config", message))?;
    let root = PathBuf::from(&request.root);
    let delay = request.delay_ms_per_file.unwrap_or(0) as u64;
    let fix = request.fix.unwrap_or(false);

    host::log(
        INFO,
        &format!("linting {} with max line {}", path_text(&root), max_line),
    );

    // The root itself must be listable: anything else is an error, not a finding.
    if let Err(e) = std::fs::read_dir(&root) {
        return Err(error("io", format!("cannot read {}: {}", path_text(&root), e)));
    }

    let mut report = SamuelLintReport::default();
    let mut banned = Vec::new();
    if let Some(url) = &request.rules_url {
        match fetch_rules(url) {
            Ok(words) => {
                report.extra.push(("rules".to_string(), json(&json!({"url": url, "banned": words.len()}))?));
                banned = words;
            }
            Err(network) => report.network = Some(json(&network)?),
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
        // Off wasm (cargo test) the host stand-ins answer 0 for every scalar: there is no deadline there.
        if cfg!(target_arch = "wasm32") && host::soft_deadline_ms() <= 0 {
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
                    Err(e) => write_errors.push(SamuelWriteError {
                        file,
                        error: e.to_string(),
                        kind: Some(format!("{:?}", e.kind())),
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
        INFO,
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

    report.findings = findings
        .into_iter()
        .map(|f| SamuelFinding {
            file: f.file,
            line: f.line.min(i32::MAX as usize) as i32,
            column: f.column.min(i32::MAX as usize) as i32,
            rule: f.rule.to_string(),
            message: f.message,
        })
        .collect();
    report.files = checked.min(i32::MAX as usize) as i32;
    report.max_line = Some(max_line as i32);
    report.truncated = stopped_at.is_some();
    report.stopped_at = stopped_at;
    report.extra.push(("files_found".to_string(), json(&json!(files.len()))?));
    report.extra.push(("counts".to_string(), json(&Value::Object(counts))?));
    if total > MAX_FINDINGS {
        report.extra.push(("findings_omitted".to_string(), json(&json!(total - MAX_FINDINGS))?));
    }
    if fix {
        report.extra.push(("fixed".to_string(), json(&json!(fixed))?));
        report.write_errors = Some(write_errors);
    }
    Ok(report)
}

pub fn health() -> Result<Json, PluginError> {
    let mut names: Vec<String> = std::env::vars_os()
        .map(|(name, _)| name.to_string_lossy().into_owned())
        .collect();
    names.sort();
    json(&json!({
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

    fn request(root: &str) -> SamuelLintRequest {
        SamuelLintRequest { root: root.to_string(), ..Default::default() }
    }

    #[test]
    fn a_bad_request_is_bad_input() {
        assert_eq!(lint(request("rel")).unwrap_err().code, "bad_input");
        let slow = SamuelLintRequest { delay_ms_per_file: Some(3_600_001), ..request("/a") };
        assert_eq!(lint(slow).unwrap_err().code, "bad_input");
        let negative = SamuelLintRequest { delay_ms_per_file: Some(-1), ..request("/a") };
        assert_eq!(lint(negative).unwrap_err().code, "bad_input");
    }

    #[test]
    fn missing_root_is_io_error() {
        assert_eq!(lint(request("/nonexistent-samuel-lint-root")).unwrap_err().code, "io");
    }

    #[test]
    fn lints_a_directory() {
        let dir = std::env::temp_dir().join(format!("samuel-lint-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.txt"), "ok\nTODO x \n").unwrap();
        std::fs::write(dir.join("sub/a.txt"), "\tindented\n").unwrap();
        std::fs::write(dir.join("bin.dat"), [0xffu8, 0xfe]).unwrap();
        let report = lint(SamuelLintRequest { fix: Some(true), ..request(dir.to_str().unwrap()) }).unwrap();
        assert_eq!(report.files, 3);
        assert!(!report.truncated);
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, vec!["todo-owner", "trailing-whitespace", "unreadable", "tab-indent"]);
        assert_eq!(std::fs::read_to_string(dir.join("b.txt")).unwrap(), "ok\nTODO x\n");
        // The rules URL is answered "unavailable" by the bindings' native stand-in.
        let report = lint(SamuelLintRequest { rules_url: Some("http://rules.samuel.test/r.json".to_string()), ..request(dir.to_str().unwrap()) }).unwrap();
        let network: Value = report.network.unwrap().parse().unwrap();
        assert_eq!(network["status"], -6);
        assert_eq!(network["error"], "unavailable");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
