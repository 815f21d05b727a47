"""Cobertura: atlas of child-protection and anti-trafficking services in Peru.

Run: ``python app.py`` (http://127.0.0.1:8050). Production: see README (gunicorn).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask import Response, abort, request

from callbacks import brief_export as brief_callbacks
from callbacks import gaps as gap_callbacks
from callbacks import map as map_callbacks
from callbacks import plan as plan_callbacks
from callbacks import profile as profile_callbacks
from callbacks import safety as safety_callbacks
from callbacks import sources as sources_callbacks
from callbacks import texts as text_callbacks
from callbacks import trata_upload as upload_callbacks
from callbacks import url_state as url_callbacks
from callbacks import user_units as user_units_callbacks
from callbacks.layout import build_layout
from callbacks.model import Model
from layers.catalog import Catalog
from layers.datadir import DataDir

ROOT = Path(__file__).resolve().parent
ASSETS = ROOT / "assets"
PLOTLY_BUNDLE = ASSETS / "vendor" / "plotly-map.min.js.br"
log = logging.getLogger("cobertura")


def _env_megabytes(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        log.warning("%s is not a number; using %s MB", name, default)
        return default
    return value if value > 0 else default


@dataclass
class Settings:
    data_dir: Path | None = None  # default: env COBERTURA_DATA_DIR, else ../shared/data
    debug: bool = field(default_factory=lambda: os.environ.get("COBERTURA_DEBUG") == "1")
    verify_sha256: bool | None = None
    # largest request body (Flask MAX_CONTENT_LENGTH): a national MININTER / Ministerio
    # Público file is tens of MB and travels as base64 (x 4/3). The 5 MB limit of a services
    # registry is the upload validator's (and the browser's), not this one.
    max_content_mb: float = field(default_factory=lambda: _env_megabytes("COBERTURA_MAX_CONTENT_MB", 80))


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
            "worker-src blob:",  # MapLibre starts its worker from a blob: URL
            f"connect-src 'self' {tiles}",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def add_security_headers(app: dash.Dash) -> None:
    """Headers on every response. The policy is built at the first response, after every
    callback (and so every inline clientside script) is registered."""
    policy: dict[str, str] = {}

    @app.server.after_request
    def security_headers(response: Response) -> Response:
        if "csp" not in policy:
            policy["csp"] = content_security_policy(app)
        headers = response.headers
        headers["Content-Security-Policy"] = policy["csp"]
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

    @app.server.errorhandler(500)
    def internal_error(_err):  # the traceback is in the server log, never in the response
        return Response("Error interno del servidor / Internal server error\n", status=500, mimetype="text/plain")


class Precompressed:
    """A static body kept compressed in memory, served as br or gzip as the client accepts."""

    def __init__(self, body: bytes | None = None, brotli_body: bytes | None = None):
        if brotli_body is not None:
            import brotli

            self.br = brotli_body
            body = brotli.decompress(brotli_body)
        else:
            self.br = None
        self.raw = body
        self.gz = gzip.compress(body, compresslevel=9, mtime=0)
        self.etag = hashlib.sha256(body).hexdigest()[:16]

    def response(self, mimetype: str) -> Response:
        if request.if_none_match and self.etag in request.if_none_match:
            return Response(status=304)
        accepts = request.headers.get("Accept-Encoding", "")
        if self.br is not None and "br" in accepts:
            resp = Response(self.br, mimetype=mimetype)
            resp.headers["Content-Encoding"] = "br"
        elif "gzip" in accepts:
            resp = Response(self.gz, mimetype=mimetype)
            resp.headers["Content-Encoding"] = "gzip"
        else:
            resp = Response(self.raw, mimetype=mimetype)
        resp.headers["Vary"] = "Accept-Encoding"
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        resp.set_etag(self.etag)
        return resp


def register_static_routes(app: dash.Dash, model: Model | None) -> None:
    server = app.server
    bundle = Precompressed(brotli_body=PLOTLY_BUNDLE.read_bytes()) if PLOTLY_BUNDLE.exists() else None
    geo_cache: dict[str, Precompressed] = {}

    @server.route("/vendor/plotly-map.min.js")
    def plotly_bundle():
        if bundle is None:
            abort(404)
        return bundle.response("application/javascript")

    @server.route("/geo/<name>.json")
    def geometry(name: str):
        if model is None:
            abort(404)
        if name not in geo_cache:
            body = model.geometry(name)
            if body is None:
                abort(404)
            geo_cache[name] = Precompressed(body)
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
                    html.P(f"COBERTURA_DATA_DIR = {catalog.data_dir.root}"),
                ],
                color="danger",
            ),
        ],
        className="pt-4",
    )


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings()
    data_dir = DataDir(settings.data_dir, verify=settings.verify_sha256)
    catalog = Catalog.load(data_dir)
    has_bundle = PLOTLY_BUNDLE.exists()
    app = dash.Dash(
        __name__,
        title="Cobertura",
        assets_folder=str(ASSETS),
        assets_ignore=r".*\.(br|gz|json)$",
        serve_locally=True,
        compress=True,
        external_scripts=[{"src": "/vendor/plotly-map.min.js"}] if has_bundle else [],
        update_title=None,
        suppress_callback_exceptions=True,  # the gaps tab is rendered when first opened
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        on_error=safety_callbacks.on_callback_error,
    )
    app.server.config["MAX_CONTENT_LENGTH"] = int(settings.max_content_mb * 1024 * 1024)
    add_security_headers(app)
    if catalog.fatal:
        app.layout = fatal_layout(catalog)
        register_static_routes(app, None)
        return app
    model = Model(catalog)
    app.layout = lambda: build_layout(model)
    register_static_routes(app, model)
    for module in (
        text_callbacks,
        url_callbacks,
        map_callbacks,
        profile_callbacks,
        sources_callbacks,
        gap_callbacks,
        plan_callbacks,
        brief_callbacks,
        upload_callbacks,
        safety_callbacks,
        user_units_callbacks,
    ):
        module.register(app, model)
    app.cobertura_model = model  # for tests and benchmarks
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    app = create_app(settings)
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=settings.debug)
else:
    app = None  # built on first access to `server` (gunicorn "app:server"), not at import


def __getattr__(name: str):
    """`app:server` for gunicorn without building the app at import time in tests."""
    if name == "server":
        global app
        if app is None:
            app = create_app()
        return app.server
    raise AttributeError(name)
