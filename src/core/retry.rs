//! The reconnection policy: which failures are retried, how many times, and
//! after how long.
//!
//! Sans-IO and deterministic: the current time (`now_ms`, e.g. from
//! `Date.now()`) and a random number (`random`, uniform in `[0, 1)`, e.g. from
//! `Math.random()`) are inputs, so every decision can be reproduced in a unit
//! test. No clock, no randomness source, no allocation, no panics.
//!
//! # What counts as an attempt
//!
//! An *attempt* is one connection request (one `fetch`, or one native
//! `EventSource` connection). [`RetryOptions::max_attempts`] counts **all**
//! attempts of a run of consecutive failures, **including the first**: with
//! `max_attempts: Some(3)`, a server that always answers 500 receives exactly
//! 3 requests, the first one and 2 retries, and the third failure gives up
//! with [`GiveUp::Exhausted`]` { attempts: 3 }`. [`Decision::Retry::attempt`]
//! numbers the request about to be made the same way, so the first retry is
//! attempt 2.
//!
//! The budget is for failures that make no progress. A connection that
//! delivered at least one event ([`Backoff::on_progress`]) ends the run: the
//! failure that ends it is counted as attempt 1 of a new run, so a healthy
//! stream that a proxy cuts every few seconds never exhausts the budget.
//! Merely opening does **not** end the run: a server that accepts and then
//! drops without sending an event burns one attempt per request.
//!
//! The delays are the storm guard, and they are counted apart: they keep
//! growing across failures, with or without progress, until a connection
//! has stayed open for [`RetryOptions::healthy_after_ms`]. A peer client that
//! resets its backoff on every successful open makes about 1,700 requests in
//! 4 s against a server that accepts and then ends each stream at once; here
//! such a server sees at most 4 requests in 4 s with the defaults, and
//! exactly `max_attempts` in all.
//!
//! # How long to wait
//!
//! After the `n`-th consecutive failure (`n >= 1`):
//!
//! 1. `base` is the server's reconnection time (the stream's `retry:` field,
//!    [`Backoff::set_server_retry`]) if it sent one, else
//!    [`RetryOptions::initial_delay_ms`]; at least [`MIN_DELAY_MS`]. The
//!    server's value is capped at `max(max_delay_ms, MAX_SERVER_DELAY_MS)`
//!    ([`Backoff::server_delay_cap_ms`]), so one bad `retry:` line cannot
//!    silence the client for days.
//! 2. `d = min(base * factor^(n-1), cap)` with
//!    `cap = max(max_delay_ms, server retry)`: the first retry waits about
//!    `base`, then the delay grows geometrically up to the cap. A server
//!    reconnection time above `max_delay_ms` raises the cap, because the
//!    client never waits less than the server asked for.
//! 3. Jitter: `d - jitter * d * random`, so with `jitter: 0.5` the delay is
//!    uniform in `(d/2, d]`, spreading out clients that failed together.
//! 4. Floors: at least [`MIN_DELAY_MS`], and at least the server's
//!    reconnection time. WHATWG HTML §9.2.3 says to wait the reconnection time
//!    and "optionally, wait some more", never less; so jitter only spreads the
//!    part of the delay above it (and a first retry after a server `retry:` is
//!    not jittered).
//! 5. `Retry-After` (only on 429 and 503, the statuses for which RFC 9110
//!    §10.2.3 and RFC 6585 §4 define it): the delay is at least its value,
//!    which is capped at [`MAX_SERVER_DELAY_MS`]. Jitter never shortens it.
//! 6. At most [`MAX_TIMER_DELAY_MS`], rounded up to whole milliseconds.
//!
//! With [`RetryOptions::default`] and no server `retry:`, the retries wait
//! (range for `random` in `[0, 1)`): 0.5–1 s, 1–2 s, 2–4 s, 4–8 s, 8–16 s,
//! 15–30 s, 15–30 s, 15–30 s, 15–30 s, then give up after the 10th request:
//! between about 75 s and 150 s after the first failure.

use crate::core::float;
use crate::prelude::*;

/// Lower bound of every reconnection delay, in milliseconds.
///
/// A server `retry: 0` (or an `initial_delay_ms` of 0) must not turn into a
/// tight reconnection loop; 100 ms still feels immediate to a user.
pub const MIN_DELAY_MS: u32 = 100;

/// Upper bound of every reconnection delay, in milliseconds: `2^31 - 1`.
///
/// Browsers store `setTimeout` delays in a signed 32-bit integer and fire at
/// once when the delay is larger, which would turn a huge delay into an
/// immediate reconnect.
pub const MAX_TIMER_DELAY_MS: u32 = 2_147_483_647;

/// Upper bound of a wait the server asks for: 5 minutes. It caps
/// `Retry-After`, and the stream's `retry:` field unless
/// [`RetryOptions::max_delay_ms`] is larger (then that is the cap).
///
/// `Retry-After` may name hours (a maintenance window) or, in its date form,
/// be inflated by clock skew between client and server; a `retry:` line may
/// carry any number of digits (`retry: 99999999999999999999` would otherwise
/// mean 24.8 days). Waiting that long would leave an open page silently
/// stale; one probe request every 5 minutes costs the server little, and the
/// attempt budget still applies.
pub const MAX_SERVER_DELAY_MS: u32 = 300_000;

/// `x` milliseconds rounded up to a whole number, as a `u32`: `ceil(x) as
/// u32`, saturating (NaN and negative values give 0, values above
/// `u32::MAX` give `u32::MAX`), without `ceil`'s range checks: the cast
/// truncates, and a lost fraction adds 1.
pub(crate) fn ceil_ms(x: f64) -> u32 {
    let whole = x as u32;
    whole.saturating_add(u32::from(f64::from(whole) < x))
}

/// Settings of the reconnection policy.
///
/// The JavaScript option names are the camelCase forms of the field names
/// (`maxAttempts`, `initialDelayMs`, ...). Check user input with
/// [`RetryOptions::validate`]; [`Backoff::new`] accepts any value without
/// panicking, clamping invalid ones as documented there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryOptions {
    /// How many connection requests a run of consecutive failures may make,
    /// **including the first request**; `None` means no limit. `Some(3)`
    /// against a server that always fails: exactly 3 requests. `Some(0)` is
    /// invalid (to never retry, disable retry instead: `retry: false`, i.e.
    /// `Backoff::new(None)`). Default: `Some(10)`.
    pub max_attempts: Option<u32>,
    /// The delay before the first retry when the server sent no `retry:`
    /// field, in milliseconds; floored at [`MIN_DELAY_MS`] when used, so 0 is
    /// allowed. Default: 1000.
    pub initial_delay_ms: u32,
    /// Cap of the exponential growth, in milliseconds (before jitter). Must
    /// be at least `initial_delay_ms`. A server `retry:` above it raises the
    /// cap to the server value. Default: 30 000.
    pub max_delay_ms: u32,
    /// Growth factor between consecutive delays; finite and at least 1 (1
    /// gives constant delays). Default: 2.0.
    pub factor: f64,
    /// Fraction of each delay that is randomised, in `[0, 1]`: the delay is
    /// uniform in `(d * (1 - jitter), d]`. 0 disables jitter. Default: 0.5.
    pub jitter: f64,
    /// How long a connection must stay open, in milliseconds, for its failure
    /// to start a fresh run of attempts (counter back to 0). A connection
    /// that fails sooner counts as one more failed attempt. A very small
    /// value weakens the protection against servers that accept and then
    /// drop. Default: 30 000.
    pub healthy_after_ms: u32,
}

impl Default for RetryOptions {
    /// `max_attempts: Some(10)`, `initial_delay_ms: 1000`,
    /// `max_delay_ms: 30_000`, `factor: 2.0`, `jitter: 0.5`,
    /// `healthy_after_ms: 30_000`.
    fn default() -> Self {
        Self {
            max_attempts: Some(10),
            initial_delay_ms: 1_000,
            max_delay_ms: 30_000,
            factor: 2.0,
            jitter: 0.5,
            healthy_after_ms: 30_000,
        }
    }
}

impl RetryOptions {
    /// Checks the options, reporting the first invalid one.
    ///
    /// # Errors
    ///
    /// A [`RetryOptionError`] naming the option, for `max_attempts: Some(0)`;
    /// `max_delay_ms < initial_delay_ms`; a `factor` that is NaN, infinite or
    /// below 1; a `jitter` that is NaN or outside `[0, 1]`. Everything else
    /// is accepted (delays of 0 are floored at [`MIN_DELAY_MS`], delays above
    /// [`MAX_TIMER_DELAY_MS`] clamped).
    pub fn validate(&self) -> Result<(), RetryOptionError> {
        if self.max_attempts == Some(0) {
            return Err(RetryOptionError::new(
                "maxAttempts",
                "must be at least 1 (it counts the first request); to never retry, use `retry: false`",
            ));
        }
        if self.max_delay_ms < self.initial_delay_ms {
            return Err(RetryOptionError::new(
                "maxDelayMs",
                format!(
                    "must be at least initialDelayMs ({}), got {}",
                    self.initial_delay_ms, self.max_delay_ms
                ),
            ));
        }
        if !(self.factor.is_finite() && self.factor >= 1.0) {
            return Err(RetryOptionError::new(
                "factor",
                // No float formatting: it would add ~15 KB to the wasm.
                String::from("must be a finite number >= 1"),
            ));
        }
        if !(0.0..=1.0).contains(&self.jitter) {
            return Err(RetryOptionError::new(
                "jitter",
                String::from("must be between 0 and 1"),
            ));
        }
        Ok(())
    }

    /// The options with every value [`RetryOptions::validate`] would reject
    /// replaced by the nearest accepted one, so the policy is defined for any
    /// input.
    fn sanitized(self) -> Self {
        Self {
            max_attempts: self.max_attempts.map(|m| m.max(1)),
            factor: if self.factor >= 1.0 { self.factor } else { 1.0 }, // NaN -> 1
            jitter: if self.jitter.is_nan() {
                0.0
            } else {
                self.jitter.clamp(0.0, 1.0)
            },
            ..self
        }
    }
}

/// An invalid [`RetryOptions`] value, naming the option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryOptionError {
    /// The option's JavaScript name, which is the camelCase form of the
    /// Rust field: `"maxAttempts"`, `"maxDelayMs"`, `"factor"` or `"jitter"`
    /// (user input arrives through the JavaScript options object, so that is
    /// the name the user can act on).
    pub field: &'static str,
    /// What is wrong and what is expected, for a human.
    pub message: String,
}

impl RetryOptionError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl core::fmt::Display for RetryOptionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "invalid retry option `{}`: {}", self.field, self.message)
    }
}

impl core::error::Error for RetryOptionError {}

/// Why a connection attempt, or an open connection, failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The request or the body failed at the network level: `fetch`
    /// rejected, a native `EventSource` errored before opening, or reading
    /// the body failed mid-stream. Retryable.
    Network,
    /// The server ended the response body normally. Retryable (WHATWG HTML
    /// §9.2.3: a closed connection is reestablished).
    BodyEnded,
    /// The response status was not 200 (204, 401 and 403 included).
    /// Retryable only for 408, 429 and 5xx.
    Status {
        /// The status code.
        status: u16,
        /// The response's `Retry-After`, in milliseconds (read by
        /// `retryAfterMs` in src/web/runtime.js); honoured on 429 and 503.
        retry_after_ms: Option<u64>,
    },
    /// Status 200 but not `text/event-stream`. Not retryable: the URL is
    /// wrong, retrying will not fix it.
    WrongContentType,
    /// No bytes (not even a comment) arrived within the idle timeout.
    /// Retryable.
    IdleTimeout,
    /// We aborted the request ourselves (`close()`, the user's abort signal).
    /// Never retried, even when retry is disabled it reports
    /// [`GiveUp::NotRetryable`].
    Aborted,
}

impl Failure {
    /// Whether this failure may be followed by a reconnect: `true` for
    /// [`Failure::Network`], [`Failure::BodyEnded`], [`Failure::IdleTimeout`]
    /// and [`Failure::Status`] with 408, 429 or 500–599; `false` for 204 (the
    /// server's "stop reconnecting"), every other status (401/403 belong to
    /// the authentication hook, other 4xx will not fix themselves),
    /// [`Failure::WrongContentType`] and [`Failure::Aborted`].
    pub fn is_retryable(&self) -> bool {
        match *self {
            Failure::Network | Failure::BodyEnded | Failure::IdleTimeout => true,
            Failure::Status { status, .. } => is_retryable_status(status),
            Failure::WrongContentType | Failure::Aborted => false,
        }
    }

    /// The `Retry-After` the policy honours: that of a 429 or 503.
    fn honoured_retry_after_ms(&self) -> Option<u64> {
        match *self {
            Failure::Status {
                status,
                retry_after_ms,
            } => honoured_retry_after_ms(status, retry_after_ms),
            _ => None,
        }
    }
}

/// Whether a response with `status` may be followed by a reconnect: 408,
/// 429 and 500–599 (see [`Failure::is_retryable`]).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// The part of a response's `Retry-After` the policy honours: all of it on
/// 429 and 503, the statuses for which RFC 9110 §10.2.3 and RFC 6585 §4
/// define it; nothing on any other status.
pub(crate) fn honoured_retry_after_ms(status: u16, retry_after_ms: Option<u64>) -> Option<u64> {
    if matches!(status, 429 | 503) {
        retry_after_ms
    } else {
        None
    }
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Reconnect after `delay_ms`.
    Retry {
        /// The number of the request about to be made within the current run
        /// of failures, counting the first request as 1: the first retry is
        /// attempt 2. Never more than `max_attempts`.
        attempt: u32,
        /// How long to wait before making it, in milliseconds; always in
        /// `[MIN_DELAY_MS, MAX_TIMER_DELAY_MS]`.
        delay_ms: u32,
    },
    /// Do not reconnect.
    GiveUp(GiveUp),
}

/// Why the policy gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// The failure is never retried ([`Failure::is_retryable`] is false).
    /// Checked first, so it is reported even when retry is disabled.
    NotRetryable,
    /// Retry is disabled ([`Backoff::new`] with `None`) and the failure
    /// would otherwise have been retried.
    Disabled,
    /// The attempt budget is spent.
    Exhausted {
        /// How many requests this run of consecutive failures made, all
        /// failed; equals `max_attempts` when the failures are counted one
        /// by one as documented.
        attempts: u32,
    },
}

/// The retry state of one client: counts consecutive failures and computes
/// reconnection delays. See the module documentation for the policy.
///
/// Lives as long as the client, across reconnections: the server's
/// reconnection time survives a reconnection (WHATWG HTML §9.2.3).
#[derive(Debug, Clone)]
pub struct Backoff {
    /// Sanitized options; `None` when retry is disabled.
    options: Option<RetryOptions>,
    /// The server's `retry:` value, already within
    /// `[MIN_DELAY_MS, server_delay_cap_ms()]`.
    server_retry_ms: Option<u32>,
    /// Consecutive failed attempts that made no progress: the budget.
    failures: u32,
    /// Consecutive failures since the last healthy connection: the delay's
    /// exponent. Progress does not reset it, so delays keep growing against
    /// a server that sends one event and drops.
    streak: u32,
    /// When the current connection opened, if it did.
    opened_at_ms: Option<f64>,
    /// Whether the current connection delivered an event.
    progressed: bool,
}

impl Backoff {
    /// A new policy with no failures counted. `None` disables retry (the
    /// `retry: false` option): every retryable failure then gives up with
    /// [`GiveUp::Disabled`].
    ///
    /// Never panics. Options are not validated here (call
    /// [`RetryOptions::validate`] on user input first); values it would
    /// reject are clamped: `max_attempts: Some(0)` acts as `Some(1)`, a
    /// `factor` below 1 or NaN as 1, a `jitter` outside `[0, 1]` to that
    /// range (NaN as 0), and `max_delay_ms < initial_delay_ms` caps every
    /// delay at `max_delay_ms`.
    pub fn new(options: Option<RetryOptions>) -> Self {
        Self {
            options: options.map(RetryOptions::sanitized),
            server_retry_ms: None,
            failures: 0,
            streak: 0,
            opened_at_ms: None,
            progressed: false,
        }
    }

    /// Records the stream's `retry:` field (the reconnection time, WHATWG
    /// HTML §9.2.6). It replaces `initial_delay_ms` as the base delay and
    /// becomes a lower bound of every later delay; it is floored at
    /// [`MIN_DELAY_MS`] (so `retry: 0` cannot cause a tight loop) and
    /// capped at [`Backoff::server_delay_cap_ms`]. Kept across reconnections
    /// and [`Backoff::reset`]; the last value wins.
    pub fn set_server_retry(&mut self, retry_ms: u64) {
        let cap = self.server_delay_cap_ms();
        let clamped = retry_ms.clamp(u64::from(MIN_DELAY_MS), u64::from(cap));
        self.server_retry_ms = Some(u32::try_from(clamped).unwrap_or(cap));
    }

    /// The longest reconnection time a server's `retry:` can set:
    /// `max(max_delay_ms, MAX_SERVER_DELAY_MS)`, within
    /// [`MAX_TIMER_DELAY_MS`]. A transport that honours `retry:` by itself
    /// (the native `EventSource`) is given this long to reconnect.
    pub fn server_delay_cap_ms(&self) -> u32 {
        self.options
            .map_or(MAX_SERVER_DELAY_MS, |options| {
                options.max_delay_ms.max(MAX_SERVER_DELAY_MS)
            })
            .min(MAX_TIMER_DELAY_MS)
    }

    /// Records that a connection opened (status 200, `text/event-stream`) at
    /// `now_ms`.
    ///
    /// Does **not** reset the attempt counter: only a connection that stays
    /// open for `healthy_after_ms` does, when it fails (see
    /// [`Backoff::on_failure`]). Resetting on open is what lets a server that
    /// accepts and then drops cause a request storm.
    pub fn on_open(&mut self, now_ms: f64) {
        self.opened_at_ms = Some(now_ms);
    }

    /// Records that the current connection delivered an event: when it
    /// fails, the failure starts a fresh run of the budget (attempt 1), but
    /// the delays keep growing (see the module documentation). Idempotent
    /// and cheap: call it once per chunk that produced events.
    pub fn on_progress(&mut self) {
        self.progressed = true;
    }

    /// Decides what to do after `failure` at `now_ms`, with `random` uniform
    /// in `[0, 1)` for jitter (out-of-range values are clamped, NaN counts as
    /// 0).
    ///
    /// In order:
    /// 1. not retryable ([`Failure::is_retryable`]) → `GiveUp(NotRetryable)`;
    /// 2. retry disabled → `GiveUp(Disabled)`;
    /// 3. if the connection had opened at least `healthy_after_ms` before
    ///    `now_ms`, both the budget and the delay streak go back to 0; if it
    ///    delivered an event ([`Backoff::on_progress`]), the budget does;
    /// 4. the failure is counted; if that makes `max_attempts` failed
    ///    requests without progress → `GiveUp(Exhausted { attempts })`;
    /// 5. otherwise `Retry { attempt: failures + 1, delay_ms }` with the delay
    ///    of the module documentation.
    ///
    /// Every failure ends the current connection, so the open time and the
    /// progress are forgotten in all cases; cases 1 and 2 leave the counters
    /// unchanged.
    /// Never panics; arithmetic saturates and any `now_ms` is accepted (a NaN
    /// clock never counts as healthy).
    #[must_use]
    pub fn on_failure(&mut self, failure: &Failure, now_ms: f64, random: f64) -> Decision {
        self.decide(
            failure.is_retryable(),
            failure.honoured_retry_after_ms(),
            now_ms,
            random,
        )
    }

    /// [`Backoff::on_failure`] for a failure classified already: whether it
    /// is retryable ([`Failure::is_retryable`]) and the `Retry-After` the
    /// policy honours ([`honoured_retry_after_ms`]). For a caller with
    /// failures of its own kind (the connection machine), which has to know
    /// whether one is retryable anyway: it need not make a [`Failure`] for
    /// the policy to classify again.
    #[must_use]
    pub(crate) fn decide(
        &mut self,
        retryable: bool,
        retry_after_ms: Option<u64>,
        now_ms: f64,
        random: f64,
    ) -> Decision {
        let opened_at_ms = self.opened_at_ms.take();
        let progressed = core::mem::take(&mut self.progressed);
        if !retryable {
            return Decision::GiveUp(GiveUp::NotRetryable);
        }
        let Some(options) = self.options else {
            return Decision::GiveUp(GiveUp::Disabled);
        };
        if let Some(opened_at_ms) = opened_at_ms {
            // False for NaN: an unknown duration is not a healthy one.
            if now_ms - opened_at_ms >= f64::from(options.healthy_after_ms) {
                self.failures = 0;
                self.streak = 0;
            }
        }
        if progressed {
            self.failures = 0;
        }
        self.failures = self.failures.saturating_add(1);
        self.streak = self.streak.saturating_add(1);
        if options.max_attempts.is_some_and(|max| self.failures >= max) {
            return Decision::GiveUp(GiveUp::Exhausted {
                attempts: self.failures,
            });
        }
        Decision::Retry {
            attempt: self.failures.saturating_add(1),
            delay_ms: self.delay_ms(&options, retry_after_ms, random),
        }
    }

    /// The number of consecutive failed attempts counted in the current run
    /// (0 after [`Backoff::new`] and [`Backoff::reset`]). Not changed by
    /// failures that give up as not retryable or disabled.
    pub fn attempts(&self) -> u32 {
        self.failures
    }

    /// Starts a fresh run: clears the failure counter and forgets any open
    /// connection, e.g. when the user asks to reconnect at once. The server's
    /// reconnection time is kept.
    pub fn reset(&mut self) {
        self.failures = 0;
        self.streak = 0;
        self.opened_at_ms = None;
        self.progressed = false;
    }

    /// The delay after `self.streak` consecutive failures (at least 1).
    fn delay_ms(&self, options: &RetryOptions, retry_after_ms: Option<u64>, random: f64) -> u32 {
        // The bounds are whole milliseconds: integers, which need none of
        // the NaN handling of `f64::max` (a call to `fmax` in the wasm).
        let server = self.server_retry_ms.unwrap_or(0);
        let base = self
            .server_retry_ms
            .unwrap_or(options.initial_delay_ms)
            .max(MIN_DELAY_MS);
        let cap = options.max_delay_ms.max(server).min(MAX_TIMER_DELAY_MS);
        // The delay is at least the server's reconnection time, MIN_DELAY_MS
        // and the honoured `Retry-After`: one floor, the largest of the three.
        let honoured = retry_after_ms.map_or(0, |ms| ms.min(u64::from(MAX_SERVER_DELAY_MS)) as u32);
        let floor = f64::from(server.max(MIN_DELAY_MS).max(honoured));

        // factor >= 1 (sanitized) and base >= 100, so the product is >= 100
        // or +inf, never NaN; +inf (huge factor or exponent) saturates at cap.
        let grown = f64::from(base) * float::powi(options.factor, self.streak.saturating_sub(1));
        let grown = if grown < f64::from(cap) {
            grown
        } else {
            f64::from(cap)
        };

        let random = if random.is_nan() {
            0.0
        } else {
            random.clamp(0.0, 1.0)
        };
        // jitter and random are in [0, 1]: at most `grown`, never NaN.
        let jittered = grown - options.jitter * grown * random;

        // In [MIN_DELAY_MS, MAX_TIMER_DELAY_MS]: `jittered` is at most `cap`,
        // and each floor is too (the server's value is capped when it is
        // set). So rounding up keeps it there.
        ceil_ms(if jittered > floor { jittered } else { floor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: Failure = Failure::Network;

    fn status(status: u16) -> Failure {
        Failure::Status {
            status,
            retry_after_ms: None,
        }
    }

    fn retry_delay(decision: Decision) -> u32 {
        match decision {
            Decision::Retry { delay_ms, .. } => delay_ms,
            other => panic!("expected a retry, got {other:?}"),
        }
    }

    fn unlimited() -> RetryOptions {
        RetryOptions {
            max_attempts: None,
            ..RetryOptions::default()
        }
    }

    /// The delays of `count` consecutive failures with a fixed `random`.
    fn delays(options: RetryOptions, count: usize, random: f64) -> Vec<u32> {
        let mut backoff = Backoff::new(Some(options));
        (0..count)
            .map(|_| retry_delay(backoff.on_failure(&NET, 0.0, random)))
            .collect()
    }

    #[test]
    fn ceil_ms_is_ceil_cast_to_u32() {
        let mut values = vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            -1.5,
            -0.5,
            1e-300,
            0.5,
            1.0,
            99.999,
            100.0,
            2_147_483_646.5,
            2_147_483_647.0,
            4_294_967_294.5,
            4_294_967_295.0,
            4_294_967_295.5,
            4_294_967_296.0,
            1e300,
        ];
        let mut state = 7;
        for _ in 0..10_000 {
            let bits = xorshift(&mut state);
            values.push(f64::from_bits(bits));
            values.push((bits % 5_000_000_000) as f64 / 1000.0);
        }
        for x in values {
            assert_eq!(ceil_ms(x), x.ceil() as u32, "{x}");
        }
    }

    #[test]
    fn defaults() {
        let o = RetryOptions::default();
        assert_eq!(o.max_attempts, Some(10));
        assert_eq!(o.initial_delay_ms, 1_000);
        assert_eq!(o.max_delay_ms, 30_000);
        assert_eq!(o.factor, 2.0);
        assert_eq!(o.jitter, 0.5);
        assert_eq!(o.healthy_after_ms, 30_000);
        assert_eq!(o.validate(), Ok(()));
    }

    #[test]
    fn validation_names_the_field() {
        let d = RetryOptions::default();
        let field = |o: RetryOptions| o.validate().map_err(|e| e.field);
        assert_eq!(
            field(RetryOptions {
                max_attempts: Some(0),
                ..d
            }),
            Err("maxAttempts")
        );
        assert_eq!(
            field(RetryOptions {
                max_attempts: Some(1),
                ..d
            }),
            Ok(())
        );
        assert_eq!(
            field(RetryOptions {
                max_attempts: None,
                ..d
            }),
            Ok(())
        );
        assert_eq!(
            field(RetryOptions {
                initial_delay_ms: 5_000,
                max_delay_ms: 4_999,
                ..d
            }),
            Err("maxDelayMs")
        );
        assert_eq!(
            field(RetryOptions {
                initial_delay_ms: 0,
                max_delay_ms: 0,
                ..d
            }),
            Ok(())
        );
        assert_eq!(
            field(RetryOptions {
                max_delay_ms: u32::MAX,
                ..d
            }),
            Ok(())
        );
        for factor in [0.0, 0.999, -2.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(
                field(RetryOptions { factor, ..d }),
                Err("factor"),
                "{factor}"
            );
        }
        assert_eq!(field(RetryOptions { factor: 1.0, ..d }), Ok(()));
        for jitter in [-0.01, 1.01, f64::NAN, f64::INFINITY] {
            assert_eq!(
                field(RetryOptions { jitter, ..d }),
                Err("jitter"),
                "{jitter}"
            );
        }
        assert_eq!(field(RetryOptions { jitter: 0.0, ..d }), Ok(()));
        assert_eq!(field(RetryOptions { jitter: 1.0, ..d }), Ok(()));

        let error = RetryOptions { jitter: 2.0, ..d }.validate().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid retry option `jitter`: must be between 0 and 1"
        );
    }

    #[test]
    fn retryable_failures() {
        for f in [Failure::Network, Failure::BodyEnded, Failure::IdleTimeout] {
            assert!(f.is_retryable(), "{f:?}");
        }
        for code in [408, 429, 500, 502, 503, 504, 599] {
            assert!(status(code).is_retryable(), "{code}");
        }
        for f in [Failure::WrongContentType, Failure::Aborted] {
            assert!(!f.is_retryable(), "{f:?}");
        }
        for code in [
            0, 100, 200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 410, 499, 600,
        ] {
            assert!(!status(code).is_retryable(), "{code}");
        }
    }

    #[test]
    fn delay_sequence_with_fixed_random() {
        // random 0: no jitter reduction, pure doubling up to the cap.
        assert_eq!(
            delays(unlimited(), 9, 0.0),
            [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]
        );
        // random 0.5 with jitter 0.5: three quarters of the above.
        assert_eq!(
            delays(unlimited(), 7, 0.5),
            [750, 1_500, 3_000, 6_000, 12_000, 22_500, 22_500]
        );
        // random 0.999: just above half, rounded up.
        assert_eq!(
            delays(unlimited(), 7, 0.999),
            [501, 1_001, 2_002, 4_004, 8_008, 15_015, 15_015]
        );
    }

    #[test]
    fn jitter_stays_in_range() {
        for jitter in [0.0, 0.25, 0.5, 1.0] {
            let options = RetryOptions {
                jitter,
                ..unlimited()
            };
            let plain = delays(
                RetryOptions {
                    jitter: 0.0,
                    ..options
                },
                12,
                0.0,
            );
            for step in 0..1_000 {
                let random = f64::from(step) / 1_000.0;
                for (d, full) in delays(options, 12, random).into_iter().zip(&plain) {
                    let full = f64::from(*full);
                    let low = (full * (1.0 - jitter)).max(f64::from(MIN_DELAY_MS));
                    assert!(
                        f64::from(d) <= full,
                        "jitter {jitter} random {random}: {d} > {full}"
                    );
                    assert!(
                        f64::from(d) >= low.floor(),
                        "jitter {jitter} random {random}: {d} < {low}"
                    );
                }
            }
        }
        // Full jitter at the top of the range still respects the floor.
        assert_eq!(
            delays(
                RetryOptions {
                    jitter: 1.0,
                    ..unlimited()
                },
                3,
                0.999
            ),
            [100, 100, 100]
        );
    }

    #[test]
    fn growth_and_caps() {
        // factor 1: constant.
        assert_eq!(
            delays(
                RetryOptions {
                    factor: 1.0,
                    ..unlimited()
                },
                4,
                0.0
            ),
            [1_000; 4]
        );
        // factor 3, custom cap.
        let options = RetryOptions {
            factor: 3.0,
            max_delay_ms: 10_000,
            ..unlimited()
        };
        assert_eq!(
            delays(options, 5, 0.0),
            [1_000, 3_000, 9_000, 10_000, 10_000]
        );
        // Never decreasing with a fixed random.
        let seq = delays(
            RetryOptions {
                factor: 1.5,
                ..unlimited()
            },
            50,
            0.3,
        );
        assert!(seq.windows(2).all(|w| w[0] <= w[1]), "{seq:?}");
        // A huge factor or a huge exponent saturates at the cap.
        let options = RetryOptions {
            factor: f64::MAX,
            ..unlimited()
        };
        assert_eq!(delays(options, 3, 0.0), [1_000, 30_000, 30_000]);
        let mut backoff = Backoff::new(Some(unlimited()));
        for _ in 0..5_000 {
            assert!(retry_delay(backoff.on_failure(&NET, 0.0, 0.0)) <= 30_000);
        }
        // A cap above what a timer can hold is clamped.
        let options = RetryOptions {
            max_delay_ms: u32::MAX,
            ..unlimited()
        };
        assert_eq!(delays(options, 40, 0.0)[39], MAX_TIMER_DELAY_MS);
        // initial 0 grows from the floor instead of staying at 0.
        let options = RetryOptions {
            initial_delay_ms: 0,
            ..unlimited()
        };
        assert_eq!(delays(options, 4, 0.0), [100, 200, 400, 800]);
        // max_delay 0: every delay at the floor.
        let options = RetryOptions {
            initial_delay_ms: 0,
            max_delay_ms: 0,
            ..unlimited()
        };
        assert_eq!(delays(options, 3, 0.0), [100, 100, 100]);
    }

    #[test]
    fn server_retry_is_the_base_and_a_floor() {
        let mut backoff = Backoff::new(Some(unlimited()));
        backoff.set_server_retry(5_000);
        let got: Vec<u32> = (0..5)
            .map(|_| retry_delay(backoff.on_failure(&NET, 0.0, 0.999)))
            .collect();
        // Base 5 s; jitter never goes below the server's reconnection time.
        assert_eq!(got, [5_000, 5_005, 10_010, 15_015, 15_015]);
        let mut backoff = Backoff::new(Some(unlimited()));
        backoff.set_server_retry(5_000);
        let got: Vec<u32> = (0..5)
            .map(|_| retry_delay(backoff.on_failure(&NET, 0.0, 0.0)))
            .collect();
        assert_eq!(got, [5_000, 10_000, 20_000, 30_000, 30_000]);
    }

    #[test]
    fn server_retry_above_max_delay_raises_the_cap() {
        let mut backoff = Backoff::new(Some(unlimited()));
        backoff.set_server_retry(60_000);
        for random in [0.0, 0.5, 0.999] {
            assert_eq!(retry_delay(backoff.on_failure(&NET, 0.0, random)), 60_000);
        }
    }

    #[test]
    fn server_retry_floor_and_clamp() {
        let mut backoff = Backoff::new(Some(unlimited()));
        backoff.set_server_retry(0);
        assert_eq!(
            retry_delay(backoff.on_failure(&NET, 0.0, 0.999)),
            MIN_DELAY_MS
        );
        // `retry: 99999999999999999999` saturates to u64::MAX in the parser:
        // it waits 5 minutes, not 24.8 days.
        backoff.set_server_retry(u64::MAX);
        assert_eq!(
            retry_delay(backoff.on_failure(&NET, 0.0, 0.999)),
            MAX_SERVER_DELAY_MS
        );
        backoff.set_server_retry(u64::from(MAX_SERVER_DELAY_MS) + 1);
        assert_eq!(
            retry_delay(backoff.on_failure(&NET, 0.0, 0.0)),
            MAX_SERVER_DELAY_MS
        );
        // The last value wins.
        backoff.set_server_retry(3_000);
        backoff.reset();
        assert_eq!(retry_delay(backoff.on_failure(&NET, 0.0, 0.0)), 3_000);
    }

    #[test]
    fn a_huge_server_retry_waits_at_most_the_larger_of_max_delay_and_five_minutes() {
        let mut backoff = Backoff::new(Some(RetryOptions::default()));
        assert_eq!(backoff.server_delay_cap_ms(), MAX_SERVER_DELAY_MS);
        backoff.set_server_retry(u64::MAX);
        assert_eq!(retry_delay(backoff.on_failure(&NET, 0.0, 0.5)), 300_000);

        let patient = RetryOptions {
            max_delay_ms: 3_600_000,
            ..RetryOptions::default()
        };
        let mut backoff = Backoff::new(Some(patient));
        assert_eq!(backoff.server_delay_cap_ms(), 3_600_000);
        backoff.set_server_retry(u64::MAX);
        assert_eq!(retry_delay(backoff.on_failure(&NET, 0.0, 0.5)), 3_600_000);
        // A value under the cap is honoured as sent.
        backoff.set_server_retry(400_000);
        backoff.reset();
        assert_eq!(retry_delay(backoff.on_failure(&NET, 0.0, 0.5)), 400_000);
    }

    #[test]
    fn retry_after_is_honoured_on_429_and_503() {
        for code in [429, 503] {
            let failure = Failure::Status {
                status: code,
                retry_after_ms: Some(60_000),
            };
            let mut backoff = Backoff::new(Some(unlimited()));
            for random in [0.0, 0.5, 0.999] {
                assert_eq!(
                    retry_delay(backoff.on_failure(&failure, 0.0, random)),
                    60_000
                );
            }
            // Capped at MAX_SERVER_DELAY_MS.
            let failure = Failure::Status {
                status: code,
                retry_after_ms: Some(u64::MAX),
            };
            let mut backoff = Backoff::new(Some(unlimited()));
            assert_eq!(
                retry_delay(backoff.on_failure(&failure, 0.0, 0.0)),
                MAX_SERVER_DELAY_MS
            );
            // A shorter Retry-After does not shorten the backoff.
            let failure = Failure::Status {
                status: code,
                retry_after_ms: Some(0),
            };
            let mut backoff = Backoff::new(Some(unlimited()));
            assert_eq!(retry_delay(backoff.on_failure(&failure, 0.0, 0.0)), 1_000);
            let failure = Failure::Status {
                status: code,
                retry_after_ms: Some(1_500),
            };
            assert_eq!(retry_delay(backoff.on_failure(&failure, 0.0, 0.999)), 1_500);
        }
        // Ignored on other statuses.
        for code in [408, 500, 502, 504] {
            let failure = Failure::Status {
                status: code,
                retry_after_ms: Some(60_000),
            };
            let mut backoff = Backoff::new(Some(unlimited()));
            assert_eq!(
                retry_delay(backoff.on_failure(&failure, 0.0, 0.0)),
                1_000,
                "{code}"
            );
        }
        // A cap above MAX_SERVER_DELAY_MS still applies to the backoff itself.
        let options = RetryOptions {
            initial_delay_ms: 600_000,
            max_delay_ms: 600_000,
            ..unlimited()
        };
        let failure = Failure::Status {
            status: 503,
            retry_after_ms: Some(u64::MAX),
        };
        assert_eq!(
            retry_delay(Backoff::new(Some(options)).on_failure(&failure, 0.0, 0.0)),
            600_000
        );
    }

    #[test]
    fn max_attempts_counts_every_request() {
        for max in [1u32, 2, 3, 10] {
            let options = RetryOptions {
                max_attempts: Some(max),
                ..RetryOptions::default()
            };
            let mut backoff = Backoff::new(Some(options));
            let mut requests = 1; // the first request
            let mut attempts_seen = Vec::new();
            let outcome = loop {
                match backoff.on_failure(&status(500), 0.0, 0.5) {
                    Decision::Retry { attempt, .. } => {
                        requests += 1;
                        attempts_seen.push(attempt);
                        assert_eq!(attempt, requests);
                    }
                    Decision::GiveUp(give_up) => break give_up,
                }
                assert!(requests <= 1_000, "never gave up");
            };
            assert_eq!(
                requests, max,
                "a server that always fails sees max_attempts requests"
            );
            assert_eq!(outcome, GiveUp::Exhausted { attempts: max });
            assert_eq!(attempts_seen, (2..=max).collect::<Vec<_>>());
            assert_eq!(backoff.attempts(), max);
        }
    }

    #[test]
    fn unlimited_attempts_never_give_up() {
        let mut backoff = Backoff::new(Some(unlimited()));
        for n in 1..=10_000u32 {
            assert_eq!(
                backoff.on_failure(&NET, 0.0, 0.0),
                Decision::Retry {
                    attempt: n + 1,
                    delay_ms: if n >= 6 { 30_000 } else { 1_000 << (n - 1) }
                }
            );
        }
        // The counter saturates instead of overflowing.
        backoff.failures = u32::MAX - 1;
        backoff.streak = u32::MAX - 1;
        assert_eq!(
            backoff.on_failure(&NET, 0.0, 0.0),
            Decision::Retry {
                attempt: u32::MAX,
                delay_ms: 30_000
            }
        );
        assert_eq!(
            backoff.on_failure(&NET, 0.0, 0.0),
            Decision::Retry {
                attempt: u32::MAX,
                delay_ms: 30_000
            }
        );
    }

    #[test]
    fn healthy_connection_starts_a_fresh_run() {
        let mut backoff = Backoff::new(Some(RetryOptions::default()));
        for _ in 0..5 {
            let _ = backoff.on_failure(&NET, 0.0, 0.0);
        }
        assert_eq!(backoff.attempts(), 5);
        // Open for exactly healthy_after_ms: fresh run, this drop is attempt 1.
        backoff.on_open(1_000.0);
        assert_eq!(
            backoff.on_failure(&Failure::BodyEnded, 31_000.0, 0.0),
            Decision::Retry {
                attempt: 2,
                delay_ms: 1_000
            }
        );
        assert_eq!(backoff.attempts(), 1);
        // One millisecond short: counted as one more failure.
        backoff.on_open(50_000.0);
        assert_eq!(
            backoff.on_failure(&Failure::BodyEnded, 79_999.0, 0.0),
            Decision::Retry {
                attempt: 3,
                delay_ms: 2_000
            }
        );
        // The open time is forgotten after a failure: a failure long after
        // a previous connection's open does not count as healthy.
        assert_eq!(
            backoff.on_failure(&NET, 1e9, 0.0),
            Decision::Retry {
                attempt: 4,
                delay_ms: 4_000
            }
        );
        // An unknown duration is not healthy.
        backoff.on_open(f64::NAN);
        let _ = backoff.on_failure(&NET, 1e9, 0.0);
        assert_eq!(backoff.attempts(), 4);
    }

    #[test]
    fn progress_refills_the_budget_but_not_the_delays() {
        let options = RetryOptions {
            max_attempts: Some(2),
            jitter: 0.0,
            ..RetryOptions::default()
        };
        let mut backoff = Backoff::new(Some(options));
        // A server that sends one event and drops, 50 times: never exhausted.
        let mut delays = Vec::new();
        for _ in 0..50 {
            backoff.on_open(0.0);
            backoff.on_progress();
            match backoff.on_failure(&Failure::Network, 1.0, 0.0) {
                Decision::Retry { attempt, delay_ms } => {
                    assert_eq!(attempt, 2, "each failure starts a fresh run");
                    delays.push(delay_ms);
                }
                Decision::GiveUp(give_up) => panic!("gave up: {give_up:?}"),
            }
        }
        // ...but the delays still grow, up to the cap: the storm guard.
        assert_eq!(&delays[..6], [1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
        // Without progress the budget runs out as before.
        backoff.on_open(0.0);
        assert_eq!(
            backoff.on_failure(&Failure::Network, 1.0, 0.0),
            Decision::GiveUp(GiveUp::Exhausted { attempts: 2 })
        );
    }

    #[test]
    fn progress_is_forgotten_after_each_failure() {
        let options = RetryOptions {
            max_attempts: Some(3),
            ..RetryOptions::default()
        };
        let mut backoff = Backoff::new(Some(options));
        backoff.on_progress();
        let _ = backoff.on_failure(&Failure::Network, 0.0, 0.0);
        assert_eq!(backoff.attempts(), 1);
        // The next connections deliver nothing: they count.
        let _ = backoff.on_failure(&Failure::Network, 0.0, 0.0);
        assert_eq!(
            backoff.on_failure(&Failure::Network, 0.0, 0.0),
            Decision::GiveUp(GiveUp::Exhausted { attempts: 3 })
        );
    }

    #[test]
    fn open_alone_does_not_reset() {
        let mut backoff = Backoff::new(Some(unlimited()));
        for _ in 0..3 {
            let _ = backoff.on_failure(&NET, 0.0, 0.0);
        }
        backoff.on_open(0.0);
        assert_eq!(backoff.attempts(), 3);
    }

    /// Drives `backoff` against a server that accepts every request and ends
    /// the stream at once. Returns the requests made before `window_ms` of
    /// simulated time and the outcome after at most `max_requests`.
    fn accept_then_drop(
        backoff: &mut Backoff,
        random: f64,
        window_ms: f64,
        max_requests: u32,
    ) -> (u32, u32, Option<GiveUp>) {
        let mut now = 0.0;
        let (mut requests, mut in_window) = (0u32, 0u32);
        while requests < max_requests {
            requests += 1; // request sent at `now`
            if now < window_ms {
                in_window += 1;
            }
            backoff.on_open(now); // 200 + text/event-stream
            match backoff.on_failure(&Failure::BodyEnded, now, random) {
                Decision::Retry { delay_ms, .. } => now += f64::from(delay_ms),
                Decision::GiveUp(give_up) => return (in_window, requests, Some(give_up)),
            }
        }
        (in_window, requests, None)
    }

    #[test]
    fn no_request_storm_against_accept_then_drop() {
        // Shortest delays the jitter can produce.
        let random = 0.999_999;
        let mut backoff = Backoff::new(Some(unlimited()));
        let (in_window, _, give_up) = accept_then_drop(&mut backoff, random, 4_000.0, 100);
        assert!(in_window <= 4, "{in_window} requests in 4 s");
        assert_eq!(give_up, None);
        // Even when the server says `retry: 0`.
        let mut backoff = Backoff::new(Some(unlimited()));
        backoff.set_server_retry(0);
        let (in_window, _, _) = accept_then_drop(&mut backoff, random, 4_000.0, 100);
        assert!(in_window <= 7, "{in_window} requests in 4 s with retry: 0");
        // With the default budget the client stops after 10 requests.
        let mut backoff = Backoff::new(Some(RetryOptions::default()));
        let (_, requests, give_up) = accept_then_drop(&mut backoff, random, 4_000.0, 100);
        assert_eq!(requests, 10);
        assert_eq!(give_up, Some(GiveUp::Exhausted { attempts: 10 }));
    }

    #[test]
    fn not_retryable_and_disabled() {
        let mut backoff = Backoff::new(Some(RetryOptions::default()));
        let _ = backoff.on_failure(&NET, 0.0, 0.0);
        for failure in [
            Failure::Aborted,
            Failure::WrongContentType,
            status(204),
            status(401),
            status(403),
            status(404),
            Failure::Status {
                status: 400,
                retry_after_ms: Some(1_000),
            },
        ] {
            assert_eq!(
                backoff.on_failure(&failure, 0.0, 0.0),
                Decision::GiveUp(GiveUp::NotRetryable),
                "{failure:?}"
            );
        }
        assert_eq!(backoff.attempts(), 1, "giving up does not count");

        let mut disabled = Backoff::new(None);
        for failure in [
            Failure::Network,
            Failure::BodyEnded,
            Failure::IdleTimeout,
            status(503),
        ] {
            assert_eq!(
                disabled.on_failure(&failure, 0.0, 0.0),
                Decision::GiveUp(GiveUp::Disabled),
                "{failure:?}"
            );
        }
        for failure in [Failure::Aborted, status(204), status(404)] {
            assert_eq!(
                disabled.on_failure(&failure, 0.0, 0.0),
                Decision::GiveUp(GiveUp::NotRetryable),
                "{failure:?}"
            );
        }
        assert_eq!(disabled.attempts(), 0);
    }

    #[test]
    fn reset_clears_the_counter_and_the_open_connection() {
        let mut backoff = Backoff::new(Some(RetryOptions::default()));
        for _ in 0..9 {
            let _ = backoff.on_failure(&NET, 0.0, 0.0);
        }
        assert_eq!(backoff.attempts(), 9);
        backoff.on_open(0.0);
        backoff.reset();
        assert_eq!(backoff.attempts(), 0);
        assert_eq!(
            backoff.on_failure(&NET, 0.0, 0.0),
            Decision::Retry {
                attempt: 2,
                delay_ms: 1_000
            }
        );
    }

    #[test]
    fn unvalidated_options_are_clamped() {
        let mut backoff = Backoff::new(Some(RetryOptions {
            max_attempts: Some(0),
            ..RetryOptions::default()
        }));
        assert_eq!(
            backoff.on_failure(&NET, 0.0, 0.0),
            Decision::GiveUp(GiveUp::Exhausted { attempts: 1 })
        );
        // factor 0.5 acts as 1 and jitter 7 as 1: half of 1000 at random 0.5.
        let options = RetryOptions {
            factor: 0.5,
            jitter: 7.0,
            ..unlimited()
        };
        assert_eq!(delays(options, 3, 0.5), [500, 500, 500]);
        let options = RetryOptions {
            jitter: -3.0,
            ..unlimited()
        };
        assert_eq!(delays(options, 2, 0.999), [1_000, 2_000]);
        let options = RetryOptions {
            factor: f64::NAN,
            jitter: f64::NAN,
            ..unlimited()
        };
        assert_eq!(delays(options, 3, 0.5), [1_000, 1_000, 1_000]);
        let options = RetryOptions {
            initial_delay_ms: 5_000,
            max_delay_ms: 2_000,
            ..unlimited()
        };
        assert_eq!(delays(options, 2, 0.0), [2_000, 2_000]);
    }

    /// A small deterministic generator, so the sweep below is reproducible.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn never_panics_and_stays_in_bounds() {
        let floats = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
            0.0,
            0.5,
            0.999_999,
            1.0,
            2.0,
            1e300,
            f64::MAX,
        ];
        let u32s = [0, 1, MIN_DELAY_MS, 1_000, MAX_TIMER_DELAY_MS, u32::MAX];
        let u64s = [0, 1, 100, 60_000, u64::from(u32::MAX) + 1, u64::MAX];
        let statuses = [0, 200, 204, 401, 408, 429, 500, 503, 599, u16::MAX];
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut pick = |n: usize| (xorshift(&mut state) % n as u64) as usize;
        for _ in 0..3_000 {
            let options = RetryOptions {
                max_attempts: [None, Some(0), Some(1), Some(3), Some(u32::MAX)][pick(5)],
                initial_delay_ms: u32s[pick(u32s.len())],
                max_delay_ms: u32s[pick(u32s.len())],
                factor: floats[pick(floats.len())],
                jitter: floats[pick(floats.len())],
                healthy_after_ms: u32s[pick(u32s.len())],
            };
            let mut backoff = Backoff::new(if pick(8) == 0 { None } else { Some(options) });
            if pick(2) == 0 {
                backoff.set_server_retry(u64s[pick(u64s.len())]);
            }
            for _ in 0..40 {
                let now = floats[pick(floats.len())] * 1e6;
                match pick(10) {
                    0 => backoff.on_open(now),
                    1 => backoff.reset(),
                    2 => backoff.set_server_retry(u64s[pick(u64s.len())]),
                    _ => {}
                }
                let failure = match pick(7) {
                    0 => Failure::Network,
                    1 => Failure::BodyEnded,
                    2 => Failure::WrongContentType,
                    3 => Failure::IdleTimeout,
                    4 => Failure::Aborted,
                    _ => Failure::Status {
                        status: statuses[pick(statuses.len())],
                        retry_after_ms: [None, Some(u64s[pick(u64s.len())])][pick(2)],
                    },
                };
                let before = backoff.attempts();
                let decision = backoff.on_failure(&failure, now, floats[pick(floats.len())]);
                if let Decision::Retry { attempt, delay_ms } = decision {
                    assert!(failure.is_retryable());
                    assert!(
                        (MIN_DELAY_MS..=MAX_TIMER_DELAY_MS).contains(&delay_ms),
                        "{delay_ms}"
                    );
                    assert!(attempt >= 2);
                    assert_eq!(attempt, backoff.attempts().saturating_add(1));
                    if let Some(max) = options.max_attempts {
                        assert!(attempt <= max);
                    }
                } else if !failure.is_retryable() {
                    assert_eq!(decision, Decision::GiveUp(GiveUp::NotRetryable));
                    assert_eq!(backoff.attempts(), before);
                }
            }
        }
    }
}
