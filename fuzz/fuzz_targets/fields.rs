//! Structure-aware fuzzing of the streaming parser:
//! `cargo +nightly fuzz run fields`.
//!
//! Where the `parser` target mutates raw bytes, this one has `arbitrary`
//! build a stream out of field lines, so libFuzzer spends its time on the
//! field rules (§9.2.6) rather than on discovering the word `data:`:
//!
//! * names `data`, `event`, `id`, `retry`, a BOM glued to `data`, and any
//!   other string; with no colon, a bare colon, or a colon and one or two
//!   spaces; comments (`:` first) and blank lines (dispatch);
//! * values mixing text (non-ASCII included), retry-like digits, arbitrary
//!   bytes, NUL, a BOM, invalid or truncated UTF-8, and stray CR, LF and
//!   CRLF (which end the line early, as a server bug would);
//! * lines ended by LF, CR or CRLF, an optional BOM at the start of the
//!   stream, an optional unterminated last line (dropped by `finish`);
//! * a size cap that is either the default or tiny (0..=255 bytes), so the
//!   overflow path is fuzzed too.
//!
//! The serialised stream is fed in one chunk, split at arbitrary points (empty
//! chunks included), and one byte at a time. Checks, beyond "no panic":
//! * all three give the same events (type, data, ID), last event ID, retry
//!   and overall overflow verdict (the parser's "chunking is invisible");
//! * what comes out is well-formed, as in the `parser` target: no CR or LF in
//!   a type or an ID, no CR in data, no NUL in an ID, no empty type, no event
//!   larger than the cap allows.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sse_wasm::parser::DEFAULT_MAX_EVENT_SIZE;

mod common;

use common::run;

/// A whole response body, before serialisation.
#[derive(Debug, Arbitrary)]
struct Stream {
    /// `None`: the default cap; `Some(n)`: a cap of `n` bytes.
    cap: Option<u8>,
    /// Starts with a BOM (which the parser drops).
    bom: bool,
    lines: Vec<(Line, End)>,
    /// An unterminated last line.
    tail: Option<Line>,
    /// Where to split the body, each taken modulo its length plus one.
    cuts: Vec<u16>,
}

/// One line, without its terminator.
#[derive(Debug, Arbitrary)]
enum Line {
    /// `name`, the separator, then the value.
    Field(Name, Colon, Vec<Piece>),
    /// `:` then the value: never an event.
    Comment(Vec<Piece>),
    /// The empty line: dispatches the event.
    Blank,
}

#[derive(Debug, Arbitrary)]
enum Name {
    Data,
    Event,
    Id,
    Retry,
    /// A BOM in mid-stream makes `\u{FEFF}data` an unknown name.
    BomData,
    /// Anything else (an unknown field, or a near miss such as `Data`).
    Other(String),
}

/// What separates the name from the value.
#[derive(Debug, Arbitrary)]
enum Colon {
    /// No colon: the whole line is the name, the value is empty.
    None,
    Bare,
    /// The one space the parser strips.
    Space,
    /// Only the first space is stripped.
    TwoSpaces,
}

/// A piece of a value.
#[derive(Debug, Arbitrary)]
enum Piece {
    Text(String),
    /// Digits, as a valid `retry` value.
    Digits(u64),
    /// Anything, invalid UTF-8 included.
    Bytes(Vec<u8>),
    Nul,
    Bom,
    /// An invalid or truncated UTF-8 sequence from [`INVALID`].
    Invalid(u8),
    /// A line end inside a value splits the line there.
    End(End),
}

#[derive(Debug, Arbitrary)]
enum End {
    Lf,
    Cr,
    CrLf,
}

/// A lone continuation byte, a byte never valid in UTF-8, truncated 2-, 3-
/// and 4-byte sequences, an encoded surrogate, an overlong `/`.
const INVALID: &[&[u8]] = &[
    b"\x80",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
];
const BOM: &[u8] = b"\xef\xbb\xbf";

impl Stream {
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.bom {
            out.extend_from_slice(BOM);
        }
        for (line, end) in &self.lines {
            line.write(&mut out);
            end.write(&mut out);
        }
        if let Some(line) = &self.tail {
            line.write(&mut out);
        }
        out
    }
}

impl Line {
    fn write(&self, out: &mut Vec<u8>) {
        let value = match self {
            Line::Field(name, colon, value) => {
                out.extend_from_slice(match name {
                    Name::Data => b"data",
                    Name::Event => b"event",
                    Name::Id => b"id",
                    Name::Retry => b"retry",
                    Name::BomData => b"\xef\xbb\xbfdata",
                    Name::Other(name) => name.as_bytes(),
                });
                out.extend_from_slice(match colon {
                    Colon::None => b"",
                    Colon::Bare => b":",
                    Colon::Space => b": ",
                    Colon::TwoSpaces => b":  ",
                });
                value
            }
            Line::Comment(value) => {
                out.push(b':');
                value
            }
            Line::Blank => return,
        };
        for piece in value {
            match piece {
                Piece::Text(text) => out.extend_from_slice(text.as_bytes()),
                Piece::Digits(n) => out.extend_from_slice(n.to_string().as_bytes()),
                Piece::Bytes(bytes) => out.extend_from_slice(bytes),
                Piece::Nul => out.push(0),
                Piece::Bom => out.extend_from_slice(BOM),
                Piece::Invalid(i) => {
                    out.extend_from_slice(INVALID[usize::from(*i) % INVALID.len()]);
                }
                Piece::End(end) => end.write(out),
            }
        }
    }
}

impl End {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(match self {
            End::Lf => b"\n",
            End::Cr => b"\r",
            End::CrLf => b"\r\n",
        });
    }
}

fuzz_target!(|stream: Stream| {
    let body = stream.to_bytes();
    let cap = stream.cap.map_or(DEFAULT_MAX_EVENT_SIZE, usize::from);

    let mut points: Vec<usize> = stream
        .cuts
        .iter()
        .map(|&cut| usize::from(cut) % (body.len() + 1))
        .collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for point in points {
        chunks.push(&body[start..point]);
        start = point;
    }
    chunks.push(&body[start..]);

    let whole = run(cap, &[&body]);
    // The body in the assertion message is what a regression test needs.
    let shown = body.escape_ascii();
    let sizes: Vec<usize> = chunks.iter().map(|chunk| chunk.len()).collect();
    assert_eq!(
        run(cap, &chunks),
        whole,
        "chunks of {sizes:?} bytes: b\"{shown}\""
    );
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(run(cap, &bytes), whole, "byte by byte: b\"{shown}\"");
});
