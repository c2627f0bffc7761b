"""Grouped CV's arithmetic (eval/cv_metrics.py, eval/cv_rank.py): folds keep a document whole and
are seeded, and the tallies count precision of the answered and abstentions on unanswerable."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from eval.cv_metrics import Tally, assign_folds, by_family, combine, tally, threshold_table
from eval.cv_rank import merged, rank_cv, subset
from eval.fit_abstention import choose
from eval.fit_scorer import Rows
from qa.features import FEATURES


@dataclass
class R:
    correct: bool
    abstained: bool
    gold: object
    error: str | None = None


def _groups() -> list[str]:
    """One entry per question: 23 documents with 1 to 9 questions each."""
    rng = random.Random(3)
    return [f"fam/doc{d}" for d in range(23) for _ in range(rng.randint(1, 9))]


def test_folds_keep_each_document_whole_and_cover_every_document():
    groups = _groups()
    fold_of = assign_folds(groups, folds=5, seed=0)
    assert set(fold_of) == set(groups)
    assert set(fold_of.values()) == set(range(5))  # no empty fold
    # A question's fold is its document's, so no document is both fitted and scored.
    by_fold: dict[int, set[str]] = {}
    for g in groups:
        by_fold.setdefault(fold_of[g], set()).add(g)
    for a in by_fold:
        for b in by_fold:
            if a != b:
                assert not by_fold[a] & by_fold[b]


def test_folds_are_seeded():
    groups = _groups()
    assert assign_folds(groups, seed=0) == assign_folds(list(groups), seed=0)
    assert any(assign_folds(groups, seed=0) != assign_folds(groups, seed=s) for s in (1, 2, 3))


def test_fewer_documents_than_folds_is_refused():
    with pytest.raises(ValueError, match="fewer than 5 folds"):
        assign_folds(["a", "a", "b", "c", "d"], folds=5)


def test_tally_counts_precision_of_the_answered_and_abstained_unanswerable():
    records = [
        R(correct=True, abstained=False, gold=3.0),    # answered, right
        R(correct=False, abstained=False, gold=3.0),   # answered, wrong
        R(correct=False, abstained=True, gold=3.0),    # abstained where the report says
        R(correct=True, abstained=True, gold=None),    # abstained, unanswerable: right
        R(correct=False, abstained=False, gold=None),  # answered an unanswerable one: wrong
        R(correct=False, abstained=False, gold=None, error="BadInput: x"),  # an error: neither
    ]
    t = tally(records)
    assert (t.n, t.correct) == (6, 2)
    assert (t.answered, t.answered_correct) == (3, 1)
    assert t.precision == pytest.approx(1 / 3, abs=1e-4)
    assert (t.unanswerable, t.unanswerable_abstained) == (3, 1)
    assert t.abstained == pytest.approx(1 / 3, abs=1e-4)
    assert t.accuracy == pytest.approx(2 / 6, abs=1e-4)
    assert "precision 1/3" in t.line() and "unanswerable abstained 1/3" in t.line()


def test_nothing_answered_has_no_precision_rather_than_zero():
    t = tally([R(correct=False, abstained=True, gold=1.0)])
    assert t.precision is None and t.abstained is None and t.accuracy == 0.0
    assert Tally().accuracy is None


def test_by_family_and_the_threshold_table_split_by_family():
    family_of = {"a:1": "a", "a:2": "a", "b:1": "b"}
    low = {"a:1": R(True, False, 1.0), "a:2": R(False, False, None), "b:1": R(False, False, 2.0)}
    high = {"a:1": R(True, False, 1.0), "a:2": R(True, True, None), "b:1": R(False, True, 2.0)}
    figures = by_family(high, family_of)
    assert list(figures) == ["a", "b", "overall"]
    assert (figures["a"].correct, figures["b"].correct, figures["overall"].correct) == (2, 0, 2)
    table = threshold_table({0.3: low, 0.6: high}, ["a:1", "a:2", "b:1"], family_of)
    assert table == {0.3: {"a": [1, 2], "b": [0, 1]}, 0.6: {"a": [2, 2], "b": [0, 1]}}
    assert choose(table) == 0.6
    # Chosen on family b's questions alone the two tie: the higher threshold wins the tie.
    assert threshold_table({0.3: low, 0.6: high}, ["b:1"], family_of) == {0.3: {"b": [0, 1]}, 0.6: {"b": [0, 1]}}


def _rows(n_docs: int = 12, per_doc: int = 8, family: str = "gold.jsonl") -> Rows:
    """Questions whose right figure has `year_hit`; the hand score is noise."""
    rng = random.Random(5)
    rows = Rows()
    for q in range(n_docs * per_doc):
        right = rng.randrange(4)
        for i in range(4):
            f = dict.fromkeys(FEATURES, 0.0)
            f["match"] = rng.random()
            f["year_hit"] = float(i == right)
            rows.x.append([f[k] for k in FEATURES])
            rows.y.append(int(i == right))
            rows.hand.append(rng.random())
            rows.question.append(q + 1)
            rows.group.append(f"{family}:d{q % n_docs}")
    rows.questions = rows.choosable = n_docs * per_doc
    return rows


def test_merged_rows_keep_families_questions_apart_and_subset_keeps_whole_questions():
    rows = merged({"x": _rows(6, 2), "y": _rows(6, 2)})
    assert len(set(rows.question)) == 24 and rows.choosable == 24
    assert {g.split("/")[0] for g in rows.group} == {"x", "y"}
    part = subset(rows, [g.startswith("y/") for g in rows.group])
    assert len(part.y) == len(rows.y) // 2 and part.choosable == 12


def test_rank_cv_scores_held_out_documents_and_the_fit_beats_noise():
    rows = merged({"fam": _rows()})
    fold_of = assign_folds(rows.group, folds=5, seed=0)
    result, weights, gains = rank_cv(rows, fold_of, with_lgbm=False)
    assert len(weights) == 5 and gains == {}
    right, n = result["logreg"]["overall"]
    assert n == rows.choosable  # every question scored once, in its held-out fold
    assert right / n > 0.9
    assert result["hand"]["overall"][0] / n < 0.5  # the hand score here is noise


def test_lightgbm_models_are_scored_beside_the_regression():
    pytest.importorskip("lightgbm")
    rows = merged({"fam": _rows(10, 4)})
    result, _, gains = rank_cv(rows, assign_folds(rows.group, folds=5, seed=0))
    assert next(iter(gains)) == "year_hit"  # the feature that tells right from wrong carries the most gain
    for model in ("lgbm_lambdarank", "lgbm_binary"):
        right, n = result[model]["overall"]
        assert n == rows.choosable and right / n > 0.9


def test_runs_of_separate_families_combine_into_an_overall_figure():
    a = {"v": {f: t.to_dict() for f, t in by_family({"a:1": R(True, False, 1.0), "a:2": R(False, True, None)},
                                                       {"a:1": "a", "a:2": "a"}).items()}}
    b = {"v": {f: t.to_dict() for f, t in by_family({"b:1": R(False, False, 2.0)}, {"b:1": "b"}).items()}}
    cells = combine([{"variants": a}, {"variants": b}])["v"]
    assert list(cells) == ["a", "b", "overall"]
    o = cells["overall"]
    assert (o.n, o.correct, o.answered, o.answered_correct, o.unanswerable, o.unanswerable_abstained) == (3, 1, 2, 1, 1, 1)
