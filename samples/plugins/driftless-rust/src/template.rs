//! Template extensions (the filters `slugify` and `indent`, the functions `join_path` and `now`)
//! and the small `{{ ... }}` renderer the `render_template` task uses them in.

use crate::envelope::{kind, opt_str, Object};
use crate::{host, time};
use serde_json::{json, Value};

/// The answer of `get_template_extensions`.
pub fn definitions() -> Value {
    json!([
        {
            "name": "slugify",
            "type": "filter",
            "description": "Lower-cases a string and joins its words with a separator: \"Crème Brûlée!\" -> \"creme-brulee\". Latin letters with accents lose them; other characters separate words.",
            "config_schema": {
                "type": "object",
                "properties": {
                    "separator": {"type": "string", "maxLength": 4, "default": "-"},
                    "max_length": {"type": "integer", "minimum": 1}
                },
                "additionalProperties": false
            },
            "args_schema": {
                "type": "array",
                "items": [{"type": "string", "maxLength": 4, "description": "separator (overrides the configured one)"}],
                "maxItems": 1
            }
        },
        {
            "name": "indent",
            "type": "filter",
            "description": "Indents every line but the first by width spaces (Jinja2's indent): args [width = 4, first = false, blank = false].",
            "config_schema": {"type": "object", "properties": {}, "additionalProperties": false},
            "args_schema": {
                "type": "array",
                "items": [
                    {"type": "integer", "minimum": 0, "maximum": 64},
                    {"type": "boolean"},
                    {"type": "boolean"}
                ],
                "maxItems": 3
            }
        },
        {
            "name": "join_path",
            "type": "function",
            "description": "Joins path segments with '/', dropping empty segments and duplicate slashes; a segment starting with '/' starts over (like Python's os.path.join).",
            "config_schema": {
                "type": "object",
                "properties": {"base": {"type": "string", "description": "a first segment put before the arguments"}},
                "additionalProperties": false
            },
            "args_schema": {"type": "array", "items": {"type": "string"}, "minItems": 1}
        },
        {
            "name": "now",
            "type": "function",
            "description": "The host's current time (host_get_timestamp) as \"rfc3339\" (2024-03-01T12:00:00Z), \"date\" (2024-03-01) or \"unix\" (seconds).",
            "config_schema": {
                "type": "object",
                "properties": {"format": {"enum": ["rfc3339", "date", "unix"], "default": "rfc3339"}},
                "additionalProperties": false
            },
            "args_schema": {"type": "array", "items": [{"enum": ["rfc3339", "date", "unix"]}], "maxItems": 1}
        }
    ])
}

/// Runs the filter `name` on `value`.
pub fn filter(name: &str, config: &Object, value: &Value, args: &[Value]) -> Result<Value, String> {
    match name {
        "slugify" => slugify_filter(config, value, args),
        "indent" => indent_filter(value, args),
        _ => Err(format!("unknown template filter: {name}")),
    }
}

/// Runs the function `name`.
pub fn function(name: &str, config: &Object, args: &[Value]) -> Result<Value, String> {
    match name {
        "join_path" => join_path(config, args),
        "now" => now(config, args),
        _ => Err(format!("unknown template function: {name}")),
    }
}

fn string_value<'a>(value: &'a Value, what: &str) -> Result<std::borrow::Cow<'a, str>, String> {
    match value {
        Value::String(s) => Ok(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Ok(std::borrow::Cow::Owned(n.to_string())),
        other => Err(format!("{what} must be a string, not {}", kind(other))),
    }
}

fn too_many(args: &[Value], max: usize, what: &str) -> Result<(), String> {
    if args.len() > max {
        return Err(format!("{what} takes at most {max} argument(s), got {}", args.len()));
    }
    Ok(())
}

fn slugify_filter(config: &Object, value: &Value, args: &[Value]) -> Result<Value, String> {
    too_many(args, 1, "slugify")?;
    let separator = match args.first() {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(format!("slugify's argument (the separator) must be a string, not {}", kind(other))),
        None => opt_str(config, "separator")?.unwrap_or("-"),
    };
    if separator.chars().count() > 4 {
        return Err("slugify's separator must be at most 4 characters".into());
    }
    let max_length = match config.get("max_length") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => Some(n as usize),
            _ => return Err("config.max_length must be a positive integer".into()),
        },
    };
    let text = string_value(value, "slugify's value")?;
    let mut slug = slugify(&text, separator);
    if let Some(max) = max_length {
        if slug.len() > max {
            slug.truncate(max);
            while slug.ends_with(separator) && !separator.is_empty() {
                slug.truncate(slug.len() - separator.len());
            }
        }
    }
    Ok(Value::String(slug))
}

/// The ASCII letters a Latin letter with a diacritic is written as in a slug.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' => "s",
        'ť' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

/// Lower-cases `text`, folds accented Latin letters, keeps ASCII letters and digits and joins the
/// runs between them with `separator`.
pub fn slugify(text: &str, separator: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_separator = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let piece: Option<std::borrow::Cow<str>> = if c.is_ascii_alphanumeric() {
            Some(c.to_string().into())
        } else {
            fold(c).map(Into::into)
        };
        match piece {
            Some(piece) => {
                if pending_separator && !out.is_empty() {
                    out.push_str(separator);
                }
                pending_separator = false;
                out.push_str(&piece);
            }
            None => pending_separator = true,
        }
    }
    out
}

fn indent_filter(value: &Value, args: &[Value]) -> Result<Value, String> {
    too_many(args, 3, "indent")?;
    let width = match args.first() {
        None => 4,
        Some(v) => match v.as_u64() {
            Some(n) if n <= 64 => n as usize,
            _ => return Err(format!("indent's width must be an integer from 0 to 64, not {v}")),
        },
    };
    let flag = |i: usize, what: &str| -> Result<bool, String> {
        match args.get(i) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(format!("indent's {what} argument must be a boolean, not {}", kind(other))),
        }
    };
    let (first, blank) = (flag(1, "first")?, flag(2, "blank")?);
    let text = string_value(value, "indent's value")?;
    Ok(Value::String(indent(&text, width, first, blank)))
}

/// Jinja2's `indent`: every line after the first (and the first too when `first`) gets `width`
/// spaces; blank lines stay empty unless `blank`.
pub fn indent(text: &str, width: usize, first: bool, blank: bool) -> String {
    let pad = " ".repeat(width);
    let mut out = String::with_capacity(text.len() + width * 4);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let is_blank = line.trim().is_empty();
        if (i > 0 || first) && (blank || !is_blank) {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

fn join_path(config: &Object, args: &[Value]) -> Result<Value, String> {
    if args.is_empty() {
        return Err("join_path needs at least one segment".into());
    }
    let mut path = opt_str(config, "base")?.unwrap_or("").to_string();
    for (i, arg) in args.iter().enumerate() {
        let segment = match arg {
            Value::String(s) => s.as_str(),
            other => return Err(format!("join_path's argument {i} must be a string, not {}", kind(other))),
        };
        if segment.starts_with('/') {
            path.clear();
            path.push('/');
        }
        for part in segment.split('/').filter(|p| !p.is_empty()) {
            if !path.is_empty() && !path.ends_with('/') {
                path.push('/');
            }
            path.push_str(part);
        }
    }
    Ok(Value::String(path))
}

fn now(config: &Object, args: &[Value]) -> Result<Value, String> {
    too_many(args, 1, "now")?;
    let format = match args.first() {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(format!("now's argument (the format) must be a string, not {}", kind(other))),
        None => opt_str(config, "format")?.unwrap_or("rfc3339"),
    };
    let ts = host::timestamp();
    match format {
        "rfc3339" => Ok(Value::String(time::rfc3339(ts))),
        "date" => Ok(Value::String(time::date(ts))),
        "unix" => Ok(Value::from(ts)),
        other => Err(format!("now's format must be rfc3339, date or unix, not {other:?}")),
    }
}

// ---- the renderer ----------------------------------------------------------------------------

/// Renders `template`: text outside `{{ ... }}` is copied, each `{{ expr }}` is replaced by the
/// value of `expr`. An expression is a variable path (`user.name`), a literal (`"text"`, `'text'`,
/// a number, `true`, `false`, `null`) or a function call (`now("date")`), followed by any number
/// of filters (`| slugify`, `| indent(2, true)`). Filter and function arguments are literals.
/// Strings render as they are, `null` as nothing, anything else as compact JSON. An unknown
/// variable is an error when `strict`, and renders as nothing otherwise.
pub fn render(template: &str, vars: &Object, strict: bool) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let at = template.len() - rest.len() + open;
        let body = &rest[open + 2..];
        let close = body
            .find("}}")
            .ok_or_else(|| format!("template line {}: '{{{{' is never closed", line_of(template, at)))?;
        let value = Expr { src: &body[..close], pos: 0 }
            .evaluate(vars, strict)
            .map_err(|e| format!("template line {}: {e}", line_of(template, at)))?;
        match value {
            Value::Null => {}
            Value::String(s) => out.push_str(&s),
            other => out.push_str(&other.to_string()),
        }
        rest = &body[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count() + 1
}

struct Expr<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Expr<'a> {
    fn evaluate(mut self, vars: &Object, strict: bool) -> Result<Value, String> {
        let mut value = self.primary(vars, strict)?;
        loop {
            self.skip_ws();
            if self.pos == self.src.len() {
                return Ok(value);
            }
            if !self.eat('|') {
                return Err(format!("unexpected {:?} in {{{{{}}}}}", &self.src[self.pos..], self.src));
            }
            let name = self.ident()?;
            let args = self.call_args(false)?.unwrap_or_default();
            value = filter(name, &Object::new(), &value, &args).map_err(|e| format!("{e} (in {{{{{}}}}})", self.src))?;
        }
    }

    fn primary(&mut self, vars: &Object, strict: bool) -> Result<Value, String> {
        self.skip_ws();
        match self.peek() {
            Some('"') | Some('\'') | Some('-') | Some('0'..='9') => self.literal(),
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                let name = self.ident()?;
                match name {
                    "true" => return Ok(Value::Bool(true)),
                    "false" => return Ok(Value::Bool(false)),
                    "null" => return Ok(Value::Null),
                    _ => {}
                }
                if let Some(args) = self.call_args(true)? {
                    return function(name, &Object::new(), &args);
                }
                let mut value = vars.get(name);
                let mut path = name.to_string();
                while self.eat('.') {
                    let member = self.ident()?;
                    path.push('.');
                    path.push_str(member);
                    value = value.and_then(|v| v.get(member));
                }
                match value {
                    Some(v) => Ok(v.clone()),
                    None if strict => Err(format!("unknown variable {path}")),
                    None => Ok(Value::Null),
                }
            }
            _ => Err(format!("expected a variable, a literal or a function call in {{{{{}}}}}", self.src)),
        }
    }

    /// `( literal, ... )` after a name. When `optional`, no parenthesis means `None`; otherwise it
    /// means no arguments.
    fn call_args(&mut self, optional: bool) -> Result<Option<Vec<Value>>, String> {
        self.skip_ws();
        if !self.eat('(') {
            return Ok(if optional { None } else { Some(Vec::new()) });
        }
        let mut args = Vec::new();
        self.skip_ws();
        if self.eat(')') {
            return Ok(Some(args));
        }
        loop {
            args.push(self.literal()?);
            self.skip_ws();
            if self.eat(')') {
                return Ok(Some(args));
            }
            if !self.eat(',') {
                return Err(format!("expected ',' or ')' in {{{{{}}}}}", self.src));
            }
        }
    }

    fn literal(&mut self) -> Result<Value, String> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some('\'') => {
                let end = self.src[start + 1..]
                    .find('\'')
                    .ok_or_else(|| format!("unterminated string in {{{{{}}}}}", self.src))?;
                self.pos = start + 1 + end + 1;
                Ok(Value::String(self.src[start + 1..start + 1 + end].to_string()))
            }
            Some('"') => {
                let bytes = self.src.as_bytes();
                let mut i = start + 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i >= bytes.len() {
                    return Err(format!("unterminated string in {{{{{}}}}}", self.src));
                }
                self.pos = i + 1;
                serde_json::from_str(&self.src[start..self.pos]).map_err(|e| format!("bad string literal: {e}"))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                while matches!(self.peek(), Some(c) if c.is_ascii_digit() || "+-.eE".contains(c)) {
                    self.pos += 1;
                }
                serde_json::from_str(&self.src[start..self.pos])
                    .map_err(|_| format!("bad number {:?} in {{{{{}}}}}", &self.src[start..self.pos], self.src))
            }
            Some(c) if c.is_ascii_alphabetic() => match self.ident()? {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                "null" => Ok(Value::Null),
                other => Err(format!("arguments must be literals, not {other:?} in {{{{{}}}}}", self.src)),
            },
            _ => Err(format!("expected a literal in {{{{{}}}}}", self.src)),
        }
    }

    fn ident(&mut self) -> Result<&'a str, String> {
        self.skip_ws();
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c == '_' || c.is_ascii_alphanumeric()) {
            self.pos += 1;
        }
        if start == self.pos || self.src.as_bytes()[start].is_ascii_digit() {
            return Err(format!("expected a name in {{{{{}}}}}", self.src));
        }
        Ok(&self.src[start..self.pos])
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_whitespace()) {
            self.pos += self.peek().map_or(1, char::len_utf8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(json: &str) -> Object {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn slugify_folds_and_separates() {
        assert_eq!(slugify("Crème Brûlée!", "-"), "creme-brulee");
        assert_eq!(slugify("  Hello,  World 2024 ", "_"), "hello_world_2024");
        assert_eq!(slugify("Straße", "-"), "strasse");
        assert_eq!(slugify("日本", "-"), "");
        let cfg = vars(r#"{"max_length": 6}"#);
        assert_eq!(filter("slugify", &cfg, &json!("Hello World"), &[]).unwrap(), json!("hello"));
        let cfg = vars(r#"{"max_length": 7}"#);
        assert_eq!(filter("slugify", &cfg, &json!("Hello World"), &[]).unwrap(), json!("hello-w"));
        assert!(filter("slugify", &cfg, &json!(["x"]), &[]).unwrap_err().contains("must be a string"));
    }

    #[test]
    fn indent_follows_jinja() {
        assert_eq!(indent("a\nb\n\nc", 2, false, false), "a\n  b\n\n  c");
        assert_eq!(indent("a\nb", 2, true, false), "  a\n  b");
        assert_eq!(indent("a\n\nb", 1, false, true), "a\n \n b");
        assert_eq!(filter("indent", &Object::new(), &json!("x\ny"), &[json!(3)]).unwrap(), json!("x\n   y"));
        assert!(filter("indent", &Object::new(), &json!("x"), &[json!(65)]).is_err());
    }

    #[test]
    fn functions() {
        let none = Object::new();
        assert_eq!(function("join_path", &none, &[json!("etc"), json!("/srv/"), json!("a//b")]).unwrap(), json!("/srv/a/b"));
        assert_eq!(function("join_path", &vars(r#"{"base": "/opt"}"#), &[json!("app")]).unwrap(), json!("/opt/app"));
        assert_eq!(function("now", &none, &[]).unwrap(), json!("2024-03-01T12:00:00Z"));
        assert_eq!(function("now", &vars(r#"{"format": "date"}"#), &[]).unwrap(), json!("2024-03-01"));
        assert_eq!(function("now", &none, &[json!("unix")]).unwrap(), json!(1_709_294_400u64));
        assert!(function("nope", &none, &[]).is_err());
    }

    #[test]
    fn renders_expressions() {
        let v = vars(r#"{"site": {"name": "My Blog", "port": 8080}, "body": "a\nb"}"#);
        assert_eq!(render("server {{ site.name | slugify }}:{{site.port}}", &v, true).unwrap(), "server my-blog:8080");
        assert_eq!(render("x:\n  {{ body | indent(2) }}", &v, true).unwrap(), "x:\n  a\n  b");
        assert_eq!(render("{{ 'a b' | slugify('_') }} {{ now('date') }} {{ \"{{\" }}", &v, true).unwrap(), "a_b 2024-03-01 {{");
        assert_eq!(render("[{{ missing }}]", &v, false).unwrap(), "[]");
        assert_eq!(render("a\n{{ missing }}", &v, true).unwrap_err(), "template line 2: unknown variable missing");
        assert!(render("{{ site | nope }}", &v, true).unwrap_err().contains("unknown template filter: nope"));
        assert!(render("{{ site.name", &v, true).unwrap_err().contains("never closed"));
    }
}
