"""Cobertura: atlas of child-protection and anti-trafficking services in Peru.

Run: ``python app.py`` (http://127.0.0.1:8050). Production: see README (gunicorn).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path

if "IPython" not in sys.modules:
    # Dash imports IPython for its notebook mode whenever it is installed (about 25 MB of RSS
    # per worker and 0.3 s of start); a server never runs in a notebook. Inside IPython (already
    # imported) nothing changes.
    sys.modules["IPython"] = None

import brotli
import dash
import dash_bootstrap_components as dbc
from dash import html
from dash.exceptions import DependencyException
from flask import Flask, Response, abort, g, request
from werkzeug.serving import WSGIRequestHandler

from atlas import warm
from atlas.compressed import BrotliStore, trim_heap
from atlas.i18n import DEFAULT_LANG
from atlas.jobs import BoundedJobManager, JobStoreError, open_store
from atlas.model import GEOMETRY_ROUTE, Model
from callbacks import brief as brief_callbacks
from callbacks import gaps as gap_callbacks
from callbacks import left_out as left_out_callbacks
from callbacks import map as map_callbacks
from callbacks import plan as plan_callbacks
from callbacks import profile as profile_callbacks
from callbacks import safety as safety_callbacks
from callbacks import scenarios as scenario_callbacks
from callbacks import sources as sources_callbacks
from callbacks import texts as text_callbacks
from callbacks import trafficking as upload_callbacks
from callbacks import url as url_callbacks
from callbacks import user_units as user_units_callbacks
from layers.catalog import Catalog
from layers.datadir import DataDir
from views.layout import build_layout, first_paint
from views.notices import on_callback_error

ROOT = Path(__file__).resolve().parent
ASSETS = ROOT / "assets"
VENDOR = ASSETS / "vendor"
PLOTLY_BUNDLE = VENDOR / "plotly-map.mjs.br"  # its entry; it imports the other modules there
# dcc.Graph waits for it through assets/js/00-plotly-ready.js: drawn before the module had run,
# it would fetch Dash's own full plotly.js (3.6 MB) instead.
log = logging.getLogger("cobertura")


def default_job_dir() -> Path:
    """A per-user private place for background-job state (never a shared /tmp path)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cobertura" / "jobs"


def _positive(parse):
    def checked(text: str):
        value = parse(text)
        if not value > 0:
            raise ValueError("must be positive")
        return value

    return checked


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError("must be 0 or 1")
    return text == "1"


def _url(text: str) -> str:
    text = text.strip().rstrip("/")
    if text and not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?(/[\w\-./~]*)?", text):
        raise ValueError("must be an http(s) URL")
    return text


def _redis_url(text: str) -> str:
    text = text.strip()
    if not re.fullmatch(r"rediss?://([^@/\s]+@)?[A-Za-z0-9.\-\[\]:]+(:\d+)?(/\d+)?", text):
        raise ValueError("must be a redis:// or rediss:// URL")
    return text


@dataclass(frozen=True)
class Setting:
    """One configurable value: its field, environment variable, default and meaning."""

    name: str
    env: str
    default: object
    parse: Callable[[str], object]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "COBERTURA_DATA_DIR", None, Path, "the public data directory (default: data/ in the repository)"),
    Setting("verify_sha256", "COBERTURA_VERIFY_SHA256", True, _flag, "0 skips the sha256 check of data files (for a deliberately updated file)"),
    Setting("debug", "COBERTURA_DEBUG", False, _flag, "1 runs `python app.py` in Dash debug mode (never in production)"),
    Setting("port", "PORT", 8050, _positive(int), "port of `python app.py`"),
    Setting("max_content_mb", "COBERTURA_MAX_CONTENT_MB", 80.0, _positive(float),
            "largest request body in MB (a national official file travels as base64; keep it at 7 or more)"),
    Setting("import_dir", "COBERTURA_IMPORT_DIR", None, Path, "official trafficking files imported at start (default: <data dir>/imports)"),
    Setting("job_dir", "COBERTURA_JOB_CACHE", None, Path,
            "private directory (0700) of background-job state, shared by the workers (default: ~/.cache/cobertura/jobs)"),
    Setting("heavy_jobs", "COBERTURA_HEAVY_JOBS", 2, _positive(int), "heavy jobs (brief, imports) running at once per worker"),
    Setting("queued_jobs", "COBERTURA_QUEUED_JOBS", 8, int, "heavy jobs waiting per worker; more are refused with a notice"),
    Setting("job_expire_s", "COBERTURA_JOB_EXPIRE_S", 600.0, _positive(float),
            "seconds a job's result waits to be fetched before it is deleted"),
    Setting("redis_url", "COBERTURA_REDIS_URL", "", _redis_url,
            "Redis for more than one server: background jobs on Celery (`celery -A app:celery_app worker`) and a "
            "shared memo of hovers and colours (empty: jobs in this machine's job directory, nothing to install)"),
    Setting("job_stale_s", "COBERTURA_JOB_STALE_S", 20.0, _positive(float),
            "seconds without a heartbeat after which a running job is reported to the user as interrupted"),
    Setting("cache_dir", "COBERTURA_CACHE_DIR", None, Path,
            "cache of the travel-time index, the app's and the commands' (<dir>/travel), and of the loaded data and "
            "its derived indexes for a fast start (<dir>/warm; default: ~/.cache/cobertura/travel and .../warm)"),
    Setting("public_url", "COBERTURA_PUBLIC_URL", "", _url,
            "the public address printed as the link in the PDF brief (left out when empty; never taken from the request)"),
)


def _from_env(setting: Setting):
    raw = os.environ.get(setting.env)
    if raw is None or raw == "":
        return setting.default
    try:
        return setting.parse(raw)
    except (TypeError, ValueError) as err:
        log.warning("%s=%r is not valid (%s); using %r", setting.env, raw, err, setting.default)
        return setting.default


def _open_data(self) -> DataDir:
    """The data directory these settings name, checked against the manifest (the app,
    the commands and the tests all open it this way)."""
    return DataDir(self.data_dir, verify=self.verify_sha256, import_dir=self.import_dir)


def _field(setting: Setting):
    return setting.name, object, field(default_factory=lambda: _from_env(setting))


# Every environment variable and limit, read once: one field per row of SETTINGS (its name,
# parsed from its variable when the Settings is made, else its default); `Settings(port=1)`
# sets one by hand, and `.data()` opens the data directory they name.
Settings = make_dataclass(
    "Settings", [_field(setting) for setting in SETTINGS], namespace={"data": _open_data, "__module__": __name__}
)


# Tiles of the opt-in OpenStreetMap basemap: the only hosts the page may reach.
OSM_TILES = (
    "https://tile.openstreetmap.org",
    "https://a.tile.openstreetmap.org",
    "https://b.tile.openstreetmap.org",
    "https://c.tile.openstreetmap.org",
)


def content_security_policy(app: dash.Dash) -> str:
    """Only our own scripts (plus the hashes of Dash's inline ones), no framing."""
    tiles = " ".join(OSM_TILES)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(app.csp_hashes()),
            "style-src 'self' 'unsafe-inline'",  # plotly and MapLibre set inline styles
            f"img-src 'self' data: blob: {tiles}",
            "worker-src 'self' blob:",  # MapLibre's module worker: a blob: URL importing /vendor/
            f"connect-src 'self' {tiles}",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


NOT_A_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'"


def add_security_headers(app: dash.Dash) -> None:
    """Headers on every response. The policy is built at the first response, after every
    callback (and so every inline clientside script) is registered."""
    policy: dict[str, str] = {}

    @app.server.after_request
    def security_headers(response: Response) -> Response:
        if "csp" not in policy:
            policy["csp"] = content_security_policy(app)
        headers = response.headers
        # the page's policy on documents; every other answer (scripts, styles, JSON) is not a
        # page and gets the strictest one (nothing may load or frame it), in 40 bytes instead
        # of 600 on each of a page's ~40 requests
        headers["Content-Security-Policy"] = policy["csp"] if response.mimetype == "text/html" else NOT_A_PAGE_CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return response

    @app.server.errorhandler(413)
    def too_large(_err):
        limit = app.server.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
        return Response(
            f"Solicitud demasiado grande (máximo {limit:g} MB) / Request too large (at most {limit:g} MB)\n",
            status=413,
            mimetype="text/plain",
        )

    @app.server.errorhandler(DependencyException)
    def unknown_dependency(_err):  # a made-up /_dash-component-suites/ path: not found, not a crash
        return Response("No encontrado / Not found\n", status=404, mimetype="text/plain")

    @app.server.errorhandler(500)
    def internal_error(_err):  # the traceback is in the server log, never in the response
        return Response("Error interno del servidor / Internal server error\n", status=500, mimetype="text/plain")


def close_debug_routes(app: dash.Dash, debug: bool) -> None:
    """Dash answers /_reload-hash (hot reload) even with debug off; say nothing then."""
    if debug:
        return
    for rule in app.server.url_map.iter_rules():
        if rule.rule.endswith("/_reload-hash"):
            app.server.view_functions[rule.endpoint] = lambda: abort(404)


def serve_layout_once(app: dash.Dash, debug: bool) -> None:
    """The layout is the same page for everyone (Spanish, the default view and its map:
    `build_layout`), so its JSON is built on the first request and kept: about 7 ms of CPU
    per page load become a lookup. Not in debug mode, where the code may change under it."""
    if debug:
        return
    kept: list[bytes] = []
    for rule in app.server.url_map.iter_rules():
        if rule.rule.endswith("/_dash-layout"):
            dash_view = app.server.view_functions[rule.endpoint]

            def layout(dash_view=dash_view):
                if not kept:
                    kept.append(dash_view().get_data())
                return Response(kept[0], mimetype="application/json")

            app.server.view_functions[rule.endpoint] = layout


class QuietRequestHandler(WSGIRequestHandler):
    """`python app.py`'s server: no framework or Python version in the Server header."""

    def version_string(self) -> str:
        return "Cobertura"


class Precompressed:
    """A static body kept compressed in memory, served as br or gzip as the client accepts
    (br from `brotli_body`, else from the store once it has compressed the body).

    Given brotli bytes (the plotly bundle's modules), the uncompressed body is not kept in
    every worker for the rare client that accepts neither encoding: it is decompressed for
    that client instead."""

    def __init__(self, body: bytes | None = None, brotli_body: bytes | None = None, store: BrotliStore | None = None):
        if brotli_body is not None:
            self.br = brotli_body
            body = brotli.decompress(brotli_body)
            self._raw = None
        else:
            self.br = store.get(body) if store is not None else None
            self._raw = body
        self.store = store
        self.gz = gzip.compress(body, compresslevel=9, mtime=0)
        self.etag = hashlib.sha256(body).hexdigest()[:16]

    @property
    def raw(self) -> bytes:
        return self._raw if self._raw is not None else gzip.decompress(self.gz)

    def response(self, mimetype: str, immutable: bool = True) -> Response:
        """`immutable` for an address that changes with the body; else revalidated (ETag)."""
        if request.if_none_match and self.etag in request.if_none_match:
            return Response(status=304)
        accepts = request.headers.get("Accept-Encoding", "")
        if self.br is None and self.store is not None:
            self.br = self.store.get(self.raw)
        if self.br is not None and "br" in accepts:
            resp = Response(self.br, mimetype=mimetype)
            resp.headers["Content-Encoding"] = "br"
        elif "gzip" in accepts:
            resp = Response(self.gz, mimetype=mimetype)
            resp.headers["Content-Encoding"] = "gzip"
        else:
            resp = Response(self.raw, mimetype=mimetype)
        resp.headers["Vary"] = "Accept-Encoding"
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
        resp.set_etag(self.etag)
        return resp


class CompressedBodies:
    """Compressed responses kept by what they hold, through flask-compress's own cache hooks
    (`COMPRESS_CACHE_BACKEND`, `COMPRESS_CACHE_KEY`): a large body many users get alike (the
    district map, the layout, a suggested scenario's view) is compressed once per encoding
    instead of on every request, with flask-compress's own choice of encoding and levels.
    Bounded in bytes, least recently used out; small bodies are not kept (cheap to compress).
    """

    MIN_BYTES = 16 * 1024
    NOT_KEPT = "-"  # the key of a body that is not kept: never stored, so never found

    def __init__(self, max_bytes: int = 16 * 2**20):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";" + self.NOT_KEPT) or len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes += len(value) - (len(old) if old is not None else 0)
            self._items[key] = value
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    @staticmethod
    def key(_request) -> str:
        """flask-compress's cache key (it prefixes the encoding): the digest of the body,
        noted by `note_body` just before flask-compress runs."""
        return g.get("cobertura_body_key") or CompressedBodies.NOT_KEPT

    @classmethod
    def note_body(cls, response: Response) -> Response:
        g.cobertura_body_key = None
        if response.is_streamed or response.direct_passthrough or response.status_code != 200:
            return response
        if "Content-Encoding" in response.headers:  # already compressed (geometry, bundle)
            return response
        if request.path.startswith(STATIC_PREFIXES):  # kept at brotli 11 by `compress_static`
            return response
        body = response.get_data()
        if len(body) >= cls.MIN_BYTES:
            digest = hashlib.sha256(body).hexdigest()  # about 1.3 ms for the 0.9 MB district map
            g.cobertura_body_key = f"{response.mimetype}:{len(body)}:{digest}"
        return response


STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
STATIC_TYPES = ("application/javascript", "text/javascript", "text/css")


def compress_static(app: dash.Dash, store: BrotliStore) -> None:
    """Dash's scripts and our assets leave at brotli's best quality once `store` has them
    (atlas/compressed.py); until then, and for every other answer, flask-compress as before.
    Registered after flask-compress, so it runs first; flask-compress leaves an answer that
    already has a Content-Encoding alone."""

    @app.server.after_request
    def best_brotli(response: Response) -> Response:
        if (
            request.method != "GET"
            or response.status_code != 200
            or "Content-Encoding" in response.headers
            or response.mimetype not in STATIC_TYPES
            or not request.path.startswith(STATIC_PREFIXES)
            or "br" not in request.headers.get("Accept-Encoding", "")
        ):
            return response
        response.direct_passthrough = False
        compressed = store.get(response.get_data())
        if compressed is not None:
            response.set_data(compressed)
            response.headers["Content-Encoding"] = "br"
            response.vary.add("Accept-Encoding")
        return response


def register_static_routes(app: dash.Dash, model: Model | None, store: BrotliStore | None = None) -> None:
    server = app.server
    modules = {path.name.removesuffix(".br"): path for path in VENDOR.glob("*.mjs.br")}
    # read at start (before gunicorn forks, so the workers share them), as the bundle was
    module_cache = {name: Precompressed(brotli_body=path.read_bytes()) for name, path in modules.items()}
    geo_cache: dict[str, Precompressed] = {}

    @server.route("/vendor/<name>")
    def plotly_bundle(name: str):
        """The partial plotly.js bundle's ES modules (.ci/plotly-bundle), stored brotli-compressed."""
        if name not in modules:
            abort(404)
        # chunks are named by their content, the entry is asked for with its version (?v=)
        immutable = name.startswith("chunk-") or request.args.get("v") == bundle_version()
        return module_cache[name].response("text/javascript", immutable=immutable)

    @server.route(GEOMETRY_ROUTE)
    def geometry(name: str):
        if model is None:
            abort(404)
        if name not in geo_cache:
            body = model.geometry(name)
            if body is None:
                abort(404)
            geo_cache[name] = Precompressed(body, store=store)
        return geo_cache[name].response("application/geo+json")

    @server.route("/healthz")
    def healthz():
        if model is None:
            return {"status": "error"}, 503
        return {
            "status": "ok" if not model.catalog.errors else "degraded",
            "layers": {layer.id: model.catalog.available(layer.id) for layer in model.catalog.layers},
        }


def fatal_layout(catalog: Catalog):
    return dbc.Container(
        [
            html.H1("Cobertura"),
            dbc.Alert(
                [
                    html.H2("No se pueden cargar los límites del mapa / Map boundaries cannot be loaded", className="h5"),
                    html.P(catalog.fatal),
                    html.P(
                        "Revise la carpeta de datos (data/ del repositorio, o la que indique COBERTURA_DATA_DIR) "
                        "/ Check the data folder (the repository's data/, or the one COBERTURA_DATA_DIR names)."
                    ),
                ],
                color="danger",
            ),
        ],
        className="pt-4",
    )


def job_manager(settings: Settings):
    """Celery on Redis when `COBERTURA_REDIS_URL` is set (several servers), else the bounded
    per-machine manager on a private diskcache."""
    if settings.redis_url:
        from atlas.celery_jobs import CeleryJobManager, celery_app, redis_client

        celery = celery_app(settings.redis_url, settings.job_expire_s)
        return CeleryJobManager(celery, redis_client(settings.redis_url), settings.job_expire_s, settings.job_stale_s)
    store = open_store(settings.job_dir or default_job_dir(), settings.job_expire_s)
    return BoundedJobManager(
        store, workers=settings.heavy_jobs, max_queued=settings.queued_jobs, stale_s=settings.job_stale_s
    )


def share_memo(model: Model, settings: Settings, data_dir: DataDir) -> None:
    """With Redis, the memo of hovers and colours is shared by every server, under a
    namespace naming the data and the code that draws them."""
    if not settings.redis_url:
        return
    from atlas.celery_jobs import SharedMemo, redis_client

    digest = hashlib.sha256(data_dir.fingerprint().encode())
    for path in sorted([*(ROOT / "views").glob("*.py"), *(ASSETS / "locales").glob("*.json"), ROOT / "atlas" / "model.py"]):
        digest.update(path.read_bytes())
    model.shared_memo = SharedMemo(redis_client(settings.redis_url), digest.hexdigest()[:16])


POLYFILL_TAG = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>\n?')
TABLE_TAG = re.compile(r'<script src="([^"]*/dash_table/bundle[^"]*)"></script>\n?')


def shape_index(
    app: dash.Dash,
    first_geometry: Callable[[], str | None],
    first_paint: Callable[[], str] | None = None,
    on_first_map: Callable[[], bool] = lambda: False,
) -> None:
    """The page's head and scripts, lighter and earlier than Dash makes them:

    - Dash's @babel/polyfill (99 KB, 37 KB compressed) is left out: its bundles need only the
      `regeneratorRuntime` global, served as assets/vendor/regenerator-runtime.min.js;
    - Dash's DataTable code (9 KB) is left out: only the gaps tab uses it, and it is loaded
      when that tab first opens;
    - the plotly.js bundle's modules are preloaded from the head (the page's own chunk would be
      found only once the entry module has arrived);
    - the geometry of the first map is preloaded with the page (plotly would ask for it only
      once the figure has arrived, about a second later);
    - when the page opens on exactly the first map (`on_first_map()`), `first_paint()` (the
      header and the first map's picture, views.placeholder.first_paint_html) replaces Dash's
      "Loading...": a filled map is on screen with the page's first bytes, before any script
      has run (assets/js/map-placeholder.js then keeps the picture in the layout's frame)."""
    interpolate = app.interpolate_index

    chunks = sorted(p.name.removesuffix(".br") for p in VENDOR.glob("chunk-*.mjs.br"))
    page_modules = [bundle_url(), *(f"/vendor/{name}" for name in chunks)] if PLOTLY_BUNDLE.exists() else []
    preload_modules = "".join(f'<link rel="modulepreload" href="{url}">' for url in page_modules)

    def shaped(**kwargs):
        scripts = POLYFILL_TAG.sub("", kwargs.get("scripts", ""))
        table = TABLE_TAG.search(scripts)
        metas = kwargs.get("metas", "") + preload_modules
        if table:  # loaded when the gaps tab first opens (callbacks/gaps.py)
            scripts = TABLE_TAG.sub("", scripts)
            metas += f'<meta name="cobertura-table-lib" content="{table.group(1)}">'
        kwargs["scripts"] = scripts
        url = first_geometry()
        if url:
            metas += f'<link rel="preload" href="{url}" as="fetch" crossorigin="anonymous">'
        if first_paint is not None and on_first_map():
            kwargs["app_entry"] = f'<div id="react-entry-point">{first_paint()}</div>'
        kwargs["metas"] = metas
        return interpolate(**kwargs)

    app.interpolate_index = shaped


def national_geometry(model: Model) -> Callable[[], str | None]:
    """The URL of the national department geometry when the page opens on that map (the
    default view); None for a link to another level, focus or tab."""
    from views.map_figure import geojson_url

    url = geojson_url(model, "department", "")

    def first() -> str | None:
        args = request.args
        default = args.get("level", "department") == "department" and args.get("focus", "PE") in ("PE", "")
        return url if default and args.get("tab", "map") == "map" else None

    return first


def opens_on_first_map(model: Model) -> Callable[[], bool]:
    """Whether this page request opens on exactly the first map (the layout's figure): same
    language, map state and tab as the plain address. Only then does the page's HTML show the
    first map's picture: a link to another view must not show another map's colours."""
    from atlas.url import view_from_query

    first_state, _ = model.state()

    def check() -> bool:
        if not request.args:
            return True
        view, _ = view_from_query(model, "?" + request.query_string.decode("utf-8", "replace")[:4096])
        return view.lang == DEFAULT_LANG and view.map == first_state and view.tab == "map"

    return check


def flask_server() -> Flask:
    """Answers are compressed as they go with brotli at quality 5 where the browser takes it
    (flask-compress's default order prefers zstd level 3): a page's callback answers and
    layout are 14 % smaller (43 -> 38 KB) for about 4 ms more per page. The static files
    are compressed once at quality 11 (`compress_static`)."""
    server = Flask(__name__)
    server.config.update(COMPRESS_ALGORITHM=["br", "zstd", "gzip", "deflate"], COMPRESS_BR_LEVEL=5)
    # large bodies compressed once, kept by their digest (CompressedBodies)
    server.config.update(COMPRESS_CACHE_BACKEND=CompressedBodies, COMPRESS_CACHE_KEY=CompressedBodies.key)
    return server


@functools.cache
def bundle_version() -> str:
    """The bundle entry's version in its address, so a rebuilt bundle is a new address."""
    return hashlib.sha256(PLOTLY_BUNDLE.read_bytes()).hexdigest()[:10]


def bundle_url() -> str:
    return f"/vendor/plotly-map.mjs?v={bundle_version()}"


def static_cache(settings: Settings) -> Path:
    """Where the best-compressed static bodies are kept: beside the start-up snapshot."""
    return warm.cache_dir(settings.cache_dir).parent / "static"


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings()
    data_dir = settings.data()
    # the job store is checked before anything else: a planted or shared one stops the start
    jobs = job_manager(settings)
    travel_cache = settings.cache_dir / "travel" if settings.cache_dir else None
    catalog, model = warm.start(data_dir, settings.cache_dir, travel_cache)
    has_bundle = PLOTLY_BUNDLE.exists()  # without it (never built) Dash's own plotly.js is used
    app = dash.Dash(
        __name__,
        server=flask_server(),
        title="Cobertura",
        assets_folder=str(ASSETS),
        assets_ignore=r".*\.(br|gz|json)$",
        serve_locally=True,
        compress=True,
        external_scripts=[{"src": bundle_url(), "type": "module"}] if has_bundle else [],
        update_title=None,
        suppress_callback_exceptions=True,  # the gaps tab is rendered when first opened
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        on_error=on_callback_error,
        background_callback_manager=jobs,
    )
    # after flask-compress's hook, so it runs just before it (Flask runs them last first)
    app.server.after_request(CompressedBodies.note_body)
    app.cobertura_settings = settings
    app.cobertura_jobs = jobs
    app.server.config["MAX_CONTENT_LENGTH"] = int(settings.max_content_mb * 1024 * 1024)
    add_security_headers(app)
    close_debug_routes(app, settings.debug)
    if catalog.fatal:
        app.layout = fatal_layout(catalog)
        register_static_routes(app, None)
        return app
    share_memo(model, settings, data_dir)
    shape_index(
        app,
        national_geometry(model),
        lambda: first_paint(model, app.config.requests_pathname_prefix),
        opens_on_first_map(model),
    )
    app.layout = lambda: build_layout(model, prefix=app.config.requests_pathname_prefix)
    serve_layout_once(app, settings.debug)
    store = BrotliStore(static_cache(settings))
    compress_static(app, store)
    register_static_routes(app, model, store)
    app.cobertura_static = store  # for tests and benchmarks
    for module in (
        text_callbacks,
        url_callbacks,
        map_callbacks,
        profile_callbacks,
        sources_callbacks,
        gap_callbacks,
        left_out_callbacks,
        plan_callbacks,
        scenario_callbacks,
        brief_callbacks,
        upload_callbacks,
        safety_callbacks,
        user_units_callbacks,
    ):
        module.register(app, model)
    app.cobertura_model = model  # for tests and benchmarks
    prime(app)
    return app


def prime(app: dash.Dash) -> None:
    """Let Dash finish its one-time set-up before the first real request. Dash runs it on the
    first request and marks it done before it has registered the script paths, so the other
    requests of a page arriving meanwhile at a fresh worker got 404 for React and the
    components (a blank page). One request through the test client does it here, at start."""
    app.server.test_client().get("/healthz")


def release_free_memory() -> None:
    """Give the memory freed while loading back to the system before gunicorn forks its
    workers (--preload): every page the server still holds at the fork is counted in each
    worker's RSS. glibc keeps freed heap pages (about 10 MB after reading the snapshot)
    until asked; elsewhere this does nothing."""
    import gc

    gc.collect()
    trim_heap()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    try:
        app = create_app(settings)
    except JobStoreError as err:
        raise SystemExit(f"Cobertura no puede iniciar / cannot start: {err}") from None
    release_free_memory()
    app.run(host="127.0.0.1", port=settings.port, debug=settings.debug, request_handler=QuietRequestHandler)
else:
    app = None  # built on first access to `server` (gunicorn "app:server"), not at import


def __getattr__(name: str):
    """`app:server` for gunicorn and `app:celery_app` for the Celery worker
    (`celery -A app:celery_app worker`, with COBERTURA_REDIS_URL set), without building the
    app at import time in tests."""
    if name in ("server", "celery_app"):
        global app
        if app is None:
            app = create_app()
            release_free_memory()
        if name == "server":
            return app.server
        if not app.cobertura_settings.redis_url:
            raise AttributeError("celery_app needs COBERTURA_REDIS_URL")
        return app.cobertura_jobs.handle
    raise AttributeError(name)
