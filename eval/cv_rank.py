"""Ranking-level grouped CV (eval/cv.py): top-1 of the candidate rows of eval/fit_scorer.py.

Per fold, on the rows of the training documents: the pairwise logistic regression of
eval/fit_scorer.py (its `fit`, whose weights the engine can use as they are), and, when
lightgbm is installed, a LambdaRank and a binary gradient-boosted model over the same
features plus the hand score. Each is scored on the held-out documents' questions: the share
whose best-scored candidate is the gold figure, beside the hand scorer's share. Only
questions with the gold figure among their candidates have rows (fit_scorer's `collect`).
"""

from __future__ import annotations

from collections.abc import Mapping

from eval.cv_metrics import SEED
from eval.fit_scorer import Rows, _top1, fit

LGBM_PARAMS = dict(n_estimators=200, learning_rate=0.05, num_leaves=15, min_child_samples=10,
                   subsample=0.8, subsample_freq=1, colsample_bytree=0.8, random_state=SEED, verbose=-1)


def merged(parts: Mapping[str, Rows]) -> Rows:
    """One Rows of each family's rows, groups renamed `family/doc` and question ids kept apart."""
    out = Rows()
    for family, rows in parts.items():
        base = max(out.question, default=0)
        out.x += rows.x
        out.y += rows.y
        out.hand += rows.hand
        out.question += [base + q for q in rows.question]
        out.group += [f"{family}/{g.split(':', 1)[1]}" for g in rows.group]
        out.questions += rows.questions
        out.choosable += rows.choosable
    return out


def subset(rows: Rows, keep) -> Rows:
    """The rows with keep[i] (whole questions, as folds are by document)."""
    out = Rows(questions=0, choosable=len({q for q, k in zip(rows.question, keep) if k}))
    for i, k in enumerate(keep):
        if k:
            out.x.append(rows.x[i])
            out.y.append(rows.y[i])
            out.hand.append(rows.hand[i])
            out.question.append(rows.question[i])
            out.group.append(rows.group[i])
    return out


def _lgbm(rows: Rows, train, test, gains: dict[str, float]) -> dict[str, list[float]]:
    """Scores of the test rows by a LambdaRank and a binary lightgbm model fitted on the train rows;
    the LambdaRank model's split gain per feature is added to `gains` ("hand" for the hand score)."""
    import lightgbm
    import numpy as np

    x = np.column_stack([np.array(rows.x), np.array(rows.hand)])
    y, q = np.array(rows.y), np.array(rows.question)
    # LambdaRank wants each question's rows together: order the training rows by question.
    tr = train[np.argsort(q[train], kind="stable")]
    sizes = np.unique(q[tr], return_counts=True)[1]
    ranker = lightgbm.LGBMRanker(objective="lambdarank", **LGBM_PARAMS).fit(x[tr], y[tr], group=sizes)
    binary = lightgbm.LGBMClassifier(objective="binary", **LGBM_PARAMS).fit(x[train], y[train])
    from qa.features import FEATURES

    for name, gain in zip([*FEATURES, "hand"], ranker.booster_.feature_importance(importance_type="gain")):
        gains[name] = gains.get(name, 0.0) + float(gain)
    return {"lgbm_lambdarank": ranker.predict(x[test]).tolist(),
            "lgbm_binary": binary.predict_proba(x[test])[:, 1].tolist()}


def rank_cv(rows: Rows, fold_of: Mapping[str, int], family_of_group=lambda g: g.split("/", 1)[0],
            with_lgbm: bool = True) -> tuple[dict, list[dict[str, float]], dict[str, float]]:
    """({model: {family: [right, questions]}}, fitted weights per fold, lightgbm gain share per
    feature) over the folds.

    Models: "hand" (the hand score), "logreg" (eval.fit_scorer.fit on the training rows;
    its weights are what the engine is given per fold), and the lightgbm ones."""
    import numpy as np

    n_folds = max(fold_of.values()) + 1
    fold = np.array([fold_of[g] for g in rows.group])
    x = np.array(rows.x)
    families = sorted({family_of_group(g) for g in rows.group})
    out: dict[str, dict[str, list[int]]] = {}
    weights = []
    gains: dict[str, float] = {}
    for k in range(n_folds):
        train, test = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        w = fit(subset(rows, fold != k))["weights"]
        weights.append(w)
        from qa.features import FEATURES

        scores = {"hand": np.array(rows.hand), "logreg": x @ np.array([w[f] for f in FEATURES])}
        if with_lgbm:
            full = np.full(len(rows.y), -np.inf)
            for name, s in _lgbm(rows, train, test, gains).items():
                scores[name] = full.copy()
                scores[name][test] = s
        for name, s in scores.items():
            for fam in families:
                keep = (fold == k) & np.array([family_of_group(g) == fam for g in rows.group])
                right, n = _top1(s, rows, keep)
                cell = out.setdefault(name, {}).setdefault(fam, [0, 0])
                cell[0] += right
                cell[1] += n
    for cells in out.values():
        cells["overall"] = [sum(c[0] for c in cells.values()), sum(c[1] for c in cells.values())]
    total = sum(gains.values()) or 1.0
    shares = {k: round(v / total, 4) for k, v in sorted(gains.items(), key=lambda kv: -kv[1]) if v > 0}
    return out, weights, shares
