// Build Cobertura's partial plotly.js bundle as ES modules that share MapLibre's code with
// its web worker (esbuild code splitting), so MapLibre is downloaded once, not twice:
//   plotly-map.mjs          the page's entry: plotly.js core + choroplethmap + scattermap + bar
//   maplibre-gl-worker.mjs  MapLibre's module worker (imports the shared chunk)
//   chunk-<hash>.mjs        code both use (MapLibre's shared part)
// plotly.js would otherwise inline a second copy of MapLibre (plotly.js/build/maplibre_worker.js,
// 514 KB) as the worker's source; here that module is replaced by a one-line module worker
// source that imports maplibre-gl-worker.mjs from /vendor/.
// Usage: node build.mjs <outdir>  (build.sh runs it after `npm ci`).
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const outdir = process.argv[2];
const version = (p) => JSON.parse(readFileSync(`node_modules/${p}/package.json`, 'utf8')).version;

const here = (file) => new URL(file, import.meta.url).pathname;

// Parts of plotly.js no Cobertura figure uses, left out of core.js's component list: menus,
// sliders, range sliders and selectors, layout images, error bars, 3-D annotations (about
// 70 KB minified). plotly.js asks for a component through its registry, which answers a
// no-op for one not registered. Country-name lookups (locationmode 'country names', 53 KB)
// are never used: every map is keyed by UBIGEO in our own GeoJSON.
const LEFT_OUT = ['annotations3d', 'images', 'updatemenus', 'sliders', 'rangeslider', 'rangeselector', 'errorbars'];

const trim = {
    name: 'cobertura-trim',
    setup(build) {
        build.onResolve({ filter: /build\/maplibre_worker$/ }, () => ({ path: here('./worker-source.js') }));
        build.onResolve({ filter: /^country-iso-search$/ }, () => ({ path: here('./no-country-names.js') }));
        build.onLoad({ filter: /plotly\.js\/src\/core\.js$/ }, async (args) => {
            let text = readFileSync(args.path, 'utf8');
            for (const name of LEFT_OUT) {
                const line = `    require('./components/${name}'),\n`;
                if (!text.includes(line)) throw new Error(`plotly.js core.js no longer registers ${name}: update build.mjs`);
                text = text.replace(line, '');
            }
            return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
        });
    },
};

const banner = `/*! Cobertura partial plotly.js bundle (core + choroplethmap + scattermap + bar).
 * plotly.js v${version('plotly.js')} (c) Plotly, Inc. - MIT License - https://github.com/plotly/plotly.js
 * maplibre-gl v${version('maplibre-gl')} (c) MapLibre contributors, (c) Mapbox - BSD-3-Clause - https://github.com/maplibre/maplibre-gl-js
 * Other bundled third-party notices are kept at the end of the files. */`;

const result = await esbuild.build({
    entryPoints: {
        'plotly-map': 'entry.js',
        'maplibre-gl-worker': 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs',
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    target: 'es2020',
    platform: 'browser',
    loader: { '.css': 'text' },
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    legalComments: 'eof',
    charset: 'utf8',
    banner: { js: banner },
    logLevel: 'warning',
    plugins: [trim],
    metafile: true,
});
writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile));
for (const [file, out] of Object.entries(result.metafile.outputs)) console.log(file, out.bytes);
