"""Answers computed from table cells: lookups, lists, changes, percent changes, averages, sums,
comparisons between years and counts over a threshold, every operand a cited cell.

`table_answer` is the one entry point (called by qa.choose); it returns None unless a row
header matches the question well enough, so text answers keep their say otherwise.
"""

from __future__ import annotations

import re

from reportqa.bm25 import tokenize
from reportqa.models import Answer, Cell, Citation, Computation, Operand

from qa.arithmetic import Term, compute
from qa.cite import cite
from qa.question import Question, asks_size_of_fall, is_gap
from qa.reader import Snapshot
from qa.table_question import TableQuestion, change_order, read_table_question, threshold, words
from qa.tables import (Row, TableView, candidate_tables, group_columns, match_rows, pick_columns,
                       target_tokens, unknown_names)

MIN_ROW_SCORE = 0.5   # a row header must match at least this well (0..1) to answer from the table
MIN_LEXICAL = 0.3     # ... and say enough of the header's distinctive words,
MIN_SEMANTIC = 0.8    # ... unless it means the same in other words


class _Citer:
    """One citation per cited cell, numbered in order of first use."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self.citations: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def ref(self, row: Row, cell: Cell) -> int:
        stated = row.sentence_of(cell)
        key = (stated.node_id, cell.row, cell.column)
        if key not in self._index:
            c = cite(self.snap, stated, 1.0)
            self.citations.append(c.model_copy(update={"cell": cell, "table_header": stated.table_header}))
            self._index[key] = len(self.citations)
        return self._index[key]


# A rate ("Earnings per share", "Debt to equity ratio") is not a total: a table's "in thousands"
# note scales its totals, not its rates (notes often say so: "except per share data").
_RATE = re.compile(r"\bper\b(?!\s*cent)|\bratio\b", re.I)


def _scale(view: TableView, row: Row, cell: Cell) -> str:
    """The scale of a cell's figure: its own (from its column header or a percent sign), else the
    table's, except for rates."""
    scale = cell.scale or view.scale
    if scale and scale != "percent" and scale == view.scale and _RATE.search(" ".join(row.path)):
        return ""
    return scale


def _label(row: Row, cell: Cell) -> str:
    # No row or column numbers: a label must not show a number the cells do not state.
    # The cell's own row header: a turned table's row is one of its columns.
    path = cell.row_path if row.sources and cell.row_path else row.path
    return f"{' › '.join(path) or 'unlabelled row'}, {' '.join(cell.column_path) or 'unlabelled column'}"


def _lookup(q: Question, snap: Snapshot, view: TableView, row: Row, columns: list[int]) -> Answer | None:
    cells = [row.cells.get(c) for c in columns]
    if not cells or any(c is None for c in cells):
        return None
    citer = _Citer(snap)
    parts = []
    for cell in cells:
        n = citer.ref(row, cell)
        parts.append(f"**{cell.text}** [{n}] ({_label(row, cell)})")
    values = [c.value for c in cells]
    scale = _scale(view, row, cells[0])
    return Answer(question=q.text, text="; ".join(parts), value=values[0] if len(values) == 1 else values,
                  scale=scale, kind="figure", citations=citer.citations)


def _computed(q: Question, snap: Snapshot, view: TableView, op: str, pairs: list[tuple[Row, Cell]],
              wants_percent: bool = False) -> Answer | None:
    """The computed answer `op` (an operation of qa.arithmetic) over cited cells; a ratio asked as
    a percentage is a share."""
    if op == "ratio" and wants_percent:
        op = "share"
    citer = _Citer(snap)
    terms = []
    for r, c in pairs:
        scale = _scale(view, r, c)
        terms.append(Term(value=c.value, citation=citer.ref(r, c), text=c.text, scale=scale,
                          percent=scale == "percent"))
    done = compute(op, terms)
    if done is None:
        return None
    comp = done.computation
    explained = ", ".join(f"{_label(r, c)}: {c.text} [{o.citation}]" for (r, c), o in zip(pairs, comp.operands))
    return Answer(question=q.text, text=f"**{done.shown}** = {comp.formula} ({explained})", value=comp.result,
                  scale=done.scale, kind="computed", citations=citer.citations, computation=comp)


def _cells(row: Row, cols: list[int] | None) -> list[tuple[Row, Cell]] | None:
    if cols is None:
        return None
    pairs = [(row, row.cells.get(c)) for c in cols]
    return pairs if all(c is not None for _, c in pairs) else None


def _best_row(q: Question, views: list[TableView], embedder, tokens: list[str]):
    best = None
    for view in views:
        matches = match_rows(q, view, embedder, tokens)
        if matches and (best is None or matches[0].score > best[1].score):
            best = (view, matches[0], matches)
    return best


def table_answer(q: Question, snap: Snapshot, hits, doc_ids: list[str] | None, embedder=None) -> Answer | None:
    """An answer read from a table, or None when no table row matches the question well."""
    views = candidate_tables(snap, hits, doc_ids)
    if not views:
        return None
    # A name is unknown only when no report in scope says it, not only the reports with tables.
    docs = list(dict.fromkeys([v.doc_id for v in views] + [s.doc_id for s, _ in hits]))
    missing = unknown_names(q, snap, docs)
    if missing:
        return Answer(question=q.text, kind="not_found",
                      text=f"The reports don't say: none of them mentions {', '.join(repr(w) for w in missing)}.",
                      related=[cite(snap, s, sc) for s, sc in hits[:3]])
    tokens = target_tokens(q)
    if q.wants_years_list and not q.compare_years:
        return _years_list(q, snap, views, embedder, tokens)
    if not tokens:
        return None
    found = _best_row(q, views, embedder, tokens)
    if found is None:
        return None
    view, match, ranked = found
    if match.score < MIN_ROW_SCORE or (match.lexical < MIN_LEXICAL and match.semantic < MIN_SEMANTIC):
        return None
    row = match.row
    tq = read_table_question(q, row.label)
    if q.compare_years or q.operation == "which_year":
        return _which_year(q, snap, view, row, tq, tokens)
    if q.wants_count and re.search(r"\bhow many (years|periods|quarters)\b", q.text.lower()):
        return _count_over(q, snap, view, row, tq, tokens)
    return _operate(q, snap, view, row, ranked, tq, tokens)


def _operate(q: Question, snap: Snapshot, view: TableView, row: Row, ranked, tq: TableQuestion,
             tokens: list[str]) -> Answer | None:
    op, years = tq.operation, tq.years
    pct = tq.percent
    if op == "ratio":
        answer = _ratio(q, snap, view, row, ranked, tq, tokens)
        if answer is not None or not _is_percent_row(view, row):
            return answer
        op = "figure"  # "the percentage of X in 2017" where X's row is in percent: a lookup
    if op in ("difference", "percent_change"):
        two_rows = _two_rows(q, view, row, ranked, tq, tokens) if len(years) < 2 else None
        if two_rows is not None:
            if op == "difference" and is_gap(q.text) and two_rows[0][1].value < two_rows[1][1].value:
                two_rows.reverse()  # two things, not two periods: the gap between them has no direction
            return _computed(q, snap, view, op, two_rows)
        if len(years) >= 2:
            periods = change_order(q, years)
        elif len(years) == 1:
            prior = sorted((y for y in set(view.years.values()) if y < years[0]), reverse=True)
            periods = [years[0], prior[0]] if prior else []
        else:
            periods = sorted(set(view.years.values()), reverse=True)[:2]
        if len(periods) < 2:
            return None
        pairs = _cells(row, pick_columns(q, view, periods, tokens, pct and op == "difference", row=row))
        if pairs and op == "percent_change" and asks_size_of_fall(q) and " than " not in q.text.lower():
            op = "percent_fall"  # "By what percent did X fall": the size of the fall, positive
        return _computed(q, snap, view, op, pairs) if pairs else None
    if op in ("average", "sum"):
        ys = years if len(years) >= 2 else sorted(set(view.years.values()), reverse=True) if not years else []
        if len(ys) < 2:
            return None
        pairs = _cells(row, pick_columns(q, view, ys, tokens, pct, row=row))
        return _computed(q, snap, view, op, pairs) if pairs else None
    if years:
        cols = pick_columns(q, view, years, tokens, pct, row=row)
    else:
        groups = group_columns(q, view, tokens, pct)
        value_cols = sorted(row.cells)
        if not value_cols:
            return None
        cols = [max(value_cols, key=lambda c: (groups.get(c, 0.0), -c))]
    if cols is None:
        return None
    return _lookup(q, snap, view, row, cols)


def _second_row(q: Question, row: Row, ranked, tokens: list[str], cols: list[int] | None = None):
    """Another row the question names with words of its own (the other side of a comparison),
    with a figure in each of `cols` when given: a row left blank there ("Audit-Related Fees |
    $- | $-") has nothing to compare, and the next row the question names may."""
    own = set(tokenize(row.label))
    qs = set(tokens)
    for m in ranked[1:]:
        theirs = set(tokenize(m.row.label))
        if m.row is not row and m.score >= MIN_ROW_SCORE * 0.8 and (theirs - own) & qs \
                and (not cols or all(c in m.row.cells for c in cols)):
            return m
    return None


def _two_rows(q: Question, view: TableView, row: Row, ranked, tq: TableQuestion,
              tokens: list[str]) -> list[tuple[Row, Cell]] | None:
    """"The difference between A and B (in 2019)": two rows in one period, in the order named."""
    low = q.text.lower()
    if not re.search(r"\bbetween\b.+\band\b|\bthan\b|\bversus\b|\bvs\.?\b", low):
        return None
    cols = pick_columns(q, view, tq.years[:1], tokens, row=row) if tq.years else None
    if tq.years and not cols:
        return None
    if cols and not all(c in row.cells for c in cols):
        # The best row is blank in the asked period ("Audit-related fees | $- |"): the rows compared are
        # the named ones that have a figure there.
        ranked = [m for m in ranked if all(c in m.row.cells for c in cols)]
        if not ranked or ranked[0].score < MIN_ROW_SCORE:
            return None
        row = ranked[0].row
    other = _second_row(q, row, ranked, tokens, cols)
    if other is None:
        return None
    if cols is None:
        cols = [c for c in sorted(row.cells) if c in other.row.cells][:1]
    if not cols:
        return None
    a, b = _cells(row, cols), _cells(other.row, cols)
    if not a or not b:
        return None
    pairs = [a[0], b[0]]
    if _mention(q, other.row.label) < _mention(q, row.label):
        pairs.reverse()
    return pairs


def _is_percent_row(view: TableView, row: Row) -> bool:
    return any(c.scale == "percent" for c in row.cells.values())


def _ratio(q: Question, snap: Snapshot, view: TableView, row: Row, ranked, tq: TableQuestion,
           tokens: list[str]) -> Answer | None:
    """A share or ratio of two rows in one period: the part over the whole ("A out of total B")."""
    years = tq.years or sorted(set(view.years.values()), reverse=True)[:1]
    cols = pick_columns(q, view, years[:1], tokens, row=row) if years else None
    if years and not cols:
        return None
    other = _second_row(q, row, ranked, tokens, cols)
    if other is None:
        return None
    if cols is None:
        cols = sorted(set(row.cells) & set(other.row.cells))[:1]
    if not cols:
        return None
    a, b = _cells(row, cols), _cells(other.row, cols)
    if not a or not b:
        return None
    pairs = [a[0], b[0]]
    if re.search(r"\bratio\b", q.text.lower()):
        first = _mention(q, pairs[0][0].label), _mention(q, pairs[1][0].label)
        if first[1] < first[0]:
            pairs.reverse()
    elif abs(pairs[0][1].value) > abs(pairs[1][1].value):
        pairs.reverse()  # a share is the part over the whole
    return _computed(q, snap, view, "ratio", pairs, wants_percent=tq.percent)


def _mention(q: Question, label: str) -> int:
    toks = tokenize(q.text)
    own = set(tokenize(label))
    return next((i for i, t in enumerate(toks) if t in own), len(toks))


def _which_year(q: Question, snap: Snapshot, view: TableView, row: Row, tq: TableQuestion,
                tokens: list[str]) -> Answer | None:
    """"In which year was X larger?": the year column holding the larger (or smaller) value."""
    years = tq.years
    cols = pick_columns(q, view, years if len(years) >= 2 else sorted(set(view.years.values()), reverse=True),
                        tokens, row=row)
    pairs = _cells(row, cols)
    if not pairs or len(pairs) < 2:
        return None
    low = set(tokenize(q.text))
    w = words()["compare"]
    limit = threshold(q, view.scale)
    sign = words()["sign"]
    if limit is not None and low & (w["max"] | w["min"]):
        # "In which year was X less than 10,000?": every year on the asked side.
        below = bool(low & w["min"])
        chosen = [p for p in pairs if (p[1].value < limit if below else p[1].value > limit)]
    elif low & (sign["negative"] | sign["positive"]):
        # "In which year was X negative?": every year on that side of zero.
        below = bool(low & sign["negative"])
        chosen = [p for p in pairs if (p[1].value < 0 if below else p[1].value > 0)]
    else:
        chosen = [(max if low & w["max"] else min)(pairs, key=lambda p: p[1].value)]
    if not chosen:
        return None
    citer = _Citer(snap)
    refs = [f"{view.years[c.column]}: {c.text} [{citer.ref(r, c)}]" for r, c in pairs]
    ys = [float(view.years[c.column]) for _, c in chosen]
    return Answer(question=q.text, text=", ".join(f"**{int(y)}**" for y in ys) + f" ({row.label}: {', '.join(refs)})",
                  value=ys[0] if len(ys) == 1 else ys, kind="figure", citations=citer.citations)


def _count_over(q: Question, snap: Snapshot, view: TableView, row: Row, tq: TableQuestion,
                tokens: list[str]) -> Answer | None:
    """"How many years did X exceed $50,000?": the year columns whose value is over (or under) it."""
    w = words()["threshold"]
    low = set(tokenize(q.text))
    limit = threshold(q, view.scale)
    above, below = bool(low & w["above"]), bool(low & w["below"])
    if limit is None and not (above or below):
        return None
    limit = 0.0 if limit is None else limit
    pairs = _cells(row, pick_columns(q, view, sorted(set(view.years.values()), reverse=True), tokens, tq.percent, row=row))
    if not pairs:
        return None
    hit = [(r, c) for r, c in pairs if (c.value < limit if below and not above else c.value > limit)]
    citer = _Citer(snap)
    operands = [Operand(value=c.value, text=c.text, citation=citer.ref(r, c)) for r, c in hit]
    listed = [f"{view.years[c.column]}: {c.text} [{o.citation}]" for (_, c), o in zip(hit, operands)]
    computation = Computation(operation="count", formula=f"{len(hit)} of {len(pairs)} values",
                              operands=operands, result=float(len(hit)))
    return Answer(question=q.text, text=f"**{len(hit)}** ({'; '.join(listed) or 'none'})", value=float(len(hit)),
                  kind="computed", citations=citer.citations, computation=computation)


def _years_list(q: Question, snap: Snapshot, views: list[TableView], embedder, tokens: list[str]) -> Answer | None:
    """"Which years does the table cover for X?": the year headers of the table holding X."""
    found = _best_row(q, views, embedder, tokens) if tokens else None
    view = found[0] if found and found[1].score >= MIN_ROW_SCORE else (views[0] if len(views) == 1 else None)
    if view is None or len(set(view.years.values())) < 2:
        return None
    def covered(r: Row) -> int:
        return sum(1 for c in view.year_columns if c in r.cells)

    # The years are cited through a row's cells (each read under its year header): the matched
    # row unless another row has a figure for more of the years.
    row = found[1].row if found and found[0] is view else None
    fullest = max(view.rows, key=covered)
    if row is None or covered(fullest) > covered(row):
        row = fullest
    cols = [c for c in view.year_columns if c in row.cells]
    if len(cols) < 2:
        return None
    ys = list(dict.fromkeys(view.years[c] for c in cols))
    citer = _Citer(snap)
    refs = []
    for c in cols:
        cell = row.cells[c]
        refs.append(f"{view.years[c]}: {cell.text} [{citer.ref(row, cell)}]")
    return Answer(question=q.text, text=", ".join(f"**{y}**" for y in ys) + f" ({row.label}: {'; '.join(refs)})",
                  value=[float(y) for y in ys], kind="figure", citations=citer.citations)
