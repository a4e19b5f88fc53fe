//! The browser shell (wasm32 only). The sans-IO core runs in the wasm as an
//! [`engine::Engine`]; everything else a client does in the browser
//! (handlers, transports, timers, listeners, `SSEError`s) is JavaScript,
//! `src/web/client.js`, so that it costs no wasm.
//!
//! * [`engine`]: the connection machine and the parser behind a narrow
//!   interface of numbers, and the fetch transport's hot path; `handles`
//!   (the npm package's build, without `std`): the engines as numbers
//!   JavaScript holds.
//! * [`js_client`] (feature `std`, as the rest): the JavaScript client from Rust with the JavaScript
//!   API ([`SseClient`]); `rust_api`: the Rust face ([`Client`]), typed
//!   options, errors and callbacks over the same JavaScript client.
//! * `error`: `SSEError` back into [`crate::Error`]; `sys`: the raw
//!   bindings to client.js, runtime.js and options.js; `trap_cell`: the
//!   engine's `RefCell`, without panic paths.

pub mod engine;
#[cfg(feature = "std")]
mod error;
#[cfg(not(feature = "std"))]
mod handles;
#[cfg(feature = "std")]
pub mod js_client;
#[cfg(feature = "std")]
mod rust_api;
#[cfg(feature = "std")]
mod sys;
mod trap_cell;

#[cfg(feature = "std")]
pub use js_client::{JsSubscription, SseClient};
#[cfg(feature = "std")]
pub use rust_api::{
    Client, ClientBuilder, Event, EventStream, Reconnecting, Retry, Subscription, Transport,
};
