//! The native `EventSource` transport.
//!
//! The browser parses the stream; we listen for each subscribed event type
//! and hand the `MessageEvent`'s strings to the same dispatcher the fetch
//! transport uses, so handlers cannot tell the transports apart.
//!
//! The browser's own reconnection is invisible and unbounded (and gives up
//! for good on a bad status), so we take it over: on the first `error` the
//! object is closed and the failure goes to our retry policy, which opens a
//! new `EventSource` when it decides to. A new object cannot send
//! `Last-Event-ID`; with `lastEventIdParam` the id travels in the URL.

use std::rc::Weak;

use wasm_bindgen::JsCast;
use web_sys::{EventSource, EventSourceInit, MessageEvent};

use super::listen::Listener;
use super::options::js_message;
use super::shared::Shared;
use crate::core::connection::State;
use crate::core::url::with_query_param;
use crate::error::Error;

/// A live native EventSource; dropping it closes it and removes every
/// listener.
pub struct NativeAttempt {
    source: EventSource,
    generation: u32,
    listeners: Vec<Listener>,
}

impl NativeAttempt {
    /// Opens an EventSource for attempt `generation` and listens to every
    /// subscribed type.
    pub fn start(shared: &Shared, generation: u32) -> Result<Self, Error> {
        let last_event_id = shared.last_event_id();
        let url = match &shared.options.last_event_id_param {
            Some(param) if !last_event_id.is_empty() => {
                with_query_param(&shared.url, param, &last_event_id)
            }
            _ => shared.url.clone(),
        };
        let init = EventSourceInit::new();
        init.set_with_credentials(shared.options.with_credentials);
        let source = EventSource::new_with_event_source_init_dict(&url, &init).map_err(|e| {
            Error::Network {
                message: js_message(&e),
            }
        })?;
        let weak = shared.weak();
        let mut attempt = Self {
            source,
            generation,
            listeners: Vec::new(),
        };

        let on_open = weak.clone();
        attempt
            .listeners
            .push(Listener::new(attempt.source.as_ref(), "open", move |_| {
                if let Some(shared) = Shared::upgrade(&on_open, generation) {
                    shared.on_open();
                }
            }));
        let on_error = weak.clone();
        attempt.listeners.push(Listener::new(attempt.source.as_ref(), "error", move |_| {
            if let Some(shared) = Shared::upgrade(&on_error, generation) {
                // For the current attempt, `Open` means its `open` fired.
                let error = if shared.state() == State::Open {
                    Error::Network { message: "the EventSource connection was lost".into() }
                } else {
                    Error::Network {
                        message: "the EventSource could not connect (network error, bad status or content type: the browser does not say which)".into(),
                    }
                };
                shared.on_failure(error);
            }
        }));
        let types: Vec<String> = shared
            .registry
            .borrow()
            .types()
            .map(|entry| entry.name.clone())
            .collect();
        for event_type in types {
            attempt.listen(weak.clone(), &event_type);
        }
        Ok(attempt)
    }

    /// Starts delivering events of `event_type`.
    pub fn listen(&mut self, weak: Weak<Shared>, event_type: &str) {
        let generation = self.generation;
        let name = event_type.to_owned();
        self.listeners.push(Listener::new(
            self.source.as_ref(),
            event_type,
            move |event| {
                if let (Some(shared), Ok(message)) = (
                    Shared::upgrade(&weak, generation),
                    event.dyn_into::<MessageEvent>(),
                ) {
                    shared.dispatch_native(&name, &message, generation);
                }
            },
        ));
    }
}

impl Drop for NativeAttempt {
    fn drop(&mut self) {
        self.source.close();
    }
}
