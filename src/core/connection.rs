//! The connection state machine, sans-IO.
//!
//! Inputs are user calls ([`Connection::start`], [`Connection::close`]),
//! transport outcomes ([`Connection::on_open`], [`Connection::on_failure`],
//! [`Connection::on_transport_reconnecting`]), timer expiries and
//! environment changes (online, visibility). Outputs are
//! [`Action`]s, drained with [`Connection::poll_action`]: connect, abort, set
//! or clear a timer, ask the auth hook, notify the user. Time and randomness
//! are inputs too, so every transition is deterministic under test.
//!
//! The machine never sees event bytes: the parser runs beside it in the
//! transport's read loop, and only liveness ([`Connection::on_activity`]),
//! progress ([`Connection::on_progress`]) and the server's `retry:` value
//! ([`Connection::on_server_retry`]) reach it.
//!
//! Two kinds of reconnection exist. Ours: the attempt fails, the machine
//! aborts it and schedules a [`Timer::Reconnect`]. The transport's own: the
//! native `EventSource` reconnects by itself after a network error or a
//! clean end, sending `Last-Event-ID` and honouring `retry:`; the machine
//! then only counts the attempt against the budget and waits for the
//! transport to report that it opened again (or to fail for good).

use alloc::vec::Vec;

use crate::core::retry::{self, Backoff, Decision, GiveUp, RetryOptions, MAX_TIMER_DELAY_MS};

/// How much longer than the longest `retry:` it honours a transport that
/// reconnects by itself may take to reopen before the machine reconnects in
/// its place (see [`Connection::on_transport_reconnecting`]): time for the
/// request itself.
pub const TRANSPORT_RECONNECT_SLACK_MS: u32 = 10_000;

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No subscription yet (or none left): nothing is connected.
    Idle,
    /// A request is in flight, waiting for the response.
    Connecting,
    /// The response was accepted; events flow.
    Open,
    /// A failure happened; a reconnect is scheduled (or waits for the
    /// network to come back).
    Reconnecting,
    /// `pauseWhenHidden`: disconnected while the page is hidden.
    Paused,
    /// Closed for good: by `close()`, a fatal error or an exhausted budget.
    Closed,
}

impl State {
    /// The `EventSource.readyState` this maps to: 0 connecting (also while a
    /// reconnect is pending or paused), 1 open, 2 closed (also idle).
    pub fn ready_state(self) -> u16 {
        match self {
            State::Connecting | State::Reconnecting | State::Paused => 0,
            State::Open => 1,
            State::Idle | State::Closed => 2,
        }
    }

    /// The lower-case name used by the JavaScript `status` getter.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Connecting => "connecting",
            State::Open => "open",
            State::Reconnecting => "reconnecting",
            State::Paused => "paused",
            State::Closed => "closed",
        }
    }
}

/// What went wrong, as far as the machine and its shell tell failures apart.
///
/// No messages, headers or causes: the shell (the JavaScript client) makes
/// the user's error objects, and the Rust API's rich `Error` is made from
/// those. Only what a decision rests on is here: whether the failure is
/// retried at all, the status and `Retry-After` of a response, and whose
/// error it is. `Copy`, so the machine's queue holds no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The request failed without a response, or the body broke off.
    /// Retried.
    Network,
    /// The server ended the response. Retried.
    StreamEnded,
    /// A status other than 200, 401 and 403 (204 included: it means "stop
    /// reconnecting"). Retried for 408, 429 and 5xx.
    Http {
        /// The HTTP status code.
        status: u16,
        /// `Retry-After` in milliseconds, if the server sent a valid one;
        /// saturated at `u32::MAX` (49 days): the policy caps it at
        /// [`retry::MAX_SERVER_DELAY_MS`] anyway, and a 32-bit field keeps
        /// [`Action`] small.
        retry_after_ms: Option<u32>,
    },
    /// 401 or 403: handed to the `onUnauthorized` hook, if any, once per
    /// run; never retried otherwise.
    Unauthorized {
        /// 401 or 403.
        status: u16,
    },
    /// Status 200 but not `text/event-stream`. Not retried.
    ContentType,
    /// No byte arrived for `idle_ms` (the idle watchdog). Retried.
    IdleTimeout {
        /// The configured idle timeout.
        idle_ms: u32,
    },
    /// An event outgrew the `maxEventSize` cap: a data error, which ends
    /// nothing ([`Connection::on_data_error`]).
    EventTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// What no retry mends (the request could not even be built): the
    /// client closes.
    Fatal,
}

impl Failure {
    /// How the retry policy sees it: whether it may be retried (as
    /// [`retry::Failure::is_retryable`] says of its classification) and the
    /// `Retry-After` the policy honours. Classified here, not by making a
    /// [`retry::Failure`]: the machine asks before the policy does (an
    /// offline failure waits for the network), and one answer serves both.
    fn retry_terms(self) -> (bool, Option<u64>) {
        match self {
            Failure::Network | Failure::StreamEnded | Failure::IdleTimeout { .. } => (true, None),
            Failure::Http {
                status,
                retry_after_ms,
            } => (
                retry::is_retryable_status(status),
                retry::honoured_retry_after_ms(status, retry_after_ms.map(u64::from)),
            ),
            Failure::Unauthorized { status } => (retry::is_retryable_status(status), None),
            // `ContentType` never mends itself; `EventTooLarge` and `Fatal`
            // are our own decision to stop, as an abort is.
            Failure::ContentType | Failure::EventTooLarge { .. } | Failure::Fatal => (false, None),
        }
    }
}

/// The timers the machine asks for; at most one of each kind runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The wait before the next connection attempt.
    Reconnect,
    /// The idle watchdog (`idleTimeoutMs`).
    Idle,
}

/// What the machine asks the shell to do, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Start a new connection attempt (the shell first drops any previous
    /// one and resets the parser, keeping the last event ID).
    Connect,
    /// Abort the attempt in flight, if any, without reporting it.
    Abort,
    /// Start (or restart) a timer.
    SetTimer {
        /// Which timer.
        timer: Timer,
        /// Delay in milliseconds, already clamped for `setTimeout`.
        delay_ms: u32,
    },
    /// Cancel a timer if it runs.
    ClearTimer(Timer),
    /// Call the `onUnauthorized` hook, then report with
    /// [`Connection::on_authorized`].
    Authorize {
        /// The 401/403 that triggered it.
        error: Failure,
    },
    /// Tell the user.
    Notify(Notice),
}

/// Lifecycle notifications for the user's callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The state changed.
    StateChanged(State),
    /// A response was accepted.
    Open,
    /// A connection failed and will be retried.
    Reconnecting {
        /// The number of the attempt that will be made.
        attempt: u32,
        /// How long until then; `None` when the transport reconnects by
        /// itself and does not say (the native `EventSource`).
        delay_ms: Option<u32>,
        /// Why the connection failed.
        cause: Failure,
    },
    /// An error the user should handle: fatal ones are followed by
    /// [`Notice::Closed`]; data errors (event too large) are not.
    Error(Failure),
    /// The retry budget ran out; [`Notice::Closed`] follows.
    RetriesExhausted {
        /// How many connection attempts were made, the first included.
        attempts: u32,
        /// The last failure.
        cause: Failure,
    },
    /// The client closed itself (fatal error, exhausted budget). Not sent
    /// for [`Connection::close`] (the user's `close()` or AbortSignal).
    Closed,
}

/// The machine's settings (validated options).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// Retry policy; `None` means `retry: false`.
    pub retry: Option<RetryOptions>,
    /// Idle watchdog; `None` means off.
    pub idle_timeout_ms: Option<u32>,
    /// Disconnect while the page is hidden.
    pub pause_when_hidden: bool,
    /// Whether an `onUnauthorized` hook exists.
    pub has_auth_hook: bool,
}

/// The connection state machine. See the module docs.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    state: State,
    backoff: Backoff,
    /// The queued actions: `actions[read..]`, oldest first. A `Vec` and a
    /// read index rather than a `VecDeque` (whose growth code costs the
    /// wasm more): the `Vec` is emptied whenever its last action is taken,
    /// and the shell drains the queue after every input, so it stays as
    /// short as a ring would.
    actions: Vec<Action>,
    /// How many of `actions` were taken already.
    read: usize,
    online: bool,
    hidden: bool,
    /// Offline during a failure: the next attempt waits for `online`
    /// instead of a timer, and burns no budget.
    waiting_for_network: bool,
    /// One immediate retry per run of 401/403s, so a hook that hands out
    /// bad tokens cannot loop.
    auth_retry_used: bool,
    /// The transport reconnects by itself; the only timer running is the
    /// reconnect timer that bounds its wait. Only ever true in
    /// `Reconnecting`: every way out of it (`connect`, `disconnect`,
    /// `on_open`) clears it.
    transport_retrying: bool,
    last_activity_ms: f64,
}

impl Connection {
    /// A new machine, idle.
    pub fn new(config: Config) -> Self {
        Self {
            backoff: Backoff::new(config.retry),
            config,
            state: State::Idle,
            actions: Vec::new(),
            read: 0,
            online: true,
            hidden: false,
            waiting_for_network: false,
            auth_retry_used: false,
            transport_retrying: false,
            last_activity_ms: 0.0,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The next action to carry out, oldest first.
    pub fn poll_action(&mut self) -> Option<Action> {
        let action = self.actions.get(self.read).copied();
        self.read += 1;
        if self.read >= self.actions.len() {
            self.actions.clear();
            self.read = 0;
        }
        action
    }

    /// First subscription: connect, unless already connected or closed.
    pub fn start(&mut self, now_ms: f64) {
        if self.state == State::Idle {
            if self.hidden && self.config.pause_when_hidden {
                self.set_state(State::Paused);
            } else {
                self.connect(now_ms);
            }
        }
    }

    /// Last subscription gone: disconnect and go idle, dropping queued
    /// notices; only the change to [`State::Idle`] is notified. A later
    /// [`Connection::start`] reconnects (keeping the last event ID).
    pub fn stop(&mut self) {
        if !matches!(self.state, State::Idle | State::Closed) {
            self.shut_down(State::Idle);
        }
    }

    /// `close()` or the user's AbortSignal: disconnect for good, dropping
    /// queued notices. Only the change to [`State::Closed`] is notified
    /// (the shell delivers it before `close()` returns); nothing after it.
    /// Closing is the caller's decision, so no error and no
    /// [`Notice::Closed`] is sent.
    pub fn close(&mut self) {
        if self.state != State::Closed {
            self.shut_down(State::Closed);
        }
    }

    /// Drops the queued actions (notices included: nothing the user has not
    /// heard yet is told after this) and the connection, then moves to
    /// `state`, which alone is notified.
    fn shut_down(&mut self, state: State) {
        self.actions.clear();
        self.read = 0;
        self.disconnect();
        self.set_state(state);
    }

    /// The user asked to reconnect now: abort whatever runs, forget past
    /// failures, connect at once. Ignored when idle or closed.
    pub fn reconnect_now(&mut self, now_ms: f64) {
        if !matches!(self.state, State::Idle | State::Closed) {
            self.disconnect();
            self.backoff.reset();
            self.connect(now_ms);
        }
    }

    /// The response was accepted (status 200, `text/event-stream`), also
    /// when the transport reconnected by itself.
    pub fn on_open(&mut self, now_ms: f64) {
        if self.transport_retrying {
            // The transport reopened by itself: its bound goes, and the idle
            // watchdog (stopped while it reconnected) runs again.
            self.push(Action::ClearTimer(Timer::Reconnect));
            self.arm_idle_timer();
        } else if self.state != State::Connecting {
            return;
        }
        self.transport_retrying = false;
        self.backoff.on_open(now_ms);
        self.auth_retry_used = false;
        self.last_activity_ms = now_ms;
        self.set_state(State::Open);
        self.notify(Notice::Open);
    }

    /// The current connection delivered an event: its failure will not use
    /// up the attempt budget (see [`Backoff::on_progress`]).
    pub fn on_progress(&mut self) {
        if self.state == State::Open {
            self.backoff.on_progress();
        }
    }

    /// Bytes arrived (comments included): the connection is alive.
    pub fn on_activity(&mut self, now_ms: f64) {
        self.last_activity_ms = now_ms;
    }

    /// The stream's `retry:` field set the reconnection time.
    pub fn on_server_retry(&mut self, retry_ms: u64) {
        self.backoff.set_server_retry(retry_ms);
    }

    /// A data error that does not end the connection (event too large):
    /// notify only.
    pub fn on_data_error(&mut self, error: Failure) {
        if !matches!(self.state, State::Idle | State::Closed) {
            self.notify(Notice::Error(error));
        }
    }

    /// The attempt or the open connection failed. Decides between an auth
    /// retry, a scheduled reconnect, waiting for the network, and giving up.
    /// `random` is uniform in `[0, 1)` (jitter).
    pub fn on_failure(&mut self, error: Failure, now_ms: f64, random: f64) {
        self.fail(error, now_ms, random, false);
    }

    /// The transport lost its connection and reconnects by itself (the
    /// native `EventSource` after a network error or a clean end). The
    /// attempt counts against the budget as any failure does; when the
    /// budget is spent, the transport is aborted and the client closes.
    ///
    /// The transport reports [`Connection::on_open`] or
    /// [`Connection::on_failure`] next. It waits the server's `retry:`
    /// unchecked, so a reconnect timer bounds it: if the transport has not
    /// reopened within [`Backoff::server_delay_cap_ms`] plus
    /// [`TRANSPORT_RECONNECT_SLACK_MS`], the timer aborts it and connects
    /// anew (a `retry: 99999999999999999999` would otherwise silence the
    /// client for 24.8 days).
    pub fn on_transport_reconnecting(&mut self, error: Failure, now_ms: f64, random: f64) {
        self.fail(error, now_ms, random, true);
    }

    /// [`Connection::on_failure`] (`by_transport` false) and
    /// [`Connection::on_transport_reconnecting`] (true) in one body, so the
    /// wasm holds the decision once. They differ in what happens to the
    /// connection: ours is aborted at once and replaced after a timer; the
    /// transport's own is left running (only the idle watchdog stops) and
    /// the timer only bounds its wait, so it is aborted only on giving up.
    fn fail(&mut self, error: Failure, now_ms: f64, random: f64, by_transport: bool) {
        if !self.has_connection() {
            return; // a late report from an attempt we already left
        }
        if by_transport {
            self.push(Action::ClearTimer(Timer::Idle));
        } else {
            self.disconnect();
            if let Failure::Unauthorized { .. } = error {
                if self.config.has_auth_hook && !self.auth_retry_used {
                    self.auth_retry_used = true;
                    self.set_state(State::Reconnecting);
                    self.push(Action::Authorize { error });
                    return;
                }
            }
        }

        let (retryable, retry_after_ms) = error.retry_terms();
        if !self.online && retryable {
            // Offline: our reconnect waits for `online`; the browser keeps
            // trying by itself. Nothing is counted.
            if by_transport {
                self.transport_retrying = true;
            } else {
                self.waiting_for_network = true;
            }
            self.set_state(State::Reconnecting);
            return;
        }

        match self
            .backoff
            .decide(retryable, retry_after_ms, now_ms, random)
        {
            Decision::Retry { attempt, delay_ms } => {
                // `disconnect` cleared it for our own failures.
                self.transport_retrying = by_transport;
                self.set_state(State::Reconnecting);
                let timer_delay_ms = if by_transport {
                    self.backoff
                        .server_delay_cap_ms()
                        .saturating_add(TRANSPORT_RECONNECT_SLACK_MS)
                        .min(MAX_TIMER_DELAY_MS)
                } else {
                    delay_ms
                };
                self.push(Action::SetTimer {
                    timer: Timer::Reconnect,
                    delay_ms: timer_delay_ms,
                });
                self.notify(Notice::Reconnecting {
                    attempt,
                    // The transport does not say how long it waits.
                    delay_ms: (!by_transport).then_some(delay_ms),
                    cause: error,
                });
            }
            Decision::GiveUp(give_up) => {
                if by_transport {
                    self.disconnect();
                }
                self.give_up(give_up, error);
            }
        }
    }

    /// Closes for good after the policy gave up on `error`.
    fn give_up(&mut self, give_up: GiveUp, error: Failure) {
        self.set_state(State::Closed);
        self.notify(match give_up {
            GiveUp::Exhausted { attempts } => Notice::RetriesExhausted {
                attempts,
                cause: error,
            },
            GiveUp::NotRetryable | GiveUp::Disabled => Notice::Error(error),
        });
        self.notify(Notice::Closed);
    }

    /// The `onUnauthorized` hook answered: `renewed` means it supplied new
    /// credentials, so reconnect at once; otherwise close with `error`.
    pub fn on_authorized(&mut self, renewed: bool, error: Failure, now_ms: f64) {
        if self.state != State::Reconnecting {
            return;
        }
        if renewed {
            self.connect(now_ms);
        } else {
            self.give_up(GiveUp::NotRetryable, error);
        }
    }

    /// A timer fired.
    pub fn on_timer(&mut self, timer: Timer, now_ms: f64, random: f64) {
        match timer {
            Timer::Reconnect
                if self.transport_retrying
                    || (self.state == State::Reconnecting && !self.waiting_for_network) =>
            {
                if self.transport_retrying {
                    // The transport's own reconnect overran its bound.
                    self.disconnect();
                }
                self.connect(now_ms);
            }
            Timer::Idle if matches!(self.state, State::Connecting | State::Open) => {
                let Some(idle_ms) = self.config.idle_timeout_ms else {
                    return;
                };
                let quiet_ms = now_ms - self.last_activity_ms;
                if quiet_ms >= f64::from(idle_ms) {
                    self.on_failure(Failure::IdleTimeout { idle_ms }, now_ms, random);
                } else {
                    // Bytes came since the timer was set: wait out the rest.
                    let rest = retry::ceil_ms(f64::from(idle_ms) - quiet_ms);
                    self.push(Action::SetTimer {
                        timer: Timer::Idle,
                        delay_ms: rest.max(1),
                    });
                }
            }
            _ => {}
        }
    }

    /// The browser's `online`/`offline` events. Offline: a pending reconnect
    /// waits for the network instead of burning attempts. Online: reconnect
    /// at once if the stream is down.
    pub fn on_network(&mut self, online: bool, now_ms: f64) {
        self.online = online;
        if self.state != State::Reconnecting || self.transport_retrying {
            return; // the transport's own reconnection watches the network
        }
        self.waiting_for_network = !online;
        self.push(Action::ClearTimer(Timer::Reconnect));
        if online {
            self.connect(now_ms);
        }
    }

    /// Page visibility changed. With `pauseWhenHidden`, hiding disconnects
    /// and showing reconnects at once (with the last event ID).
    pub fn on_visibility(&mut self, hidden: bool, now_ms: f64) {
        self.hidden = hidden;
        if !self.config.pause_when_hidden {
            return;
        }
        match (hidden, self.state) {
            (true, State::Connecting | State::Open | State::Reconnecting) => {
                self.disconnect();
                self.waiting_for_network = false;
                self.set_state(State::Paused);
            }
            (false, State::Paused) => self.connect(now_ms),
            _ => {}
        }
    }

    /// `pageshow` (back/forward cache restore): reconnect at once if the
    /// stream is down and nothing else holds it back.
    pub fn on_pageshow(&mut self, now_ms: f64) {
        // What coming online does, when online already.
        if self.online {
            self.on_network(true, now_ms);
        }
    }

    /// Starts a connection attempt (with the idle watchdog, if any).
    fn connect(&mut self, now_ms: f64) {
        self.set_state(State::Connecting);
        self.last_activity_ms = now_ms;
        self.push(Action::Connect);
        self.arm_idle_timer();
    }

    /// Starts the idle watchdog, if `idleTimeoutMs` asks for one.
    fn arm_idle_timer(&mut self) {
        if let Some(idle_ms) = self.config.idle_timeout_ms {
            self.push(Action::SetTimer {
                timer: Timer::Idle,
                delay_ms: idle_ms,
            });
        }
    }

    /// Whether a connection is in flight or open, ours or the transport's
    /// own reconnection: what transport reports may act on.
    fn has_connection(&self) -> bool {
        matches!(self.state, State::Connecting | State::Open) || self.transport_retrying
    }

    /// Drops the current attempt and every timer.
    fn disconnect(&mut self) {
        self.transport_retrying = false;
        self.push(Action::Abort);
        self.push(Action::ClearTimer(Timer::Reconnect));
        self.push(Action::ClearTimer(Timer::Idle));
    }

    /// Moves to `state`, notifying the change (not a repeat). Out of line,
    /// as [`Connection::push`] is: most transitions call it.
    #[inline(never)]
    fn set_state(&mut self, state: State) {
        if self.state != state {
            self.state = state;
            self.notify(Notice::StateChanged(state));
        }
    }

    /// Queues a notice for the user.
    fn notify(&mut self, notice: Notice) {
        self.push(Action::Notify(notice));
    }

    /// Queues `action`. Out of line: inlined, each of the many call sites
    /// would carry the queue's growth check.
    #[inline(never)]
    fn push(&mut self, action: Action) {
        self.actions.push(action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(config: Config) -> Connection {
        Connection::new(config)
    }

    fn retrying(max_attempts: u32) -> Config {
        Config {
            retry: Some(RetryOptions {
                max_attempts: Some(max_attempts),
                ..RetryOptions::default()
            }),
            ..Config::default()
        }
    }

    fn drain(c: &mut Connection) -> Vec<Action> {
        core::iter::from_fn(|| c.poll_action()).collect()
    }

    fn connects(actions: &[Action]) -> usize {
        actions
            .iter()
            .filter(|a| matches!(a, Action::Connect))
            .count()
    }

    fn notices(actions: &[Action]) -> Vec<&Notice> {
        actions
            .iter()
            .filter_map(|a| {
                if let Action::Notify(n) = a {
                    Some(n)
                } else {
                    None
                }
            })
            .collect()
    }

    fn reconnect_delay(actions: &[Action]) -> Option<u32> {
        actions.iter().find_map(|a| match a {
            Action::SetTimer {
                timer: Timer::Reconnect,
                delay_ms,
            } => Some(*delay_ms),
            _ => None,
        })
    }

    fn http(status: u16) -> Failure {
        Failure::Http {
            status,
            retry_after_ms: None,
        }
    }

    #[test]
    fn failures_are_classified_as_the_retry_policy_classifies_them() {
        // What each failure is to the policy.
        fn classified(error: Failure) -> retry::Failure {
            match error {
                Failure::Network => retry::Failure::Network,
                Failure::StreamEnded => retry::Failure::BodyEnded,
                Failure::Http {
                    status,
                    retry_after_ms,
                } => retry::Failure::Status {
                    status,
                    retry_after_ms: retry_after_ms.map(u64::from),
                },
                Failure::Unauthorized { status } => retry::Failure::Status {
                    status,
                    retry_after_ms: None,
                },
                Failure::ContentType => retry::Failure::WrongContentType,
                Failure::IdleTimeout { .. } => retry::Failure::IdleTimeout,
                Failure::EventTooLarge { .. } | Failure::Fatal => retry::Failure::Aborted,
            }
        }
        let mut failures = vec![
            Failure::Network,
            Failure::StreamEnded,
            Failure::ContentType,
            Failure::IdleTimeout { idle_ms: 1000 },
            Failure::EventTooLarge { limit: 10 },
            Failure::Fatal,
        ];
        for status in 0..=1000 {
            failures.push(Failure::Unauthorized { status });
            for retry_after_ms in [None, Some(0), Some(7_000), Some(u32::MAX)] {
                failures.push(Failure::Http {
                    status,
                    retry_after_ms,
                });
            }
        }
        for error in failures {
            let policy = classified(error);
            let honoured = match policy {
                retry::Failure::Status {
                    status,
                    retry_after_ms,
                } => retry::honoured_retry_after_ms(status, retry_after_ms),
                _ => None,
            };
            assert_eq!(
                error.retry_terms(),
                (policy.is_retryable(), honoured),
                "{error:?}"
            );
        }
    }

    #[test]
    fn start_connects_once_and_open_notifies() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.start(0.0);
        let actions = drain(&mut c);
        assert_eq!(connects(&actions), 1);
        assert_eq!(c.state(), State::Connecting);
        c.on_open(10.0);
        assert_eq!(
            notices(&drain(&mut c)),
            [&Notice::StateChanged(State::Open), &Notice::Open]
        );
    }

    #[test]
    fn a_retryable_failure_schedules_a_reconnect_and_the_timer_connects() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.on_open(0.0);
        drain(&mut c);
        c.on_failure(Failure::StreamEnded, 100.0, 0.0);
        let actions = drain(&mut c);
        assert_eq!(c.state(), State::Reconnecting);
        assert!(actions.contains(&Action::Abort));
        let delay = reconnect_delay(&actions).expect("a reconnect timer");
        assert!(delay >= 100, "{delay}");
        assert!(matches!(
            notices(&actions)[1],
            Notice::Reconnecting {
                attempt: 2,
                cause: Failure::StreamEnded,
                ..
            }
        ));
        c.on_timer(Timer::Reconnect, 2000.0, 0.0);
        assert_eq!(connects(&drain(&mut c)), 1);
        assert_eq!(c.state(), State::Connecting);
    }

    #[test]
    fn an_always_failing_server_gets_exactly_max_attempts_requests() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        let mut requests = connects(&drain(&mut c));
        let mut now = 0.0;
        let mut last = Vec::new();
        while c.state() != State::Closed {
            c.on_failure(http(500), now, 0.5);
            last = drain(&mut c);
            now += 60_000.0;
            c.on_timer(Timer::Reconnect, now, 0.5);
            requests += connects(&drain(&mut c));
        }
        assert_eq!(requests, 3);
        let n = notices(&last);
        match n[n.len() - 2] {
            Notice::RetriesExhausted { attempts: 3, cause } => {
                assert_eq!(*cause, http(500))
            }
            other => panic!("expected the exhausted error, got {other:?}"),
        }
        assert_eq!(n[n.len() - 1], &Notice::Closed);
    }

    #[test]
    fn no_content_stops_for_good_without_a_timer() {
        let mut c = machine(retrying(10));
        c.start(0.0);
        drain(&mut c);
        c.on_failure(http(204), 5.0, 0.0);
        let actions = drain(&mut c);
        assert_eq!(reconnect_delay(&actions), None);
        assert_eq!(c.state(), State::Closed);
        assert!(matches!(
            notices(&actions)[1],
            Notice::Error(Failure::Http { status: 204, .. })
        ));
        c.on_timer(Timer::Reconnect, 10_000.0, 0.0);
        assert_eq!(connects(&drain(&mut c)), 0);
    }

    #[test]
    fn retry_false_gives_up_on_the_first_failure() {
        let mut c = machine(Config::default());
        c.start(0.0);
        drain(&mut c);
        c.on_failure(Failure::Network, 0.0, 0.0);
        let actions = drain(&mut c);
        assert_eq!(c.state(), State::Closed);
        assert!(matches!(
            notices(&actions)[1],
            Notice::Error(Failure::Network)
        ));
    }

    #[test]
    fn close_drops_queued_notices_and_notifies_only_the_change_to_closed() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.on_open(0.0);
        // Notices are queued but not yet carried out when the user closes.
        c.close();
        let actions = drain(&mut c);
        assert_eq!(notices(&actions), [&Notice::StateChanged(State::Closed)]);
        assert!(actions.contains(&Action::Abort));
        assert!(actions.contains(&Action::ClearTimer(Timer::Reconnect)));
        // Late reports from the aborted attempt change nothing.
        c.on_failure(Failure::StreamEnded, 1.0, 0.0);
        c.on_open(1.0);
        c.on_timer(Timer::Reconnect, 5_000.0, 0.0);
        assert!(drain(&mut c).is_empty());
        assert_eq!(c.state(), State::Closed);
    }

    #[test]
    fn close_during_the_backoff_wait_cancels_the_reconnect() {
        let mut c = machine(retrying(5));
        c.start(0.0);
        c.on_failure(http(503), 0.0, 0.0);
        drain(&mut c);
        c.close();
        assert!(drain(&mut c).contains(&Action::ClearTimer(Timer::Reconnect)));
        c.on_timer(Timer::Reconnect, 60_000.0, 0.0);
        assert_eq!(connects(&drain(&mut c)), 0);
    }

    #[test]
    fn unauthorized_asks_the_hook_once_then_gives_up() {
        let mut c = machine(Config {
            has_auth_hook: true,
            ..retrying(5)
        });
        let unauthorized = Failure::Unauthorized { status: 401 };
        c.start(0.0);
        drain(&mut c);
        c.on_failure(unauthorized, 0.0, 0.0);
        let actions = drain(&mut c);
        assert!(actions
            .iter()
            .any(|a| matches!(a, Action::Authorize { .. })));
        assert_eq!(
            reconnect_delay(&actions),
            None,
            "the hook answers, not a timer"
        );
        c.on_authorized(true, unauthorized, 1.0);
        assert_eq!(connects(&drain(&mut c)), 1, "renewed: reconnect at once");
        // The renewed credentials are refused too: no second hook call.
        c.on_failure(unauthorized, 2.0, 0.0);
        let actions = drain(&mut c);
        assert!(!actions
            .iter()
            .any(|a| matches!(a, Action::Authorize { .. })));
        assert_eq!(c.state(), State::Closed);
    }

    #[test]
    fn unauthorized_without_a_hook_closes() {
        let mut c = machine(retrying(5));
        c.start(0.0);
        drain(&mut c);
        c.on_failure(Failure::Unauthorized { status: 403 }, 0.0, 0.0);
        let actions = drain(&mut c);
        assert!(matches!(
            notices(&actions)[1],
            Notice::Error(Failure::Unauthorized { status: 403 })
        ));
        assert_eq!(c.state(), State::Closed);
    }

    #[test]
    fn a_hook_that_declines_closes_with_the_error() {
        let mut c = machine(Config {
            has_auth_hook: true,
            ..retrying(5)
        });
        let unauthorized = Failure::Unauthorized { status: 401 };
        c.start(0.0);
        c.on_failure(unauthorized, 0.0, 0.0);
        drain(&mut c);
        c.on_authorized(false, unauthorized, 1.0);
        let actions = drain(&mut c);
        assert_eq!(c.state(), State::Closed);
        assert!(matches!(
            notices(&actions)[1],
            Notice::Error(Failure::Unauthorized { .. })
        ));
    }

    #[test]
    fn offline_failures_wait_for_the_network_without_burning_attempts() {
        let mut c = machine(retrying(2));
        c.start(0.0);
        drain(&mut c);
        c.on_network(false, 0.0);
        for i in 0..5 {
            c.on_failure(Failure::Network, f64::from(i), 0.0);
            let actions = drain(&mut c);
            assert_eq!(reconnect_delay(&actions), None, "no timer while offline");
            assert_eq!(c.state(), State::Reconnecting);
            c.on_pageshow(0.0); // offline: pageshow does not reconnect either
            assert_eq!(connects(&drain(&mut c)), 0);
            c.on_network(true, 0.0);
            assert_eq!(connects(&drain(&mut c)), 1, "online: reconnect at once");
            c.on_network(false, 0.0);
            drain(&mut c);
        }
        assert_ne!(
            c.state(),
            State::Closed,
            "a budget of 2 was not burned by offline failures"
        );
    }

    #[test]
    fn going_offline_during_the_wait_cancels_the_timer_and_online_reconnects() {
        let mut c = machine(retrying(5));
        c.start(0.0);
        c.on_failure(http(503), 0.0, 0.0);
        drain(&mut c);
        c.on_network(false, 1.0);
        assert!(drain(&mut c).contains(&Action::ClearTimer(Timer::Reconnect)));
        c.on_timer(Timer::Reconnect, 5_000.0, 0.0);
        assert_eq!(
            connects(&drain(&mut c)),
            0,
            "a stale timer does not connect while offline"
        );
        c.on_network(true, 6_000.0);
        assert_eq!(connects(&drain(&mut c)), 1);
    }

    #[test]
    fn pause_when_hidden_disconnects_and_resumes() {
        let mut c = machine(Config {
            pause_when_hidden: true,
            ..retrying(3)
        });
        c.start(0.0);
        c.on_open(0.0);
        drain(&mut c);
        c.on_visibility(true, 1.0);
        let actions = drain(&mut c);
        assert!(actions.contains(&Action::Abort));
        assert_eq!(c.state(), State::Paused);
        c.on_visibility(false, 2.0);
        assert_eq!(connects(&drain(&mut c)), 1);
        assert_eq!(c.state(), State::Connecting);
    }

    #[test]
    fn starting_while_hidden_with_pause_when_hidden_waits_for_visibility() {
        let mut c = machine(Config {
            pause_when_hidden: true,
            ..retrying(3)
        });
        c.on_visibility(true, 0.0);
        c.start(0.0);
        assert_eq!(connects(&drain(&mut c)), 0);
        assert_eq!(c.state(), State::Paused);
        c.on_visibility(false, 1.0);
        assert_eq!(connects(&drain(&mut c)), 1);
    }

    #[test]
    fn visibility_is_ignored_without_pause_when_hidden() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.on_open(0.0);
        drain(&mut c);
        c.on_visibility(true, 1.0);
        assert!(drain(&mut c).is_empty());
        assert_eq!(c.state(), State::Open);
    }

    #[test]
    fn the_idle_watchdog_rearms_after_activity_and_fails_after_silence() {
        let mut c = machine(Config {
            idle_timeout_ms: Some(1000),
            ..retrying(3)
        });
        c.start(0.0);
        let actions = drain(&mut c);
        assert!(actions.contains(&Action::SetTimer {
            timer: Timer::Idle,
            delay_ms: 1000
        }));
        c.on_open(100.0);
        c.on_activity(700.0);
        drain(&mut c);
        c.on_timer(Timer::Idle, 1000.0, 0.0);
        // 300 ms of silence so far: wait the remaining 700 ms.
        assert_eq!(
            drain(&mut c),
            [Action::SetTimer {
                timer: Timer::Idle,
                delay_ms: 700
            }]
        );
        c.on_timer(Timer::Idle, 1700.0, 0.0);
        let actions = drain(&mut c);
        assert_eq!(c.state(), State::Reconnecting);
        assert!(notices(&actions).iter().any(|n| matches!(
            n,
            Notice::Reconnecting {
                cause: Failure::IdleTimeout { idle_ms: 1000 },
                ..
            }
        )));
    }

    #[test]
    fn stop_notifies_the_change_to_idle_and_start_connects_again() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.on_open(0.0);
        drain(&mut c);
        c.stop();
        let actions = drain(&mut c);
        assert_eq!(notices(&actions), [&Notice::StateChanged(State::Idle)]);
        assert!(actions.contains(&Action::Abort));
        c.stop();
        assert!(drain(&mut c).is_empty());
        c.start(100.0);
        assert_eq!(
            notices(&drain(&mut c)),
            [&Notice::StateChanged(State::Connecting)]
        );
    }

    #[test]
    fn reconnect_now_skips_the_wait_and_forgets_failures() {
        let mut c = machine(retrying(2));
        c.start(0.0);
        c.on_failure(http(503), 0.0, 0.0);
        drain(&mut c);
        c.reconnect_now(1.0);
        assert_eq!(connects(&drain(&mut c)), 1);
        // The budget starts afresh: one more failure is retried.
        c.on_failure(http(503), 2.0, 0.0);
        drain(&mut c);
        assert_eq!(c.state(), State::Reconnecting);
    }

    #[test]
    fn data_errors_notify_without_changing_state() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.on_open(0.0);
        drain(&mut c);
        c.on_data_error(Failure::EventTooLarge { limit: 10 });
        assert_eq!(
            drain(&mut c),
            [Action::Notify(Notice::Error(Failure::EventTooLarge {
                limit: 10
            }))]
        );
        assert_eq!(c.state(), State::Open);
    }

    #[test]
    fn a_transport_that_reconnects_by_itself_is_counted_but_not_aborted() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.on_open(0.0);
        drain(&mut c);
        c.on_transport_reconnecting(Failure::StreamEnded, 10.0, 0.0);
        let actions = drain(&mut c);
        assert!(!actions.contains(&Action::Abort), "the browser keeps going");
        assert_eq!(
            reconnect_delay(&actions),
            Some(300_000 + TRANSPORT_RECONNECT_SLACK_MS),
            "only a bound on the browser's own wait"
        );
        assert_eq!(c.state(), State::Reconnecting);
        assert!(matches!(
            notices(&actions)[1],
            Notice::Reconnecting {
                attempt: 2,
                delay_ms: None,
                cause: Failure::StreamEnded
            }
        ));
        // The browser's reconnect opened: the machine follows, and drops
        // the bound.
        c.on_open(3_000.0);
        let actions = drain(&mut c);
        assert!(actions.contains(&Action::ClearTimer(Timer::Reconnect)));
        assert_eq!(
            notices(&actions),
            [&Notice::StateChanged(State::Open), &Notice::Open]
        );
        // A network change or pageshow does not start our own reconnect.
        c.on_transport_reconnecting(Failure::StreamEnded, 4_000.0, 0.0);
        drain(&mut c);
        c.on_network(true, 4_100.0);
        c.on_pageshow(4_200.0);
        assert_eq!(connects(&drain(&mut c)), 0);
    }

    #[test]
    fn a_transport_reconnect_that_overruns_the_server_delay_cap_is_replaced() {
        // `retry: 99999999999999999999` reached the browser, not us: the
        // native EventSource would wait 24.8 days.
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.on_open(0.0);
        c.on_progress();
        c.on_transport_reconnecting(Failure::StreamEnded, 10.0, 0.0);
        drain(&mut c);
        c.on_timer(Timer::Reconnect, 310_010.0, 0.0);
        let actions = drain(&mut c);
        assert!(actions.contains(&Action::Abort), "the stuck transport goes");
        assert_eq!(
            connects(&actions),
            1,
            "and a connection of ours replaces it"
        );
        assert_eq!(c.state(), State::Connecting);
        // That connection is ours: its failure goes to our policy.
        c.on_failure(Failure::StreamEnded, 310_020.0, 0.0);
        assert!(reconnect_delay(&drain(&mut c)).is_some());
    }

    #[test]
    fn transport_reconnects_without_progress_exhaust_the_budget() {
        let mut c = machine(retrying(3));
        c.start(0.0);
        c.on_open(0.0);
        drain(&mut c);
        // The server drops every connection before any event.
        c.on_transport_reconnecting(Failure::StreamEnded, 1.0, 0.0);
        c.on_open(2.0);
        c.on_transport_reconnecting(Failure::StreamEnded, 3.0, 0.0);
        c.on_open(4.0);
        drain(&mut c);
        c.on_transport_reconnecting(Failure::StreamEnded, 5.0, 0.0);
        let actions = drain(&mut c);
        assert!(actions.contains(&Action::Abort), "the transport is stopped");
        assert_eq!(c.state(), State::Closed);
        let n = notices(&actions);
        assert!(matches!(
            n[n.len() - 2],
            Notice::RetriesExhausted { attempts: 3, .. }
        ));
        assert_eq!(n[n.len() - 1], &Notice::Closed);
    }

    #[test]
    fn connections_that_deliver_events_do_not_use_up_the_budget() {
        let mut c = machine(retrying(2));
        c.start(0.0);
        for i in 0..50 {
            let now = f64::from(i) * 10.0;
            c.on_open(now);
            c.on_progress();
            if i % 2 == 0 {
                c.on_transport_reconnecting(Failure::StreamEnded, now + 1.0, 0.0);
            } else {
                c.on_failure(Failure::StreamEnded, now + 1.0, 0.0);
                drain(&mut c);
                c.on_timer(Timer::Reconnect, now + 60_000.0, 0.0);
            }
            drain(&mut c);
            assert_ne!(c.state(), State::Closed, "closed after {i} drops");
        }
    }

    #[test]
    fn a_refused_reconnect_of_the_transport_goes_to_our_policy() {
        let mut c = machine(retrying(5));
        c.start(0.0);
        c.on_open(0.0);
        c.on_transport_reconnecting(Failure::StreamEnded, 1.0, 0.0);
        drain(&mut c);
        // The browser's reconnect was refused (e.g. 502): it gives up.
        c.on_failure(Failure::Network, 2.0, 0.0);
        let actions = drain(&mut c);
        assert!(actions.contains(&Action::Abort));
        assert!(reconnect_delay(&actions).is_some(), "our backoff reopens");
        c.on_timer(Timer::Reconnect, 60_000.0, 0.0);
        assert_eq!(connects(&drain(&mut c)), 1);
    }

    #[test]
    fn the_idle_watchdog_is_rearmed_when_the_transport_reopens() {
        let mut c = machine(Config {
            idle_timeout_ms: Some(1000),
            ..retrying(3)
        });
        c.start(0.0);
        c.on_open(0.0);
        drain(&mut c);
        c.on_transport_reconnecting(Failure::StreamEnded, 1.0, 0.0);
        assert!(drain(&mut c).contains(&Action::ClearTimer(Timer::Idle)));
        c.on_open(3_000.0);
        assert!(drain(&mut c).contains(&Action::SetTimer {
            timer: Timer::Idle,
            delay_ms: 1000
        }));
    }

    #[test]
    fn a_saturated_retry_after_waits_the_longest_honoured_delay() {
        let mut c = machine(retrying(5));
        c.start(0.0);
        drain(&mut c);
        c.on_failure(
            Failure::Http {
                status: 503,
                retry_after_ms: Some(u32::MAX),
            },
            0.0,
            0.0,
        );
        assert_eq!(
            reconnect_delay(&drain(&mut c)),
            Some(retry::MAX_SERVER_DELAY_MS)
        );
    }

    #[test]
    fn the_server_retry_sets_the_base_delay() {
        let mut c = machine(retrying(5));
        c.start(0.0);
        c.on_open(0.0);
        c.on_server_retry(7_000);
        drain(&mut c);
        c.on_failure(Failure::StreamEnded, 10.0, 0.99);
        assert!(reconnect_delay(&drain(&mut c)).expect("timer") >= 7_000);
    }
}
