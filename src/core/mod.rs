//! Sans-IO connection core.

pub mod http;
pub mod retry;
