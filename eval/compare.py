"""Comparing two evaluation runs: which questions flipped between correct and wrong.

Runs are folders written by ``eval.report.write_report``; questions are matched by
id through each folder's ``results.jsonl``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reportqa.errors import BadInput


@dataclass
class Flip:
    """One question whose verdict changed between the old and the new run."""

    id: str
    question: str
    gold: Any
    old_predicted: Any
    new_predicted: Any
    old_reason: str
    new_reason: str


@dataclass
class Comparison:
    """Flipped questions in both directions, plus questions present in one run only."""

    old_dir: str
    new_dir: str
    regressed: list[Flip] = field(default_factory=list)  # correct -> wrong
    fixed: list[Flip] = field(default_factory=list)  # wrong -> correct
    only_old: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    common: int = 0
    old_accuracy: float | None = None
    new_accuracy: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for ``reportqa eval --compare --json``)."""
        return asdict(self)


def load_results(run_dir: str | Path) -> dict[str, dict[str, Any]]:
    """The records of a run folder by question id; ``BadInput`` if it is not a run folder."""
    path = Path(run_dir) / "results.jsonl"
    if not path.is_file():
        raise BadInput(f"{run_dir} is not an evaluation folder (no results.jsonl); write one with `reportqa eval --out`")
    records: dict[str, dict[str, Any]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            records[str(record["id"])] = record
        except (ValueError, KeyError, TypeError):
            raise BadInput(f"{path} line {lineno} is not a result record") from None
    return records


def compare_runs(old_dir: str | Path, new_dir: str | Path) -> Comparison:
    """Questions (by id) whose verdict differs between two run folders, in the new run's order."""
    old, new = load_results(old_dir), load_results(new_dir)
    cmp = Comparison(old_dir=str(old_dir), new_dir=str(new_dir))
    cmp.only_old = [i for i in old if i not in new]
    cmp.only_new = [i for i in new if i not in old]
    common = [i for i in new if i in old]
    cmp.common = len(common)
    for qid in common:
        a, b = old[qid], new[qid]
        if bool(a["correct"]) == bool(b["correct"]):
            continue
        flip = Flip(id=qid, question=b.get("question", ""), gold=b.get("gold"),
                    old_predicted=a.get("predicted"), new_predicted=b.get("predicted"),
                    old_reason=a.get("reason", ""), new_reason=b.get("reason", ""))
        (cmp.fixed if b["correct"] else cmp.regressed).append(flip)
    cmp.old_accuracy = _accuracy(old, common)
    cmp.new_accuracy = _accuracy(new, common)
    return cmp


def _accuracy(records: dict[str, dict[str, Any]], ids: list[str]) -> float | None:
    # Over the common questions only, so the two figures are comparable.
    return round(sum(bool(records[i]["correct"]) for i in ids) / len(ids), 4) if ids else None


def comparison_table(cmp: Comparison):
    """A rich Table of the flipped questions: regressions first, then fixes."""
    from rich.markup import escape
    from rich.table import Table

    from eval.report import fmt_value

    table = Table("change", "id", "question", "gold", "old", "new", title="Flipped questions")
    for label, style, flips in (("correct → wrong", "red", cmp.regressed), ("wrong → correct", "green", cmp.fixed)):
        for f in flips:
            # Question text may hold "[...]", which rich would read as markup.
            table.add_row(
                f"[{style}]{label}[/{style}]", escape(f.id), escape(f.question), fmt_value(f.gold),
                escape(f"{fmt_value(f.old_predicted)} ({f.old_reason})"),
                escape(f"{fmt_value(f.new_predicted)} ({f.new_reason})"),
            )
    return table


def comparison_summary(cmp: Comparison) -> str:
    """One line: counts of flips and the accuracy on the common questions."""
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.1%}"

    parts = [
        f"{cmp.common} common questions",
        f"{len(cmp.regressed)} correct → wrong",
        f"{len(cmp.fixed)} wrong → correct",
        f"accuracy {pct(cmp.old_accuracy)} → {pct(cmp.new_accuracy)}",
    ]
    if cmp.only_old or cmp.only_new:
        parts.append(f"{len(cmp.only_old)} only in old, {len(cmp.only_new)} only in new")
    return " · ".join(parts)
