"""Answering from tables: the question's target matched to a row (or column) header by meaning,
its period and group to the other axis, the cell read with the table's scale.

A table is rebuilt from the stored rows (`Sentence.cells`). Headers are matched to the
question by stemmed words weighted by how rare they are among the table's headers, plus
the cosine of their embeddings (the model already loaded for retrieval): "victims rescued"
finds the row "Persons rescued (victims)". Years in the question pick year columns.
The arithmetic lives in `qa.table_ops`; this module finds the cells.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from reportqa.bm25 import tokenize
from reportqa.models import Cell, Sentence
from reportqa.vector_codec import unpack_vector

from qa.question import QUESTION_FRAME, Question
from qa.reader import Snapshot

_YEAR = re.compile(r"(?<![\d,.])(?:19[5-9]\d|20\d\d)(?!\d|,\d|\.\d)")
_NAME = re.compile(r"(?<=\s)[A-Z][a-z][\w'&-]*(?:\s+[A-Z][\w'&-]*)*")
_FY = re.compile(r"\b(?:FY|F(?=\d\d\b)|fiscal\s*(?:year)?\s*)'?(\d{2})\b", re.I)
# "2018/2019", "2018/19": one fiscal period, named by the year it ends in.
_SPLIT_YEAR = re.compile(r"\b((?:19|20)\d\d)\s*/\s*((?:19|20)?\d\d)\b")
# Words that say what to do or when, not which row: dropped before matching row headers.
_FRAME = set(tokenize(
    "what which how many much is was were are the of in for from to between and during as at by on "
    "change changes increase decrease increased decreased difference percentage percent % average mean "
    "sum ratio proportion share respective respectively year years fiscal fy period amount value "
    "compared than over did does do has have had there table provide information reported include included"
)) | QUESTION_FRAME
# "total" says which row ("Total", "Total assets") as often as what to do: kept as a target word.
_TARGET_FRAME = _FRAME - set(tokenize("total"))
LEX_WEIGHT = 0.65  # lexical vs embedding share of a header match (fitted on TAT-QA table dev)


@dataclass
class Row:
    """One body row: its cells by column and the stored sentence that holds it."""

    sentence: Sentence
    label: str
    path: list[str]
    cells: dict[int, Cell]
    # A row of a turned table (see `_turned`) reads its cells from several stored rows:
    # the stored row of each, by the cell's own table row.
    sources: dict[int, Sentence] = field(default_factory=dict)

    def value(self, column: int) -> float | None:
        c = self.cells.get(column)
        return c.value if c is not None else None

    def sentence_of(self, cell: Cell) -> Sentence:
        """The stored row that states `cell`."""
        return self.sources.get(cell.row, self.sentence)


@dataclass
class TableView:
    doc_id: str
    index: int
    rows: list[Row]
    columns: dict[int, str]            # column -> its header path as text
    years: dict[int, int]              # column -> the year its header names
    scale: str = ""
    caption: str = ""
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # header text -> unit vector

    @property
    def year_columns(self) -> list[int]:
        """Year columns, the latest first (a table's usual left-to-right order)."""
        return sorted(self.years, key=lambda c: (-self.years[c], c))


def years_in(text: str) -> list[int]:
    """Years a text names: 2019, FY19, F19, fiscal 2019; a split year 2018/19 is its last year."""
    def end_year(m: re.Match) -> str:
        first, last = int(m.group(1)), int(m.group(2)[-2:])
        return str(first + 1) if (first + 1) % 100 == last else m.group(0)
    text = _SPLIT_YEAR.sub(end_year, text)
    out = [int(y) for y in _YEAR.findall(text)]
    out += [2000 + int(m.group(1)) for m in _FY.finditer(text) if int(m.group(1)) < 60]
    return list(dict.fromkeys(out))


def _tables_of_doc(snap: Snapshot, doc_id: str) -> list[TableView]:
    cache = snap.__dict__.setdefault("_table_views", {})
    if doc_id in cache:
        return cache[doc_id]
    by_table: dict[int, TableView] = {}
    for s in snap.doc_sentences.get(doc_id, []):
        if s.kind != "table_row" or not s.cells:
            continue
        ti = s.cells[0].table
        view = by_table.get(ti)
        if view is None:
            view = by_table[ti] = TableView(doc_id=doc_id, index=ti, rows=[], columns={}, years={},
                                            caption=s.caption or "")
        if s.table_header is None:
            continue  # a header row
        label_cell = next((c for c in s.cells if c.column == 0), s.cells[0])
        path = label_cell.row_path or []
        values = {c.column: c for c in s.cells if c.value is not None and c.column > 0}
        for c in s.cells:
            if c.column > 0 and c.column not in view.columns:
                view.columns[c.column] = " ".join(c.column_path)
            if c.value is not None and c.scale and c.scale != "percent" and not view.scale:
                view.scale = c.scale
        view.rows.append(Row(sentence=s, label=s.row_label, path=path, cells=values))
    doc = snap.documents.get(doc_id)
    stored = {t.index: t.label_vectors for t in doc.tables} if doc is not None else {}
    for view in by_table.values():
        for label, packed in stored.get(view.index, {}).items():
            try:
                view.vectors[label] = unpack_vector(packed)
            except ValueError:  # a damaged record: that label is embedded when first needed
                continue
        for col, head in view.columns.items():
            ys = years_in(head)
            if len(ys) == 1:
                view.years[col] = ys[0]
        # The same year in two columns ("Prosecutions 2021", "Convictions 2021") stays: the
        # group header decides between them.
    cache[doc_id] = [_turned(v) or v for v in by_table.values() if v.rows]
    return cache[doc_id]


def _row_year(label: str) -> int | None:
    ys = years_in(label)
    return ys[0] if len(ys) == 1 and len(label.strip()) <= 12 else None


def _turned(view: TableView) -> TableView | None:
    """A table with a year on each row ("| 2005 | 194 | 58 |" under "Year | Prosecutions |
    Convictions") turned so that its measures are rows and its years columns, the way the
    rest of the table reading expects; None for any other table."""
    if len(view.rows) < 2 or view.years or not view.columns:
        return None
    years = [_row_year(r.label) for r in view.rows]
    if any(y is None for y in years) or len(set(years)) < len(years):
        return None
    rows = []
    for col, head in sorted(view.columns.items()):
        cells = {i + 1: r.cells[col] for i, r in enumerate(view.rows) if col in r.cells}
        if not cells:
            continue
        sources = {r.cells[col].row: r.sentence for r in view.rows if col in r.cells}
        rows.append(Row(sentence=view.rows[0].sentence, label=head, path=[head], cells=cells, sources=sources))
    if not rows:
        return None
    return TableView(doc_id=view.doc_id, index=view.index, rows=rows,
                     columns={i + 1: r.label for i, r in enumerate(view.rows)},
                     years={i + 1: y for i, y in enumerate(years)}, scale=view.scale, caption=view.caption)


def candidate_tables(snap: Snapshot, hits: list[tuple[Sentence, float]], doc_ids: list[str] | None) -> list[TableView]:
    """Tables of the question's document, or of the documents whose table rows were retrieved."""
    if doc_ids and len(doc_ids) <= 3:
        docs = list(doc_ids)
    else:
        docs = list(dict.fromkeys(s.doc_id for s, _ in hits if s.kind == "table_row" and s.cells))[:3]
    out: list[TableView] = []
    for d in docs:
        out.extend(_tables_of_doc(snap, d))
    return out


def _doc_tokens(snap: Snapshot, doc_id: str) -> set[str]:
    cache = snap.__dict__.setdefault("_doc_tokens", {})
    if doc_id not in cache:
        toks: set[str] = set()
        for s in snap.doc_sentences.get(doc_id, []):
            toks.update(tokenize(s.search_text))
        cache[doc_id] = toks
    return cache[doc_id]


def unknown_names(q: Question, snap: Snapshot, doc_ids: list[str]) -> list[str]:
    """Names the question uses ("Eastfield", "Laos") that none of the documents mentions.

    A run of capitalised words inside the question (not its first word) names a place, group
    or item; if no document says any word of it, no document can answer about it. A run with
    one known word ("Year Ending March") is a label in title case, not an unknown name.
    """
    known: set[str] = set()
    for d in doc_ids:
        known |= _doc_tokens(snap, d)
    out = []
    for m in _NAME.finditer(q.text):
        words = m.group(0).removesuffix("'s").removesuffix("'")
        if any(ch.isdigit() for ch in words):
            continue
        toks = [t for t in tokenize(words.replace("-", " ")) if t not in _FRAME]
        if toks and not any(t in known for t in toks):
            out.append(words)
    return out


def target_tokens(q: Question) -> list[str]:
    """Stemmed words of the question that can name a row or a column (not years or operation words)."""
    toks = [t for t in tokenize(re.sub(_YEAR, " ", q.text)) if t not in _TARGET_FRAME and not t[0].isdigit()]
    return list(dict.fromkeys(toks))


def _idf(view: TableView, texts: list[str]) -> dict[str, float]:
    n = max(len(texts), 1)
    df: dict[str, int] = {}
    for t in texts:
        for tok in set(tokenize(t)):
            df[tok] = df.get(tok, 0) + 1
    return {tok: math.log(1 + n / d) for tok, d in df.items()}


def lexical_match(question: list[str], header: str, idf: dict[str, float], context: str = "",
                  said: set[str] | None = None) -> float:
    """How much of a header the question says (0..1), rare words counting more; parents help.

    `said` holds every word of the question, operation words too: they do not name a row by
    themselves, but a header that has them ("Average charge per pilotage") is said in full."""
    own = list(dict.fromkeys(tokenize(header)))
    if not own:
        return 0.0
    qs = set(question)
    w = {t: idf.get(t, 1.0) for t in own}
    precision = sum(w[t] for t in own if t in qs or (said is not None and t in said)) / sum(w.values())
    said = [t for t in qs if t in own or t in set(tokenize(context))]
    recall = len(said) / max(len(qs), 1)
    return 0.7 * precision + 0.3 * recall


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _vectors(embedder, view: TableView, texts: list[str]) -> dict[str, np.ndarray]:
    """Embeddings of header texts: stored at ingest, else computed once per table and kept
    with the snapshot's view (a store written before label vectors were stored)."""
    missing = [t for t in dict.fromkeys(texts) if t and t not in view.vectors]
    if missing and embedder is not None:
        try:
            if hasattr(embedder, "encode"):
                vecs = embedder.encode(missing, threads=getattr(embedder, "query_threads", 1))
            else:
                vecs = embedder.get_text_embedding_batch(missing)
        except Exception:  # matching falls back to words alone
            vecs = []
        for t, v in zip(missing, vecs):
            view.vectors[t] = _unit(v)
    return view.vectors


def table_phrase(q: Question, tokens: list[str] | None = None) -> str:
    """The question's words that can name a row, as written ("net cash provided ... operating")."""
    tokens = target_tokens(q) if tokens is None else tokens
    return " ".join(w for w in re.findall(r"[\w%$'-]+", q.text) if tokenize(w) and tokenize(w)[0] in tokens)


def phrase_vector(embedder, phrase: str) -> np.ndarray | None:
    """The phrase's unit vector, from the embedder's per-question memo when it keeps one."""
    if not phrase or embedder is None:
        return None
    try:
        if hasattr(embedder, "query_vectors"):
            return _unit(embedder.query_vectors([phrase])[0])
        return _unit(embedder.get_query_embedding(phrase))
    except Exception:  # matching falls back to words alone
        return None


@dataclass
class RowMatch:
    row: Row
    score: float
    lexical: float
    semantic: float


def match_rows(q: Question, view: TableView, embedder=None, tokens: list[str] | None = None,
               phrase: str | None = None) -> list[RowMatch]:
    """Rows ranked by how well their header matches the question's target."""
    tokens = target_tokens(q) if tokens is None else tokens
    labels = [r.label for r in view.rows]
    idf = _idf(view, labels)
    phrase = phrase if phrase is not None else table_phrase(q, tokens)
    qv = phrase_vector(embedder, phrase)
    vecs = _vectors(embedder, view, labels) if qv is not None else {}
    said = set(tokenize(q.text))
    out = []
    for r in view.rows:
        # The caption or title ("Takeo province.") names what every row is about, as a parent does.
        lex = lexical_match(tokens, r.label, idf, " ".join(r.path[:-1] + [view.caption]), said)
        v = vecs.get(r.label) if qv is not None else None
        sem = float(qv @ v) if v is not None and v.shape == qv.shape else lex
        out.append(RowMatch(r, LEX_WEIGHT * lex + (1 - LEX_WEIGHT) * sem, lex, sem))
    out.sort(key=lambda m: -m.score)
    return out


def group_columns(q: Question, view: TableView, tokens: list[str], percent: bool = False) -> dict[int, float]:
    """Columns scored by the words of their non-year headers the question says ("Convictions");
    when the question asks for a percentage, columns of percentages come first."""
    heads = {c: re.sub(_YEAR, " ", h) for c, h in view.columns.items()}
    idf = _idf(view, list(heads.values()))
    out = {c: lexical_match(tokens, h, idf) if tokenize(h) else 0.0 for c, h in heads.items()}
    percent_cols = {c.column for r in view.rows for c in r.cells.values() if c.scale == "percent"}
    for c in out:
        if (c in percent_cols) == percent:
            out[c] += 0.5
    return out


def pick_columns(q: Question, view: TableView, years: list[int], tokens: list[str],
                 percent: bool = False, row: Row | None = None) -> list[int] | None:
    """The column for each asked year (in the question's order); the group header breaks ties,
    and a column where `row` has a value beats one where it has none."""
    groups = group_columns(q, view, tokens, percent)
    out = []
    for y in years:
        cols = [c for c, cy in view.years.items() if cy == y]
        if row is not None:
            cols = [c for c in cols if c in row.cells] or cols
        if not cols:
            return None
        out.append(max(cols, key=lambda c: (groups.get(c, 0.0), -c)))
    return out
