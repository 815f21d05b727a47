'use strict';
// Stands in for country-iso-search in Cobertura's bundle (build.mjs): no figure uses
// locationmode 'country names', so the lookup finds nothing.
module.exports = {
    COUNTRIES: [],
    createLookup: function() { return { lookupAlpha3: function() { return undefined; } }; }
};
