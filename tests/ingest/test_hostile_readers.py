"""Reader-level limits and checks of issue 37, without a store (fast)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eval.hostile_files import _DOCX_TYPES, _docx_body, _pdf, _zip
from ingest.readers import read_document
from ingest.readers.common import Limits, break_long_lines, decode
from ingest.readers.pipes import cap_pipe_tables
from ingest.readers.sniff import content_type
from ingest.walk import expand_paths, safe_name
from reportqa.errors import BadInput
from reportqa.settings import Settings


def test_content_type_comes_from_the_bytes():
    assert content_type(_pdf("A report.")) == ".pdf"
    assert content_type(_zip([("word/document.xml", _docx_body(""))])) == ".docx"
    assert content_type(_zip([("xl/workbook.xml", b"<x/>")])) == ".xlsx"
    assert content_type(_zip([("a.txt", b"x")])) == "application/zip"
    assert content_type(b"\x1f\x8b\x08\x00" + bytes(100)) == "application/gzip"
    assert content_type(b"Plain text, 12 cases.") is None


def test_pdf_named_txt_is_read_as_pdf_and_said():
    doc = read_document(Path("r.txt"), _pdf("Police rescued 73 victims in 2022."), "d")
    assert "73 victims" in doc.text and "%PDF" not in doc.text
    assert any("read as PDF" in w for w in doc.warnings)


def test_gzip_named_md_is_refused_naming_it():
    with pytest.raises(BadInput, match=r"binary.*application/gzip"):
        read_document(Path("r.md"), b"\x1f\x8b\x08\x00" + bytes(100), "d")


def test_utf16_without_bom_is_read_and_binary_still_refused():
    text, warnings = decode("Hotline report\n\nThe hotline answered 640 calls.".encode("utf-16-be"))
    assert text.startswith("Hotline report") and warnings == ["read as UTF-16-BE (no byte-order mark)"]
    with pytest.raises(BadInput, match="binary"):
        decode(bytes(range(256)) * 50)


def test_duplicate_zip_members_and_xml_bombs_are_refused():
    body = _docx_body("<w:p><w:r><w:t>One.</w:t></w:r></w:p>")
    twice = _zip([("[Content_Types].xml", _DOCX_TYPES), ("word/document.xml", body), ("word/document.xml", body)])
    with pytest.raises(BadInput, match="twice"):
        read_document(Path("s.docx"), twice, "d")
    big = _zip([("[Content_Types].xml", _DOCX_TYPES), ("word/document.xml", _docx_body("<w:p/>" * 400_000))])
    assert len(big) < 200_000  # a small file that expands to megabytes
    with pytest.raises(BadInput, match="REPORTQA_MAX_DOCX_XML_MB"):
        read_document(Path("b.docx"), big, "d", Settings(max_docx_xml_mb=1))


def test_pipe_tables_meet_the_table_limits():
    table = "| a | b | c |\n|---|---|---|\n" + "| 1 | 2 | 3 |\n" * 500
    warnings: list[str] = []
    out = cap_pipe_tables("# T\n\n" + table, Limits(max_table_rows=100), warnings)
    assert out.count("\n| 1 |") == 98 and any("REPORTQA_MAX_TABLE_ROWS" in w for w in warnings)
    wide = "| " + " | ".join(str(i) for i in range(50)) + " |\n" + "| x " * 50 + "|\n"
    warnings = []
    out = cap_pipe_tables(wide, Limits(max_table_cols=10), warnings)
    assert all(line.count("|") == 11 for line in out.splitlines()) and any("COLS" in w for w in warnings)
    assert cap_pipe_tables("| a | b |\n| 1 | 2 |", Limits(), []) == "| a | b |\n| 1 | 2 |"  # untouched


def test_long_lines_are_broken_at_spaces_with_a_warning():
    warnings: list[str] = []
    out = break_long_lines("Title\n" + "word " * 10_000, 1_000, warnings)
    assert max(len(line) for line in out.split("\n")) <= 1_000 and "\n\n" in out
    assert out.replace("\n\n", " ").split() == ("Title\n" + "word " * 10_000).split()
    assert warnings and "REPORTQA_MAX_LINE_CHARS" in warnings[0]


def test_html_spans_count_against_the_cell_limit():
    rows = "".join(f'<tr><td rowspan="100" colspan="100">{r}</td><td>{r}</td></tr>' for r in range(2000))
    doc = read_document(Path("s.html"), f"<html><body><table>{rows}</table></body></html>".encode(), "d",
                        Settings(max_table_cells=50_000))
    assert any("REPORTQA_MAX_TABLE_CELLS" in w for w in doc.warnings)
    assert len(doc.text) < 200_000


def test_folder_walk_lists_each_skip(tmp_path):
    top = tmp_path / "top"
    (top / "sub").mkdir(parents=True)
    (top / "a.txt").write_text("A 1.")
    (top / "sub" / "b.md").write_text("B 2.")
    (tmp_path / "out.txt").write_text("Out 3.")
    os.symlink(tmp_path / "out.txt", top / "out-link.txt")
    os.symlink(top / "a.txt", top / "in-link.txt")
    os.symlink(top, top / "sub" / "loop")
    os.symlink(top / "nothing", top / "broken.txt")
    os.mkfifo(top / "fifo.txt")
    (top / ".git").mkdir()
    (top / ".git" / "x.txt").write_text("hidden")
    walked = {p.name: (r.status, r.reason) if r else None for p, r in expand_paths([top])}
    assert walked["a.txt"] is None and walked["b.md"] is None and walked["in-link.txt"] is None
    assert "outside the folder" in walked["out-link.txt"][1]
    assert "loop" in walked["loop"][1]
    assert "broken link" in walked["broken.txt"][1]
    assert "named pipe" in walked["fifo.txt"][1]
    assert "hidden" in walked[".git"][1] and "x.txt" not in walked
    followed = {p.name: r for p, r in expand_paths([top], follow_links=True)}
    assert followed["out-link.txt"] is None


def test_undecodable_names_are_escaped():
    name = os.fsdecode(b"r\xe9port-\xff.txt")
    assert safe_name(name) == "r\\xe9port-\\xff.txt"
    assert safe_name("plain.txt") == "plain.txt"
    safe_name(name).encode("utf-8")
