// A WebDriver server process (WebKitWebDriver) on a free loopback port.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

import { until } from './until.mjs';

/** A port the system has just handed out as free on 127.0.0.1. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `binary` (a W3C WebDriver server taking `--port`) on a free
 * 127.0.0.1 port and waits until it answers `GET /status`. `close()` stops
 * it; so does this process exiting, so no driver outlives a crashed test run.
 * @param {string} binary
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startDriver(binary) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [`--port=${port}`, '--host=127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let spawnError;
  child.on('error', (error) => (spawnError = error));
  // 'close', not 'exit': a binary that cannot be run emits only 'error' and 'close'.
  const closed = new Promise((resolve) => child.on('close', resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  const killOnExit = () => child.kill();
  process.on('exit', killOnExit);
  const close = async () => {
    process.off('exit', killOnExit);
    if (running()) child.kill();
    await closed;
  };

  try {
    await until(
      `${binary} to listen on ${url}`,
      async () => {
        if (spawnError) throw new Error(`${binary} did not start: ${spawnError.message}`);
        if (!running()) throw new Error(`${binary} exited (${child.exitCode ?? child.signalCode}) before it listened: ${stderr.trim()}`);
        return fetch(`${url}/status`).then((response) => response.ok, () => false);
      },
      10_000,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { url, close };
}
