"""A band the question asks for, made of narrower bands the report states: "How many victims
under 18 …" over "124 victims were under 15, 31 were between 15 and 17" is 124 + 31, each
band cited. The bands of one sentence or one table's rows count together."""

from __future__ import annotations

from reportqa.models import Answer

from qa.answers import computed_answer
from qa.bands import INF, Band, candidate_band, near
from qa.candidates import Candidate
from qa.question import Question
from qa.reader import Snapshot


def _series(c: Candidate) -> tuple:
    """Figures that can be bands of one group: one sentence, or one table's rows."""
    s = c.sentence
    if s.kind == "table_row":
        return (s.doc_id, "table", tuple(s.table_header or ()))
    return (s.doc_id, s.node_id)


def band_answer(q: Question, snap: Snapshot, cands: list[Candidate], min_match: float) -> Answer | None:
    """A band the question asks for that the report gives only as narrower bands: their sum,
    each band cited. None when no bands of one sentence or table make it up, or a figure of
    the asked band itself fits about as well (the chooser then picks among those)."""
    asked = q.band
    if asked is None or q.operation != "figure" or not q.wants_count:
        return None
    banded = [(c, b[0]) for c in cands if c.match >= min_match and c.quantity.kind == "number"
              and (b := candidate_band(c)) is not None]
    stated = max((c.match for c, b in banded if b.same(asked)), default=None)
    series: dict[tuple, list[tuple[Candidate, Band]]] = {}
    for c, b in banded:
        if b.within(asked) and not b.same(asked):
            series.setdefault(_series(c), []).append((c, b))
    for members in series.values():
        picks = _tiling(asked, members)
        if picks is None:
            continue
        if stated is not None and stated >= min(c.match for c, _ in picks) - STATED_SLACK:
            return None  # the asked band is stated about as well: the chooser picks among its figures
        return computed_answer(q, snap, "sum", [c for c, _ in picks], [_label(b) for _, b in picks])
    return None


STATED_SLACK = 0.1  # a figure of the asked band itself this close in match to the bands wins ("10 minors" of other people does not)


def _tiling(asked: Band, members: list[tuple[Candidate, Band]]) -> list[tuple[Candidate, Band]] | None:
    """Bands (one figure each) that follow on from each other and together make up `asked`."""
    first: dict[Band, tuple[Candidate, Band]] = {}
    for c, b in members:
        first.setdefault(b, (c, b))  # the best-ranked figure of each band
    ordered = sorted(first.values(), key=lambda cb: cb[1].low)
    if len(ordered) < 2 or not near(ordered[0][1].low, asked.low) or not near(ordered[-1][1].high, asked.high):
        return None
    for (_, a), (_, b) in zip(ordered, ordered[1:]):
        if not near(a.high, b.low):
            return None
    return ordered


def _label(b: Band) -> str:
    if b.low == 0:
        return f"under {b.high:g}"
    if b.high == INF:
        return f"{b.low:g} and over"
    return f"{b.low:g} to {b.high - 1:g}"
