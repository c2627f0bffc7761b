"""The one arithmetic: every computed answer's number, formula and operands come from here.

An operation takes cited figures (`Term`s, in the order its formula reads them) and gives a
`Result`: the `Computation` record (operation, operands with their citations, formula,
result) the answer carries and the UI renders, plus the result's scale and how it is shown.
Which figures to take, and in which order, is the caller's decision; how to combine them is
decided here, once.

Conventions (four earlier copies disagreed; `tests/qa/test_arithmetic.py` pins each one):
- Order of operands: a change takes (new, base) for both its forms, so a caller never swaps:
  percent change = (new − base) / base × 100; percent fall = (base − new) / base × 100.
  A difference is first − second; a caller wanting a gap orders the larger first.
- A ratio is dimensionless: scale "" (not the first operand's "million"); a share is the
  ratio × 100, in percent.
- A difference of two percentages is in percentage points (shown so); other results in
  percent show "%".
- Operands of different scales ("$1.2 billion" and "$300 million") are combined as absolute
  values and the result has no scale; operands of one scale keep it.
- Rounding: the result is rounded to 10 decimals, which removes float noise (0.1 + 0.2) and
  nothing else; showing fewer digits is `format_number`'s job, and scoring rounds on its own.
- A zero base (percent change or fall, ratio, share, average of nothing) gives no result
  (None), never inf; a rest or complement whose parts exceed the whole gives None too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from reportqa.models import Computation, Operand
from reportqa.numbers import format_number

ROUND_DIGITS = 10  # float noise only; see the module docstring
SCALE_FACTORS = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "percent": 1.0}


@dataclass(frozen=True)
class Term:
    """One operand: a figure and where it is cited."""

    value: float
    citation: int  # 1-based index into the answer's citations
    text: str = ""  # as the report writes it ("$1.2 billion"); defaults to the number
    scale: str = ""  # "", thousand, million, billion or percent
    percent: bool = False  # a percentage (by its kind or its scale)
    unit: str = ""
    year: bool = False  # a calendar year: shown without a thousands separator


@dataclass(frozen=True)
class Result:
    """A computed figure: the record to show and cite, its scale and unit, and its text."""

    computation: Computation
    scale: str
    unit: str
    shown: str  # "16.49%", "3.5 percentage points", "455"

    @property
    def value(self) -> float:
        return self.computation.result


@dataclass(frozen=True)
class Operation:
    """How one operation combines its operands (values already on one scale)."""

    arity: tuple[int, int | None]  # fewest and most operands (None: any number)
    apply: Callable[[list[float]], float | None]
    formula: Callable[[list[str]], str]
    scale: Callable[[str], str]  # the result's scale, from the operands' common scale
    unit: Callable[[list[Term]], str] = lambda ts: ts[0].unit


def _div(a: float, b: float) -> float | None:
    return None if b == 0 else a / b


def _nonneg(x: float) -> float | None:
    return None if x < 0 else x


_same = lambda common: common  # noqa: E731  the operands' own scale
_percent = lambda common: "percent"  # noqa: E731
_none = lambda common: ""  # noqa: E731
_no_unit = lambda ts: ""  # noqa: E731


def _change(new: float, base: float) -> float | None:
    q = _div(new - base, base)
    return None if q is None else q * 100


OPERATIONS: dict[str, Operation] = {
    "sum": Operation((2, None), sum, " + ".join, _same),
    "average": Operation((2, None), lambda v: sum(v) / len(v), lambda s: f"({' + '.join(s)}) / {len(s)}", _same),
    "difference": Operation((2, 2), lambda v: v[0] - v[1], " − ".join, _same),
    # "change" is a difference whose operands are (later, earlier): the conversation records it so.
    "change": Operation((2, 2), lambda v: v[0] - v[1], " − ".join, _same),
    "percent_change": Operation((2, 2), lambda v: _change(v[0], v[1]),
                                lambda s: f"({s[0]} − {s[1]}) / {s[1]} × 100", _percent, _no_unit),
    "percent_fall": Operation((2, 2), lambda v: None if (c := _change(v[0], v[1])) is None else -c,
                              lambda s: f"({s[1]} − {s[0]}) / {s[1]} × 100", _percent, _no_unit),
    "ratio": Operation((2, 2), lambda v: _div(v[0], v[1]), " / ".join, _none, _no_unit),
    "share": Operation((2, 2), lambda v: None if (r := _div(v[0], v[1])) is None else r * 100,
                       lambda s: f"{s[0]} / {s[1]} × 100", _percent, _no_unit),
    "complement": Operation((1, None), lambda v: _nonneg(100.0 - sum(v)),
                            lambda s: "100 − " + " − ".join(s), _percent, _no_unit),
    "rest": Operation((2, None), lambda v: _nonneg(v[0] - sum(v[1:])), " − ".join, _same),
    "rate_of_base": Operation((2, 2), lambda v: v[0] / 100 * v[1], lambda s: f"{s[0]} / 100 × {s[1]}",
                              lambda common: "" if common == "percent" else common, lambda ts: ts[1].unit),
    "years_between": Operation((2, 2), lambda v: abs(v[0] - v[1]), " − ".join, _none, _no_unit),
}


def common_scale(terms: Sequence[Term]) -> tuple[list[float], str]:
    """The operands' values on one scale, and that scale. For a rate of a base the rate's
    percent is part of the operation, so the base's scale is the common one."""
    scales = {t.scale for t in terms}
    if len(scales) == 1:
        return [t.value for t in terms], terms[0].scale
    return [t.value * SCALE_FACTORS.get(t.scale, 1.0) for t in terms], ""


def shown_term(t: Term, value: float | None = None) -> str:
    """An operand as a formula writes it: "358 [1]" (the UI links the [n] to its citation)."""
    v = t.value if value is None else value
    number = f"{v:.0f}" if t.year else format_number(v)
    return f"{number} [{t.citation}]"


def compute(operation: str, terms: Sequence[Term]) -> Result | None:
    """`operation` over `terms` (see OPERATIONS), or None when it has no result (a zero base,
    parts larger than their whole, the wrong number of operands)."""
    op = OPERATIONS.get(operation)
    terms = list(terms)
    low, high = op.arity if op else (0, 0)
    if op is None or len(terms) < low or (high is not None and len(terms) > high):
        return None
    if operation == "rate_of_base":
        values, common = [t.value for t in terms], terms[1].scale
    else:
        values, common = common_scale(terms)
    result = op.apply(values)
    if result is None:
        return None
    result = round(result, ROUND_DIGITS)
    formula = op.formula([shown_term(t, v) for t, v in zip(terms, values)])
    operands = [Operand(value=v, text=t.text or format_number(v), citation=t.citation) for t, v in zip(terms, values)]
    scale = op.scale(common)
    points = operation in ("difference", "change") and all(t.percent for t in terms)
    if points:
        shown = f"{format_number(result)} percentage points"
    elif operation == "years_between":
        shown = f"{result:.0f}"
    else:
        shown = f"{format_number(result)}{'%' if scale == 'percent' else ''}"
    return Result(computation=Computation(operation=operation, formula=formula, operands=operands, result=result),
                  scale=scale, unit=op.unit(terms), shown=shown)
