"""Brechas in modelled hours, the components: the measure switch and the hour threshold
(offered disabled, with the reason, where the travel index is unavailable), the notice for a
forged hour threshold, and the profile's nearest units by travel time. No callbacks.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from atlas.hours import (
    DEFAULT_HOURS,
    HOURS_MAX,
    HOURS_MIN,
    KM,
    MEASURES,
    TRAVEL,
    fmt_hours,
    hours_available,
    hours_choice,
    legs_text,
    nearest_trips,
)
from atlas.i18n import fmt_km, pick, t
from atlas.validate import Problem
from views import ids
from views.parts import labelled

HIDDEN = {"display": "none"}


def threshold_styles(measure: str) -> tuple[dict, dict]:
    """Styles of the km and the hours threshold boxes: only the measure's one shows."""
    return (HIDDEN, {}) if measure == TRAVEL else ({}, HIDDEN)


def measure_controls(model, gs, lang: str) -> list:
    """The measure switch and the hours slider (the km slider stays in views/gaps.py)."""
    available = hours_available(model)
    options = [
        {
            "label": t(lang, f"gaps.measure.{m}"),
            "value": m,
            "disabled": m == TRAVEL and not available,
        }
        for m in MEASURES
    ]
    switch = dbc.RadioItems(
        id=ids.GAP_MEASURE,
        options=options,
        value=gs.measure if available else KM,
        className="mb-2",
    )
    out = labelled(t(lang, "gaps.measure"), switch)
    if not available:
        out.append(
            html.P(
                t(lang, "gaps.hours_unavailable"),
                className="small text-muted hours-unavailable",
            )
        )
    out.append(
        html.Div(
            labelled(
                t(lang, "gaps.threshold_hours"),
                dcc.Slider(
                    id=ids.GAP_HOURS,
                    min=HOURS_MIN,
                    max=HOURS_MAX,
                    step=1,
                    value=gs.hours if gs.hours else DEFAULT_HOURS,
                    marks={6: "6", 12: "12", 24: "24", 48: "48", 72: "72 h"},
                    tooltip={"placement": "bottom", "always_visible": False},
                    disabled=not available,
                    className="mb-3",
                ),
            ),
            id=ids.GAP_HOURS_BOX,
            style=threshold_styles(gs.measure)[1],
        )
    )
    return out


def with_hours_notice(outputs: tuple, hours: object, lang: str) -> tuple:
    """`views.gaps.gap_update`'s outputs with the notice for a forged hour threshold put
    before the headline (outputs unchanged when the value was fine)."""
    notice = hours_notice(hours_choice(hours)[1], lang)
    return (
        outputs
        if notice is None
        else (*outputs[:2], [notice, outputs[2]], *outputs[3:])
    )


def hours_notice(problem: Problem | None, lang: str):
    """What was wrong with an hour threshold sent to the server ("1000000 is outside 1–72; 72 was used")."""
    if problem is None:
        return None
    return dbc.Alert(
        problem.text(lang, name=t(lang, "gaps.hours_bad")),
        color="warning",
        className="small py-1 mb-2",
    )


def travel_rows(model, lat: float, lon: float, lang: str) -> list:
    """Per service: the unit nearest by modelled travel time, its hours and legs, and the
    straight-line km to it."""
    rows = []
    for trip in nearest_trips(model, lat, lon):
        name = (
            t(lang, "profile.care_travel", name=trip.name)
            if trip.service == "care"
            else trip.name
        )
        if trip.route is None:
            hours, legs = t(lang, "hours.no_access"), ""
        else:
            hours, legs = fmt_hours(trip.route.hours, lang), legs_text(trip.route, lang)
        rows.append(
            html.Tr(
                [
                    html.Th(
                        pick(model.catalog.layer(trip.service).short, lang),
                        scope="row",
                        className="fw-normal",
                    ),
                    html.Td(hours, className="text-end text-nowrap travel-hours"),
                    html.Td([name, html.Div(legs, className="small-note travel-legs")]),
                    html.Td(
                        t(lang, "profile.travel_km", km=fmt_km(trip.km_straight, lang)),
                        className="text-end small",
                    ),
                ]
            )
        )
    return rows


def travel_section(model, area, lang: str) -> list:
    """The profile's nearest units by modelled travel time (nothing when hours are unavailable)."""
    if not hours_available(model):
        return []
    rows = travel_rows(model, float(area["lat"]), float(area["lon"]), lang)
    if not rows:
        return []
    return [
        html.H3(t(lang, "profile.travel"), className="h6 mt-2"),
        html.Table(html.Tbody(rows), className="table table-sm mb-2 profile-travel"),
        html.P(
            t(lang, "profile.travel_note", place=area["capital_name"]),
            className="small-note",
        ),
    ]
