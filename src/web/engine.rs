//! The wasm half of a client: the sans-IO core behind a narrow interface.
//!
//! An [`Engine`] holds one client's connection machine and parser. The
//! JavaScript client (`src/web/client.js`) owns everything else (handlers,
//! transports, timers, listeners, errors) and talks to its engine in plain
//! numbers:
//!
//! * **inputs** are user calls, what the transport saw, timer expiries and
//!   environment changes: [`Engine::input`] with a number for each (see
//!   [`Input`]), and [`Engine::response`] and [`Engine::feed`] for a fetch
//!   attempt's response and body;
//! * **outputs** are the machine's actions, which JavaScript drains after
//!   each input with [`Engine::next`]: a code and its argument in one
//!   number, with [`Engine::delay`] and [`Engine::error`] for the actions
//!   that say more;
//! * **the hot path**: [`Engine::feed`] parses one chunk of a fetch body and
//!   calls into JavaScript once per event, with UTF-16 offsets into the
//!   chunk's text (decoded once, in JavaScript) rather than strings.
//!
//! Failures are described to the engine by a kind and the numbers the retry
//! policy decides on; the `SSEError` objects themselves stay in JavaScript.
//! A notice that carries an error says which one through
//! [`Engine::error`]: the failure JavaScript reported last, or one the
//! engine made (idle timeout, event too large).
//!
//! Every method takes `&self`: JavaScript may call back in while a call is
//! under way (a handler that calls `close()` during [`Engine::feed`]), and
//! no borrow of its cells (`TrapCell`) is held while JavaScript runs.
//!
//! JavaScript holds an engine as a number in the npm package (`handles`,
//! wrapped in these methods by js/loader.js), and as the wasm-bindgen class
//! [`EngineObject`] in a Rust app's build (the Rust API).

use core::cell::Cell;
use core::ops::ControlFlow;

use wasm_bindgen::prelude::*;

use crate::prelude::*;

use crate::core::connection::{Action, Config, Connection, Failure, Notice, State, Timer};
use crate::core::http::{classify_response, ResponseVerdict};
use crate::core::retry::RetryOptions;
use crate::core::utf16::ChunkText;
use crate::parser::{ParseError, ParsedEvent, Parser, ParserConfig};

use super::trap_cell::TrapCell;

/// Where a fetch attempt's events go: the `Dispatcher` (runtime.js) of the
/// chunk being fed, which JavaScript names before calling [`Engine::feed`].
/// Free functions rather than methods on an object the engine holds: no
/// JavaScript object crosses into wasm, so the module needs no table of them.
#[wasm_bindgen(module = "/src/web/runtime.js")]
extern "C" {
    /// The number JavaScript gives event type `name`: 0 ([`NOBODY`]) while
    /// nobody ever subscribed to it, which the engine asks again next time;
    /// any other it keeps.
    #[wasm_bindgen(js_name = typeIndex)]
    fn type_index(name: &str) -> u32;

    /// The chunk's bytes `start..end` are the text the offsets of the
    /// coming deliveries point into (not called for a chunk that is not
    /// valid UTF-8).
    #[wasm_bindgen(js_name = setText)]
    fn set_text(start: u32, end: u32);

    /// An event whose data is `start..end` of the chunk's text; a new last
    /// event ID at `id_start..id_end`, unless `id_start` is negative.
    /// False: stop parsing (the attempt is over).
    #[wasm_bindgen(js_name = deliverSpan)]
    fn deliver_span(event_type: u32, start: u32, end: u32, id_start: i32, id_end: i32) -> bool;

    /// An event of several data lines, whose (start, end) offsets are the
    /// pairs of `offsets`; the id as for `deliver_span`.
    #[wasm_bindgen(js_name = deliverLines)]
    fn deliver_lines(event_type: u32, offsets: &[u32], id_start: i32, id_end: i32) -> bool;

    /// An event whose data (and new id, if any) cross as strings: it
    /// straddles chunks, or the chunk is not valid UTF-8.
    #[wasm_bindgen(js_name = deliverText)]
    fn deliver_text(event_type: u32, data: &str, id: Option<&str>) -> bool;

    /// The last event ID changed without an event (a block with no data).
    #[wasm_bindgen(js_name = setId)]
    fn set_id(id: &str);
}

/// The type number of event types nobody subscribed to: not delivered.
const NOBODY: u32 = 0;

/// [`Engine::next`]: nothing left to do. An action is `code | arg << 4`
/// ([`pack`]), `arg` being what the code says.
const NONE: u32 = 0;
/// Start a new attempt (drop the previous one first).
const CONNECT: u32 = 1;
/// Drop the attempt in flight without reporting it.
const ABORT: u32 = 2;
/// Start timer `arg` (0 reconnect, 1 idle) for [`Engine::delay`] ms.
const SET_TIMER: u32 = 3;
/// Cancel timer `arg`.
const CLEAR_TIMER: u32 = 4;
/// Call the `onUnauthorized` hook with the last failure, then report with
/// input 8 ([`Input::Authorized`]).
const AUTHORIZE: u32 = 5;
/// The state changed to `arg` (see [`Engine::state`]).
const STATE: u32 = 6;
/// Notice: the connection opened.
const OPEN: u32 = 7;
/// Notice: attempt `arg` follows in [`Engine::delay`] ms (-1: the transport
/// decides); the cause is the error [`Engine::error`] describes.
const RECONNECTING: u32 = 8;
/// Notice: an error, described by [`Engine::error`].
const ERROR: u32 = 9;
/// Notice: the client closed itself.
const CLOSED: u32 = 10;

/// [`Engine::error`]: the failure JavaScript reported last.
const REPORTED: u32 = 0;
/// The idle watchdog fired (`idleTimeoutMs`).
const IDLE_TIMEOUT: u32 = 1;
/// An event outgrew `maxEventSize`.
const EVENT_TOO_LARGE: u32 = 2;

/// [`Engine::response`]: the stream is open; read the body.
const VERDICT_OPEN: u32 = 0;
/// 401 or 403.
const VERDICT_UNAUTHORIZED: u32 = 1;
/// Status 200, not `text/event-stream`.
const VERDICT_CONTENT_TYPE: u32 = 2;
/// Any other status (204 included).
const VERDICT_HTTP: u32 = 3;
/// Status 200 and the right type, but no body to read.
const VERDICT_NO_BODY: u32 = 4;

/// One client's connection machine and parser. See the module docs.
pub struct Engine {
    machine: TrapCell<Connection>,
    /// `None` while a chunk is fed, and once the machine has closed.
    parser: TrapCell<Option<Parser>>,
    /// Event types and the numbers JavaScript gave them.
    types: TrapCell<Vec<(String, u32)>>,
    /// The [`Parser::id_changes`] of the last event ID JavaScript knows
    /// (fetch transport).
    known_id: Cell<u32>,
    /// Scratch for the offsets of a multi-line event's data, which
    /// JavaScript reads from wasm memory.
    line_offsets: Cell<Vec<u32>>,
    /// The last `retry:` value handed to the machine.
    server_retry: Cell<Option<u64>>,
    /// Whether the current attempt delivered an event.
    progressed: Cell<bool>,
    idle_timeout: bool,
    delay: Cell<f64>,
    error: Cell<u32>,
}

impl Engine {
    /// An idle engine. `settings`: the bytes of a `Float64Array` (wasm and
    /// every browser are little-endian) of `[maxAttempts (Infinity: no
    /// limit; 0: never retry), initialDelayMs, maxDelayMs, factor, jitter,
    /// healthyAfterMs, idleTimeoutMs (0: off), flags (1: pauseWhenHidden, 2:
    /// an `onUnauthorized` hook), maxEventSize]`, checked already
    /// (src/web/options.js); `last_event_id`: the starting last event ID,
    /// UTF-8. Bytes, as everything JavaScript hands the engine: the glue
    /// then needs one conversion (byte arrays), not one per kind.
    pub fn new(settings: &[u8], last_event_id: &[u8]) -> Engine {
        let setting = |i: usize| {
            settings
                .get(i * 8..i * 8 + 8)
                .and_then(|bytes| bytes.try_into().ok())
                .map_or(0.0, f64::from_le_bytes)
        };
        let max_attempts = setting(0);
        let retry = (max_attempts != 0.0).then(|| RetryOptions {
            max_attempts: max_attempts.is_finite().then_some(max_attempts as u32),
            initial_delay_ms: setting(1) as u32,
            max_delay_ms: setting(2) as u32,
            factor: setting(3),
            jitter: setting(4),
            healthy_after_ms: setting(5) as u32,
        });
        let idle_timeout_ms = setting(6) as u32;
        let flags = setting(7) as u32;
        let max_event_size = setting(8) as u32;
        let config = Config {
            retry,
            idle_timeout_ms: (idle_timeout_ms > 0).then_some(idle_timeout_ms),
            pause_when_hidden: flags & 1 != 0,
            has_auth_hook: flags & 2 != 0,
        };
        let mut parser = Parser::with_config(ParserConfig {
            max_event_size: max_event_size as usize,
        });
        parser.set_last_event_id(core::str::from_utf8(last_event_id).unwrap_or_default());
        let known_id = Cell::new(parser.id_changes());
        Engine {
            machine: TrapCell::new(Connection::new(config)),
            parser: TrapCell::new(Some(parser)),
            types: TrapCell::new(Vec::new()),
            known_id,
            line_offsets: Cell::new(Vec::new()),
            server_retry: Cell::new(None),
            progressed: Cell::new(false),
            idle_timeout: idle_timeout_ms > 0,
            delay: Cell::new(0.0),
            error: Cell::new(REPORTED),
        }
    }

    // ----- outputs -------------------------------------------------------

    /// The next action: `code | arg << 4`, the codes and their `arg` as
    /// listed at the top of this file; 0 when none is left. One number, not
    /// a getter per argument: each export costs the module a function and
    /// the glue a wrapper.
    pub fn next(&self) -> u32 {
        let action = self.machine.borrow_mut().poll_action();
        let Some(action) = action else { return NONE };
        match action {
            Action::Connect => {
                self.progressed.set(false);
                CONNECT
            }
            Action::Abort => ABORT,
            Action::SetTimer { timer, delay_ms } => {
                self.delay.set(f64::from(delay_ms));
                pack(SET_TIMER, timer_number(timer))
            }
            Action::ClearTimer(timer) => pack(CLEAR_TIMER, timer_number(timer)),
            Action::Authorize { .. } => AUTHORIZE,
            Action::Notify(notice) => match notice {
                Notice::StateChanged(state) => pack(STATE, state_number(state)),
                Notice::Open => OPEN,
                Notice::Reconnecting {
                    attempt,
                    delay_ms,
                    cause,
                } => {
                    self.delay.set(delay_ms.map_or(-1.0, f64::from));
                    self.describe(cause, 0);
                    pack(RECONNECTING, attempt)
                }
                Notice::Error(error) => {
                    self.describe(error, 0);
                    ERROR
                }
                Notice::RetriesExhausted { attempts, cause } => {
                    self.describe(cause, attempts);
                    ERROR
                }
                Notice::Closed => CLOSED,
            },
        }
    }

    /// Sets [`Engine::error`] for `error`, after `attempts` when the retry
    /// budget ran out (0 otherwise).
    fn describe(&self, error: Failure, attempts: u32) {
        let source = match error {
            Failure::IdleTimeout { .. } => IDLE_TIMEOUT,
            Failure::EventTooLarge { .. } => EVENT_TOO_LARGE,
            _ => REPORTED,
        };
        self.error.set(source | attempts.min(MAX_PACKED >> 2) << 2);
    }

    /// In ms: the delay of the last `SET_TIMER` or `RECONNECTING` (-1: the
    /// transport decides).
    pub fn delay(&self) -> f64 {
        self.delay.get()
    }

    /// The error of the last error or reconnecting notice: `source |
    /// attempts << 2`. `source` is whose error it is (0 the failure
    /// JavaScript reported last, 1 an idle timeout, 2 an event too large);
    /// `attempts`, when not 0, the attempts made when the retry budget ran
    /// out (the error is then `retries-exhausted`, caused by that one).
    pub fn error(&self) -> u32 {
        self.error.get()
    }

    /// The state: 0 idle, 1 connecting, 2 open, 3 reconnecting, 4 paused,
    /// 5 closed.
    pub fn state(&self) -> u32 {
        state_number(self.machine.borrow().state())
    }

    // ----- inputs ------------------------------------------------------------

    /// One input (see [`Input`] for the numbers and what `arg` means);
    /// `now` is `Date.now()`, `random` uniform in [0, 1) (the jitter). One
    /// method rather than one per input: each export costs the module a
    /// function of its own.
    pub fn input(&self, input: u32, arg: u32, now: f64, random: f64) {
        let Some(input) = Input::from_number(input) else {
            return;
        };
        if let Input::Opened = input {
            return self.opened(now);
        }
        if let Input::Ended = input {
            // An unterminated event is discarded, its id included.
            if let Some(parser) = self.parser.borrow_mut().as_mut() {
                parser.finish();
            }
        }
        let mut machine = self.machine.borrow_mut();
        match input {
            Input::Start => machine.start(now),
            Input::Stop => machine.stop(),
            Input::Close => machine.close(),
            Input::Reconnect => machine.reconnect_now(now),
            Input::Timer => {
                let timer = if arg == 0 {
                    Timer::Reconnect
                } else {
                    Timer::Idle
                };
                machine.on_timer(timer, now, random);
            }
            Input::Network => machine.on_network(arg != 0, now),
            Input::Visibility => machine.on_visibility(arg != 0, now),
            Input::Pageshow => machine.on_pageshow(now),
            // The error is JavaScript's (the 401/403 it reported).
            Input::Authorized => machine.on_authorized(arg != 0, Failure::Network, now),
            Input::Opened => {}
            Input::Ended => machine.on_failure(Failure::StreamEnded, now, random),
            Input::Failed => {
                // The messages are JavaScript's.
                let error = if arg == 0 {
                    Failure::Network
                } else {
                    Failure::Fatal
                };
                machine.on_failure(error, now, random);
            }
            Input::Lost => machine.on_transport_reconnecting(Failure::Network, now, random),
            Input::Activity => machine.on_activity(now),
            Input::Progress => machine.on_progress(),
        }
        drop(machine);
        if let Input::Close = input {
            self.release();
        }
    }

    // ----- the transports ----------------------------------------------------

    /// The response of a fetch attempt arrived, with its `Content-Type` as
    /// UTF-8 bytes (empty when absent) and the delay its `Retry-After` asks
    /// for, in ms (-1: none, or not valid; `retryAfterMs` in runtime.js
    /// reads it). Returns a verdict: 0 open (read the body), 1
    /// unauthorized, 2 wrong content type, 3 another status, 4 no body to
    /// read. Anything but 0 has been reported as the attempt's failure: make
    /// its `SSEError` before draining the actions.
    pub fn response(
        &self,
        status: u16,
        content_type: &[u8],
        retry_after_ms: f64,
        has_body: bool,
        now: f64,
        random: f64,
    ) -> u32 {
        // UTF-8, as JavaScript encodes it: an empty value for a missing
        // header reads as the missing header does, and neither can be an
        // event stream.
        let content_type = core::str::from_utf8(content_type).ok();
        let failure = match classify_response(status, content_type) {
            ResponseVerdict::Open if has_body => {
                self.opened(now);
                return VERDICT_OPEN;
            }
            ResponseVerdict::Open => (VERDICT_NO_BODY, Failure::Network),
            ResponseVerdict::Unauthorized { status } => {
                (VERDICT_UNAUTHORIZED, Failure::Unauthorized { status })
            }
            ResponseVerdict::WrongContentType => (VERDICT_CONTENT_TYPE, Failure::ContentType),
            ResponseVerdict::NoContent | ResponseVerdict::Failed { .. } => {
                let error = Failure::Http {
                    status,
                    // Saturated at `u32::MAX` (`as` does), as the field asks.
                    retry_after_ms: (retry_after_ms >= 0.0).then_some(retry_after_ms as u32),
                };
                (VERDICT_HTTP, error)
            }
        };
        self.machine.borrow_mut().on_failure(failure.1, now, random);
        failure.0
    }

    /// The connection opened: a fetch response was accepted, or a native
    /// EventSource opened (also after reconnecting by itself).
    fn opened(&self, now: f64) {
        if let Some(parser) = self.parser.borrow_mut().as_mut() {
            parser.reset();
        }
        self.machine.borrow_mut().on_open(now);
    }

    /// Feeds one chunk of the body to the parser and delivers its events.
    /// Returns false once the attempt is over (a delivery said so): stop
    /// reading then.
    pub fn feed(&self, chunk: &[u8], now: f64) -> bool {
        if self.idle_timeout {
            self.machine.borrow_mut().on_activity(now);
        }
        let Some(mut parser) = self.parser.borrow_mut().take() else {
            return false;
        };
        let mut text = ChunkText::new(chunk);
        if let Some(text) = &text {
            set_text(text.region.0 as u32, text.region.1 as u32);
        }
        let mut line_offsets = self.line_offsets.take();
        let mut events = 0u32;
        let mut live = true;
        let result = parser.feed(chunk, |event| {
            events += 1;
            live = self.deliver(event, text.as_mut(), &mut line_offsets);
            if live {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        });
        if live && self.known_id.get() != parser.id_changes() {
            // A block with an id and no data still sets the last event ID.
            self.known_id.set(parser.id_changes());
            set_id(parser.last_event_id());
        }
        let retry = parser.retry();
        if self.machine.borrow().state() != State::Closed {
            // A handler may have closed the client: then the buffers go.
            *self.parser.borrow_mut() = Some(parser);
            self.line_offsets.set(line_offsets);
        }
        if !live {
            return false;
        }
        let mut machine = self.machine.borrow_mut();
        if events > 0 && !self.progressed.replace(true) {
            machine.on_progress();
        }
        if retry.is_some() && retry != self.server_retry.get() {
            self.server_retry.set(retry);
            machine.on_server_retry(retry.unwrap_or_default());
        }
        if let Err(ParseError::EventTooLarge { limit, events }) = result {
            // One error per refused event, even when one read held several.
            for _ in 0..events {
                machine.on_data_error(Failure::EventTooLarge { limit });
            }
        }
        true
    }

    // ----- the hot path ------------------------------------------------------

    /// Hands one event to JavaScript: one call, with offsets when the
    /// event's data (and its new id) lie in the chunk's text.
    fn deliver(
        &self,
        event: ParsedEvent<'_>,
        mut text: Option<&mut ChunkText<'_>>,
        line_offsets: &mut Vec<u32>,
    ) -> bool {
        let event_type = self.type_number(event.event_type);
        if event_type == NOBODY {
            // JavaScript learns the id with the next event it is given, or
            // at the end of the chunk.
            return true;
        }
        let id_changed = self.known_id.replace(event.id_changes) != event.id_changes;
        let mut offsets = |span| text.as_mut().and_then(|text| text.offsets(span));
        let id_span = if id_changed {
            event.id_span.and_then(&mut offsets)
        } else {
            None
        };
        let (id_start, id_end) = id_span.map_or((-1, -1), |(s, e)| (s as i32, e as i32));
        // With offsets when they exist for the data and the new id; `None`
        // falls back to strings, at one call site.
        let by_offsets = match event.data_spans {
            Some(&[span]) if id_changed == id_span.is_some() => offsets(span)
                .map(|(start, end)| deliver_span(event_type, start, end, id_start, id_end)),
            Some(spans) if id_changed == id_span.is_some() => {
                line_offsets.clear();
                let all = spans.iter().try_for_each(|&span| {
                    let (start, end) = offsets(span)?;
                    line_offsets.extend([start, end]);
                    Some(())
                });
                all.map(|()| deliver_lines(event_type, line_offsets, id_start, id_end))
            }
            _ => None,
        };
        by_offsets.unwrap_or_else(|| {
            let id = (id_changed && id_span.is_none()).then_some(event.last_event_id);
            deliver_text(event_type, &event.data(), id)
        })
    }

    /// The number JavaScript gave `name`, asked until it is not
    /// [`NOBODY`]: so only types someone subscribed to are kept, however
    /// many a hostile stream makes up.
    fn type_number(&self, name: &str) -> u32 {
        if let Some(&(_, number)) = self.types.borrow().iter().find(|(n, _)| n == name) {
            return number;
        }
        let number = type_index(name);
        if number != NOBODY {
            self.types.borrow_mut().push((String::from(name), number));
        }
        number
    }

    /// Lets go of what a closed engine no longer needs: linear memory never
    /// shrinks, so buffers kept until the next garbage collection would add
    /// up over many short-lived clients.
    fn release(&self) {
        self.parser.borrow_mut().take();
        self.line_offsets.take();
        self.types.borrow_mut().clear();
    }
}

/// The largest `arg` an action carries (and `attempts` in [`Engine::error`],
/// less 2 bits): an attempt number beyond it reads as this one.
const MAX_PACKED: u32 = u32::MAX >> 4;

/// An action and its argument in one number.
fn pack(code: u32, arg: u32) -> u32 {
    code | arg.min(MAX_PACKED) << 4
}

fn timer_number(timer: Timer) -> u32 {
    match timer {
        Timer::Reconnect => 0,
        Timer::Idle => 1,
    }
}

fn state_number(state: State) -> u32 {
    match state {
        State::Idle => 0,
        State::Connecting => 1,
        State::Open => 2,
        State::Reconnecting => 3,
        State::Paused => 4,
        State::Closed => 5,
    }
}

/// An [`Engine`] as the object JavaScript's `Client` drives, in a Rust
/// app's build (the Rust API): a wasm-bindgen class, which that build does
/// not mind the size of. The npm package's build hands JavaScript handles
/// instead (`handles`), and wraps them in the same methods (js/loader.js).
#[cfg(feature = "std")]
#[wasm_bindgen(js_name = Engine)]
pub struct EngineObject(Engine);

#[cfg(feature = "std")]
#[wasm_bindgen(js_class = Engine)]
impl EngineObject {
    /// [`Engine::next`].
    pub fn next(&self) -> u32 {
        self.0.next()
    }

    /// [`Engine::delay`].
    #[wasm_bindgen(getter)]
    pub fn delay(&self) -> f64 {
        self.0.delay()
    }

    /// [`Engine::error`].
    #[wasm_bindgen(getter)]
    pub fn error(&self) -> u32 {
        self.0.error()
    }

    /// [`Engine::state`].
    pub fn state(&self) -> u32 {
        self.0.state()
    }

    /// [`Engine::input`].
    pub fn input(&self, input: u32, arg: u32, now: f64, random: f64) {
        self.0.input(input, arg, now, random);
    }

    /// [`Engine::response`].
    pub fn response(
        &self,
        status: u16,
        content_type: &[u8],
        retry_after_ms: f64,
        has_body: bool,
        now: f64,
        random: f64,
    ) -> u32 {
        self.0
            .response(status, content_type, retry_after_ms, has_body, now, random)
    }

    /// [`Engine::feed`].
    pub fn feed(&self, chunk: &[u8], now: f64) -> bool {
        self.0.feed(chunk, now)
    }
}

/// [`Engine::new`], as a function JavaScript can call.
#[cfg(feature = "std")]
type MakeEngine = dyn Fn(Box<[u8]>, Box<[u8]>) -> EngineObject;

#[cfg(feature = "std")]
thread_local! {
    /// The engine factory handed to JavaScript clients made from Rust.
    static FACTORY: Closure<MakeEngine> = Closure::new(|settings: Box<[u8]>, id: Box<[u8]>| {
        EngineObject(Engine::new(&settings, &id))
    });
}

/// `makeEngine` for a JavaScript `Client` made from Rust (`SseClient`,
/// the Rust API): a function with [`Engine::new`]'s arguments returning a
/// new engine. One function for the life of the module.
#[cfg(feature = "std")]
pub fn engine_factory() -> js_sys::Function {
    FACTORY.with(|factory| factory.as_ref().unchecked_ref::<js_sys::Function>().clone())
}

/// The inputs of [`Engine::input`], by number (src/web/client.js has the
/// same list).
#[derive(Clone, Copy)]
enum Input {
    /// 0: the first subscription: connect (lazily).
    Start,
    /// 1: the last subscription went: disconnect, stay reusable.
    Stop,
    /// 2: `close()`: disconnect for good, let go of the parser's buffers.
    Close,
    /// 3: `reconnect()`: drop the connection and connect again at once.
    Reconnect,
    /// 4: timer `arg` (0 reconnect, 1 idle) fired.
    Timer,
    /// 5: `online` (`arg` 1) or `offline` (0).
    Network,
    /// 6: `visibilitychange`; `arg` 1 when hidden.
    Visibility,
    /// 7: `pageshow`.
    Pageshow,
    /// 8: the `onUnauthorized` hook answered: `arg` 1 renewed the
    /// credentials (reconnect at once), 0 did not (close with the 401/403).
    Authorized,
    /// 9: the connection opened: a native EventSource opened (also after
    /// reconnecting by itself). A fetch response goes to `response`.
    Opened,
    /// 10: the body ended: an unterminated event is discarded and the
    /// connection counts as failed.
    Ended,
    /// 11: the attempt failed: `arg` 0 a network error, retried (also a
    /// `headers` function that threw, a native EventSource that gave up);
    /// 1 what no retry mends (the browser refused to build the request, a
    /// `headers` function returned bad headers): the client closes.
    Failed,
    /// 12: the native EventSource lost its connection and reconnects by
    /// itself.
    Lost,
    /// 13: bytes arrived on a native EventSource, last at `now` (the idle
    /// watchdog asks before deciding).
    Activity,
    /// 14: the attempt delivered an event: its failure will not use up the
    /// retry budget.
    Progress,
}

impl Input {
    /// The input numbered `input`; `None` for an unknown number. Its `arg`
    /// is read where it is used: inputs that carry no payload match the
    /// numbers one to one, so this compiles to a range check.
    fn from_number(input: u32) -> Option<Self> {
        Some(match input {
            0 => Self::Start,
            1 => Self::Stop,
            2 => Self::Close,
            3 => Self::Reconnect,
            4 => Self::Timer,
            5 => Self::Network,
            6 => Self::Visibility,
            7 => Self::Pageshow,
            8 => Self::Authorized,
            9 => Self::Opened,
            10 => Self::Ended,
            11 => Self::Failed,
            12 => Self::Lost,
            13 => Self::Activity,
            14 => Self::Progress,
            _ => return None,
        })
    }
}
