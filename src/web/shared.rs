//! The state one client shares with its transports, timers and listeners.
//!
//! `SSEClient` holds the only strong reference; every closure, timer and
//! async task holds a `Weak` and an attempt *generation*, so a dropped client
//! or a superseded attempt can never deliver anything. No `RefCell` borrow is
//! held while user code runs: the registry hands out `Rc` snapshots, the
//! parser is taken out of its cell while it feeds, and the machine is
//! borrowed only to put inputs in and take actions out.

use std::cell::{Cell, RefCell};
use std::ops::ControlFlow;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::error::to_js;
use super::eventsource::NativeAttempt;
use super::fetch::FetchAttempt;
use super::listen::{global_property, Listener};
use super::options::{header_list, js_message, Options, Transport};
use super::registry::{Lifecycle, Registry};
use super::sys;
use crate::core::connection::{Action, Config, Connection, Notice, State, Timer};
use crate::error::Error;
use crate::parser::{Event, ParseError, Parser, ParserConfig};

/// The transport attempt in flight; dropping it aborts it.
pub enum Attempt {
    /// A fetch request and its reader; held only for its `Drop`, which aborts.
    Fetch(#[allow(dead_code)] FetchAttempt),
    /// A native EventSource.
    Native(NativeAttempt),
}

/// One client's state. See the module docs.
pub struct Shared {
    /// The absolute URL, as resolved at construction.
    pub url: String,
    /// The validated options.
    pub options: Options,
    machine: RefCell<Connection>,
    /// `None` only while a chunk is being fed.
    parser: RefCell<Option<Parser>>,
    /// The JS-side dispatch state (JSON mode, cached last event ID string).
    pub dispatcher: sys::Dispatcher,
    /// The last event ID (fetch transport's authoritative copy).
    last_event_id: RefCell<String>,
    /// Whether `dispatcher`'s cached ID string lags behind `last_event_id`.
    js_id_stale: Cell<bool>,
    server_retry: Cell<Option<u64>>,
    /// Extra headers returned by the `onUnauthorized` hook.
    pub auth_headers: RefCell<Option<Vec<(String, String)>>>,
    /// Handlers and callbacks.
    pub registry: RefCell<Registry>,
    attempt: RefCell<Option<Attempt>>,
    generation: Cell<u32>,
    timers: RefCell<[Option<Timeout>; 2]>,
    environment: RefCell<Vec<Listener>>,
    _signal_listener: RefCell<Option<Listener>>,
    closed_by_user: Cell<bool>,
    weak: Weak<Shared>,
}

impl Shared {
    /// Builds the state; the connection stays idle until `start`.
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
        let dispatcher = sys::Dispatcher::new(options.json);
        dispatcher.set_last_event_id(&options.last_event_id);
        let shared = Rc::new_cyclic(|weak: &Weak<Shared>| Shared {
            last_event_id: RefCell::new(options.last_event_id.clone()),
            url,
            machine: RefCell::new(Connection::new(config)),
            parser: RefCell::new(Some(parser)),
            dispatcher,
            js_id_stale: Cell::new(false),
            server_retry: Cell::new(None),
            auth_headers: RefCell::new(None),
            registry: RefCell::new(Registry::default()),
            attempt: RefCell::new(None),
            generation: Cell::new(0),
            timers: RefCell::new([None, None]),
            environment: RefCell::new(Vec::new()),
            _signal_listener: RefCell::new(None),
            closed_by_user: Cell::new(false),
            weak: weak.clone(),
            options,
        });
        shared.watch_signal();
        shared
    }

    /// The state of the connection.
    pub fn state(&self) -> State {
        self.machine.borrow().state()
    }

    /// The current last event ID.
    pub fn last_event_id(&self) -> String {
        match self.options.transport {
            Transport::Fetch => self.last_event_id.borrow().clone(),
            Transport::EventSource => self
                .dispatcher
                .last_event_id()
                .as_string()
                .unwrap_or_default(),
        }
    }

    /// A weak reference to this state, for closures and tasks.
    pub fn weak(&self) -> Weak<Shared> {
        self.weak.clone()
    }

    /// True while `generation` is the attempt in flight.
    pub fn is_current(&self, generation: u32) -> bool {
        self.generation.get() == generation
    }

    /// A strong reference, if the client still exists.
    pub fn upgrade(weak: &Weak<Shared>, generation: u32) -> Option<Rc<Shared>> {
        weak.upgrade()
            .filter(|shared| shared.is_current(generation))
    }

    /// Puts one input into the machine (the borrow ends before any action
    /// runs) and carries out what it asks.
    fn input(&self, put: impl FnOnce(&mut Connection)) {
        put(&mut self.machine.borrow_mut());
        self.drive();
    }

    /// [`Shared::input`] from a closure or task that holds only a `Weak`.
    fn input_weak(weak: &Weak<Shared>, put: impl FnOnce(&mut Connection)) {
        if let Some(shared) = weak.upgrade() {
            shared.input(put);
        }
    }

    // ----- user calls --------------------------------------------------

    /// First subscription: connect (lazily).
    pub fn start(&self) {
        if self.environment.borrow().is_empty() {
            self.watch_environment();
        }
        self.input(|machine| machine.start(sys::now()));
    }

    /// Last subscription gone: disconnect, stay reusable.
    pub fn stop(&self) {
        self.environment.borrow_mut().clear();
        self.input(Connection::stop);
    }

    /// A handler was removed: with none left, disconnect (see [`Shared::stop`]).
    pub fn stop_if_unused(&self) {
        let unused = self.registry.borrow().has_no_handlers();
        if unused {
            self.stop();
        }
    }

    /// `close()`: disconnect for good; nothing fires afterwards.
    pub fn close(&self) {
        self.closed_by_user.set(true);
        self.machine.borrow_mut().close();
        self.registry.borrow_mut().clear();
        self.environment.borrow_mut().clear();
        self._signal_listener.borrow_mut().take();
        self.drive();
    }

    /// `reconnect()`: drop the connection and connect again at once.
    pub fn reconnect(&self) {
        self.input(|machine| machine.reconnect_now(sys::now()));
    }

    // ----- transport reports -------------------------------------------

    /// The response was accepted.
    pub fn on_open(&self) {
        if let Some(parser) = self.parser.borrow_mut().as_mut() {
            parser.reset();
        }
        self.input(|machine| machine.on_open(sys::now()));
    }

    /// The attempt or connection failed.
    pub fn on_failure(&self, error: Error) {
        self.input(|machine| machine.on_failure(error, sys::now(), js_sys::Math::random()));
    }

    /// Bytes arrived (native transport: an event arrived).
    pub fn on_activity(&self) {
        if self.options.idle_timeout_ms.is_some() {
            self.machine.borrow_mut().on_activity(sys::now());
        }
    }

    /// Feeds one chunk of the body of attempt `generation` to the parser
    /// and dispatches its events. Returns false once the attempt is over
    /// (closed or superseded, possibly by a handler): stop reading then.
    pub fn on_chunk(&self, chunk_js: &js_sys::Uint8Array, chunk: &[u8], generation: u32) -> bool {
        self.on_activity();
        let Some(mut parser) = self.parser.borrow_mut().take() else {
            return false;
        };
        // An ASCII chunk's byte offsets are its string offsets: events whose
        // data lies in it are delivered as slices of one decoded string.
        let ascii = chunk.is_ascii();
        if ascii {
            self.dispatcher.set_chunk(chunk_js);
        }
        let result = parser.feed(chunk, |event| self.dispatch(event, ascii, generation));
        if ascii {
            self.dispatcher.clear_chunk();
        }
        let id_changed = *self.last_event_id.borrow() != parser.last_event_id();
        if id_changed {
            // A dispatch with empty data still sets the last event ID.
            let mut id = self.last_event_id.borrow_mut();
            id.clear();
            id.push_str(parser.last_event_id());
            self.js_id_stale.set(true);
        }
        let retry = parser.retry();
        *self.parser.borrow_mut() = Some(parser);

        if !self.is_current(generation) {
            return false;
        }
        if retry.is_some() && retry != self.server_retry.get() {
            self.server_retry.set(retry);
            self.machine
                .borrow_mut()
                .on_server_retry(retry.unwrap_or_default());
        }
        if let Err(ParseError::EventTooLarge { limit }) = result {
            self.input(|machine| machine.on_data_error(Error::EventTooLarge { limit }));
        }
        self.is_current(generation)
    }

    /// The body ended normally: an unterminated event is discarded.
    pub fn on_body_end(&self) {
        if let Some(parser) = self.parser.borrow_mut().as_mut() {
            parser.finish();
        }
        self.on_failure(Error::StreamEnded);
    }

    /// Hands one parsed event to the handlers of its type. The hot path:
    /// one call into JS, which creates the data string and the event object.
    fn dispatch(&self, event: Event<'_>, ascii_chunk: bool, generation: u32) -> ControlFlow<()> {
        let id_changed = {
            let mut id = self.last_event_id.borrow_mut();
            if *id != event.last_event_id {
                id.clear();
                id.push_str(event.last_event_id);
                true
            } else {
                false
            }
        };
        let stale = id_changed || self.js_id_stale.get();
        let entry = self.registry.borrow().entry(event.event_type);
        if let Some(entry) = entry {
            let (list, name, id) = (&entry.list, &entry.js_name, event.last_event_id);
            let span = event.data_span.filter(|_| ascii_chunk);
            if stale {
                self.js_id_stale.set(false);
            }
            let delivered = match (span, stale) {
                (Some((start, end)), false) => {
                    self.dispatcher
                        .deliver_span(list, name, start as u32, end as u32)
                }
                (Some((start, end)), true) => {
                    self.dispatcher
                        .deliver_span_with_id(list, name, start as u32, end as u32, id)
                }
                (None, false) => self.dispatcher.deliver(list, name, event.data),
                (None, true) => self.dispatcher.deliver_with_id(list, name, event.data, id),
            };
            if !delivered {
                self.emit_error_value(&self.dispatcher.take_error());
            }
        } else if stale {
            self.js_id_stale.set(true);
        }
        if self.is_current(generation) {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }

    /// A native EventSource message for `event_type`.
    pub fn dispatch_native(
        &self,
        event_type: &str,
        message: &web_sys::MessageEvent,
        generation: u32,
    ) {
        if !self.is_current(generation) {
            return;
        }
        self.on_activity();
        let entry = self.registry.borrow().entry(event_type);
        if let Some(entry) = entry {
            if !self
                .dispatcher
                .deliver_native(&entry.list, &entry.js_name, message)
            {
                self.emit_error_value(&self.dispatcher.take_error());
            }
        }
    }

    /// An error value built on the JS side (bad JSON): tell `error` callbacks.
    fn emit_error_value(&self, error: &JsValue) {
        if !self.closed_by_user.get() && !matches!(self.state(), State::Idle | State::Closed) {
            self.emit(Lifecycle::Error, error);
        }
    }

    // ----- the action loop ------------------------------------------------

    /// Carries out the machine's actions until none is left. Re-entrant:
    /// a callback may call `close()`, which empties the queue.
    fn drive(&self) {
        loop {
            let action = self.machine.borrow_mut().poll_action();
            let Some(action) = action else { break };
            match action {
                Action::Connect { .. } => self.connect(),
                Action::Abort => self.abort_attempt(),
                Action::SetTimer { timer, delay_ms } => self.set_timer(timer, delay_ms),
                Action::ClearTimer(timer) => self.timers.borrow_mut()[timer as usize] = None,
                Action::Authorize { error } => self.authorize(error),
                Action::Notify(notice) => self.notify(notice),
            }
        }
    }

    fn connect(&self) {
        self.abort_attempt();
        let generation = self.generation.get();
        let attempt = match self.options.transport {
            Transport::Fetch => Attempt::Fetch(FetchAttempt::start(self.weak.clone(), generation)),
            Transport::EventSource => match NativeAttempt::start(self, generation) {
                Ok(native) => Attempt::Native(native),
                Err(error) => {
                    self.on_failure(error);
                    return;
                }
            },
        };
        *self.attempt.borrow_mut() = Some(attempt);
    }

    /// Drops the attempt in flight (aborting it) and moves to a new
    /// generation, so nothing the old attempt reports is heard.
    fn abort_attempt(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
        let attempt = self.attempt.borrow_mut().take();
        drop(attempt);
    }

    /// A subscription to a new event type while a native EventSource runs.
    pub fn add_native_type(&self, event_type: &str) {
        if let Some(Attempt::Native(native)) = self.attempt.borrow_mut().as_mut() {
            native.listen(self.weak.clone(), event_type);
        }
    }

    fn set_timer(&self, timer: Timer, delay_ms: u32) {
        let weak = self.weak.clone();
        let timeout = Timeout::new(delay_ms.min(i32::MAX as u32), move || {
            Shared::input_weak(&weak, |machine| {
                machine.on_timer(timer, sys::now(), js_sys::Math::random())
            });
        });
        self.timers.borrow_mut()[timer as usize] = Some(timeout);
    }

    fn notify(&self, notice: Notice) {
        if self.closed_by_user.get() {
            return;
        }
        match notice {
            Notice::StateChanged(state) => {
                self.emit(Lifecycle::StateChange, &state.as_str().into())
            }
            Notice::Open => self.emit(Lifecycle::Open, &JsValue::UNDEFINED),
            Notice::Reconnecting {
                attempt,
                delay_ms,
                cause,
            } => {
                let info = Object::new();
                let _ = Reflect::set(&info, &"attempt".into(), &attempt.into());
                let _ = Reflect::set(&info, &"delayMs".into(), &delay_ms.into());
                let _ = Reflect::set(&info, &"error".into(), &to_js(&cause));
                self.emit(Lifecycle::Reconnecting, &info);
            }
            Notice::Error(error) => self.emit(Lifecycle::Error, &to_js(&error)),
            Notice::Closed => {
                self.environment.borrow_mut().clear();
                self.emit(Lifecycle::Close, &JsValue::UNDEFINED);
            }
        }
    }

    /// Calls the `kind` callbacks (no borrow held while they run).
    fn emit(&self, kind: Lifecycle, value: &JsValue) {
        let list = self.registry.borrow().callbacks(kind);
        if let Some(list) = list {
            sys::emit(&list, value);
        }
    }

    // ----- auth, signal, environment ---------------------------------------

    /// Asks `onUnauthorized` for new credentials, then reports to the machine.
    fn authorize(&self, error: Error) {
        let Some(hook) = self.options.on_unauthorized.clone() else {
            return;
        };
        let weak = self.weak.clone();
        let context = Object::new();
        if let Error::Unauthorized { status, .. } = &error {
            let _ = Reflect::set(&context, &"status".into(), &(*status).into());
        }
        let _ = Reflect::set(&context, &"error".into(), &to_js(&error));
        spawn_local(async move {
            let renewed = match hook.call1(&JsValue::UNDEFINED, &context) {
                Ok(value) => resolve(value)
                    .await
                    .map(|v| credentials(&v))
                    .unwrap_or(None),
                Err(_) => None,
            };
            let Some(shared) = weak.upgrade() else { return };
            if let Some(headers) = &renewed {
                if !headers.is_empty() {
                    *shared.auth_headers.borrow_mut() = Some(headers.clone());
                }
            }
            shared.input(|machine| machine.on_authorized(renewed.is_some(), error, sys::now()));
        });
    }

    fn watch_signal(&self) {
        let Some(signal) = self.options.signal.clone() else {
            return;
        };
        if signal.aborted() {
            self.machine.borrow_mut().on_signal_abort();
            // Nobody can have subscribed yet: drop the notices.
            while self.machine.borrow_mut().poll_action().is_some() {}
            return;
        }
        let weak = self.weak.clone();
        let listener = Listener::new(&signal, "abort", move |_| {
            Shared::input_weak(&weak, Connection::on_signal_abort);
        });
        *self._signal_listener.borrow_mut() = Some(listener);
    }

    /// online/offline, visibility and pageshow, while connected.
    fn watch_environment(&self) {
        // The global scope and `document` are event targets.
        let global: web_sys::EventTarget = js_sys::global().unchecked_into();
        let mut listeners = Vec::new();
        for (event_type, online) in [("online", true), ("offline", false)] {
            let weak = self.weak.clone();
            listeners.push(Listener::new(&global, event_type, move |_| {
                Shared::input_weak(&weak, |machine| machine.on_network(online, sys::now()));
            }));
        }
        if let Some(document) = global_property("document") {
            let weak = self.weak.clone();
            listeners.push(Listener::new(
                document.unchecked_ref(),
                "visibilitychange",
                move |_| {
                    Shared::input_weak(&weak, |machine| {
                        machine.on_visibility(sys::is_hidden(), sys::now())
                    });
                },
            ));
            let weak = self.weak.clone();
            listeners.push(Listener::new(&global, "pageshow", move |_| {
                Shared::input_weak(&weak, |machine| machine.on_pageshow(sys::now()));
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

    /// The headers for the next attempt: fixed or from the provider, then
    /// the hook's renewed ones on top.
    pub async fn request_headers(
        weak: &Weak<Shared>,
        generation: u32,
    ) -> Result<Vec<(String, String)>, Error> {
        let provider = {
            let Some(shared) = Shared::upgrade(weak, generation) else {
                return Ok(Vec::new());
            };
            match &shared.options.headers {
                super::options::HeaderSource::None => None,
                super::options::HeaderSource::Fixed(list) => {
                    return Ok(shared.with_auth(list.clone()))
                }
                super::options::HeaderSource::Provider(function) => Some(function.clone()),
            }
        };
        let mut list = Vec::new();
        if let Some(function) = provider {
            let value = function
                .call0(&JsValue::UNDEFINED)
                .map_err(|e| Error::Network {
                    message: format!("the headers function threw: {}", js_message(&e)),
                })?;
            let value = resolve(value).await.map_err(|e| Error::Network {
                message: format!("the headers function failed: {}", js_message(&e)),
            })?;
            list = header_list(&value).map_err(|message| Error::InvalidOption {
                option: "headers".into(),
                message,
            })?;
        }
        Ok(match Shared::upgrade(weak, generation) {
            Some(shared) => shared.with_auth(list),
            None => list,
        })
    }

    fn with_auth(&self, mut list: Vec<(String, String)>) -> Vec<(String, String)> {
        if let Some(extra) = self.auth_headers.borrow().as_ref() {
            for (name, value) in extra {
                list.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                list.push((name.clone(), value.clone()));
            }
        }
        list
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Timers and listeners drop with their fields; abort the request.
        self.attempt.get_mut().take();
    }
}

/// Awaits `value` if it is a promise (or any thenable), else returns it.
pub async fn resolve(value: JsValue) -> Result<JsValue, JsValue> {
    let then = Reflect::get(&value, &"then".into()).unwrap_or(JsValue::UNDEFINED);
    if then.is_function() {
        JsFuture::from(js_sys::Promise::resolve(&value)).await
    } else {
        Ok(value)
    }
}

/// Reads what `onUnauthorized` returned: `None` = give up; otherwise the
/// headers to add (possibly none, e.g. `true` when a headers function will
/// produce the fresh token itself). A string is a bearer token.
fn credentials(value: &JsValue) -> Option<Vec<(String, String)>> {
    if value.as_bool() == Some(true) {
        return Some(Vec::new());
    }
    if let Some(token) = value.as_string() {
        return Some(vec![(
            "Authorization".to_owned(),
            format!("Bearer {token}"),
        )]);
    }
    if value.is_object() {
        return header_list(value).ok();
    }
    None
}
