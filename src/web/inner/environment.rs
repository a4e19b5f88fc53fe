//! The world around the connection: the user's `AbortSignal`, the
//! browser's online/offline events, page visibility and `pageshow`.

use wasm_bindgen::JsCast;

use super::ClientInner;
use crate::web::listen::{global_property, Listener};
use crate::web::sys;

impl ClientInner {
    /// Closes the client when the user's signal aborts, as `close()` does
    /// (at once if it already has: nobody can have subscribed yet, so
    /// nothing is told).
    pub(super) fn watch_signal(&self) {
        let Some(signal) = self.options.signal.clone() else {
            return;
        };
        if signal.aborted() {
            return self.close_quietly();
        }
        let weak = self.weak.clone();
        let listener = Listener::new(&signal, "abort", move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.close();
            }
        });
        *self.signal_listener.borrow_mut() = Some(listener);
    }

    /// online/offline, visibility and pageshow, while connected.
    pub(super) fn watch_environment(&self) {
        // The global scope and `document` are event targets.
        let global: web_sys::EventTarget = js_sys::global().unchecked_into();
        let mut listeners = Vec::new();
        for (event_type, online) in [("online", true), ("offline", false)] {
            let weak = self.weak.clone();
            listeners.push(Listener::new(&global, event_type, move |_| {
                ClientInner::input_weak(&weak, |machine| machine.on_network(online, sys::now()));
            }));
        }
        if let Some(document) = global_property("document") {
            let weak = self.weak.clone();
            listeners.push(Listener::new(
                document.unchecked_ref(),
                "visibilitychange",
                move |_| {
                    ClientInner::input_weak(&weak, |machine| {
                        machine.on_visibility(sys::is_hidden(), sys::now())
                    });
                },
            ));
            let weak = self.weak.clone();
            listeners.push(Listener::new(&global, "pageshow", move |_| {
                ClientInner::input_weak(&weak, |machine| machine.on_pageshow(sys::now()));
            }));
        }
        *self.environment.borrow_mut() = listeners;
        let mut machine = self.machine.borrow_mut();
        if sys::is_offline() {
            machine.on_network(false, sys::now());
        }
        if sys::is_hidden() {
            machine.on_visibility(true, sys::now());
        }
    }
}
