//! The line rules, on text already known to be UTF-8. Pure functions (unit-tested natively).
//!
//! Lines end at `\n`; a `\r` right before it belongs to the line ending (`\r\n`), any other `\r`
//! is content. Lines and columns count from 1; columns count characters (Unicode scalar values),
//! not bytes.

/// One finding inside a file.
#[derive(Debug, PartialEq, Eq)]
pub struct LineFinding {
    pub line: usize,
    pub column: usize,
    pub rule: &'static str,
    pub message: String,
}

pub const LINE_LENGTH: &str = "line-length";
pub const TRAILING_WHITESPACE: &str = "trailing-whitespace";
pub const TODO_OWNER: &str = "todo-owner";
pub const TAB_INDENT: &str = "tab-indent";
pub const BANNED_WORD: &str = "banned-word";

/// Splits text into (content, line ending) pairs; the last line may have an empty ending.
fn lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_inclusive('\n').map(|piece| {
        if let Some(content) = piece.strip_suffix("\r\n") {
            (content, "\r\n")
        } else if let Some(content) = piece.strip_suffix('\n') {
            (content, "\n")
        } else {
            (piece, "")
        }
    })
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_owner(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '-')
}

/// Applies every rule to every line. `banned` holds lower-cased words.
pub fn check_text(text: &str, max_line: usize, banned: &[String]) -> Vec<LineFinding> {
    let mut findings = Vec::new();
    for (index, (content, _)) in lines(text).enumerate() {
        check_line(index + 1, content, max_line, banned, &mut findings);
    }
    findings
}

fn check_line(
    line: usize,
    content: &str,
    max_line: usize,
    banned: &[String],
    out: &mut Vec<LineFinding>,
) {
    let chars: Vec<char> = content.chars().collect();
    let mut push = |column: usize, rule: &'static str, message: String| {
        out.push(LineFinding {
            line,
            column,
            rule,
            message,
        })
    };

    if chars.len() > max_line {
        push(
            max_line + 1,
            LINE_LENGTH,
            format!(
                "line is {} characters long; the limit is {}",
                chars.len(),
                max_line
            ),
        );
    }

    let kept = chars.len() - chars.iter().rev().take_while(|c| c.is_whitespace()).count();
    if kept < chars.len() {
        push(kept + 1, TRAILING_WHITESPACE, "trailing whitespace".to_string());
    }

    let indent = chars.iter().take_while(|c| **c == ' ' || **c == '\t').count();
    if indent < kept {
        if let Some(tab) = chars[..indent].iter().position(|c| *c == '\t') {
            push(tab + 1, TAB_INDENT, "indentation uses a tab".to_string());
        }
    }

    let mut i = 0;
    while i + 4 <= chars.len() {
        if chars[i..i + 4] == ['T', 'O', 'D', 'O']
            && (i == 0 || !is_word(chars[i - 1]))
            && (i + 4 == chars.len() || !is_word(chars[i + 4]))
        {
            let after = i + 4;
            let mut end = after + 1;
            if after < chars.len() && chars[after] == '(' {
                while end < chars.len() && is_owner(chars[end]) {
                    end += 1;
                }
            }
            let owned = after < chars.len()
                && chars[after] == '('
                && end > after + 1
                && end < chars.len()
                && chars[end] == ')';
            if !owned {
                push(
                    i + 1,
                    TODO_OWNER,
                    "TODO without an owner; write TODO(name)".to_string(),
                );
            }
            i += 4;
        } else {
            i += 1;
        }
    }

    if !banned.is_empty() {
        let mut start = 0;
        while start < chars.len() {
            if !is_word(chars[start]) {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < chars.len() && is_word(chars[end]) {
                end += 1;
            }
            let word: String = chars[start..end].iter().collect::<String>().to_lowercase();
            if banned.iter().any(|b| *b == word) {
                let original: String = chars[start..end].iter().collect();
                push(
                    start + 1,
                    BANNED_WORD,
                    format!("banned word \"{}\"", original),
                );
            }
            start = end;
        }
    }
}

/// The text with trailing whitespace removed from every line (line endings kept), or `None` when
/// no line has any.
pub fn strip_trailing_whitespace(text: &str) -> Option<String> {
    let mut fixed = String::with_capacity(text.len());
    let mut changed = false;
    for (content, ending) in lines(text) {
        let trimmed = content.trim_end_matches(char::is_whitespace);
        changed |= trimmed.len() != content.len();
        fixed.push_str(trimmed);
        fixed.push_str(ending);
    }
    if changed {
        Some(fixed)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str, max: usize, banned: &[&str]) -> Vec<(usize, usize, &'static str)> {
        let banned: Vec<String> = banned.iter().map(|b| b.to_lowercase()).collect();
        check_text(text, max, &banned)
            .into_iter()
            .map(|f| (f.line, f.column, f.rule))
            .collect()
    }

    #[test]
    fn line_length_counts_characters_not_bytes() {
        assert_eq!(rules("ééééé\n", 5, &[]), vec![]);
        assert_eq!(rules("éééééé\n", 5, &[]), vec![(1, 6, LINE_LENGTH)]);
        assert_eq!(rules("abc\r\n", 3, &[]), vec![]);
    }

    #[test]
    fn trailing_whitespace_and_crlf() {
        assert_eq!(rules("a \nb\r\nc\t\r\n", 100, &[]), vec![(1, 2, TRAILING_WHITESPACE), (3, 2, TRAILING_WHITESPACE)]);
        assert_eq!(rules("a\r", 100, &[]), vec![(1, 2, TRAILING_WHITESPACE)]);
        assert_eq!(rules("", 100, &[]), vec![]);
        assert_eq!(rules("\n\n", 100, &[]), vec![]);
    }

    #[test]
    fn tab_indent_only_before_content() {
        assert_eq!(rules("\tx\n", 100, &[]), vec![(1, 1, TAB_INDENT)]);
        assert_eq!(rules("  \tx\n", 100, &[]), vec![(1, 3, TAB_INDENT)]);
        assert_eq!(rules("x\ty\n", 100, &[]), vec![]);
        assert_eq!(rules("\t\n", 100, &[]), vec![(1, 1, TRAILING_WHITESPACE)]);
    }

    #[test]
    fn todo_needs_an_owner() {
        assert_eq!(rules("// TODO fix\n", 100, &[]), vec![(1, 4, TODO_OWNER)]);
        assert_eq!(rules("// TODO(ana) fix\n", 100, &[]), vec![]);
        assert_eq!(rules("// TODO(a.b@c-d) fix\n", 100, &[]), vec![]);
        assert_eq!(rules("// TODO() fix\n", 100, &[]), vec![(1, 4, TODO_OWNER)]);
        assert_eq!(rules("// TODO(ana fix\n", 100, &[]), vec![(1, 4, TODO_OWNER)]);
        assert_eq!(rules("TODO", 100, &[]), vec![(1, 1, TODO_OWNER)]);
        assert_eq!(rules("TODO: x TODO(b) TODO\n", 100, &[]), vec![(1, 1, TODO_OWNER), (1, 17, TODO_OWNER)]);
        assert_eq!(rules("TODOS MYTODO todo\n", 100, &[]), vec![]);
    }

    #[test]
    fn banned_words_are_whole_words_ignoring_case() {
        assert_eq!(rules("Foo bar foobar foo_x FOO.\n", 100, &["foo"]), vec![(1, 1, BANNED_WORD), (1, 22, BANNED_WORD)]);
        let found = check_text("say Ärger\n", 100, &["ärger".to_string()]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].column, 5);
        assert_eq!(found[0].message, "banned word \"Ärger\"");
    }

    #[test]
    fn strip_keeps_line_endings() {
        assert_eq!(strip_trailing_whitespace("a \r\nb\t\nc  "), Some("a\r\nb\nc".to_string()));
        assert_eq!(strip_trailing_whitespace("a\r\nb\n"), None);
    }
}
