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
