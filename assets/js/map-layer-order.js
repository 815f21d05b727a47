/* Cobertura: keep every marker layer (services, uploaded units) above every area layer.
 *
 * plotly.js creates the map layers of a hidden scattermap trace once and does not move
 * them when it is shown, while it re-inserts the choropleth layers on top at each update.
 * A service switched on after the first draw was therefore drawn under the areas. After
 * each redraw, marker layers are moved back on top, in trace order, when needed.
 */
(function () {
    'use strict';

    function reorder(gd) {
        var full = gd._fullLayout;
        var subplot = full && full.map && full.map._subplot;
        var map = subplot && subplot.map;
        if (!map || !map.getStyle || !map.getStyle() || !gd._fullData) { return; }
        var ids = map.getStyle().layers.map(function (layer) { return layer.id; });
        var areaTop = -1;
        var markerBottom = Infinity;
        var markerLayers = [];
        gd._fullData.forEach(function (trace) {
            var prefix = 'plotly-trace-layer-' + trace.uid + '-';
            var own = ids.filter(function (id) { return id.indexOf(prefix) === 0; });
            if (trace.type === 'choroplethmap') {
                own.forEach(function (id) { areaTop = Math.max(areaTop, ids.indexOf(id)); });
            } else if (trace.type === 'scattermap') {
                own.forEach(function (id) { markerBottom = Math.min(markerBottom, ids.indexOf(id)); });
                markerLayers = markerLayers.concat(own);
            }
        });
        if (markerBottom > areaTop) { return; }
        markerLayers.forEach(function (id) { map.moveLayer(id); });
    }

    function attach() {
        var plots = document.querySelectorAll('.js-plotly-plot');
        for (var i = 0; i < plots.length; i++) {
            var gd = plots[i];
            if (gd._coberturaLayerOrder || typeof gd.on !== 'function') { continue; }
            gd._coberturaLayerOrder = true;
            gd.on('plotly_afterplot', reorder.bind(null, gd));
        }
    }

    new MutationObserver(attach).observe(document.documentElement, {childList: true, subtree: true});
    attach();
}());
