"""Reading real report pages: PDFs generated here with fpdf2 (points, origin top-left).

Each test builds the page feature it checks (two columns, a continued table, superscript
markers, a two-level header, dot leaders, brackets, missing values) and reads it through the
same stages as ingest: the PDF reader, the tables, the sentences.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.prepare import prepare_document
from ingest.readers import pdf as pdf_reader
from reportqa.settings import Settings


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="Letter")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=10)
    return pdf


def _put(pdf, x: float, y: float, text: str, size: float = 10) -> None:
    """Text with its baseline at y."""
    pdf.set_font_size(size)
    pdf.text(x, y, text)
    pdf.set_font_size(10)


def _right(pdf, x1: float, y: float, text: str, size: float = 10) -> None:
    """Text right-aligned at x1 (figures in a table column)."""
    pdf.set_font_size(size)
    pdf.text(x1 - pdf.get_string_width(text), y, text)
    pdf.set_font_size(10)


def _read(tmp_path: Path, pdf, name: str = "r.pdf"):
    path = tmp_path / name
    pdf.output(str(path))
    settings = Settings(data_dir=str(tmp_path / "data"), parse_frames=False)
    return prepare_document(path, settings)


def _cells(stored):
    return [c for s in stored.sentences for c in s.cells if not c.header]


def _cell(stored, row: str, *cols: str):
    for c in _cells(stored):
        if row in " › ".join(c.row_path) and all(k in " › ".join(c.column_path) for k in cols):
            return c
    return None


LEFT = ("In 2023 the inspectors of the northern region visited 540 sites in total, "
        "which is more than in any year before. Their report lists every one of them.")
RIGHT = ("The southern region had fewer inspectors and visited 212 sites during the same "
         "year, mostly small workshops near the coast.")


def _wrap(pdf, text: str, width: float) -> list[str]:
    lines, cur = [], ""
    for w in text.split():
        if cur and pdf.get_string_width(cur + " " + w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w).strip()
    return lines + [cur]


def test_two_column_page_reads_each_column_whole(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    _put(pdf, 72, 60, "Inspection report 2023", size=14)
    for col, (x, text) in enumerate(((72, LEFT), (320, RIGHT))):
        for k, line in enumerate(_wrap(pdf, text, 210)):
            _put(pdf, x, 100 + 13 * k, line)
    stored = _read(tmp_path, pdf)
    texts = [s.text.replace("\n", " ") for s in stored.sentences]
    whole = "In 2023 the inspectors of the northern region visited 540 sites in total, which is more than in any year before."
    assert whole in texts
    assert any(t.startswith("The southern region had fewer inspectors") and "212 sites" in t for t in texts)
    text = stored.document.text
    assert text.index("Their report lists") < text.index("The southern region")


def _table_page(pdf, title: str, rows: list[tuple[str, list[str]]], head: bool = True, y: float = 90) -> float:
    _put(pdf, 72, y, title)
    y += 22
    if head:
        for x1, h in ((300, "2021"), (380, "2022"), (460, "2023")):
            _right(pdf, x1, y, h)
        y += 14
    for label, vals in rows:
        _put(pdf, 72, y, label)
        for x1, v in zip((300, 380, 460), vals):
            _right(pdf, x1, y, v)
        y += 14
    return y


def test_table_continued_on_next_page_keeps_its_header(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    first = [(f"District {k}", [str(100 + k), str(200 + k), str(300 + k)]) for k in range(1, 6)]
    _table_page(pdf, "Table 5. Cases by district", first)
    pdf.add_page()
    more = [(f"District {k}", [str(100 + k), str(200 + k), str(300 + k)]) for k in range(6, 10)]
    _table_page(pdf, "Table 5. Cases by district (Cont.)", more, head=False)
    stored = _read(tmp_path, pdf)
    cell = _cell(stored, "District 8", "2022")
    assert cell is not None and cell.value == 208 and cell.page == 2
    assert len({c.table for c in _cells(stored)}) == 1


def test_superscript_footnote_markers_are_not_part_of_figures(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    y = _table_page(pdf, "Table 1. Rates", [("Injury rate", ["4.0", "4.1", "4.2"]), ("Deaths", ["12", "15", "14"]),
                                             ("Visits", ["7", "9", "8"])])
    # Raised small markers glued to a figure and to a label: "4.2" with note 1, "Total" with note b.
    _put(pdf, 461, 112 + 14 - 4, "1", size=6)
    _put(pdf, 72, y, "Total")
    _put(pdf, 72 + pdf.get_string_width("Total") + 0.5, y - 4, "b", size=6)
    for x1, v in zip((300, 380, 460), ("23", "25", "27")):
        _right(pdf, x1, y, v)
    stored = _read(tmp_path, pdf)
    rate = _cell(stored, "Injury rate", "2023")
    assert rate is not None and rate.value == pytest.approx(4.2)
    total = _cell(stored, "Total", "2023")
    assert total is not None and total.row_path[-1] == "Total" and total.value == 27


def test_two_level_header_gives_column_paths(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    _put(pdf, 72, 80, "Table 2. Victims by year")
    groups = {"2020": (250, 300, 340), "2021": (400, 450, 490)}  # right edges of Number, %, Rank
    for year, (a, _, c) in groups.items():  # each year centred over its three columns
        _put(pdf, (a - 30 + c) / 2 - pdf.get_string_width(year) / 2, 100, year)
        for x1, h in zip(groups[year], ("Number", "%", "Rank")):
            _right(pdf, x1, 114, h)
    y = 128
    for label, vals in (("Women", ["120", "60.0", "1", "130", "61.9", "1"]),
                        ("Men", ["80", "40.0", "2", "80", "38.1", "2"]),
                        ("Total", ["200", "100.0", "", "210", "100.0", ""])):
        _put(pdf, 72, y, label)
        for x1, v in zip(groups["2020"] + groups["2021"], vals):
            if v:
                _right(pdf, x1, y, v)
        y += 14
    stored = _read(tmp_path, pdf)
    cell = _cell(stored, "Women", "2021", "Number")
    assert cell is not None and cell.value == 130
    assert cell.column_path == ["2021", "Number"]
    share = _cell(stored, "Men", "2020", "%")
    assert share is not None and share.value == pytest.approx(40.0) and share.scale == "percent"
    assert _cell(stored, "Men", "2020", "Number").value == 80


def test_dot_leaders_and_group_rows(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    _put(pdf, 72, 80, "Table 3. Arrests")
    for x1, h in ((360, "2021"), (440, "2022")):
        _right(pdf, x1, 100, h)
    y = 114
    for label, indent, vals in (("Violent crime", 0, None), ("Robbery", 8, ("102.1", "98.4")),
                                ("Burglary", 8, ("60.3", "55.0")), ("Arson", 8, ("9.8", "9.1"))):
        text = label + (" " + ". " * 30 if vals else "")
        _put(pdf, 72 + indent, y, text.strip())
        for x1, v in zip((360, 440), vals or ()):
            _right(pdf, x1, y, v)
        y += 14
    stored = _read(tmp_path, pdf)
    cell = _cell(stored, "Robbery", "2022")
    assert cell is not None and cell.value == pytest.approx(98.4)
    assert cell.row_path == ["Violent crime", "Robbery"]
    assert "." not in cell.row_path[-1]


def test_brackets_and_unknown_cells(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    _put(pdf, 72, 70, "Most of the people helped were women (45%) according to the survey.")
    y = _table_page(pdf, "Table 4. Net result", [("Net income", ["(64)", "12", "Unknown"]),
                                                 ("Grants", ["5", "-", "7"]), ("Fees", ["3", "4", "n/a"])], y=100)
    stored = _read(tmp_path, pdf)
    assert _cell(stored, "Net income", "2021").value == -64
    assert _cell(stored, "Net income", "2023").value is None
    assert _cell(stored, "Grants", "2022").value is None
    assert _cell(stored, "Fees", "2023").value is None
    from reportqa.quantities import extract_quantities

    prose = next(s for s in stored.sentences if "women" in s.text)
    assert [q.value for q in extract_quantities(prose.text) if q.kind == "percent"] == [45.0]


def test_every_sentence_and_cell_has_a_page_and_box(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    _put(pdf, 72, 60, "Report of the year.")
    _table_page(pdf, "Table 1. Cases", [("North", ["1", "3", "2"]), ("South", ["4", "5", "6"]),
                                        ("East", ["9", "8", "7"])])
    pdf.add_page()
    _put(pdf, 72, 300, "The second page says 17 more things.")
    stored = _read(tmp_path, pdf)
    for s in stored.sentences:
        assert s.page is not None and s.bbox is not None
        x0, top, x1, bottom = s.bbox
        assert 0 <= x0 < x1 <= 612 and 0 <= top < bottom <= 792
    last = next(s for s in stored.sentences if "second page" in s.text)
    assert last.page == 2 and 280 < last.bbox[1] < 300
    cell = _cell(stored, "South", "2022")
    assert cell.bbox is not None and cell.bbox[2] == pytest.approx(380, abs=1.5)


def test_running_header_and_page_numbers_stay_out_of_prose(tmp_path):
    pdf = _pdf()
    for n in (1, 2, 3):
        pdf.add_page()
        _put(pdf, 72, 30, "Annual Inspection Report 2023")
        _put(pdf, 72, 200, f"Page {n} tells that {n * 11} sites were visited in the spring.")
        _put(pdf, 300, 770, str(n))
    stored = _read(tmp_path, pdf)
    text = stored.document.text
    assert text.count("Annual Inspection Report 2023") == 1
    assert not any(s.text.strip() in ("2", "3") for s in stored.sentences)


def test_huge_page_is_read_plainly_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_LAYOUT_CONTENT", 200)
    pdf = _pdf()
    pdf.add_page()
    _put(pdf, 72, 100, "A long page of figures: " + " ".join(str(k) for k in range(60)))
    stored = _read(tmp_path, pdf)
    assert any("read without layout" in w for w in stored.document.warnings)
    assert "A long page of figures" in stored.document.text


def test_page_without_text_layer_is_reported(tmp_path):
    from PIL import Image

    img = tmp_path / "scan.png"
    Image.new("RGB", (60, 60), "white").save(img)
    pdf = _pdf()
    pdf.add_page()
    _put(pdf, 72, 100, "The first page has text.")
    pdf.add_page()
    pdf.image(str(img), x=72, y=72, w=200)
    stored = _read(tmp_path, pdf)
    assert "page 2 has no text layer (scanned; OCR is not available)" in stored.document.warnings
