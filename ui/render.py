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


def mark_figures(sentence: str, figures: Sequence[tuple[int, int]] = ()) -> str:
    """The sentence, escaped, with each figure span (offsets inside it) in <mark class="rq-fig">."""
    out, at = [], 0
    for a, b in sorted(figures):
        if at <= a < b <= len(sentence):
            out.append(f'{esc(sentence[at:a])}<mark class="rq-fig">{esc(sentence[a:b])}</mark>')
            at = b
    out.append(esc(sentence[at:]))
    return "".join(out)


def highlight(c: Citation, figures: Sequence[tuple[int, int]] = ()) -> str:
    """The citation's paragraph, escaped, with the cited sentence inside <mark> and the cited
    figures (offsets inside the sentence text) marked inside it.

    The sentence is at [start - context_start, end - context_start) of the context.
    Offsets that fall outside the context (an old or damaged record) fall back to
    finding the sentence text, and failing that to showing the sentence alone.
    """
    ctx = c.context or ""
    a, b = c.start - c.context_start, c.end - c.context_start
    if not (ctx and 0 <= a < b <= len(ctx)):
        i = ctx.find(c.text) if ctx and c.text else -1
        if i < 0:
            return f"<mark>{mark_figures(c.text, figures)}</mark>"
        a, b = i, i + len(c.text)
    inner = mark_figures(ctx[a:b], figures if ctx[a:b] == c.text else ())
    return f"{esc(ctx[:a])}<mark>{inner}</mark>{esc(ctx[b:])}"


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


def sentence_number(c: Citation) -> int:
    """The sentence's number as people count (stored 0-based): the same in the CLI, card and receipt."""
    return c.sentence_index + 1


def see_button(turn: int, n: int, prefix: str, c: Citation) -> str:
    """The button that opens the citation at its place in the document (ui/app.py VIEW_JS)."""
    label = f"See on page {c.page}" if c.page is not None else "Show in document"
    return (f'<button type="button" class="rq-see" data-ref="{turn}:{prefix}:{n}" '
            f'title="Open {esc(c.file)} at this place">{label}</button>')


def citation_card(c: Citation, n: int, turn: int, prefix: str = "c",
                  marked: Iterable[tuple[int, int]] = (), figures: Sequence[tuple[int, int]] = ()) -> str:
    """One citation as a card: [n], title, file, page, sentence number, highlighted paragraph.

    A table cell is shown in its table instead (row and column named, the cell highlighted);
    `marked` holds the (row, column) of a computation's operand cells, `figures` the cited
    figures' offsets inside the sentence.
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
            f'<span class="rq-title">{esc(c.title)}</span>{see_button(turn, n, prefix, c)}</div>'
            f'<div class="rq-card-meta">{" · ".join(meta)}</div>'
            f"{cell_table_html(c, marked)}"
            "</div>"
        )
    meta.append(f"sentence {sentence_number(c)}")
    meta.append(f'<span class="rq-offsets">chars {c.start}–{c.end}</span>')
    return (
        f'<div class="rq-card" id="{anchor_id(turn, n, prefix)}">'
        f'<div class="rq-card-head"><span class="rq-num">[{n}]</span> '
        f'<span class="rq-title">{esc(c.title)}</span>{see_button(turn, n, prefix, c)}</div>'
        f'<div class="rq-card-meta">{" · ".join(meta)}</div>'
        f'<blockquote class="rq-context">{highlight(c, figures)}</blockquote>'
        "</div>"
    )


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
    for key in ("citations", "related"):  # the number people see in the CLI and on the card
        for c, d in zip(getattr(answer, key), data[key]):
            d["sentence_number"] = sentence_number(c)
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
