"""Periods other than a year, the period a heading gives, the source and place a question
names, and a rate applied to its base. Over a report written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "period_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("periods") / "data", embedder)


@pytest.mark.parametrize("question, value", [
    # "In January 2021, the hotline received 57 calls; in February 2021 it received 43."
    ("How many calls did the hotline receive in February 2021?", 43),
    ("How many calls did the hotline receive in January 2021?", 57),
    # "In the third quarter of 2023, 29 vessels were detained, and in the fourth quarter of 2023, 17."
    ("How many vessels were detained in the fourth quarter of 2023?", 17),
    ("How many vessels were detained in the third quarter of 2023?", 29),
    ("How many cases were still open as of 30 June 2024?", 14),
])
def test_an_asked_month_or_quarter_must_hold(qa, question, value):
    assert grounded_answer(qa, question).value == value


@pytest.mark.parametrize("question, value", [
    # The same sentence under "## Edition 2025" and under "## Results for the first half of 2024".
    ("How many inspections of fishing vessels were carried out in 2025?", 412),
    ("How many inspections were carried out in the first half of 2024?", 190),
    ("How many inspections were carried out in 2024?", 190),
])
def test_a_dated_heading_gives_its_period_to_the_sentences_under_it(qa, question, value):
    a = grounded_answer(qa, question)
    assert a.value == value
    assert a.kind == "figure"  # not "Sources differ": the other heading's figure is another period


def test_a_fiscal_year_written_with_a_slash_is_read(qa):
    a = grounded_answer(qa, "How much did the inspectorate spend on patrols in 2019/20?")
    assert a.value == pytest.approx(1.4) and a.scale == "million"


@pytest.mark.parametrize("question, value", [
    ("How many workers owed back pay were found in Kep province?", 21),
    ("How many workers owed back pay were found in Kampot province?", 38),
])
def test_an_asked_place_must_hold(qa, question, value):
    assert grounded_answer(qa, question).value == value


@pytest.mark.parametrize("question, value", [
    ("How many employers were fined according to the Ministry of Labour?", 96),
    ("How many employers were fined according to the inspectorate's own count?", 88),
    ("According to the inspectorate's own count, how many employers were fined?", 88),
])
def test_an_asked_source_must_hold(qa, question, value):
    assert grounded_answer(qa, question).value == value


def test_two_sources_in_one_sentence_are_a_conflict_naming_each(qa):
    # "According to the Ministry of Labour, 96 employers were fined during the year; the
    # inspectorate's own count was 88."
    a = grounded_answer(qa, "How many employers were fined?")
    assert a.kind == "conflict" and a.value == 96
    assert [alt["value"] for alt in a.alternatives] == [88]
    assert "(Ministry of Labour)" in a.text and "(inspectorate)" in a.text


def test_two_sources_ranges_are_both_shown(qa):
    a = grounded_answer(qa, "How many unregistered boats are there along the coast?")
    assert a.kind == "conflict" and a.value == [300, 350]
    assert [alt["value"] for alt in a.alternatives] == [[500, 600]]
    assert "(Port Authority)" in a.text and "(Coastal Fishers Union)" in a.text


def test_two_places_in_one_sentence_are_not_two_sources(qa):
    # "In Kampot province, inspectors found 38 workers owed back pay, while in Kep province they found 21."
    a = grounded_answer(qa, "How many workers owed back pay did inspectors find?")
    assert a.kind == "figure"


@pytest.mark.parametrize("question, value", [
    # "The Port Authority estimates between 300 and 350 ..., but the Coastal Fishers Union puts the
    # number at 500 to 600.": the body named with 's says which range.
    ("What is the Coastal Fishers Union's upper estimate of unregistered boats?", 600),
    ("What is the Port Authority's upper estimate of unregistered boats?", 350),
    ("What is the Coastal Fishers Union's lower estimate of unregistered boats?", 500),
])
def test_a_source_named_with_a_possessive_must_hold(qa, question, value):
    assert grounded_answer(qa, question).value == value


def test_a_count_asked_of_a_rate_is_the_rate_applied_to_its_base(qa):
    # "The inspectorate expects 15 percent of the 12,000 registered workers to receive training."
    a = grounded_answer(qa, "How many of the 12,000 registered workers are expected to receive training?")
    assert a.kind == "computed" and a.value == 1800
    assert a.computation.formula.startswith("15 [1] / 100 × 12,000 [1]")


@pytest.mark.parametrize("question", [
    "How far apart are the Coastal Fishers Union's low-end estimate of unregistered boats and the Port Authority's "
    "high-end estimate?",
    # The order named does not matter for a gap; what the estimates are of is said once, for both.
    "What is the gap between the Port Authority's upper estimate of unregistered boats and the Coastal Fishers "
    "Union's lower estimate?",
])
def test_how_far_apart_two_sources_ends_are_is_the_larger_less_the_smaller(qa, question):
    # "The Port Authority estimates between 300 and 350 ..., but the Coastal Fishers Union puts the number at 500 to 600."
    a = grounded_answer(qa, question)
    assert a.kind == "computed" and a.value == 500 - 350
    assert [o.value for o in a.computation.operands] == [500, 350]


def test_the_difference_between_two_named_figures_is_the_gap_between_them(qa):
    # Two things, not two periods: the difference has no direction, whichever is named first
    # (and "lower" names an end of a range here, not a fall).
    a = grounded_answer(qa, "What is the difference between the Port Authority's lower estimate of unregistered boats "
                            "and the Coastal Fishers Union's upper estimate?")
    assert a.kind == "computed" and a.value == 600 - 300
    assert [o.value for o in a.computation.operands] == [600, 300]
