"""Wiring of the brief download (PDF) and the map PNG: builds through views/ and reports/.
"""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update

from atlas.gaps import compute, gap_state
from atlas.i18n import safe_lang, t
from atlas.model import Model
from atlas.plan import scenario_from
from reports.brief import ExportError
from reports.brief_content import brief_link
from reports.registry import send
from views import ids
from views.gaps import gap_figure


def register(app, model: Model) -> None:
    if model.coverage is None:
        return

    public_url = getattr(app, "cobertura_settings", None) and app.cobertura_settings.public_url

    @app.callback(
        Output(ids.BRIEF_DOWNLOAD, "data"),
        Output(ids.BRIEF_NOTICE, "children"),
        Input(ids.BRIEF_PDF, "n_clicks"),
        Input(ids.BRIEF_PNG, "n_clicks"),
        *ids.gap_controls(State),
        State(ids.SCENARIO, "data"),
        State(ids.LANG, "value"),
        background=True,  # rendered off the request threads, a few at once (atlas.jobs)
        interval=500,
        progress=[Output(ids.BRIEF_PROGRESS, "value"), Output(ids.BRIEF_PROGRESS, "label")],
        running=[
            (Output(ids.BRIEF_PDF, "disabled"), True, False),
            (Output(ids.BRIEF_PNG, "disabled"), True, False),
            (Output(ids.BRIEF_PROGRESS, "style"), {"display": "flex"}, {"display": "none"}),
        ],
        prevent_initial_call=True,
    )
    def download(set_progress, pdf_clicks, png_clicks, service, km, level, focus, colour, weights, measure, hours,
                 scenario_data, lang):
        lang = safe_lang(lang)

        def progress(percent: int, key: str) -> None:
            set_progress((percent, t(lang, key)))

        gs, _ = gap_state(model, service, km, level, focus, colour, weights, measure, hours)
        scenario, _ = scenario_from(model, scenario_data)
        computed = compute(model, gs, scenario)  # once: the map, the headline and the table share it
        figure = gap_figure(model, gs, scenario, lang, computed)
        view = {"model": model, "gs": gs, "scenario": scenario, "lang": lang, "figure": figure}
        if ctx.triggered_id == ids.BRIEF_PNG:
            progress(30, "brief.step.map")
            try:
                return send("map_png", **view)[0], None
            except ExportError as err:
                return no_update, t(lang, err.key)
        link = brief_link(public_url, lang, gs, scenario)
        pdf, problem = send("brief_pdf", **view, link=link, progress=progress, computed=computed)
        return pdf, t(lang, problem) if problem else None
