"""A change the report states ("improved $12.7 million from $9.0 million") answers a change
question, over a level figure beside it and over the same change computed from a table; a
table figure the text states at its own precision is answered as the text states it. Over a
report written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "change_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("changes") / "data", embedder)


_answer = grounded_answer


def test_a_stated_change_beats_the_table_computation_of_it(qa):
    # 3,622 − (9,028) = 12,650 thousand is the stated $12.7 million, as the text states it.
    a = _answer(qa, "How much did boatyard operating income change between 2030 and 2031?")
    assert a.value == pytest.approx(12.7) and a.scale == "million"
    assert "improved $12.7 million" in a.citations[0].text


def test_the_stated_change_that_names_both_asked_years_wins(qa):
    # $3.3 million is a part of the rise; the $19.7 million sentence spans 2030 to 2031.
    a = _answer(qa, "How much did berth rentals change between 2030 and 2031?")
    assert a.value == pytest.approx(19.7)
    assert a.kind == "figure"


def test_an_increase_asked_is_the_stated_increase_not_the_level(qa):
    a = _answer(qa, "What was the increase in dredging expense from 2030?")
    assert a.value == 621


def test_a_change_stated_as_a_percentage_does_not_answer_a_change_in_the_measure(qa):
    # "increased 51% to $110.5 million ... $73.3 million": the change in sales is in dollars.
    a = _answer(qa, "What is the change in chandlery sales from 2030 to 2031?")
    assert a.kind == "computed" and a.value == pytest.approx(37.2)
    assert sorted(o.value for o in a.computation.operands) == [73.3, 110.5]


def test_a_change_stated_as_a_percentage_answers_a_percentage_change(qa):
    a = _answer(qa, "By what percentage did chandlery sales increase from 2030 to 2031?")
    assert a.value == pytest.approx(51, abs=0.3)


def test_a_table_figure_the_text_states_is_answered_as_the_text_states_it(qa):
    # The table's (8,280) thousand is the text's "$8.3 million" benefit, not the $6.2 million beside it.
    a = _answer(qa, "What was the income tax benefit in 2031?")
    assert a.value == pytest.approx(8.3) and a.scale == "million"
    assert "income tax benefit of $8.3 million" in a.citations[0].text


def test_a_change_asked_without_periods_pairs_the_two_periods_one_sentence_states(qa):
    # "32.0% (2030: 31.8%)": the change is 32.0 − 31.8, not the 2% beside it.
    a = _answer(qa, "What was the change in the ownership interest held in Estuary Moorings?")
    assert a.kind == "computed" and a.value == pytest.approx(0.2)
    assert [o.value for o in a.computation.operands] == [32.0, 31.8]


def test_a_total_over_a_span_of_years_adds_every_year_of_it(qa):
    a = _answer(qa, "What was the total depreciation expense on berths and pontoons between 2029 and 2031?")
    assert a.kind == "computed" and a.value == pytest.approx(720.2)
    assert sorted(o.value for o in a.computation.operands) == [190.4, 239.6, 290.2]


def test_a_share_of_a_whole_given_only_as_counts_is_part_over_whole(qa):
    a = _answer(qa, "What is the percentage of the cash and cash equivalents at December 31, 2031 held in accounts outside the estuary?")
    assert a.kind == "computed" and a.value == pytest.approx(84.3612, abs=1e-3) and a.scale == "percent"
    assert [o.value for o in a.computation.operands] == [383, 454]
