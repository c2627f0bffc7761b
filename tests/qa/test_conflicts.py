"""Conflicts across reports, over three short reports written for these tests: every distinct
value with each report that states it, the value most reports give first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.qa.written_reports import qa_over

REPORTS = Path(__file__).parent / "conflict_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("conflicts") / "data", embedder)


def test_a_value_two_reports_give_is_cited_from_both_and_comes_first(qa):
    a = qa.answer("How many fishers did the coast guard rescue in 2031?")
    assert a.kind == "conflict"
    assert a.value == 96 and [alt["value"] for alt in a.alternatives] == [88]
    titles = {c.title for c in a.citations if "96" in c.text}
    assert len(titles) == 2
    # Each report's citation, with whose figure it is where the sentence says so.
    assert re.match(r"Sources differ: 96 \[1\][^;]*, \[2\][^;]*; 88 \[3\]", a.text), a.text
    assert "Most reports give: **96** [1]" in a.text
