"""Tests for ingest.readers: every supported format, titles, page offsets and the failure messages.

Fixture files are generated in tmp_path at test time (fpdf2, pypdf, python-docx),
so nothing binary is checked in and every case states exactly what it contains.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest import readers
from ingest.readers import SUPPORTED, read_document
from reportqa.errors import BadInput, UnsupportedFile


def read(name: str, data: bytes, doc_id: str = "doc1"):
    return read_document(Path(name), data, doc_id)


# --------------------------------------------------------------------------- fixtures


def make_pdf(tmp_path: Path, pages: list[str], title: str | None = None, name: str = "r.pdf") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for body in pages:
        pdf.add_page()
        if body:
            pdf.multi_cell(0, 8, body)
    path = tmp_path / name
    pdf.output(str(path))
    return path.read_bytes()


def encrypt_pdf(data: bytes, password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(title: str | None = None, with_heading_first: bool = True) -> bytes:
    import docx

    d = docx.Document()
    if title:
        d.core_properties.title = title
    if with_heading_first:
        d.add_heading("Shelter Report 2022", level=1)
    d.add_paragraph("The shelter housed 58 women in 2022.")
    d.add_heading("Funding", level=2)
    d.add_paragraph("Donors gave US$1.2 million.")
    d.add_paragraph("Counselling", style="List Bullet")
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Age group", "Victims"), ("Under 15", "124"), ("15 to 17", "31")]):
        table.cell(r, 0).text = a
        table.cell(r, 1).text = b
    d.add_paragraph("Closing remarks.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- dispatch


def test_unsupported_suffix_names_the_type_and_the_supported_ones():
    with pytest.raises(UnsupportedFile) as exc:
        read("report.xyz", b"hello")
    msg = str(exc.value)
    assert "unsupported file type '.xyz'" in msg
    assert all(s in msg for s in SUPPORTED)
    assert isinstance(exc.value, BadInput)  # callers that catch BadInput also catch this


def test_no_extension_is_unsupported():
    with pytest.raises(UnsupportedFile, match="no extension"):
        read("README", b"hello")


def test_suffix_is_case_insensitive_and_fields_are_filled():
    doc = read("/some/dir/Annual.TXT", b"Annual figures\n\n166 cases.", doc_id="abc")
    assert doc.doc_id == "abc"
    assert doc.stem == "Annual"
    assert doc.source.endswith("Annual.TXT")
    assert doc.pages is None and doc.page_starts is None


def test_empty_file_message():
    for name in ("a.txt", "a.md", "a.html", "a.pdf", "a.docx"):
        with pytest.raises(BadInput, match="file is empty"):
            read(name, b"")


def test_header_only_csv_is_refused_like_an_empty_text():
    with pytest.raises(BadInput, match="header row and no data rows"):
        read("a.csv", b"province,victims,year\n\n")
    assert "2022" in read("b.csv", b"province,victims,year\nKampot,12,2022\n").text


def test_whitespace_only_file_message():
    with pytest.raises(BadInput, match="file has no text"):
        read("a.txt", b" \r\n\t\n  ")


# --------------------------------------------------------------------------- text / markdown


def test_plain_text_is_kept_verbatim_with_newlines_normalised():
    data = "\ufeffTrafficking in 2022\r\n\r\nPolice handled 166 cases.\rCourts got 202 suspects.\n".encode()
    doc = read("report.txt", data)
    assert doc.text == "Trafficking in 2022\n\nPolice handled 166 cases.\nCourts got 202 suspects.\n"
    assert doc.title == "Trafficking in 2022"
    assert doc.warnings == []


def test_txt_title_falls_back_to_stem_when_first_line_is_long():
    doc = read("long-report.txt", ("word " * 60).encode() + b"\n\nMore.")
    assert doc.title == "long-report"


def test_markdown_title_is_first_h1_and_text_is_verbatim():
    md = (
        "Illustrative note before the heading.\n\n"
        "## Not this one\n\n"
        "# Victims Rescued in 2022 #\n\n"
        "| Age | Victims |\n|---|---|\n| Under 15 | 124 |\n\n"
        "- item one\n"
    )
    doc = read("summary.md", md.encode())
    assert doc.title == "Victims Rescued in 2022"
    assert doc.text == md


def test_markdown_without_heading_uses_stem():
    assert read("notes.md", b"just prose").title == "notes"


def test_binary_file_is_rejected():
    with pytest.raises(BadInput, match="looks like a binary file, not text"):
        read("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_control_heavy_file_without_nul_is_rejected():
    with pytest.raises(BadInput, match="binary"):
        read("data.md", bytes([1, 2, 3, 4, 5, 6, 7, 65]) * 100)


def test_nul_bytes_after_the_sniffed_prefix_become_spaces():
    data = b"a" * 9000 + b"\nLine\x00with\x00nul and bell\x07.\n"
    doc = read("big.txt", data)
    assert "\x00" not in doc.text and "\x07" not in doc.text
    assert "Line with nul and bell ." in doc.text
    assert len(doc.text) == len(data)  # replaced, not dropped


def test_invalid_utf8_is_replaced_with_a_warning():
    doc = read("latin.txt", b"Caf\xe9 report: 12 cases.")
    assert doc.warnings == ["invalid UTF-8 bytes replaced"]
    assert doc.text == "Caf\ufffd report: 12 cases."


def test_utf16_with_bom_is_decoded_not_called_binary():
    doc = read("win.txt", "Report 2022\n\n166 cases.".encode("utf-16"))
    assert doc.text == "Report 2022\n\n166 cases."


# --------------------------------------------------------------------------- HTML

HTML = b"""<!doctype html>
<html><head><title>  NCCT   Report 2022 </title><style>p { color: red }</style>
<script>var secretToken = "do-not-index";</script></head>
<body>
<header><a href="/">Site banner</a></header>
<nav><ul><li>Home</li><li>About</li></ul></nav>
<article>
<h1>Counter-trafficking results</h1>
<p>Police   handled <b>166</b> cases
in 2022.</p>
<p>The string &lt;script&gt;alert(1)&lt;/script&gt; is shown literally.</p>
<script>document.write("injected text")</script>
<noscript>Enable JavaScript</noscript>
<h2>Victims</h2>
<ul><li>265 women</li><li>93 men</li></ul>
<table><tr><th>Age</th><th>Victims</th></tr>
<tr><td>Under 15</td><td>124</td></tr><tr><td>15-17</td><td>31</td></tr></table>
<!-- an editor's comment -->
</article>
<footer>Copyright 2023</footer>
<form><input name="q"> Search</form>
</body></html>"""


def test_html_text_keeps_paragraphs_headings_and_tables():
    doc = read("page.html", HTML)
    text = doc.text
    assert doc.title == "NCCT Report 2022"
    assert "# Counter-trafficking results" in text
    assert "## Victims" in text
    assert "\n\nPolice handled 166 cases in 2022.\n\n" in text
    assert "- 265 women" in text
    assert "| Age | Victims |\n|---|---|\n| Under 15 | 124 |\n| 15-17 | 31 |" in text


def test_html_drops_scripts_styles_and_page_chrome():
    text = read("page.htm", HTML).text
    for gone in ("secretToken", "injected text", "color: red", "Enable JavaScript", "Site banner",
                 "Home", "Copyright", "Search", "editor's comment"):
        assert gone not in text, gone


def test_html_escaped_script_stays_literal_text():
    text = read("page.html", HTML).text
    assert "The string <script>alert(1)</script> is shown literally." in text


def test_html_title_falls_back_to_h1_then_stem():
    assert read("p.html", b"<body><h1>Brief <i>2021</i></h1><p>x</p></body>").title == "Brief 2021"
    assert read("plain.html", b"<p>only a paragraph</p>").title == "plain"


def test_html_with_only_scripts_has_no_text():
    with pytest.raises(BadInput, match="file has no text"):
        read("s.html", b"<html><script>var a = 1;</script></html>")


def test_deeply_nested_html_does_not_crash():
    data = ("<html><body>" + "<div>" * 10_000 + "<p>deep text</p>" + "</div>" * 10_000
            + "<p>after</p></body></html>").encode()
    doc = read("deep.html", data)
    assert "deep text" in doc.text
    assert "after" in doc.text


def test_html_falls_back_to_regex_on_recursion_error(monkeypatch):
    def boom(markup, *args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(readers.html, "_html_to_text", boom)
    doc = read("page.html", HTML)
    assert any("simplified" in w for w in doc.warnings)
    assert doc.title == "NCCT Report 2022"
    assert "Police handled 166 cases in 2022." in doc.text
    assert "<script>alert(1)</script>" in doc.text
    assert "secretToken" not in doc.text and "injected text" not in doc.text


def test_html_declared_legacy_charset_is_honoured():
    data = '<html><head><meta charset="windows-1252"></head><body><p>Café – 5 cases</p></body></html>'
    doc = read("old.html", data.encode("cp1252"))
    assert "Café – 5 cases" in doc.text


def test_binary_html_is_rejected():
    with pytest.raises(BadInput, match="binary"):
        read("x.html", b"\x00\x01\x02<html>")


# --------------------------------------------------------------------------- PDF

PAGE1 = "Counter-trafficking report 2022.\nPolice handled 166 cases."
PAGE2 = "Second page begins here.\nAuthorities rescued 358 victims."


def test_pdf_two_pages_page_starts_and_title(tmp_path):
    doc = read("r.pdf", make_pdf(tmp_path, [PAGE1, PAGE2], title="NCCT National Report"))
    assert doc.pages == 2
    assert doc.title == "NCCT National Report"
    assert doc.page_starts is not None and doc.page_starts[0] == 0
    assert doc.text[doc.page_starts[1]:].startswith("Second page begins here.")
    assert "Police handled 166 cases." in doc.text[: doc.page_starts[1]]
    assert doc.text[doc.page_starts[1] - 2 : doc.page_starts[1]] == "\n\n"


def test_pdf_title_falls_back_to_first_line(tmp_path):
    doc = read("r.pdf", make_pdf(tmp_path, [PAGE1]))
    assert doc.title == "Counter-trafficking report 2022."


def test_pdf_empty_pages_keep_page_starts_aligned(tmp_path):
    doc = read("r.pdf", make_pdf(tmp_path, [PAGE1, "", PAGE2]))
    assert doc.pages == 3 and len(doc.page_starts) == 3
    assert doc.text[doc.page_starts[2]:].startswith("Second page")
    assert any("no extractable text" in w for w in doc.warnings)


def test_pdf_encrypted_message(tmp_path):
    data = encrypt_pdf(make_pdf(tmp_path, [PAGE1]), "secret")
    with pytest.raises(BadInput, match="PDF is encrypted"):
        read("locked.pdf", data)


def test_pdf_with_empty_user_password_is_read(tmp_path):
    data = encrypt_pdf(make_pdf(tmp_path, [PAGE1]), "")
    assert "166 cases" in read("perm.pdf", data).text


def test_corrupt_pdf_message():
    with pytest.raises(BadInput, match="PDF could not be read: "):
        read("bad.pdf", b"%PDF-1.4\nthis is not really a pdf at all\n")


def test_truncated_pdf_never_leaks_a_library_exception(tmp_path):
    data = make_pdf(tmp_path, [PAGE1, PAGE2])
    for cut in (len(data) // 3, len(data) // 2, len(data) - 40):
        try:
            doc = read("cut.pdf", data[:cut])
        except BadInput:
            continue
        assert isinstance(doc.text, str)


def test_pdf_without_text_is_called_scanned(tmp_path):
    with pytest.raises(BadInput, match=r"PDF has no extractable text \(scanned\?\)"):
        read("scan.pdf", make_pdf(tmp_path, [""]))


# --------------------------------------------------------------------------- DOCX


def test_docx_headings_paragraphs_and_table():
    doc = read("shelter.docx", make_docx())
    assert doc.text == (
        "# Shelter Report 2022\n\n"
        "The shelter housed 58 women in 2022.\n\n"
        "## Funding\n\n"
        "Donors gave US$1.2 million.\n\n"
        "- Counselling\n\n"
        "| Age group | Victims |\n|---|---|\n| Under 15 | 124 |\n| 15 to 17 | 31 |\n\n"
        "Closing remarks."
    )
    assert doc.title == "Shelter Report 2022"


def test_docx_title_prefers_core_properties():
    assert read("s.docx", make_docx(title="Annual Shelter Report")).title == "Annual Shelter Report"
    assert read("s.docx", make_docx(with_heading_first=False)).title == "The shelter housed 58 women in 2022."


def test_corrupt_docx_message():
    with pytest.raises(BadInput, match="DOCX could not be read: "):
        read("bad.docx", b"PK\x03\x04 definitely not a zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "a zip, but not a Word document")
    with pytest.raises(BadInput, match="DOCX could not be read: "):
        read("zip.docx", buf.getvalue())
