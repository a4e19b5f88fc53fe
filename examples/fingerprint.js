// A QR-code-looking picture of a URL, drawn on a canvas. It is NOT a
// scannable QR code (that takes a Reed-Solomon encoder, i.e. a library):
// it is a visual fingerprint, the same on both pages for the same link, so a
// person can check at a glance that the upload page belongs to this session.

const SIZE = 21; // modules per side, like a version-1 QR code
const FINDER = 7; // the three corner squares

/** 32-bit FNV-1a of a string, continued from `seed`. */
function fnv1a(text, seed = 0x811c9dc5) {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Whether module (x, y) is inside one of the three corner finder squares. */
function inFinder(x, y) {
  const near = (v) => v < FINDER + 1;
  const far = (v) => v >= SIZE - FINDER - 1;
  return (near(x) && near(y)) || (far(x) && near(y)) || (near(x) && far(y));
}

/** The finder pattern: a dark ring, a light ring, a dark 3x3 centre. */
function finderDark(x, y) {
  const fx = x >= SIZE - FINDER - 1 ? x - (SIZE - FINDER) : x;
  const fy = y >= SIZE - FINDER - 1 ? y - (SIZE - FINDER) : y;
  if (fx < 0 || fy < 0 || fx >= FINDER || fy >= FINDER) return false; // separator
  const ring = Math.min(fx, fy, FINDER - 1 - fx, FINDER - 1 - fy);
  return ring !== 1;
}

/**
 * Draws the fingerprint of `text` on `canvas` (square, any size).
 * @param {HTMLCanvasElement} canvas
 * @param {string} text
 */
export function drawFingerprint(canvas, text) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const quiet = 2; // white border, in modules
  const cell = Math.floor(canvas.width / (SIZE + 2 * quiet));
  const offset = Math.floor((canvas.width - cell * SIZE) / 2);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#111';
  let bits = 0;
  let h = fnv1a(text);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let dark;
      if (inFinder(x, y)) {
        dark = finderDark(x, y);
      } else {
        if (bits === 0) {
          h = fnv1a(text, h); // 32 fresh bits, derived from the text
          bits = 32;
        }
        dark = (h & 1) === 1;
        h >>>= 1;
        bits -= 1;
      }
      if (dark) ctx.fillRect(offset + x * cell, offset + y * cell, cell, cell);
    }
  }
}
