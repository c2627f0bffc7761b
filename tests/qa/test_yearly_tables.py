"""Tables with a year on each row ("| 2030 | 452 | 120 | 44 |" under "Year | Inspections | ..."),
one per province, each named by the short line above it. Over a report written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "yearly_table_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("yearly-tables") / "data", embedder)


@pytest.mark.parametrize("question, value", [
    ("How many fines were issued in Takeo province in 2030?", 27),
    ("How many inspections found violations in Koh Kong in 2029?", 18),
    ("How many inspections did the inspectorate carry out in Kampot province in 2031?", 388),
])
def test_the_title_line_picks_the_table_and_the_row_its_year(qa, question, value):
    a = grounded_answer(qa, question)
    assert a.value == value
    (c,) = a.citations
    assert c.cell is not None and c.cell.text == str(value)
    doc = qa.reader.snapshot().documents[c.doc_id]
    assert doc.text[c.cell.start:c.cell.end] == str(value)


def test_a_share_of_one_column_in_another_is_computed_from_the_years_row(qa):
    a = grounded_answer(qa, "What share of Kampot's 2031 inspections found violations?")
    assert a.kind == "computed" and a.scale == "percent"
    assert a.value == pytest.approx(75 / 388 * 100)
    assert sorted(o.value for o in a.computation.operands) == [75, 388]
    # Each operand cites the row of its own year.
    assert {c.cell.row_path[0] for c in a.citations} == {"2031"}


def test_a_fall_between_two_rows_is_the_size_of_the_fall(qa):
    a = grounded_answer(qa, "By what percent did inspections in Koh Kong fall between 2030 and 2031?")
    assert a.kind == "computed" and a.value == pytest.approx((160 - 136) / 160 * 100)
    assert sorted(c.cell.row_path[0] for c in a.citations) == ["2030", "2031"]


def test_a_change_between_two_rows_keeps_its_sign(qa):
    a = grounded_answer(qa, "What was the change in violations found in Kampot province from 2030 to 2031?")
    assert a.kind == "computed" and a.value == 75 - 120
