/* Cobertura: hide the placeholder of the map frame once MapLibre has painted the areas of
 * the figure the page asked for (the card gets the class `map-painted`; see 10-cobertura.css).
 * The layout comes with the first map's figure. When the page opened on that map, its HTML
 * showed the map's picture (`.first-paint`, app.shape_index): the layout's frame keeps the
 * picture (html.first-view) and the first figure is the one asked for. On a link to another
 * view the frame shows Peru's outline and waits for the figure the link asks for (the first
 * figure drawn underneath does not count). */
(function () {
    'use strict';
    var firstView = !!document.querySelector('#react-entry-point .first-paint');
    if (firstView) { document.documentElement.classList.add('first-view'); }

    function painted(gd) {
        var card = gd.closest('.map-card');
        if (card) { card.classList.add('map-painted'); }
    }

    function check(gd) {
        if (!firstView && gd.data === gd._coberturaFirstData) { return; }
        var full = gd._fullLayout;
        var map = full && full.map && full.map._subplot && full.map._subplot.map;
        var areas = (gd._fullData || []).some(function (t) { return t.type === 'choroplethmap' && (t.locations || []).length; });
        if (!map || !areas) { return; }
        if (map.loaded()) { painted(gd); } else { map.once('idle', function () { painted(gd); }); }
    }

    function attach() {
        var gd = document.querySelector('#map .js-plotly-plot');
        if (!gd || gd._coberturaPlaceholder || typeof gd.on !== 'function') { return; }
        gd._coberturaPlaceholder = true;
        gd._coberturaFirstData = gd.data;
        gd.on('plotly_afterplot', check.bind(null, gd));
        check(gd);
    }

    new MutationObserver(attach).observe(document.documentElement, {childList: true, subtree: true});
    attach();
}());
