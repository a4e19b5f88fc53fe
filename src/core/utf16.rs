//! Byte offsets in a chunk of UTF-8 as offsets in the string JavaScript
//! decodes from it.
//!
//! The fetch transport decodes each chunk once, in JavaScript, and hands
//! handlers slices of that string: the parser reports where an event's data
//! and id lie as byte ranges of the chunk, and [`Utf16Cursor`] turns them
//! into UTF-16 offsets (what `String.prototype.slice` takes). The mapping
//! is only exact on valid UTF-8, which [`ChunkText::new`] checks once per
//! chunk; a chunk that fails the check falls back to strings per event.

/// One chunk as the text JavaScript decodes from it: the byte range to
/// decode, and byte ranges within it mapped to UTF-16 offsets.
#[derive(Debug, Clone)]
pub struct ChunkText<'a> {
    /// The byte range of the chunk that is decoded (see [`text_region`]).
    pub region: (usize, usize),
    /// Byte offsets are UTF-16 offsets: no cursor needed.
    ascii: bool,
    cursor: Utf16Cursor<'a>,
}

impl<'a> ChunkText<'a> {
    /// The text of `chunk`, or `None` if it is not valid UTF-8.
    pub fn new(chunk: &'a [u8]) -> Option<Self> {
        let ascii = chunk.is_ascii();
        let (start, end) = if ascii {
            (0, chunk.len())
        } else {
            text_region(chunk)?
        };
        Some(Self {
            region: (start, end),
            ascii,
            // In range by construction; `get` spares the panic path.
            cursor: Utf16Cursor::new(chunk.get(start..end).unwrap_or_default()),
        })
    }

    /// The UTF-16 offsets, in the decoded text, of the chunk's bytes
    /// `start..end` (character boundaries); `None` if they lie outside
    /// the decoded region. Cheapest when called in increasing order.
    pub fn offsets(&mut self, (start, end): (usize, usize)) -> Option<(u32, u32)> {
        let (region_start, region_end) = self.region;
        if start < region_start || end > region_end || start > end {
            return None;
        }
        let (start, end) = (start - region_start, end - region_start);
        let (start, end) = if self.ascii {
            (start, end)
        } else {
            (self.cursor.unit_at(start), self.cursor.unit_at(end))
        };
        Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
    }
}

/// The part of `chunk` that decodes on its own: the whole of it, less a
/// character split at either end by the read boundaries (such a character
/// belongs to a line that straddles chunks, which the parser assembles
/// itself). `None` if that part is not valid UTF-8, so its decoded text
/// would hold U+FFFD where offsets cannot follow.
fn text_region(chunk: &[u8]) -> Option<(usize, usize)> {
    // At most three continuation bytes end a character begun in the
    // previous chunk.
    let start = chunk
        .iter()
        .take(3)
        .take_while(|&&byte| is_continuation(byte))
        .count();
    let rest = chunk.get(start..).unwrap_or_default();
    match core::str::from_utf8(rest) {
        Ok(_) => Some((start, chunk.len())),
        // Incomplete at the end: the rest of the character is in the next
        // chunk.
        Err(error) if error.error_len().is_none() => Some((start, start + error.valid_up_to())),
        Err(_) => None,
    }
}

/// Maps byte offsets in valid UTF-8 text to UTF-16 offsets, moving a cursor
/// from one to the next, so mapping every event's offsets in order costs
/// one pass over the chunk.
#[derive(Debug, Clone)]
struct Utf16Cursor<'a> {
    text: &'a [u8],
    byte: usize,
    unit: usize,
}

impl<'a> Utf16Cursor<'a> {
    /// A cursor at the start of `text`, which must be valid UTF-8 (see
    /// [`text_region`]; the results are meaningless otherwise).
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            byte: 0,
            unit: 0,
        }
    }

    /// The UTF-16 offset of byte offset `byte` (a character boundary,
    /// at most `text.len()`). Moves the cursor there, forwards or back.
    fn unit_at(&mut self, byte: usize) -> usize {
        let forward = byte >= self.byte;
        let (from, to) = if forward {
            (self.byte, byte)
        } else {
            (byte, self.byte)
        };
        // `get`: the offsets are in range (`ChunkText::offsets` checks),
        // which the compiler cannot see; no panic path for it to keep.
        let units = utf16_len(self.text.get(from..to).unwrap_or_default());
        if forward {
            self.unit += units;
        } else {
            self.unit -= units;
        }
        self.byte = byte;
        self.unit
    }
}

const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// UTF-16 code units in valid UTF-8: one per character, two for those
/// above U+FFFF. That is one per byte, less the continuation bytes
/// (`10xxxxxx`), plus one per four-byte lead (`11110xxx`); counted eight
/// bytes at a time.
fn utf16_len(bytes: &[u8]) -> usize {
    let mut words = bytes.chunks_exact(8);
    let mut continuations = 0;
    let mut four_byte_leads = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        if w & HIGHS == 0 {
            continue; // eight ASCII bytes
        }
        // Bit 7 of each byte after `w << k` is bit 7 - k of the same byte.
        continuations += (w & !(w << 1) & HIGHS).count_ones() as usize;
        four_byte_leads += (w & (w << 1) & (w << 2) & (w << 3) & HIGHS).count_ones() as usize;
    }
    for &byte in words.remainder() {
        continuations += usize::from(is_continuation(byte));
        four_byte_leads += usize::from(byte >= 0xF0);
    }
    bytes.len() - continuations + four_byte_leads
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

#[cfg(test)]
mod tests {
    use super::{text_region, utf16_len, ChunkText, Utf16Cursor};

    const MIXED: &str = "a\u{e9}\u{4e2d}\u{1F600}b\u{6587}\r\n\u{10FFFF}z\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}";

    #[test]
    fn utf16_len_counts_what_javascript_counts() {
        for start in 0..MIXED.len() {
            for end in start..=MIXED.len() {
                if let Some(text) = MIXED.get(start..end) {
                    assert_eq!(
                        utf16_len(text.as_bytes()),
                        text.encode_utf16().count(),
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_cursor_maps_every_boundary_in_any_order() {
        let text = MIXED.repeat(3);
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let expected = |byte: usize| text[..byte].encode_utf16().count();
        let mut cursor = Utf16Cursor::new(text.as_bytes());
        for &byte in boundaries.iter().chain(boundaries.iter().rev()).step_by(3) {
            assert_eq!(cursor.unit_at(byte), expected(byte), "byte {byte}");
        }
        for (&a, &b) in boundaries.iter().zip(boundaries.iter().rev()) {
            assert_eq!(cursor.unit_at(a), expected(a));
            assert_eq!(cursor.unit_at(b), expected(b));
        }
    }

    #[test]
    fn the_text_region_leaves_out_characters_split_by_the_chunk_ends() {
        let text = "\u{4e2d}\u{6587} data\n\u{1F600}".as_bytes();
        assert_eq!(text_region(b"plain ascii\n"), Some((0, 12)));
        assert_eq!(text_region(text), Some((0, text.len())));
        // Split inside the first character (3 bytes) and the last (4 bytes).
        for cut_start in 0..3 {
            for cut_end in 1..4 {
                let chunk = &text[cut_start..text.len() - cut_end];
                let start = if cut_start == 0 { 0 } else { 3 - cut_start };
                assert_eq!(
                    text_region(chunk),
                    Some((start, chunk.len() - (4 - cut_end))),
                    "{cut_start} {cut_end}"
                );
            }
        }
    }

    #[test]
    fn chunk_text_offsets_are_relative_to_the_decoded_region() {
        // A chunk that starts with the last two bytes of a split character.
        let chunk = "\u{4e2d}id: \u{1F600}\ndata: \u{6587}x\n".as_bytes();
        let chunk = &chunk[1..];
        let mut text = ChunkText::new(chunk).unwrap();
        assert_eq!(text.region, (2, chunk.len()));
        let decoded: Vec<u16> = core::str::from_utf8(&chunk[2..])
            .unwrap()
            .encode_utf16()
            .collect();
        let byte = |needle: &str| {
            let at = chunk
                .windows(needle.len())
                .position(|w| w == needle.as_bytes())
                .unwrap();
            (at, at + needle.len())
        };
        for needle in ["\u{1F600}", "\u{6587}x", "id: ", "\n"] {
            let (start, end) = text.offsets(byte(needle)).unwrap();
            assert_eq!(
                String::from_utf16(&decoded[start as usize..end as usize]).unwrap(),
                needle
            );
        }
        // Bytes of the split character lie outside the decoded text.
        assert_eq!(text.offsets((0, 3)), None);
        assert_eq!(text.offsets((1, chunk.len() + 1)), None);
        // ASCII: byte offsets as they are.
        assert_eq!(
            ChunkText::new(b"data: x\n").unwrap().offsets((6, 7)),
            Some((6, 7))
        );
        assert!(ChunkText::new(b"data: \xff\n").is_none());
    }

    #[test]
    fn invalid_utf8_inside_the_chunk_has_no_region() {
        assert_eq!(text_region(b"data: \xff\n"), None);
        assert_eq!(text_region(b"data: \xe4\xb8\n"), None);
        // More than three leading continuation bytes cannot be a split
        // character.
        assert_eq!(text_region(b"\x80\x80\x80\x80a"), None);
    }
}
