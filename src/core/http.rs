//! Classifying an HTTP response for the connection core: does it open the
//! stream?
//!
//! [`classify_response`] implements the WHATWG HTML §9.2.3 rule that a
//! response opens the stream only when its status is exactly 200 and its
//! MIME type essence is `text/event-stream` (`response.ok` is wrong: 201 or
//! 299 fail the connection). Pure functions, no dependencies.
//!
//! The response's `Retry-After` is read where the browser's calendar is, in
//! JavaScript (`retryAfterMs` in src/web/runtime.js), and reaches the
//! connection machine as a number of milliseconds
//! ([`Failure::Http`](crate::core::connection::Failure::Http)).
//!
//! Everything works on bytes with plain loops and no `str` searching or
//! trimming: this code ships in the npm package's wasm, where each of those
//! generic helpers costs hundreds of bytes (SIZE.md).

/// HTTP whitespace as Fetch defines it: TAB, LF, CR, SPACE.
fn is_http_whitespace(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\r' | b' ')
}

/// `bytes` without its leading HTTP whitespace.
fn trim_start(mut bytes: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = bytes {
        if !is_http_whitespace(*first) {
            break;
        }
        bytes = rest;
    }
    bytes
}

/// Whether `bytes` is a prefix of `upper` (uppercase ASCII), compared ASCII
/// case-insensitively: `bytes` is uppercased, `upper` taken as it is.
fn is_folded_prefix(bytes: &[u8], upper: &[u8]) -> bool {
    bytes.len() <= upper.len()
        && bytes
            .iter()
            .zip(upper)
            .all(|(byte, expected)| byte.to_ascii_uppercase() == *expected)
}

/// Whether a `Content-Type` value denotes `text/event-stream`.
///
/// Returns `true` iff the MIME type essence (everything before the first
/// `;`, with leading and trailing HTTP whitespace removed) equals
/// `text/event-stream`, compared ASCII case-insensitively. Parameters such as
/// `charset=utf-8` are ignored, as is an empty parameter list
/// (`text/event-stream;`). Never panics.
///
/// A combined header such as `text/event-stream, text/html` (two
/// `Content-Type` fields joined by `Headers.get`) is not recognised: its
/// essence is not exactly `text/event-stream`, so the connection fails, which
/// is the safe reading.
pub fn is_event_stream(content_type: &str) -> bool {
    const ESSENCE: &[u8] = b"TEXT/EVENT-STREAM";
    // The essence holds neither `;` nor whitespace, so after the leading
    // whitespace it must come first, then only whitespace up to the end or
    // the first `;`.
    let value = trim_start(content_type.as_bytes());
    let Some((essence, rest)) = value.split_at_checked(ESSENCE.len()) else {
        return false;
    };
    is_folded_prefix(essence, ESSENCE) && matches!(trim_start(rest).first(), None | Some(b';'))
}

/// What a response means for the connection, per WHATWG HTML §9.2.3 and this
/// crate's retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseVerdict {
    /// Status exactly 200 with a `text/event-stream` content type: the stream
    /// is open and the body should be read.
    Open,
    /// Status 204: the server asks the client to stop reconnecting.
    NoContent,
    /// Status 401 or 403: credentials are missing or refused; handed to the
    /// authentication hook rather than retried blindly.
    Unauthorized {
        /// The status code (401 or 403).
        status: u16,
    },
    /// Any other status that is not 200 (including other 2xx such as 201 or
    /// 299, and redirects that reached us unfollowed).
    Failed {
        /// The status code.
        status: u16,
    },
    /// Status 200 but the content type is missing or is not
    /// `text/event-stream` (see [`is_event_stream`]).
    WrongContentType,
}

/// Classifies a response by its status code and `Content-Type` header value.
///
/// [`ResponseVerdict::Open`] only for status exactly 200 with an
/// event-stream content type; 200 with a missing or other content type is
/// [`ResponseVerdict::WrongContentType`]; 204 is
/// [`ResponseVerdict::NoContent`] whatever its content type; 401 and 403 are
/// [`ResponseVerdict::Unauthorized`]; every other status is
/// [`ResponseVerdict::Failed`]. Total: every input gives a verdict, no panics.
pub fn classify_response(status: u16, content_type: Option<&str>) -> ResponseVerdict {
    match status {
        200 if content_type.is_some_and(is_event_stream) => ResponseVerdict::Open,
        200 => ResponseVerdict::WrongContentType,
        204 => ResponseVerdict::NoContent,
        401 | 403 => ResponseVerdict::Unauthorized { status },
        _ => ResponseVerdict::Failed { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_stream_content_types() {
        for yes in [
            "text/event-stream",
            "TEXT/Event-Stream",
            "text/event-stream; charset=utf-8",
            "text/event-stream;charset=ISO-8859-1",
            "text/event-stream;",
            "text/event-stream;;;",
            " text/event-stream ",
            "\t\r\ntext/event-stream\t; x=y",
        ] {
            assert!(is_event_stream(yes), "{yes:?} should be an event stream");
        }
        for no in [
            "",
            " ",
            ";",
            "text/event-streams",
            "text/event-stream2",
            "text/html",
            "text/plain; text/event-stream",
            ";text/event-stream",
            "text /event-stream",
            "text/ event-stream",
            "text/event-stream, text/html",
            "application/event-stream",
            "text/event\u{a0}-stream",
            "text/event-stream\u{a0}",
            "\u{feff}text/event-stream",
        ] {
            assert!(!is_event_stream(no), "{no:?} should not be an event stream");
        }
    }

    #[test]
    fn classification_table() {
        use ResponseVerdict::*;
        let es = Some("text/event-stream");
        let cases: &[(u16, Option<&str>, ResponseVerdict)] = &[
            (200, es, Open),
            (200, Some("text/event-stream; charset=utf-8"), Open),
            (200, Some("text/html"), WrongContentType),
            (200, Some(""), WrongContentType),
            (200, None, WrongContentType),
            (204, es, NoContent),
            (204, None, NoContent),
            (201, es, Failed { status: 201 }),
            (202, es, Failed { status: 202 }),
            (206, es, Failed { status: 206 }),
            (299, es, Failed { status: 299 }),
            (301, es, Failed { status: 301 }),
            (304, None, Failed { status: 304 }),
            (401, es, Unauthorized { status: 401 }),
            (403, None, Unauthorized { status: 403 }),
            (404, es, Failed { status: 404 }),
            (408, es, Failed { status: 408 }),
            (429, es, Failed { status: 429 }),
            (500, es, Failed { status: 500 }),
            (503, None, Failed { status: 503 }),
            (0, es, Failed { status: 0 }),
            (u16::MAX, es, Failed { status: u16::MAX }),
        ];
        for &(status, content_type, expected) in cases {
            assert_eq!(
                classify_response(status, content_type),
                expected,
                "status {status}, content type {content_type:?}"
            );
        }
    }
}
