"""Fit the figure chooser's weights on dev gold sets: `python -m eval.fit_scorer`.

For every dev question whose answer is one figure the report states (answer_type "span"),
the candidates the chooser ranks (`QA.figure_candidates`) become rows: their features
(qa/features.py) and whether the figure is the gold one (TAT-QA scoring, eval/score.py).
A logistic regression over the rows is the fitted scorer. Its accuracy is measured by
cross-validation grouped by document, so no document is both fitted and scored on: the
share of questions whose best-ranked figure is right, beside the hand weights' share on
the same questions. Weights are rescaled so scores spread as the hand scorer's do (the
chooser's margins are in those units), and written with the figures to qa/scorer_fitted.json.

    python -m eval.fit_scorer --out qa/scorer_fitted.json GOLD@DATA_DIR [GOLD@DATA_DIR ...]

Each GOLD file is asked of the store in DATA_DIR. Dev splits only: test splits stay unseen.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from eval.run import load_gold_files, resolve_documents
from eval.score import compare_values

SEED = 0
FOLDS = 5
TOP = 30  # candidates kept per question, best hand-ranked first
C = 0.01  # L2 strength: strong, so the fit stays near the hand direction; of 0.01, 0.1, 1 and 10 the best in grouped CV
PAIRS_PER_QUESTION = 10  # wrong figures each right one is paired with, best hand-ranked first


@dataclass
class Rows:
    x: list[list[float]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    hand: list[float] = field(default_factory=list)
    question: list[int] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    questions: int = 0
    choosable: int = 0


def collect(sets: list[tuple[Path, Path]], embedder=None) -> Rows:
    """Candidate rows of every span question of the gold sets, over their stores."""
    from qa.features import FEATURES
    from qa.ranking import scale_of
    from qa.service import QA
    from reportqa.settings import Settings

    rows = Rows()
    for gold_path, data_dir in sets:
        settings = Settings(data_dir=data_dir)
        qa = QA(settings, embedder=embedder)
        embedder = qa.embedder
        items, errors = load_gold_files([gold_path])
        runnable, _ = resolve_documents(settings, items)
        for loc, item, doc in runnable:
            values = item.candidates()[0][0] if item.candidates() else []
            if item.answer_type != "span" or len(values) != 1:
                continue
            gold, gold_scale = values[0], item.value_scales[0] if item.value_scales else ""
            cands = qa.figure_candidates(item.question, doc)[:TOP]
            rows.questions += 1
            labels = [int(compare_values(c.value, scale_of(c), gold, gold_scale, item.tolerance).correct) for c in cands]
            if not any(labels):
                continue  # no stated figure is the answer: nothing to choose
            rows.choosable += 1
            qid = rows.choosable
            for c, label in zip(cands, labels):
                rows.x.append([c.features.get(k, 0.0) for k in FEATURES])
                rows.y.append(label)
                rows.hand.append(c.score)
                rows.question.append(qid)
                rows.group.append(f"{gold_path.name}:{doc}")
    return rows


def _top1(scores, rows: Rows, keep) -> tuple[int, int]:
    """(questions whose best-scored candidate is right, questions) among rows with keep[i]."""
    best: dict[int, tuple[float, int]] = {}
    for i, ok in enumerate(keep):
        if not ok:
            continue
        q = rows.question[i]
        if q not in best or scores[i] > best[q][0]:
            best[q] = (scores[i], rows.y[i])
    return sum(y for _, y in best.values()), len(best)


def _pairs(rows: Rows, x, keep):
    """Pairwise rows of the questions in `keep`: (right − wrong, 1) and (wrong − right, 0)."""
    import numpy as np

    by_q: dict[int, list[int]] = {}
    for i in np.flatnonzero(keep):
        by_q.setdefault(rows.question[i], []).append(i)
    diffs, labels = [], []
    for idx in by_q.values():
        right = [i for i in idx if rows.y[i]]
        wrong = [i for i in idx if not rows.y[i]][:PAIRS_PER_QUESTION]
        for r in right:
            for w in wrong:
                diffs += [x[r] - x[w], x[w] - x[r]]
                labels += [1, 0]
    return np.array(diffs), np.array(labels)


def fit(rows: Rows, c: float = C) -> dict:
    """Grouped cross-validation, then the weights fitted on all rows.

    The model is pairwise (a right figure against each wrong one of the same question), the
    way the chooser uses scores: only their order within a question matters. The hand score
    is one more input, so the fit starts from the hand weights and learns corrections.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from qa.features import FEATURES, scorer_weights

    hand = np.array(rows.hand)
    x = np.column_stack([np.array(rows.x), hand])
    y, groups = np.array(rows.y), np.array(rows.group)

    def fitted_on(keep):
        d, l = _pairs(rows, x, keep)
        return LogisticRegression(C=c, fit_intercept=False, max_iter=5000, random_state=SEED).fit(d, l)

    fitted_right = hand_right = total = 0
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        keep_train = np.zeros(len(y), bool)
        keep_train[train] = True
        m = fitted_on(keep_train)
        right, n = _top1(x @ m.coef_[0], rows, ~keep_train)
        fitted_right += right
        total += n
        hand_right += _top1(hand, rows, ~keep_train)[0]
    m = fitted_on(np.ones(len(y), bool))
    coef, on_hand = m.coef_[0][:-1], m.coef_[0][-1]
    hw = scorer_weights("hand")
    folded = np.array([w + on_hand * hw.get(k, 0.0) for k, w in zip(FEATURES, coef)])
    raw = np.array(rows.x) @ folded
    scale = float(np.std(hand) / np.std(raw)) if np.std(raw) > 0 else 1.0
    weights = {k: round(float(w) * scale, 6) for k, w in zip(FEATURES, folded)}
    return {
        "note": "Fitted by `python -m eval.fit_scorer` (pairwise logistic regression over qa/features.py features "
                "of the candidates of dev span questions, the hand score as one more input; a right figure "
                "against the wrong ones of its question). Rescaled to the hand scorer's spread. Do not edit by "
                "hand: refit.",
        "weights": weights,
        "cv": {"folds": FOLDS, "grouped_by": "document", "questions": int(total),
               "fitted_top1": round(fitted_right / max(total, 1), 4), "hand_top1": round(hand_right / max(total, 1), 4)},
        "C": c, "rows": len(y), "questions": rows.questions, "choosable": rows.choosable, "seed": SEED,
    }


def dev_sets(parser: argparse.ArgumentParser, specs: list[str], what: str) -> list[tuple[Path, Path]]:
    """(gold file, store folder) of each GOLD@DATA_DIR argument; a test split is refused
    ("<what> on dev splits only"), as is a malformed argument, through `parser.error`."""
    sets = []
    for spec in specs:
        gold, sep, data_dir = spec.rpartition("@")
        if not sep or not gold:
            parser.error(f"{spec!r}: expected GOLD@DATA_DIR")
        if ".test." in Path(gold).name:
            parser.error(f"{gold}: a test split; {what} on dev splits only")
        sets.append((Path(gold), Path(data_dir)))
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_scorer", description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", metavar="GOLD@DATA_DIR", help="a dev gold file and the store to ask it of")
    parser.add_argument("--out", type=Path, required=True, help="where to write the fitted weights (JSON)")
    args = parser.parse_args(argv)
    sets = dev_sets(parser, args.sets, "the scorer is fitted")
    from reportqa import offline

    offline.apply()
    result = fit(collect(sets))
    result["sets"] = [p.name for p, _ in sets]
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    cv = result["cv"]
    print(f"{result['choosable']} of {result['questions']} span questions have the answer among their candidates; "
          f"{result['rows']} rows")
    print(f"grouped {cv['folds']}-fold CV top-1: fitted {cv['fitted_top1']:.4f}, hand {cv['hand_top1']:.4f} "
          f"({cv['questions']} questions)")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
