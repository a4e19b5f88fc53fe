//! Streaming `text/event-stream` parser (WHATWG HTML §9.2.5 parsing, §9.2.6
//! interpreting), sans-IO: bytes in, events out through a callback.
//!
//! # Usage
//!
//! ```
//! use std::ops::ControlFlow;
//! use sse_wasm::parser::Parser;
//!
//! let mut parser = Parser::new();
//! let mut seen = Vec::new();
//! for chunk in [&b"event: greet\r\ndata: hel"[..], b"lo\r", b"\nid: 7\r\n\r\n"] {
//!     parser
//!         .feed(chunk, |ev| {
//!             seen.push((ev.event_type.to_owned(), ev.data().into_owned(), ev.last_event_id.to_owned()));
//!             ControlFlow::Continue(())
//!         })
//!         .unwrap();
//! }
//! parser.finish(); // end of the response body
//! assert_eq!(seen, [("greet".to_owned(), "hello".to_owned(), "7".to_owned())]);
//! assert_eq!(parser.last_event_id(), "7");
//! ```
//!
//! # What the parser guarantees
//!
//! * **Chunking is invisible.** Feeding a stream in any split (inside a CRLF,
//!   inside a UTF-8 character, inside the leading BOM) yields exactly the
//!   same events, last event ID and retry value as feeding it at once (only
//!   which `feed` call reports a size-cap error may differ).
//! * **Decoding** is the WHATWG UTF-8 decoder: invalid bytes become U+FFFD
//!   (one per maximal invalid subpart, as [`String::from_utf8_lossy`]); one
//!   leading BOM (EF BB BF) is dropped at the start of each stream and
//!   nowhere else.
//! * **Lines** end at CRLF, LF or a lone CR. A CR that ends one chunk ends
//!   the line, and an LF that starts the next chunk is the rest of that CRLF,
//!   not an empty line. U+2028, U+0085, form feed and vertical tab are not
//!   line ends.
//! * **Fields** follow §9.2.6: an empty line dispatches; a line starting with
//!   `:` is a comment and never produces an event; `data` lines accumulate
//!   (joined with LF); `event` sets the type of the next event only; `id`
//!   values containing U+0000 are ignored, an empty `id` clears the ID;
//!   `retry` is accepted only as ASCII digits; names are case-sensitive and
//!   unknown names are ignored.
//! * **Dispatch** sets the last event ID even when no event fires (a block
//!   without `data`), then fires an event only if the data buffer is
//!   non-empty. The ID of a block only becomes the last event ID when the
//!   block's empty line arrives: [`Parser::finish`] discards an unterminated
//!   block together with its `id` and `event`.
//! * **No allocation per line or per event** once the internal buffers have
//!   grown to the size of the largest event: lines that lie within one chunk
//!   are read in place (only `data` values are copied, into the reused data
//!   buffer). The data is decoded only when asked for
//!   ([`ParsedEvent::data`]): valid UTF-8 is then borrowed, and only data
//!   with invalid bytes is copied, to replace them.
//!
//! # The size cap
//!
//! [`ParserConfig::max_event_size`] bounds memory against a hostile or broken
//! server. The measured size, checked at every line, is the event's data
//! buffer (each `data` value plus one byte for its LF) plus the raw bytes of
//! the line being read (field name included, terminator excluded). An event
//! whose size stays at or below the cap is accepted; it is refused as soon as
//! it would exceed it, even in the middle of a line. A refused event:
//!
//! * is discarded: the parser skips, storing nothing, to the empty line that
//!   ends it, so memory stays bounded even for an endless line with no
//!   newline. The skipped lines are not interpreted (an `id` or `retry` after
//!   the overflow point is lost), and the empty line that ends the skip sets
//!   the last event ID from the `id` lines seen before the overflow, as a
//!   dispatch would, but fires nothing;
//! * is reported once: the [`Parser::feed`] call that detected the overflow
//!   still processes the rest of its chunk (events after the refused one are
//!   delivered) and then returns [`ParseError::EventTooLarge`]. Later chunks
//!   of the same refused event do not report it again. Several events
//!   refused in one call give one error that counts them (`events`), so a
//!   caller can report each oversized event exactly once.
//!
//! Because comments and unknown fields are lines too, a single line longer
//! than the cap is refused in the same way even outside an event.
//!
//! Buffers keep their capacity for reuse, so the memory a parser holds is
//! bounded by a small multiple of the cap (U+FFFD replacement can make the
//! decoded text up to three times the raw bytes), never by the stream.

use alloc::borrow::Cow;
use core::ops::ControlFlow;

use crate::core::decimal::parse_u64;
use crate::prelude::*;

mod scan;
#[cfg(test)]
mod tests;
mod utf8;

use scan::find_line_end;
use utf8::{assign, decode_lossy, set_lossy};

/// Default cap on the bytes one event may buffer (data buffer plus the line
/// being read): 1 MiB.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 1 << 20;

/// One dispatched event, borrowed from the parser's buffers.
///
/// The borrow ends when the callback returns: copy what you keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedEvent<'a> {
    /// The event type: the last `event:` field, or `"message"`.
    pub event_type: &'a str,
    /// The data, undecoded: the `data:` values joined with LF, without the
    /// final LF (see [`ParsedEvent::data`]).
    raw_data: &'a [u8],
    /// The last event ID at the time of dispatch (possibly empty).
    pub last_event_id: &'a str,
    /// Where each `data:` value of this event lies, unmodified, in the
    /// chunk given to the `feed` call that dispatched it, as byte ranges
    /// `(start, end)` in order: set when every `data:` line of the event lay
    /// wholly in that chunk, `None` otherwise. `data` is these ranges joined
    /// with LF. A caller that holds the chunk as text already can slice it
    /// instead of building a new string.
    pub data_spans: Option<&'a [(usize, usize)]>,
    /// Where the value of the `id:` line that last set `last_event_id` lies
    /// in the same chunk, as a byte range: set when that line lay wholly in
    /// this chunk (possibly in an earlier block of it that fired no event),
    /// `None` otherwise.
    pub id_span: Option<(usize, usize)>,
    /// How many times the last event ID had changed when this event fired
    /// ([`Parser::id_changes`]): an event whose count differs from an
    /// earlier one's carries a different id, found without comparing
    /// strings.
    pub id_changes: u32,
}

/// Why the parser refused part of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// An event (its buffered data plus the line being read) outgrew the cap.
    ///
    /// The event was discarded; parsing went on after it and the parser is
    /// still usable (see the module docs, "The size cap").
    EventTooLarge {
        /// The configured cap, in bytes.
        limit: usize,
        /// How many events this `feed` call refused (at least 1): each
        /// oversized event is reported once, by the call that refused it.
        events: u32,
    },
}

/// Parser settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParserConfig {
    /// Cap on one event's buffered bytes; see [`DEFAULT_MAX_EVENT_SIZE`] and
    /// the module docs, "The size cap". An event exactly at the cap is
    /// accepted.
    pub max_event_size: usize,
}

impl Default for ParserConfig {
    fn default() -> Self {
        Self {
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
        }
    }
}

/// The UTF-8 byte order mark, dropped once at the start of a stream.
const BOM: &[u8; 3] = b"\xEF\xBB\xBF";
/// `bom_matched` value once the start of the stream has been decided.
const BOM_DONE: u8 = 3;

/// The streaming parser. One per client; [`Parser::reset`] between connections.
///
/// It holds the spec's per-stream state (data buffer, event type buffer,
/// last event ID buffer, an unfinished line, a pending CR, the BOM sniffer)
/// and the per-client state that outlives a connection (the last event ID
/// string and the reconnection time).
#[derive(Debug, Clone)]
pub struct Parser {
    /// [`ParserConfig::max_event_size`].
    max_event_size: usize,
    /// How many BOM bytes have been seen at the start of the stream (0..=2),
    /// or [`BOM_DONE`].
    bom_matched: u8,
    /// The previous chunk ended with a CR: an LF starting the next chunk is
    /// the second half of that CRLF.
    pending_cr: bool,
    /// Raw bytes of a line begun in an earlier chunk (not yet terminated).
    /// Empty whenever `skipping`.
    line: Vec<u8>,
    /// The spec's data buffer, raw: each `data` value followed by LF. Decoded
    /// at dispatch (equivalent to decoding each line: LF is ASCII).
    data: Vec<u8>,
    /// The event's only data line so far, while it lies in the chunk being
    /// fed: not copied into `data` (which is empty meanwhile) unless
    /// another data line follows or the chunk ends first.
    data_in_chunk: Option<(usize, usize)>,
    /// The event type buffer, decoded.
    event_type: String,
    /// The last event ID buffer, decoded.
    id_buffer: String,
    /// `id_buffer` was set by an `id` line since the last dispatch (so it
    /// may differ from `last_event_id`). Saves a string compare per event.
    id_pending: bool,
    /// The last event ID string, set from `id_buffer` at each dispatch.
    last_event_id: String,
    /// How many times `last_event_id` changed (wrapping).
    id_changes: u32,
    /// The last valid `retry` value.
    retry: Option<u64>,
    /// An oversized event is being discarded up to its empty line.
    skipping: bool,
    /// While `skipping`: the current line already has bytes (so its
    /// terminator does not end the event).
    skip_line_started: bool,
    /// Counts `feed` calls, so a span recorded in one chunk is never
    /// reported against another.
    chunk_number: u64,
    /// Address range of the chunk being fed (for the spans of
    /// [`ParsedEvent`]).
    chunk_addresses: (usize, usize),
    /// Where the `data` values of the current event lie in chunk number
    /// `data_spans_chunk`; meaningful only while `data_spans_valid`.
    data_spans: Vec<(usize, usize)>,
    /// The chunk `data_spans` point into.
    data_spans_chunk: u64,
    /// Every `data` line of the current event so far lay wholly in chunk
    /// `data_spans_chunk`.
    data_spans_valid: bool,
    /// Where the value of the current block's `id` line lies, as
    /// `(start, end, chunk_number)`, if it lay wholly in a chunk.
    id_buffer_span: Option<(usize, usize, u64)>,
    /// The same for `last_event_id`: the span `id_buffer_span` had when it
    /// was last committed.
    last_event_id_span: Option<(usize, usize, u64)>,
}

impl Parser {
    /// A parser with the default config and an empty last event ID.
    pub fn new() -> Self {
        Self::with_config(ParserConfig::default())
    }

    /// A parser with the given config.
    pub fn with_config(config: ParserConfig) -> Self {
        Self {
            max_event_size: config.max_event_size,
            bom_matched: 0,
            pending_cr: false,
            line: Vec::new(),
            data: Vec::new(),
            data_in_chunk: None,
            event_type: String::new(),
            id_buffer: String::new(),
            id_pending: false,
            last_event_id: String::new(),
            id_changes: 0,
            retry: None,
            skipping: false,
            skip_line_started: false,
            chunk_number: 0,
            chunk_addresses: (0, 0),
            data_spans: Vec::new(),
            data_spans_chunk: 0,
            data_spans_valid: false,
            id_buffer_span: None,
            last_event_id_span: None,
        }
    }

    /// Seeds the last event ID (to resume from a known id).
    ///
    /// Meant for before the first [`feed`](Self::feed) or between
    /// connections: it also replaces the `id` of a block being read. The
    /// value is taken as is (it is not checked for U+0000).
    pub fn set_last_event_id(&mut self, id: &str) {
        self.id_changes = self.id_changes.wrapping_add(1);
        assign(&mut self.last_event_id, id);
        assign(&mut self.id_buffer, id);
        self.id_pending = false;
        self.id_buffer_span = None;
        self.last_event_id_span = None;
    }

    /// Feeds one chunk of the response body. See the module docs.
    ///
    /// Calls `on_event` for each event completed by this chunk, in order.
    /// If `on_event` returns [`ControlFlow::Break`], the rest of the chunk
    /// is dropped unparsed and `feed` returns `Ok(())` at once (even if an
    /// oversized event was refused earlier in this chunk: the caller has
    /// stopped listening); call [`reset`](Self::reset) before feeding the
    /// parser again.
    ///
    /// # Errors
    ///
    /// [`ParseError::EventTooLarge`] if this chunk made an event exceed
    /// [`ParserConfig::max_event_size`]. The whole chunk has still been
    /// parsed: the events around the refused one were delivered, and the
    /// parser keeps going with the next chunk.
    pub fn feed<F>(&mut self, chunk: &[u8], mut on_event: F) -> Result<(), ParseError>
    where
        F: FnMut(ParsedEvent<'_>) -> ControlFlow<()>,
    {
        self.chunk_number = self.chunk_number.wrapping_add(1);
        let start = chunk.as_ptr() as usize;
        self.chunk_addresses = (start, start + chunk.len());
        let Some((replay, body)) = self.take_bom(chunk) else {
            return Ok(());
        };
        let mut refused = 0;
        if !replay.is_empty()
            && self
                .process(chunk, replay, &mut on_event, &mut refused)
                .is_break()
        {
            return Ok(());
        }
        if self
            .process(chunk, body, &mut on_event, &mut refused)
            .is_break()
        {
            return Ok(());
        }
        // The chunk is going: an event still open keeps its data.
        self.copy_data_in_chunk(chunk);
        if refused > 0 {
            Err(ParseError::EventTooLarge {
                limit: self.max_event_size,
                events: refused,
            })
        } else {
            Ok(())
        }
    }

    /// The body ended: discard an unterminated event, its `id` included.
    ///
    /// The partial line, the data and event type buffers and an `id` not yet
    /// dispatched are dropped (§9.2.6: "any pending data must be
    /// discarded"); the last event ID and the retry value stay. The parser is
    /// then ready for the next stream, exactly as after
    /// [`reset`](Self::reset).
    pub fn finish(&mut self) {
        self.reset();
    }

    /// Prepares for a new connection; keeps the last event ID and retry.
    ///
    /// Clears the data buffer, the event type, any partial line, pending CR,
    /// UTF-8 state and skip state, re-arms the BOM sniffer, and sets the last
    /// event ID buffer back to the last event ID (so events of the next
    /// connection carry it until a new `id` arrives). Buffers keep their
    /// capacity for reuse.
    pub fn reset(&mut self) {
        self.bom_matched = 0;
        self.pending_cr = false;
        self.line.clear();
        self.data.clear();
        self.data_in_chunk = None;
        self.data_spans_valid = false;
        self.event_type.clear();
        if self.id_pending {
            self.id_pending = false;
            assign(&mut self.id_buffer, &self.last_event_id);
            self.id_buffer_span = self.last_event_id_span;
        }
        self.skipping = false;
        self.skip_line_started = false;
    }

    /// The current last event ID (the spec's "last event ID string").
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// How many times the last event ID has changed, wrapping: by
    /// [`set_last_event_id`](Self::set_last_event_id), or at a dispatch
    /// that set a different value. Equal counts mean an unchanged id.
    pub fn id_changes(&self) -> u32 {
        self.id_changes
    }

    /// The last valid `retry:` value in milliseconds (saturating), if any.
    ///
    /// This is the raw value from the stream: the caller applies its own
    /// floor and clamp before using it as a delay.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// Strips the leading BOM, which may arrive split over several chunks.
    /// Returns `None` while the chunk is still a prefix of the BOM (all of it
    /// consumed), else the bytes to parse: `replay`, earlier-chunk bytes that
    /// turned out not to be a BOM, then `body`.
    fn take_bom<'c>(&mut self, chunk: &'c [u8]) -> Option<(&'static [u8], &'c [u8])> {
        let matched = usize::from(self.bom_matched);
        if matched >= BOM.len() {
            return Some((&[], chunk));
        }
        let rest_of_bom = &BOM[matched..];
        let n = rest_of_bom.len().min(chunk.len());
        if chunk[..n] == rest_of_bom[..n] {
            if n == rest_of_bom.len() {
                self.bom_matched = BOM_DONE;
                return Some((&[], &chunk[n..]));
            }
            // `n < 3` here, so the cast is lossless.
            self.bom_matched += n as u8;
            return None;
        }
        self.bom_matched = BOM_DONE;
        Some((&BOM[..matched], chunk))
    }

    /// Splits `rest`, a part of `chunk` (or the replayed BOM bytes), into
    /// lines and interprets them.
    fn process<F>(
        &mut self,
        chunk: &[u8],
        mut rest: &[u8],
        on_event: &mut F,
        refused: &mut u32,
    ) -> ControlFlow<()>
    where
        F: FnMut(ParsedEvent<'_>) -> ControlFlow<()>,
    {
        if self.pending_cr && !rest.is_empty() {
            self.pending_cr = false;
            if rest[0] == b'\n' {
                rest = &rest[1..];
            }
        }
        while let Some(pos) = find_line_end(rest) {
            let mut next = pos + 1;
            if rest[pos] == b'\r' {
                match rest.get(next) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    // The LF, if any, is in the next chunk.
                    None => self.pending_cr = true,
                }
            }
            let flow = self.end_line(chunk, &rest[..pos], on_event, refused);
            // Always there (`next <= rest.len()`), but the compiler cannot
            // see it: `get` spares the module a panic path for slicing.
            let Some(after) = rest.get(next..) else {
                break;
            };
            rest = after;
            flow?;
        }
        self.keep_partial_line(rest, refused);
        ControlFlow::Continue(())
    }

    /// A line terminator was found; `tail` is the part of the line in the
    /// current chunk (the line may have begun in an earlier one).
    fn end_line<F>(
        &mut self,
        chunk: &[u8],
        tail: &[u8],
        on_event: &mut F,
        refused: &mut u32,
    ) -> ControlFlow<()>
    where
        F: FnMut(ParsedEvent<'_>) -> ControlFlow<()>,
    {
        // Usually the whole line lies in this chunk and is read in place;
        // else it is the end of the line begun in `self.line`, or of one
        // being skipped. One call site: `interpret` is inlined.
        let mut assembled = None;
        if self.skipping || !self.line.is_empty() {
            if !self.join_line(tail, refused) {
                return ControlFlow::Continue(());
            }
            assembled = Some(core::mem::take(&mut self.line));
        }
        let flow = self.interpret(
            chunk,
            assembled.as_deref().unwrap_or(tail),
            on_event,
            refused,
        );
        if let Some(mut line) = assembled {
            line.clear();
            self.line = line;
        }
        flow
    }

    /// The end of a line that does not lie wholly in the chunk (`tail`, its
    /// part in the chunk, completes `self.line`) or that is being skipped.
    /// Returns whether the line, now whole in `self.line`, is to be
    /// interpreted (false: it is skipped). The rare paths, out of the
    /// per-line loop.
    ///
    /// The empty line that ends a refused event ends the skip and is
    /// interpreted like any other: its dispatch sets the last event ID and
    /// fires nothing, as `start_skip` emptied the data buffer (and the type)
    /// and nothing fills them while skipping.
    #[cold]
    #[inline(never)]
    fn join_line(&mut self, tail: &[u8], refused: &mut u32) -> bool {
        if self.skipping {
            let empty = tail.is_empty() && !self.skip_line_started;
            self.skip_line_started = false;
            self.skipping = !empty;
            return empty;
        }
        if self.exceeds_cap(self.line.len() + tail.len()) {
            self.start_skip(refused);
            self.skip_line_started = false; // the line has ended
            return false;
        }
        append_within(&mut self.line, tail, false, self.max_event_size);
        true
    }

    /// Stores the unterminated end of a chunk until the next chunk.
    fn keep_partial_line(&mut self, bytes: &[u8], refused: &mut u32) {
        if bytes.is_empty() {
            return;
        }
        if self.skipping {
            self.skip_line_started = true;
            return;
        }
        if self.exceeds_cap(self.line.len() + bytes.len()) {
            // Mid-line overflow: skip stays on the current line
            // (`skip_line_started`), so its terminator does not end the event.
            self.start_skip(refused);
            return;
        }
        append_within(&mut self.line, bytes, false, self.max_event_size);
    }

    /// Whether a line of `line_len` bytes on top of the data buffer would
    /// exceed the cap.
    #[inline]
    fn exceeds_cap(&self, line_len: usize) -> bool {
        self.data_len().saturating_add(line_len) > self.max_event_size
    }

    /// Bytes in the spec's data buffer: `data`, plus the data line still
    /// in the chunk (and its LF).
    #[inline]
    fn data_len(&self) -> usize {
        self.data.len() + self.data_in_chunk.map_or(0, |(start, end)| end - start + 1)
    }

    /// Copies the data line left in `chunk` into `data`: another data line
    /// follows, or the chunk is going.
    fn copy_data_in_chunk(&mut self, chunk: &[u8]) {
        if let Some(span) = self.data_in_chunk.take() {
            let value = in_chunk(chunk, span);
            append_within(&mut self.data, value, true, self.max_event_size);
        }
    }

    /// Interprets one complete line (§9.2.6), without its terminator.
    #[inline(always)]
    fn interpret<F>(
        &mut self,
        chunk: &[u8],
        line: &[u8],
        on_event: &mut F,
        refused: &mut u32,
    ) -> ControlFlow<()>
    where
        F: FnMut(ParsedEvent<'_>) -> ControlFlow<()>,
    {
        if self.exceeds_cap(line.len()) {
            self.start_skip(refused);
            self.skip_line_started = false; // the line has ended
            return ControlFlow::Continue(());
        }
        let Some(&first) = line.first() else {
            return self.dispatch(chunk, on_event);
        };
        if first == b':' {
            // Comment: keeps the connection alive, never an event.
            return ControlFlow::Continue(());
        }
        // Most lines are `data: …`: recognised without scanning for the colon.
        let (name, value) = match line {
            [b'd', b'a', b't', b'a', b':', b' ', ..] => (&line[..4], &line[6..]),
            _ => split_field(line),
        };
        match name {
            b"data" => {
                // `value.len() + 1 <= line.len()`, so the cap check above
                // bounds the data buffer too.
                let first = self.data_len() == 0;
                let span = self.record_data_span(value, first);
                if let (true, Some(span)) = (first, span) {
                    // Not copied: dispatched from the chunk if the event
                    // ends in it (the common case, one line in one chunk).
                    self.data_in_chunk = Some(span);
                } else {
                    self.copy_data_in_chunk(chunk);
                    append_within(&mut self.data, value, true, self.max_event_size);
                }
            }
            b"event" => {
                set_lossy(&mut self.event_type, value);
            }
            // U+0000 is only ever encoded as the byte 0x00, and decoding
            // never produces it from other bytes: an id with a NUL byte is
            // ignored (falls through to `_`).
            b"id" if !has_nul(value) => {
                set_lossy(&mut self.id_buffer, value);
                self.id_pending = true;
                self.id_buffer_span = self
                    .span_in_chunk(value)
                    .map(|(start, end)| (start, end, self.chunk_number));
            }
            b"retry" => {
                if let Some(ms) = parse_u64(value) {
                    self.retry = Some(ms);
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    /// The empty line: "dispatch the event" (§9.2.6).
    fn dispatch<F>(&mut self, chunk: &[u8], on_event: &mut F) -> ControlFlow<()>
    where
        F: FnMut(ParsedEvent<'_>) -> ControlFlow<()>,
    {
        self.commit_last_event_id();
        let raw = match (self.data_in_chunk.take(), self.data.split_last()) {
            (Some(span), _) => in_chunk(chunk, span),
            (None, Some((&b'\n', raw))) => raw,
            (None, _) => {
                // No data: nothing fires, and the type does not leak into
                // the next event.
                self.event_type.clear();
                return ControlFlow::Continue(());
            }
        };
        let event_type = if self.event_type.is_empty() {
            "message"
        } else {
            self.event_type.as_str()
        };
        let chunk_number = self.chunk_number;
        let in_this_chunk =
            |span: (usize, usize, u64)| (span.2 == chunk_number).then_some((span.0, span.1));
        let data_spans = (self.data_spans_valid && self.data_spans_chunk == chunk_number)
            .then_some(self.data_spans.as_slice());
        self.data_spans_valid = false;
        let flow = on_event(ParsedEvent {
            event_type,
            raw_data: raw,
            last_event_id: &self.last_event_id,
            data_spans,
            id_span: self.last_event_id_span.and_then(in_this_chunk),
            id_changes: self.id_changes,
        });
        self.data.clear();
        self.data_in_chunk = None;
        self.event_type.clear();
        flow
    }

    /// Notes where a `data` value lies, for [`ParsedEvent::data_spans`]
    /// (`first`: the event's first data line). Returns its byte range if
    /// it lies in the chunk being fed.
    #[inline(always)]
    fn record_data_span(&mut self, value: &[u8], first: bool) -> Option<(usize, usize)> {
        let span = self.span_in_chunk(value);
        if first {
            self.data_spans.clear();
            self.data_spans_chunk = self.chunk_number;
            self.data_spans_valid = true;
        } else if !self.data_spans_valid || self.data_spans_chunk != self.chunk_number {
            self.data_spans_valid = false;
            return span;
        }
        match span {
            Some(span) => self.data_spans.push(span),
            None => self.data_spans_valid = false,
        }
        span
    }

    /// The byte range of `value` within the chunk being fed, if it lies
    /// there (a line assembled across chunks lives in `self.line` instead).
    #[inline]
    fn span_in_chunk(&self, value: &[u8]) -> Option<(usize, usize)> {
        let address = value.as_ptr() as usize;
        let (start, end) = self.chunk_addresses;
        (address >= start && address + value.len() <= end)
            .then(|| (address - start, address - start + value.len()))
    }

    /// Sets the last event ID string from its buffer.
    #[inline]
    fn commit_last_event_id(&mut self) {
        if self.id_pending {
            self.commit_id_buffer();
        }
    }

    /// The work of [`commit_last_event_id`](Self::commit_last_event_id)
    /// once an `id` line has set the buffer. A function of its own: inlined
    /// into the per-line loop, it made the native build of that loop slower
    /// (multi-line events by about 15%); the wasm is the same either way, as
    /// wasm-opt inlines a function with one caller.
    #[inline(never)]
    fn commit_id_buffer(&mut self) {
        self.id_pending = false;
        if self.last_event_id != self.id_buffer {
            self.id_changes = self.id_changes.wrapping_add(1);
            assign(&mut self.last_event_id, &self.id_buffer);
        }
        self.last_event_id_span = self.id_buffer_span;
    }

    /// The current event outgrew the cap: drop it and skip to its end.
    #[cold]
    fn start_skip(&mut self, refused: &mut u32) {
        *refused += 1;
        self.skipping = true;
        self.skip_line_started = true;
        self.line.clear();
        self.data.clear();
        self.data_in_chunk = None;
        self.event_type.clear();
    }

    /// Bytes held by the parser's buffers (their capacities), for tests that
    /// check memory stays bounded.
    #[cfg(test)]
    pub(crate) fn retained_bytes(&self) -> usize {
        self.line.capacity()
            + self.data.capacity()
            + self.event_type.capacity()
            + self.id_buffer.capacity()
            + self.last_event_id.capacity()
    }
}

impl<'a> ParsedEvent<'a> {
    /// The data: the `data:` lines joined with LF, without the final LF,
    /// decoded as UTF-8 with each invalid sequence replaced by U+FFFD.
    /// Borrowed unless there was something to replace.
    pub fn data(&self) -> Cow<'a, str> {
        decode_lossy(self.raw_data)
    }
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

/// The bytes of `chunk` at `span`, a range [`Parser::span_in_chunk`] found
/// there (so always in range: `get` only spares the module a panic path).
#[inline]
fn in_chunk(chunk: &[u8], (start, end): (usize, usize)) -> &[u8] {
    chunk.get(start..end).unwrap_or_default()
}

/// Splits a line into its field name and value (§9.2.6): at the first
/// colon, one space after it dropped; a line without a colon is all name.
fn split_field(line: &[u8]) -> (&[u8], &[u8]) {
    match line.iter().position(|&b| b == b':') {
        Some(colon) => {
            let value = &line[colon + 1..];
            (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
        }
        // The empty value at the end of the line (not `&[]`), so its span
        // lies in the chunk like any other.
        None => (line, &line[line.len()..]),
    }
}

/// Whether `value` holds a NUL byte. A plain loop: ids are short, and
/// `contains` would inline a call to memchr and its prologue.
#[allow(clippy::manual_contains)]
fn has_nul(value: &[u8]) -> bool {
    value.iter().any(|&byte| byte == 0)
}

/// Appends `bytes` to `buf`, then an LF if `newline`. The buffer grows
/// geometrically, as `Vec` does, but never past `limit` (unless the content
/// itself needs more): a buffer guarded by the size cap never holds more
/// than the cap. Out of line: one copy serves every buffer and call site.
#[inline(never)]
fn append_within(buf: &mut Vec<u8>, bytes: &[u8], newline: bool, limit: usize) {
    let needed = buf.len() + bytes.len() + usize::from(newline);
    if needed > buf.capacity() {
        let target = needed
            .max(buf.capacity().saturating_mul(2))
            .max(64)
            .min(limit.max(needed));
        buf.reserve_exact(target - buf.len());
    }
    buf.extend_from_slice(bytes);
    // Not `push`, whose growth path would be one more copy of the
    // allocation code.
    buf.extend(newline.then_some(b'\n'));
}
