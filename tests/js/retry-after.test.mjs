// `Retry-After`, in Node: `retryAfterMs` in src/web/runtime.js, which reads
// delay-seconds and the three HTTP-date forms (RFC 9110 §10.2.3, §5.6.7)
// into the delay the retry policy honours on 429 and 503. The cases are
// those the Rust reader had (src/core/http.rs, until it moved here), and
// the round trip checks the calendar against a day count of its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { retryAfterMs } from '../../src/web/runtime.js';

/** `Sun, 06 Nov 1994 08:49:37 GMT`, the RFC's example date. */
const RFC_EXAMPLE_MS = 784_111_777_000;
/** The largest delay: the engine's `u64::MAX`, as a number. */
const MAX = 2 ** 64;

/** Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's algorithm). */
function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const isLeap = (year) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const daysIn = (year, month) => (month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);

test('delay-seconds: whole seconds, however many digits; nothing else', () => {
  assert.equal(retryAfterMs('120', 0), 120_000);
  assert.equal(retryAfterMs('0', 0), 0);
  assert.equal(retryAfterMs('007', 0), 7_000);
  assert.equal(retryAfterMs('18446744073709551', 0), 18_446_744_073_709_551_000);
  assert.equal(retryAfterMs('9'.repeat(500), 0), MAX);
  // The clock does not matter for delay-seconds.
  assert.equal(retryAfterMs('5', Number.NaN), 5_000);
  for (const bad of ['', ' ', '-5', '+5', '1.5', '1e3', '5s', '5 5', '0x10', 'five', '٣', '５', ' 5']) {
    assert.equal(retryAfterMs(bad, 0), -1, JSON.stringify(bad));
  }
});

test('the value it is given has no whitespace around it: Headers strips it', () => {
  const headers = new Headers({ 'retry-after': ' \t5\t ' });
  assert.equal(retryAfterMs(headers.get('retry-after'), 0), 5_000);
});

test('all three date forms, names and GMT in any case, the day name unchecked', () => {
  const now = RFC_EXAMPLE_MS - 10_000;
  for (const date of [
    'Sun, 06 Nov 1994 08:49:37 GMT',
    'Sunday, 06-Nov-94 08:49:37 GMT',
    'Sun Nov  6 08:49:37 1994',
    'Sun Nov 06 08:49:37 1994',
    'sun, 06 nov 1994 08:49:37 gmt',
    'SUNDAY, 06-NOV-94 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 gMt',
    'sUNDAY, 06-nOV-94 08:49:37 Gmt',
    'SUN NOV  6 08:49:37 1994',
    'Mon, 06 Nov 1994 08:49:37 GMT',
  ]) {
    assert.equal(retryAfterMs(date, now), 10_000, date);
  }
});

test('a past date is no delay; a fractional clock rounds the delay up', () => {
  const date = 'Sun, 06 Nov 1994 08:49:37 GMT';
  assert.equal(retryAfterMs(date, RFC_EXAMPLE_MS), 0);
  assert.equal(retryAfterMs(date, RFC_EXAMPLE_MS + 1), 0);
  assert.equal(retryAfterMs(date, 1.7e12), 0);
  assert.equal(retryAfterMs(date, RFC_EXAMPLE_MS - 0.25), 1);
  assert.equal(retryAfterMs(date, RFC_EXAMPLE_MS - 1500.5), 1501);
});

test('an RFC 850 year is the one within 50 years of now (the RFC puts the far future in the past)', () => {
  const at = (date, nowYear, nowMonth = 1) => {
    const now = daysFromCivil(nowYear, nowMonth, 1) * 86_400_000;
    const delay = retryAfterMs(date, now);
    // The year the date was read as: the one whose 1 January the delay
    // reaches (every date below is a 1 January at midnight).
    for (let year = nowYear - 100; year <= nowYear + 100; year++) {
      if (delay > 0 && daysFromCivil(year, 1, 1) * 86_400_000 - now === delay) return year;
    }
    return delay === 0 ? 'past' : delay;
  };
  assert.equal(at('Tuesday, 01-Jan-30 00:00:00 GMT', 2026), 2030);
  assert.equal(at('Monday, 01-Jan-76 00:00:00 GMT', 2026), 2076);
  assert.equal(at('Monday, 01-Jan-77 00:00:00 GMT', 2026), 'past'); // 1977
  assert.equal(at('Saturday, 01-Jan-00 00:00:00 GMT', 1999, 6), 2000);
  assert.equal(at('Saturday, 01-Jan-49 00:00:00 GMT', 1999, 6), 2049);
  assert.equal(at('Saturday, 01-Jan-50 00:00:00 GMT', 1999, 6), 'past'); // 1950
  // From 1930, `94` is 1894 (more than 50 years ahead means the past), not
  // 1994: the delay is 0 either way, so compare with the next century's.
  const from1930 = daysFromCivil(1930, 1, 1) * 86_400_000;
  assert.equal(retryAfterMs('Sunday, 06-Nov-94 08:49:37 GMT', from1930), 0);
  const in1979 = daysFromCivil(1979, 11, 6) * 86_400_000 + 31_777_000;
  assert.equal(retryAfterMs('Tuesday, 06-Nov-79 08:49:37 GMT', from1930), in1979 - from1930);
});

test('calendar dates only: month lengths, leap years, time ranges, a leap second', () => {
  for (const date of [
    'Tue, 29 Feb 2000 00:00:00 GMT',
    'Thu, 29 Feb 2024 12:00:00 GMT',
    'Sat, 31 Dec 2016 23:59:60 GMT',
    'Thu, 01 Jan 1970 00:00:00 GMT',
    'Fri, 31 Dec 9999 23:59:59 GMT',
    'Sat, 01 Jan 0000 00:00:00 GMT',
  ]) {
    assert.notEqual(retryAfterMs(date, 0), -1, date);
  }
  // Years below 100 are not read as 19xx.
  assert.equal(retryAfterMs('Mon, 01 Jan 0050 00:00:00 GMT', daysFromCivil(50, 1, 1) * 86_400_000 - 1), 1);
  // A leap second is the first second of the next minute (here, of 2017).
  assert.equal(retryAfterMs('Sat, 31 Dec 2016 23:59:60 GMT', daysFromCivil(2017, 1, 1) * 86_400_000 - 5), 5);
  for (const date of [
    'Thu, 29 Feb 1900 00:00:00 GMT',
    'Fri, 29 Feb 2023 00:00:00 GMT',
    'Mon, 31 Apr 2024 00:00:00 GMT',
    'Mon, 00 Jan 2024 00:00:00 GMT',
    'Mon, 32 Jan 2024 00:00:00 GMT',
    'Mon, 01 Jan 2024 24:00:00 GMT',
    'Mon, 01 Jan 2024 00:60:00 GMT',
    'Mon, 01 Jan 2024 00:00:61 GMT',
    'Sun Nov 31 08:49:37 1994',
  ]) {
    assert.equal(retryAfterMs(date, 0), -1, date);
  }
});

test('the layouts are exact: no near miss is a date', () => {
  for (const date of [
    'Mon, 01 Foo 2024 00:00:00 GMT',
    'Xyz, 01 Jan 2024 00:00:00 GMT',
    'Mon, 01 Jan 2024 00:00:00 UTC',
    'Mon, 01 Jan 2024 00:00:00 +0000',
    'Mon, 1 Jan 2024 00:00:00 GMT',
    'Mon, 01 Jan 24 00:00:00 GMT',
    'Mon, 01 Jan 2024 0:00:00 GMT',
    'Mon,  01 Jan 2024 00:00:00 GMT',
    'Mon, 01 Jan 2024 00:00:00 GMTX',
    'Mon, 01 Jan 2024 00-00-00 GMT',
    'Mon, +1 Jan 2024 00:00:00 GMT',
    'Mon, 01 Jan 2024 00:00:00',
    'Mon, 01 Jan 2024',
    'Sun, ',
    'Sun,06 Nov 1994 08:49:37 GMT',
    'Sunday, 06-Nov-1994 08:49:37 GMT',
    'Sun, 06-Nov-94 08:49:37 GMT',
    'Sunday, 06 Nov 94 08:49:37 GMT',
    'Sunday , 06-Nov-94 08:49:37 GMT',
    'Sun Nov 6 08:49:37 1994',
    'Sun Nov  6 08:49:37 94',
    'Sun Nov  6 08:49:37 1994 GMT',
    'Sunday Nov  6 08:49:37 1994',
    'Sun Nov x6 08:49:37 1994',
    'Sun,  6 Nov 1994 08:49:37 GMT',
    'Sunday,  6-Nov-94 08:49:37 GMT',
    'Sun Nov 6  08:49:37 1994',
    'Su, 06 Nov 1994 08:49:37 GMT',
    'Sunda, 06-Nov-94 08:49:37 GMT',
    'Sundays, 06-Nov-94 08:49:37 GMT',
    'Wednesda, 06-Nov-94 08:49:37 GMT',
    ', 06-Nov-94 08:49:37 GMT',
    'Sunday 06-Nov-94 08:49:37 GMT',
    'Sud Nov  6 08:49:37 1994',
    'Sun, 06 No 1994 08:49:37 GMT',
    'Sun, 06 Novv 1994 08:49:37 GMT',
    'Sun, 06 Anf 1994 08:49:37 GMT',
    'Sun Nov6  08:49:37 1994',
    'Sun-Nov  6 08:49:37 1994',
    'Sun, 06 123 1994 08:49:37 GMT',
    'Sun, 06 Nov 19x4 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 G1T',
    'Sün, 06 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 GMT\u0000',
    'Sun, 06 N\u00f6v 1994 08:49:37 GMT',
    // U+017F and U+212A fold to `S` and `K` under Unicode rules, not here.
    '\u017fun, 06 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 GMT\n',
  ]) {
    assert.equal(retryAfterMs(date, 0), -1, JSON.stringify(date));
  }
});

test('round trip: every date of every form, written out, is read back to the same instant', () => {
  // A small deterministic generator (xorshift32), so that a failure repeats.
  let state = 2463534242;
  const next = (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  // Around 2000-01-01, so that an RFC 850 year in 1951..2049 is unambiguous.
  const base = daysFromCivil(2000, 1, 1) * 86_400_000;
  for (let i = 0; i < 20_000; i++) {
    const year = 1951 + next(98);
    const month = 1 + next(12);
    const day = 1 + next(31);
    const [hour, minute, second] = [next(24), next(60), next(60)];
    const now = base + next(200_000_000) - 100_000_000;
    const mon = months[month - 1];
    const time = `${pad(hour)}:${pad(minute)}:${pad(second)}`;
    const form = next(3);
    const text =
      form === 0
        ? `Wed, ${pad(day)} ${mon} ${year} ${time} GMT`
        : form === 1
          ? `Wednesday, ${pad(day)}-${mon}-${pad(year % 100)} ${time} GMT`
          : `Wed ${mon} ${String(day).padStart(2, ' ')} ${time} ${year}`;
    const expected =
      day > daysIn(year, month)
        ? -1
        : Math.max(0, daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 - now);
    assert.equal(retryAfterMs(text, now), expected, text);
  }
});
