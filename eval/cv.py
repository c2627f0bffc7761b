"""Grouped cross-validation of the answer engine by document: `python -m eval.cv`.

How the engine does on reports it was not fitted on. The questions of the gold sets are cut
into folds by document (seeded; eval/cv_metrics.py), so no document is both fitted and scored.
Reported per family (a gold set) and overall, for each variant: accuracy, precision of the
answered questions, share of unanswerable (gold null) questions abstained.

- **as is**: the engine with its shipped weights and threshold, nothing fitted.
- **hand + CV threshold**: the hand weights; the abstention threshold chosen on the training
  folds (eval.fit_abstention.choose over a grid) and applied to the held-out fold.
- **refit + CV threshold**: the scorer of eval/fit_scorer.py refitted on the training folds'
  candidate rows and given to the engine (its reader's weights) for the held-out fold, the
  threshold chosen as above. Approximation: the training questions' answers at each threshold
  are those their own fold's scorer gave (asking every training question again with every
  fold's scorer would cost five times the time); the threshold is one value of a small grid.
- **refit at the shipped threshold**.

Beside them, the ranking level (eval/cv_rank.py: top-1 of the candidate rows, logistic
regression and lightgbm) and the candidates' coverage: the share of answerable questions
whose gold figure(s) are among the candidates at all (all of them, and the 30 best), which
bounds any matcher that chooses among them.

    python -m eval.cv [--out cv.json] GOLD@DATA_DIR [GOLD@DATA_DIR ...]

A family is named by the gold file's folder when the file is `gold.jsonl`, else its stem.
Dev/train splits only: a test split is refused.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from eval.cv_metrics import FOLDS, SEED, assign_folds, by_family, combine, threshold_table
from eval.gold import GoldItem
from eval.run import GoldLocation

GRID = (0.35, 0.45, 0.55)  # around the shipped 0.45; fit_abstention's finer grid costs 8 asks a question
TOP = 30  # as eval.fit_scorer.TOP: the candidates its rows keep


@dataclass
class Question:
    """One runnable gold question, with its family and document (its fold's key)."""

    qid: str
    family: str
    group: str
    item: GoldItem
    doc: str | None
    loc: GoldLocation


def family_name(gold: Path) -> str:
    """`justice` for .../justice/gold.jsonl; the stem for any other file name."""
    return gold.parent.name if gold.name == "gold.jsonl" else gold.name.removesuffix(".jsonl")


def load_questions(sets: list[tuple[Path, Path]], embedder=None) -> tuple[dict[str, object], list[Question], list[str]]:
    """({family: QA on its store}, runnable questions, errors) of the gold sets."""
    from eval.run import load_gold_files, resolve_documents
    from qa.service import QA
    from reportqa.settings import Settings

    answerers, questions, errors = {}, [], []
    for gold, data_dir in sets:
        family = family_name(gold)
        qa = QA(Settings(data_dir=data_dir), embedder=embedder)
        embedder = qa.embedder
        answerers[family] = qa
        items, bad = load_gold_files([gold])
        runnable, unknown = resolve_documents(qa.settings, items)
        errors += bad + unknown
        for loc, item, doc in runnable:
            questions.append(Question(f"{family}:{item.id}", family, f"{family}/{doc}", item, doc, loc))
    return answerers, questions, errors


def use_scorer(qa, weights: dict[str, float] | None) -> None:
    """Rank candidates with `weights` from now on (None: the hand weights): the reader's
    scorer, which snapshots copy, and the current snapshot's (qa/reader.py)."""
    qa.reader.scorer = weights
    qa.reader.snapshot().scorer = weights


def ask(answerers, questions: list[Question]) -> dict:
    """{qid: QuestionResult} of the questions, asked of their family's store."""
    from eval.run import evaluate_one

    return {q.qid: evaluate_one(answerers[q.family], q.item, q.doc, q.loc) for q in questions}


def coverage(answerers, questions: list[Question], top: int = TOP) -> dict[str, dict[str, list[int]]]:
    """{family: {answer type: [gold among all candidates, among the `top` best, questions]}}
    over the answerable questions; a list answer counts when every value is there."""
    from eval.score import compare_values
    from qa.ranking import scale_of

    out: dict[str, dict[str, list[int]]] = {}
    for q in questions:
        if q.item.answer is None:
            continue
        cands = answerers[q.family].figure_candidates(q.item.question, q.doc)
        found = []
        for alt_values, alt_scales in q.item.candidates():
            hits = [min((i for i, c in enumerate(cands)
                         if compare_values(c.value, scale_of(c), v, s, q.item.tolerance).correct), default=None)
                    for v, s in zip(alt_values, alt_scales or [""] * len(alt_values))]
            if hits and all(h is not None for h in hits):
                found.append(max(hits))
        best = min(found, default=None)
        for key in (q.item.answer_type or "untyped", "all"):
            cell = out.setdefault(q.family, {}).setdefault(key, [0, 0, 0])
            cell[0] += best is not None
            cell[1] += best is not None and best < top
            cell[2] += 1
    return out


def cv_choice(sweep: dict, questions: list[Question], fold_of: dict[str, int]) -> tuple[dict, list[float]]:
    """Records of each question at the threshold chosen on the other folds, and the choices."""
    from eval.fit_abstention import choose

    family_of = {q.qid: q.family for q in questions}
    records, chosen = {}, []
    for k in range(max(fold_of.values()) + 1):
        train = [q.qid for q in questions if fold_of[q.group] != k]
        t = choose(threshold_table(sweep, train, family_of))
        chosen.append(t)
        for q in questions:
            if fold_of[q.group] == k and q.qid in sweep[t]:
                records[q.qid] = sweep[t][q.qid]
    return records, chosen


def run(sets: list[tuple[Path, Path]], grid=GRID, folds: int = FOLDS, seed: int = SEED,
        with_lgbm: bool = True, log=None, rank_only: bool = False) -> dict:
    """Every figure of the module docstring, as a JSON-ready dict (logging as it goes: print by default)."""
    log = log or functools.partial(print, flush=True)
    import importlib

    import qa.ranking
    from eval.cv_rank import merged, rank_cv
    from eval.fit_abstention import set_threshold
    from eval.fit_scorer import collect

    for name in ("qa.answers", "qa.choose", "qa.compute", "qa.complement", "qa.passages", "qa.table_precedence",
                 "qa.exclusion"):
        importlib.import_module(name)  # bind the threshold in every module before set_threshold replaces it
    shipped = qa.ranking.MIN_MATCH
    grid = sorted(set(grid) | {shipped})
    timings: dict[str, float] = {}
    started = time.perf_counter()
    answerers, questions, errors = load_questions(sets)
    for e in errors:
        log(f"skipped: {e}")
    fold_of = assign_folds([q.group for q in questions], folds, seed)
    family_of = {q.qid: q.family for q in questions}
    timings["load_s"] = time.perf_counter() - started
    log(f"{len(questions)} questions, {len(fold_of)} documents, {folds} folds (seed {seed})")

    started = time.perf_counter()
    embedder = next(iter(answerers.values())).embedder
    rows = merged({family_name(g): collect([(g, d)], embedder=embedder) for g, d in sets})
    ranking, weights, gains = rank_cv(rows, fold_of, with_lgbm=with_lgbm)
    timings["ranking_s"] = time.perf_counter() - started
    log(f"ranking level: {rows.choosable} of {rows.questions} single-figure span questions have the gold "
        f"among their {TOP} best candidates; {len(rows.y)} rows")
    for model, cells in ranking.items():
        log(f"  top-1 {model:16s} " + "  ".join(f"{f} {c}/{n}" for f, (c, n) in cells.items()))
    mean_w = {f: round(sum(w[f] for w in weights) / len(weights), 4) for f in weights[0]}
    mean_w = dict(sorted(mean_w.items(), key=lambda kv: -abs(kv[1])))
    log("  logreg weights (mean over folds, largest first): "
        + ", ".join(f"{f} {w:+.2f}" for f, w in list(mean_w.items())[:12]))
    if gains:
        log("  lambdarank gain share: " + ", ".join(f"{f} {g:.2f}" for f, g in list(gains.items())[:12]))
    result = {"questions": len(questions), "documents": len(fold_of), "folds": folds, "seed": seed,
              "fold_of": fold_of, "skipped": errors, "ranking_top1": ranking, "logreg_mean_weights": mean_w,
              "lambdarank_gain_share": gains, "timings_s": timings}
    if rank_only:
        result["timings_s"] = {k: round(v, 1) for k, v in timings.items()}
        return result

    started = time.perf_counter()
    cover = coverage(answerers, questions)
    timings["coverage_s"] = time.perf_counter() - started
    for fam, cells in cover.items():
        log(f"  coverage {fam}: " + "  ".join(f"{k} {a}/{n} (top {TOP}: {t})" for k, (a, t, n) in sorted(cells.items())))

    started = time.perf_counter()
    hand: dict[float, dict] = {}
    for t in grid:
        set_threshold(t)
        hand[t] = ask(answerers, questions)
        log(f"  hand at {t:.2f}: {by_family(hand[t], family_of)['overall'].line()}")
    timings["hand_sweep_s"] = time.perf_counter() - started

    started = time.perf_counter()
    refit: dict[float, dict] = {t: {} for t in grid}
    shipped_weights = {qa_: qa_.reader.scorer for qa_ in answerers.values()}
    for k, w in enumerate(weights):
        for qa_ in answerers.values():
            use_scorer(qa_, w)
        held = [q for q in questions if fold_of[q.group] == k]
        for t in grid:
            set_threshold(t)
            refit[t].update(ask(answerers, held))
        log(f"  refit fold {k} asked ({len(held)} questions)")
    for qa_, w in shipped_weights.items():
        use_scorer(qa_, w)
    set_threshold(shipped)
    timings["refit_sweep_s"] = time.perf_counter() - started

    hand_cv, hand_t = cv_choice(hand, questions, fold_of)
    refit_cv, refit_t = cv_choice(refit, questions, fold_of)
    variants = {
        f"as is (hand weights, threshold {shipped:.2f})": hand[shipped],
        "hand + CV threshold": hand_cv,
        "refit + CV threshold": refit_cv,
        f"refit at threshold {shipped:.2f}": refit[shipped],
    }
    figures = {name: {f: t.to_dict() for f, t in by_family(records, family_of).items()}
               for name, records in variants.items()}
    for name, records in variants.items():
        log(name)
        for fam, t in by_family(records, family_of).items():
            log(f"  {fam:8s} {t.line()}")
    log(f"thresholds chosen per fold: hand {hand_t}, refit {refit_t}")
    result.update({"grid": grid, "shipped_threshold": shipped, "coverage": cover, "variants": figures,
                   "thresholds_chosen": {"hand": hand_t, "refit": refit_t},
                   "timings_s": {k: round(v, 1) for k, v in timings.items()}})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.cv", description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", metavar="GOLD@DATA_DIR", help="a gold file and the store to ask it of")
    parser.add_argument("--grid", type=float, nargs="+", default=list(GRID), help="abstention thresholds to try")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-lgbm", action="store_true", help="skip the lightgbm models")
    parser.add_argument("--out", type=Path, help="write every figure as JSON here")
    parser.add_argument("--rank-only", action="store_true",
                        help="only the ranking level (candidate rows; no asking of the engine per threshold)")
    parser.add_argument("--combine", type=Path, nargs="+", metavar="OUT_JSON",
                        help="print the engine figures of earlier runs (--out files, e.g. one per family) summed")
    args = parser.parse_args(argv)
    if args.combine:
        for name, fams in combine([json.loads(p.read_text(encoding="utf-8")) for p in args.combine]).items():
            print(name)
            for fam, t in fams.items():
                print(f"  {fam:8s} {t.line()}")
        return 0
    if not args.sets:
        parser.error("give GOLD@DATA_DIR sets, or --combine")
    from eval.fit_scorer import dev_sets

    sets = dev_sets(parser, args.sets, "cross-validation runs")
    from reportqa import offline

    offline.apply()
    result = run(sets, args.grid, args.folds, args.seed, with_lgbm=not args.no_lgbm, rank_only=args.rank_only)
    result["sets"] = [str(p) for p, _ in sets]
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
