"""Numbers as the reader writes them, one at a time or a column at once."""

import math

import pytest

from atlas.i18n import fmt_number, fmt_numbers


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_a_column_is_written_as_each_of_its_numbers(lang, decimals):
    values = [0.0, 4.25, 1052977.0, -3.5, 27.649, math.nan, math.inf, None, 12]
    assert fmt_numbers(values, decimals, lang) == [fmt_number(v, decimals, lang) for v in values]
    assert fmt_numbers([1052977.5], 1, "es") == ["1\u00a0052\u00a0977,5"]
    assert fmt_numbers([math.nan], 0, "es") == ["sin dato"]
