"""Tables read from every format: cells with exact spans, header paths, hierarchy, units, pages.

The fixture reports are generated in a temp dir by eval/table_fixtures.py; malformed
tables are built here. Every case asserts what is stored, not only that nothing crashed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from eval.table_fixtures import FIXTURES, PROVINCES, province_budget, write_fixtures
from ingest.readers import read_document
from ingest.sentences import split_sentences
from reportqa.errors import BadInput
from reportqa.settings import Settings
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory) -> dict[str, Path]:
    return {p.name: p for p in write_fixtures(tmp_path_factory.mktemp("table-fixtures"))}


def read(path: Path, settings: Settings | None = None):
    return read_document(path, path.read_bytes(), "doc", settings)


def cell(doc, row_label: str, column_label: str):
    """The one cell whose row path ends with row_label and whose column path ends with column_label."""
    found = [c for c in doc.tables[0].cells + [c for t in doc.tables[1:] for c in t.cells]
             if c.row_path and c.row_path[-1] == row_label and c.column_path and c.column_path[-1] == column_label]
    assert len(found) == 1, (row_label, column_label, found)
    return found[0]


def assert_spans(doc):
    cells = [c for t in doc.tables for c in t.cells]
    assert cells
    for c in cells:
        assert doc.text[c.start:c.end] == c.text


def test_every_fixture_has_a_table_with_exact_cell_spans(fixtures):
    assert set(fixtures) == set(FIXTURES)
    for name, path in fixtures.items():
        doc = read(path)
        assert doc.tables, name
        assert_spans(doc)
        # The sentence splitter's table rows carry the same cells.
        rows = [s for s in split_sentences("doc", doc.text, doc.page_starts, tables=doc.tables) if s.cells]
        assert rows and all(doc.text[c.start:c.end] == c.text for s in rows for c in s.cells), name
        assert all(s.start <= c.start and c.end <= s.end for s in rows for c in s.cells), name


def test_ruled_pdf_table_rows_columns_hierarchy_page_and_box(fixtures):
    doc = read(fixtures["ruled-results.pdf"])
    (table,) = doc.tables
    assert table.caption == "Table 1. Victims, cases and suspects by year"
    assert table.page == 1 and table.bbox is not None and len(table.bbox) == 4
    women = cell(doc, "of whom women", "2021")
    assert women.text == "265" and women.value == 265 and women.page == 1
    assert women.row_path == ["Victims rescued", "of whom women"]
    assert cell(doc, "Cases investigated", "2022").value == 240
    # Prose outside the table stays prose.
    assert "rescues rose again in 2022" in doc.text
    assert not any("rescues rose" in c.text for c in table.cells)


def test_borderless_pdf_table_is_found_from_aligned_columns(fixtures):
    doc = read(fixtures["shelter-borderless.pdf"])
    (table,) = doc.tables
    assert table.n_columns == 4 and table.n_rows == 5
    assert cell(doc, "Hotline calls", "2021").value == 11245
    assert "Reunifications depend on family tracing" in doc.text


def test_multipage_pdf_table_with_repeated_header_is_one_table(fixtures):
    doc = read(fixtures["province-budgets.pdf"])
    assert doc.pages and doc.pages >= 2
    (table,) = doc.tables
    assert table.n_rows == 1 + len(PROVINCES)  # the repeated header rows are not data
    assert doc.text.count("| Province | 2021 | 2022 |") == 1
    assert table.unit == "US$ thousand" and table.scale == "thousand"
    last = cell(doc, PROVINCES[-1], "2022")
    assert last.value == province_budget(len(PROVINCES) - 1)[1] and last.scale == "thousand"
    assert last.page == doc.pages and cell(doc, PROVINCES[0], "2021").page == 1


def test_html_table_with_merged_header_cells(fixtures):
    doc = read(fixtures["regional-prosecutions.html"])
    (table,) = doc.tables
    assert table.caption == "Table 4. Prosecutions and convictions by region"
    assert len(table.header_rows) == 2
    (c,) = [x for x in table.cells if x.row_path == ["Centre"] and x.column_path == ["Prosecutions", "2022"]]
    assert c.column == 2 and c.value == 97
    conv = [x for x in table.cells if x.row_path == ["South"] and x.column_path == ["Convictions", "2022"]]
    assert [x.value for x in conv] == [22]


def test_docx_table_with_merged_cell_keeps_its_text_once(fixtures):
    doc = read(fixtures["hotline-report.docx"])
    (table,) = doc.tables
    assert doc.text.count("Contacts") == 2  # "Contacts by channel" caption and the merged header, once
    assert table.caption == "Table 3. Contacts by channel"
    c = cell(doc, "Text messages", "2022")
    assert c.column_path == ["Contacts", "2022"] and c.value == 2645


def test_csv_and_xlsx_are_tables(fixtures):
    doc = read(fixtures["labour-inspections.csv"])
    assert cell(doc, "Lakeshore", "Violations found").value == 41
    book = read(fixtures["repatriations.xlsx"])
    assert book.tables[0].caption == "Repatriations"
    assert cell(book, "Total", "2022").value == 2400  # a formula, read as its cached value
    assert any("'Notes' is empty" in w for w in book.warnings)


def test_markdown_table_unit_note_and_indented_rows():
    text = ("# Results\n\nFigures in thousands.\n\n| Item | 2021 | 2022 |\n|---|---|---|\n"
            "| Calls received | 12.5 | 14.1 |\n|   of which about labour | 3.2 | 4.0 |\n| Share resolved (%) | 81 | 86 |\n")
    doc = read_document(Path("r.md"), text.encode(), "d")
    (table,) = doc.tables
    assert table.scale == "thousand"
    sub = cell(doc, "of which about labour", "2022")
    assert sub.row_path == ["Calls received", "of which about labour"] and sub.value == 4.0
    assert sub.scale == "thousand"
    assert cell(doc, "Share resolved (%)", "2021").scale == "percent"
    rows = [s for s in split_sentences("d", doc.text, tables=doc.tables) if s.kind == "table_row" and s.cells]
    assert any("Calls received › " in s.search_text and "labour" in s.search_text for s in rows)


def test_period_header_rows_under_a_spanning_header_label_the_columns():
    # Dates, a footnote digit glued to a year and words beside years are headers; a first
    # body row of figures (its label a date) is data.
    text = ("| | Year Ended | | |\n|---|---|---|---|\n| | June 30, 2019 | June 30, 2018 1 | % Change |\n"
            "| Balance at January 1, 2019 | 100 | 200 | (50) |\n| Domestic | $22,330 | $(55,197) | 140% |\n")
    doc = read_document(Path("r.md"), text.encode(), "d")
    (table,) = doc.tables
    assert len(table.header_rows) == 2
    dom = cell(doc, "Domestic", "June 30, 2018 1")
    assert dom.column_path == ["Year Ended", "June 30, 2018 1"] and dom.value == -55197
    assert cell(doc, "Balance at January 1, 2019", "June 30, 2019").value == 100
    words = "| Country | Capital |\n|---|---|\n| Laos | Vientiane |\n"
    (plain,) = read_document(Path("c.md"), words.encode(), "c").tables
    assert len(plain.header_rows) == 1


# ---- malformed tables ----------------------------------------------------------------------


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_ragged_csv_rows_are_padded_and_said():
    doc = read_document(Path("r.csv"), csv_bytes([["a", "b", "c"], ["x", "1"], ["y", "2", "3", "4"]]), "d")
    assert any("different numbers of cells" in w for w in doc.warnings)
    assert doc.tables[0].n_columns == 4
    assert_spans(doc)


def test_csv_with_empty_header_row_is_read_and_said():
    doc = read_document(Path("r.csv"), csv_bytes([["", "", ""], ["x", "1", "2"], ["y", "3", "4"]]), "d")
    assert any("header row is empty" in w for w in doc.warnings)
    assert [c.value for c in doc.tables[0].cells if c.value is not None] == [3, 4]  # "x 1 2" became the header
    named = read_document(Path("r.csv"), csv_bytes([["Item", "", "2022"], ["x", "1", "2"]]), "d")
    assert any("column(s) 2 have no header" in w for w in named.warnings)
    assert [c.value for c in named.tables[0].cells if c.value is not None] == [1, 2]


def test_one_column_csv_is_read_as_a_one_column_table():
    doc = read_document(Path("r.csv"), b"name\nalpha\nbeta\n", "d")
    assert any("one column" in w for w in doc.warnings)
    assert [c.text for c in doc.tables[0].cells] == ["name", "alpha", "beta"]


def test_ten_thousand_row_csv_is_read_whole_and_cut_at_the_limit():
    rows = [["id", "value"]] + [[f"r{i}", str(i)] for i in range(10_000)]
    doc = read_document(Path("big.csv"), csv_bytes(rows), "d")
    assert doc.tables[0].n_rows == 10_001 and not doc.warnings
    assert_spans(doc)
    small = read_document(Path("big.csv"), csv_bytes(rows), "d", Settings(max_table_rows=100))
    assert small.tables[0].n_rows == 100
    assert any("read the first 100" in w and "REPORTQA_MAX_TABLE_ROWS" in w for w in small.warnings)


def test_xlsx_formulas_without_stored_values_and_empty_workbook():
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Item", "2022"])
    book.active.append(["A", 5])
    book.active.append(["Total", "=SUM(B2:B2)"])  # openpyxl stores no computed value
    out = io.BytesIO()
    book.save(out)
    doc = read_document(Path("f.xlsx"), out.getvalue(), "d")
    assert any("formula cell(s) have no stored value" in w for w in doc.warnings)
    assert [c.value for c in doc.tables[0].cells if c.value is not None] == [5]
    empty = openpyxl.Workbook()
    empty.create_sheet("Second")
    out = io.BytesIO()
    empty.save(out)
    with pytest.raises(BadInput, match="every sheet is empty"):
        read_document(Path("e.xlsx"), out.getvalue(), "d")
    with pytest.raises(BadInput, match="not a workbook"):
        read_document(Path("x.xlsx"), b"just text", "d")


@pytest.mark.parametrize("name, content, outcome, message", [
    ("ragged.csv", b"a,b,c\nx,1\ny,2,3,4\n", "new", "different numbers of cells"),
    ("one-column.csv", b"name\nalpha\nbeta\n", "new", "one column"),
    ("empty-header.csv", b",,\nx,1,2\n", "new", "header row is empty"),
    ("no-sheets.xlsx", None, "failed", "every sheet is empty"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "failed", "XLSX could not be read"),
])
def test_malformed_tables_keep_earlier_documents(ingestor, tmp_path, fixtures, name, content, outcome, message):
    import openpyxl

    (first,) = ingestor.ingest([fixtures["labour-inspections.csv"]])
    assert first.status == "new"
    if content is None:
        out = io.BytesIO()
        openpyxl.Workbook().save(out)
        content = out.getvalue()
    bad = tmp_path / name
    bad.write_bytes(content)
    (result,) = ingestor.ingest([bad])
    assert result.status == outcome
    assert message in " ".join([result.reason or ""] + result.warnings)
    documents = ingestor.store.read_manifest().documents
    assert first.doc_id in documents
    assert (len(documents) == 2) == (outcome == "new")


@pytest.mark.shared
def test_cell_spans_exact_over_tatqa_docs():
    docs = sorted((SHARED / "benchmarks" / "tatqa" / "docs").glob("*.txt"))
    assert len(docs) >= 555
    cells = 0
    for path in docs:
        doc = read(path)
        assert doc.tables, path.name
        for s in split_sentences("d", doc.text, doc.page_starts, tables=doc.tables):
            for c in s.cells:
                assert doc.text[c.start:c.end] == c.text, (path.name, c)
                cells += 1
    assert cells > 10_000
