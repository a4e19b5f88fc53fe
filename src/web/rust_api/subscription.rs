//! [`Subscription`]: an RAII guard for one handler or callback.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use crate::web::sys::{JsEvent, JsSubscription};

/// The Rust closure the JavaScript client calls, kept alive by the guard.
pub enum Registration {
    /// An event handler: `(value, event)`.
    Handler(#[allow(dead_code)] Closure<dyn FnMut(JsValue, JsEvent)>),
    /// A lifecycle callback: its one JavaScript argument.
    Lifecycle(#[allow(dead_code)] Closure<dyn Fn(JsValue)>),
}

/// A registered handler or callback. Dropping it unsubscribes at once (and
/// closes the connection if it was the last event handler; a later
/// subscription reconnects). It does not keep the client open: dropping
/// the [`Client`](crate::Client) closes the connection whatever guards are
/// still alive, and dropping a guard afterwards is harmless.
#[must_use = "dropping a Subscription unsubscribes at once; keep it while you want events"]
pub struct Subscription {
    /// The JavaScript registration; `None` when there was nothing to
    /// register with (a closed client).
    registration: Option<JsSubscription>,
    /// Dropped after the registration is removed, so that nothing calls
    /// the closure once it is freed. (A handler that drops its own guard
    /// is fine: wasm-bindgen frees a closure only when its call returns.)
    closure: Registration,
}

impl Subscription {
    pub(super) fn new(registration: Option<JsSubscription>, closure: Registration) -> Self {
        Self {
            registration,
            closure,
        }
    }

    /// Unsubscribes now (the same as dropping the guard).
    pub fn unsubscribe(self) {
        drop(self);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(registration) = self.registration.take() {
            registration.unsubscribe();
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.closure {
            Registration::Handler(_) => "handler",
            Registration::Lifecycle(_) => "lifecycle",
        };
        f.debug_struct("Subscription")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}
