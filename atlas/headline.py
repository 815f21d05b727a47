"""The gaps headline: the one place that words the view's key figures.

The screen (`views.gaps.headline`) and the brief (`reports.brief_content`) both read it, so
they always say the same thing with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.coverage import CHAIN
from analysis.gaps import totals
from atlas.gaps import GapState, GapView, service_label
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


def headline(model: Model, gs: GapState, computed: GapView, lang: str) -> Headline:
    tot = totals(computed.view)
    where = model.geo.focus_name(gs.focus) if gs.focus else t(lang, "gaps.peru")
    label = service_label(model, gs.service, lang)
    km = fmt_number(gs.km, 0, lang)
    if tot["areas_known"] == 0:
        return Headline(False, "", t(lang, "gaps.headline_unknown", service=label, where=where), None, None, None)
    children = computed.view.get("rural_children_beyond")
    known_children = children is not None and children[computed.view["pct_rural_beyond"].notna()].notna().any()
    sentence = t(
        lang,
        "gaps.headline_children" if known_children else "gaps.headline",
        people=fmt_number(tot["rural_beyond"], 0, lang),
        pct=fmt_number(tot["pct_rural_beyond"], 1, lang),
        km=km,
        service=label,
        where=where,
        centres=fmt_number(tot["rural_centres_beyond"], 0, lang),
    )
    change = None
    if computed.baseline is not None:
        base = totals(computed.baseline)
        change = t(
            lang,
            "plan.headline",
            gain=fmt_number(base["rural_beyond"] - tot["rural_beyond"], 0, lang),
            km=km,
            where=where,
            before=fmt_number(base["pct_rural_beyond"], 1, lang),
            after=fmt_number(tot["pct_rural_beyond"], 1, lang),
        )
    chain = None
    if gs.service == CHAIN:
        chain = t(lang, "gaps.headline_chain", pct=fmt_number(tot["pct_population_within"], 1, lang), km=km)
    partial = None
    if tot["areas_known"] < tot["areas"]:
        partial = t(lang, "gaps.partial", known=tot["areas_known"], total=tot["areas"])
    # children first (est.), people in the sentence; the people figure leads when no child share is known
    lead = tot["rural_beyond"]
    if known_children:
        lead = float(children[computed.view["pct_rural_beyond"].notna()].sum())
    return Headline(True, fmt_number(lead, 0, lang), sentence, change, chain, partial)
