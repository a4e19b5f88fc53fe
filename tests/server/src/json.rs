//! A few lines of hand-written JSON output.
//!
//! The server only ever *writes* JSON (stats and echo payloads), always made
//! of strings, integers, arrays and objects, so this avoids serde + serde_json
//! and their compile time.

use std::fmt::Write;

/// Appends `s` to `out` as a JSON string literal, quotes included.
///
/// Control characters are escaped, so the result never contains a raw CR or
/// LF: the echo endpoint relies on that to put the JSON on one `data:` line.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `"key":` to `out`.
pub fn push_key(out: &mut String, key: &str) {
    push_str(out, key);
    out.push(':');
}

/// Appends a JSON object whose values are all strings.
pub fn push_str_map<'a>(out: &mut String, entries: impl IntoIterator<Item = (&'a str, &'a str)>) {
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_key(out, k);
        push_str(out, v);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_backslashes_and_controls() {
        let mut out = String::new();
        push_str(&mut out, "a\"b\\c\nd\r\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\r\u0001é""#);
    }
}
