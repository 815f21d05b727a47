/* Cobertura: dcc.Graph waits for our plotly.js bundle, and nothing else does.
 * The bundle is an ES module (/vendor/plotly-map.mjs, app.py), and module scripts run after
 * the page's classic scripts. dcc.Graph loads plotly.js as `Promise.resolve(window.Plotly ||
 * <fetch Dash's full plotly.js, 3.6 MB>)`, so until the bundle has run, window.Plotly is a
 * promise of it: the renderer starts at once (layout and first callbacks travel while the
 * bundle arrives) and the graphs draw when the bundle calls window.coberturaPlotlyReady(),
 * which also sets the real window.Plotly. If the bundle fails to load or to run, Dash's own
 * plotly.js is loaded instead: slower, never a blank page. */
(function () {
    'use strict';
    var bundle = document.querySelector('script[type="module"][src*="/vendor/plotly-map.mjs"]');
    if (!bundle || window.Plotly) { return; }
    var settle, fail, done = false;
    var ready = new Promise(function (resolve, reject) { settle = resolve; fail = reject; });
    window.coberturaPlotlyReady = function () { done = true; settle(window.Plotly); };
    window.Plotly = {then: function (onReady, onError) { return ready.then(onReady, onError); }};
    function fallback() {
        if (done) { return; }
        done = true;
        window.Plotly = undefined;
        var script = document.createElement('script');
        script.src = window._dashPlotlyJSURL || '/_dash-component-suites/plotly/package_data/plotly.min.js';
        script.onload = function () { settle(window.Plotly); };
        script.onerror = function (err) { fail(err); };
        document.head.appendChild(script);
    }
    bundle.addEventListener('error', fallback);
    window.addEventListener('error', function (event) {
        if (event && typeof event.filename === 'string' && event.filename.indexOf('/vendor/') >= 0) { fallback(); }
    });
}());
