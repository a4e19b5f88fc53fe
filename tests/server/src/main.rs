//! Test server (pending).
fn main() {}
