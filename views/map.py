"""The map: one callback decides between a whole new figure and a small Patch.

The browser keeps, in `map-drawn`, what the figure on screen was drawn for. A change of
level, focus or language needs new geometry/hover data, so the whole figure is sent
(geometry itself is only a URL the browser caches). A change of metric, year, services or
basemap is a `dash.Patch` of a few fields: colours, visibility, style.
"""

from __future__ import annotations

from dash import html, no_update

from atlas.i18n import fmt_number, pick, t
from atlas.model import MapState, Model
from ingest.registry import USER_SERVICE
from layers.base import FLAG_ESTIMATE
from views.map_figure import basemap_patch, build_figure, metric_patch, services_patch
from views.user_figure import user_legend_item

FULL = "full"


def plan_update(drawn: object, state: MapState, lang: str) -> str | set[str]:
    """What must change on screen: FULL, or a set of patch kinds (possibly empty)."""
    if not isinstance(drawn, dict):
        return FULL
    if (drawn.get("level"), drawn.get("focus"), drawn.get("lang")) != (state.level, state.focus, lang):
        return FULL
    kinds: set[str] = set()
    if (drawn.get("metric"), drawn.get("year")) != (state.metric, state.year):
        kinds.add("metric")
    if tuple(drawn.get("services") or ()) != state.services:
        kinds.add("services")
    if bool(drawn.get("basemap")) != state.basemap:
        kinds.add("basemap")
    return kinds


def loaded_services(drawn: object) -> frozenset[str]:
    """The services whose points the figure on screen holds (see `drawn_record`); anything
    malformed counts as none (their points are sent again)."""
    loaded = drawn.get("loaded") if isinstance(drawn, dict) else None
    if not isinstance(loaded, list):
        return frozenset()
    return frozenset(s for s in loaded[:64] if isinstance(s, str))


def drawn_record(state: MapState, lang: str, loaded: set[str] | frozenset[str] | None = None) -> dict:
    """What the figure on screen was drawn for; `loaded`: the services whose points it holds
    (a whole figure holds those shown)."""
    return {
        "loaded": sorted(set(state.services) if loaded is None else loaded),
        "level": state.level,
        "focus": state.focus,
        "lang": lang,
        "metric": state.metric,
        "year": state.year,
        "services": list(state.services),
        "basemap": state.basemap,
    }


def map_update(model: Model, drawn: object, state: MapState, lang: str, prefix: str = "/", user=None):
    """Figure (dict) or Patch for the new state; second value: the new drawn record.
    `user`: series the user imported in the browser (checked), or None."""
    plan = plan_update(drawn, state, lang)
    if plan == FULL:
        return build_figure(model, state, lang, prefix, user=user), drawn_record(state, lang)
    loaded = loaded_services(drawn) | set(state.services)
    patch = None
    if "metric" in plan:
        patch = metric_patch(model, state, lang, user=user)
    if "services" in plan:
        patch = services_patch(model, state, patch, lang, loaded_services(drawn))
    if "basemap" in plan:
        patch = basemap_patch(state, patch)
    if patch is None:
        return no_update, no_update
    return patch, drawn_record(state, lang, loaded)


def caption(model: Model, state: MapState, lang: str, user=None):
    layer, metric = model.lookup(state.metric, user)
    prov = layer.provenance
    values = model.area_values(state.metric, state.level, state.year, model.area_table(state.level, state.focus).index, user)
    known = int(values["value"].notna().sum())
    total = len(values)
    parts = [
        html.Span(f"{pick(metric.title, lang)} {state.year}", className="caption-title"),
        f" · {pick(metric.unit, lang)}",
    ]
    if pick(metric.note, lang):
        parts.append(f" · {pick(metric.note, lang)}")
    lines = [html.Div(parts)]
    if state.level not in metric.levels:
        lines.append(
            html.Div(
                t(lang, "caption.not_at_level", levels=", ".join(t(lang, f"level.{lv}") for lv in metric.levels)),
                className="text-danger",
            )
        )
    if state.level in metric.levels and (values["flag"] == FLAG_ESTIMATE).any():
        lines.append(html.Div(t(lang, "caption.estimate"), className="caption-estimate"))
    if user is not None and state.metric in user.metrics:
        lines.append(html.Div(t(lang, "caption.imported"), className="caption-imported"))
    lines.append(
        html.Div(
            [
                t(lang, "caption.source"),
                " ",
                html.A(pick(prov.source, lang), href=prov.url, target="_blank", rel="noopener")
                if prov.url.startswith("http")
                else pick(prov.source, lang),
                f" ({prov.year}) · {t(lang, 'caption.licence')} {pick(prov.licence, lang)} · ",
                f"{t(lang, 'caption.source_level')} {pick(prov.level, lang)} · ",
                t(lang, "caption.coverage", known=fmt_number(known, 0, lang), total=fmt_number(total, 0, lang)),
            ]
        )
    )
    return lines


def service_legend(model: Model, state: MapState, lang: str):
    items = [html.Span([html.Span(className="swatch swatch-nodata"), t(lang, "value.no_data")])]
    for layer in model.service_layers:
        if layer.id not in state.services:
            continue
        if layer.kind == "counts":
            items.append(
                html.Span(
                    [html.Span(className="swatch swatch-counts", style={"--swatch": layer.color}), t(lang, "legend.care")]
                )
            )
            continue
        statuses = model.points.loc[model.points["service"] == layer.id, "status"].unique()
        marks = [html.Span(className="swatch", style={"--swatch": layer.color}), pick(layer.short, lang)]
        if len(statuses) > 1 or "verified" not in statuses:
            for status in ("verified", "weak", "claim"):
                if status in statuses:
                    marks += [
                        " ",
                        html.Span(className=f"swatch swatch-{status}", style={"--swatch": layer.color}),
                        t(lang, f"status.{status}"),
                    ]
        items.append(html.Span(marks))
    if USER_SERVICE in state.services:
        items.append(user_legend_item(lang))
    return items
