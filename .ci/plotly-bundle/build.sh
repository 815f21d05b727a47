#!/usr/bin/env bash
# Build the partial plotly.js bundle (core + choroplethmap + scattermap + bar) as ES modules
# (build.mjs: the page's plotly-map.mjs, MapLibre's worker, and the chunk both share) and
# store them brotli-compressed as assets/vendor/*.mjs.br (the app serves them as br or gzip;
# the plain files are not committed). Needs node + npm and the npm registry only (plotly.js
# declares node >= 22; Node 20 builds it with only an EBADENGINE warning).
# Usage (from anywhere): bash .ci/plotly-bundle/build.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$HERE"

# --ignore-scripts: nothing here needs an install script (esbuild finds its binary
# in the @esbuild/<platform> optional dependency), so none are run.
npm ci --no-audit --no-fund --ignore-scripts

# build.mjs: esbuild with code splitting, so the page and MapLibre's worker share one chunk.
rm -rf "$HERE/dist"
node build.mjs "$HERE/dist"

# The stored files: every module, brotli-compressed (quality 11); stale ones removed.
rm -f "$REPO"/assets/vendor/*.mjs.br "$REPO"/assets/vendor/plotly-map.min.js.br
python3 - "$HERE/dist" "$REPO/assets/vendor" <<'PY'
import brotli, pathlib, sys
src, dst = map(pathlib.Path, sys.argv[1:])
for path in sorted(src.glob("*.mjs")):
    out = dst / (path.name + ".br")
    out.write_bytes(brotli.compress(path.read_bytes(), quality=11))
    print(f"{out.name}: {path.stat().st_size:,} B, {out.stat().st_size:,} B stored")
PY
