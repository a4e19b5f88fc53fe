//! The npm package's engines, held by JavaScript as numbers (the build
//! without `std`).
//!
//! A wasm-bindgen class costs each exported method a wrapper (a reference
//! count, borrow flags, errors with their messages) and the glue a class
//! with a finalizer: 0.37 KB of the page, gzipped, for the engine's nine
//! (SIZE.md). Here an engine is a handle, an index into the live engines,
//! and each function takes one; js/loader.js gives the JavaScript client
//! the class's methods over them.
//!
//! Every handle is checked: one that names no live engine (never made, or
//! freed) does nothing, and gets what a closed engine would answer. An
//! engine freed while one of its calls is under way (a handler that drops
//! its client during a feed) lives until that call returns.

use alloc::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::prelude::*;

use super::engine::Engine;
use super::trap_cell::TrapCell;

// The `Sync` below holds only without threads.
#[cfg(target_feature = "atomics")]
compile_error!(
    "the npm package's engines are single-threaded: build without the `atomics` target feature"
);

/// The live engines: handle `n` is slot `n - 1` (0 is no engine). A freed
/// slot is reused by the next engine; JavaScript forgets a handle when it
/// frees it (js/loader.js), so no stale one reaches the new engine.
struct Engines(TrapCell<Vec<Option<Rc<Engine>>>>);

// SAFETY: wasm32 without the `atomics` target feature (checked above) runs
// one thread: the cell is never reached from two at once.
unsafe impl Sync for Engines {}

static ENGINES: Engines = Engines(TrapCell::new(Vec::new()));

/// The engine of `handle`, if it is live. The table is not borrowed once
/// this returns: the engine's calls into JavaScript may make or free others.
#[inline(never)]
fn engine(handle: u32) -> Option<Rc<Engine>> {
    let slot = usize::try_from(handle).ok()?.checked_sub(1)?;
    ENGINES.0.borrow().get(slot)?.clone()
}

/// `method` of the engine of `handle`, or `absent` without one: one copy
/// of the lookup for the methods that take nothing more.
#[inline(never)]
fn call<R>(handle: u32, absent: R, method: fn(&Engine) -> R) -> R {
    match engine(handle) {
        Some(engine) => method(&engine),
        None => absent,
    }
}

/// [`Engine::new`]: a new engine's handle (never 0).
#[wasm_bindgen]
pub fn engine_new(settings: &[u8], last_event_id: &[u8]) -> u32 {
    let engine = Some(Rc::new(Engine::new(settings, last_event_id)));
    let mut engines = ENGINES.0.borrow_mut();
    let slot = match engines
        .iter_mut()
        .enumerate()
        .find(|(_, slot)| slot.is_none())
    {
        Some((index, slot)) => {
            *slot = engine;
            index
        }
        None => {
            engines.push(engine);
            engines.len() - 1
        }
    };
    // Slots are as many as live engines ever were at once: far below 2^32.
    slot as u32 + 1
}

/// Lets go of the engine of `handle`.
#[wasm_bindgen]
pub fn engine_free(handle: u32) {
    let freed = usize::try_from(handle)
        .ok()
        .and_then(|handle| handle.checked_sub(1))
        .and_then(|slot| ENGINES.0.borrow_mut().get_mut(slot)?.take());
    // Dropped here, with the table no longer borrowed.
    drop(freed);
}

/// [`Engine::next`]; 0 (nothing to do) without an engine.
#[wasm_bindgen]
pub fn engine_next(handle: u32) -> u32 {
    call(handle, 0, Engine::next)
}

/// [`Engine::delay`]; -1 without an engine.
#[wasm_bindgen]
pub fn engine_delay(handle: u32) -> f64 {
    call(handle, -1.0, Engine::delay)
}

/// [`Engine::error`]; 0 without an engine.
#[wasm_bindgen]
pub fn engine_error(handle: u32) -> u32 {
    call(handle, 0, Engine::error)
}

/// [`Engine::state`]; closed (5) without an engine.
#[wasm_bindgen]
pub fn engine_state(handle: u32) -> u32 {
    call(handle, 5, Engine::state)
}

/// [`Engine::input`]; nothing without an engine.
#[wasm_bindgen]
pub fn engine_input(handle: u32, input: u32, arg: u32, now: f64, random: f64) {
    if let Some(engine) = engine(handle) {
        engine.input(input, arg, now, random);
    }
}

/// [`Engine::response`]; 4 (no body to read) without an engine.
#[wasm_bindgen]
pub fn engine_response(
    handle: u32,
    status: u16,
    content_type: &[u8],
    retry_after_ms: f64,
    has_body: bool,
    now: f64,
    random: f64,
) -> u32 {
    engine(handle).map_or(4, |engine| {
        engine.response(status, content_type, retry_after_ms, has_body, now, random)
    })
}

/// [`Engine::feed`]; false (stop reading) without an engine.
#[wasm_bindgen]
pub fn engine_feed(handle: u32, chunk: &[u8], now: f64) -> bool {
    engine(handle).is_some_and(|engine| engine.feed(chunk, now))
}
