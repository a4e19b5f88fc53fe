//! The sans-IO core: the connection state machine, the retry policy,
//! HTTP response classification, decimal numbers (`retry:`),
//! and the byte-to-UTF-16 offsets of the fetch transport's hot path. No
//! I/O, no clock, no randomness: all are inputs, so everything here is
//! unit-tested natively.

pub mod connection;
pub mod decimal;
pub mod float;

pub mod http;
pub mod retry;
pub mod utf16;
