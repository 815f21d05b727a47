"""What the first page ships: no @babel/polyfill, the runtime it was needed for, and the
first map's geometry preloaded with the page (only when the page opens on that map)."""

import re


def page(app, query: str = "") -> str:
    return app.server.test_client().get("/" + query).data.decode()


def test_the_polyfill_is_replaced_by_the_regenerator_runtime(app):
    html = page(app)
    assert "polyfill@" not in html
    runtime = re.search(r'<script src="(/assets/vendor/regenerator-runtime\.min\.js[^"]*)"', html)
    assert runtime, "regenerator-runtime is not in the page"
    renderer = html.index("dash_renderer")
    assert html.index("regenerator-runtime") < renderer  # defined before Dash's bundles run
    body = app.server.test_client().get(runtime.group(1)).data
    assert b"regeneratorRuntime" in body and len(body) < 10_000


def test_the_national_geometry_is_preloaded_only_for_the_national_department_map(app):
    version = app.cobertura_model.geo_version
    link = f'<link rel="preload" href="/geo/department-pe.json?v={version}" as="fetch" crossorigin="anonymous">'
    assert link in page(app)
    assert link in page(app, "?metric=rural_share")
    for other in ("?level=district", "?focus=16", "?tab=gaps"):
        assert "rel=\"preload\"" not in page(app, other), other
    assert app.server.test_client().get(f"/geo/department-pe.json?v={version}").status_code == 200
