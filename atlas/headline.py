"""The gaps headline: the one place that words the view's key figures.

The screen (`views.gaps.headline`) and the brief (`reports.brief_content`) both read it, so
they always say the same thing with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.coverage import CHAIN
from analysis.gaps import totals
from atlas.gaps import GapState, GapView, service_label
from atlas.hours import fmt_range, mt
from atlas.i18n import fmt_number, t
from atlas.model import Model


@dataclass(frozen=True)
class Headline:
    known: bool  # False: no area of the view has a known figure ("sin dato")
    lead: str  # rural children 0-17 (est.) beyond the threshold; rural people without child shares ("" when not known)
    text: str  # the sentence after the number (or the "unknown" sentence)
    change: str | None  # what the scenario changes, when there is one
    chain: str | None  # the whole chain's share within reach, for the chain service
    partial: str | None  # how many areas have a figure, when not all
    speed_range: str | None = None  # hours: the share beyond with high and low speeds ("64–79 %")
    no_access: str | None = None  # hours: rural persons with no modelled access within 7 days


def headline(model: Model, gs: GapState, computed: GapView, lang: str) -> Headline:
    tot = totals(computed.view)
    where = model.geo.focus_name(gs.focus) if gs.focus else t(lang, "gaps.peru")
    label = service_label(model, gs.service, lang)
    km = fmt_number(gs.km, 0, lang)
    if tot["areas_known"] == 0:
        return Headline(False, "", t(lang, "gaps.headline_unknown", service=label, where=where), None, None, None)
    children = computed.view.get("rural_children_beyond")
    known_children = children is not None and children[computed.view["pct_rural_beyond"].notna()].notna().any()
    speed_range = fmt_range(*computed.speed_range, lang) if computed.speed_range else None
    sentence = mt(
        lang,
        gs,
        "gaps.headline_children" if known_children else "gaps.headline",
        people=fmt_number(tot["rural_beyond"], 0, lang),
        range=f" ({speed_range})" if speed_range else "",
        pct=fmt_number(tot["pct_rural_beyond"], 1, lang),
        km=km,
        service=label,
        where=where,
        centres=fmt_number(tot["rural_centres_beyond"], 0, lang),
    )
    change = None
    if computed.baseline is not None:
        base = totals(computed.baseline)
        change = mt(
            lang,
            gs,
            "plan.headline",
            gain=fmt_number(base["rural_beyond"] - tot["rural_beyond"], 0, lang),
            km=km,
            where=where,
            before=fmt_number(base["pct_rural_beyond"], 1, lang),
            after=fmt_number(tot["pct_rural_beyond"], 1, lang),
        )
    chain = None
    if gs.service == CHAIN:
        chain = mt(lang, gs, "gaps.headline_chain", pct=fmt_number(tot["pct_population_within"], 1, lang), km=km)
    partial = None
    if tot["areas_known"] < tot["areas"]:
        partial = t(lang, "gaps.partial", known=tot["areas_known"], total=tot["areas"])
    no_access = None
    if computed.no_access:  # hours: rural persons with no modelled access
        no_access = t(lang, "hours.headline_no_access", people=fmt_number(computed.no_access, 0, lang))
    # children first (est.), people in the sentence; the people figure leads when no child share is known
    lead = tot["rural_beyond"]
    if known_children:
        lead = float(children[computed.view["pct_rural_beyond"].notna()].sum())
    return Headline(True, fmt_number(lead, 0, lang), sentence, change, chain, partial, speed_range, no_access)
