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
    loop {
        match core::str::from_utf8(bytes) {
            Ok(valid) => return dst.push_str(valid),
            Err(error) => {
                let (valid, rest) = bytes
                    .split_at_checked(error.valid_up_to())
                    .unwrap_or_default();
                // Valid by the error's own account: checked again rather
                // than assumed, on this cold path, to stay clear of `unsafe`.
                dst.push_str(core::str::from_utf8(valid).unwrap_or_default());
                dst.push_str("\u{FFFD}");
                let invalid = error.error_len().map_or(rest.len(), usize::from);
                bytes = rest.get(invalid..).unwrap_or_default();
            }
        }
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
}
