'use strict';
// Replaces plotly.js/build/maplibre_worker.js (a second, inlined copy of MapLibre). plotly.js
// turns this source into a blob: URL and hands it to maplibregl.setWorkerUrl; MapLibre starts
// it as a module worker, which imports the worker module built beside the page's bundle. A
// blob: URL has no path to resolve against, so the address is absolute.
module.exports = 'import ' + JSON.stringify(new URL('/vendor/maplibre-gl-worker.mjs', self.location.href).href) + ';';
