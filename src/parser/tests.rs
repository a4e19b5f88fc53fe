//! Unit tests: one per rule of WHATWG HTML §9.2.5–9.2.6 and per decision in
//! the module docs, plus the memory bound of the size cap (which needs the
//! private capacity accessor).

use core::ops::ControlFlow;

use super::{ParseError, ParsedEvent, Parser, ParserConfig};

/// An owned copy of an [`ParsedEvent`].
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

/// Feeds each chunk in order; panics on a parse error.
fn feed_chunks(parser: &mut Parser, chunks: &[&[u8]]) -> Vec<Ev> {
    let mut out = Vec::new();
    for chunk in chunks {
        parser
            .feed(chunk, |e| {
                out.push(own(e));
                ControlFlow::Continue(())
            })
            .expect("no parse error");
    }
    out
}

/// Events of `stream` fed at once, then fed one byte at a time; asserts both
/// agree and returns them.
fn parse(stream: &[u8]) -> Vec<Ev> {
    let whole = feed_chunks(&mut Parser::new(), &[stream]);
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    let bytewise = feed_chunks(&mut Parser::new(), &bytes);
    assert_eq!(whole, bytewise, "byte-at-a-time feeding changed the events");
    whole
}

/// Feeds one chunk, collecting events and the result.
fn feed_result(parser: &mut Parser, chunk: &[u8]) -> (Vec<Ev>, Result<(), ParseError>) {
    let mut out = Vec::new();
    let result = parser.feed(chunk, |e| {
        out.push(own(e));
        ControlFlow::Continue(())
    });
    (out, result)
}

fn capped(limit: usize) -> Parser {
    Parser::with_config(ParserConfig {
        max_event_size: limit,
    })
}

// ---- Defaults ----------------------------------------------------------

#[test]
fn new_parser_has_empty_last_event_id_and_no_retry() {
    let p = Parser::new();
    assert_eq!(p.last_event_id(), "");
    assert_eq!(p.retry(), None);
    let d = Parser::default();
    assert_eq!(d.last_event_id(), "");
}

#[test]
fn default_config_cap_is_one_mebibyte() {
    assert_eq!(ParserConfig::default().max_event_size, 1024 * 1024);
    assert_eq!(super::DEFAULT_MAX_EVENT_SIZE, 1 << 20);
}

// ---- Line ends -----------------------------------------------------------

#[test]
fn lf_cr_and_crlf_all_end_lines() {
    assert_eq!(parse(b"data:a\n\n"), [msg("a")]);
    assert_eq!(parse(b"data:a\r\r"), [msg("a")]);
    assert_eq!(parse(b"data:a\r\n\r\n"), [msg("a")]);
    assert_eq!(parse(b"data:a\rdata:b\ndata:c\r\n\n"), [msg("a\nb\nc")]);
}

#[test]
fn crlf_split_across_chunks_is_one_line_end() {
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"data:a\r", b"\ndata:b\r", b"\n\r", b"\n"]);
    assert_eq!(evs, [msg("a\nb")]);
}

#[test]
fn crlf_split_across_chunks_with_an_empty_chunk_between() {
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"data:a\r", b"", b"\n", b"data:b\n\n"]);
    assert_eq!(evs, [msg("a\nb")]);
}

#[test]
fn crlf_at_chunk_end_leaves_no_pending_cr() {
    // The LF that starts the next chunk is an empty line of its own: only a
    // lone CR at the end of a chunk waits for its LF.
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"data:a\r\n", b"\ndata:b\r\n", b"\r\n"]);
    assert_eq!(evs, [msg("a"), msg("b")]);
    let evs = feed_chunks(&mut p, &[b"data:c\n", b"\n"]);
    assert_eq!(evs, [msg("c")]);
}

#[test]
fn cr_at_chunk_end_followed_by_cr_is_an_empty_line() {
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"data:a\r", b"\r"]);
    assert_eq!(evs, [msg("a")]);
}

#[test]
fn cr_cr_lf_lf_is_three_line_ends() {
    // "data:a" CR | (empty) CR LF | (empty) LF: two empty lines, so "a" fires
    // at the first and the second dispatches nothing.
    assert_eq!(parse(b"data:a\r\r\n\ndata:b\n\n"), [msg("a"), msg("b")]);
    // Inside one block: CR ends "data:a", CRLF an empty line.
    assert_eq!(parse(b"data:a\r\r\n"), [msg("a")]);
}

#[test]
fn unicode_separators_form_feed_and_vertical_tab_are_not_line_ends() {
    let s = "data:a\u{2028}b\u{85}c\u{2029}d\x0ce\x0bf\n\n";
    assert_eq!(
        parse(s.as_bytes()),
        [msg("a\u{2028}b\u{85}c\u{2029}d\x0ce\x0bf")]
    );
}

// ---- Fields --------------------------------------------------------------

#[test]
fn empty_line_dispatches_with_default_type_message() {
    assert_eq!(parse(b"data: hello\n\n"), [msg("hello")]);
}

#[test]
fn comment_lines_are_not_delivered_as_events() {
    assert_eq!(parse(b":ping\n\n: keep-alive\n\n:\n\n"), []);
    assert_eq!(parse(b"data:a\n:comment\ndata:b\n\n"), [msg("a\nb")]);
}

#[test]
fn field_value_loses_exactly_one_leading_space() {
    assert_eq!(parse(b"data:x\n\n"), [msg("x")]);
    assert_eq!(parse(b"data: x\n\n"), [msg("x")]);
    assert_eq!(parse(b"data:  x\n\n"), [msg(" x")]);
    assert_eq!(parse(b"data:\tx\n\n"), [msg("\tx")]);
    assert_eq!(parse(b"data: \n\n"), [msg("")]);
}

#[test]
fn field_name_is_everything_before_the_first_colon() {
    assert_eq!(parse(b"data:a:b: c\n\n"), [msg("a:b: c")]);
}

#[test]
fn line_without_colon_is_a_field_with_empty_value() {
    assert_eq!(parse(b"data\n\n"), [msg("")]);
    assert_eq!(parse(b"data\ndata\n\n"), [msg("\n")]);
}

#[test]
fn field_names_are_case_sensitive() {
    assert_eq!(parse(b"Data:x\nDATA:y\nEvent:t\nID:1\nRetry:5\n\n"), []);
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"ID:1\nRetry:5\ndata:x\n\n"]);
    assert_eq!(p.last_event_id(), "");
    assert_eq!(p.retry(), None);
}

#[test]
fn field_name_with_leading_space_is_unknown() {
    assert_eq!(parse(b" data:x\ndata:y\n\n"), [msg("y")]);
}

#[test]
fn unknown_fields_are_ignored() {
    assert_eq!(parse(b"foo:bar\ndata:x\nbaz\n\n"), [msg("x")]);
}

#[test]
fn every_data_line_is_kept_joined_with_lf() {
    assert_eq!(parse(b"data:1\ndata:2\ndata:3\n\n"), [msg("1\n2\n3")]);
}

#[test]
fn only_one_trailing_lf_is_removed_from_data() {
    assert_eq!(parse(b"data:a\ndata\n\n"), [msg("a\n")]);
    assert_eq!(parse(b"data\ndata\ndata\n\n"), [msg("\n\n")]);
}

#[test]
fn event_field_sets_the_type_of_this_event_only() {
    assert_eq!(
        parse(b"event:add\ndata:1\n\ndata:2\n\n"),
        [ev("add", "1", ""), msg("2")]
    );
}

#[test]
fn empty_event_field_means_message() {
    assert_eq!(
        parse(b"event:\ndata:1\n\nevent: \ndata:2\n\n"),
        [msg("1"), msg("2")]
    );
}

#[test]
fn last_event_field_wins() {
    assert_eq!(parse(b"event:a\nevent:b\ndata:1\n\n"), [ev("b", "1", "")]);
}

#[test]
fn event_type_without_data_does_not_leak_into_next_event() {
    assert_eq!(parse(b"event:add\n\ndata:2\n\n"), [msg("2")]);
}

#[test]
fn block_without_data_fires_nothing_but_sets_last_event_id() {
    let mut p = Parser::new();
    assert_eq!(feed_chunks(&mut p, &[b"id:7\n\n"]), []);
    assert_eq!(p.last_event_id(), "7");
}

#[test]
fn id_persists_across_events_until_changed() {
    assert_eq!(
        parse(b"id:1\ndata:a\n\ndata:b\n\nid:2\ndata:c\n\n"),
        [
            ev("message", "a", "1"),
            ev("message", "b", "1"),
            ev("message", "c", "2")
        ]
    );
}

#[test]
fn empty_id_clears_the_last_event_id() {
    let mut p = Parser::new();
    let evs = feed_chunks(
        &mut p,
        &[b"id:1\ndata:a\n\nid\ndata:b\n\nid:3\n\nid:\ndata:c\n\n"],
    );
    assert_eq!(evs, [ev("message", "a", "1"), msg("b"), msg("c")]);
    assert_eq!(p.last_event_id(), "");
}

#[test]
fn id_containing_nul_is_ignored() {
    let mut p = Parser::new();
    let evs = feed_chunks(
        &mut p,
        &[b"id:1\ndata:a\n\nid:2\x00\ndata:b\n\nid:\x00\n\n"],
    );
    assert_eq!(evs, [ev("message", "a", "1"), ev("message", "b", "1")]);
    assert_eq!(p.last_event_id(), "1");
}

#[test]
fn id_becomes_last_event_id_only_at_dispatch() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"id:1\ndata:a\n\nid:2\ndata:b\n"]);
    assert_eq!(p.last_event_id(), "1");
    feed_chunks(&mut p, &[b"\n"]);
    assert_eq!(p.last_event_id(), "2");
}

#[test]
fn id_is_decoded_as_utf8() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"id:\xe2\x80\xa6\xe2\n\n"]);
    // The stray 0xE2 is invalid UTF-8 on its own: U+FFFD.
    assert_eq!(p.last_event_id(), "\u{2026}\u{FFFD}");
}

#[test]
fn retry_accepts_ascii_digits_only() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"retry:03000\n"]);
    assert_eq!(p.retry(), Some(3000));
    for bogus in [
        &b"retry:\n"[..],
        b"retry\n",
        b"retry:-1\n",
        b"retry:+1\n",
        b"retry:1x\n",
        b"retry:1 \n",
        b"retry:  1\n",
        b"retry:1.5\n",
        b"retry:\xd9\xa1\n",
    ] {
        feed_chunks(&mut p, &[bogus]);
        assert_eq!(p.retry(), Some(3000), "{bogus:?} must be ignored");
    }
    feed_chunks(&mut p, &[b"retry: 42\n"]); // the one leading space goes with the colon
    assert_eq!(p.retry(), Some(42));
}

#[test]
fn retry_takes_effect_without_dispatch() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"retry:10"]);
    assert_eq!(p.retry(), None); // line not ended yet
    feed_chunks(&mut p, &[b"0\n"]);
    assert_eq!(p.retry(), Some(100));
    p.finish();
    assert_eq!(p.retry(), Some(100));
}

#[test]
fn retry_saturates_on_overflow() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"retry:18446744073709551615\n"]);
    assert_eq!(p.retry(), Some(u64::MAX));
    feed_chunks(&mut p, &[b"retry:1\nretry:99999999999999999999999999999\n"]);
    assert_eq!(p.retry(), Some(u64::MAX));
    // Exact up to the limit, saturated one past it.
    feed_chunks(&mut p, &[b"retry:18446744073709551614\n"]);
    assert_eq!(p.retry(), Some(u64::MAX - 1));
    feed_chunks(&mut p, &[b"retry:18446744073709551616\n"]);
    assert_eq!(p.retry(), Some(u64::MAX));
    feed_chunks(&mut p, &[b"retry:1844674407370955161\n"]);
    assert_eq!(p.retry(), Some(u64::MAX / 10));
}

// ---- UTF-8 and BOM -------------------------------------------------------

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    assert_eq!(
        parse(b"data:a\xffb\xe2\x82\n\n"),
        [msg("a\u{FFFD}b\u{FFFD}")]
    );
    // Surrogates are three maximal subparts.
    assert_eq!(
        parse(b"data:\xed\xa0\x80\n\n"),
        [msg("\u{FFFD}\u{FFFD}\u{FFFD}")]
    );
}

#[test]
fn truncated_sequence_before_line_end_is_one_replacement() {
    assert_eq!(
        parse(b"data:\xf0\x9f\x98\ndata:ok\n\n"),
        [msg("\u{FFFD}\nok")]
    );
}

#[test]
fn utf8_character_split_across_chunks_is_joined() {
    let bytes = "data:\u{1F600}\u{2026}\n\n".as_bytes();
    for cut in 0..bytes.len() {
        let mut p = Parser::new();
        let evs = feed_chunks(&mut p, &[&bytes[..cut], &bytes[cut..]]);
        assert_eq!(evs, [msg("\u{1F600}\u{2026}")], "cut at {cut}");
    }
}

#[test]
fn event_type_is_decoded_lossily() {
    assert_eq!(
        parse(b"event:a\xc3\ndata:x\n\n"),
        [ev("a\u{FFFD}", "x", "")]
    );
}

#[test]
fn leading_bom_is_dropped() {
    assert_eq!(parse(b"\xef\xbb\xbfdata:1\n\n"), [msg("1")]);
}

#[test]
fn bom_split_across_chunks_is_dropped() {
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"\xef", b"", b"\xbb", b"\xbfdata:1\n\n"]);
    assert_eq!(evs, [msg("1")]);
}

#[test]
fn second_bom_is_not_dropped() {
    // The second BOM becomes part of the field name: an unknown field.
    assert_eq!(
        parse(b"\xef\xbb\xbf\xef\xbb\xbfdata:1\n\ndata:2\n\n"),
        [msg("2")]
    );
    assert_eq!(parse(b"data:1\n\n\xef\xbb\xbfdata:2\n\n"), [msg("1")]);
}

#[test]
fn bom_in_a_value_is_kept() {
    assert_eq!(parse(b"data:\xef\xbb\xbfx\n\n"), [msg("\u{FEFF}x")]);
}

#[test]
fn partial_bom_prefix_is_decoded_as_ordinary_bytes() {
    // EF BB then 'd': not a BOM; the two bytes are one invalid subpart
    // starting the field name, so the line is an unknown field.
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"\xef", b"\xbbdata:1\n\ndata:2\n\n"]);
    assert_eq!(evs, [msg("2")]);
    // A lone EF before a value-bearing line: the EF goes into that line.
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"\xef", b"\n", b"data:2\n\n"]);
    assert_eq!(evs, [msg("2")]);
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"\xef", b"\xbb", b":data\n"]);
    assert_eq!(evs, []);
}

#[test]
fn bom_only_stream_then_events() {
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"\xef\xbb\xbf", b"data:x\n\n"]);
    assert_eq!(evs, [msg("x")]);
}

#[test]
fn reset_rearms_the_bom() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"\xef\xbb\xbfdata:1\n\n"]);
    p.reset();
    let evs = feed_chunks(&mut p, &[b"\xef\xbb", b"\xbfdata:2\n\n"]);
    assert_eq!(evs, [msg("2")]);
}

// ---- Chunking ------------------------------------------------------------

#[test]
fn every_two_way_split_gives_the_same_events() {
    let stream: &[u8] =
        b"\xef\xbb\xbfid:1\r\nevent:e\rdata:\xe2\x80\xa6\r\n\r\n:c\ndata:x\r\rretry:5\n\n";
    let expected = feed_chunks(&mut Parser::new(), &[stream]);
    assert_eq!(
        expected,
        [ev("e", "\u{2026}", "1"), ev("message", "x", "1")]
    );
    for cut in 0..=stream.len() {
        let mut p = Parser::new();
        let evs = feed_chunks(&mut p, &[&stream[..cut], &stream[cut..]]);
        assert_eq!(evs, expected, "cut at {cut}");
        assert_eq!(p.retry(), Some(5));
        assert_eq!(p.last_event_id(), "1");
    }
}

#[test]
fn line_spanning_many_chunks_is_joined() {
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"da", b"ta", b":", b" hel", b"lo", b"\n", b"\n"]);
    assert_eq!(evs, [msg("hello")]);
}

// ---- finish / reset ------------------------------------------------------

#[test]
fn finish_discards_unterminated_event_and_its_id() {
    let mut p = Parser::new();
    let evs = feed_chunks(&mut p, &[b"id:1\ndata:a\n\nid:2\nevent:e\ndata:b\n"]);
    assert_eq!(evs, [ev("message", "a", "1")]);
    p.finish();
    assert_eq!(p.last_event_id(), "1");
    // Nothing of the discarded block resurfaces.
    let evs = feed_chunks(&mut p, &[b"\ndata:c\n\n"]);
    assert_eq!(evs, [ev("message", "c", "1")]);
}

#[test]
fn finish_discards_partial_line() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"data:a\ndata:partial"]);
    p.finish();
    let evs = feed_chunks(&mut p, &[b"\n\ndata:b\n\n"]);
    assert_eq!(evs, [msg("b")]);
}

#[test]
fn finish_discards_pending_cr() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"data:a\r"]);
    p.finish();
    // The LF starts the new stream: it is an empty line, not half a CRLF,
    // and there is no data left to dispatch.
    let evs = feed_chunks(&mut p, &[b"\ndata:b\n\n"]);
    assert_eq!(evs, [msg("b")]);
}

#[test]
fn reset_keeps_last_event_id_and_retry_and_clears_the_rest() {
    let mut p = Parser::new();
    feed_chunks(
        &mut p,
        &[b"retry:500\nid:9\ndata:a\n\nid:10\nevent:e\ndata:b\ndata:par"],
    );
    p.reset();
    assert_eq!(p.last_event_id(), "9");
    assert_eq!(p.retry(), Some(500));
    let evs = feed_chunks(&mut p, &[b"data:c\n\n"]);
    assert_eq!(evs, [ev("message", "c", "9")]);
}

#[test]
fn reset_clears_a_split_utf8_character() {
    let mut p = Parser::new();
    feed_chunks(&mut p, &[b"data:\xe2\x80"]);
    p.reset();
    let evs = feed_chunks(&mut p, &[b"\xa6data:x\n\n"]);
    // The orphaned continuation byte begins an unknown field name.
    assert_eq!(evs, []);
    let evs = feed_chunks(&mut p, &[b"data:y\n\n"]);
    assert_eq!(evs, [msg("y")]);
}

#[test]
fn set_last_event_id_seeds_events_and_survives_reset() {
    let mut p = Parser::new();
    p.set_last_event_id("42");
    assert_eq!(p.last_event_id(), "42");
    assert_eq!(
        feed_chunks(&mut p, &[b"data:a\n\n"]),
        [ev("message", "a", "42")]
    );
    p.reset();
    assert_eq!(
        feed_chunks(&mut p, &[b"data:b\n\n"]),
        [ev("message", "b", "42")]
    );
}

// ---- ControlFlow::Break --------------------------------------------------

#[test]
fn break_stops_the_rest_of_the_chunk() {
    let mut p = Parser::new();
    let mut seen = Vec::new();
    let r = p.feed(b"data:1\n\ndata:2\n\nid:3\n\n", |e| {
        seen.push(own(e));
        ControlFlow::Break(())
    });
    assert_eq!(r, Ok(()));
    assert_eq!(seen, [msg("1")]);
    // Lines after the break were not interpreted.
    assert_eq!(p.last_event_id(), "");
}

#[test]
fn break_after_an_overflow_in_the_same_chunk_returns_ok() {
    let mut p = capped(8);
    let r = p.feed(b"data:123456789\n\ndata:1\n\n", |_| ControlFlow::Break(()));
    assert_eq!(r, Ok(()));
}

// ---- Size cap ------------------------------------------------------------

#[test]
fn event_exactly_at_the_cap_is_accepted() {
    // "data:" + 11 bytes = 16 bytes of line.
    let mut p = capped(16);
    let (evs, r) = feed_result(&mut p, b"data:0123456789a\n\n");
    assert_eq!(r, Ok(()));
    assert_eq!(evs, [msg("0123456789a")]);
    // Two lines: 6 bytes buffered ("abcde\n"), then a 10-byte line = 16.
    let (evs, r) = feed_result(&mut p, b"data:abcde\ndata:fghij\n\n");
    assert_eq!(r, Ok(()));
    assert_eq!(evs, [msg("abcde\nfghij")]);
}

#[test]
fn event_one_byte_over_the_cap_is_refused_and_neighbours_delivered() {
    let mut p = capped(16);
    let (evs, r) = feed_result(
        &mut p,
        b"data:before\n\nid:x\ndata:0123456789ab\ndata:more\n\ndata:after\n\n",
    );
    assert_eq!(
        r,
        Err(ParseError::EventTooLarge {
            limit: 16,
            events: 1
        })
    );
    // The id seen before the overflow is committed by the skipped event's
    // empty line; nothing of the refused event fires.
    assert_eq!(evs, [msg("before"), ev("message", "after", "x")]);
}

#[test]
fn overflow_in_a_split_line_gives_the_same_result_as_unsplit() {
    let stream: &[u8] = b"data:ok\n\ndata:0123456789ab\n\ndata:after\n\n:0123456789abcdef\n\n";
    for cut in 0..=stream.len() {
        let mut p = capped(16);
        let mut evs = Vec::new();
        let mut refused = 0;
        for chunk in [&stream[..cut], &stream[cut..]] {
            let (e, r) = feed_result(&mut p, chunk);
            evs.extend(e);
            if let Err(ParseError::EventTooLarge { events, .. }) = r {
                refused += events;
            }
        }
        assert_eq!(evs, [msg("ok"), msg("after")], "cut at {cut}");
        assert_eq!(
            refused, 2,
            "cut at {cut}: each oversized block counted once"
        );
    }
}

#[test]
fn exact_cap_is_accepted_whatever_the_split() {
    let stream: &[u8] = b"data:0123456789a\r\n\r\n";
    for cut in 0..=stream.len() {
        let mut p = capped(16);
        let mut evs = Vec::new();
        for chunk in [&stream[..cut], &stream[cut..]] {
            let (e, r) = feed_result(&mut p, chunk);
            assert_eq!(r, Ok(()), "cut at {cut}");
            evs.extend(e);
        }
        assert_eq!(evs, [msg("0123456789a")], "cut at {cut}");
    }
}

#[test]
fn oversized_event_is_reported_once_across_chunks() {
    let mut p = capped(16);
    let (_, r1) = feed_result(&mut p, b"data:0123456789abcdef");
    assert_eq!(
        r1,
        Err(ParseError::EventTooLarge {
            limit: 16,
            events: 1
        })
    );
    let (_, r2) = feed_result(&mut p, b"more more more");
    assert_eq!(r2, Ok(()));
    let (_, r3) = feed_result(&mut p, b"\ndata:still the same event\n");
    assert_eq!(r3, Ok(()));
    let (evs, r4) = feed_result(&mut p, b"\ndata:next\n\n");
    assert_eq!(r4, Ok(()));
    assert_eq!(evs, [msg("next")]);
}

#[test]
fn endless_line_without_newline_keeps_memory_bounded() {
    let limit = 4096;
    let mut p = capped(limit);
    let chunk = vec![b'x'; 1000];
    let (_, r) = feed_result(&mut p, b"data:");
    assert_eq!(r, Ok(()));
    let mut errors = 0;
    for _ in 0..10_000 {
        let (evs, r) = feed_result(&mut p, &chunk);
        assert!(evs.is_empty());
        errors += usize::from(r.is_err());
        assert!(
            p.retained_bytes() <= 2 * limit,
            "retained {} bytes",
            p.retained_bytes()
        );
    }
    assert_eq!(errors, 1);
    // The parser recovers at the end of the refused event.
    let (evs, r) = feed_result(&mut p, b"\n\ndata:ok\n\n");
    assert_eq!(r, Ok(()));
    assert_eq!(evs, [msg("ok")]);
}

#[test]
fn many_data_lines_cannot_outgrow_the_cap() {
    let limit = 1000;
    let mut p = capped(limit);
    let mut errors = 0;
    for _ in 0..10_000 {
        let (evs, r) = feed_result(&mut p, b"data:0123456789\n");
        assert!(evs.is_empty());
        errors += usize::from(r.is_err());
        assert!(
            p.retained_bytes() <= limit + 256,
            "retained {} bytes",
            p.retained_bytes()
        );
    }
    assert_eq!(errors, 1);
    let (evs, _) = feed_result(&mut p, b"\ndata:ok\n\n");
    assert_eq!(evs, [msg("ok")]);
}

#[test]
fn huge_comment_line_is_refused_without_buffering() {
    let mut p = capped(64);
    let mut chunk = b":".to_vec();
    chunk.extend(core::iter::repeat(b'c').take(10_000));
    let (_, r) = feed_result(&mut p, &chunk);
    assert_eq!(
        r,
        Err(ParseError::EventTooLarge {
            limit: 64,
            events: 1
        })
    );
    assert!(p.retained_bytes() <= 128);
    let (evs, r) = feed_result(&mut p, b"\n\ndata:ok\n\n");
    assert_eq!(r, Ok(()));
    assert_eq!(evs, [msg("ok")]);
}

#[test]
fn skip_mode_survives_cr_lf_split_and_ends_at_a_real_empty_line() {
    let mut p = capped(8);
    let (_, r) = feed_result(&mut p, b"data:0123456789\r");
    assert!(r.is_err());
    // The LF completes the CRLF; it is not the empty line that ends the skip.
    let (evs, r) = feed_result(&mut p, b"\ndata:x\r\n\r\ndata:y\r\n\r\n");
    assert_eq!(r, Ok(()));
    assert_eq!(evs, [msg("y")]);
}

#[test]
fn reset_ends_skip_mode() {
    let mut p = capped(8);
    let (_, r) = feed_result(&mut p, b"data:0123456789");
    assert!(r.is_err());
    p.reset();
    let (evs, r) = feed_result(&mut p, b"data:ok\n\n");
    assert_eq!(r, Ok(()));
    assert_eq!(evs, [msg("ok")]);
}

#[test]
fn two_overflows_in_one_chunk_give_one_error_counting_both() {
    let mut p = capped(8);
    let (evs, r) = feed_result(
        &mut p,
        b"data:0123456789\n\ndata:a\n\ndata:0123456789\n\ndata:b\n\n",
    );
    assert_eq!(
        r,
        Err(ParseError::EventTooLarge {
            limit: 8,
            events: 2
        })
    );
    assert_eq!(evs, [msg("a"), msg("b")]);
}

#[test]
fn zero_cap_refuses_every_non_empty_line() {
    let mut p = capped(0);
    let (evs, r) = feed_result(&mut p, b"data:a\n\n");
    assert!(r.is_err());
    assert_eq!(evs, []);
    let (evs, r) = feed_result(&mut p, b"\n\n");
    assert_eq!(r, Ok(()));
    assert_eq!(evs, []);
}

// ---- Steady state --------------------------------------------------------

#[test]
fn buffers_are_reused_in_the_steady_state() {
    let mut p = Parser::new();
    let block: &[u8] = b"id:12345\nevent:update\ndata:{\"a\":1}\ndata:{\"b\":2}\n\n";
    // Split each block across two chunks so the partial-line buffer is used.
    let (a, b) = block.split_at(20);
    feed_chunks(&mut p, &[a, b]);
    let warm = p.retained_bytes();
    for _ in 0..1000 {
        let evs = feed_chunks(&mut p, &[a, b]);
        assert_eq!(evs.len(), 1);
    }
    assert_eq!(p.retained_bytes(), warm, "buffers grew in the steady state");
}

/// Feeds `chunks` and returns, per event: its data, what its data spans
/// point at (joined with LF) and what its id span points at.
fn spans(chunks: &[&[u8]]) -> Vec<(String, Option<String>, Option<String>)> {
    let mut parser = Parser::new();
    let mut out = Vec::new();
    for chunk in chunks {
        let text =
            |(start, end): (usize, usize)| String::from_utf8_lossy(&chunk[start..end]).into_owned();
        parser
            .feed(chunk, |event| {
                let data = event.data_spans.map(|spans| {
                    spans
                        .iter()
                        .map(|&span| text(span))
                        .collect::<Vec<_>>()
                        .join("\n")
                });
                out.push((event.data().into_owned(), data, event.id_span.map(text)));
                ControlFlow::Continue(())
            })
            .unwrap();
    }
    out
}

fn spanned(
    data: &str,
    spans: Option<&str>,
    id: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (
        data.to_owned(),
        spans.map(str::to_owned),
        id.map(str::to_owned),
    )
}

#[test]
fn data_lines_within_the_chunk_have_spans_that_point_at_them() {
    assert_eq!(
        spans(&[b"data: one\n\nevent: x\r\ndata:two\r\n\r\ndata: a\ndata:\ndata: b\n\n"]),
        [
            spanned("one", Some("one"), None),
            spanned("two", Some("two"), None),
            spanned("a\n\nb", Some("a\n\nb"), None),
        ]
    );
}

#[test]
fn data_from_an_earlier_chunk_or_split_across_chunks_has_no_spans() {
    // The data line ends in chunk 1, the event in chunk 2.
    assert_eq!(
        spans(&[b"data: early\n", b"\n"]),
        [spanned("early", None, None)]
    );
    // The data line itself is split.
    assert_eq!(
        spans(&[b"data: sp", b"lit\n\n"]),
        [spanned("split", None, None)]
    );
    // One of several lines lies in an earlier chunk.
    assert_eq!(
        spans(&[b"data: a\n", b"data: b\n\n"]),
        [spanned("a\nb", None, None)]
    );
}

#[test]
fn spans_are_relative_to_the_chunk_including_a_bom() {
    assert_eq!(
        spans(&[b"\xEF\xBB\xBFid: 1\ndata: x\n\n"]),
        [spanned("x", Some("x"), Some("1"))]
    );
}

#[test]
fn the_id_span_points_at_the_id_line_that_set_the_last_event_id() {
    assert_eq!(
        spans(&[b"id: 7\ndata: a\n\ndata: b\n\nid: 8\n\ndata: c\n\nid\ndata: d\n\n"]),
        [
            spanned("a", Some("a"), Some("7")),
            // Still the id of the first block, in the same chunk.
            spanned("b", Some("b"), Some("7")),
            // Set by a block that fired nothing.
            spanned("c", Some("c"), Some("8")),
            // `id` with no value clears it: an empty span.
            spanned("d", Some("d"), Some("")),
        ]
    );
}

#[test]
fn an_id_from_an_earlier_chunk_or_split_has_no_span() {
    assert_eq!(
        spans(&[
            b"id: 7\ndata: a\n\n",
            b"data: b\n\n",
            b"id: 1",
            b"2\ndata: c\n\n"
        ]),
        [
            spanned("a", Some("a"), Some("7")),
            spanned("b", Some("b"), None),
            spanned("c", Some("c"), None),
        ]
    );
    // An id that was never dispatched does not leak past a new connection.
    let mut parser = Parser::new();
    parser
        .feed(b"id: 9\ndata: x\n\nid: 10\n", |_| ControlFlow::Continue(()))
        .unwrap();
    parser.reset();
    let mut ids = Vec::new();
    parser
        .feed(b"data: y\n\n", |event| {
            ids.push((event.last_event_id.to_owned(), event.id_span));
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(ids, [("9".to_owned(), None)]);
}

// ---- id_changes ------------------------------------------------------------

/// The `id_changes` of each event of `chunk`.
fn changes_per_event(parser: &mut Parser, chunk: &[u8]) -> Vec<u32> {
    let mut out = Vec::new();
    parser
        .feed(chunk, |e| {
            out.push(e.id_changes);
            ControlFlow::Continue(())
        })
        .expect("no parse error");
    out
}

#[test]
fn id_changes_counts_changes_of_the_last_event_id_only() {
    let mut p = Parser::new();
    let start = p.id_changes();
    // A new id changes it; the same id again, or no id line, does not.
    let counts = changes_per_event(&mut p, b"id: a\ndata: 1\n\nid: a\ndata: 2\n\ndata: 3\n\n");
    assert_eq!(counts, [start + 1, start + 1, start + 1]);
    // Clearing the id (`id:` with no value) is a change, and so is a block
    // with an id and no data, seen at the end of the chunk.
    let counts = changes_per_event(&mut p, b"id\ndata: 4\n\nid: b\n\n");
    assert_eq!(counts, [start + 2]);
    assert_eq!((p.id_changes(), p.last_event_id()), (start + 3, "b"));
    // An undispatched id is not a change; a reset keeps the count.
    changes_per_event(&mut p, b"id: c\n");
    p.reset();
    assert_eq!(p.id_changes(), start + 3);
    p.set_last_event_id("d");
    assert_eq!(p.id_changes(), start + 4);
}
