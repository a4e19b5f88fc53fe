//! RAII DOM event listeners: adding returns a guard, dropping the guard
//! removes the listener and frees the closure. No `Closure::forget`.

use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, EventTarget};

/// A listener that stays registered while this value lives.
#[must_use = "dropping the guard removes the listener at once"]
pub struct Listener {
    target: EventTarget,
    event_type: String,
    closure: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Adds `handler` for `event_type` on `target`.
    pub fn new(
        target: &EventTarget,
        event_type: &str,
        handler: impl FnMut(Event) + 'static,
    ) -> Self {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        // addEventListener throws only for a non-callable listener.
        let _ =
            target.add_event_listener_with_callback(event_type, closure.as_ref().unchecked_ref());
        Self {
            target: target.clone(),
            event_type: event_type.to_owned(),
            closure,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            &self.event_type,
            self.closure.as_ref().unchecked_ref(),
        );
    }
}

/// A property of the global scope (`document`, `location`), if it exists.
pub fn global_property(name: &str) -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}
