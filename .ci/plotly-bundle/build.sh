#!/usr/bin/env bash
# Build the partial plotly.js bundle (core + choroplethmap + scattermap + bar) and store it
# brotli-compressed as assets/vendor/plotly-map.min.js.br (the app serves it as br or gzip;
# the 3 MB plain file is not committed). Needs node + npm and the npm registry only (plotly.js
# declares node >= 22; Node 20 builds it with only an EBADENGINE warning).
# Usage (from anywhere): bash .ci/plotly-bundle/build.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/dist/plotly-map.min.js"
STORED="$REPO/assets/vendor/plotly-map.min.js.br"
cd "$HERE"

# --ignore-scripts: nothing here needs an install script (esbuild finds its binary
# in the @esbuild/<platform> optional dependency), so none are run.
npm ci --no-audit --no-fund --ignore-scripts

PLOTLY_VERSION="$(node -p "require('plotly.js/package.json').version")"
MAPLIBRE_VERSION="$(node -p "require('maplibre-gl/package.json').version")"
BANNER="/*! Cobertura partial plotly.js bundle (core + choroplethmap + scattermap + bar).
 * plotly.js v${PLOTLY_VERSION} (c) Plotly, Inc. - MIT License - https://github.com/plotly/plotly.js
 * maplibre-gl v${MAPLIBRE_VERSION} (c) MapLibre contributors, (c) Mapbox - BSD-3-Clause - https://github.com/maplibre/maplibre-gl-js
 * Other bundled third-party notices are kept at the end of this file. */"

mkdir -p "$(dirname "$OUT")"
# Options mirror plotly.js's own esbuild-config.js (global=window, define.amd=false,
# NODE_DEBUG=false); CSS is loaded as text and injected by entry.js.
node_modules/.bin/esbuild entry.js \
  --bundle --minify --format=iife --target=es2016 \
  --platform=browser \
  --loader:.css=text \
  --define:global=window \
  --define:define.amd=false \
  --define:process.env.NODE_DEBUG=false \
  --alias:regl=@plotly/regl \
  --alias:stream=stream-browserify \
  --legal-comments=eof \
  --charset=utf8 \
  --banner:js="$BANNER" \
  --log-level=warning \
  --outfile="$OUT"

mkdir -p "$(dirname "$STORED")"
python3 -c "import brotli, sys; open(sys.argv[2], 'wb').write(brotli.compress(open(sys.argv[1], 'rb').read(), quality=11))" "$OUT" "$STORED"
ls -l "$OUT" "$STORED"
