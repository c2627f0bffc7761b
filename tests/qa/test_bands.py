"""Rows of one table are bands of a group, not sources that disagree; two reports that give
different figures for the same thing still do."""

from __future__ import annotations

from pathlib import Path

import pytest

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
