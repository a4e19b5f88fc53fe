// A static file server on a free loopback port, for the built apps of
// tests/js and the soak page (tests/soak).

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Serves a built app from `root` on 127.0.0.1 (free port). Pages get the
 * Content-Security-Policy the README documents (`script-src 'self'
 * 'wasm-unsafe-eval'`), or, with `?csp=no-wasm` in the page URL, the same
 * without 'wasm-unsafe-eval'. `wasmType` overrides the Content-Type of
 * `.wasm` files (a misconfigured server); `connectSrc` is the origin pages
 * may connect to besides their own (default: the test server).
 */
export async function serveStatic(
  root,
  { wasmType = TYPES['.wasm'], connectSrc = process.env.SSE_TEST_SERVER ?? '' } = {},
) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
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
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
