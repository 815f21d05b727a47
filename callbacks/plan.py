"""Wiring of Planificar / Plan: place search, scenario edits (atlas.plan), CSV download.
"""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update

from atlas.gaps import gap_state
from atlas.i18n import safe_lang, t
from atlas.model import Model
from atlas.plan import (
    SEARCH_LIMIT,
    area_capital,
    clicked_code,
    edit,
    message_text,
    scenario_from,
    valid_index,
)
from reports.registry import send
from views import ids
from views.plan import move_text, plannable


def register(app, model: Model) -> None:
    if not plannable(model):
        return

    @app.callback(
        Output(ids.PLAN_DOWNLOAD, "data"),
        Input(ids.PLAN_EXPORT, "n_clicks"),
        State(ids.SCENARIO, "data"),
        State(ids.GAP_KM, "value"),
        State(ids.GAP_MEASURE, "value"),
        State(ids.GAP_HOURS, "value"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def export_scenario(_, data, km, measure, hours, lang):
        lang = safe_lang(lang)
        scenario, _ = scenario_from(model, data)
        gs = gap_state(model, km=km, measure=measure, hours=hours)[0]  # the one threshold bound (analysis.limits)
        return send("scenario_csv", model=model, gs=gs, scenario=scenario, lang=lang)[0]

    app.clientside_callback(
        ClientsideFunction("cobertura", "copy_url"),  # assets/js/clientside.js: the URL holds the scenario
        Output(ids.PLAN_COPY, "content"),
        Input(ids.PLAN_COPY, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.PLAN_PLACE, "options"),
        Input(ids.PLAN_PLACE, "search_value"),
        State(ids.PLAN_PLACE, "value"),
        State(ids.GAP_FOCUS, "value"),
    )
    def place_options(search, value, focus):
        table = model.places.capitals
        if model.geo.is_focus(focus):
            table = table[table["ubigeo"].isin(model.geo.codes("district", focus))]
        options = []
        if isinstance(value, str) and value in model.places.capitals.index:
            options.append({"label": model.places.capitals.loc[value, "name"], "value": value})
        if isinstance(search, str) and len(search.strip()) >= 2:
            from layers.ubigeo import fold_name

            wanted = fold_name(search[:60])
            names = table["name"].map(fold_name)
            hits = table[names.str.contains(wanted, regex=False)].head(SEARCH_LIMIT)
            options += [{"label": n, "value": c} for c, n in hits["name"].items() if c != value]
        return options

    @app.callback(
        Output(ids.SCENARIO, "data"),
        Output(ids.PLAN_NOTICE, "children"),
        Output(ids.PLAN_MOVING, "data"),
        Output(ids.PLAN_MOVE_HINT, "is_open"),
        Output(ids.PLAN_MOVE_TEXT, "children"),
        Output(ids.PLAN_ADD, "children"),
        Input(ids.PLAN_ADD, "n_clicks"),
        Input(ids.GAP_MAP, "clickData"),
        Input({"type": ids.PLAN_REMOVE, "index": ALL}, "n_clicks"),
        Input({"type": ids.PLAN_MOVE, "index": ALL}, "n_clicks"),
        Input(ids.PLAN_MOVE_CANCEL, "n_clicks"),
        Input(ids.PLAN_SUGGEST, "n_clicks"),
        Input(ids.PLAN_CLEAR, "n_clicks"),
        Input({"type": ids.PLAN_COST, "service": ALL}, "value"),
        State({"type": ids.PLAN_COST, "service": ALL}, "id"),
        State(ids.PLAN_SERVICE, "value"),
        State(ids.PLAN_PLACE, "value"),
        State(ids.PLAN_CLICK, "value"),
        State(ids.GAP_LEVEL, "value"),
        State(ids.GAP_KM, "value"),
        State(ids.GAP_MEASURE, "value"),
        State(ids.GAP_HOURS, "value"),
        State(ids.PLAN_N, "value"),
        State(ids.PLAN_DEPARTMENTS, "value"),
        State(ids.PLAN_CANDIDATES, "value"),
        State(ids.PLAN_MIN_SIZE, "value"),
        State(ids.SCENARIO, "data"),
        State(ids.PLAN_MOVING, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def edit_scenario(
        add,
        click,
        removes,
        moves,
        cancel_move,
        suggest_clicks,
        clear,
        cost_values,
        cost_ids,
        service,
        place,
        click_mode,
        level,
        km,
        measure,
        hours,
        n,
        departments,
        candidates,
        min_size,
        data,
        moving,
        lang,
    ):
        lang = safe_lang(lang)
        scenario, _ = scenario_from(model, data)
        trigger = ctx.triggered_id
        clicked = bool(ctx.triggered and ctx.triggered[0].get("value"))  # not a re-rendered button
        moving = moving if valid_index(moving, list(scenario.units)) else None
        if isinstance(trigger, dict) and trigger.get("type") == ids.PLAN_MOVE:
            index = trigger.get("index")
            if not clicked or not valid_index(index, list(scenario.units)):
                return (no_update,) * 6
            return no_update, None, index, True, move_text(model, scenario.units[index], lang), t(lang, "plan.move_here")
        if trigger == ids.PLAN_MOVE_CANCEL:
            return no_update, None, None, False, "", t(lang, "plan.add")
        if moving is not None and trigger in (ids.PLAN_ADD, ids.GAP_MAP):
            target = place if trigger == ids.PLAN_ADD else None
            if trigger == ids.GAP_MAP:  # while moving, a click on the map places the unit
                code = clicked_code(click)
                if code is None:
                    return (no_update,) * 6
                target = area_capital(model, level, code)
            scenario, message = edit(model, scenario, "move", remove=moving, place=target)
            if message:  # stay in move mode: the user picks another place
                return no_update, message_text(lang, message), no_update, no_update, no_update, no_update
            return scenario.record(), None, None, False, "", t(lang, "plan.add")
        if trigger == ids.PLAN_ADD:
            scenario, message = edit(model, scenario, "add", service=service, place=place)
        elif trigger == ids.GAP_MAP:
            code = clicked_code(click)
            if not click_mode or code is None:
                return (no_update,) * 6
            scenario, message = edit(model, scenario, "click", service=service, place=area_capital(model, level, code))
        elif isinstance(trigger, dict) and trigger.get("type") == ids.PLAN_REMOVE:
            if not clicked:
                return (no_update,) * 6  # buttons re-rendered
            scenario, message = edit(model, scenario, "remove", remove=trigger.get("index"))
        elif trigger == ids.PLAN_SUGGEST:
            scenario, message = edit(
                model,
                scenario,
                "suggest",
                suggestion={
                    "service": service,
                    "n": n,
                    "departments": departments if isinstance(departments, list) else [],
                    "candidates": candidates,
                    "min_size": min_size,
                    "km": km if isinstance(km, (int, float)) else 50,
                    "measure": measure,
                    "hours": hours if isinstance(hours, (int, float)) else 6,
                },
            )
        elif trigger == ids.PLAN_CLEAR:
            scenario, message = edit(model, scenario, "clear")
        elif isinstance(trigger, dict) and trigger.get("type") == ids.PLAN_COST:
            costs = {i.get("service"): v for i, v in zip(cost_ids or [], cost_values or []) if isinstance(i, dict)}
            scenario, message = edit(model, scenario, "costs", costs={k: v for k, v in costs.items() if v is not None})
            # costs leave the units (and so a move in progress) as they were
            return scenario.record(), message_text(lang, message), no_update, no_update, no_update, no_update
        else:
            return (no_update,) * 6
        # units added, removed or replaced: indices shift, so a move in progress ends
        return scenario.record(), message_text(lang, message), None, False, "", t(lang, "plan.add")
