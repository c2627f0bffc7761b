"""'See it on the page': the cited figure found in its sentence, the sentence and figure boxed on
a real (generated) PDF page, and the panel falling back to the stored text when the PDF changed."""

from __future__ import annotations

import io
from pathlib import Path

from reportqa.models import Answer, Citation, Computation, DocumentInfo, Operand
from reportqa.settings import Settings
from ui import figures, source_view, viewer

SENTENCE = "Inspectors counted 4,212 beds across 96 shelters in 2023, up from the year before when fewer were open."


def make_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Shelter Survey 2023\n\nThis survey covers the shelters inspected during the year.")
    pdf.add_page()
    pdf.multi_cell(0, 8, f"Beds\n\nSome introduction text goes here. {SENTENCE} Other text follows.")
    pdf.output(str(path))
    return path


def cite(text: str = SENTENCE, page: int | None = 2, **kw) -> Citation:
    fields = dict(doc_id="x", title="Shelter Survey 2023", file="survey.pdf", page=page, sentence_index=4, start=100,
                  end=100 + len(text), text=text, context=f"Before. {text} After.", context_start=92)
    fields.update(kw)
    return Citation(**fields)


def test_figure_spans_find_the_value_operands_and_alternatives_in_the_sentence():
    a = Answer(question="q", text="**4,212** [1]", value=4212, kind="figure", citations=[cite()])
    (span,) = figures.figure_spans(a, 1)
    assert SENTENCE[slice(*span)] == "4,212"
    money = Answer(question="q", text="x", value=1.2, scale="million", kind="figure",
                   citations=[cite("Donors gave $1.2 million in 2022.")])
    assert [money.citations[0].text[slice(*s)] for s in figures.figure_spans(money, 1)] == ["1.2"]
    comp = Answer(question="q", text="x", value=4116, kind="computed", citations=[cite()],
                  computation=Computation(operation="difference", formula="4,212 [1] − 96 [1]", result=4116,
                                          operands=[Operand(value=4212, text="4,212", citation=1),
                                                    Operand(value=96, text="96", citation=1)]))
    assert [SENTENCE[slice(*s)] for s in figures.figure_spans(comp, 1)] == ["4,212", "96"]
    # a year equal to nothing asked is not marked; a passage has no figure
    assert figures.figure_spans(Answer(question="q", text="t", kind="passage", citations=[cite()]), 1) == []


def test_sentence_and_figure_are_boxed_on_the_rendered_pdf_page(tmp_path):
    from PIL import Image

    pdf = make_pdf(tmp_path / "survey.pdf")
    at = SENTENCE.index("4,212")
    page = source_view.pdf_page_view(pdf, cite(), [(at, at + 5)])
    assert page is not None and len(page.sentence_boxes) == 2  # the sentence wraps onto a second line
    (fig,) = page.figure_boxes
    first = page.sentence_boxes[0]
    assert first[0] <= fig[0] < fig[2] <= first[2] and first[1] <= fig[1] + 0.5  # the figure inside its line
    image = Image.open(io.BytesIO(page.png)).convert("RGB")
    x = int((fig[0] - 0.5) * source_view.RENDER_SCALE)  # the red frame's left edge
    y = int((fig[1] + fig[3]) / 2 * source_view.RENDER_SCALE)
    r, g, b = image.getpixel((x, y))
    assert r > 180 and g < 90 and b < 90


def test_a_sentence_not_on_the_page_draws_no_box(tmp_path):
    pdf = make_pdf(tmp_path / "survey.pdf")
    page = source_view.pdf_page_view(pdf, cite("Nothing like this is printed anywhere in it."), [])
    assert page is not None and page.sentence_boxes == [] and page.figure_boxes == []


def test_panel_shows_the_page_for_an_unchanged_pdf_and_the_text_when_it_changed(tmp_path):
    import hashlib

    pdf = make_pdf(tmp_path / "survey.pdf")
    doc_id = hashlib.sha256(pdf.read_bytes()).hexdigest()[:16]
    c = cite(doc_id=doc_id)
    history = [Answer(question="q", text="**4,212** [1]", value=4212, kind="figure", citations=[c]).model_dump(mode="json")]
    info = DocumentInfo(doc_id=doc_id, title="Shelter Survey 2023", source=str(pdf), stem="survey", sentences=9,
                        ingested_at="2024-01-01T00:00:00+00:00")
    settings = Settings(data_dir=tmp_path / "data")
    html = viewer.source_panel(settings, history, "0:c:1", {doc_id: info})
    assert 'src="data:image/png;base64,' in html and "figure is boxed" in html
    assert '<mark class="rq-fig">4,212</mark>' in html
    pdf.write_bytes(pdf.read_bytes() + b"\n% edited")
    changed = viewer.source_panel(settings, history, "0:c:1", {doc_id: info})
    assert "data:image/png" not in changed and "has changed" in changed and '<mark class="rq-fig">4,212</mark>' in changed
    assert "cleared conversation" in viewer.source_panel(settings, history, "3:c:1", {doc_id: info})


def test_a_cited_table_cell_is_boxed_on_its_pdf_page(tmp_path):
    from eval.table_fixtures import FIXTURES
    from reportqa.models import Cell

    pdf = tmp_path / "ruled-results.pdf"
    pdf.write_bytes(FIXTURES["ruled-results.pdf"]())
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        word = next(w for w in doc.pages[0].extract_words() if w["text"] == "187")
    cell = Cell(text="187", start=0, end=3, row=1, column=2, page=1)
    c = cite("Suspects arrested | 140 | 187 | 295", page=1, cell=cell)
    page = source_view.pdf_page_view(pdf, c, [])
    assert page is not None and page.figure_boxes
    x0, top, x1, bottom = page.figure_boxes[0]
    assert abs(x0 - word["x0"]) < 1 and abs(top - word["top"]) < 1
    # A stored box (the PDF reader's Cell.bbox, once the store records it) is used as it is.
    if "bbox" in Cell.model_fields:
        boxed = cite("Suspects arrested | 140 | 187 | 295", page=1,
                     cell=Cell(text="187", start=0, end=3, row=1, column=2, page=1, bbox=(10.0, 20.0, 30.0, 40.0)))
        assert source_view.pdf_page_view(pdf, boxed, []).figure_boxes == [(10.0, 20.0, 30.0, 40.0)]
