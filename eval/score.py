"""Scoring a predicted value against a gold item, following TAT-QA's exact-match rules.

The rules, and where we depart from TAT-QA:

- **Rounding.** Values are rounded to 2 decimals (half up) before they are compared,
  in the gold's units: 3.456 matches 3.46, 3.454 does not.
- **Scales.** The predicted value is converted into the scale the gold value is
  written in (see ``GoldItem.value_scales``): 36,500,000 unscaled and 36,500 thousand
  both match gold 36.5 million. A prediction carrying a *different, non-empty* scale
  that does not convert to the gold value is a ``scale mismatch`` (36.5 thousand vs
  36.5 million; 36.5 million vs gold 36.5 written without a scale).
- **Unscaled predictions.** TAT-QA marks a prediction wrong whenever its scale
  differs from the gold's. We accept a prediction with scale ``''`` whose number
  equals the gold number as written (36.5 vs gold 36.5 million), because the product
  quotes a figure the way the report writes it and a table's "in millions" header
  does not travel with the number.
- **Percentages** are compared in percent units. Gold 15.01 percent is matched by
  15.01 percent, by 15.01 unscaled (as written) and by 0.1501 unscaled (ratio form).
  A predicted percentage matches an unscaled gold ratio the same way (36 percent vs
  0.36). Percent and thousand/million/billion never match.
- **Signs** must agree exactly; a parenthesised gold string "(8.1)" is -8.1.
- **Lists** (multi-span): the set of predicted values must equal the set of gold
  values, order-free, each value matched once; no partial credit, and extra values
  are wrong. Duplicates collapse, as in TAT-QA's set comparison.
- **Null gold**: correct only when the system abstained. A gold number with an
  abstention is wrong (``abstained``); a gold null with a value is ``should abstain``.
- **Alternatives** are tried after the main answer; ``tolerance`` is absolute, in
  the gold's units, and applies to the answer and to every alternative.

Reasons for a correct verdict: ``exact``, ``converted scale``, ``as written``,
``ratio form``, ``within tolerance``, ``alternative`` (prefixed to the others, e.g.
``alternative: exact``), ``abstained correctly``. For a wrong one: ``wrong value``,
``wrong sign``, ``scale mismatch``, ``abstained``, ``should abstain``, ``no value``,
``missing 1 of 2 values``, ``1 extra value``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from eval.gold import GoldItem, normalize_scale

if TYPE_CHECKING:
    from reportqa.models import Answer

_MULT = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_CENT = Decimal("0.01")
# Slack for float noise in the tolerance check (e.g. 36.6 - 36.5 > 0.1 in binary).
_EPS = 1e-9


@dataclass(frozen=True)
class Verdict:
    """Whether a prediction is right, and why (a short, fixed vocabulary)."""

    correct: bool
    reason: str


def _r2(x: float) -> Decimal:
    # Half-up on the decimal text: Python's round() gives round(2.675, 2) == 2.67.
    return Decimal(repr(float(x))).quantize(_CENT, rounding=ROUND_HALF_UP)


def _ways(p: float, ps: str, g: float, gs: str) -> list[tuple[float, float, str, float]]:
    """The ways a prediction may be read against a gold value.

    Each is ``(pred, gold, reason, tolerance factor)`` with both numbers in one unit;
    the factor turns a tolerance in gold units into that unit.
    """
    if ps == gs:
        return [(p, g, "exact", 1.0)]
    ways = []
    if ps == "" and gs:
        ways.append((p, g, "as written", 1.0))
    if ps in _MULT and gs in _MULT:
        ways.append((p * _MULT[ps] / _MULT[gs], g, "converted scale", 1.0))
    elif ps == "" and gs == "percent":
        ways.append((p * 100, g, "ratio form", 1.0))
    elif ps == "percent" and gs == "":
        ways.append((p, g * 100, "ratio form", 100.0))
    return ways


def _abs(x: float, scale: str) -> float:
    return x * _MULT.get(scale, 1.0)


def compare_values(pred: float, pred_scale: str, gold: float, gold_scale: str,
                   tolerance: float | None = None) -> Verdict:
    """Score one predicted number against one gold number (see the module docstring)."""
    if not math.isfinite(pred):
        return Verdict(False, "wrong value")
    ways = _ways(pred, pred_scale, gold, gold_scale)
    for p, g, reason, factor in ways:
        if _r2(p) == _r2(g):
            return Verdict(True, reason)
    if tolerance is not None:
        for p, g, _, factor in ways:
            if abs(p - g) <= tolerance * factor + _EPS:
                return Verdict(True, "within tolerance")
    # Diagnose the miss: it helps to know a figure was right but mis-scaled or mis-signed.
    if gold != 0 and any(_r2(-p) == _r2(g) for p, g, _, _ in ways):
        return Verdict(False, "wrong sign")
    if _r2(pred) == _r2(gold) and pred_scale != gold_scale:
        return Verdict(False, "scale mismatch")
    pa, ga = _abs(pred, pred_scale), _abs(gold, gold_scale)
    if ga and pa:
        ratio = abs(pa / ga)
        if any(math.isclose(ratio, f, rel_tol=1e-6) for f in (1e-9, 1e-6, 1e-3, 1e-2, 1e2, 1e3, 1e6, 1e9)):
            return Verdict(False, "scale mismatch")
    return Verdict(False, "wrong value")


def _max_matching(edges: list[list[int]], n_right: int) -> int:
    """Size of a maximum bipartite matching (Kuhn's algorithm; lists are tiny)."""
    match_right = [-1] * n_right

    def augment(u: int, seen: list[bool]) -> bool:
        for v in edges[u]:
            if not seen[v]:
                seen[v] = True
                if match_right[v] == -1 or augment(match_right[v], seen):
                    match_right[v] = u
                    return True
        return False

    return sum(augment(u, [False] * n_right) for u in range(len(edges)))


def _dedupe(values: list[float], scales: list[str]) -> tuple[list[float], list[str]]:
    seen, out_v, out_s = set(), [], []
    for v, s in zip(values, scales):
        key = (_r2(v), s)
        if key not in seen:
            seen.add(key)
            out_v.append(v)
            out_s.append(s)
    return out_v, out_s


def _score_values(pred: list[float], pred_scale: str, gold: list[float], gold_scales: list[str],
                  tolerance: float | None) -> Verdict:
    pred, _ = _dedupe(pred, [pred_scale] * len(pred))
    gold, gold_scales = _dedupe(gold, gold_scales)
    if len(pred) == 1 and len(gold) == 1:
        return compare_values(pred[0], pred_scale, gold[0], gold_scales[0], tolerance)
    verdicts = [[compare_values(p, pred_scale, g, gs, tolerance) for p in pred]
                for g, gs in zip(gold, gold_scales)]
    edges = [[j for j, v in enumerate(row) if v.correct] for row in verdicts]
    matched = _max_matching(edges, len(pred))
    if matched < len(gold):
        return Verdict(False, f"missing {len(gold) - matched} of {len(gold)} values")
    if len(pred) > len(gold):
        extra = len(pred) - len(gold)
        return Verdict(False, f"{extra} extra value{'s' if extra > 1 else ''}")
    reasons = sorted({v.reason for row in verdicts for v in row if v.correct})
    # Report the non-exact reading if one was needed, so it shows up in error analysis.
    inexact = [r for r in reasons if r != "exact"]
    return Verdict(True, ", ".join(inexact) if inexact else "exact")


def _as_list(value: Any) -> list[float]:
    if isinstance(value, (list, tuple)):
        return [float(v) for v in value]
    return [float(value)]


def score(gold: GoldItem, predicted_value: float | list[float] | None, predicted_scale: str = "",
          abstained: bool = False) -> Verdict:
    """Score a prediction (value, scale, whether the system abstained) against ``gold``."""
    if abstained:
        if gold.expects_abstention:
            return Verdict(True, "abstained correctly")
        return Verdict(False, "abstained")
    if predicted_value is None or (isinstance(predicted_value, (list, tuple)) and not predicted_value):
        return Verdict(False, "should abstain" if gold.expects_abstention else "no value")
    try:
        pred_scale = normalize_scale(predicted_scale)
    except ValueError:
        # An unexpected unit word ("points") is kept: it then only matches itself.
        pred_scale = " ".join(str(predicted_scale).lower().split())
    pred = _as_list(predicted_value)

    first: Verdict | None = None
    for i, (values, scales) in enumerate(gold.candidates()):
        verdict = _score_values(pred, pred_scale, values, scales, gold.tolerance)
        if verdict.correct:
            main = i == 0 and not gold.expects_abstention
            return verdict if main else Verdict(True, f"alternative: {verdict.reason}")
        first = first or verdict
    if gold.expects_abstention:
        return Verdict(False, "should abstain")
    return first or Verdict(False, "wrong value")


def score_answer(gold: GoldItem, answer: Answer) -> Verdict:
    """Score a ``reportqa.models.Answer``; ``not_found`` or no value counts as abstaining."""
    abstained = answer.kind == "not_found" or answer.value is None
    return score(gold, answer.value, answer.scale, abstained)


_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ",
})
# Below this length a cited text inside a gold sentence proves little:
# "$7.4 million" occurs in many sentences.
MIN_OVERLAP = 20


def _norm_text(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split()).casefold()


def evidence_hit(gold: GoldItem, cited_texts: list[str], min_overlap: int = MIN_OVERLAP) -> bool | None:
    """Whether any cited text covers a gold evidence sentence.

    ``None`` when the gold has no evidence. Otherwise ``True`` when, after
    normalising whitespace, quotes, dashes and case, a gold evidence string lies
    inside a cited text (a citation of the whole paragraph counts), or a cited text
    of at least ``min_overlap`` characters lies inside a gold evidence string (one
    clause of a long sentence counts, a bare figure such as "$7.4 million" does not).
    """
    golds = [g for g in (_norm_text(e) for e in gold.evidence) if g]
    if not golds:
        return None
    for c in (_norm_text(t) for t in cited_texts):
        if not c:
            continue
        for g in golds:
            if g in c or (len(c) >= min_overlap and c in g):
                return True
    return False


__all__ = ["Verdict", "compare_values", "score", "score_answer", "evidence_hit", "MIN_OVERLAP"]
