//! Fuzzes the streaming parser: `cargo +nightly fuzz run parser`.
//!
//! The first input byte picks the size cap, the next four the chunk sizes;
//! the rest is the body. Checks, beyond "no panic":
//! * feeding in chunks gives the same events, last event ID, retry and
//!   overall overflow verdict as feeding at once;
//! * what comes out is well-formed: no CR or LF in a type or an ID, no CR in
//!   data, no NUL in an ID, no event larger than the cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sse_wasm::parser::DEFAULT_MAX_EVENT_SIZE;

mod common;

use common::run;

fuzz_target!(|input: &[u8]| {
    let Some((&cap_byte, rest)) = input.split_first() else {
        return;
    };
    if rest.len() < 4 {
        return;
    }
    let (size_bytes, body) = rest.split_at(4);
    // Zero-sized (empty) chunks are allowed, as long as the cycle progresses.
    let mut sizes = [size_bytes[0], size_bytes[1], size_bytes[2], size_bytes[3]];
    if sizes == [0; 4] {
        sizes[0] = 1;
    }
    let cap = if cap_byte == 0xFF {
        DEFAULT_MAX_EVENT_SIZE
    } else {
        usize::from(cap_byte)
    };

    let whole = run(cap, &[body]);

    let mut chunks = Vec::new();
    let mut remaining = body;
    for &size in sizes.iter().cycle() {
        if remaining.is_empty() {
            break;
        }
        let (chunk, tail) = remaining.split_at(usize::from(size).min(remaining.len()));
        chunks.push(chunk);
        remaining = tail;
    }
    let chunked = run(cap, &chunks);
    assert_eq!(chunked, whole);
});
