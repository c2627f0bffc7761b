"""Rows of one table are bands of a group, not sources that disagree; two reports that give
different figures for the same thing still do."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.bands import INF, Band, band_bounds, band_in, band_word
from qa.service import QA
from reportqa.settings import Settings

REPORTS = Path(__file__).parent / "band_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    from ingest.pipeline import Ingestor

    settings = Settings(data_dir=tmp_path_factory.mktemp("bands") / "data")
    results = Ingestor(settings, embedder=embedder).ingest([REPORTS])
    assert len(results) == 2 and all(r.status == "new" for r in results)
    return QA(settings, embedder=embedder)


def test_one_band_of_a_table_is_not_in_conflict_with_the_next_band(qa):
    # "children" is in no row, so both bands match the question equally well.
    a = qa.answer("How many children under 5 were treated?")
    assert a.kind == "figure" and a.value == 96
    assert "Sources differ" not in a.text
    assert "96" in a.citations[0].text


def test_a_middle_band_is_answered_alone(qa):
    a = qa.answer("How many patients aged 5 to 14 were treated?")
    assert a.kind == "figure" and a.value == 143


def test_two_reports_giving_different_totals_still_conflict(qa):
    a = qa.answer("How many patients did the clinic treat in 2023?")
    values = {a.value} | {alt["value"] for alt in a.alternatives}
    assert a.kind == "conflict" and {412, 405} <= values
    assert not values & {96, 143, 173}


@pytest.mark.parametrize(("text", "low", "high"), [
    ("under 15", 0, 15), ("between 15 and 17", 15, 18), ("aged 15 to 17", 15, 18), ("over 18", 19, INF),
    ("18 or older", 18, INF), ("younger than fifteen", 0, 15), ("below 18 years old", 0, 18),
])
def test_a_band_is_read_as_an_interval(text, low, high):
    assert band_in(text, prose=True) == Band(low, high)


@pytest.mark.parametrize("text", [
    "rose from 132 to 759 persons", "in over 50 countries", "90,000-120,000 children", "between 250,000 and 300,000",
])
def test_amounts_are_not_bands(text):
    assert band_in(text, prose=True) is None


def test_the_band_said_first_is_the_figures_own():
    assert band_in(" were under 18 and 1,118 were 18 or older", prose=True) == Band(0, 18)


def test_a_bare_span_is_a_band_in_a_question_or_a_row_label_only():
    assert band_in("15 to 17") == Band(15, 18) and band_in("15 to 17", prose=True) is None


def test_group_words_name_bands_and_bands_compare_loosely():
    assert band_word("How many minors were rescued?") == Band(0, 18)
    assert band_word("adult victims") == Band(18, INF)
    assert Band(19, INF).same(Band(18, INF)) and Band(0, 15).within(Band(0, 18)) and not Band(19, INF).within(Band(0, 18))


def test_the_ages_bounding_bands_are_found():
    text = "Among them, 41 were under 14, 36 were between 14 and 15, and 19 were aged 16 to 17."
    bounded = {text[a:b] for a, b in band_bounds(text)}
    assert bounded == {"under 14", "between 14 and 15", "aged 16 to 17"}
