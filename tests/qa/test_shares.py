"""A share asked where the report gives counts only ("420 passengers, 126 of them children"):
the part over its whole × 100, each cited; a stated percentage is the answer itself. The
report's "35 percent of all ferry passengers" counted at the piers is a share of other people
and must not answer for the rescued. Over a report written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "share_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("shares") / "data", embedder)


@pytest.mark.parametrize("question", [
    "What percentage of the rescued passengers were children?",
    # The whole ("420 passengers ... rescued") matches this wording best; the part is still 126.
    "What share of the passengers rescued in 2031 were children?",
    "What proportion of the 420 passengers were children?",
])
def test_a_share_of_a_whole_given_as_counts_is_part_over_whole(qa, question):
    a = grounded_answer(qa, question)
    assert a.kind == "computed" and a.scale == "percent"
    assert a.value == pytest.approx(126 / 420 * 100)
    assert [o.value for o in a.computation.operands] == [126, 420]


def test_a_stated_percentage_is_the_answer(qa):
    a = grounded_answer(qa, "What share of ferry operators had no radio licence?")
    assert a.kind == "figure" and a.value == 60


def test_how_many_times_more_is_the_ratio_of_two_years(qa):
    a = grounded_answer(qa, "How many times more rescue missions did the coast guard carry out in 2031 than in 2030?")
    assert a.kind == "computed" and a.value == 2
    assert [o.value for o in a.computation.operands] == [70, 35]


def test_the_ratio_of_two_named_measures_is_the_first_over_the_second(qa):
    a = grounded_answer(qa, "What is the ratio of children to all rescued passengers?")
    assert a.kind == "computed" and a.value == pytest.approx(126 / 420, abs=1e-4)
    a = grounded_answer(qa, "How many times as many passengers were rescued as ferries were checked?")
    assert a.kind == "computed" and a.value == pytest.approx(420 / 90, abs=1e-4)


def test_a_stated_multiple_is_the_answer(qa):
    a = grounded_answer(qa, "By what factor did fines for overloading grow between 2030 and 2031?")
    assert a.kind == "figure" and a.value == 3


def test_a_count_of_a_whole_named_first_is_the_rate_applied_to_it(qa):
    # "Of the 90 ferries checked, 30% carried too few lifejackets."
    a = grounded_answer(qa, "How many of the ferries checked carried too few lifejackets?")
    assert a.kind == "computed" and a.value == pytest.approx(27)
    assert [o.value for o in a.computation.operands] == [30, 90]


def test_two_years_named_with_in_each_get_their_figure(qa):
    a = grounded_answer(qa, "How many rescue missions did the coast guard carry out in 2030 and in 2031?")
    assert a.value == [35, 70]
