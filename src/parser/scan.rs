//! Byte scanning helpers for the line splitter.
//!
//! All the syntax of `text/event-stream` (CR, LF, `:`, U+0020) is ASCII, and
//! UTF-8 never uses an ASCII byte inside a multi-byte sequence, so lines can
//! be found on the raw bytes before any decoding (WHATWG HTML §9.2.5).

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
const LFS: u64 = u64::from_ne_bytes([b'\n'; 8]);
const CRS: u64 = u64::from_ne_bytes([b'\r'; 8]);

/// Marks (with bit 7) the zero bytes of `v`. Bits above the lowest zero byte
/// may be false positives (borrow propagation), but the lowest marked byte is
/// always the first zero byte, which is all [`find_line_end`] needs.
#[inline(always)]
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// Index of the first CR or LF in `hay`, scanning eight bytes per step
/// (SWAR): this is the hot loop of the parser, run over every body byte.
#[inline]
pub(super) fn find_line_end(hay: &[u8]) -> Option<usize> {
    let mut words = hay.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        // Little-endian load: byte 0 of the chunk is the least significant,
        // so `trailing_zeros` finds the earliest match.
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let hits = zero_bytes(w ^ LFS) | zero_bytes(w ^ CRS);
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::find_line_end;

    fn naive(hay: &[u8]) -> Option<usize> {
        hay.iter().position(|&b| b == b'\n' || b == b'\r')
    }

    #[test]
    fn swar_scan_matches_a_bytewise_scan_at_every_offset() {
        // Every position in and around a word, every byte value that could
        // confuse the bit trick (0x00, 0x0B, 0x0C, 0x0E, 0x8A, 0x8D, 0xFF).
        let fillers = [
            b'a',
            0x00,
            0x0B,
            0x0C,
            0x0E,
            0x09,
            0x8A,
            0x8D,
            0xFF,
            0x0D ^ 0x80,
        ];
        for len in 0..40 {
            for &fill in &fillers {
                let mut hay = vec![fill; len];
                assert_eq!(find_line_end(&hay), naive(&hay));
                for at in 0..len {
                    for &eol in b"\n\r" {
                        hay[at] = eol;
                        assert_eq!(find_line_end(&hay), naive(&hay), "len {len} at {at}");
                        // A second terminator later must not win.
                        if at + 3 < len {
                            hay[at + 3] = b'\n';
                            assert_eq!(find_line_end(&hay), Some(at));
                            hay[at + 3] = fill;
                        }
                        hay[at] = fill;
                    }
                }
            }
        }
    }

    #[test]
    fn swar_scan_ignores_unicode_and_form_feed_separators() {
        // U+2028 (E2 80 A8), U+0085 (C2 85), FF, VT are not line ends.
        let hay = "a\u{2028}b\u{85}c\x0cd\x0be".as_bytes();
        assert_eq!(find_line_end(hay), None);
    }
}
