"""UI text in Spanish (default) and English, from `assets/locales/{es,en}.json`.

Layer titles, units and caveats live with the layers (es/en pairs); everything else the
user reads comes from the locale files. `t()` falls back to Spanish, then to the key, so a
missing translation shows up as text (and a test catches it) instead of an error.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Mapping

LOCALE_DIR = Path(__file__).resolve().parents[1] / "assets" / "locales"
LANGS = ("es", "en")
DEFAULT_LANG = "es"


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    with open(LOCALE_DIR / f"{lang}.json", encoding="utf-8") as f:
        return json.load(f)


def safe_lang(lang: object) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(lang: str, key: str, **values: object) -> str:
    lang = safe_lang(lang)
    template = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    return template.format(**values) if values else template


def pick(pair: Mapping[str, str], lang: str) -> str:
    """One language of an es/en pair (layer titles, units, caveats)."""
    lang = safe_lang(lang)
    return pair.get(lang) or pair.get(DEFAULT_LANG, "")


def fmt_number(value: float | int | None, decimals: int = 0, lang: str = DEFAULT_LANG) -> str:
    """Number as a reader of `lang` writes it; unknown values are 'sin dato' / 'no data'.

    Spanish (Peru, INEI style): thousands separated by a space, decimal comma (1 052 977;
    27,6). English: 1,052,977; 27.6.
    """
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return t(lang, "value.no_data")
    text = f"{value:,.{decimals}f}"
    if safe_lang(lang) == "es":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def fmt_numbers(values, decimals: int = 0, lang: str = DEFAULT_LANG) -> list[str]:
    """`fmt_number` of each value of a sequence (a table column), written the same way, with
    the lookups done once: thousands of hover texts per request."""
    no_data = t(lang, "value.no_data")
    pattern = f"{{:,.{decimals}f}}".format
    spanish = safe_lang(lang) == "es"
    out = []
    for value in values:
        if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
            out.append(no_data)
            continue
        text = pattern(value)
        out.append(text.replace(",", "\u00a0").replace(".", ",") if spanish else text)
    return out


def fmt_km(km: float, lang: str) -> str:
    return f"{fmt_number(km, 0 if km >= 10 else 1, lang)} km"
