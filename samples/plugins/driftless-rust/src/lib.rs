//! confkit: a Driftless plugin written the way the Driftless plugin guide shows it: `#[wasm_bindgen]`
//! exports taking `&str` and returning `String`, JSON in and out with serde_json.
//!
//! It registers two tasks (`line_in_file`, `render_template`), a facts collector (`os_release`),
//! two template filters (`slugify`, `indent`), two template functions (`join_path`, `now`) and two
//! log parsers (`logfmt`, `syslog`). It exports no log source, filter or output registry, so it
//! registers nothing of those kinds.
//!
//! This file is the ABI surface only; ABI-NOTES.md beside Cargo.toml records how wasm-bindgen
//! 0.2.83 lowers these signatures when the module is built by plain cargo (no wasm-bindgen CLI).

mod envelope;
mod facts;
mod host;
mod logs;
mod tasks;
mod template;
mod time;

use envelope::{finish, parse, parse_array, parse_object};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn get_task_definitions() -> String {
    tasks::definitions().to_string()
}

#[wasm_bindgen]
pub fn get_facts_collectors() -> String {
    facts::definitions().to_string()
}

#[wasm_bindgen]
pub fn get_template_extensions() -> String {
    template::definitions().to_string()
}

#[wasm_bindgen]
pub fn get_log_parsers() -> String {
    logs::definitions().to_string()
}

#[wasm_bindgen]
pub fn execute_task(name: &str, config_json: &str) -> String {
    finish("execute_task", name, parse_object(config_json, "config").and_then(|config| tasks::execute(name, &config)))
}

#[wasm_bindgen]
pub fn execute_facts_collector(name: &str, config_json: &str) -> String {
    finish("execute_facts_collector", name, parse_object(config_json, "config").and_then(|config| facts::execute(name, &config)))
}

#[wasm_bindgen]
pub fn execute_template_filter(name: &str, config_json: &str, value_json: &str, args_json: &str) -> String {
    finish("execute_template_filter", name, (|| {
        let config = parse_object(config_json, "config")?;
        let value = parse(value_json, "value")?;
        let args = parse_array(args_json, "args")?;
        let value = template::filter(name, &config, &value, &args)?;
        Ok(serde_json::json!({ "value": value }))
    })())
}

#[wasm_bindgen]
pub fn execute_template_function(name: &str, config_json: &str, args_json: &str) -> String {
    finish("execute_template_function", name, (|| {
        let config = parse_object(config_json, "config")?;
        let args = parse_array(args_json, "args")?;
        let value = template::function(name, &config, &args)?;
        Ok(serde_json::json!({ "value": value }))
    })())
}

#[wasm_bindgen]
pub fn execute_log_parser(name: &str, config_json: &str, input: &str) -> String {
    finish("execute_log_parser", name, parse_object(config_json, "config").and_then(|config| logs::execute(name, &config, input)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn json(text: String) -> Value {
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn registries_are_arrays_of_named_definitions_with_schemas() {
        for registry in [get_task_definitions(), get_facts_collectors(), get_template_extensions(), get_log_parsers()] {
            let defs = json(registry);
            assert!(!defs.as_array().unwrap().is_empty());
            for def in defs.as_array().unwrap() {
                assert!(def["name"].is_string());
                assert_eq!(def["config_schema"]["type"], "object");
            }
        }
        assert_eq!(json(get_task_definitions())[0]["type"], "apply");
        assert_eq!(json(get_template_extensions())[0]["type"], "filter");
    }

    #[test]
    fn executions_answer_envelopes() {
        let ok = json(execute_task("line_in_file", r#"{"path": "/etc/hosts", "content": "", "line": "127.0.0.1 localhost"}"#));
        assert_eq!(ok["status"], "success");
        assert_eq!(ok["content"], "127.0.0.1 localhost\n");
        let bad = json(execute_task("line_in_file", "{not json"));
        assert_eq!(bad["status"], "error");
        assert!(bad["message"].as_str().unwrap().starts_with("config is not valid JSON"));
        assert_eq!(json(execute_task("nope", "{}"))["message"], "Unknown task: nope");
        assert_eq!(json(execute_template_filter("slugify", "{}", r#""Hello World""#, "[]"))["value"], "hello-world");
        assert_eq!(json(execute_template_filter("slugify", "", "\"a b\"", ""))["value"], "a-b");
        assert_eq!(json(execute_template_function("join_path", "{}", r#"["/etc", "nginx"]"#))["value"], "/etc/nginx");
        assert_eq!(json(execute_log_parser("logfmt", "{}", "level=info msg=hi"))["entry"]["message"], "hi");
        assert_eq!(json(execute_facts_collector("os_release", r#"{"content": "ID=alpine"}"#))["facts"]["os"]["family"], "alpine");
    }
}
