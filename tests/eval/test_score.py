"""The scoring rules as a golden table of tricky gold/prediction pairs, plus evidence hits."""

from __future__ import annotations

import pytest

from eval.gold import GoldItem
from eval.score import Verdict, compare_values, evidence_hit, score, score_answer
from reportqa.models import Answer, Citation


def g(answer, scale="", **kw) -> GoldItem:
    return GoldItem.model_validate({"question": "q?", "answer": answer, "scale": scale, **kw})


M = "million"
P = "percent"

# (gold, predicted value, predicted scale, abstained, correct, reason)
CASES = [
    # Scales: the same amount written three ways, and near misses.
    pytest.param(g(36.5, M), 36.5, M, False, True, "exact", id="million-vs-million"),
    pytest.param(g(36.5, M), 36_500_000, "", False, True, "converted scale", id="million-vs-absolute"),
    pytest.param(g(36.5, M), 36.5, "thousand", False, False, "scale mismatch", id="million-vs-thousand"),
    pytest.param(g(36.5, M), 36.5, "", False, True, "as written", id="unscaled-pred-quotes-as-written"),
    pytest.param(g(36_500_000), 36.5, M, False, True, "converted scale", id="absolute-gold-vs-million"),
    pytest.param(g(36.5), 36.5, M, False, False, "scale mismatch", id="unscaled-gold-vs-million"),
    pytest.param(g(36.5, M), 36_500, "thousand", False, True, "converted scale", id="thousands-of-millions"),
    pytest.param(g(36.5, M), 0.0365, "billion", False, True, "converted scale", id="billion-vs-million"),
    pytest.param(g(36.5, M), 36_500, "", False, False, "scale mismatch", id="off-by-a-thousand"),
    pytest.param(g("$36.5 million"), 36.5, M, False, True, "exact", id="scale-word-in-string-gold"),
    pytest.param(g(7.4, "", text_scale=M), 7_400_000, "", False, True, "converted scale",
                 id="tatqa-text-scale"),
    pytest.param(g(0.9, "thousand", context_scale=M), 0.9, M, False, True, "exact",
                 id="tatqa-context-scale-wins"),
    pytest.param(g(383_000), 0.38, M, False, False, "wrong value", id="imprecise-conversion"),
    # Percentages, compared in percent units.
    pytest.param(g(15.01, P), 15.01, P, False, True, "exact", id="percent-vs-percent"),
    pytest.param(g(15.01, P), 0.1501, "", False, True, "ratio form", id="percent-vs-ratio"),
    pytest.param(g(15.01, P), 15.01, "", False, True, "as written", id="percent-vs-bare-number"),
    pytest.param(g("19.0%"), 19, P, False, True, "exact", id="percent-sign-in-string-gold"),
    pytest.param(g(0.36), 36, P, False, True, "ratio form", id="ratio-gold-vs-percent"),
    pytest.param(g(15, P), 15, M, False, False, "scale mismatch", id="percent-vs-million"),
    pytest.param(g(15.01, P), 15.1, P, False, False, "wrong value", id="percent-wrong"),
    # Signs and parentheses.
    pytest.param(g("(8.1)"), -8.1, "", False, True, "exact", id="parenthesised-negative"),
    pytest.param(g(-8.1), 8.1, "", False, False, "wrong sign", id="sign-must-match"),
    pytest.param(g("$(8.1) million"), -8_100_000, "", False, True, "converted scale",
                 id="parenthesised-money"),
    pytest.param(g(-8.1, P), -0.081, "", False, True, "ratio form", id="negative-percent-ratio"),
    # Thousands separators and number words in string gold.
    pytest.param(g("1,234,567"), 1_234_567, "", False, True, "exact", id="thousands-separators"),
    pytest.param(g("twelve"), 12, "", False, True, "exact", id="number-word"),
    pytest.param(g("twelve"), 13, "", False, False, "wrong value", id="number-word-wrong"),
    pytest.param(g("1,234.5 thousand"), 1.2345, M, False, True, "converted scale",
                 id="separators-and-scale"),
    # Rounding to 2 decimals (half up).
    pytest.param(g(3.46), 3.456, "", False, True, "exact", id="rounds-up-to-gold"),
    pytest.param(g(3.46), 3.454, "", False, False, "wrong value", id="rounds-down-away"),
    pytest.param(g(3.456), 3.46, "", False, True, "exact", id="gold-rounded-too"),
    pytest.param(g(2.68), 2.675, "", False, True, "exact", id="half-up-not-bankers"),
    # Lists: set equality, order-free, no partial credit.
    pytest.param(g([54.1, 4.8], M), [4.8, 54.1], M, False, True, "exact", id="list-order-free"),
    pytest.param(g([54.1, 4.8], M), [54.1], M, False, False, "missing 1 of 2 values",
                 id="list-missing-one"),
    pytest.param(g([54.1, 4.8], M), [54.1, 4.8, 7.0], M, False, False, "1 extra value",
                 id="list-extra-one"),
    pytest.param(g([54.1, 4.8], M), [54_100_000, 4_800_000], "", False, True, "converted scale",
                 id="list-absolute"),
    pytest.param(g([1, 2]), [1, 1, 2], "", False, True, "exact", id="list-duplicates-collapse"),
    pytest.param(g([1, 2]), 1, "", False, False, "missing 1 of 2 values", id="list-gold-scalar-pred"),
    pytest.param(g(5), [5], "", False, True, "exact", id="scalar-gold-list-pred"),
    pytest.param(g(5), [5, 6], "", False, False, "1 extra value", id="scalar-gold-two-preds"),
    pytest.param(g([1.5, 300], "", text_scale=[M, ""]), [300, 1_500_000], "", False, True,
                 "converted scale", id="list-mixed-scales"),
    # Null gold answers and abstentions.
    pytest.param(g(None), None, "", True, True, "abstained correctly", id="null-abstain"),
    pytest.param(g(None), 5, "", False, False, "should abstain", id="null-answered"),
    pytest.param(g(5), None, "", True, False, "abstained", id="number-abstained"),
    pytest.param(g(5), None, "", False, False, "no value", id="number-no-value"),
    # Alternatives and tolerance.
    pytest.param(g(49, accept=[48]), 48, "", False, True, "alternative: exact", id="accept"),
    pytest.param(g(49, answer_alternatives=[49, 50]), 50, "", False, True, "alternative: exact",
                 id="drop-alternatives"),
    pytest.param(g(49, accept=[48]), 47, "", False, False, "wrong value", id="no-alternative-matches"),
    pytest.param(g(None, accept=[0]), 0, "", False, True, "alternative: exact", id="null-or-zero"),
    pytest.param(g(100, tolerance=0.5), 100.4, "", False, True, "within tolerance", id="tolerance"),
    pytest.param(g(100, tolerance=0.5), 100.6, "", False, False, "wrong value", id="beyond-tolerance"),
    pytest.param(g(36.5, M, tolerance=0.1), 36_600_000, "", False, True, "within tolerance",
                 id="tolerance-in-gold-units"),
    pytest.param(g(15, P, tolerance=0.5), 0.152, "", False, True, "within tolerance",
                 id="tolerance-percent-ratio"),
]


@pytest.mark.parametrize("gold,value,scale,abstained,correct,reason", CASES)
def test_golden_table(gold, value, scale, abstained, correct, reason):
    assert score(gold, value, scale, abstained) == Verdict(correct, reason)


def test_table_is_large_enough():
    assert len(CASES) >= 30


def test_scale_aliases_accepted_for_prediction():
    assert score(g(36.5, M), 36.5, "Millions").correct
    assert score(g(15, P), 15, "%").correct


def test_unknown_prediction_scale_only_matches_itself():
    assert score(g(36.5, M), 36.5, "points") == Verdict(False, "scale mismatch")


def test_non_finite_prediction_is_wrong():
    assert not compare_values(float("nan"), "", 1.0, "").correct


def _answer(value, scale="", kind="figure") -> Answer:
    return Answer(question="q?", text="t", value=value, scale=scale, kind=kind)


@pytest.mark.parametrize(
    "gold,answer,expected",
    [
        (g(36.5, M), _answer(36.5, M), Verdict(True, "exact")),
        (g(36.5, M), _answer(None, kind="not_found"), Verdict(False, "abstained")),
        (g(None), _answer(None, kind="not_found"), Verdict(True, "abstained correctly")),
        # A passage with no value is an abstention from giving a figure.
        (g(None), _answer(None, kind="passage"), Verdict(True, "abstained correctly")),
        (g(None), _answer(3.0), Verdict(False, "should abstain")),
        # not_found wins even if a value leaked through.
        (g(3.0), _answer(3.0, kind="not_found"), Verdict(False, "abstained")),
        (g([1, 2]), _answer([2.0, 1.0], kind="computed"), Verdict(True, "exact")),
    ],
)
def test_score_answer(gold, answer, expected):
    assert score_answer(gold, answer) == expected


SENT = "Accounts receivable from Customer B totaled approximately $7.4 million, or 36%."


def _gold_ev(evidence):
    return g(7.4, M, evidence=evidence)


@pytest.mark.parametrize(
    "evidence,cited,expected",
    [
        ([], [SENT], None),
        ([SENT], [], False),
        ([SENT], [SENT], True),
        # Curly quotes, line breaks and case do not matter.
        (["The Company\u2019s  revenue\nrose by 5% in fiscal 2019."],
         ["the company's revenue rose by 5% in fiscal 2019."], True),
        # A citation of the whole paragraph covers the sentence.
        ([SENT], ["Intro sentence here. " + SENT + " Another one."], True),
        # A clause of the gold sentence, long enough to mean something.
        ([SENT], ["Accounts receivable from Customer B totaled"], True),
        # A bare figure is not evidence.
        ([SENT], ["$7.4 million"], False),
        ([SENT], ["Something else entirely, about a different customer."], False),
        # Very short gold evidence still matches an identical citation.
        (["Revenue rose."], ["Revenue rose."], True),
        (["Revenue rose."], ["Revenue rose. Costs fell in the same period."], True),
        # ...but a short citation inside long gold evidence is not enough.
        (["Revenue rose. Costs fell in the same period."], ["Revenue rose."], False),
        (["first sentence that is unrelated to it", SENT], ["x", SENT], True),
    ],
)
def test_evidence_hit(evidence, cited, expected):
    assert evidence_hit(_gold_ev(evidence), cited) is expected


def test_evidence_hit_accepts_citation_texts():
    cit = Citation(doc_id="d", title="T", file="f.txt", sentence_index=0, start=0, end=len(SENT), text=SENT)
    assert evidence_hit(_gold_ev([SENT]), [c.text for c in [cit]]) is True
