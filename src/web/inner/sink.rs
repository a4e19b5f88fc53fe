//! The single path from a transport into the client: [`AttemptSink`]
//! checks the attempt's generation, then hands the report to the machine.
//! Also the fetch transport's hot path: a chunk goes through the parser and
//! each event into JavaScript with one call.

use std::ops::ControlFlow;
use std::rc::{Rc, Weak};

use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use super::ClientInner;
use crate::core::connection::State;
use crate::core::utf16::ChunkText;
use crate::error::Error;
use crate::parser::{ParseError, ParsedEvent};
use crate::web::sys;
use crate::web::transport::Sink;

/// What a transport reports to: the client behind a `Weak`, and the
/// generation of the attempt it was made for.
pub struct AttemptSink {
    inner: Weak<ClientInner>,
    generation: u32,
}

impl AttemptSink {
    /// The sink of attempt `generation`.
    pub fn new(inner: Weak<ClientInner>, generation: u32) -> Self {
        Self { inner, generation }
    }

    /// The client, while this attempt is its current one.
    pub fn current(&self) -> Option<Rc<ClientInner>> {
        self.inner
            .upgrade()
            .filter(|inner| inner.is_current(self.generation))
    }
}

impl Sink for AttemptSink {
    fn is_current(&self) -> bool {
        self.current().is_some()
    }

    fn opened(&self) {
        if let Some(inner) = self.current() {
            if let Some(parser) = inner.parser.borrow_mut().as_mut() {
                parser.reset();
            }
            inner.input(|machine| machine.on_open(sys::now()));
        }
    }

    fn chunk(&self, chunk: &Uint8Array, bytes: &[u8]) -> bool {
        self.current()
            .is_some_and(|inner| inner.on_chunk(chunk, bytes, self.generation))
    }

    fn ended(&self) {
        if let Some(inner) = self.current() {
            // An unterminated event is discarded, its id included.
            if let Some(parser) = inner.parser.borrow_mut().as_mut() {
                parser.finish();
            }
            inner.on_failure(Error::StreamEnded);
        }
    }

    fn failed(&self, error: Error) {
        if let Some(inner) = self.current() {
            inner.on_failure(error);
        }
    }

    fn reconnecting(&self, error: Error) {
        if let Some(inner) = self.current() {
            inner.input(|machine| {
                machine.on_transport_reconnecting(error, sys::now(), js_sys::Math::random())
            });
        }
    }

    fn progressed(&self) {
        if let Some(inner) = self.current() {
            inner.machine.borrow_mut().on_progress();
        }
    }

    fn data_error(&self, error: JsValue) {
        if let Some(inner) = self.current() {
            inner.emit_error_value(&error);
        }
    }
}

impl ClientInner {
    /// Whether `generation` is the attempt in flight.
    fn is_current(&self, generation: u32) -> bool {
        self.generation.get() == generation
    }

    /// Feeds one chunk of the body of attempt `generation` to the parser
    /// and dispatches its events. Returns false once the attempt is over
    /// (closed or superseded, possibly by a handler): stop reading then.
    fn on_chunk(&self, chunk_js: &Uint8Array, chunk: &[u8], generation: u32) -> bool {
        if self.options.idle_timeout_ms.is_some() {
            self.machine.borrow_mut().on_activity(sys::now());
        }
        let Some(mut parser) = self.parser.borrow_mut().take() else {
            return false;
        };
        // JavaScript decodes the chunk once, when an event first needs it;
        // events' data and ids arrive there as offsets into that text.
        let mut text = ChunkText::new(chunk);
        if let Some(text) = &text {
            let (start, end) = text.region;
            self.dispatcher
                .set_chunk(chunk_js, start as u32, end as u32);
        }
        let mut line_offsets = self.line_offsets.take();
        let mut events = 0u32;
        let result = parser.feed(chunk, |event| {
            events += 1;
            self.dispatch(event, text.as_mut(), &mut line_offsets, generation)
        });
        if text.is_some() {
            self.dispatcher.clear_chunk();
        }
        if *self.last_event_id.borrow() != parser.last_event_id() {
            // A dispatch with empty data still sets the last event ID.
            let mut id = self.last_event_id.borrow_mut();
            id.clear();
            id.push_str(parser.last_event_id());
            self.js_id_stale.set(true);
        }
        let retry = parser.retry();
        if self.state() != State::Closed {
            // A handler may have closed the client, which freed the rest.
            *self.parser.borrow_mut() = Some(parser);
            self.line_offsets.set(line_offsets);
        }

        if !self.is_current(generation) {
            return false;
        }
        if events > 0 && !self.progressed.replace(true) {
            self.machine.borrow_mut().on_progress();
        }
        if retry.is_some() && retry != self.server_retry.get() {
            self.server_retry.set(retry);
            self.machine
                .borrow_mut()
                .on_server_retry(retry.unwrap_or_default());
        }
        if let Err(ParseError::EventTooLarge { limit, events }) = result {
            // One error per refused event, even when one read held several.
            // An `error` callback may close the client: the machine then
            // drops the rest.
            for _ in 0..events {
                self.input(|machine| machine.on_data_error(Error::EventTooLarge { limit }));
            }
        }
        self.is_current(generation)
    }

    /// Hands one parsed event to the handlers of its type. The hot path:
    /// one call into JavaScript, with numbers only when the event's data and
    /// new id lie in the chunk's `text` (strings cross only for an event
    /// that straddles chunks or a chunk that is not valid UTF-8).
    fn dispatch(
        &self,
        event: ParsedEvent<'_>,
        mut text: Option<&mut ChunkText<'_>>,
        line_offsets: &mut Vec<u32>,
        generation: u32,
    ) -> ControlFlow<()> {
        let id_changed = {
            let mut id = self.last_event_id.borrow_mut();
            if *id != event.last_event_id {
                id.clear();
                id.push_str(event.last_event_id);
                true
            } else {
                false
            }
        };
        let stale = id_changed || self.js_id_stale.get();
        let entry = self.registry.borrow().entry(event.event_type);
        let Some(entry) = entry else {
            // Nobody listens: the JavaScript side learns the id later.
            self.js_id_stale.set(stale);
            return self.continue_if_current(generation);
        };
        self.js_id_stale.set(false);
        let (dispatcher, list, name) = (&self.dispatcher, &entry.list, &entry.js_name);
        let mut offsets = |span| text.as_mut().and_then(|text| text.offsets(span));
        let new_id = if stale {
            let span = event.id_span.and_then(&mut offsets);
            if span.is_none() {
                dispatcher.set_last_event_id(event.last_event_id);
            }
            span
        } else {
            None
        };
        let data = match event.data_spans {
            Some(&[span]) => offsets(span).map(DataText::Line),
            Some(spans) => {
                line_offsets.clear();
                spans
                    .iter()
                    .try_for_each(|&span| {
                        let (start, end) = offsets(span)?;
                        line_offsets.extend([start, end]);
                        Some(())
                    })
                    .map(|()| DataText::Lines)
            }
            None => None,
        };
        let delivered = match (data, new_id) {
            (Some(DataText::Line((start, end))), None) => {
                dispatcher.deliver_span(list, name, start, end)
            }
            (Some(DataText::Line((start, end))), Some((id_start, id_end))) => {
                dispatcher.deliver_span_with_id(list, name, start, end, id_start, id_end)
            }
            (Some(DataText::Lines), id) => {
                let (id_start, id_end) =
                    id.map_or((-1, -1), |(start, end)| (start as i32, end as i32));
                // Word index of the offsets in wasm memory (4-byte aligned).
                let index = line_offsets.as_ptr() as u32 / 4;
                let count = line_offsets.len() as u32 / 2;
                dispatcher.deliver_lines(list, name, index, count, id_start, id_end)
            }
            (None, id) => {
                if let Some((id_start, id_end)) = id {
                    dispatcher.set_id_span(id_start, id_end);
                }
                dispatcher.deliver(list, name, &event.data())
            }
        };
        if !delivered {
            self.emit_error_value(&dispatcher.take_error());
        }
        self.continue_if_current(generation)
    }

    /// Go on parsing while attempt `generation` is current (a handler may
    /// have closed the client or started a new attempt).
    fn continue_if_current(&self, generation: u32) -> ControlFlow<()> {
        if self.is_current(generation) {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }
}

/// Where an event's data lies in the chunk's text.
enum DataText {
    /// One line, at these UTF-16 offsets.
    Line((u32, u32)),
    /// Several, their offsets in the scratch buffer.
    Lines,
}
