"""The source panel beside the chat: a clicked citation shown at its place in its document.

`source_panel` picks the view: the rendered PDF page with boxes (ui/source_view.py) when
the original PDF is still where it was added and unchanged, else the stored paragraph with
the sentence and the figure marked (text, HTML, Markdown, DOCX, tables, or a moved PDF).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from reportqa.models import Answer, Citation, DocumentInfo
from reportqa.settings import Settings
from ui.figures import figure_spans
from ui.render import cell_table_html, esc, highlight, sentence_number
from ui.source_view import PageImage, file_matches, pdf_page_view
from ui.turn import is_bare_heading

log = logging.getLogger(__name__)

EMPTY_PANEL = ('<div class="rq-viewer-empty">Click <b>See on page</b> (or <b>Show in document</b>) under a source to open it here, '
               "at the place the figure was read from.</div>")
MARGIN_PT = 60  # points of page kept above and below the cited lines in the close-up


def pick_citation(history: list[dict], ref: str) -> tuple[Answer, Citation, int, str] | None:
    """The answer and citation named by a card's `data-ref` ("turn:prefix:n"); None if stale."""
    try:
        turn_s, prefix, n_s = ref.split(":")
        turn, n = int(turn_s), int(n_s)
        answer = Answer.model_validate(history[turn])
    except (ValueError, IndexError, TypeError):
        return None
    cites = answer.citations if prefix == "c" else [c for c in answer.related if not is_bare_heading(c)]
    if not 1 <= n <= len(cites):
        return None
    return answer, cites[n - 1], n, prefix


def stored_box(settings: Settings, c: Citation) -> tuple[float, float, float, float] | None:
    """The sentence's box as the reader stored it (Sentence.bbox), when the store has one."""
    box = getattr(c, "bbox", None)
    if box:
        return tuple(box)
    try:
        from reportqa.store import Store

        stored = Store(settings).load_document(c.doc_id)
    except Exception:  # noqa: BLE001 - an old or damaged record: find the words instead
        return None
    sentence = next((s for s in stored.sentences if s.index == c.sentence_index), None)
    box = getattr(sentence, "bbox", None)
    return tuple(box) if box else None


def close_up(page: PageImage) -> str:
    """The band of the page around the cited lines, as a PNG data URI (full page width)."""
    from PIL import Image

    from ui.source_view import RENDER_SCALE

    boxes = page.sentence_boxes or page.figure_boxes
    if not boxes:
        return page.data_uri()
    top = max(0, int((min(b[1] for b in boxes) - MARGIN_PT) * RENDER_SCALE))
    bottom = min(page.height, int((max(b[3] for b in boxes) + MARGIN_PT) * RENDER_SCALE))
    image = Image.open(io.BytesIO(page.png)).crop((0, top, page.width, bottom))
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    import base64

    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _header(c: Citation, n: int, prefix: str, info: DocumentInfo | None) -> str:
    where = [esc(c.file)]
    if c.page is not None:
        where.append(f"page {esc(c.page)}")
    where.append(f"sentence {sentence_number(c)}")
    kind = "source" if prefix == "c" else "closest sentence"
    return (f'<div class="rq-viewer-head"><span class="rq-num">[{n}]</span> {kind}: '
            f'<b>{esc(info.title if info else c.title)}</b><div class="rq-card-meta">{" · ".join(where)}</div></div>')


def text_view(c: Citation, figures: list[tuple[int, int]], answer: Answer) -> str:
    """The stored paragraph, the sentence marked and the figure marked inside it (or the table row)."""
    if c.cell is not None:
        return f'<div class="rq-viewer-text">{cell_table_html(c)}</div>'
    return f'<blockquote class="rq-viewer-text rq-context">{highlight(c, figures)}</blockquote>'


def source_panel(settings: Settings, history: list[dict], ref: str, documents: dict[str, DocumentInfo]) -> str:
    """The panel's HTML for the citation `ref` of the conversation `history`."""
    picked = pick_citation(history, ref)
    if picked is None:
        return '<div class="rq-viewer-empty">That source belongs to a cleared conversation; ask again.</div>'
    answer, c, n, prefix = picked
    figures = figure_spans(answer, n) if prefix == "c" else []
    info = documents.get(c.doc_id)
    head = _header(c, n, prefix, info)
    paragraph = text_view(c, figures, answer)
    source = Path(info.source) if info else None
    if source is None or source.suffix.lower() != ".pdf" or c.page is None:
        return f'<div class="rq-viewer">{head}{paragraph}</div>'
    note = ""
    if not source.exists():
        note = f"The PDF is no longer at {esc(source)}; showing the text stored when it was added."
    elif not file_matches(source, c.doc_id):
        note = "The PDF has changed since it was added; showing the text stored from the version cited."
    else:
        try:
            page = pdf_page_view(source, c, figures, stored_box(settings, c))
        except Exception:  # noqa: BLE001 - a PDF the renderer cannot open still has its stored text
            log.exception("could not render %s page %s", source, c.page)
            page = None
        if page is not None:
            found = ("The cited sentence is shaded; the figure is boxed in red." if page.sentence_boxes
                     else "The sentence could not be located on the page; it is marked in the text below.")
            return (f'<div class="rq-viewer">{head}'
                    f'<img class="rq-page" alt="page {esc(c.page)} of {esc(c.file)}" src="{close_up(page)}">'
                    f'<div class="rq-viewer-note">{found}</div>'
                    f'<details class="rq-whole-page"><summary>Whole page {esc(c.page)}</summary>'
                    f'<img class="rq-page" alt="whole page" src="{page.data_uri()}"></details>'
                    f"{paragraph}</div>")
        note = "The page could not be drawn; showing the stored text."
    return f'<div class="rq-viewer">{head}<div class="rq-viewer-note">{note}</div>{paragraph}</div>'
