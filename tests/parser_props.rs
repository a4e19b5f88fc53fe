#![cfg(not(target_arch = "wasm32"))]
//! Property tests for the parser:
//!
//! 1. chunking is invisible: any split of a stream (inside a CRLF, a UTF-8
//!    character, the BOM) gives the same events, last event ID and retry as
//!    feeding it at once, with the default cap and with a tiny one;
//! 2. the parser agrees with a deliberately naive reference that follows the
//!    spec's order literally: decode the whole body (WHATWG UTF-8 decode, BOM
//!    dropped), split into lines, interpret each line (HTML §9.2.5–9.2.6);
//! 3. wherever an event says its data lines or its id lie in the chunk, the
//!    bytes there are exactly its data and last event ID.

use std::ops::ControlFlow;

use proptest::prelude::*;
use proptest::sample::{select, Index};
use sse_wasm::parser::{ParsedEvent, Parser, ParserConfig};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Ev {
    ty: String,
    data: String,
    id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<Ev>,
    last_event_id: String,
    retry: Option<u64>,
    /// Whether any `feed` call reported an oversized event.
    refused: bool,
}

/// Feeds `chunks` to `parser`, then ends the stream.
fn run(mut parser: Parser, chunks: &[&[u8]]) -> Outcome {
    let mut events = Vec::new();
    let mut refused = false;
    for chunk in chunks {
        let result = parser.feed(chunk, |e| {
            check_spans(chunk, &e);
            events.push(Ev {
                ty: e.event_type.into(),
                data: e.data().into_owned(),
                id: e.last_event_id.into(),
            });
            ControlFlow::Continue(())
        });
        refused |= result.is_err();
    }
    parser.finish();
    Outcome {
        events,
        last_event_id: parser.last_event_id().into(),
        retry: parser.retry(),
        refused,
    }
}

/// The spans an event gives point at its text in `chunk`: the data lines
/// joined with LF are its data, the id span holds its last event ID.
fn check_spans(chunk: &[u8], event: &ParsedEvent<'_>) {
    let text =
        |(start, end): (usize, usize)| String::from_utf8_lossy(&chunk[start..end]).into_owned();
    if let Some(spans) = event.data_spans {
        let joined: Vec<String> = spans.iter().map(|&span| text(span)).collect();
        assert_eq!(joined.join("\n"), event.data(), "data spans {spans:?}");
    }
    if let Some(span) = event.id_span {
        assert_eq!(text(span), event.last_event_id, "id span {span:?}");
    }
}

/// Cuts `stream` at the given points (as indices into its length).
fn split<'a>(stream: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for p in points {
        chunks.push(&stream[start..p]);
        start = p;
    }
    chunks.push(&stream[start..]);
    chunks
}

// ---- Stream generator ----------------------------------------------------------

/// Pieces of field values: ASCII, syntax characters, non-ASCII, characters
/// that look like line ends but are not, and invalid or truncated UTF-8.
const VALUE_PIECES: &[&[u8]] = &[
    b"a",
    b"Z",
    b"42",
    b"hello",
    b":",
    b" ",
    b"  ",
    b"\t",
    b"\0",
    b"\x0b",
    b"\x0c",
    "\u{e9}".as_bytes(),
    "\u{2026}".as_bytes(),
    "\u{1F600}".as_bytes(),
    "\u{2028}".as_bytes(),
    "\u{85}".as_bytes(),
    "\u{feff}".as_bytes(),
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xf0\x9f\x98",
    b"\x80",
];

const NAMES: &[&[u8]] = &[
    b"data",
    b"data",
    b"data",
    b"event",
    b"id",
    b"retry",
    b"Data",
    b" data",
    b"dat",
    b"datas",
    b"foo",
    b"",
    b"\xef\xbb\xbfdata",
    b"\xffid",
];

const SEPARATORS: &[&[u8]] = &[b":", b": ", b":  ", b""];

const RETRY_PREFIXES: &[&[u8]] = &[b"retry:", b"retry: ", b"retry"];

const TERMINATORS: &[&[u8]] = &[b"\n", b"\r", b"\r\n"];

/// Tokens for unstructured streams: syntax, field names, BOM pieces.
const TOKENS: &[&[u8]] = &[
    b"\r",
    b"\n",
    b"\n",
    b"\r\n",
    b":",
    b" ",
    b"data",
    b"data:",
    b"event:",
    b"id:",
    b"retry:",
    b"7",
    b"x",
    b"\xef\xbb\xbf",
    b"\xef",
    b"\xbb",
    b"\xbf",
    b"\0",
    b"\xe2\x80",
];

fn value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(select(VALUE_PIECES), 0..5).prop_map(|pieces| pieces.concat())
}

/// One line, without its terminator.
fn line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Empty lines (dispatch) must be common for events to happen.
        4 => Just(Vec::new()),
        8 => (select(NAMES), select(SEPARATORS), value()).prop_map(|(n, s, v)| [n, s, &v].concat()),
        2 => (select(RETRY_PREFIXES), proptest::collection::vec(0u8..10, 0..24))
            .prop_map(|(prefix, digits)| {
                let digits: Vec<u8> = digits.into_iter().map(|d| b'0' + d).collect();
                [prefix, &digits].concat()
            }),
        2 => value().prop_map(|v| [&b":"[..], &v].concat()),
        1 => value(),
    ]
}

/// A response body: an optional BOM, lines with mixed terminators, and an
/// optional unterminated tail.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![3 => Just(&b""[..]), 1 => Just(&b"\xef\xbb\xbf"[..]), 1 => Just(&b"\xef\xbb"[..])],
        proptest::collection::vec((line(), select(TERMINATORS)), 0..40),
        prop_oneof![2 => Just(Vec::new()), 1 => line()],
    )
        .prop_map(|(bom, lines, tail)| {
            let mut out = bom.to_vec();
            for (line, term) in lines {
                out.extend_from_slice(&line);
                out.extend_from_slice(term);
            }
            out.extend_from_slice(&tail);
            out
        })
}

// ---- Reference implementation --------------------------------------------------

/// The spec, literally and slowly: decode, split, interpret.
fn reference(stream: &[u8]) -> Outcome {
    // WHATWG "UTF-8 decode": drop one leading BOM, replace errors by U+FFFD.
    let body = stream.strip_prefix(b"\xef\xbb\xbf").unwrap_or(stream);
    let text = String::from_utf8_lossy(body);

    // §9.2.5: lines end at CRLF, LF or CR; an unterminated last line is
    // dropped at the end of the stream.
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut current));
            }
            '\n' => lines.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }

    // §9.2.6.
    let mut events = Vec::new();
    let (mut data, mut event_type, mut id_buffer) = (String::new(), String::new(), String::new());
    let mut last_event_id = String::new();
    let mut retry = None;
    for line in lines {
        if line.is_empty() {
            last_event_id = id_buffer.clone();
            if data.is_empty() {
                event_type.clear();
                continue;
            }
            if data.ends_with('\n') {
                data.pop();
            }
            let ty = if event_type.is_empty() {
                "message".to_owned()
            } else {
                event_type.clone()
            };
            events.push(Ev {
                ty,
                data: data.clone(),
                id: last_event_id.clone(),
            });
            data.clear();
            event_type.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.find(':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(' ').unwrap_or(v))
            }
            None => (line.as_str(), ""),
        };
        match field {
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "event" => event_type = value.to_owned(),
            "id" if !value.contains('\0') => id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Saturating, like the parser; the spec's integers are unbounded.
                retry = Some(value.parse::<u64>().unwrap_or(u64::MAX));
            }
            _ => {}
        }
    }
    Outcome {
        events,
        last_event_id,
        retry,
        refused: false,
    }
}

// ---- Properties ----------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn chunked_feeding_equals_feeding_at_once(
        stream in stream(),
        cuts in proptest::collection::vec(any::<Index>(), 0..12),
    ) {
        let whole = run(Parser::new(), &[&stream]);
        let chunked = run(Parser::new(), &split(&stream, &cuts));
        prop_assert_eq!(chunked, whole);
    }

    #[test]
    fn byte_at_a_time_equals_feeding_at_once(stream in stream()) {
        let whole = run(Parser::new(), &[&stream]);
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        prop_assert_eq!(run(Parser::new(), &bytes), whole);
    }

    #[test]
    fn chunking_is_invisible_under_a_tiny_size_cap(
        stream in stream(),
        cuts in proptest::collection::vec(any::<Index>(), 0..12),
        cap in 0usize..48,
    ) {
        let config = ParserConfig { max_event_size: cap };
        let whole = run(Parser::with_config(config.clone()), &[&stream]);
        let chunked = run(Parser::with_config(config), &split(&stream, &cuts));
        // Same events, id and retry; an overflow is reported by some call
        // whatever the split (possibly a different one, possibly merged).
        prop_assert_eq!(chunked, whole);
    }

    #[test]
    fn parser_agrees_with_the_reference(
        stream in stream(),
        cuts in proptest::collection::vec(any::<Index>(), 0..12),
    ) {
        let expected = reference(&stream);
        prop_assert_eq!(run(Parser::new(), &[&stream]), expected.clone());
        prop_assert_eq!(run(Parser::new(), &split(&stream, &cuts)), expected);
    }

    #[test]
    fn parser_agrees_with_the_reference_on_arbitrary_bytes(
        stream in proptest::collection::vec(
            prop_oneof![
                4 => select(TOKENS).prop_map(<[u8]>::to_vec),
                1 => any::<u8>().prop_map(|b| vec![b]),
            ],
            0..120,
        ).prop_map(|tokens| tokens.concat()),
        cuts in proptest::collection::vec(any::<Index>(), 0..12),
    ) {
        let expected = reference(&stream);
        prop_assert_eq!(run(Parser::new(), &split(&stream, &cuts)), expected);
    }
}

#[test]
fn reference_sanity() {
    let out =
        reference(b"\xef\xbb\xbfid:1\r\ndata:a\rdata\n\nevent:x\ndata:\xff\n\nretry:7\ndata:tail");
    assert_eq!(
        out.events,
        [
            Ev {
                ty: "message".into(),
                data: "a\n".into(),
                id: "1".into()
            },
            Ev {
                ty: "x".into(),
                data: "\u{FFFD}".into(),
                id: "1".into()
            },
        ]
    );
    assert_eq!(out.retry, Some(7));
}
