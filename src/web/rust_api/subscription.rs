//! [`Subscription`]: an RAII guard for one handler or callback.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use crate::web::client::Subscription as Registration;

/// The Rust closure behind the JS function the client calls.
enum Callback {
    /// An event handler: `(data, event)`.
    Handler(#[allow(dead_code)] Closure<dyn FnMut(JsValue, JsValue)>),
    /// A lifecycle callback: one argument.
    Lifecycle(#[allow(dead_code)] Closure<dyn FnMut(JsValue)>),
}

/// One handler or callback, registered while this guard lives.
///
/// Dropping it unregisters the handler and frees its closure; if it was the
/// last event handler, the connection closes (the client stays usable: a
/// later subscription reconnects). Dropping it from inside its own handler
/// is fine. After the client is closed or dropped, dropping it does nothing
/// more than free the closure.
#[must_use = "dropping a Subscription unsubscribes at once; keep it while you want events"]
pub struct Subscription {
    /// `None` only when the registration itself failed.
    registration: Option<Registration>,
    /// Dropped after `registration` is undone (field order and `Drop`), so
    /// the client never holds a function whose closure is gone.
    _callback: Callback,
}

impl Subscription {
    pub(super) fn handler(
        registration: Registration,
        closure: Closure<dyn FnMut(JsValue, JsValue)>,
    ) -> Self {
        Self {
            registration: Some(registration),
            _callback: Callback::Handler(closure),
        }
    }

    pub(super) fn lifecycle(
        registration: Option<Registration>,
        closure: Closure<dyn FnMut(JsValue)>,
    ) -> Self {
        Self {
            registration,
            _callback: Callback::Lifecycle(closure),
        }
    }

    /// Unsubscribes now; the same as dropping the guard, spelled out.
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
        let kind = match self._callback {
            Callback::Handler(_) => "handler",
            Callback::Lifecycle(_) => "lifecycle",
        };
        f.debug_struct("Subscription")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}
