//! Whole numbers written in ASCII decimal digits, as the event stream's
//! `retry:` field writes them.

/// `1*DIGIT` read in base ten, saturating at `u64::MAX` (however many
/// digits); `None` if `digits` is empty or holds anything but ASCII digits
/// (no sign, no space, no decimal point).
///
/// Overflow is found by comparing, not with `saturating_mul`, whose check
/// is a 128-bit multiplication on wasm32 (a library routine in the module).
pub fn parse_u64(digits: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for &byte in digits {
        let digit = u64::from(byte.wrapping_sub(b'0'));
        if digit > 9 {
            return None;
        }
        n = if n > u64::MAX / 10 || (n == u64::MAX / 10 && digit > u64::MAX % 10) {
            u64::MAX
        } else {
            n * 10 + digit
        };
    }
    (!digits.is_empty()).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::parse_u64;

    #[test]
    fn reads_digits_and_saturates_exactly_at_the_limit() {
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"007"), Some(7));
        assert_eq!(parse_u64(b"18446744073709551614"), Some(u64::MAX - 1));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), Some(u64::MAX));
        assert_eq!(parse_u64(b"99999999999999999999999999999"), Some(u64::MAX));
    }

    #[test]
    fn refuses_anything_but_ascii_digits() {
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"-1",
            b"+1",
            b"1.5",
            b"1e3",
            b"/",
            b":",
            "٣".as_bytes(),
        ] {
            assert_eq!(parse_u64(bad), None, "{bad:?}");
        }
    }
}
