"""Wiring of the named scenarios, their comparison, the difference map, the comparison
exports and the budget proposal: parses through atlas/, builds through views/ and reports/.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, no_update

from atlas.compare import comparison, difference, pick_scenario
from atlas.gaps import gap_state
from atlas.hours import fmt_threshold_hours
from atlas.i18n import fmt_number, safe_lang, t
from atlas.model import Model
from atlas.plan import message_text, scenario_from
from atlas.scenarios import (
    BASELINE,
    by_slot,
    difference_pair,
    edit,
    records,
    save_new,
    scenarios_from,
)
from atlas.spend import propose
from reports.registry import send
from views import ids
from views.compare import (
    budget_message,
    comparison_note,
    comparison_table,
    difference_figure,
    slot_options,
)
from views.gaps import gap_figure

ACTIONS = {
    ids.SCN_SAVE: "save",
    ids.SCN_OPEN: "open",
    ids.SCN_UPDATE: "update",
    ids.SCN_RENAME: "rename",
    ids.SCN_DUPLICATE: "duplicate",
    ids.SCN_DELETE: "delete",
}
COMPARED = (  # what a comparison is made of: the saved scenarios and the gaps view's choices
    Input(ids.SCENARIOS, "data"),
    Input(ids.GAP_SERVICE, "value"),
    Input(ids.GAP_KM, "value"),
    Input(ids.GAP_FOCUS, "value"),
    Input(ids.GAP_MEASURE, "value"),
    Input(ids.GAP_HOURS, "value"),
)
GAP_STATES = (
    State(ids.GAP_SERVICE, "value"),
    State(ids.GAP_KM, "value"),
    State(ids.GAP_LEVEL, "value"),
    State(ids.GAP_FOCUS, "value"),
    State(ids.GAP_MEASURE, "value"),
    State(ids.GAP_HOURS, "value"),
)


def register(app, model: Model) -> None:
    if model.coverage is None:
        return

    @app.callback(
        Output(ids.SCENARIOS, "data", allow_duplicate=True),
        Output(ids.SCENARIO, "data", allow_duplicate=True),
        Output(ids.SCN_NOTICE, "children"),
        Output(ids.SCN_PICK, "value"),
        *(Input(button, "n_clicks") for button in ACTIONS),
        State(ids.SCN_NAME, "value"),
        State(ids.SCN_PICK, "value"),
        State(ids.SCENARIO, "data"),
        State(ids.SCENARIOS, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def manage(
        save,
        open_,
        update,
        rename,
        duplicate,
        delete,
        name,
        slot,
        current,
        stored,
        lang,
    ):
        lang = safe_lang(lang)
        action = ACTIONS.get(ctx.triggered_id)
        if action is None or not (ctx.triggered and ctx.triggered[0].get("value")):
            return (no_update,) * 4
        saved, _ = scenarios_from(model, stored)
        plan, _ = scenario_from(model, current)
        after, message, opened = edit(saved, action, slot=slot, name=name, current=plan)
        new_slots = [n.slot for n in after if by_slot(saved, n.slot) is None]
        picked = new_slots[0] if new_slots else (slot if by_slot(after, slot) else None)
        text = message_text(lang, message)
        if (
            text
            and picked
            and message
            in ("scenarios.msg.saved", "scenarios.msg.updated", "scenarios.msg.opened")
        ):
            text = f"{text} ({picked})"
        return (
            records(after) if after != saved else no_update,
            opened.record() if opened is not None else no_update,
            text,
            picked,
        )

    @app.callback(
        Output(ids.SCN_PICK, "options"),
        Output(ids.CMP_A, "options"),
        Output(ids.CMP_B, "options"),
        Output(ids.CMP_A, "value"),
        Output(ids.CMP_B, "value"),
        Input(ids.SCENARIOS, "data"),
        Input(ids.LANG, "value"),
        State(ids.CMP_A, "value"),
        State(ids.CMP_B, "value"),
        State(ids.CMP_B, "options"),
    )
    def slot_choices(stored, lang, a, b, before):
        lang = safe_lang(lang)
        saved, _ = scenarios_from(model, stored)
        shown = (
            [o.get("value") for o in before if isinstance(o, dict)]
            if isinstance(before, list)
            else []
        )
        a, b = difference_pair([n.slot for n in saved], shown, a, b)
        both = slot_options(saved, lang, baseline=True)
        return slot_options(saved, lang), both, both, a, b

    @app.callback(
        Output(ids.CMP_TABLE, "children"),
        Output(ids.CMP_NOTE, "children"),
        *COMPARED,
        State(ids.LANG, "value"),
    )
    def compare_table(stored, service, km, focus, measure, hours, lang):
        lang = safe_lang(lang)
        gs, _ = gap_state(model, service, km, None, focus, None, None, measure, hours)
        saved, _ = scenarios_from(model, stored)
        rows = comparison(model, gs, saved, t(lang, "compare.baseline"))
        return comparison_table(model, gs, rows, lang), comparison_note(gs, lang)

    @app.callback(
        Output(ids.CMP_MAP, "figure"),
        *COMPARED,
        Input(ids.GAP_LEVEL, "value"),
        Input(ids.CMP_A, "value"),
        Input(ids.CMP_B, "value"),
        State(ids.LANG, "value"),
    )
    def difference_map(stored, service, km, focus, measure, hours, level, a, b, lang):
        lang = safe_lang(lang)
        gs, _ = gap_state(model, service, km, level, focus, None, None, measure, hours)
        saved, _ = scenarios_from(model, stored)
        first, second = pick_scenario(saved, a), pick_scenario(saved, b)
        if first is None or second is None:
            first, second = (
                pick_scenario(saved, BASELINE),
                pick_scenario(saved, BASELINE),
            )
        names = tuple(
            t(lang, "compare.baseline") if n == BASELINE else n
            for n, _ in (first, second)
        )
        frame = difference(model, gs, first[1], second[1])
        return difference_figure(
            model, gs, frame, names, lang, app.config.requests_pathname_prefix
        )

    @app.callback(
        Output(ids.CMP_DOWNLOAD, "data"),
        Input(ids.CMP_CSV, "n_clicks"),
        Input(ids.CMP_XLSX, "n_clicks"),
        State(ids.SCENARIOS, "data"),
        *GAP_STATES,
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def export(
        csv_clicks, xlsx_clicks, stored, service, km, level, focus, measure, hours, lang
    ):
        lang = safe_lang(lang)
        gs, _ = gap_state(model, service, km, level, focus, None, None, measure, hours)
        saved, _ = scenarios_from(model, stored)
        rows = comparison(model, gs, saved, t(lang, "compare.baseline"))
        name = "compare_xlsx" if ctx.triggered_id == ids.CMP_XLSX else "compare_csv"
        return send(name, model=model, gs=gs, rows=rows, lang=lang)[0]

    @app.callback(
        Output(ids.CMP_PDF_DOWNLOAD, "data"),
        Output(ids.CMP_NOTICE, "children"),
        Input(ids.CMP_PDF, "n_clicks"),
        State(ids.SCENARIOS, "data"),
        State(ids.CMP_A, "value"),
        State(ids.CMP_B, "value"),
        *GAP_STATES,
        State(ids.LANG, "value"),
        background=True,  # two maps drawn off the request threads, a few at once (atlas.jobs)
        interval=500,
        running=[(Output(ids.CMP_PDF, "disabled"), True, False)],
        prevent_initial_call=True,
    )
    def brief(n_clicks, stored, a, b, service, km, level, focus, measure, hours, lang):
        lang = safe_lang(lang)
        if not n_clicks:
            return no_update, no_update
        gs, _ = gap_state(model, service, km, level, focus, None, None, measure, hours)
        saved, _ = scenarios_from(model, stored)
        chosen = [
            x
            for x in (pick_scenario(saved, a), pick_scenario(saved, b))
            if x is not None
        ]
        if len(chosen) < 2 or a == b:
            return no_update, t(lang, "compare.msg.pick_two")
        rows = comparison(model, gs, saved, t(lang, "compare.baseline"))
        named = [
            (t(lang, "compare.baseline") if n == BASELINE else n, s) for n, s in chosen
        ]
        figures = [
            gap_figure(model, gs, scenario, lang) for _, scenario in named
        ]  # coloured by % beyond
        data, problem = send(
            "compare_pdf",
            model=model,
            gs=gs,
            chosen=named,
            rows=rows,
            slots=[a, b],
            lang=lang,
            figures=figures,
        )
        return data, (t(lang, problem) if problem else None)

    @app.callback(
        Output(ids.SCENARIOS, "data", allow_duplicate=True),
        Output(ids.BUDGET_NOTICE, "children"),
        Input(ids.BUDGET_RUN, "n_clicks"),
        State(ids.BUDGET_TOTAL, "value"),
        State(ids.BUDGET_GOAL, "value"),
        State(ids.BUDGET_DEPARTMENTS, "value"),
        State(ids.GAP_KM, "value"),
        State(ids.GAP_MEASURE, "value"),
        State(ids.GAP_HOURS, "value"),
        State(
            {"type": ids.PLAN_COST, "service": ALL}, "value"
        ),  # the Plan panel's unit costs
        State({"type": ids.PLAN_COST, "service": ALL}, "id"),
        State(ids.SCENARIOS, "data"),
        State(ids.LANG, "value"),
        background=True,  # bounded (atlas.spend), and off the request threads
        interval=500,
        running=[(Output(ids.BUDGET_RUN, "disabled"), True, False)],
        prevent_initial_call=True,
    )
    def spend(
        n_clicks,
        budget,
        goal,
        departments,
        km,
        measure,
        hours,
        cost_values,
        cost_ids,
        stored,
        lang,
    ):
        lang = safe_lang(lang)
        if not n_clicks:
            return no_update, no_update
        pairs = zip(
            cost_ids if isinstance(cost_ids, list) else [],
            cost_values if isinstance(cost_values, list) else [],
        )
        costs = {
            i.get("service"): v for i, v in pairs if isinstance(i, dict)
        }  # checked by atlas.spend
        proposal, message = propose(
            model, budget, costs, goal, km, departments, measure, hours
        )
        if proposal is None:
            key, values = message if isinstance(message, tuple) else (message, {})
            return no_update, budget_message(model, lang, key, values)
        saved, _ = scenarios_from(model, stored)
        name = t(
            lang, "budget.scenario_name", total=fmt_number(proposal.budget, 0, lang)
        )
        after, slot = save_new(saved, proposal.scenario, name)
        if slot is None:
            return no_update, t(lang, "scenarios.msg.full")
        text = t(
            lang,
            "budget.done_hours" if proposal.hours is not None else "budget.done",
            hours=fmt_threshold_hours(proposal.hours or 0, lang),
            slot=slot,
            n=len(proposal.scenario.units),
            cost=fmt_number(proposal.total_cost, 0, lang),
            gain=fmt_number(proposal.total_gain, 0, lang),
        )
        return records(after), text
