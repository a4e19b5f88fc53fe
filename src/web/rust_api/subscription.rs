//! [`Subscription`]: an RAII guard for one handler or callback.

use std::rc::{Rc, Weak};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use crate::web::inner::ClientInner;
use crate::web::registry::RustCallback;
use crate::web::sys::JsEvent;

/// What the guard keeps alive while registered.
enum Registration {
    /// An event handler: the closure the dispatcher calls.
    Handler(#[allow(dead_code)] Closure<dyn FnMut(JsValue, JsEvent)>),
    /// A lifecycle callback.
    Lifecycle(#[allow(dead_code)] Rc<RustCallback>),
}

/// A registered handler or callback. Dropping it unsubscribes at once (and
/// closes the connection if it was the last event handler; a later
/// subscription reconnects). It holds only a weak reference to the client:
/// dropping the [`Client`](crate::Client) closes the connection whatever
/// guards are still alive.
#[must_use = "dropping a Subscription unsubscribes at once; keep it while you want events"]
pub struct Subscription {
    inner: Weak<ClientInner>,
    /// `None` when the client was already closed: nothing to remove.
    id: Option<u32>,
    _registration: Registration,
}

impl Subscription {
    pub(super) fn handler(
        inner: Weak<ClientInner>,
        id: u32,
        closure: Closure<dyn FnMut(JsValue, JsEvent)>,
    ) -> Self {
        Self {
            inner,
            id: Some(id),
            _registration: Registration::Handler(closure),
        }
    }

    pub(super) fn lifecycle(inner: Weak<ClientInner>, id: u32, callback: Rc<RustCallback>) -> Self {
        Self {
            inner,
            id: Some(id),
            _registration: Registration::Lifecycle(callback),
        }
    }

    /// Unsubscribes now (the same as dropping the guard).
    pub fn unsubscribe(self) {
        drop(self);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Unregistered first, so nothing calls the closure once it is freed.
        if let (Some(id), Some(inner)) = (self.id.take(), self.inner.upgrade()) {
            inner.unsubscribe_id(id);
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self._registration {
            Registration::Handler(_) => "handler",
            Registration::Lifecycle(_) => "lifecycle",
        };
        f.debug_struct("Subscription")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}
