//! The native `EventSource` transport.
//!
//! The browser parses the stream, and the per-event path stays in
//! JavaScript (`NativeSource` in `runtime.js`): one listener per subscribed
//! type hands each `MessageEvent` to the client's dispatcher, so an event
//! never crosses into wasm. Only lifecycle changes reach the [`Sink`]:
//!
//! * `open`: the connection opened, the first time or after the browser
//!   reconnected by itself;
//! * `error` with `readyState` CONNECTING: the connection was lost (network
//!   error or clean end) and the browser reconnects by itself, sending
//!   `Last-Event-ID` and honouring the server's `retry:`
//!   ([`Sink::reconnecting`]);
//! * `error` with `readyState` CLOSED: the response was refused (a status
//!   other than 200, 204 included, or a wrong content type; the browser does
//!   not say which) and the browser gave up for good ([`Sink::failed`]): the
//!   shell's bounded policy reopens a new EventSource, which can send the
//!   last event ID only as a query parameter (`lastEventIdParam`).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::{Activity, Request, Sink};
use crate::error::Error;
use crate::web::options::from_js::js_message;
use crate::web::sys::{Dispatcher, NativeSource};

/// A live native EventSource; dropping it closes it and removes every
/// listener, after which no event is delivered.
pub struct EventSourceAttempt {
    source: NativeSource,
    _report: Closure<dyn FnMut(u32, JsValue) -> bool>,
}

/// What `NativeSource` reports (the constants of runtime.js).
const OPENED: u32 = 0;
const LOST: u32 = 1;
const REFUSED: u32 = 2;
const DATA_ERROR: u32 = 3;

impl EventSourceAttempt {
    /// Opens an EventSource for `request`, delivering events to
    /// `dispatcher` and reporting to `sink`. `track_activity` keeps each
    /// event's time for an idle watchdog.
    pub fn start(
        request: &Request,
        dispatcher: &Dispatcher,
        track_activity: bool,
        sink: impl Sink,
    ) -> Result<Self, Error> {
        // The signature of the fetch transport's callback: one closure
        // type, one set of wasm-bindgen shims.
        let report = Closure::<dyn FnMut(u32, JsValue) -> bool>::new(
            move |kind: u32, value: JsValue| {
                match kind {
                    OPENED => sink.opened(),
                    DATA_ERROR => sink.data_error(value),
                    _ => {
                        if value.is_truthy() {
                            sink.progressed();
                        }
                        if kind == LOST {
                            sink.reconnecting(Error::Network {
                                message: "the EventSource connection was lost; the browser reconnects"
                                    .into(),
                            });
                        } else {
                            debug_assert_eq!(kind, REFUSED);
                            sink.failed(Error::Network {
                                message: "the EventSource was refused (a status other than 200, or not text/event-stream: the browser does not say which)".into(),
                            });
                        }
                    }
                }
                true
            },
        );
        let source = NativeSource::new(
            &request.resume_url(),
            request.with_credentials,
            track_activity,
            dispatcher,
            report.as_ref().unchecked_ref(),
        )
        .map_err(|e| Error::Network {
            message: js_message(&e),
        })?;
        for event_type in &request.event_types {
            source.listen(event_type);
        }
        Ok(Self {
            source,
            _report: report,
        })
    }

    /// Starts delivering events of `event_type` (one listener per type).
    pub fn listen(&self, event_type: &str) {
        self.source.listen(event_type);
    }

    /// Stops delivering events of `event_type`.
    pub fn unlisten(&self, event_type: &str) {
        self.source.unlisten(event_type);
    }

    /// When the last event arrived, and whether any did since the
    /// connection (re)opened.
    pub fn activity(&self) -> Activity {
        Activity {
            last_ms: self.source.last_activity(),
            delivered: self.source.delivered(),
        }
    }
}

impl Drop for EventSourceAttempt {
    fn drop(&mut self) {
        // Before the callback is freed: nothing may call it afterwards.
        self.source.close();
    }
}
