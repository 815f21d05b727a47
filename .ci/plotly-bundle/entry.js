'use strict';
// Partial plotly.js bundle for Cobertura: core + choroplethmap + scattermap + bar.
// (core always carries the scatter trace; bar adds ~10 KB gzipped.)
// Built by build.sh (esbuild, IIFE) into assets/vendor/plotly-map.min.js; it sets
// window.Plotly so Dash's dcc.Graph uses it instead of its full plotly.min.js.

// plotly.js requires 'maplibre-gl/dist/maplibre-gl.css' when a map trace is
// registered. build.sh loads .css files as text (--loader:.css=text), so inject
// it once here, the way upstream's esbuild-plugin-inline-css does.
var maplibreCss = require('maplibre-gl/dist/maplibre-gl.css');
if(typeof document !== 'undefined' && !document.getElementById('plotly-maplibre-css')) {
    var style = document.createElement('style');
    style.id = 'plotly-maplibre-css';
    style.textContent = maplibreCss;
    (document.head || document.documentElement).appendChild(style);
}

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/choroplethmap'),
    require('plotly.js/lib/scattermap'),
    require('plotly.js/lib/bar')
]);

// Spanish UI texts (modebar, number format: decimal comma); English is built in.
Plotly.register(require('plotly.js/lib/locales/es'));

window.Plotly = Plotly;
if(typeof window.coberturaPlotlyReady === 'function') window.coberturaPlotlyReady();
module.exports = Plotly;
