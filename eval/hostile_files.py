"""Generators of hostile and careless inputs, one of each kind (issue 37), small enough for a test.

Each returns the path written and what must happen to it: "stored" (with a warning that
contains `note`, when given) or "refused" (a one-line reason containing `note`). Shared by
tests/ingest/test_hostile_files.py and eval/bench_hostile.py.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

GOOD = "# Shelter figures\n\nIn 2022 the shelter took in 412 people, including 97 children.\n"


@dataclass
class Case:
    name: str
    path: Path
    expect: str  # "stored", "refused" or "skipped"
    note: str = ""  # a part of the warning or reason that must be given


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            if name in z.namelist():
                import warnings

                with warnings.catch_warnings():  # zipfile warns of the duplicate we want
                    warnings.simplefilter("ignore")
                    z.writestr(name, data)
            else:
                z.writestr(name, data)
    return buf.getvalue()


_DOCX_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               b'<Default Extension="xml" ContentType="application/xml"/></Types>')


def _docx_body(paragraphs: str) -> bytes:
    return (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body>" + paragraphs.encode() + b"</w:body></w:document>")


def write_cases(folder: Path) -> list[Case]:
    """One file of each hostile kind in `folder` (limits in `hostile_settings` make them bite)."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, data: bytes | str, expect: str, note: str = "") -> None:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(Case(name, path, expect, note))

    add("pdf-named.txt", _pdf("Border report 2022. Police rescued 73 victims at the border."), "stored", "read as PDF")
    add("utf16-nobom.txt", "Hotline report\n\nThe hotline answered 640 calls in 2021.\n".encode("utf-16-le"),
        "stored", "UTF-16-LE")
    add("png-named.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "refused", "image/png")
    add("smuggled.docx", _zip([("[Content_Types].xml", _DOCX_TYPES),
                               ("word/document.xml", _docx_body("<w:p><w:r><w:t>Visible 1.</w:t></w:r></w:p>")),
                               ("word/document.xml", _docx_body("<w:p><w:r><w:t>Smuggled 2.</w:t></w:r></w:p>"))]),
        "refused", "twice")
    para = "<w:p><w:r><w:t>" + "x " * 500 + "</w:t></w:r></w:p>"
    add("xml-bomb.docx", _zip([("[Content_Types].xml", _DOCX_TYPES),
                               ("word/document.xml", _docx_body(para * 3000))]), "refused", "MB of XML")
    spans = "".join(f'<tr><td rowspan="100" colspan="100">{r}</td><td>{r * 2}</td></tr>' for r in range(400))
    add("spans.html", f"<html><body><p>Spans.</p><table>{spans}</table></body></html>", "stored",
        "REPORTQA_MAX_TABLE_CELLS")
    pipe = "| a | b | c | d |\n|---|---|---|---|\n" + "".join(f"| {i} | {i + 1} | {i + 2} | {i + 3} |\n"
                                                       for i in range(6000))
    add("pipes.md", "# Pipes\n\nA big table follows.\n\n" + pipe, "stored", "Markdown table was cut")
    add("wide.csv", "\n".join(",".join(f"{r}{c}" for c in range(3000)) for r in range(4)), "stored",
        "REPORTQA_MAX_TABLE_COLS")
    add("one-line.txt", "Long line report. " + ("word " * 60_000), "stored", "REPORTQA_MAX_LINE_CHARS")
    add("many-sentences.txt", "".join(f"Sentence {i} counts {i} cases.\n" for i in range(3000)), "refused",
        "REPORTQA_MAX_DOCUMENT_SENTENCES")
    add("markup-title.md", "# Shelter [/red] report [bold]\x1b[2J\n\nThe shelter housed 31 women in 2020.\n",
        "stored")
    add("empty.txt", b"", "refused", "empty")
    return cases


def hostile_settings(settings):
    """`settings` with limits low enough that the small generated files pass them."""
    return settings.model_copy(update={
        "max_table_cells": 2_000, "max_table_cols": 500, "max_line_chars": 150_000,
        "max_document_sentences": 1_000, "max_docx_xml_mb": 1.0, "parse_frames": False,
    })


def write_folder(folder: Path, outside: Path) -> dict[str, tuple[str, str]]:
    """A folder of careless entries beside two good files; returns {entry name: (status, reason part)}.

    `outside` is a folder not under `folder` (the target of a link leading out).
    """
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    (folder / "good.md").write_text(GOOD, encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "also-good.txt").write_text("Court figures\n\nCourts convicted 80 people in 2022.\n",
                                                  encoding="utf-8")
    (outside / "secret.txt").write_text("Secret figures\n\nThe secret number is 4242.\n", encoding="utf-8")
    os.symlink(outside / "secret.txt", folder / "leak.txt")
    os.symlink(folder, folder / "sub" / "loop")
    os.symlink(folder / "missing.txt", folder / "broken.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / ".hidden.md").write_text("# Hidden\n\nNot to be read 1.\n", encoding="utf-8")
    bad = os.fsdecode(b"bad-\xff\xfe-name.txt")
    Path(folder, bad).write_text("Odd name\n\nThe odd file counts 19 boats.\n", encoding="utf-8")
    return {
        "good.md": ("new", ""),
        "also-good.txt": ("new", ""),
        "leak.txt": ("skipped", "outside the folder"),
        "loop": ("skipped", "loop"),
        "broken.txt": ("skipped", "broken link"),
        "pipe.txt": ("skipped", "named pipe"),
        ".hidden.md": ("skipped", "hidden"),
        "bad-\\xff\\xfe-name.txt": ("new", ""),
    }


def write_heavy(folder: Path) -> list[Case]:
    """The heavy files of issue 37 at full size, for eval/bench_hostile.py under the default limits."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, data: bytes | str, expect: str, note: str = "") -> None:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(Case(name, path, expect, note))

    rows = "".join(f'<tr><td rowspan="100" colspan="100">{r}</td><td>{r}</td></tr>' for r in range(6000))
    add("spans-229k.html", f"<html><body><p>Spans.</p><table>{rows}</table></body></html>", "stored")
    para = "<w:p><w:r><w:t>" + "x " * 500 + "</w:t></w:r></w:p>"
    add("xml-20mb.docx", _zip([("[Content_Types].xml", _DOCX_TYPES), ("word/document.xml", _docx_body(para * 20_000))]),
        "refused", "REPORTQA_MAX_DOCX_XML_MB")
    add("pipes-1m-cells.md", "# Pipes\n\n| a | b | c | d | e |\n|---|---|---|---|---|\n"
        + "| 1 | 2 | 3 | 4 | 5 |\n" * 200_000, "stored", "REPORTQA_MAX_TABLE")
    add("one-line-5mb.txt", "Long line report. " + "word " * 1_000_000, "stored", "REPORTQA_MAX_LINE_CHARS")
    add("wide-10k-cols.csv", "\n".join(",".join(f"{r}.{c}" for c in range(10_000)) for r in range(5)), "stored",
        "REPORTQA_MAX_TABLE_COLS")
    add("sentences-100k.txt", "".join(f"Line {i} counts {i % 97} cases.\n" for i in range(100_000)), "refused",
        "REPORTQA_MAX_DOCUMENT_SENTENCES")
    add("pdf-named.txt", _pdf("Border report 2022. Police rescued 73 victims at the border."), "stored", "read as PDF")
    return cases
