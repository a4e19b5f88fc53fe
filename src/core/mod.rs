//! The sans-IO core: the connection state machine, the retry policy and
//! HTTP response classification. No I/O, no clock, no randomness: all are
//! inputs, so everything here is unit-tested natively.

pub mod connection;

pub mod http;
pub mod retry;
pub mod url;
pub mod utf16;
