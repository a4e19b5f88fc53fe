// A static file server on a free loopback port, for the built apps of
// tests/js and the soak page (tests/soak).

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Where the `probe` option's script is served. */
const PROBE_PATH = '/__probe.js';

/** `html` with a classic `<script src>` for the probe first in its <head>, so it runs before the page's own scripts. */
function withProbe(html) {
  const head = /<head[^>]*>/i.exec(html);
  if (!head) throw new Error('a page without <head>: nowhere to load the probe first');
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}<script src="${PROBE_PATH}"></script>${html.slice(at)}`;
}

/**
 * Serves a built app from `root` on 127.0.0.1 (free port). Pages get the
 * Content-Security-Policy the README documents (`script-src 'self'
 * 'wasm-unsafe-eval'`), or, with `?csp=no-wasm` in the page URL, the same
 * without 'wasm-unsafe-eval'. `wasmType` overrides the Content-Type of
 * `.wasm` files (a misconfigured server); `connectSrc` is the origin pages
 * may connect to besides their own (default: the test server).
 *
 * For tests: `probe`, a script's source, is served at /__probe.js and
 * loaded first in every HTML page (same origin, so the CSP allows it),
 * which lets a test watch a page from its start in any browser;
 * `delayWasmMs` holds every `.wasm` response back that long (a slow
 * network for the module only). `requests(pathname)` counts the requests
 * for a path so far, in any browser.
 */
export async function serveStatic(
  root,
  { wasmType = TYPES['.wasm'], connectSrc = process.env.SSE_TEST_SERVER ?? '', probe, delayWasmMs = 0 } = {},
) {
  /** Requests so far, by pathname. */
  const requests = new Map();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    requests.set(url.pathname, (requests.get(url.pathname) ?? 0) + 1);
    if (probe !== undefined && url.pathname === PROBE_PATH) {
      res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' }).end(probe);
      return;
    }
    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    let body;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    const type = extname(file) === '.wasm' ? wasmType : TYPES[extname(file)];
    const headers = { 'content-type': type || 'application/octet-stream', 'cache-control': 'no-store' };
    if (extname(file) === '.html') {
      const wasm = url.searchParams.get('csp') === 'no-wasm' ? '' : " 'wasm-unsafe-eval'";
      headers['content-security-policy'] =
        `default-src 'self'; script-src 'self'${wasm}; connect-src 'self' ${connectSrc}; img-src 'self' data:`;
      if (probe !== undefined) body = withProbe(body.toString('utf8'));
    }
    if (extname(file) === '.wasm' && delayWasmMs > 0) await delay(delayWasmMs);
    res.writeHead(200, headers).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: (pathname) => requests.get(pathname) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
