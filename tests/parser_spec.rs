#![cfg(not(target_arch = "wasm32"))]
//! Conformance tests for the parser through its public API:
//!
//! * the `text/event-stream` cases of the web-platform-tests
//!   `eventsource/format-*` suite, rebuilt from their intent (the wpt
//!   `message.py` helper appends "\n\n\n" to a message, or "\n" with
//!   `newline=none`; a reconnection is modelled by `finish()` + `reset()`);
//! * the bugs found in peer implementations (shared/sse-spec-notes.md);
//! * the size cap and `ControlFlow::Break` as seen by a caller.
//!
//! Every stream is parsed whole, byte by byte and in every two-way split,
//! and all of them must agree.

use std::ops::ControlFlow;

use sse_wasm::parser::{ParseError, ParsedEvent, Parser, ParserConfig, DEFAULT_MAX_EVENT_SIZE};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Ev {
    ty: String,
    data: String,
    id: String,
}

fn ev(ty: &str, data: &str, id: &str) -> Ev {
    Ev {
        ty: ty.into(),
        data: data.into(),
        id: id.into(),
    }
}

fn msg(data: &str) -> Ev {
    ev("message", data, "")
}

fn own(e: ParsedEvent<'_>) -> Ev {
    ev(e.event_type, &e.data(), e.last_event_id)
}

/// What one connection produced.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<Ev>,
    last_event_id: String,
    retry: Option<u64>,
}

/// Runs one connection's body through `parser` in `chunks`, then `finish()`.
fn run_chunks(parser: &mut Parser, chunks: &[&[u8]]) -> Outcome {
    let mut events = Vec::new();
    for chunk in chunks {
        parser
            .feed(chunk, |e| {
                events.push(own(e));
                ControlFlow::Continue(())
            })
            .expect("no parse error");
    }
    parser.finish();
    Outcome {
        events,
        last_event_id: parser.last_event_id().to_owned(),
        retry: parser.retry(),
    }
}

/// Runs `body` as one connection on a clone of `parser` in every chunking
/// (whole, byte by byte, every two-way split), asserts they all agree, and
/// leaves `parser` in the state the connection left it in.
fn connect(parser: &mut Parser, body: &[u8]) -> Outcome {
    let start = parser.clone();
    let whole = run_chunks(parser, &[body]);
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(
        run_chunks(&mut start.clone(), &bytes),
        whole,
        "byte by byte"
    );
    for cut in 0..=body.len() {
        let (a, b) = body.split_at(cut);
        assert_eq!(
            run_chunks(&mut start.clone(), &[a, b]),
            whole,
            "split at {cut}"
        );
    }
    parser.reset();
    whole
}

/// One fresh connection.
fn parse(body: &[u8]) -> Outcome {
    connect(&mut Parser::new(), body)
}

/// The body wpt's `message.py` serves for `message` (default newline).
fn message_py(message: &[u8]) -> Vec<u8> {
    [message, b"\n\n\n"].concat()
}

/// The body wpt's `message.py` serves for `message` with `newline=none`.
fn message_py_newline_none(message: &[u8]) -> Vec<u8> {
    [message, b"\n"].concat()
}

// ---- web-platform-tests eventsource/format-* -------------------------------

#[test]
fn wpt_format_bom_drops_only_the_first_bom() {
    let out = parse(&message_py(
        b"\xef\xbb\xbfdata:1\n\n\xef\xbb\xbfdata:2\n\ndata:3",
    ));
    assert_eq!(out.events, [msg("1"), msg("3")]);
}

#[test]
fn wpt_format_bom_2_second_bom_makes_an_unknown_field() {
    let out = parse(&message_py(
        b"\xef\xbb\xbf\xef\xbb\xbfdata:1\n\ndata:2\n\ndata:3",
    ));
    assert_eq!(out.events, [msg("2"), msg("3")]);
}

#[test]
fn wpt_format_comments_in_every_line_ending_style() {
    let long = "x".repeat(2048);
    let message =
        format!("data:1\r:\0\n:\r\ndata:2\n:{long}\rdata:3\n:data:fail\r:{long}\ndata:4\n");
    let out = parse(&message_py_newline_none(message.as_bytes()));
    assert_eq!(out.events, [msg("1\n2\n3\n4")]);
}

#[test]
fn wpt_format_data_before_final_empty_line_is_not_dispatched() {
    let body = message_py_newline_none(b"retry:1000\ndata:test1\n\nid:test\ndata:test2");
    let mut parser = Parser::new();
    let first = connect(&mut parser, &body);
    assert_eq!(first.events, [msg("test1")]);
    assert_eq!(first.retry, Some(1000));
    // The unterminated block's id was discarded with it: the reconnection
    // carries no id, and the replayed event has an empty lastEventId.
    assert_eq!(first.last_event_id, "");
    let second = connect(&mut parser, &body);
    assert_eq!(second.events, [msg("test1")]);
}

#[test]
fn wpt_format_field_data_empty_values_and_bare_names() {
    let out = parse(&message_py(b"data:\n\ndata\ndata\n\ndata:test"));
    assert_eq!(out.events, [msg(""), msg("\n"), msg("test")]);
}

#[test]
fn wpt_format_field_event_sets_the_type_once() {
    let out = parse(&message_py(b"event:test\ndata:x\n\ndata:x"));
    assert_eq!(out.events, [ev("test", "x", ""), msg("x")]);
}

#[test]
fn wpt_format_field_event_empty_means_message() {
    let out = parse(&message_py(b"event: \ndata:data"));
    assert_eq!(out.events, [msg("data")]);
}

/// wpt `resources/last-event-id.py`: without a Last-Event-ID it sends an id,
/// a retry and "hello"; with one, it echoes the id as data.
fn last_event_id_py(last_event_id: &str, idvalue: &[u8]) -> Vec<u8> {
    if last_event_id.is_empty() {
        [b"id: ", idvalue, b"\nretry: 200\ndata: hello\n\n"].concat()
    } else {
        format!("data: {last_event_id}\n\n").into_bytes()
    }
}

#[test]
fn wpt_format_field_id_is_resent_and_survives_reconnection() {
    let ellipsis = "\u{2026}";
    let mut parser = Parser::new();
    let body = last_event_id_py(parser.last_event_id(), ellipsis.as_bytes());
    let first = connect(&mut parser, &body);
    assert_eq!(first.events, [ev("message", "hello", ellipsis)]);
    assert_eq!(first.retry, Some(200));
    // Reconnect twice (format-field-id and format-field-id-2): the second
    // body has no id line, yet its events keep the carried-over id.
    for _ in 0..2 {
        let body = last_event_id_py(parser.last_event_id(), b"");
        let next = connect(&mut parser, &body);
        assert_eq!(next.events, [ev("message", ellipsis, ellipsis)]);
        assert_eq!(next.last_event_id, ellipsis);
    }
}

#[test]
fn wpt_format_field_id_3_persists_until_changed() {
    let out = parse(b"id:1\ndata:1\n\ndata:2\n\nid:2\ndata:3\n\ndata:4\n\n");
    assert_eq!(
        out.events,
        [
            ev("message", "1", "1"),
            ev("message", "2", "1"),
            ev("message", "3", "2"),
            ev("message", "4", "2")
        ]
    );
}

#[test]
fn wpt_format_field_id_3_resets_with_empty_id() {
    for reset_line in [&b"id:\n"[..], b"id\n"] {
        let body = [
            &b"id:1\ndata:1\n\n"[..],
            reset_line,
            b"data:2\n\ndata:3\n\n",
        ]
        .concat();
        let out = parse(&body);
        assert_eq!(
            out.events,
            [ev("message", "1", "1"), msg("2"), msg("3")],
            "{reset_line:?}"
        );
        assert_eq!(out.last_event_id, "");
    }
}

#[test]
fn wpt_format_field_id_null_is_ignored() {
    for idvalue in [&b"\0\0"[..], b"x\0", b"\0x", b"x\0x", b" \0"] {
        let mut parser = Parser::new();
        for _ in 0..2 {
            let body = last_event_id_py(parser.last_event_id(), idvalue);
            let out = connect(&mut parser, &body);
            assert_eq!(out.events, [msg("hello")], "{idvalue:?}");
            assert_eq!(out.last_event_id, "");
        }
    }
}

#[test]
fn wpt_format_field_parsing() {
    let message = b"data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n";
    let out = parse(&message_py_newline_none(message));
    assert_eq!(out.events, [msg("\0\n 2\n1\n3\n\n4")]);
}

#[test]
fn wpt_format_field_retry_is_decimal_even_with_leading_zero() {
    let out = parse(&message_py(b"retry:03000\ndata:x"));
    assert_eq!(out.retry, Some(3000));
    assert_eq!(out.events, [msg("x")]);
}

#[test]
fn wpt_format_field_retry_bogus_is_ignored() {
    let out = parse(&message_py(b"retry:3000\nretry:1000x\ndata:x"));
    assert_eq!(out.retry, Some(3000));
}

#[test]
fn wpt_format_field_retry_empty_is_ignored() {
    let out = parse(&message_py(b"retry\ndata:test"));
    assert_eq!(out.retry, None);
    assert_eq!(out.events, [msg("test")]);
}

#[test]
fn wpt_format_field_unknown_and_parsing_fun() {
    let out = parse(&message_py(
        b"data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test",
    ));
    assert_eq!(out.events, [msg("test\n\ntest")]);
}

#[test]
fn wpt_format_leading_space_only_one_space_removed() {
    let out = parse(&message_py(b"data:\ttest\rdata: \ndata:test"));
    assert_eq!(out.events, [msg("\ttest\n\ntest")]);
}

#[test]
fn wpt_format_newlines_crlf_lf_cr() {
    let out = parse(&message_py_newline_none(
        b"data:test\r\ndata\ndata:test\r\n\r",
    ));
    assert_eq!(out.events, [msg("test\n\ntest")]);
}

#[test]
fn wpt_format_null_character_in_data_is_kept() {
    let out = parse(&message_py(b"data:\0\n\n"));
    assert_eq!(out.events, [msg("\0")]);
}

#[test]
fn wpt_format_utf_8_is_always_the_encoding() {
    // Served with `charset=windows-1252`: the parser ignores it.
    let out = parse(&message_py(b"data:ok\xe2\x80\xa6"));
    assert_eq!(out.events, [msg("ok\u{2026}")]);
}

// ---- Bugs seen in peers ------------------------------------------------------

#[test]
fn peer_bug_comments_are_not_delivered_as_empty_messages() {
    let out = parse(b":hi\n\n: heartbeat\r\n\r\n:\r\rdata:real\n\n");
    assert_eq!(out.events, [msg("real")]);
}

#[test]
fn peer_bug_event_type_does_not_leak_into_the_next_event() {
    let out = parse(b"event:special\ndata:1\n\ndata:2\n\nevent:orphan\n\ndata:3\n\n");
    assert_eq!(out.events, [ev("special", "1", ""), msg("2"), msg("3")]);
}

#[test]
fn peer_bug_every_data_line_is_kept_not_only_the_last() {
    let out = parse(b"data:{\ndata:  \"a\": 1\ndata:}\n\n");
    assert_eq!(out.events, [msg("{\n \"a\": 1\n}")]);
}

#[test]
fn peer_bug_crlf_across_reads_does_not_split_an_event() {
    let mut parser = Parser::new();
    let out = run_chunks(
        &mut parser,
        &[b"data:first\r", b"\ndata:second\r", b"\n\r", b"\n"],
    );
    assert_eq!(out.events, [msg("first\nsecond")]);
}

#[test]
fn peer_bug_id_containing_nul_is_not_accepted() {
    let out = parse(b"id:good\ndata:a\n\nid:ba\0d\ndata:b\n\n");
    assert_eq!(
        out.events,
        [ev("message", "a", "good"), ev("message", "b", "good")]
    );
    assert_eq!(out.last_event_id, "good");
}

// ---- Size cap ------------------------------------------------------------------

fn feed_collect(parser: &mut Parser, chunk: &[u8]) -> (Vec<Ev>, Result<(), ParseError>) {
    let mut events = Vec::new();
    let result = parser.feed(chunk, |e| {
        events.push(own(e));
        ControlFlow::Continue(())
    });
    (events, result)
}

#[test]
fn default_cap_accepts_an_event_exactly_at_one_mebibyte() {
    let value = "v".repeat(DEFAULT_MAX_EVENT_SIZE - b"data:".len());
    let body = format!("data:{value}\n\n");
    let mut parser = Parser::new();
    let (events, result) = feed_collect(&mut parser, body.as_bytes());
    assert_eq!(result, Ok(()));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data.len(), DEFAULT_MAX_EVENT_SIZE - 5);
}

#[test]
fn default_cap_refuses_one_byte_more_and_recovers() {
    let value = "v".repeat(DEFAULT_MAX_EVENT_SIZE - b"data:".len() + 1);
    let body = format!("data:before\n\ndata:{value}\n\ndata:after\n\n");
    let mut parser = Parser::new();
    let (events, result) = feed_collect(&mut parser, body.as_bytes());
    assert_eq!(
        result,
        Err(ParseError::EventTooLarge {
            limit: DEFAULT_MAX_EVENT_SIZE,
            events: 1,
        })
    );
    assert_eq!(events, [msg("before"), msg("after")]);
}

#[test]
fn oversized_event_streamed_in_small_chunks_is_reported_once() {
    let mut parser = Parser::with_config(ParserConfig {
        max_event_size: 100,
    });
    let mut events = Vec::new();
    let mut errors = Vec::new();
    let mut chunks: Vec<Vec<u8>> = vec![b"data:small\n\ndata:".to_vec()];
    chunks.extend(std::iter::repeat(b"0123456789".to_vec()).take(50));
    chunks.push(b"\ndata:tail of the big one\n\ndata:next\n\n".to_vec());
    for (i, chunk) in chunks.iter().enumerate() {
        let (e, r) = feed_collect(&mut parser, chunk);
        events.extend(e);
        if r.is_err() {
            errors.push(i);
        }
    }
    assert_eq!(events, [msg("small"), msg("next")]);
    // After chunk 9 the line is 95 bytes; chunk 10 takes it past 100 and
    // reports; the later chunks of the same event do not.
    assert_eq!(errors, [10]);
}

// ---- ControlFlow::Break ------------------------------------------------------

#[test]
fn break_stops_delivery_of_the_rest_of_the_chunk() {
    let mut parser = Parser::new();
    let mut seen = Vec::new();
    let result = parser.feed(b"data:1\n\ndata:2\n\ndata:3\n\n", |e| {
        seen.push(own(e));
        if seen.len() == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(result, Ok(()));
    assert_eq!(seen, [msg("1"), msg("2")]);
    // After a reset the parser is as good as new (a new connection).
    parser.reset();
    let (events, result) = feed_collect(&mut parser, b"data:4\n\n");
    assert_eq!(result, Ok(()));
    assert_eq!(events, [msg("4")]);
}
