"""Choose the abstention threshold on dev gold sets: `python -m eval.fit_abstention`.

A figure is an answer only when the share of the question's (rarity-weighted) concepts found
around it reaches `min_match` (qa/ranking.py); below it the answer is "the reports don't say".
Too low and unrelated figures answer, too high and stated ones are withheld. This script asks
every question of the dev sets at each threshold of a grid, scores the answers (TAT-QA scoring,
an abstention is right only where the gold answer is none), and keeps the threshold with the
best mean accuracy over the sets (each set counts once, so the largest does not decide alone;
ties go to the higher threshold, which abstains more). It also reports leave-one-set-out
figures: the threshold chosen on the other sets, scored on the one left out.

    python -m eval.fit_abstention --out qa/abstention.json GOLD@DATA_DIR [GOLD@DATA_DIR ...]

Dev splits only: test splits stay unseen.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

GRID = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65)


def set_threshold(value: float) -> None:
    """Use `value` as the threshold in every loaded qa module. The modules bind the name at
    import (`from qa.ranking import MIN_MATCH`), so each binding is replaced, for this process."""
    import qa.ranking

    qa.ranking.MIN_MATCH = value
    for name, module in list(sys.modules.items()):
        if name.startswith("qa.") and hasattr(module, "MIN_MATCH"):
            module.MIN_MATCH = value


def sweep(sets: list[tuple[Path, Path]], grid=GRID, embedder=None) -> dict[float, dict[str, list[int]]]:
    """{threshold: {set name: [correct, questions]}} over the gold sets."""
    import importlib

    for name in ("qa.answers", "qa.choose", "qa.compute", "qa.complement", "qa.passages", "qa.table_precedence"):
        importlib.import_module(name)  # load every module that binds the threshold before replacing it
    from eval.run import run_eval
    from qa.service import QA
    from reportqa.settings import Settings

    answerers = {}
    for _, data_dir in sets:
        if data_dir not in answerers:
            qa_ = QA(Settings(data_dir=data_dir), embedder=embedder)
            embedder = qa_.embedder
            answerers[data_dir] = qa_
    out: dict[float, dict[str, list[int]]] = {}
    for t in grid:
        set_threshold(t)
        out[t] = {}
        for gold, data_dir in sets:
            qa_ = answerers[data_dir]
            run = run_eval(qa_.settings, [gold], qa=qa_)
            out[t][gold.name] = [sum(r.correct for r in run.results), len(run.results)]
        print(f"min_match {t:.2f}: " + ", ".join(f"{k} {c}/{n}" for k, (c, n) in out[t].items()), flush=True)
    return out


def read_sweep(fitted: dict) -> dict[float, dict[str, list[int]]]:
    """The sweep table of a written result, as `sweep` returns it."""
    return {float(t): {k: [int(x) for x in v.split("/")] for k, v in row.items()} for t, row in fitted["sweep"].items()}


def choose(table: dict[float, dict[str, list[int]]], names: list[str] | None = None) -> float:
    """The threshold with the best mean accuracy over `names` (all sets by default); ties to the higher."""
    def mean(t):
        rows = [v for k, v in table[t].items() if names is None or k in names]
        return sum(c / n for c, n in rows if n) / max(len(rows), 1)

    return max(table, key=lambda t: (round(mean(t), 9), t))


def fit(table: dict[float, dict[str, list[int]]]) -> dict:
    """The chosen threshold, the sweep and the leave-one-set-out check."""
    names = list(next(iter(table.values())))
    held_out = {}
    for name in names:
        t = choose(table, [n for n in names if n != name])
        held_out[name] = {"chosen_on_the_others": t, "correct": table[t][name][0], "questions": table[t][name][1]}
    return {
        "min_match": choose(table),
        "note": "Chosen by `python -m eval.fit_abstention` (a grid sweep over dev gold sets: the best mean "
                "accuracy, ties to the higher threshold). Do not edit by hand: rerun.",
        "sweep": {f"{t:.2f}": {k: f"{c}/{n}" for k, (c, n) in v.items()} for t, v in table.items()},
        "leave_one_set_out": held_out,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_abstention", description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", metavar="GOLD@DATA_DIR", help="a dev gold file and the store to ask it of")
    parser.add_argument("--out", type=Path, required=True, help="where to write the chosen threshold (JSON)")
    parser.add_argument("--grid", type=float, nargs="+", default=list(GRID), help="thresholds to try")
    args = parser.parse_args(argv)
    from eval.fit_scorer import dev_sets

    sets = dev_sets(parser, args.sets, "the threshold is chosen")
    from reportqa import offline

    offline.apply()
    result = fit(sweep(sets, args.grid))
    result["sets"] = [p.name for p, _ in sets]
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"chosen min_match {result['min_match']:.2f}; held out: " + ", ".join(
        f"{k} {v['correct']}/{v['questions']} at {v['chosen_on_the_others']:.2f}"
        for k, v in result["leave_one_set_out"].items()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
