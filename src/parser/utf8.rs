//! UTF-8 decoding with U+FFFD replacement, as the WHATWG "UTF-8 decode"
//! algorithm does (Encoding Standard §4.1, HTML §9.2.5).
//!
//! The parser decodes whole lines (or the whole data buffer), never a piece of
//! one, so a character split across reads has been joined before it gets
//! here. Splitting lines on raw bytes first is equivalent to decoding first:
//! the decoder never swallows an ASCII byte into an invalid sequence (it
//! emits U+FFFD and reprocesses the byte), and every syntax byte is ASCII.

use alloc::borrow::Cow;

use crate::prelude::*;

/// U+FFFD as a string: `push_str` of it reuses the copy code that every
/// other string shares, where `push` of a `char` would add its own.
const REPLACEMENT: &str = "\u{FFFD}";

/// Sets `dst` to `bytes` decoded, each maximal invalid subpart replaced
/// with one U+FFFD. This is the same replacement as
/// [`String::from_utf8_lossy`] and the WHATWG decoder, but into a reused
/// buffer: no allocation once `dst` has grown.
#[inline]
pub(super) fn set_lossy(dst: &mut String, bytes: &[u8]) {
    match core::str::from_utf8(bytes) {
        Ok(text) => assign(dst, text),
        Err(_) => {
            dst.clear();
            push_lossy_slow(dst, bytes);
        }
    }
}

/// Sets `dst` to `text`, keeping its capacity. Out of line: every string
/// of the parser is set this way, so the copy exists once.
#[inline(never)]
pub(super) fn assign(dst: &mut String, text: &str) {
    dst.clear();
    dst.push_str(text);
}

/// Appends `bytes`, which are not valid UTF-8, to `dst` as [`set_lossy`]
/// decodes them, one invalid sequence at a time. Built on `from_utf8`
/// alone, which the valid case needs anyway:
/// [`Utf8Error::error_len`](core::str::Utf8Error::error_len) is the length
/// of the maximal invalid subpart (`None` for a sequence cut short by the
/// end), the very unit that `from_utf8_lossy` (and its `Utf8Chunks`, which
/// this spares the module) replaces.
#[cold]
#[inline(never)]
fn push_lossy_slow(dst: &mut String, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // The valid text ahead, and where decoding resumes after it (and
        // after the invalid sequence that ends it, if any).
        let (valid, resume) = match core::str::from_utf8(bytes) {
            Ok(valid) => (valid, bytes.len()),
            Err(error) => {
                let valid_len = error.valid_up_to();
                // A sequence cut short by the end: one U+FFFD for the rest.
                let resume = error.error_len().map_or(bytes.len(), |len| valid_len + len);
                // Valid by the error's own account: checked again rather
                // than assumed, on this cold path, to stay clear of `unsafe`.
                let valid = bytes.get(..valid_len).unwrap_or_default();
                (core::str::from_utf8(valid).unwrap_or_default(), resume)
            }
        };
        dst.push_str(valid);
        if resume > valid.len() {
            dst.push_str(REPLACEMENT);
        }
        bytes = bytes.get(resume..).unwrap_or_default();
    }
}

/// `bytes` as text, with [`set_lossy`]'s replacements: borrowed when valid.
pub(super) fn decode_lossy(bytes: &[u8]) -> Cow<'_, str> {
    match core::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            let mut text = String::new();
            push_lossy_slow(&mut text, bytes);
            Cow::Owned(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_lossy, set_lossy};

    /// `bytes` decoded by [`set_lossy`] into a string that held something
    /// else (which must go).
    fn lossy(bytes: &[u8]) -> String {
        let mut s = String::from("stale");
        set_lossy(&mut s, bytes);
        s
    }

    #[test]
    fn replacement_follows_maximal_subparts_like_from_utf8_lossy() {
        let cases: &[&[u8]] = &[
            b"",
            b"plain",
            "caf\u{e9} \u{2026} \u{1F600}".as_bytes(),
            b"\xff",
            b"a\xc3",            // truncated 2-byte sequence
            b"\xe2\x82",         // truncated 3-byte sequence: one U+FFFD
            b"\xf0\x9f\x98",     // truncated 4-byte sequence: one U+FFFD
            b"\xed\xa0\x80",     // surrogate: three U+FFFD
            b"\xe0\x80\x80",     // overlong: three U+FFFD
            b"\xf4\x90\x80\x80", // above U+10FFFF: four U+FFFD
            b"\xc0\xaf",         // overlong slash
            b"\x80\x80ok\xbf",
        ];
        for &case in cases {
            assert_eq!(
                decode_lossy(case),
                String::from_utf8_lossy(case),
                "{case:x?}"
            );
            assert_eq!(lossy(case), String::from_utf8_lossy(case), "{case:x?}");
        }
        assert_eq!(lossy(b"\xe2\x82"), "\u{FFFD}");
        assert_eq!(lossy(b"\xed\xa0\x80"), "\u{FFFD}\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn replacement_matches_from_utf8_lossy_on_generated_bytes() {
        // Short strings over the bytes that matter to the decoder: ASCII,
        // continuations, every kind of lead, bytes that never occur.
        const ALPHABET: &[u8] = &[
            b'a', 0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1,
            0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff,
        ];
        let mut seed = 0x2545_f491_u32;
        for _ in 0..20_000 {
            let mut bytes = Vec::new();
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            for _ in 0..(seed >> 28) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                bytes.push(ALPHABET[(seed >> 16) as usize % ALPHABET.len()]);
            }
            let expected = String::from_utf8_lossy(&bytes);
            assert_eq!(decode_lossy(&bytes), expected, "{bytes:x?}");
            assert_eq!(lossy(&bytes), expected, "{bytes:x?}");
        }
    }
}
