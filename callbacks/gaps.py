"""Wiring of the Brechas / Gaps tab: render, update, CSV/XLSX downloads.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, dcc, no_update

from atlas.gaps import compute, gap_state, state_from_record
from atlas.hours import threshold_tag
from atlas.i18n import safe_lang
from atlas.model import Model
from atlas.plan import scenario_from
from reports.gaps import export_csv, export_name, export_xlsx, scenario_xlsx
from reports.tables import csv_text, safe_cell, xlsx_bytes  # noqa: F401  (safe_cell: part of this module's API)
from views import ids
from views.gaps import gap_update, gaps_tab
from views.hours import threshold_styles, with_hours_notice


def register(app, model: Model) -> None:
    @app.callback(
        Output(ids.GAP_CONTAINER, "children"),
        Output(ids.GAP_RENDERED, "data"),
        Output(ids.GAP_DRAWN, "data", allow_duplicate=True),
        Input(ids.TABS, "active_tab"),
        Input(ids.LANG, "value"),
        State(ids.GAP_RENDERED, "data"),
        State(ids.GAP_DRAWN, "data"),
        State(ids.SCENARIO_SEED, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def render_gaps(active_tab, lang, rendered, drawn, seed):
        lang = safe_lang(lang)
        if active_tab != "gaps" or rendered == lang:
            return no_update, no_update, no_update
        # on a language switch, keep the scenario on screen; on first opening, the URL's
        current = drawn.get("plan") if isinstance(drawn, dict) and "plan" in drawn else seed
        scenario, _ = scenario_from(model, current)
        return gaps_tab(model, lang, state_from_record(model, drawn), scenario), lang, None

    if model.coverage is None:
        return

    @app.callback(
        Output(ids.GAP_MAP, "figure"),
        Output(ids.GAP_DRAWN, "data"),
        Output(ids.GAP_HEADLINE, "children"),
        Output(ids.GAP_CAVEATS, "children"),
        Output(ids.GAP_TABLE, "data"),
        Output(ids.GAP_TABLE, "page_count"),
        Output(ids.GAP_TABLE, "columns"),
        Output(ids.PLAN_UNITS, "children"),
        Output(ids.PLAN_SUMMARY, "children"),
        Input(ids.GAP_SERVICE, "value"),
        Input(ids.GAP_KM, "value"),
        Input(ids.GAP_LEVEL, "value"),
        Input(ids.GAP_FOCUS, "value"),
        Input(ids.GAP_COLOUR, "value"),
        Input({"type": ids.GAP_WEIGHT, "component": ALL}, "value"),
        Input(ids.GAP_MEASURE, "value"),
        Input(ids.GAP_HOURS, "value"),
        Input(ids.GAP_TABLE, "page_current"),
        Input(ids.GAP_TABLE, "sort_by"),
        Input(ids.SCENARIO, "data"),
        State(ids.LANG, "value"),  # a language change re-renders the tab, which fires this
        State(ids.GAP_DRAWN, "data"),
    )
    def update_gaps(service, km, level, focus, colour, weights, measure, hours, page, sort_by, scenario_data, lang,
                    drawn):
        gs, _ = gap_state(model, service, km, level, focus, colour, weights, measure, hours)
        scenario, _ = scenario_from(model, scenario_data)
        out = gap_update(
            model, gs, drawn, page, sort_by, safe_lang(lang), app.config.requests_pathname_prefix, scenario
        )
        return with_hours_notice(out, hours, safe_lang(lang))

    @app.callback(
        Output(ids.GAP_KM_BOX, "style"),
        Output(ids.GAP_HOURS_BOX, "style"),
        Input(ids.GAP_MEASURE, "value"),
    )
    def show_threshold(measure):
        return threshold_styles(measure)

    @app.callback(
        Output(ids.GAP_DOWNLOAD, "data"),
        Input(ids.GAP_EXPORT_CSV, "n_clicks"),
        Input(ids.GAP_EXPORT_XLSX, "n_clicks"),
        Input(ids.PLAN_EXPORT_XLSX, "n_clicks"),
        State(ids.GAP_SERVICE, "value"),
        State(ids.GAP_KM, "value"),
        State(ids.GAP_LEVEL, "value"),
        State(ids.GAP_FOCUS, "value"),
        State(ids.GAP_COLOUR, "value"),
        State({"type": ids.GAP_WEIGHT, "component": ALL}, "value"),
        State(ids.GAP_MEASURE, "value"),
        State(ids.GAP_HOURS, "value"),
        State(ids.SCENARIO, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def export(csv_clicks, xlsx_clicks, plan_clicks, service, km, level, focus, colour, weights, measure, hours,
               scenario_data, lang):
        gs, _ = gap_state(model, service, km, level, focus, colour, weights, measure, hours)
        scenario, _ = scenario_from(model, scenario_data)
        lang = safe_lang(lang)
        if ctx.triggered_id == ids.PLAN_EXPORT_XLSX:  # the scenario's units, with the method
            return dcc.send_bytes(scenario_xlsx(model, gs, scenario, lang), f"cobertura-escenario-{threshold_tag(gs)}.xlsx")
        view = compute(model, gs, scenario).view
        if ctx.triggered_id == ids.GAP_EXPORT_XLSX:
            return dcc.send_bytes(export_xlsx(model, gs, view, lang, scenario), export_name(model, gs, "xlsx"))
        return dcc.send_string(export_csv(model, gs, view, lang), export_name(model, gs, "csv"), type="text/csv")
