//! Classifying an HTTP response for the connection core: does it open the
//! stream, and how long did the server ask us to wait (`Retry-After`)?
//!
//! Pure functions, no dependencies, no clock: the current time is an input.
//!
//! * [`classify_response`] implements the WHATWG HTML §9.2.3 rule that a
//!   response opens the stream only when its status is exactly 200 and its
//!   MIME type essence is `text/event-stream` (`response.ok` is wrong: 201 or
//!   299 fail the connection).
//! * [`parse_retry_after`] reads the `Retry-After` header of RFC 9110 §10.2.3,
//!   in both its forms: delay-seconds and HTTP-date (§5.6.7, all three date
//!   formats a recipient must accept).
//!
//! Everything works on bytes with plain loops and no `str` searching or
//! trimming: this code ships in the npm package's wasm, where each of those
//! generic helpers costs hundreds of bytes (SIZE.md).

use crate::core::decimal::parse_u64;
use crate::core::float;

/// HTTP whitespace as Fetch defines it: TAB, LF, CR, SPACE.
fn is_http_whitespace(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\r' | b' ')
}

/// `bytes` without its leading HTTP whitespace.
fn trim_start(mut bytes: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = bytes {
        if !is_http_whitespace(*first) {
            break;
        }
        bytes = rest;
    }
    bytes
}

/// `bytes` without its leading and trailing HTTP whitespace.
fn trim(bytes: &[u8]) -> &[u8] {
    let mut bytes = trim_start(bytes);
    while let [rest @ .., last] = bytes {
        if !is_http_whitespace(*last) {
            break;
        }
        bytes = rest;
    }
    bytes
}

/// Whether `bytes` is a prefix of `upper` (uppercase ASCII), compared ASCII
/// case-insensitively: `bytes` is uppercased, `upper` taken as it is.
fn is_folded_prefix(bytes: &[u8], upper: &[u8]) -> bool {
    bytes.len() <= upper.len()
        && bytes
            .iter()
            .zip(upper)
            .all(|(byte, expected)| byte.to_ascii_uppercase() == *expected)
}

/// Whether a `Content-Type` value denotes `text/event-stream`.
///
/// Returns `true` iff the MIME type essence (everything before the first
/// `;`, with leading and trailing HTTP whitespace removed) equals
/// `text/event-stream`, compared ASCII case-insensitively. Parameters such as
/// `charset=utf-8` are ignored, as is an empty parameter list
/// (`text/event-stream;`). Never panics.
///
/// A combined header such as `text/event-stream, text/html` (two
/// `Content-Type` fields joined by `Headers.get`) is not recognised: its
/// essence is not exactly `text/event-stream`, so the connection fails, which
/// is the safe reading.
pub fn is_event_stream(content_type: &str) -> bool {
    const ESSENCE: &[u8] = b"TEXT/EVENT-STREAM";
    // The essence holds neither `;` nor whitespace, so after the leading
    // whitespace it must come first, then only whitespace up to the end or
    // the first `;`.
    let value = trim_start(content_type.as_bytes());
    let Some((essence, rest)) = value.split_at_checked(ESSENCE.len()) else {
        return false;
    };
    is_folded_prefix(essence, ESSENCE) && matches!(trim_start(rest).first(), None | Some(b';'))
}

/// Parses a `Retry-After` header value (RFC 9110 §10.2.3) into a delay in
/// milliseconds.
///
/// * **delay-seconds** (`1*DIGIT`, e.g. `120`): the number of seconds times
///   1000. Arbitrarily long digit strings saturate at `u64::MAX` instead of
///   failing. A sign, a decimal point or a unit makes the value invalid.
/// * **HTTP-date** (RFC 9110 §5.6.7): the milliseconds from `now_ms` (Unix
///   epoch milliseconds, as from `Date.now()`) until that date, rounded up;
///   `Some(0)` if the date is not in the future. All three formats are
///   accepted:
///   - IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`;
///   - obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`, whose two-digit
///     year is read as the year with those last two digits that is at most
///     50 years after and less than 50 years before the year of `now_ms`
///     (RFC 9110 §5.6.7 puts dates more than 50 years ahead in the past;
///     compared by year);
///   - obsolete asctime `Sun Nov  6 08:49:37 1994` (the day may also be
///     written `06`).
///
///   Dates are validated (month lengths, leap years, hours 0–23, minutes
///   0–59, seconds 0–60 for a leap second). Day and month names and `GMT`
///   are matched ASCII case-insensitively; the day name is not checked
///   against the date (it is redundant, and a wrong one is a harmless server
///   bug). If `now_ms` is not finite, a date cannot be turned into a delay
///   and the result is `None`.
///
/// Leading and trailing HTTP whitespace is ignored. The RFC grammar has none
/// because HTTP parsers strip it before the value is seen (and `Headers`
/// does too), so accepting it only helps callers that did not; whitespace
/// inside the value must match the grammar exactly.
///
/// Returns `None` for anything else. Never panics, for any input.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let value = trim(value.as_bytes());
    if let Some(delay) = delay_seconds_ms(value) {
        return Some(delay);
    }
    if !now_ms.is_finite() {
        return None;
    }
    let date = parse_http_date(value, now_ms)?;
    // Whole seconds since the epoch are exact in an f64 for every 4-digit
    // year (and for the years an RFC 850 date can resolve to).
    let delay = date.unix_seconds() as f64 * 1000.0 - now_ms;
    // Rounded up: never shorter than asked.
    Some(ceil_to_u64(delay))
}

/// `x` rounded up to a whole number, saturating: 0 for anything not above
/// 0 (and NaN), `u64::MAX` from 2^64 on. The same as `float::ceil` then
/// `as u64`, in less code.
fn ceil_to_u64(x: f64) -> u64 {
    // `as` truncates towards zero and saturates.
    let whole = x as u64;
    if (whole as f64) < x {
        whole.saturating_add(1)
    } else {
        whole
    }
}

/// Reads delay-seconds (`1*DIGIT`) as milliseconds, saturating at
/// `u64::MAX`; `None` if `digits` is empty or holds anything but ASCII
/// digits.
fn delay_seconds_ms(digits: &[u8]) -> Option<u64> {
    // Compared, not `saturating_mul` (a 128-bit multiply on wasm32).
    parse_u64(digits).map(|seconds| {
        if seconds <= u64::MAX / 1000 {
            seconds * 1000
        } else {
            u64::MAX
        }
    })
}

/// What a response means for the connection, per WHATWG HTML §9.2.3 and this
/// crate's retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseVerdict {
    /// Status exactly 200 with a `text/event-stream` content type: the stream
    /// is open and the body should be read.
    Open,
    /// Status 204: the server asks the client to stop reconnecting.
    NoContent,
    /// Status 401 or 403: credentials are missing or refused; handed to the
    /// authentication hook rather than retried blindly.
    Unauthorized {
        /// The status code (401 or 403).
        status: u16,
    },
    /// Any other status that is not 200 (including other 2xx such as 201 or
    /// 299, and redirects that reached us unfollowed).
    Failed {
        /// The status code.
        status: u16,
    },
    /// Status 200 but the content type is missing or is not
    /// `text/event-stream` (see [`is_event_stream`]).
    WrongContentType,
}

/// Classifies a response by its status code and `Content-Type` header value.
///
/// [`ResponseVerdict::Open`] only for status exactly 200 with an
/// event-stream content type; 200 with a missing or other content type is
/// [`ResponseVerdict::WrongContentType`]; 204 is
/// [`ResponseVerdict::NoContent`] whatever its content type; 401 and 403 are
/// [`ResponseVerdict::Unauthorized`]; every other status is
/// [`ResponseVerdict::Failed`]. Total: every input gives a verdict, no panics.
pub fn classify_response(status: u16, content_type: Option<&str>) -> ResponseVerdict {
    match status {
        200 if content_type.is_some_and(is_event_stream) => ResponseVerdict::Open,
        200 => ResponseVerdict::WrongContentType,
        204 => ResponseVerdict::NoContent,
        401 | 403 => ResponseVerdict::Unauthorized { status },
        _ => ResponseVerdict::Failed { status },
    }
}

// ---------------------------------------------------------------------------
// HTTP-date (RFC 9110 §5.6.7), by hand.
//
// The three formats differ from the first comma on: IMF-fixdate has it after
// a three-letter day name, RFC 850 after a full day name, asctime has none.
// What follows the day name has a fixed layout, which one template per
// format describes and one loop reads ([`read_template`]).

/// IMF-fixdate after the day name: `Sun, 06 Nov 1994 08:49:37 GMT`.
const IMF_FIXDATE: &[u8] = b", DD NNN YYYY hh:mm:ss GMT";
/// RFC 850 after the day name: `Sunday, 06-Nov-94 08:49:37 GMT`.
const RFC_850: &[u8] = b", DD-NNN-YY hh:mm:ss GMT";
/// asctime after the day name: `Sun Nov  6 08:49:37 1994`, or `Nov 06`.
const ASCTIME: &[u8] = b" NNN _D hh:mm:ss YYYY";

/// Day names, uppercase: a date has the first three letters (IMF-fixdate,
/// asctime) or the whole name (RFC 850).
const DAY_NAMES: [&[u8]; 7] = [
    b"MONDAY",
    b"TUESDAY",
    b"WEDNESDAY",
    b"THURSDAY",
    b"FRIDAY",
    b"SATURDAY",
    b"SUNDAY",
];

/// Month names, uppercase, January first, three letters each (packed: a
/// table of slices would cost a pointer and a length per name).
const MONTHS: &[u8; 36] = b"JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";

/// The month names one by one, for the tests to write dates with (and to
/// check [`MONTHS`] against).
#[cfg(test)]
const MONTH_NAMES: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// A validated calendar date and time of day, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DateTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl DateTime {
    /// Builds a date after range checks (second 60 allowed: leap second).
    fn new(year: i64, month: u32, day: u32, time: (u32, u32, u32)) -> Option<Self> {
        let (hour, minute, second) = time;
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour <= 23
            && minute <= 59
            && second <= 60;
        valid.then_some(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z (a leap second counts as the first
    /// second of the next minute).
    fn unix_seconds(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3_600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

/// The fields of an HTTP-date as [`read_template`] finds them, unchecked.
#[derive(Default)]
struct DateFields {
    /// Four digits, or two in RFC 850.
    year: u32,
    /// The three letters of the month name, uppercased.
    month: [u8; 3],
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

/// Parses any of the three HTTP-date formats.
fn parse_http_date(value: &[u8], now_ms: f64) -> Option<DateTime> {
    let (name_len, template, two_digit_year) = match value.iter().position(|&b| b == b',') {
        Some(3) => (3, IMF_FIXDATE, false),
        Some(comma) => (comma, RFC_850, true),
        None => (3, ASCTIME, false),
    };
    let (name, rest) = value.split_at_checked(name_len)?;
    if !is_day_name(name) {
        return None;
    }
    let fields = read_template(template, rest)?;
    let year = if two_digit_year {
        rfc850_year(fields.year, now_ms)
    } else {
        i64::from(fields.year)
    };
    let time = (fields.hour, fields.minute, fields.second);
    DateTime::new(year, month_number(fields.month)?, fields.day, time)
}

/// Reads `value` against `template`, byte for byte (the lengths must be
/// equal). In a template `Y`, `D`, `h`, `m` and `s` stand for a digit of the
/// year, day, hour, minute and second; `_` for the first digit of the day,
/// which may be a space (asctime's `Nov  6`); `N` for a letter of the month
/// name. Any other byte must be there as it is, ASCII case-insensitively.
fn read_template(template: &[u8], value: &[u8]) -> Option<DateFields> {
    if value.len() != template.len() {
        return None;
    }
    let mut fields = DateFields::default();
    for (&expected, &byte) in template.iter().zip(value) {
        let byte = byte.to_ascii_uppercase();
        match expected {
            b'N' => {
                let [_, first, second] = fields.month;
                fields.month = [first, second, byte];
                continue;
            }
            b'_' if byte == b' ' => continue,
            b'Y' | b'D' | b'_' | b'h' | b'm' | b's' => {}
            _ if byte == expected => continue,
            _ => return None,
        }
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        let digit = u32::from(digit);
        match expected {
            b'Y' => fields.year = fields.year * 10 + digit,
            b'h' => fields.hour = fields.hour * 10 + digit,
            b'm' => fields.minute = fields.minute * 10 + digit,
            b's' => fields.second = fields.second * 10 + digit,
            _ => fields.day = fields.day * 10 + digit,
        }
    }
    Some(fields)
}

/// Whether `name` is a day name: the first three letters of one
/// (IMF-fixdate, asctime) or all of it (RFC 850), in any ASCII case.
fn is_day_name(name: &[u8]) -> bool {
    DAY_NAMES
        .iter()
        .any(|day| (name.len() == 3 || name.len() == day.len()) && is_folded_prefix(name, day))
}

/// 1 for `JAN` to 12 for `DEC` (an uppercased name).
fn month_number(name: [u8; 3]) -> Option<u32> {
    let index = MONTHS.chunks_exact(3).position(|month| month == name)?;
    u32::try_from(index + 1).ok()
}

/// The year an RFC 850 two-digit year stands for at `now_ms` (finite).
///
/// RFC 9110 §5.6.7: a two-digit year that appears to be more than 50 years
/// in the future is the most recent past year with those last two digits.
/// Otherwise the nearest such year: no more than 50 years in the future,
/// less than 50 years in the past.
fn rfc850_year(two_digit_year: u32, now_ms: f64) -> i64 {
    let now_year = year_at(now_ms);
    let year = now_year - now_year.rem_euclid(100) + i64::from(two_digit_year);
    if year > now_year + 50 {
        year - 100
    } else if year <= now_year - 50 {
        year + 100
    } else {
        year
    }
}

/// Whether `year` is a leap year of the proleptic Gregorian calendar:
/// divisible by 4, and by 400 if divisible by 100 (for a multiple of 4,
/// divisible by 100 means by 25, and by 400 means by 16 as well).
fn is_leap_year(year: i64) -> bool {
    year & 3 == 0 && (year % 25 != 0 || year & 15 == 0)
}

/// The number of days in `month` (1 to 12) of `year`.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 => 28 + u32::from(is_leap_year(year)),
        // Bit n set: month n has 31 days (total: a month past 31 shifts
        // to nothing, though `DateTime::new` checks the range first).
        _ => 30 + (0b1_0101_1010_1010_u32.checked_shr(month).unwrap_or(0) & 1),
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard
/// Hinnant's `days_from_civil`). No overflow for |year| below about 10^13.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Years start in March so that the leap day is the last day of the year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400); // [0, 399]
    let month_from_march = i64::from((month + 9) % 12); // March = 0
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian year containing the given day since 1970-01-01
/// (inverse of [`days_from_civil`], year only).
fn year_from_days(days: i64) -> i64 {
    let days = days + 719_468; // days since 0000-03-01
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097); // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    // January and February belong to the next civil year.
    era * 400 + year_of_era + i64::from(month_from_march >= 10)
}

/// The UTC year at `now_ms` (which must be finite). Clamped to the range of
/// a JavaScript `Date` (±10^8 days) so the arithmetic cannot overflow.
fn year_at(now_ms: f64) -> i64 {
    let days = float::floor(now_ms / 86_400_000.0).clamp(-1e8, 1e8) as i64;
    year_from_days(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Sun, 06 Nov 1994 08:49:37 GMT`, the RFC's example date.
    const RFC_EXAMPLE_MS: f64 = 784_111_777_000.0;

    #[test]
    fn event_stream_content_types() {
        for yes in [
            "text/event-stream",
            "TEXT/Event-Stream",
            "text/event-stream; charset=utf-8",
            "text/event-stream;charset=ISO-8859-1",
            "text/event-stream;",
            "text/event-stream;;;",
            " text/event-stream ",
            "\t\r\ntext/event-stream\t; x=y",
        ] {
            assert!(is_event_stream(yes), "{yes:?} should be an event stream");
        }
        for no in [
            "",
            " ",
            ";",
            "text/event-streams",
            "text/event-stream2",
            "text/html",
            "text/plain; text/event-stream",
            ";text/event-stream",
            "text /event-stream",
            "text/ event-stream",
            "text/event-stream, text/html",
            "application/event-stream",
            "text/event\u{a0}-stream",
            "text/event-stream\u{a0}",
            "\u{feff}text/event-stream",
        ] {
            assert!(!is_event_stream(no), "{no:?} should not be an event stream");
        }
    }

    #[test]
    fn classification_table() {
        use ResponseVerdict::*;
        let es = Some("text/event-stream");
        let cases: &[(u16, Option<&str>, ResponseVerdict)] = &[
            (200, es, Open),
            (200, Some("text/event-stream; charset=utf-8"), Open),
            (200, Some("text/html"), WrongContentType),
            (200, Some(""), WrongContentType),
            (200, None, WrongContentType),
            (204, es, NoContent),
            (204, None, NoContent),
            (201, es, Failed { status: 201 }),
            (202, es, Failed { status: 202 }),
            (206, es, Failed { status: 206 }),
            (299, es, Failed { status: 299 }),
            (301, es, Failed { status: 301 }),
            (304, None, Failed { status: 304 }),
            (401, es, Unauthorized { status: 401 }),
            (403, None, Unauthorized { status: 403 }),
            (404, es, Failed { status: 404 }),
            (408, es, Failed { status: 408 }),
            (429, es, Failed { status: 429 }),
            (500, es, Failed { status: 500 }),
            (503, None, Failed { status: 503 }),
            (0, es, Failed { status: 0 }),
            (u16::MAX, es, Failed { status: u16::MAX }),
        ];
        for &(status, content_type, expected) in cases {
            assert_eq!(
                classify_response(status, content_type),
                expected,
                "status {status}, content type {content_type:?}"
            );
        }
    }

    #[test]
    fn retry_after_delay_seconds() {
        assert_eq!(parse_retry_after("120", 0.0), Some(120_000));
        assert_eq!(parse_retry_after("0", 0.0), Some(0));
        assert_eq!(parse_retry_after("007", 0.0), Some(7_000));
        // Saturates instead of failing or wrapping.
        assert_eq!(
            parse_retry_after("18446744073709551", 0.0),
            Some(18_446_744_073_709_551_000)
        );
        assert_eq!(parse_retry_after("18446744073709552", 0.0), Some(u64::MAX));
        assert_eq!(parse_retry_after(&"9".repeat(500), 0.0), Some(u64::MAX));
        // The clock does not matter for delay-seconds.
        assert_eq!(parse_retry_after("5", f64::NAN), Some(5_000));
        // Outer HTTP whitespace is ignored (decision documented on the fn).
        assert_eq!(parse_retry_after(" 5\t", 0.0), Some(5_000));
        for bad in [
            "", " ", "-5", "+5", "1.5", "1e3", "5s", "5 5", "0x10", "five", "٣", "５",
        ] {
            assert_eq!(parse_retry_after(bad, 0.0), None, "{bad:?}");
        }
    }

    #[test]
    fn retry_after_all_three_date_forms() {
        let now = RFC_EXAMPLE_MS - 10_000.0;
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun Nov 06 08:49:37 1994",
            // Names are matched case-insensitively.
            "sun, 06 nov 1994 08:49:37 gmt",
            "SUNDAY, 06-NOV-94 08:49:37 GMT",
            // The redundant day name is not checked against the date.
            "Mon, 06 Nov 1994 08:49:37 GMT",
            " Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse_retry_after(date, now), Some(10_000), "{date:?}");
        }
    }

    #[test]
    fn retry_after_past_and_fractional_now() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(parse_retry_after(date, RFC_EXAMPLE_MS), Some(0));
        assert_eq!(parse_retry_after(date, RFC_EXAMPLE_MS + 1.0), Some(0));
        assert_eq!(parse_retry_after(date, 1.7e12), Some(0));
        // Rounded up: never shorter than asked.
        assert_eq!(parse_retry_after(date, RFC_EXAMPLE_MS - 0.25), Some(1));
        assert_eq!(parse_retry_after(date, RFC_EXAMPLE_MS - 1500.5), Some(1501));
        // A date needs a usable clock.
        assert_eq!(parse_retry_after(date, f64::NAN), None);
        assert_eq!(parse_retry_after(date, f64::INFINITY), None);
        assert_eq!(parse_retry_after(date, f64::NEG_INFINITY), None);
        // A finite but absurd clock still gives an answer, not a panic.
        assert_eq!(parse_retry_after(date, 1e300), Some(0));
        assert_eq!(parse_retry_after(date, -1e300), Some(u64::MAX));
    }

    #[test]
    fn retry_after_rfc850_two_digit_year() {
        // Now: 2026-01-01T00:00:00Z.
        let now = days_from_civil(2026, 1, 1) as f64 * 86_400_000.0;
        let at = |date: &str| parse_http_date(date.as_bytes(), now).map(|d| d.year);
        assert_eq!(at("Sunday, 06-Nov-94 08:49:37 GMT"), Some(1994));
        assert_eq!(at("Tuesday, 01-Jan-30 00:00:00 GMT"), Some(2030));
        assert_eq!(at("Monday, 01-Jan-76 00:00:00 GMT"), Some(2076));
        assert_eq!(at("Monday, 01-Jan-77 00:00:00 GMT"), Some(1977));
        assert_eq!(at("Monday, 01-Jan-00 00:00:00 GMT"), Some(2000));
        // Near a century boundary the nearest year wins: from 1999, `00` is
        // 2000 (the RFC only says where far-future dates go).
        let now_1999 = days_from_civil(1999, 6, 1) as f64 * 86_400_000.0;
        let at_1999 = |date: &str| parse_http_date(date.as_bytes(), now_1999).map(|d| d.year);
        assert_eq!(at_1999("Saturday, 01-Jan-00 00:00:00 GMT"), Some(2000));
        assert_eq!(at_1999("Saturday, 01-Jan-49 00:00:00 GMT"), Some(2049));
        assert_eq!(at_1999("Saturday, 01-Jan-50 00:00:00 GMT"), Some(1950));
        assert_eq!(at_1999("Saturday, 01-Jan-98 00:00:00 GMT"), Some(1998));
        // 2030 is in the future: a real delay.
        let delay = parse_retry_after("Tuesday, 01-Jan-30 00:00:00 GMT", now);
        let expected = (days_from_civil(2030, 1, 1) - days_from_civil(2026, 1, 1)) * 86_400_000;
        assert_eq!(delay, u64::try_from(expected).ok());
    }

    #[test]
    fn retry_after_date_validation() {
        let now = 0.0;
        let valid = [
            "Tue, 29 Feb 2000 00:00:00 GMT", // 2000 is a leap year
            "Thu, 29 Feb 2024 12:00:00 GMT",
            "Sat, 31 Dec 2016 23:59:60 GMT", // leap second
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Sat, 01 Jan 0000 00:00:00 GMT",
        ];
        for date in valid {
            assert!(parse_retry_after(date, now).is_some(), "{date:?}");
        }
        let invalid = [
            "Thu, 29 Feb 1900 00:00:00 GMT", // 1900 is not
            "Fri, 29 Feb 2023 00:00:00 GMT",
            "Mon, 31 Apr 2024 00:00:00 GMT",
            "Mon, 00 Jan 2024 00:00:00 GMT",
            "Mon, 32 Jan 2024 00:00:00 GMT",
            "Mon, 01 Jan 2024 24:00:00 GMT",
            "Mon, 01 Jan 2024 00:60:00 GMT",
            "Mon, 01 Jan 2024 00:00:61 GMT",
            "Mon, 01 Foo 2024 00:00:00 GMT",
            "Xyz, 01 Jan 2024 00:00:00 GMT",
            "Mon, 01 Jan 2024 00:00:00 UTC",
            "Mon, 01 Jan 2024 00:00:00 +0000",
            "Mon, 1 Jan 2024 00:00:00 GMT",
            "Mon, 01 Jan 24 00:00:00 GMT",
            "Mon, 01 Jan 2024 0:00:00 GMT",
            "Mon,  01 Jan 2024 00:00:00 GMT",
            "Mon, 01 Jan 2024 00:00:00 GMTX",
            "Mon, 01 Jan 2024 00-00-00 GMT",
            "Mon, +1 Jan 2024 00:00:00 GMT",
            "Mon, 01 Jan 2024 00:00:00",
            "Mon, 01 Jan 2024",
            "Sun, ",
            "Mon,",
            "Sun,06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06 Nov 94 08:49:37 GMT",
            "Sunday , 06-Nov-94 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 94",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sunday Nov  6 08:49:37 1994",
            "Sun Nov 31 08:49:37 1994",
            "Sun Nov x6 08:49:37 1994",
            "Sün, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT\u{0}",
            "Sun, 06 N\u{f6}v 1994 08:49:37 GMT",
        ];
        for date in invalid {
            assert_eq!(parse_retry_after(date, now), None, "{date:?}");
        }
    }

    #[test]
    fn retry_after_layout_near_misses() {
        let now = RFC_EXAMPLE_MS - 10_000.0;
        for date in [
            // `GMT` in any case, like the names.
            "Sun, 06 Nov 1994 08:49:37 gMt",
            "sUNDAY, 06-nOV-94 08:49:37 Gmt",
            "SUN NOV  6 08:49:37 1994",
        ] {
            assert_eq!(parse_retry_after(date, now), Some(10_000), "{date:?}");
        }
        for date in [
            // Only asctime writes a one-digit day after a space.
            "Sun,  6 Nov 1994 08:49:37 GMT",
            "Sunday,  6-Nov-94 08:49:37 GMT",
            "Sun Nov 6  08:49:37 1994",
            "Sun Nov 6 08:49:37 1994 ",
            // Day names: three letters, or the whole name after the comma.
            "Su, 06 Nov 1994 08:49:37 GMT",
            "Su,n 06 Nov 1994 08:49:37 GMT",
            "Sunda, 06-Nov-94 08:49:37 GMT",
            "Sundays, 06-Nov-94 08:49:37 GMT",
            "Wednesda, 06-Nov-94 08:49:37 GMT",
            ", 06-Nov-94 08:49:37 GMT",
            "Sunday 06-Nov-94 08:49:37 GMT",
            "Sunday Nov  6 08:49:37 1994",
            "Sud Nov  6 08:49:37 1994",
            // Month names: exactly three letters.
            "Sun, 06 No 1994 08:49:37 GMT",
            "Sun, 06 Novv 1994 08:49:37 GMT",
            "Sun Nov6  08:49:37 1994",
            // The `-` of RFC 850 and the spaces of the others do not mix.
            "Sun, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 06 Nov-94 08:49:37 GMT",
            "Sun-Nov  6 08:49:37 1994",
            // Digits where letters go, and the other way round.
            "Sun, 06 123 1994 08:49:37 GMT",
            "Sun, 06 Nov 19x4 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 G1T",
        ] {
            assert_eq!(parse_retry_after(date, now), None, "{date:?}");
        }
    }

    #[test]
    fn rounding_up_to_u64() {
        for (x, expected) in [
            (f64::NEG_INFINITY, 0),
            (-1e300, 0),
            (-0.5, 0),
            (-0.0, 0),
            (0.0, 0),
            (0.25, 1),
            (1.0, 1),
            (1500.5, 1501),
            (9_007_199_254_740_992.0, 9_007_199_254_740_992),
            (18_446_744_073_709_551_616.0, u64::MAX),
            (1e300, u64::MAX),
            (f64::INFINITY, u64::MAX),
            (f64::NAN, 0),
        ] {
            assert_eq!(ceil_to_u64(x), expected, "{x}");
        }
    }

    #[test]
    fn month_table() {
        for (index, name) in MONTH_NAMES.iter().enumerate() {
            let [a, b, c] = <[u8; 3]>::try_from(*name).unwrap_or_default();
            let upper = [a, b, c].map(|byte| byte.to_ascii_uppercase());
            assert_eq!(month_number(upper), u32::try_from(index + 1).ok());
            // The lookup takes the uppercased name only.
            assert_eq!(month_number([a, b, c]), None);
        }
        assert_eq!(month_number(*b"JAM"), None);
    }

    #[test]
    fn civil_date_arithmetic() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(0, 3, 1), -719_468);
        let rfc = DateTime::new(1994, 11, 6, (8, 49, 37)).map(DateTime::unix_seconds);
        assert_eq!(rfc, Some(784_111_777));
        // The year inverse agrees with the forward function, day by day,
        // across leap years, century rules and negative years.
        let mut days = days_from_civil(-401, 1, 1);
        for year in -401..2_401 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(days_from_civil(year, month, day), days);
                    assert_eq!(year_from_days(days), year, "{year}-{month}-{day}");
                    days += 1;
                }
            }
        }
        // The clamp keeps absurd clocks in range.
        let _ = year_at(f64::MAX);
        let _ = year_at(f64::MIN);
    }

    #[cfg(not(target_arch = "wasm32"))] // used by the proptest below only
    fn format_date(form: usize, year: i64, month: u32, day: u32, t: (u32, u32, u32)) -> String {
        // The day name is not checked, so any valid one will do.
        let mon = core::str::from_utf8(MONTH_NAMES[(month - 1) as usize]).unwrap_or("");
        let (h, m, s) = t;
        match form {
            0 => format!("Wed, {day:02} {mon} {year:04} {h:02}:{m:02}:{s:02} GMT"),
            1 => format!(
                "Wednesday, {day:02}-{mon}-{:02} {h:02}:{m:02}:{s:02} GMT",
                year % 100
            ),
            _ => format!("Wed {mon} {day:>2} {h:02}:{m:02}:{s:02} {year:04}"),
        }
    }

    // proptest is a native-only dev-dependency (it needs getrandom).
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn retry_after_never_panics(value in ".{0,40}", now in proptest::num::f64::ANY) {
            let _ = parse_retry_after(&value, now);
        }

        #[test]
        fn retry_after_near_misses_never_panic(
            value in "[SMTWF][a-z]{2,8},? ?[0-9 ]{1,3}[- ][A-Za-z]{3}[- ][0-9]{2,4} [0-9:]{8} ?(GMT|[0-9]{4})?",
        ) {
            let _ = parse_retry_after(&value, 1.7e12);
        }

        #[test]
        fn retry_after_date_round_trip(
            form in 0usize..3,
            year in 1951i64..2049,
            month in 1u32..=12,
            day in 1u32..=31,
            hour in 0u32..24,
            minute in 0u32..60,
            second in 0u32..60,
            now_offset_ms in -100_000_000i64..100_000_000,
        ) {
            // A year in 1951..2049 is less than 50 years from 1999 and 2000,
            // so the RFC 850 two-digit reading is unambiguous with `now`
            // around 2000-01-01.
            let now = (days_from_civil(2000, 1, 1) * 86_400_000 + now_offset_ms) as f64;
            let text = format_date(form, year, month, day, (hour, minute, second));
            let parsed = parse_retry_after(&text, now);
            match DateTime::new(year, month, day, (hour, minute, second)) {
                None => proptest::prop_assert_eq!(parsed, None, "{}", text),
                Some(date) => {
                    let delay = (date.unix_seconds() * 1000) as f64 - now;
                    let expected = if delay > 0.0 { delay as u64 } else { 0 };
                    proptest::prop_assert_eq!(parsed, Some(expected), "{}", text);
                }
            }
        }
    }
}
