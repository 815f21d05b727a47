/* Cobertura: the clientside callbacks (registered in callbacks/ with
 * ClientsideFunction("cobertura", name)). They only move data the server has already
 * validated, or that the server validates again.
 */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    cobertura: {
        // callbacks/url.py: write the canonical query string into the address bar
        write_url: function (query, lang) {
            if (typeof query !== 'string') { return window.dash_clientside.no_update; }
            var url = window.location.pathname + query + window.location.hash;
            window.history.replaceState(null, '', url);
            document.documentElement.lang = lang || 'es';
            return window.dash_clientside.no_update;
        },

        // callbacks/gaps.py: Dash's DataTable code is left out of the first page (app.py,
        // shape_index, which names it in <meta name="cobertura-table-lib">); load it when the
        // gaps tab first opens, then let the tab render (a failed load renders it anyway:
        // Dash then says which component is missing, nothing else breaks)
        load_table: function (tab) {
            if (tab !== 'gaps') { return window.dash_clientside.no_update; }
            if (window.dash_table) { return 'ready'; }
            var meta = document.querySelector('meta[name="cobertura-table-lib"]');
            if (!meta) { return 'ready'; }
            if (!window.coberturaTableLib) {
                window.coberturaTableLib = new Promise(function (resolve) {
                    var script = document.createElement('script');
                    script.src = meta.getAttribute('content');
                    script.onload = function () { resolve('ready'); };
                    script.onerror = function () { resolve('failed'); };
                    document.head.appendChild(script);
                });
            }
            return window.coberturaTableLib;
        },

        // callbacks/plan.py: the URL holds the whole scenario
        copy_url: function (n) {
            return window.location.href;
        },

        // callbacks/user_units.py: refuse a file over the limit before sending it
        upload_payload: function (contents, filename, limit) {
            if (!contents) { return window.dash_clientside.no_update; }
            var name = (typeof filename === 'string') ? filename.slice(0, 200) : '';
            if (contents.length > limit) {
                return {name: name, too_large: Math.floor(contents.length * 3 / 4)};
            }
            return {name: name, contents: contents};
        },

        // callbacks/user_units.py: the session's units onto the map, as a Patch
        draw_user_units: function (traces, drawn, figure) {
            var nu = window.dash_clientside.no_update;
            if (!traces || !drawn || !figure || !figure.data || !traces.indices) { return nu; }
            var h = traces.indices[0], m = traces.indices[1];
            if (figure.data.length <= m || !figure.data[m] || figure.data[m].meta !== traces.meta) { return nu; }
            var have = figure.data[m].lat || [], want = traces.markers.lat || [];
            if (have.length === want.length && JSON.stringify(have) === JSON.stringify(want)) { return nu; }
            // The figure prop gets the units through the Patch below. When a redraw of the
            // map is still in flight, plotly can end up drawing the previous figure; so once
            // the map settles, make sure the plot itself holds the units.
            var ensure = function () {
                var gd = document.querySelector('#map .js-plotly-plot');
                if (!gd || !gd.data || !gd.data[m] || gd.data[m].meta !== traces.meta || !window.Plotly) { return; }
                if ((gd.data[m].lat || []).length === traces.markers.lat.length) { return; }
                window.Plotly.restyle(gd, {lat: [traces.halo.lat], lon: [traces.halo.lon]}, [h]);
                window.Plotly.restyle(gd, {lat: [traces.markers.lat], lon: [traces.markers.lon],
                    text: [traces.markers.text], customdata: [traces.markers.customdata],
                    'marker.color': [traces.markers.color]}, [m]);
            };
            [600, 1500, 3000].forEach(function (ms) { setTimeout(ensure, ms); });
            var p = new window.dash_clientside.Patch();
            p.assign(['data', h, 'lat'], traces.halo.lat).assign(['data', h, 'lon'], traces.halo.lon);
            ['lat', 'lon', 'text', 'customdata'].forEach(function (k) { p.assign(['data', m, k], traces.markers[k]); });
            p.assign(['data', m, 'marker', 'color'], traces.markers.color);
            return p.build();
        }
    }
});
