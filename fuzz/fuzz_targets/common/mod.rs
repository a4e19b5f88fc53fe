//! What both fuzz targets check: one parser run over a list of chunks.

use std::ops::ControlFlow;

use sse_wasm::parser::{Parser, ParserConfig};

/// Events as (type, data, ID), the last event ID, the retry value, and
/// whether any `feed` call refused an oversized event.
pub type Outcome = (Vec<(String, String, String)>, String, Option<u64>, bool);

/// Feeds `chunks` to a fresh parser with the size cap `cap`, then ends the
/// stream. Checks, beyond "no panic", that every event is well-formed: a
/// type with no CR or LF, an ID with no CR, LF or NUL, data with no CR and
/// no larger than the cap allows (valid bytes are at most the raw line; each
/// U+FFFD replaces at least one byte with three).
pub fn run(cap: usize, chunks: &[&[u8]]) -> Outcome {
    let mut parser = Parser::with_config(ParserConfig {
        max_event_size: cap,
    });
    let mut events = Vec::new();
    let mut refused = false;
    for chunk in chunks {
        let result = parser.feed(chunk, |e| {
            assert!(!e.event_type.is_empty());
            assert!(
                !e.event_type.contains(['\r', '\n']),
                "type {:?}",
                e.event_type
            );
            assert!(
                !e.last_event_id.contains(['\r', '\n', '\0']),
                "id {:?}",
                e.last_event_id
            );
            let data = e.data();
            assert!(!data.contains('\r'), "data {data:?}");
            assert!(
                data.len() <= 3 * cap,
                "{} bytes of data under cap {cap}",
                data.len()
            );
            // Where the event says its text lies in the chunk, it is there.
            let text = |(start, end): (usize, usize)| String::from_utf8_lossy(&chunk[start..end]);
            if let Some(spans) = e.data_spans {
                let lines: Vec<_> = spans.iter().map(|&span| text(span)).collect();
                assert_eq!(lines.join("\n"), data, "data spans {spans:?}");
            }
            if let Some(span) = e.id_span {
                assert_eq!(text(span), e.last_event_id, "id span {span:?}");
            }
            events.push((
                e.event_type.to_owned(),
                data.into_owned(),
                e.last_event_id.to_owned(),
            ));
            ControlFlow::Continue(())
        });
        refused |= result.is_err();
    }
    parser.finish();
    (
        events,
        parser.last_event_id().to_owned(),
        parser.retry(),
        refused,
    )
}
