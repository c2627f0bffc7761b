"""Pure functions that turn Answers (and ingest results) into HTML, and Answers into receipts.

Everything that comes from a document, a file name or a question is passed through
`esc` *before* any markup is added, so a report containing `<script>` or an
`onerror=` attribute is shown as text and never runs. The only tags in the output
are our own: <strong>, <mark>, <code>, anchors to citation cards and layout divs.

Answer.text uses a tiny markup of its own: `**figure**` for the figure and `[n]`
for the n-th citation; both are turned into HTML after escaping.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from reportqa.models import Answer, Citation, DocumentInfo, IngestResult, split_row
from reportqa.numbers import format_number
from reportqa.settings import Settings

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_REF = re.compile(r"\[(\d{1,3})\]")
# An operand in a formula as qa/compute writes it: "358 [1]" (value, then its citation).
_OPERAND = re.compile(r"([^\s()\[\]/×+−*]+) \[(\d{1,3})\]")
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")

# Settings that change which answer a question gets; recorded in the receipt so an
# answer can be reproduced. Locations and URLs are left out (they may hold secrets).
RECEIPT_SETTINGS = (
    "embed_model", "collection", "top_k", "candidate_k", "rrf_k", "context_window",
    "long_sentence_words", "max_question_chars",
)

KIND_LABELS = {
    "figure": "Figure",
    "computed": "Computed",
    "conflict": "Sources differ",
    "passage": "Passage",
    "not_found": "Not found",
}


def esc(text: object) -> str:
    """HTML-escape anything (quotes too, so it is safe inside attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def anchor_id(turn: int, n: int, prefix: str = "c") -> str:
    """The element id of citation card `n` (1-based) of chat turn `turn`."""
    return f"rq-{turn}-{prefix}{n}"


def ref_link(turn: int, n: int, prefix: str = "c") -> str:
    """A numbered citation marker linking to its card."""
    return f'<a class="rq-ref" href="#{anchor_id(turn, n, prefix)}">[{n}]</a>'


def format_value(value: float | list[float] | None, scale: str = "", unit: str = "") -> str:
    """An Answer's value with its scale ("1.2 million", "57.4%"); '' when there is none."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(format_value(v, scale, unit) for v in value)
    text = format_number(value)
    if scale == "percent":
        return text + "%"
    if scale:
        text = f"{text} {scale}"
    if unit and not unit[-1].isalnum():  # currency signs go in front: "$1.2 million"
        return unit + text
    return f"{text} {unit}" if unit else text


def link_refs(escaped: str, turn: int, count: int, prefix: str = "c") -> str:
    """Turn `[n]` markers into links to cards; markers with no card stay as text."""
    def sub(m: re.Match) -> str:
        n = int(m.group(1))
        return ref_link(turn, n, prefix) if 1 <= n <= count else m.group(0)

    return _REF.sub(sub, escaped)


def answer_text_html(answer: Answer, turn: int) -> str:
    """The answer line: escaped, figure in bold, citation markers linked to the cards."""
    count = len(answer.citations)
    out = _BOLD.sub(r"<strong>\1</strong>", esc(answer.text))
    if "<strong>" not in out and answer.value is not None and answer.kind != "not_found":
        out = _bold_value(out, answer)
    has_refs = any(1 <= int(m.group(1)) <= count for m in _REF.finditer(answer.text))
    out = link_refs(out, turn, count)
    if count and not has_refs:
        out += " " + " ".join(ref_link(turn, n) for n in range(1, count + 1))
    return out


def _bold_value(escaped: str, answer: Answer) -> str:
    # The engine normally marks the figure itself; if not, bold the first number equal
    # to the value, or put the value in front so the figure is always visible.
    values = answer.value if isinstance(answer.value, list) else [answer.value]
    for m in _NUMBER.finditer(escaped):
        try:
            x = float(m.group(0).replace(",", ""))
        except ValueError:
            continue
        if any(abs(x - v) < 1e-9 for v in values):
            return escaped[: m.start()] + f"<strong>{m.group(0)}</strong>" + escaped[m.end():]
    return f"<strong>{esc(format_value(answer.value, answer.scale, answer.unit))}</strong> — {escaped}"


def highlight(c: Citation) -> str:
    """The citation's paragraph, escaped, with the cited sentence inside <mark>.

    The sentence is at [start - context_start, end - context_start) of the context.
    Offsets that fall outside the context (an old or damaged record) fall back to
    finding the sentence text, and failing that to showing the sentence alone.
    """
    ctx = c.context or ""
    a, b = c.start - c.context_start, c.end - c.context_start
    if not (ctx and 0 <= a < b <= len(ctx)):
        i = ctx.find(c.text) if ctx and c.text else -1
        if i < 0:
            return f"<mark>{esc(c.text)}</mark>"
        a, b = i, i + len(c.text)
    return f"{esc(ctx[:a])}<mark>{esc(ctx[a:b])}</mark>{esc(ctx[b:])}"


def cell_table_html(c: Citation, marked: Iterable[tuple[int, int]] = ()) -> str:
    """A cited cell shown in its table: the header row and the cell's row, the cell highlighted
    and the other operands of a computation (same row) marked."""
    cell = c.cell
    if cell is None:
        return ""
    marked = set(marked)
    cells = split_row(c.text)
    header = list(c.table_header or [])
    width = max(len(cells), len(header))
    head = "".join(f'<th scope="col">{esc(header[i] if i < len(header) else "")}</th>' for i in range(width))
    body = []
    for i in range(width):
        text = cells[i].strip() if i < len(cells) else ""
        if i == cell.column:
            body.append(f'<td class="rq-cell-cited"><mark>{esc(text)}</mark></td>')
        elif (cell.row, i) in marked:
            body.append(f'<td class="rq-cell-operand">{esc(text)}</td>')
        elif i == 0:
            body.append(f'<th scope="row">{esc(text)}</th>')
        else:
            body.append(f"<td>{esc(text)}</td>")
    return (f'<table class="rq-cell-table"><thead><tr>{head}</tr></thead>'
            f'<tbody><tr>{"".join(body)}</tr></tbody></table>')


def citation_card(c: Citation, n: int, turn: int, prefix: str = "c",
                  marked: Iterable[tuple[int, int]] = ()) -> str:
    """One citation as a card: [n], title, file, page, sentence number, highlighted paragraph.

    A table cell is shown in its table instead (row and column named, the cell highlighted);
    `marked` holds the (row, column) of a computation's operand cells.
    """
    meta = [f'<span class="rq-file">{esc(c.file)}</span>']
    if c.page is not None:
        meta.append(f"page {esc(c.page)}")
    if c.cell is not None:
        meta.append(f"table {c.cell.table + 1}, row “{esc(' › '.join(c.cell.row_path))}”, "
                    f"column “{esc(' '.join(c.cell.column_path))}”")
        meta.append(f'<span class="rq-offsets">chars {c.cell.start}–{c.cell.end}</span>')
        return (
            f'<div class="rq-card rq-card-cell" id="{anchor_id(turn, n, prefix)}">'
            f'<div class="rq-card-head"><span class="rq-num">[{n}]</span> '
            f'<span class="rq-title">{esc(c.title)}</span></div>'
            f'<div class="rq-card-meta">{" · ".join(meta)}</div>'
            f"{cell_table_html(c, marked)}"
            "</div>"
        )
    meta.append(f"sentence {c.sentence_index + 1}")  # stored 0-based; people count from 1
    meta.append(f'<span class="rq-offsets">chars {c.start}–{c.end}</span>')
    return (
        f'<div class="rq-card" id="{anchor_id(turn, n, prefix)}">'
        f'<div class="rq-card-head"><span class="rq-num">[{n}]</span> '
        f'<span class="rq-title">{esc(c.title)}</span></div>'
        f'<div class="rq-card-meta">{" · ".join(meta)}</div>'
        f'<blockquote class="rq-context">{highlight(c)}</blockquote>'
        "</div>"
    )


def computation_html(answer: Answer, turn: int) -> str:
    """The formula, each operand linked to the card of the sentence it was read from."""
    comp = answer.computation
    if comp is None:
        return ""
    count = len(answer.citations)

    def operand(m: re.Match) -> str:
        n = int(m.group(2))
        if not 1 <= n <= count:
            return m.group(0)
        return (f'<a class="rq-operand" href="#{anchor_id(turn, n)}">'
                f"{m.group(1)} <span class=\"rq-ref\">[{n}]</span></a>")

    formula = _OPERAND.sub(operand, esc(comp.formula))
    items = []
    for o in comp.operands:
        target = (f'<a class="rq-operand" href="#{anchor_id(turn, o.citation)}">{esc(o.text)}</a>'
                  if 1 <= o.citation <= count else esc(o.text))
        shown = esc(format_number(o.value))
        value = "" if shown == esc(o.text) else f" = {shown}"  # "3.2 million = 3,200,000"; not "358 = 358"
        items.append(f"<li>{target}{value}, read from [{o.citation}]</li>")
    return (
        '<div class="rq-computation"><span class="rq-label">Computed</span> '
        f'<code class="rq-formula">{formula}</code> = <strong>{esc(format_number(comp.result))}</strong>'
        f'<ul class="rq-operands">{"".join(items)}</ul></div>'
    )


def conflict_html(answer: Answer, turn: int) -> str:
    """The conflicting values side by side, each with its citation."""
    if answer.kind != "conflict":
        return ""
    count = len(answer.citations)
    alt_cites = {a.get("citation") for a in answer.alternatives}
    # The best match is the one citation no alternative claims (qa/choose cites it first).
    best_n = next((i for i in range(1, count + 1) if i not in alt_cites), 1)
    boxes = []
    if answer.value is not None and not isinstance(answer.value, list):
        boxes.append(_alt_box(format_value(answer.value, answer.scale, answer.unit), best_n, turn, count, True))
    for alt in answer.alternatives:
        shown = alt.get("text") or format_number(float(alt.get("value", 0)))
        boxes.append(_alt_box(str(shown), int(alt.get("citation") or 0), turn, count, False))
    return f'<div class="rq-conflict">{"".join(boxes)}</div>'


def _alt_box(value: str, n: int, turn: int, count: int, best: bool) -> str:
    ref = ref_link(turn, n) if 1 <= n <= count else ""
    label = "best match" if best else "also reported"
    return (f'<div class="rq-alt{" rq-best" if best else ""}"><div class="rq-alt-value">{esc(value)}</div>'
            f'<div class="rq-alt-label">{label} {ref}</div></div>')


def understood_html(answer: Answer) -> str:
    """The one line saying how the question was read, what a follow-up took from an earlier
    turn (or could not), and a link that asks the standalone question again."""
    u = answer.understood
    if u is None:
        return ""
    parts = [f'<span class="rq-label">Understood as</span> <span class="rq-understood-line">{esc(u.line)}</span>']
    if u.follow_up and u.carried:
        where = f" from turn {u.from_turn}" if u.from_turn else ""
        parts.append(f'<span class="rq-carried">(took{esc(where)}: {esc("; ".join(u.carried))})</span>')
    if u.not_carried:
        parts.append(f'<span class="rq-not-carried">Could not carry over: {esc("; ".join(u.not_carried))}</span>')
    if u.question and u.follow_up:
        parts.append(f'<a href="#" class="rq-reask" data-question="{esc(u.question)}" '
                     f'title="Ask “{esc(u.question)}” on its own">ask as a standalone question</a>')
    return f'<div class="rq-understood">{" ".join(parts)}</div>'


def render_turn(answer: Answer, turn: int) -> str:
    """One question and its answer, with citation cards (or related sentences)."""
    parts = [
        f'<div class="rq-turn rq-kind-{esc(answer.kind)}" id="rq-{turn}">',
        f'<div class="rq-question"><span class="rq-label">Q</span> {esc(answer.question)}</div>',
        f'<div class="rq-answer"><span class="rq-badge">{esc(KIND_LABELS.get(answer.kind, answer.kind))}</span> '
        f"{answer_text_html(answer, turn)}</div>",
        understood_html(answer),
        computation_html(answer, turn),
        conflict_html(answer, turn),
    ]
    if answer.citations:
        marked = _operand_cells(answer)
        cards = "".join(citation_card(c, n, turn, marked=marked) for n, c in enumerate(answer.citations, 1))
        parts.append(f'<div class="rq-cards">{cards}</div>')
    if answer.kind == "not_found":
        if answer.related:
            cards = "".join(citation_card(c, n, turn, "r") for n, c in enumerate(answer.related, 1))
            parts.append('<div class="rq-related"><div class="rq-related-head">The reports do not answer this. '
                         f'Related sentences:</div><div class="rq-cards">{cards}</div></div>')
        else:
            parts.append('<div class="rq-related"><div class="rq-related-head">The reports do not answer this, '
                         "and no related sentences were found.</div></div>")
    parts.append("</div>")
    return "".join(parts)


def _operand_cells(answer: Answer) -> set[tuple[int, int]]:
    """(row, column) of every table cell a computation used."""
    if answer.computation is None:
        return set()
    out = set()
    for o in answer.computation.operands:
        if 1 <= o.citation <= len(answer.citations):
            cell = answer.citations[o.citation - 1].cell
            if cell is not None:
                out.add((cell.row, cell.column))
    return out


def render_transcript(answers: Sequence[Answer]) -> str:
    """The whole conversation, oldest first (a placeholder when it is empty)."""
    if not answers:
        return ('<div class="rq-transcript rq-empty">Ask a question about the reports, e.g. '
                "“How many victims did the authorities rescue?”</div>")
    turns = "".join(render_turn(a, i) for i, a in enumerate(answers))
    return f'<div class="rq-transcript">{turns}</div>'


def render_ingest_results(results: Iterable[IngestResult]) -> str:
    """What happened to each uploaded file, as an escaped HTML table."""
    rows = []
    for r in results:
        name = r.path.rsplit("/", 1)[-1]
        note = r.reason or "; ".join(r.warnings) or (r.title or "")
        rows.append(
            f'<tr class="rq-status-{esc(r.status)}"><td>{esc(name)}</td><td>{esc(r.status)}</td>'
            f"<td>{r.sentences}</td><td>{esc(note)}</td></tr>"
        )
    if not rows:
        return ""
    return ('<table class="rq-ingest"><thead><tr><th>file</th><th>status</th><th>sentences</th><th>note</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def receipt(answer: Answer, settings: Settings, documents: dict[str, DocumentInfo] | None = None,
            now: datetime | None = None) -> dict:
    """The answer as a self-contained JSON record someone else can check.

    Documents are identified by doc_id, which is the SHA-256 (first 16 hex digits) of
    the file's bytes, so the receipt names the exact version of each report.
    """
    documents = documents or {}
    cited = list(dict.fromkeys(c.doc_id for c in [*answer.citations, *answer.related]))
    docs = []
    for doc_id in cited:
        info = documents.get(doc_id)
        first = next(c for c in [*answer.citations, *answer.related] if c.doc_id == doc_id)
        docs.append({
            "doc_id": doc_id,
            "sha256_prefix": doc_id,
            "title": info.title if info else first.title,
            "file": first.file,
            "ingested_at": info.ingested_at if info else None,
        })
    data = answer.model_dump(mode="json")
    return {
        "receipt_version": 1,
        "created_at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "question": answer.question,
        "answer": {k: data[k] for k in ("text", "kind", "value", "unit", "scale", "computation", "alternatives")},
        "citations": data["citations"],
        "related": data["related"],
        "documents": docs,
        "settings": {k: _jsonable(getattr(settings, k)) for k in RECEIPT_SETTINGS},
        "latency_ms": answer.latency_ms,
    }


def _jsonable(value: object) -> object:
    return value if isinstance(value, (str, int, float, bool, type(None), list)) else str(value)
