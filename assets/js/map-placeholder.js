/* Cobertura: hide the outline placeholder of the map frame once MapLibre has painted the
 * areas of the first figure (the card gets the class `map-painted`; see 10-cobertura.css). */
(function () {
    'use strict';

    function painted(gd) {
        var card = gd.closest('.map-card');
        if (card) { card.classList.add('map-painted'); }
    }

    function check(gd) {
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
        gd.on('plotly_afterplot', check.bind(null, gd));
        check(gd);
    }

    new MutationObserver(attach).observe(document.documentElement, {childList: true, subtree: true});
    attach();
}());
