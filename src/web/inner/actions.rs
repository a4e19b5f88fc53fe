//! Carries out what the connection machine asks: connect, abort, timers,
//! the auth hook, and the notices for the user's callbacks.

use std::borrow::Cow;

use gloo_timers::callback::Timeout;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use super::sink::AttemptSink;
use super::ClientInner;
use crate::core::connection::{Action, Notice, State, Timer};
use crate::error::Error;
use crate::web::error::{json_error_from_js, to_js};
use crate::web::options::Transport;
use crate::web::registry::Lifecycle;
use crate::web::sys;
use crate::web::transport::eventsource::EventSourceAttempt;
use crate::web::transport::Attempt;

impl ClientInner {
    /// Carries out the machine's actions until none is left. Re-entrant:
    /// a callback may call `close()`, which empties the queue.
    pub(super) fn drive(&self) {
        loop {
            let action = self.machine.borrow_mut().poll_action();
            let Some(action) = action else { break };
            match action {
                Action::Connect => self.connect(),
                Action::Abort => self.abort_attempt(),
                Action::SetTimer { timer, delay_ms } => self.set_timer(timer, delay_ms),
                Action::ClearTimer(timer) => self.timers.borrow_mut()[timer as usize] = None,
                Action::Authorize { error } => self.authorize(error),
                Action::Notify(notice) => self.notify(notice),
            }
        }
    }

    /// Starts a new attempt over the client's transport.
    fn connect(&self) {
        self.abort_attempt();
        self.progressed.set(false);
        let sink = AttemptSink::new(self.weak.clone(), self.generation.get());
        match self.options.transport {
            Transport::EventSource => {
                let request = self.request(Vec::new());
                let track_activity = self.options.idle_timeout_ms.is_some();
                match EventSourceAttempt::start(&request, &self.dispatcher, track_activity, sink) {
                    Ok(source) => *self.attempt.borrow_mut() = Some(Attempt::EventSource(source)),
                    Err(error) => self.on_failure(error),
                }
            }
            Transport::Fetch | Transport::Auto => self.start_fetch(sink),
        }
    }

    /// Drops the attempt in flight (aborting it) and moves to a new
    /// generation, so nothing the old attempt reports is heard.
    fn abort_attempt(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
        let attempt = self.attempt.borrow_mut().take();
        drop(attempt);
    }

    fn set_timer(&self, timer: Timer, delay_ms: u32) {
        let weak = self.weak.clone();
        let timeout = Timeout::new(delay_ms.min(i32::MAX as u32), move || {
            let Some(inner) = weak.upgrade() else { return };
            // The native transport sees its events in JavaScript: ask it
            // when the last one came, and whether any did, before the
            // watchdog decides.
            let activity = match timer {
                Timer::Idle => inner.attempt.borrow().as_ref().and_then(Attempt::activity),
                Timer::Reconnect => None,
            };
            inner.input(|machine| {
                if let Some(activity) = activity {
                    machine.on_activity(activity.last_ms);
                    if activity.delivered {
                        machine.on_progress();
                    }
                }
                machine.on_timer(timer, sys::now(), js_sys::Math::random());
            });
        });
        self.timers.borrow_mut()[timer as usize] = Some(timeout);
    }

    /// Calls the callbacks that hear `notice`.
    fn notify(&self, notice: Notice) {
        if self.closed_by_user.get() {
            return;
        }
        if notice == Notice::Closed {
            self.environment.borrow_mut().clear();
        }
        self.emit(
            Lifecycle::of(&notice),
            || notice_to_js(&notice),
            || Cow::Borrowed(&notice),
        );
        if notice == Notice::Closed {
            // The client closed itself (a fatal error, the retry budget).
            self.release_closed_state();
        }
    }

    /// An error built on the JS side (data that is not JSON): tell the
    /// `error` callbacks, unless the client is closed or idle.
    pub(super) fn emit_error_value(&self, error: &JsValue) {
        if self.closed_by_user.get() || matches!(self.state(), State::Idle | State::Closed) {
            return;
        }
        self.emit(
            Lifecycle::Error,
            || error.clone(),
            || Cow::Owned(Notice::Error(json_error_from_js(error))),
        );
    }

    /// Calls the `kind` callbacks, the JavaScript ones with `js()` and the
    /// Rust ones with `rust()`; each value is made only if someone listens.
    /// No borrow is held while they run.
    fn emit<'a>(
        &self,
        kind: Lifecycle,
        js: impl FnOnce() -> JsValue,
        rust: impl FnOnce() -> Cow<'a, Notice>,
    ) {
        let callbacks = self.registry.borrow().callbacks(kind);
        if let Some(list) = &callbacks.js {
            sys::emit(list, &js());
        }
        if !callbacks.rust.is_empty() {
            let notice = rust();
            for callback in callbacks.rust {
                callback.call(&notice);
            }
        }
    }

    /// The machine's input for a failed attempt.
    pub(super) fn on_failure(&self, error: Error) {
        self.input(|machine| machine.on_failure(error, sys::now(), js_sys::Math::random()));
    }
}

/// The value JavaScript callbacks receive for `notice`.
fn notice_to_js(notice: &Notice) -> JsValue {
    match notice {
        Notice::StateChanged(state) => state.as_str().into(),
        Notice::Open | Notice::Closed => JsValue::UNDEFINED,
        Notice::Reconnecting {
            attempt,
            delay_ms,
            cause,
        } => {
            let info = Object::new();
            let delay = delay_ms.map_or(JsValue::NULL, JsValue::from);
            let _ = Reflect::set(&info, &"attempt".into(), &(*attempt).into());
            let _ = Reflect::set(&info, &"delayMs".into(), &delay);
            let _ = Reflect::set(&info, &"error".into(), &to_js(cause));
            info.into()
        }
        Notice::Error(error) => to_js(error),
    }
}
