// URLs, in Node: the constructor's check (`checkUrl` in src/web/options.js):
// what is refused, and that an error never shows the credentials of the URL
// it quotes; and the URL of a resumed request with `lastEventIdParam`
// (`withQueryParam` in src/web/client.js), which sets one parameter without
// touching the rest of the query, byte for byte (signed URLs).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { withQueryParam } from '../../src/web/client.js';
import { options } from '../../src/web/options.js';

/** What an error about `url` would quote: the URL `checkUrl` shows. */
function shown(url) {
  return options.checkUrl(url)[0];
}

test('an unparsable URL is quoted without the credentials of its authority, and only those', () => {
  // Relative forms do not parse under Node (no location to resolve against),
  // so each of these goes through the textual cut.
  for (const [url, expected] of [
    ['https://alice:pw@[::1/x', 'https://[::1/x'],
    ['http://alice@[::1/', 'http://[::1/'],
    ['//alice:p@w@h/x', '//h/x'],
    ['/relative@path', '/relative@path'],
    ['', ''],
    ['javascript:alert(1)//a@b', 'javascript:alert(1)//a@b'],
    ['not a url?x=//a@b', 'not a url?x=//a@b'],
  ]) {
    assert.equal(shown(url), expected, url);
  }
});

test('a URL with credentials is refused and shown without them; http(s) only', () => {
  assert.deepEqual(options.checkUrl('https://alice:s3cret@example.com:8/s?q=1'), [
    'https://example.com:8/s?q=1',
    'credentials (user:password@) are not allowed; send them in a header',
  ]);
  assert.deepEqual(options.checkUrl('http://h/a@b?c=d@e#f@g'), ['http://h/a@b?c=d@e#f@g']);
  assert.deepEqual(options.checkUrl('ftp://example.com/'), [
    'ftp://example.com/',
    'expected an http: or https: URL',
  ]);
  const [url, reason] = options.checkUrl('http://alice:s3cret@[::1');
  assert.equal(url, 'http://[::1');
  assert.doesNotMatch(`${url} ${reason}`, /alice|s3cret/);
});

test('lastEventIdParam: appends to a URL without a query', () => {
  assert.equal(withQueryParam('https://h/s', 'lastEventId', '42'), 'https://h/s?lastEventId=42');
});

test('lastEventIdParam: keeps the rest of the query byte for byte', () => {
  assert.equal(
    withQueryParam('https://h/s?flag&sig=a%20b%2Fc%7E&x=1+2', 'lei', '7'),
    'https://h/s?flag&sig=a%20b%2Fc%7E&x=1+2&lei=7',
  );
});

test('lastEventIdParam: replaces every earlier value of the parameter', () => {
  assert.equal(withQueryParam('https://h/s?lei=1&a=b&lei=2', 'lei', '3'), 'https://h/s?a=b&lei=3');
  assert.equal(withQueryParam('https://h/s?lei&a=b', 'lei', '3'), 'https://h/s?a=b&lei=3');
});

test('lastEventIdParam: encodes the value as UTF-8 percent escapes, as RFC 3986 reserves them', () => {
  assert.equal(
    withQueryParam('https://h/s', 'id', "日本 é&=#+!'()*"),
    'https://h/s?id=%E6%97%A5%E6%9C%AC%20%C3%A9%26%3D%23%2B%21%27%28%29%2A',
  );
  // A lone surrogate (possible in a JavaScript string) becomes U+FFFD.
  assert.equal(withQueryParam('https://h/s', 'id', 'a\ud800'), 'https://h/s?id=a%EF%BF%BD');
});

test('lastEventIdParam: drops the fragment', () => {
  assert.equal(withQueryParam('https://h/s?a=1#frag', 'id', '2'), 'https://h/s?a=1&id=2');
});

test('lastEventIdParam: does not confuse a longer name, and matches the name encoded or not', () => {
  assert.equal(withQueryParam('https://h/s?idx=1', 'id', '2'), 'https://h/s?idx=1&id=2');
  assert.equal(withQueryParam('https://h/s?last%20id=1&a=b', 'last id', '2'), 'https://h/s?a=b&last%20id=2');
});
