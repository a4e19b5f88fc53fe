//! The browser shell (wasm32 only): the `SSEClient` class, the fetch and
//! native EventSource transports, timers and listeners. It moves bytes,
//! timers and callbacks between the browser and the sans-IO core.

mod classes;
mod client;
mod error;
mod eventsource;
mod fetch;
mod listen;
mod options;
mod registry;
mod rust_api;
mod shared;
mod sys;
mod types;

pub use client::{SseClient, Subscription};
pub use rust_api::{
    Client, ClientBuilder, Event, EventStream, Reconnecting, Retry,
    Subscription as SubscriptionGuard, Transport,
};
