//! The few JSON strings this server writes, formatted by hand.
//!
//! Every payload here is a flat object of numbers and strings, so a string
//! escaper is all it takes; a real service would use serde_json (left out to
//! keep the demo's build small).

use std::fmt::Write;

/// `s` as a JSON string literal, quotes included.
///
/// Control characters are escaped, so the result never contains a line
/// break: an SSE `data:` line cannot be split by a user-supplied file name.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // U+2028 and U+2029 are valid in JSON but not in older JS string
            // literals; escaping them costs nothing.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_quotes_backslashes_and_line_breaks() {
        assert_eq!(
            super::string("a\"b\\c\nd\r\u{1}é"),
            r#""a\"b\\c\nd\r\u0001é""#
        );
    }
}
