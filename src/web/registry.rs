//! Who listens to what: event handlers by event type, and lifecycle
//! callbacks by name.
//!
//! The rule: **handlers may subscribe or unsubscribe while being called,
//! and see DOM listener semantics.** Each event type has an immutable
//! [`TypeEntry`] snapshot behind an `Rc`: the dispatcher clones the `Rc`
//! (free), releases the registry borrow and hands the entry's JS array to
//! the runtime. A change builds a new snapshot, which is also published to
//! the JavaScript dispatcher (the native transport delivers from there); a
//! removed handler's record is marked `removed`, so an in-flight dispatch
//! skips it. Lifecycle callbacks follow the same rule, in JavaScript
//! (`SSEClient.on`) or in Rust ([`crate::Client`]'s `on_*`).

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsValue;

use super::sys;
use crate::core::connection::Notice;

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

/// A lifecycle callback written in Rust: it sees the machine's notice.
pub struct RustCallback {
    removed: Cell<bool>,
    callback: Box<dyn Fn(&Notice)>,
}

impl RustCallback {
    /// Wraps `callback`.
    pub fn new(callback: impl Fn(&Notice) + 'static) -> Rc<Self> {
        Rc::new(Self {
            removed: Cell::new(false),
            callback: Box::new(callback),
        })
    }

    /// Calls it, unless it was removed (possibly by an earlier callback of
    /// the same notice).
    pub fn call(&self, notice: &Notice) {
        if !self.removed.get() {
            (self.callback)(notice);
        }
    }
}

enum Callback {
    /// A listener record around a JS function.
    Js(Object),
    Rust(Rc<RustCallback>),
}

impl Callback {
    fn mark_removed(&self) {
        match self {
            Callback::Js(record) => mark_removed(record),
            Callback::Rust(callback) => callback.removed.set(true),
        }
    }
}

/// The callbacks of one kind, as a snapshot taken before calling them.
#[derive(Default)]
pub struct Callbacks {
    /// Listener records of JS callbacks; `None` when there are none.
    pub js: Option<Array>,
    /// Rust callbacks.
    pub rust: Vec<Rc<RustCallback>>,
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

    /// The kind of callback that hears `notice`.
    pub fn of(notice: &Notice) -> Self {
        match notice {
            Notice::StateChanged(_) => Self::StateChange,
            Notice::Open => Self::Open,
            Notice::Reconnecting { .. } => Self::Reconnecting,
            Notice::Error(_) => Self::Error,
            Notice::Closed => Self::Close,
        }
    }

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
pub struct Registry {
    types: Vec<Rc<TypeEntry>>,
    callbacks: Vec<(Lifecycle, u32, Callback)>,
    next_id: u32,
    /// Where snapshots are published for JavaScript-side delivery.
    dispatcher: sys::Dispatcher,
}

impl Registry {
    /// An empty registry publishing to `dispatcher`.
    pub fn new(dispatcher: sys::Dispatcher) -> Self {
        Self {
            types: Vec::new(),
            callbacks: Vec::new(),
            next_id: 0,
            dispatcher,
        }
    }

    fn publish(&self, entry: &TypeEntry) {
        self.dispatcher.set_handlers(&entry.js_name, &entry.list);
    }

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
                let entry = TypeEntry::new(old.name.clone(), old.js_name.clone(), handlers);
                self.publish(&entry);
                self.types[i] = Rc::new(entry);
                (id, false)
            }
            None => {
                let entry = TypeEntry::new(event_type.to_owned(), event_type.into(), vec![handler]);
                self.publish(&entry);
                self.types.push(Rc::new(entry));
                (id, true)
            }
        }
    }

    /// Removes the handlers `keep` rejects, across all types. Returns the
    /// types that lost their last handler.
    fn retain_handlers(
        &mut self,
        mut keep: impl FnMut(&TypeEntry, &Handler) -> bool,
    ) -> Vec<String> {
        let mut changed = Vec::new();
        for (i, entry) in self.types.iter().enumerate() {
            let (kept, removed): (Vec<Handler>, Vec<Handler>) =
                entry.handlers.iter().cloned().partition(|h| keep(entry, h));
            if !removed.is_empty() {
                removed.iter().for_each(|h| mark_removed(&h.record));
                changed.push((i, kept));
            }
        }
        let mut gone = Vec::new();
        for (i, kept) in changed.into_iter().rev() {
            let old = &self.types[i];
            let entry = TypeEntry::new(old.name.clone(), old.js_name.clone(), kept);
            self.publish(&entry);
            if entry.handlers.is_empty() {
                gone.push(entry.name);
                self.types.remove(i);
            } else {
                self.types[i] = Rc::new(entry);
            }
        }
        gone
    }

    /// Removes the handler or callback with this id. Returns the types that
    /// lost their last handler.
    pub fn remove_id(&mut self, id: u32) -> Vec<String> {
        let gone = self.retain_handlers(|_, h| h.id != id);
        self.callbacks.retain(|(_, cb_id, callback)| {
            let keep = *cb_id != id;
            if !keep {
                callback.mark_removed();
            }
            keep
        });
        gone
    }

    /// Removes the handlers of `event_type` (all of them, or only
    /// `function`). Returns the types that lost their last handler.
    pub fn remove_type(&mut self, event_type: &str, function: Option<&Function>) -> Vec<String> {
        self.retain_handlers(|entry, h| {
            entry.name != event_type
                || function.is_some_and(|f| JsValue::from(f) != JsValue::from(&h.function))
        })
    }

    /// Removes every handler and callback.
    pub fn clear(&mut self) {
        self.retain_handlers(|_, _| false);
        self.callbacks
            .drain(..)
            .for_each(|(_, _, callback)| callback.mark_removed());
    }

    /// Adds a JavaScript lifecycle callback; returns its id.
    pub fn on(&mut self, kind: Lifecycle, function: &Function) -> u32 {
        let id = self.next_id();
        self.callbacks
            .push((kind, id, Callback::Js(sys::listener(function))));
        id
    }

    /// Adds a Rust lifecycle callback; returns its id.
    pub fn on_rust(&mut self, kind: Lifecycle, callback: Rc<RustCallback>) -> u32 {
        let id = self.next_id();
        self.callbacks.push((kind, id, Callback::Rust(callback)));
        id
    }

    /// A snapshot of the callbacks for `kind`.
    pub fn callbacks(&self, kind: Lifecycle) -> Callbacks {
        let mut snapshot = Callbacks::default();
        let js = Array::new();
        for (k, _, callback) in &self.callbacks {
            if *k != kind {
                continue;
            }
            match callback {
                Callback::Js(record) => {
                    js.push(record);
                }
                Callback::Rust(callback) => snapshot.rust.push(callback.clone()),
            }
        }
        snapshot.js = (js.length() > 0).then_some(js);
        snapshot
    }

    fn next_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }
}
