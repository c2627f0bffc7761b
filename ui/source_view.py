""""See it on the page": a citation opened at its place in the document.

For a PDF the cited page is rendered as an image (pypdfium2) with the cited sentence's or
cell's box drawn and the cited figure boxed inside it. Boxes come from the stored record when
it has one (`bbox`: x0, top, x1, bottom in PDF points, origin top-left, on the 1-based `page`);
otherwise the sentence is found again among the page's words (pdfplumber). For other files
(and when the PDF is gone or changed since it was added) the stored paragraph is shown with
the sentence and the figure marked.
"""

from __future__ import annotations

import base64
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from reportqa.models import Citation

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points (origin top-left)

RENDER_SCALE = 2.0  # 144 dpi: small print stays legible in the side panel
SENTENCE_FILL = (250, 204, 21, 70)
SENTENCE_LINE = (202, 138, 4, 255)
FIGURE_LINE = (220, 38, 38, 255)


@dataclass
class PageImage:
    """A rendered page with what was drawn on it."""

    png: bytes
    width: int
    height: int
    sentence_boxes: list[Box] = field(default_factory=list)
    figure_boxes: list[Box] = field(default_factory=list)

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _norm(text: str) -> str:
    # Letters and digits only, lower case, ligatures unfolded: line breaks, hyphenation and
    # spacing differ between the stored text and the PDF's words, the characters do not.
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def file_matches(path: Path, doc_id: str) -> bool:
    """Whether `path` still holds the bytes the document was read from (doc_id = sha256 prefix)."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return False
    return digest.startswith(doc_id)


def _line_boxes(words: list[dict]) -> list[Box]:
    """One box per printed line covered by `words` (a sentence spanning lines is not one big box)."""
    lines: list[list[dict]] = []
    for w in words:
        if lines and abs(lines[-1][-1]["top"] - w["top"]) < 0.5 * (w["bottom"] - w["top"]):
            lines[-1].append(w)
        else:
            lines.append([w])
    return [(min(w["x0"] for w in ln), min(w["top"] for w in ln), max(w["x1"] for w in ln),
             max(w["bottom"] for w in ln)) for ln in lines]


def locate_words(words: list[dict], sentence: str, figures: list[tuple[int, int]]) -> tuple[list[Box], list[Box]]:
    """Boxes of `sentence` and of its figure spans among a page's `words` (pdfplumber dicts).

    Matching is on letters and digits only; a sentence not found whole is looked for by its
    first 40 such characters. Returns ([], []) when it is not on the page.
    """
    stream, owner = [], []
    for i, w in enumerate(words):
        t = _norm(w["text"])
        stream.append(t)
        owner.extend([i] * len(t))
    page_text = "".join(stream)
    target = _norm(sentence)
    if not target:
        return [], []
    at = page_text.find(target)
    length = len(target)
    if at < 0:
        at = page_text.find(target[:40]) if len(target) > 40 else -1
        if at < 0:
            return [], []
        length = min(length, len(page_text) - at)

    def words_in(lo: int, hi: int) -> list[dict]:
        idx = sorted(set(owner[at + lo: at + hi]))
        return [words[i] for i in idx]

    sentence_boxes = _line_boxes(words_in(0, length))
    figure_boxes: list[Box] = []
    for a, b in figures:
        lo, hi = len(_norm(sentence[:a])), len(_norm(sentence[:b]))
        if hi > lo and hi <= length:
            figure_boxes.extend(_line_boxes(words_in(lo, hi)))
    return sentence_boxes, figure_boxes


def render_page(pdf: Path, page: int, sentence_boxes: list[Box], figure_boxes: list[Box]) -> PageImage:
    """Page `page` (1-based) of `pdf` as a PNG with the boxes drawn."""
    import pypdfium2
    from PIL import Image, ImageDraw

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        image = doc[page - 1].render(scale=RENDER_SCALE).to_pil().convert("RGBA")
    finally:
        doc.close()
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))  # drawn apart, then blended: the text stays readable
    draw = ImageDraw.Draw(layer)
    pad = 2

    def scaled(box: Box) -> tuple[float, float, float, float]:
        x0, top, x1, bottom = box
        return (x0 * RENDER_SCALE - pad, top * RENDER_SCALE - pad, x1 * RENDER_SCALE + pad, bottom * RENDER_SCALE + pad)

    for box in sentence_boxes:
        draw.rectangle(scaled(box), fill=SENTENCE_FILL, outline=SENTENCE_LINE, width=2)
    for box in figure_boxes:
        draw.rectangle(scaled(box), outline=FIGURE_LINE, width=4)
    overlay = Image.alpha_composite(image, layer)
    buf = io.BytesIO()
    overlay.convert("RGB").save(buf, format="PNG", optimize=True)
    return PageImage(buf.getvalue(), overlay.width, overlay.height, list(sentence_boxes), list(figure_boxes))


def pdf_page_view(pdf: Path, c: Citation, figures: list[tuple[int, int]], stored_box: Box | None = None,
                  ) -> PageImage | None:
    """The cited page with the citation's box (stored, or found among the words); None without a page."""
    if c.page is None:
        return None
    import pdfplumber

    text = c.text
    with pdfplumber.open(str(pdf)) as doc:
        if not 1 <= c.page <= len(doc.pages):
            return None
        words = doc.pages[c.page - 1].extract_words(use_text_flow=True)
    cell_box = getattr(c.cell, "bbox", None) if c.cell is not None else None
    if c.cell is not None:
        # A cited cell: its own text is what is boxed as the figure.
        text, figures = c.cell.text, [(0, len(c.cell.text))]
    sentence_boxes, figure_boxes = locate_words(words, text, figures)
    if cell_box:
        sentence_boxes, figure_boxes = [tuple(cell_box)], [tuple(cell_box)]
    elif stored_box:
        sentence_boxes = [tuple(stored_box)]  # the reader's own record beats finding the words again
    return render_page(pdf, c.page, sentence_boxes, figure_boxes)

