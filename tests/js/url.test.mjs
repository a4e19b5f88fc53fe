// The constructor's URL check (`checkUrl` in src/web/options.js, which both
// the wasm client and js/client.js use), in Node: what is refused, and that
// an error never shows the credentials of the URL it quotes.

import { test } from 'node:test';
import assert from 'node:assert/strict';

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
    'credentials in the URL (user:password@) are not allowed; send them in a header (the `headers` option)',
  ]);
  assert.deepEqual(options.checkUrl('http://h/a@b?c=d@e#f@g'), ['http://h/a@b?c=d@e#f@g']);
  assert.deepEqual(options.checkUrl('ftp://example.com/'), [
    'ftp://example.com/',
    'the scheme "ftp:" is not supported; use http: or https:',
  ]);
  const [url, reason] = options.checkUrl('http://alice:s3cret@[::1');
  assert.equal(url, 'http://[::1');
  assert.doesNotMatch(`${url} ${reason}`, /alice|s3cret/);
});
