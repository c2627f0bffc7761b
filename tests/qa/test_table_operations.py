"""Operations over table rows, over a report written for these tests.

- A share of two rows ("the percentage of audit fees in total fees"): the other row is the next
  one the question names that has a figure in the asked column; a row left blank there
  ("Audit-related fees | $- | $-") has nothing to divide."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "table_op_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("table-operations") / "data", embedder)


@pytest.mark.parametrize("question, part, whole", [
    ("What is the percentage of audit fees in total fees in 2031?", 42_000, 50_000),
    ("What percentage of total fees were tax fees in 2030?", 10_000, 50_000),
])
def test_a_share_skips_a_row_blank_in_the_asked_column(qa, question, part, whole):
    a = grounded_answer(qa, question)
    assert a.kind == "computed" and a.scale == "percent"
    assert a.value == pytest.approx(part / whole * 100)
    assert [o.value for o in a.computation.operands] == [part, whole]

