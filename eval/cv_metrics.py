"""The arithmetic of grouped cross-validation (eval/cv.py): folds by document and the tallies.

Kept apart from the asking so it is fast to test and has no engine imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Protocol

SEED = 0
FOLDS = 5


def assign_folds(groups: Sequence[str], folds: int = FOLDS, seed: int = SEED) -> dict[str, int]:
    """{group: fold} for the groups (one entry per question: a document key), seeded.

    sklearn's GroupKFold with shuffling: groups are permuted by the seed and cut into `folds`
    batches, so a group (document) is in exactly one fold, whatever its questions.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    groups = np.asarray(list(groups))
    if len(set(groups.tolist())) < folds:
        raise ValueError(f"{len(set(groups.tolist()))} documents: fewer than {folds} folds")
    out: dict[str, int] = {}
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (_, test) in enumerate(splitter.split(groups, groups=groups)):
        for g in groups[test]:
            out[str(g)] = k
    return out


class Scored(Protocol):
    """What a tally reads of a scored question (eval.run.QuestionResult has it)."""

    correct: bool
    abstained: bool
    gold: object
    error: str | None


@dataclass
class Tally:
    """Counts over scored questions. An error is neither answered nor abstained."""

    n: int = 0
    correct: int = 0
    answered: int = 0
    answered_correct: int = 0
    unanswerable: int = 0
    unanswerable_abstained: int = 0

    def add(self, r: Scored) -> None:
        self.n += 1
        self.correct += bool(r.correct)
        answered = r.error is None and not r.abstained
        self.answered += answered
        self.answered_correct += answered and bool(r.correct)
        if r.gold is None:
            self.unanswerable += 1
            self.unanswerable_abstained += r.error is None and bool(r.abstained)

    @property
    def accuracy(self) -> float | None:
        return _rate(self.correct, self.n)

    @property
    def precision(self) -> float | None:
        """Of the questions it answered (gave a value), the share answered right."""
        return _rate(self.answered_correct, self.answered)

    @property
    def abstained(self) -> float | None:
        """Of the questions whose gold answer is null, the share where it abstained."""
        return _rate(self.unanswerable_abstained, self.unanswerable)

    def line(self) -> str:
        """One line of figures, counts beside each share."""
        return (f"accuracy {self.correct}/{self.n} {_pct(self.accuracy)}  "
                f"precision {self.answered_correct}/{self.answered} {_pct(self.precision)}  "
                f"unanswerable abstained {self.unanswerable_abstained}/{self.unanswerable} {_pct(self.abstained)}")

    def to_dict(self) -> dict:
        return {**asdict(self), "accuracy": self.accuracy, "precision": self.precision, "abstained": self.abstained}


def tally(records: Iterable[Scored]) -> Tally:
    """The tally of the records."""
    t = Tally()
    for r in records:
        t.add(r)
    return t


def by_family(records: Mapping[str, Scored], family_of: Mapping[str, str]) -> dict[str, Tally]:
    """{family: tally, ..., "overall": tally} of records keyed by question id."""
    out: dict[str, Tally] = {}
    for qid, r in records.items():
        out.setdefault(family_of[qid], Tally()).add(r)
    out = dict(sorted(out.items()))
    out["overall"] = tally(records.values())
    return out


def combine(results: list[Mapping]) -> dict[str, dict[str, Tally]]:
    """{variant: {family: tally, "overall": tally}} summed over eval.cv results (their "variants"),
    e.g. one run per family: each run's own folds, the families' figures side by side."""
    out: dict[str, dict[str, Tally]] = {}
    counts = [f.name for f in fields(Tally)]
    for result in results:
        for variant, fams in result["variants"].items():
            cells = out.setdefault(variant, {})
            for fam, figures in fams.items():
                if fam == "overall":
                    continue
                t = cells.setdefault(fam, Tally())
                for c in counts:
                    setattr(t, c, getattr(t, c) + int(figures[c]))
    for cells in out.values():
        overall = Tally()
        for t in cells.values():
            for c in counts:
                setattr(overall, c, getattr(overall, c) + getattr(t, c))
        cells["overall"] = overall
    return out


def threshold_table(sweep: Mapping[float, Mapping[str, Scored]], qids: Iterable[str],
                    family_of: Mapping[str, str]) -> dict[float, dict[str, list[int]]]:
    """{threshold: {family: [correct, questions]}} over the questions `qids`: the table
    eval.fit_abstention.choose reads (each family counts once in its mean)."""
    qids = list(qids)
    table: dict[float, dict[str, list[int]]] = {}
    for t, records in sweep.items():
        row: dict[str, list[int]] = {}
        for q in qids:
            c = row.setdefault(family_of[q], [0, 0])
            c[0] += bool(records[q].correct)
            c[1] += 1
        table[t] = row
    return table


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _pct(x: float | None) -> str:
    return "  n/a" if x is None else f"{100 * x:5.1f}%"
