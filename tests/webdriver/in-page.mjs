// Functions that run inside the page: WebDriver executes their source
// there, so each one is self-contained (no reference to anything outside
// its own body).

/**
 * The elements a chain of `{ selector, hasText }` steps selects, in
 * document order: each step's CSS selector is matched inside the previous
 * step's elements. `hasText` keeps the elements whose text (whitespace
 * collapsed) contains the string, case-insensitively, or matches the
 * pattern `{ source, flags }`, as Playwright's `hasText` does.
 * @param {{ selector: string, hasText?: string | { source: string, flags: string } }[]} steps
 * @returns {Element[]}
 */
export function findAll(steps) {
  const normalize = (text) => text.replace(/\s+/g, ' ').trim();
  const hasText = (element, wanted) => {
    const text = normalize(element.textContent ?? '');
    return typeof wanted === 'string'
      ? text.toLowerCase().includes(normalize(wanted).toLowerCase())
      : new RegExp(wanted.source, wanted.flags).test(text);
  };
  let found = [document];
  for (const step of steps) {
    const inside = found.flatMap((root) => [...root.querySelectorAll(step.selector)]);
    found = [...new Set(inside)].filter((element) => step.hasText === undefined || hasText(element, step.hasText));
  }
  return found;
}

/**
 * Whether `element` is visible as Playwright means it: a non-empty box and
 * not `visibility: hidden`.
 * @param {Element} element
 */
export function isVisible(element) {
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
}

/**
 * Puts `files` into the file input `input` as if a person had picked them:
 * sets its `files` (built through a DataTransfer), then fires `input` and
 * `change` as the browser does.
 * @param {HTMLInputElement} input
 * @param {{ name: string, mimeType: string, base64: string }[]} files
 */
export function setInputFiles(input, files) {
  const transfer = new DataTransfer();
  for (const { name, mimeType, base64 } of files) {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type: mimeType }));
  }
  input.files = transfer.files;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}
