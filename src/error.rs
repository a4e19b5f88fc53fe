//! The crate's typed errors.
/// Placeholder.
#[derive(Debug)]
pub enum Error {}
