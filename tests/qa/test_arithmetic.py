"""The one arithmetic's conventions, one row per case: no store, no model.

Each row is (operation, operands as (value, scale, percent), expected result, expected scale,
expected formula, expected shown text). Operands are cited [1], [2], ... in order.
"""

from __future__ import annotations

import pytest

from qa.arithmetic import OPERATIONS, Term, compute

CASES = [
    # name, operation, operands (value, scale, percent?), result, scale, formula, shown
    ("sum of counts", "sum", [(124, "", False), (31, "", False)], 155, "", "124 [1] + 31 [2]", "155"),
    ("sum keeps the scale", "sum", [(1.5, "million", False), (2.25, "million", False)], 3.75, "million",
     "1.5 [1] + 2.25 [2]", "3.75"),
    ("sum of three", "sum", [(1, "", False), (2, "", False), (3, "", False)], 6, "", "1 [1] + 2 [2] + 3 [3]", "6"),
    ("average", "average", [(10, "", False), (20, "", False), (40, "", False)], 70 / 3, "",
     "(10 [1] + 20 [2] + 40 [3]) / 3", "23.33"),
    ("difference is first less second", "difference", [(2760, "", False), (3215, "", False)], -455, "",
     "2,760 [1] − 3,215 [2]", "-455"),
    ("difference of percentages is in points", "difference", [(12.5, "percent", True), (9.0, "percent", True)], 3.5,
     "percent", "12.5 [1] − 9 [2]", "3.5 percentage points"),
    ("mixed scales are combined as absolute values", "difference",
     [(1.2, "billion", False), (300, "million", False)], 900_000_000, "", "1,200,000,000 [1] − 300,000,000 [2]",
     "900,000,000"),
    ("change is later less earlier", "change", [(3215, "", False), (2760, "", False)], 455, "", "3,215 [1] − 2,760 [2]",
     "455"),
    ("percent change takes (new, base)", "percent_change", [(3215, "", False), (2760, "", False)],
     (3215 - 2760) / 2760 * 100, "percent", "(3,215 [1] − 2,760 [2]) / 2,760 [2] × 100", "16.49%"),
    ("percent change of a fall is negative", "percent_change", [(80, "", False), (100, "", False)], -20, "percent",
     "(80 [1] − 100 [2]) / 100 [2] × 100", "-20%"),
    ("percent fall takes (new, base) too and is positive", "percent_fall", [(80, "", False), (100, "", False)], 20,
     "percent", "(100 [2] − 80 [1]) / 100 [2] × 100", "20%"),
    ("ratio is dimensionless", "ratio", [(6, "million", False), (2, "million", False)], 3, "", "6 [1] / 2 [2]", "3"),
    ("share is part over whole in percent", "share", [(265, "", False), (358, "", False)], 265 / 358 * 100, "percent",
     "265 [1] / 358 [2] × 100", "74.02%"),
    ("complement of one percentage", "complement", [(92, "percent", True)], 8, "percent", "100 − 92 [1]", "8%"),
    ("complement of several", "complement", [(60, "percent", True), (25.5, "percent", True)], 14.5, "percent",
     "100 − 60 [1] − 25.5 [2]", "14.5%"),
    ("rest is the whole less its parts, in the whole's scale", "rest",
     [(12.0, "million", False), (7.5, "million", False)], 4.5, "million", "12 [1] − 7.5 [2]", "4.5"),
    ("rate of a base", "rate_of_base", [(15, "percent", True), (12000, "", False)], 1800, "", "15 [1] / 100 × 12,000 [2]",
     "1,800"),
    ("rate of a scaled base keeps the base's scale", "rate_of_base", [(10, "percent", True), (4, "million", False)], 0.4,
     "million", "10 [1] / 100 × 4 [2]", "0.4"),
    ("years between: no thousands separator, never negative", "years_between",
     [(1520, "", False), (1537, "", False)], 17, "", "1520 [1] − 1537 [2]", "17"),
    ("rounding removes float noise only", "sum", [(0.1, "", False), (0.2, "", False)], 0.3, "", "0.1 [1] + 0.2 [2]",
     "0.3"),
]

NO_RESULT = [
    ("percent change from zero", "percent_change", [(5, ""), (0, "")]),
    ("percent fall from zero", "percent_fall", [(5, ""), (0, "")]),
    ("ratio over zero", "ratio", [(5, ""), (0, "")]),
    ("share of a zero whole", "share", [(5, ""), (0, "")]),
    ("parts larger than the whole", "rest", [(5, ""), (7, "")]),
    ("percentages over 100", "complement", [(60, "percent"), (50, "percent")]),
    ("a difference needs two operands", "difference", [(5, "")]),
    ("a ratio takes no third operand", "ratio", [(5, ""), (2, ""), (1, "")]),
    ("an unknown operation", "median", [(5, ""), (2, "")]),
]


@pytest.mark.parametrize("name,op,rows,result,scale,formula,shown", CASES, ids=[c[0] for c in CASES])
def test_operation_conventions(name, op, rows, result, scale, formula, shown):
    terms = [Term(value=v, citation=i, scale=s, percent=p, year=op == "years_between")
             for i, (v, s, p) in enumerate(rows, 1)]
    done = compute(op, terms)
    assert done is not None
    assert done.value == pytest.approx(result, abs=1e-9)
    assert done.scale == scale
    assert done.computation.formula == formula
    assert done.shown == shown
    assert done.computation.operation == op
    # Every operand is recorded with its citation, in the order given.
    assert [o.citation for o in done.computation.operands] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("name,op,rows", NO_RESULT, ids=[c[0] for c in NO_RESULT])
def test_no_result(name, op, rows):
    terms = [Term(value=v, citation=i, scale=s, percent=s == "percent") for i, (v, s) in enumerate(rows, 1)]
    assert compute(op, terms) is None


def test_every_operation_has_a_case():
    assert {c[1] for c in CASES} == set(OPERATIONS)


def test_result_keeps_ten_decimals():
    # 2/3 keeps its digits (scoring rounds on its own); only the float noise beyond 10 decimals goes.
    done = compute("ratio", [Term(2, 1), Term(3, 2)])
    assert done.value == round(2 / 3, 10) and done.value != round(2 / 3, 4)


def test_operands_keep_the_reports_wording():
    done = compute("sum", [Term(1.5, 1, text="$1.5 million", scale="million"), Term(2, 2, text="$2 million", scale="million")])
    assert [o.text for o in done.computation.operands] == ["$1.5 million", "$2 million"]
