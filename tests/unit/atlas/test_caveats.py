"""What the gap figures assume: each caveat said once, in both languages."""

import pytest

from atlas.gaps import GapState, caveat_texts


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("service", ["upe", "care", "chain"])
@pytest.mark.parametrize("measure", ["km", "hours"])
def test_each_caveat_is_said_once(service, measure, lang):
    items = caveat_texts(GapState(service=service, measure=measure), lang)
    assert len(items) == len(set(items))


def test_care_says_its_province_level_caveat():
    items = caveat_texts(GapState(service="care"), "es")
    assert sum("CARE a nivel provincial" in x for x in items) == 1
