"""Figures in a sentence and the period each belongs to."""

from __future__ import annotations

import pytest

from qa.candidates import sentence_candidates
from reportqa.models import Sentence


def years_of(text: str) -> dict[float, int | None]:
    s = Sentence(doc_id="d", index=0, start=0, end=len(text), text=text)
    return {c.value: c.year for c in sentence_candidates(s, 0, 1.0) if c.quantity.kind != "year"}


@pytest.mark.parametrize("lead", ["", "WASHINGTON, D.C. — ", "Geneva: ", "Update; "])
def test_an_opening_year_governs_its_clause_after_a_dateline(lead):
    text = f"{lead}In fiscal year 2031, 1,923 suspects were referred to prosecutors, up from 1,360 in 2027."
    assert years_of(text) == {1923: 2031, 1360: 2027}


def test_a_year_inside_a_clause_does_not_reach_past_its_comma():
    # "2031" belongs to the referral clause; the later figure has its own year.
    text = "Referrals rose in 2031 to 900, while arrests, at 41, were lower than in 2029."
    assert years_of(text)[41] != 2031
