"""Wiring of who is left out on the Brechas tab: the named list (search, sort, pages,
download), the most loaded units and the equity chart. They follow the gap view through its
drawn record (`GAP_DRAWN`), validated again here, so every choice of the view (service,
threshold, focus, scenario, and later measures) reaches them the same way.
"""

from __future__ import annotations

from dash import Input, Output, State, ctx, dcc, no_update

from atlas import left_out
from atlas.gaps import state_from_record
from atlas.i18n import safe_lang
from atlas.model import Model
from atlas.plan import scenario_from
from atlas.validate import search_text
from reports.left_out import places_csv, places_name, places_xlsx
from views import ids
from views.left_out import (
    equity_figure,
    equity_text,
    load_columns,
    load_note,
    load_rows,
    place_columns,
    places_update,
)


def view_of(model: Model, drawn: object):
    """(GapState, Reach) of the drawn record, both validated."""
    gs = state_from_record(model, drawn)
    scenario, _ = scenario_from(
        model, drawn.get("plan") if isinstance(drawn, dict) else None
    )
    return gs, left_out.reach_for(model, gs, scenario)


def register(app, model: Model) -> None:
    if model.coverage is None:
        return

    @app.callback(
        Output(ids.LO_PLACES_TABLE, "data"),
        Output(ids.LO_PLACES_TABLE, "page_count"),
        Output(ids.LO_PLACES_TABLE, "columns"),
        Output(ids.LO_PLACES_SUMMARY, "children"),
        Input(ids.GAP_DRAWN, "data"),
        Input(ids.LO_PLACES_SEARCH, "value"),
        Input(ids.LO_PLACES_TABLE, "page_current"),
        Input(ids.LO_PLACES_TABLE, "sort_by"),
        State(ids.LANG, "value"),
    )
    def update_places(drawn, search, page, sort_by, lang):
        lang = safe_lang(lang)
        if drawn is None:
            return no_update, no_update, no_update, no_update
        gs, reach = view_of(model, drawn)
        search, _ = search_text(search)
        rows, pages, summary = places_update(
            model, gs, reach, search, page, sort_by, lang
        )
        return rows, pages, place_columns(lang, reach.unit), summary

    @app.callback(
        Output(ids.LO_LOADS_TABLE, "data"),
        Output(ids.LO_LOADS_TABLE, "columns"),
        Output(ids.LO_LOADS_NOTE, "children"),
        Output(ids.LO_EQUITY_GRAPH, "figure"),
        Output(ids.LO_EQUITY_TEXT, "children"),
        Input(ids.GAP_DRAWN, "data"),
        State(ids.LANG, "value"),
    )
    def update_load_and_equity(drawn, lang):
        lang = safe_lang(lang)
        if drawn is None:
            return (no_update,) * 5
        gs, reach = view_of(model, drawn)
        found = left_out.equity(model, gs, reach)
        return (
            load_rows(model, gs, lang),
            load_columns(lang),
            load_note(model, gs, lang),
            equity_figure(found, lang),
            equity_text(model, gs, found, lang),
        )

    @app.callback(
        Output(ids.LO_PLACES_DOWNLOAD, "data"),
        Input(ids.LO_PLACES_CSV, "n_clicks"),
        Input(ids.LO_PLACES_XLSX, "n_clicks"),
        State(ids.GAP_DRAWN, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def download_places(csv_clicks, xlsx_clicks, drawn, lang):
        lang = safe_lang(lang)
        gs, reach = view_of(model, drawn)
        table = left_out.named_places(model, gs, reach)
        if table is None:
            return no_update
        if ctx.triggered_id == ids.LO_PLACES_XLSX:
            return dcc.send_bytes(
                places_xlsx(model, gs, table, lang, reach.unit), places_name(gs, "xlsx")
            )
        return dcc.send_string(
            places_csv(table, lang, reach.unit), places_name(gs, "csv"), type="text/csv"
        )
