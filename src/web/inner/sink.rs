//! The single path from a transport into the client: [`AttemptSink`]
//! checks the attempt's generation, then hands the report to the machine.
//! Also the fetch transport's hot path: a chunk goes through the parser and
//! each event into JavaScript with one call.

use std::ops::ControlFlow;
use std::rc::{Rc, Weak};

use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use super::ClientInner;
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
        // An ASCII chunk's byte offsets are its string offsets: events whose
        // data lies in it are delivered as slices of one decoded string.
        let ascii = chunk.is_ascii();
        if ascii {
            self.dispatcher.set_chunk(chunk_js);
        }
        let mut events = 0u32;
        let result = parser.feed(chunk, |event| {
            events += 1;
            self.dispatch(event, ascii, generation)
        });
        if ascii {
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
        *self.parser.borrow_mut() = Some(parser);

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
    /// one call into JS, which creates the data string and the event object.
    fn dispatch(
        &self,
        event: ParsedEvent<'_>,
        ascii_chunk: bool,
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
        if let Some(entry) = entry {
            let (list, name, id) = (&entry.list, &entry.js_name, event.last_event_id);
            let span = event.data_span.filter(|_| ascii_chunk);
            if stale {
                self.js_id_stale.set(false);
            }
            let dispatcher = &self.dispatcher;
            let delivered = match (span, stale) {
                (Some((start, end)), false) => {
                    dispatcher.deliver_span(list, name, start as u32, end as u32)
                }
                (Some((start, end)), true) => {
                    dispatcher.deliver_span_with_id(list, name, start as u32, end as u32, id)
                }
                (None, false) => dispatcher.deliver(list, name, event.data),
                (None, true) => dispatcher.deliver_with_id(list, name, event.data, id),
            };
            if !delivered {
                self.emit_error_value(&dispatcher.take_error());
            }
        } else if stale {
            self.js_id_stale.set(true);
        }
        if self.is_current(generation) {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }
}
