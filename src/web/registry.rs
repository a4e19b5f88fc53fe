//! Who listens to what: event handlers by event type, and lifecycle
//! callbacks by name.
//!
//! Each event type has an immutable [`TypeEntry`] snapshot behind an `Rc`:
//! the dispatcher clones the `Rc` (free), releases the registry borrow and
//! hands the entry's JS array to the runtime, so handlers may subscribe or
//! unsubscribe while being called. A change builds a new snapshot; a removed
//! handler's record is also marked `removed`, so an in-flight dispatch skips
//! it (DOM listener semantics).

use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsValue;

use super::sys;

/// The handlers of one event type, as one immutable snapshot.
pub struct TypeEntry {
    /// The event type.
    pub name: String,
    /// The same, as a JS string created once.
    pub js_name: JsValue,
    /// The listener records, in subscription order (what the runtime reads).
    pub list: Array,
    handlers: Vec<Handler>,
}

#[derive(Clone)]
struct Handler {
    id: u32,
    function: Function,
    record: Object,
}

impl TypeEntry {
    fn new(name: String, js_name: JsValue, handlers: Vec<Handler>) -> Self {
        let list = handlers.iter().map(|h| JsValue::from(&h.record)).collect();
        Self {
            name,
            js_name,
            list,
            handlers,
        }
    }
}

/// Marks a record removed so a dispatch already under way skips it.
fn mark_removed(record: &Object) {
    let _ = Reflect::set(record, &"removed".into(), &JsValue::TRUE);
}

/// The lifecycle callbacks a client offers through `on(name, callback)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// The connection opened.
    Open,
    /// An error the user should handle.
    Error,
    /// A reconnect was scheduled.
    Reconnecting,
    /// The client closed itself.
    Close,
    /// `status` changed.
    StateChange,
}

impl Lifecycle {
    /// Every name `on()` accepts.
    pub const NAMES: &'static str = "open, error, reconnecting, close, statechange";

    /// Parses a name given to `on()`.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "open" => Self::Open,
            "error" => Self::Error,
            "reconnecting" => Self::Reconnecting,
            "close" => Self::Close,
            "statechange" => Self::StateChange,
            _ => return None,
        })
    }
}

/// All handlers and callbacks of one client.
#[derive(Default)]
pub struct Registry {
    types: Vec<Rc<TypeEntry>>,
    callbacks: Vec<(Lifecycle, u32, Object)>,
    next_id: u32,
}

impl Registry {
    /// The snapshot for `event_type`, if anyone listens to it.
    pub fn entry(&self, event_type: &str) -> Option<Rc<TypeEntry>> {
        self.types.iter().find(|e| e.name == event_type).cloned()
    }

    /// The event types with at least one handler.
    pub fn types(&self) -> impl Iterator<Item = &Rc<TypeEntry>> {
        self.types.iter()
    }

    /// True when no event handler is left (callbacks do not count).
    pub fn has_no_handlers(&self) -> bool {
        self.types.is_empty()
    }

    /// Adds a handler; returns its id and whether its type is new.
    pub fn subscribe(&mut self, event_type: &str, function: Function) -> (u32, bool) {
        let id = self.next_id();
        let handler = Handler {
            id,
            record: sys::listener(&function),
            function,
        };
        match self.types.iter().position(|e| e.name == event_type) {
            Some(i) => {
                let old = &self.types[i];
                let mut handlers = old.handlers.clone();
                handlers.push(handler);
                self.types[i] = Rc::new(TypeEntry::new(
                    old.name.clone(),
                    old.js_name.clone(),
                    handlers,
                ));
                (id, false)
            }
            None => {
                let entry = TypeEntry::new(event_type.to_owned(), event_type.into(), vec![handler]);
                self.types.push(Rc::new(entry));
                (id, true)
            }
        }
    }

    /// Removes the handlers `keep` rejects, across all types.
    fn retain_handlers(&mut self, mut keep: impl FnMut(&TypeEntry, &Handler) -> bool) {
        let mut changed = Vec::new();
        for (i, entry) in self.types.iter().enumerate() {
            let (kept, removed): (Vec<Handler>, Vec<Handler>) =
                entry.handlers.iter().cloned().partition(|h| keep(entry, h));
            if !removed.is_empty() {
                removed.iter().for_each(|h| mark_removed(&h.record));
                changed.push((i, kept));
            }
        }
        for (i, kept) in changed.into_iter().rev() {
            if kept.is_empty() {
                self.types.remove(i);
            } else {
                let old = &self.types[i];
                self.types[i] =
                    Rc::new(TypeEntry::new(old.name.clone(), old.js_name.clone(), kept));
            }
        }
    }

    /// Removes the handler or callback with this id.
    pub fn remove_id(&mut self, id: u32) {
        self.retain_handlers(|_, h| h.id != id);
        self.callbacks.retain(|(_, cb_id, record)| {
            let keep = *cb_id != id;
            if !keep {
                mark_removed(record);
            }
            keep
        });
    }

    /// Removes the handlers of `event_type` (all of them, or only `function`).
    pub fn remove_type(&mut self, event_type: &str, function: Option<&Function>) {
        self.retain_handlers(|entry, h| {
            entry.name != event_type
                || function.is_some_and(|f| JsValue::from(f) != JsValue::from(&h.function))
        });
    }

    /// Removes every handler and callback.
    pub fn clear(&mut self) {
        self.retain_handlers(|_, _| false);
        self.callbacks
            .drain(..)
            .for_each(|(_, _, record)| mark_removed(&record));
    }

    /// Adds a lifecycle callback; returns its id.
    pub fn on(&mut self, kind: Lifecycle, function: &Function) -> u32 {
        let id = self.next_id();
        self.callbacks.push((kind, id, sys::listener(function)));
        id
    }

    /// A snapshot of the callbacks for `kind`, `None` when there are none.
    pub fn callbacks(&self, kind: Lifecycle) -> Option<Array> {
        let list: Array = self
            .callbacks
            .iter()
            .filter(|(k, _, _)| *k == kind)
            .map(|(_, _, r)| JsValue::from(r))
            .collect();
        (list.length() > 0).then_some(list)
    }

    fn next_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }
}
