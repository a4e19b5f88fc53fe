#!/usr/bin/env bash
# What the package weighs, after `make build` (SIZE.md explains each line):
#   wasm    pkg/sse_wasm_bg.wasm, as shipped
#   glue    the generated pkg/sse_wasm.js plus the JS snippets it imports
#           (pkg/snippets), as shipped: unminified, comments included
#   entry   what `import { SSEClient } from 'sse-wasm'` adds to an app's JS
#           once bundled and minified by esbuild: the glue, the snippets and
#           js/, without the chunks loaded only on demand
#   page    wasm + entry: what a page downloads to use SSEClient
#   hooks   what `sse-wasm/react` adds on top of the entry (React excluded)
# Sizes are raw and `gzip -9`.
#
# With `--check BUDGET`, fails unless `page` (gzip -9) is at most BUDGET
# bytes. The budget lives in the Makefile (SIZE_BUDGET). With `--json`,
# prints each line as a JSON object.
set -euo pipefail
cd "$(dirname "$0")/.."
format=text
[ "${1:-}" != "--json" ] || format=json

gz() { gzip -9 -c | wc -c; }

wasm_raw=$(stat -c %s pkg/sse_wasm_bg.wasm)
wasm_gz=$(gz <pkg/sse_wasm_bg.wasm)
glue_files=(pkg/sse_wasm.js $(find pkg/snippets -name '*.js' | sort))
glue_raw=$(cat "${glue_files[@]}" | wc -c)
glue_gz=$(cat "${glue_files[@]}" | gz)

esbuild=node_modules/.bin/esbuild
# bundle ENTRY OUTDIR [esbuild flags]
bundle() {
  "$esbuild" "$1" --bundle --minify --format=esm --splitting --log-level=error \
    --external:react --external:react-dom '--loader:.wasm=empty' --outdir="$2" "${@:3}"
}
# The entry point's own chunk and what it imports statically; chunks loaded
# only on demand (`import()`) are reported apart.
static_size() {
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    import { gzipSync } from "node:zlib";
    const seen = new Set();
    const visit = (file) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:^|[;}])\s*import\s*(?:[^"()]*?from\s*)?"(\.\/[^"]+)"/g)) {
        visit(new URL(m[1], "file://" + file).pathname);
      }
    };
    visit(process.argv[1]);
    const text = [...seen].map((f) => readFileSync(f, "utf8")).join("");
    console.log(Buffer.byteLength(text), gzipSync(text, { level: 9 }).length);
  ' "$PWD/$1"
}
rm -rf build/size
bundle js/index.js build/size/entry >/dev/null
read -r entry_raw entry_gz < <(static_size build/size/entry/index.js)
bundle js/react/index.js build/size/hooks --external:../init.js >/dev/null
read -r hooks_raw hooks_gz < <(static_size build/size/hooks/index.js)

# One line per measure; with --json, one JSON object per line instead
# (tests/bench/collect.mjs keeps them with the benchmark results).
row() {
  if [ "${1:-}" != "" ] && [ "$format" = json ]; then
    printf '{"name":"%s","rawBytes":%d,"gzipBytes":%d,"what":"%s"}\n' "$1" "$2" "$3" "$4"
  else
    printf '%-7s %8d B raw %7d B gzip -9   %s\n' "$1" "$2" "$3" "$4"
  fi
}
row wasm "$wasm_raw" "$wasm_gz" "pkg/sse_wasm_bg.wasm"
row glue "$glue_raw" "$glue_gz" "pkg/sse_wasm.js + pkg/snippets"
row entry "$entry_raw" "$entry_gz" "'sse-wasm' in an app, minified (esbuild), without the wasm"
row page $((wasm_raw + entry_raw)) $((wasm_gz + entry_gz)) "wasm + entry: what a page downloads for SSEClient"
row hooks "$hooks_raw" "$hooks_gz" "'sse-wasm/react' on top of the entry, React excluded"

if [ "${1:-}" = "--check" ]; then
  budget=$2
  total=$((wasm_gz + entry_gz))
  if [ "$total" -gt "$budget" ]; then
    echo "size: wasm + entry is $total B gzip -9, over the budget of $budget B (SIZE_BUDGET in the Makefile)." >&2
    echo "size: SIZE.md explains what takes the space and how to find what grew (twiggy)." >&2
    exit 1
  fi
  echo "size: wasm + entry $total B gzip -9, within the budget of $budget B"
fi
