"""Operations over table rows, over a report written for these tests.

- A share of two rows ("the percentage of audit fees in total fees"): the other row is the next
  one the question names that has a figure in the asked column; a row left blank there
  ("Audit-related fees | $- | $-") has nothing to divide.
- "The difference between A and B" of two things (not two periods) is how far apart they are,
  the larger less the smaller, in a table or in prose; between two years it keeps its sign.
- A row of percentages named by its "%" ("the change in the % of pilotages at night") asks for
  the change of that row, in points, not a percentage change.
- The operation named first governs: "the change in the average charge" is a change of the
  average the table states, not an average of two years."""

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


def test_the_change_in_an_average_is_a_change_not_an_average(qa):
    a = grounded_answer(qa, "What was the change in the average charge per pilotage from 2030 to 2031?")
    assert a.kind == "computed" and a.computation.operation == "difference"
    assert a.value == 60 and [o.value for o in a.computation.operands] == [1240, 1180]


def test_an_average_over_two_years_is_still_an_average(qa):
    a = grounded_answer(qa, "What was the average number of pilotages in 2030 and 2031?")
    assert a.kind == "computed" and a.computation.operation == "average"
    assert a.value == pytest.approx((3900 + 3750) / 2)


@pytest.mark.parametrize("question", [
    "What is the difference between tax fees and audit fees in 2031?",
    "What was the difference in 2031 between tax fees and audit fees?",
])
def test_the_difference_between_two_rows_is_the_gap(qa, question):
    a = grounded_answer(qa, question)
    assert a.kind == "computed" and a.value == 42_000 - 8_000
    assert [o.value for o in a.computation.operands] == [42_000, 8_000]


def test_the_difference_between_two_figures_in_prose_is_the_gap(qa):
    a = grounded_answer(qa, "What is the difference between the number of pilots and boat crew employed in 2031?")
    assert a.kind == "computed" and a.value == 22 - 14


def test_the_difference_between_two_years_keeps_its_sign(qa):
    a = grounded_answer(qa, "What was the difference in tax fees between 2030 and 2031?")
    assert a.kind == "computed" and a.value == 8_000 - 10_000


def test_the_percent_sign_of_a_row_label_names_the_row_not_a_percentage_change(qa):
    a = grounded_answer(qa, "What is the change in the % of pilotages at night from 2030 to 2031?")
    assert a.kind == "computed" and a.computation.operation == "difference"
    assert a.value == 31 - 24


@pytest.mark.parametrize(("question", "year"), [
    ("In which year was the net result on investments negative?", 2031),
    ("In which year was the net result on investments positive?", 2030),
])
def test_the_year_a_figure_was_negative_is_the_year_below_zero(qa, question, year):
    a = grounded_answer(qa, question)
    assert a.value == year
