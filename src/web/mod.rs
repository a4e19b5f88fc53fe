//! The browser shell (wasm32 only): it moves bytes, timers and callbacks
//! between the browser and the sans-IO core.
//!
//! * [`js_client`]: the JavaScript face (`SSEClient`, `Subscription`);
//!   `rust_api`: the Rust face ([`Client`]).
//! * `inner`: the one client state both faces sit on; it implements the
//!   transports' sink and carries out the connection machine's actions.
//! * `transport`: the fetch and native EventSource transports behind one
//!   interface, knowing nothing of the client.
//! * `options`, `registry`, `error`, `listen`: typed options, who listens to
//!   what, `SSEError`, RAII DOM listeners. `sys` and `runtime.js`: the raw
//!   bindings and the JavaScript half of the hot path.

mod error;
mod inner;
pub mod js_client;
mod listen;
mod options;
mod registry;
mod rust_api;
mod sys;
mod transport;
mod types;

pub use js_client::{JsSubscription, SseClient};
pub use rust_api::{
    Client, ClientBuilder, Event, EventStream, Reconnecting, Retry, Subscription, Transport,
};
