"""Typed records passed between the stages (the seams of the data flow)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Cell(BaseModel):
    """One table cell, located exactly: `document_text[start:end] == text`.

    `row_path` is the row header with its parents ("Victims rescued" › "of whom women"),
    `column_path` the column headers from the top ("Calls" › "2022"). `value` is the
    number the cell states times nothing: `scale` ("thousand", "million", "percent")
    comes from the table's unit note or the cell's own headers.
    """

    text: str
    start: int
    end: int
    row: int
    column: int
    table: int = 0
    page: int | None = None
    row_path: list[str] = Field(default_factory=list)
    column_path: list[str] = Field(default_factory=list)
    header: bool = False
    value: float | None = None
    scale: str = ""
    # PDF only: the cell's box (x0, top, x1, bottom) in points, origin at the top-left of `page`
    # (pdfplumber's convention), so a viewer can mark it on the rendered page.
    bbox: list[float] | None = None


class Table(BaseModel):
    """A table as read from a report: caption, unit note, header rows and cells."""

    index: int
    start: int
    end: int
    caption: str | None = None
    unit: str | None = None          # the unit note as written: "in thousands", "US$ million", "%"
    scale: str = ""
    page: int | None = None
    bbox: list[float] | None = None   # PDF: x0, top, x1, bottom on its (first) page
    header_rows: list[list[str]] = Field(default_factory=list)
    n_rows: int = 0
    n_columns: int = 0
    cells: list[Cell] = Field(default_factory=list)
    # Row label -> its embedding (float16, base64), computed at ingest so that answering
    # matches rows by meaning without running the model over every candidate table.
    label_vectors: dict[str, str] = Field(default_factory=dict)


class Frame(BaseModel):
    """What one figure of a prose sentence measures, read from a dependency parse at ingest.

    Offsets are relative to the sentence text: `text[start:end]` is the figure,
    `text[measure_start:measure_end]` the noun phrase it measures ("358 victims", "$6.4
    million of unrealized losses" -> "unrealized losses"). `measure` holds that phrase's
    content words, `verb` the lemma of the verb the figure hangs on ("rescue"), `clause`
    the content words of the figure's own clause, so that in "China rose 53 % while Taiwan
    fell 13 %" 13 belongs to Taiwan and not to China.
    """

    start: int
    end: int
    measure: str = ""
    measure_start: int = 0
    measure_end: int = 0
    verb: str = ""
    clause: str = ""


class Sentence(BaseModel):
    """One retrievable unit of a report: a sentence, list item, heading or table row.

    `text` is always exactly `document_text[start:end]`. `search_text` is what is
    embedded and indexed; for a table row it also carries the column headers.
    """

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    page: int | None = None
    paragraph: int = 0
    kind: Literal["sentence", "heading", "item", "table_row"] = "sentence"
    table_header: list[str] | None = None
    caption: str | None = None
    cells: list[Cell] = Field(default_factory=list)  # a table row's cells, with their headers and spans
    frames: list[Frame] = Field(default_factory=list)  # a prose sentence's figures, parsed at ingest
    # PDF only: the box (x0, top, x1, bottom) in points, origin top-left, on `page`; a sentence
    # crossing a page break has the box of its part on its first page.
    bbox: list[float] | None = None

    @property
    def node_id(self) -> str:
        return node_id(self.doc_id, self.index)

    @property
    def row_label(self) -> str:
        """A table row's own header ("of whom women"), without its parents; "" otherwise."""
        if not self.cells:
            return ""
        label_cell = next((c for c in self.cells if c.column == 0), self.cells[0])
        return label_cell.row_path[-1] if label_cell.row_path else ""

    @property
    def search_text(self) -> str:
        if self.kind == "table_row" and self.table_header:
            cells = split_row(self.text)
            parts = []
            for i, cell in enumerate(cells):
                head = self.table_header[i] if i < len(self.table_header) else ""
                if cell.strip():
                    parts.append(f"{head}: {cell.strip()}" if head.strip() else cell.strip())
            prefix = f"{self.caption} " if self.caption else ""
            # An indented row ("of whom women") is read under the row it belongs to.
            parents = self.cells[0].row_path[:-1] if self.cells and self.cells[0].row_path else []
            prefix += "".join(f"{p} › " for p in parents)
            return prefix + "; ".join(parts)
        return self.text


def row_labels(sentences: list[Sentence]) -> dict[int, list[str]]:
    """The distinct labels of each table's body rows (header rows have no `table_header`), by table index."""
    out: dict[int, dict[str, None]] = {}
    for s in sentences:
        if s.kind == "table_row" and s.cells and s.table_header is not None and s.row_label:
            out.setdefault(s.cells[0].table, {})[s.row_label] = None
    return {t: list(labels) for t, labels in out.items()}


def node_id(doc_id: str, index: int) -> str:
    """The store id of sentence `index` of document `doc_id` ("<doc_id>:<index>")."""
    return f"{doc_id}:{index}"


def parse_node_id(nid: str) -> tuple[str, int]:
    """(doc_id, index) of a store id made by `node_id`; ValueError when it is not one."""
    doc_id, sep, index = str(nid).rpartition(":")
    if not sep or not doc_id or not index.isdigit():
        raise ValueError(f"not a sentence id: {nid!r}")
    return doc_id, int(index)


def doc_of(nid: str) -> str:
    """The document id part of a store id."""
    return parse_node_id(nid)[0]


def split_row(row: str) -> list[str]:
    """Cells of a Markdown table row (escaped pipes stay inside their cell)."""
    body = row.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells, cur, i = [], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            cur.append("|")
            i += 2
            continue
        if ch == "|":
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    cells.append("".join(cur))
    return cells


class Document(BaseModel):
    """A report as stored: its full text and where it came from."""

    doc_id: str
    title: str
    source: str
    stem: str
    text: str
    pages: int | None = None
    page_starts: list[int] | None = None
    warnings: list[str] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    # PDF: [start, end, page, x0, top, x1, bottom] of each line of `text`, as the reader laid it
    # out; used at ingest to give sentences their boxes, not stored (exclude=True).
    line_boxes: list[list[float]] = Field(default_factory=list, exclude=True)


class DocumentInfo(BaseModel):
    """The manifest entry of a committed (visible) document."""

    doc_id: str
    title: str
    source: str
    stem: str
    sentences: int
    pages: int | None = None
    ingested_at: str


class Quantity(BaseModel):
    """A number found in a sentence, with what surrounds it."""

    value: float
    text: str
    start: int
    end: int
    scale: Literal["", "thousand", "million", "billion", "percent"] = ""
    unit: str = ""
    kind: Literal["number", "percent", "money", "year", "date", "ordinal", "label", "points"] = "number"
    qualifier: str = ""
    negative: bool = False
    range_with: float | None = None

    @property
    def is_fraction(self) -> bool:
        """A written share of a whole ("two thirds", "a quarter"): a part, not a level."""
        return 0 < self.value < 1 and not any(ch.isdigit() for ch in self.text)


class Citation(BaseModel):
    """A sentence an answer rests on, with its exact position in the document."""

    doc_id: str
    title: str
    file: str
    page: int | None = None
    sentence_index: int
    start: int
    end: int
    text: str
    score: float = 0.0
    context: str = ""
    context_start: int = 0
    cell: Cell | None = None  # when the cited figure is a table cell: its row, column and span
    table_header: list[str] | None = None  # that table's column headers, one per column


class Operand(BaseModel):
    value: float
    text: str
    citation: int = Field(description="1-based index into Answer.citations")


class Computation(BaseModel):
    operation: str
    formula: str
    operands: list[Operand]
    result: float


AnswerKind = Literal["figure", "computed", "conflict", "passage", "not_found"]


class Understood(BaseModel):
    """How a question was read: what it measures, for whom, when, in which documents.

    For a follow-up, `carried` names what was taken from an earlier turn and
    `not_carried` what could not be (an earlier turn that found nothing).
    """

    question: str = Field("", description="the standalone question that was answered")
    measure: str = ""
    group: str = ""
    years: list[int] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list, description="titles; empty means all documents")
    doc_ids: list[str] = Field(default_factory=list)
    operation: str = "figure"
    follow_up: bool = False
    from_turn: int | None = Field(None, description="1-based turn a follow-up was resolved against")
    carried: list[str] = Field(default_factory=list)
    not_carried: list[str] = Field(default_factory=list)

    @property
    def line(self) -> str:
        """'hotline calls · forced labour · 2022 · all documents'."""
        period = "–".join(str(y) for y in sorted(set(self.years))) if self.years else "any year"
        docs = ", ".join(self.documents) if self.documents else "all documents"
        parts = [self.measure or "(no measure)", self.group, period, docs]
        if self.operation not in ("figure", ""):
            parts.insert(0, self.operation.replace("_", " "))
        return " · ".join(p for p in parts if p)


class Answer(BaseModel):
    """What `qa.answer` returns: a reply, its value and the sentences it rests on."""

    question: str
    text: str
    value: float | list[float] | None = None
    unit: str = ""
    scale: str = ""
    kind: AnswerKind = "not_found"
    citations: list[Citation] = Field(default_factory=list)
    computation: Computation | None = None
    alternatives: list[dict] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)
    latency_ms: float = 0.0
    understood: Understood | None = None


class Turn(BaseModel):
    """One turn of a conversation: the question as asked, how it was read, and its answer."""

    question: str
    understood: Understood | None = None
    answer: Answer

    @classmethod
    def of(cls, answer: Answer) -> "Turn":
        return cls(question=answer.question, understood=answer.understood, answer=answer)


class IngestResult(BaseModel):
    path: str
    status: Literal["new", "unchanged", "replaced", "failed", "skipped"]
    doc_id: str | None = None
    title: str | None = None
    sentences: int = 0
    reason: str | None = None
    warnings: list[str] = Field(default_factory=list)
