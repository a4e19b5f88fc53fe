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
//! * a **thin browser shell** (`web`, wasm32 only) that moves bytes, timers
//!   and callbacks between the browser and the core: the `SSEClient`
//!   JavaScript class, the `fetch` and native `EventSource` transports.
#![warn(missing_docs)]

pub mod core;
pub mod error;
pub mod parser;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::Error;
#[cfg(target_arch = "wasm32")]
pub use web::{
    Client, ClientBuilder, Event, EventStream, Reconnecting, Retry, Subscription, Transport,
};

/// The npm package's allocator: smaller and faster than the default
/// dlmalloc on wasm (SIZE.md). Only with the `talc` feature, which `make
/// build` sets, so that an app linking this crate keeps its own.
#[cfg(all(feature = "talc", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
