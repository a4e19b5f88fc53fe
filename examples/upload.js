// The uploading side of scenario 3: a plain fetch POST, no SSE here.

import { $, postJson } from '/common.js';
import { drawFingerprint } from '/fingerprint.js';

const session = new URLSearchParams(location.search).get('session') ?? '';
$('session').textContent = session || '(none: open this page from the link on the uploads page)';
drawFingerprint($('fingerprint'), location.href);

/**
 * Posts `blob` as the raw body, with its type as the Content-Type.
 * @param {Blob} blob
 * @param {string} name
 */
async function upload(blob, name) {
  $('result').textContent = `Uploading ${name}…`;
  $('problem').textContent = '';
  try {
    const url = `/api/uploads/${encodeURIComponent(session)}?name=${encodeURIComponent(name)}`;
    const { n } = await postJson(url, { body: blob, headers: { 'Content-Type': blob.type } });
    $('result').textContent = `Uploaded ${name} as image #${n}. It is already on the other page.`;
  } catch (error) {
    $('result').textContent = '';
    $('problem').textContent = `Upload failed: ${error.message}`;
  }
}

/** A 320x200 PNG drawn on the spot, for trying the demo without a photo. */
function sampleImage() {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 200;
  const ctx = canvas.getContext('2d');
  const hue = Math.floor(Math.random() * 360);
  const gradient = ctx.createLinearGradient(0, 0, 320, 200);
  gradient.addColorStop(0, `hsl(${hue} 80% 55%)`);
  gradient.addColorStop(1, `hsl(${(hue + 120) % 360} 80% 45%)`);
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, 320, 200);
  ctx.fillStyle = '#fff';
  ctx.font = 'bold 28px sans-serif';
  ctx.fillText('sse-wasm', 24, 90);
  ctx.font = '18px sans-serif';
  ctx.fillText(new Date().toLocaleTimeString(), 24, 130);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

$('file').addEventListener('change', (event) => {
  const file = event.target.files?.[0];
  if (file) upload(file, file.name);
});
$('sample').addEventListener('click', async () => {
  const blob = await sampleImage();
  if (blob) upload(blob, 'test-image.png');
});
