"""Wiring of the Brechas / Gaps tab: render, update, CSV/XLSX downloads.
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, no_update

from atlas.gaps import gap_state, scenario_record, state_from_record
from atlas.i18n import safe_lang
from atlas.model import Model
from atlas.plan import scenario_from
from reports.registry import send
from views import ids
from views.gaps import gap_update, gaps_tab
from views.hours import threshold_styles, with_hours_notice


def register(app, model: Model) -> None:
    # the tab's tables need Dash's DataTable code, left out of the first page (app.shape_index):
    # it is loaded when the tab first opens, and the tab is rendered once it is there
    app.clientside_callback(
        ClientsideFunction("cobertura", "load_table"),  # assets/js/clientside.js
        Output(ids.TABLE_LIB, "data"),
        Input(ids.TABS, "active_tab"),
    )

    @app.callback(
        Output(ids.GAP_CONTAINER, "children"),
        Output(ids.GAP_RENDERED, "data"),
        Output(ids.GAP_DRAWN, "data", allow_duplicate=True),
        Input(ids.TABLE_LIB, "data"),
        Input(ids.LANG, "value"),
        State(ids.TABS, "active_tab"),
        State(ids.GAP_RENDERED, "data"),
        State(ids.GAP_DRAWN, "data"),
        State(ids.SCENARIO_SEED, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def render_gaps(_table_lib, lang, active_tab, rendered, drawn, seed):
        lang = safe_lang(lang)
        if active_tab != "gaps" or rendered == lang:
            return no_update, no_update, no_update
        # on a language switch, keep the scenario on screen; on first opening, the URL's
        scenario, _ = scenario_from(model, scenario_record(drawn, seed))
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
        *ids.gap_controls(Input),
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
        *ids.gap_controls(State),
        State(ids.SCENARIO, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def export(csv_clicks, xlsx_clicks, plan_clicks, service, km, level, focus, colour, weights, measure, hours,
               scenario_data, lang):
        gs, _ = gap_state(model, service, km, level, focus, colour, weights, measure, hours)
        scenario, _ = scenario_from(model, scenario_data)
        name = {ids.PLAN_EXPORT_XLSX: "scenario_xlsx", ids.GAP_EXPORT_XLSX: "gaps_xlsx"}.get(ctx.triggered_id, "gaps_csv")
        return send(name, model=model, gs=gs, scenario=scenario, lang=safe_lang(lang))[0]
