//! # sse-wasm
//!
//! A spec-exact Server-Sent Events client for the browser, written in Rust and
//! compiled to WebAssembly.
//!
//! The crate has two halves:
//!
//! * a **sans-IO core** that compiles and is tested natively: the
//!   [`parser`] (bytes in, events out, WHATWG HTML §9.2.5–9.2.6) and the
//!   connection state machine and retry policy in [`core`] (inputs are
//!   responses, timer expiries and user calls; outputs are actions such as
//!   "reconnect in N ms");
//! * a **thin browser shell** (`web`, wasm32 only): the core as a wasm
//!   `Engine`, driven by a JavaScript client (`src/web/client.js`) that
//!   owns the handlers, the `fetch` and native `EventSource` transports,
//!   the timers and the listeners, so that none of them costs wasm. Rust
//!   applications use it through the Rust API re-exported here
//!   (`Client` and its builder, guards and streams).
//!
//! # Features
//!
//! * `std` (default): the standard library, the Rust API and its typed
//!   `Error` (the engine itself knows failures by the small
//!   `core::connection::Failure`). Without it the crate is `no_std` (with
//!   `alloc`): what the npm package builds, the engine alone (SIZE.md).
//! * `small-alloc`: a small power-of-two allocator as the global allocator
//!   of the wasm module (the npm package).
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod core;
#[cfg(feature = "std")]
pub mod error;
pub mod parser;
#[cfg(any(test, all(feature = "small-alloc", target_arch = "wasm32")))]
mod small_alloc;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(feature = "std")]
pub use error::Error;
#[cfg(all(target_arch = "wasm32", feature = "std"))]
pub use web::{
    Client, ClientBuilder, Event, EventStream, Reconnecting, Retry, Subscription, Transport,
};

/// What the standard library's prelude brings and `no_std` code imports.
mod prelude {
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
}

/// Without the standard library (the npm package), a panic, which no input
/// can cause by design, stops the module: `unreachable`, with none of the
/// standard library's message formatting in the wasm.
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo<'_>) -> ! {
    ::core::arch::wasm32::unreachable()
}

/// The npm package's allocator: smaller than talc or the default dlmalloc
/// on wasm (`small_alloc`). Only with the `small-alloc` feature, which
/// `make build` sets, so that an app linking this crate keeps its own.
#[cfg(all(feature = "small-alloc", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: small_alloc::SmallAlloc = small_alloc::SmallAlloc::new();
