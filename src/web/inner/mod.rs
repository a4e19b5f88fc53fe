//! [`ClientInner`]: the state one client shares with its transports, timers
//! and listeners, behind both public faces (the JavaScript `SSEClient` and
//! the Rust [`Client`](crate::Client)).
//!
//! The public handle holds the only strong reference; every closure, timer
//! and async task holds a `Weak` and an attempt *generation*, so a dropped
//! client or a superseded attempt can never deliver anything. No `RefCell`
//! borrow is held while user code runs: the registry hands out `Rc`
//! snapshots, the parser is taken out of its cell while it feeds, and the
//! machine is borrowed only to put inputs in and take actions out.
//!
//! The submodules split it by responsibility: [`actions`] carries out what
//! the connection machine asks, [`sink`] is the single path from the
//! transports into the machine (and the fetch transport's dispatch),
//! [`auth`] the request headers and the 401/403 hook, [`environment`] the
//! abort signal, network and visibility listeners.

mod actions;
mod auth;
mod environment;
mod sink;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::Function;

use super::listen::Listener;
use super::options::{Options, Transport};
use super::registry::{Lifecycle, Registry, RustCallback};
use super::sys;
use super::transport::Attempt;
use crate::core::connection::{Config, Connection, State};
use crate::error::Error;
use crate::parser::{Parser, ParserConfig};

/// One client's state. See the module docs.
pub struct ClientInner {
    /// The absolute URL, as resolved at construction.
    url: String,
    /// The validated options (the transport is resolved).
    options: Options,
    machine: RefCell<Connection>,
    /// The fetch transport's parser; `None` while a chunk is fed, and once
    /// the client is closed.
    parser: RefCell<Option<Parser>>,
    /// The JS-side dispatch state (JSON mode, handler lists, the last event
    /// ID string; the native transport's authoritative last event ID).
    dispatcher: sys::Dispatcher,
    /// The last event ID (the fetch transport's authoritative copy).
    last_event_id: RefCell<String>,
    /// Whether `dispatcher`'s cached ID string lags behind `last_event_id`.
    js_id_stale: Cell<bool>,
    /// Scratch for the offsets of a multi-line event's data, which
    /// JavaScript reads from wasm memory (see `sink`).
    line_offsets: Cell<Vec<u32>>,
    /// The last `retry:` value handed to the machine.
    server_retry: Cell<Option<u64>>,
    /// Headers from the `onUnauthorized` hook, sent on top of the others
    /// until the hook answers again.
    auth_headers: RefCell<Option<Vec<(String, String)>>>,
    /// Handlers and callbacks.
    registry: RefCell<Registry>,
    attempt: RefCell<Option<Attempt>>,
    /// Bumped whenever an attempt ends: reports of older ones are ignored.
    generation: Cell<u32>,
    /// Whether the current fetch attempt delivered an event.
    progressed: Cell<bool>,
    timers: RefCell<[Option<Timeout>; 2]>,
    environment: RefCell<Vec<Listener>>,
    signal_listener: RefCell<Option<Listener>>,
    /// Set once `close()` has notified (or a quiet close began): no callback
    /// is called again.
    closed_by_user: Cell<bool>,
    weak: Weak<ClientInner>,
}

impl ClientInner {
    /// Builds the state for validated `options`; the connection stays idle
    /// until the first subscription.
    pub fn new(url: String, options: Options) -> Rc<Self> {
        let config = Config {
            retry: options.retry,
            idle_timeout_ms: options.idle_timeout_ms,
            pause_when_hidden: options.pause_when_hidden,
            has_auth_hook: options.on_unauthorized.is_some(),
        };
        let mut parser = Parser::with_config(ParserConfig {
            max_event_size: options.max_event_size,
        });
        parser.set_last_event_id(&options.last_event_id);
        let dispatcher = sys::Dispatcher::new(options.json, &wasm_bindgen::memory());
        dispatcher.set_last_event_id(&options.last_event_id);
        let inner = Rc::new_cyclic(|weak: &Weak<ClientInner>| ClientInner {
            last_event_id: RefCell::new(options.last_event_id.clone()),
            url,
            machine: RefCell::new(Connection::new(config)),
            parser: RefCell::new(Some(parser)),
            registry: RefCell::new(Registry::new(dispatcher.clone())),
            dispatcher,
            js_id_stale: Cell::new(false),
            line_offsets: Cell::new(Vec::new()),
            server_retry: Cell::new(None),
            auth_headers: RefCell::new(None),
            attempt: RefCell::new(None),
            generation: Cell::new(0),
            progressed: Cell::new(false),
            timers: RefCell::new([None, None]),
            environment: RefCell::new(Vec::new()),
            signal_listener: RefCell::new(None),
            closed_by_user: Cell::new(false),
            weak: weak.clone(),
            options,
        });
        inner.watch_signal();
        inner
    }

    /// The absolute URL of the stream.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The validated options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The transport `auto` resolved to.
    pub fn transport(&self) -> Transport {
        self.options.transport
    }

    /// The state of the connection.
    pub fn state(&self) -> State {
        self.machine.borrow().state()
    }

    /// The current last event ID.
    pub fn last_event_id(&self) -> String {
        match self.options.transport {
            Transport::EventSource => self
                .dispatcher
                .last_event_id()
                .as_string()
                .unwrap_or_default(),
            Transport::Fetch | Transport::Auto => self.last_event_id.borrow().clone(),
        }
    }

    /// Puts one input into the machine (the borrow ends before any action
    /// runs) and carries out what it asks.
    fn input(&self, put: impl FnOnce(&mut Connection)) {
        put(&mut self.machine.borrow_mut());
        self.drive();
    }

    /// [`ClientInner::input`] from a closure or task that holds only a `Weak`.
    fn input_weak(weak: &Weak<ClientInner>, put: impl FnOnce(&mut Connection)) {
        if let Some(inner) = weak.upgrade() {
            inner.input(put);
        }
    }

    // ----- handlers and callbacks ------------------------------------------

    /// Adds `handler` for `event_type` and connects if it is the first.
    /// Returns the registration's id.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after `close()`.
    pub fn subscribe(&self, event_type: &str, handler: Function) -> Result<u32, Error> {
        if self.state() == State::Closed {
            return Err(Error::Closed);
        }
        let (id, new_type) = self.registry.borrow_mut().subscribe(event_type, handler);
        if new_type {
            if let Some(attempt) = self.attempt.borrow().as_ref() {
                attempt.listen(event_type);
            }
        }
        self.start();
        Ok(id)
    }

    /// Removes the handler or callback `id`; with no handler left, the
    /// connection closes (a later subscription reconnects).
    pub fn unsubscribe_id(&self, id: u32) {
        let gone = self.registry.borrow_mut().remove_id(id);
        self.forget_types(gone);
    }

    /// Removes every handler of `event_type`, or only `handler`.
    pub fn unsubscribe_type(&self, event_type: &str, handler: Option<&Function>) {
        let gone = self.registry.borrow_mut().remove_type(event_type, handler);
        self.forget_types(gone);
    }

    /// Types without handlers: stop listening; none left at all: stop.
    fn forget_types(&self, gone: Vec<String>) {
        if gone.is_empty() {
            return;
        }
        if let Some(attempt) = self.attempt.borrow().as_ref() {
            for event_type in &gone {
                attempt.unlisten(event_type);
            }
        }
        let unused = self.registry.borrow().has_no_handlers();
        if unused {
            self.stop();
        }
    }

    /// Adds a JavaScript lifecycle callback; returns its id.
    pub fn on(&self, kind: Lifecycle, callback: &Function) -> u32 {
        self.registry.borrow_mut().on(kind, callback)
    }

    /// Adds a Rust lifecycle callback; returns its id.
    pub fn on_rust(&self, kind: Lifecycle, callback: Rc<RustCallback>) -> u32 {
        self.registry.borrow_mut().on_rust(kind, callback)
    }

    // ----- user calls --------------------------------------------------

    /// First subscription: connect (lazily).
    fn start(&self) {
        if self.environment.borrow().is_empty() {
            self.watch_environment();
        }
        self.input(|machine| machine.start(sys::now()));
    }

    /// Last subscription gone: disconnect, stay reusable.
    fn stop(&self) {
        self.environment.borrow_mut().clear();
        self.input(Connection::stop);
    }

    /// `close()` (and the user's AbortSignal): disconnect for good. The
    /// `statechange` callbacks hear `closed` before this returns; nothing
    /// fires afterwards.
    pub fn close(&self) {
        self.shut_down(true);
    }

    /// Closes without telling anyone: the client is being freed or
    /// garbage-collected, no user code may run.
    pub fn close_quietly(&self) {
        self.shut_down(false);
    }

    fn shut_down(&self, notify: bool) {
        if !notify {
            self.closed_by_user.set(true);
        }
        self.machine.borrow_mut().close();
        self.environment.borrow_mut().clear();
        self.signal_listener.borrow_mut().take();
        // Aborts the attempt and clears the timers first, so nothing can be
        // delivered while the callbacks hear the change to `closed`.
        self.drive();
        self.closed_by_user.set(true);
        self.release_closed_state();
    }

    /// Frees what a closed client no longer needs, at once rather than when
    /// its handle is freed or garbage-collected: the parser and its
    /// buffers, every handler and callback, the scratch buffers. (The
    /// attempt and the timers went when the machine closed.) Linear memory
    /// never shrinks, so what a closed client holds until the next GC
    /// would add up over many short-lived clients.
    fn release_closed_state(&self) {
        self.parser.borrow_mut().take();
        let mut registry = self.registry.borrow_mut();
        registry.clear();
        *registry = Registry::new(self.dispatcher.clone());
        drop(registry);
        self.line_offsets.take();
        self.auth_headers.borrow_mut().take();
    }

    /// `reconnect()`: drop the connection and connect again at once.
    pub fn reconnect(&self) {
        self.input(|machine| machine.reconnect_now(sys::now()));
    }
}

impl Drop for ClientInner {
    fn drop(&mut self) {
        // Timers and listeners drop with their fields; abort the request.
        self.attempt.get_mut().take();
    }
}
