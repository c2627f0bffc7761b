"""Spreadsheets: a .csv file is one table, each sheet of an .xlsx workbook is one.

Formulas are read as the values the workbook last computed (openpyxl `data_only=True`);
a workbook saved by a program that does not store them has empty formula cells, which
is said in a warning. Empty sheets are skipped with a warning, never an error.
"""

from __future__ import annotations

import csv
import io

from ingest.readers.common import Limits, ReaderResult, cap_rows, clean, decode, short
from ingest.tables import TableHint, render_table
from reportqa.errors import BadInput


def _checked(rows: list[list[str]], what: str, warnings: list[str]) -> list[list[str]]:
    """Note the irregularities a person may want to know about; the rows are kept."""
    if rows and not any(str(c).strip() for c in rows[0]) and any(any(str(c).strip() for c in r) for r in rows):
        warnings.append(f"{what}: the header row is empty; the first row with text is read as the header")
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        warnings.append(f"{what}: rows have different numbers of cells ({min(widths)}-{max(widths)}); "
                        "short rows were padded")
    if rows:
        width = max(widths)
        blank = [i + 1 for i in range(1, width) if i >= len(rows[0]) or not str(rows[0][i]).strip()]
        if blank and len(rows) > 1:
            warnings.append(f"{what}: column(s) {', '.join(map(str, blank[:10]))} have no header")
    return rows


def read_csv(data: bytes, limits: Limits | None = None) -> ReaderResult:
    """A .csv file (delimiter sniffed): the first row is the header."""
    limits = limits or Limits()
    raw, warnings = decode(data)
    raw = clean(raw)
    if not raw.strip():
        raise BadInput("file has no text")
    try:
        dialect = csv.Sniffer().sniff(raw[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows, total = [], 0
        for row in csv.reader(io.StringIO(raw), dialect):
            total += 1  # rows past the limit are counted, not kept (the warning says how many)
            if total <= limits.max_table_rows:
                rows.append(row)
    except csv.Error as exc:
        raise BadInput(f"CSV could not be read: {short(exc)}") from None
    if total > len(rows):
        warnings.append(f"the CSV file has {total:,} rows; read the first {len(rows):,} (REPORTQA_MAX_TABLE_ROWS)")
    filled = [r for r in rows if any(c.strip() for c in r)]
    if len(filled) == 1 and filled[0] is rows[0]:
        # A header alone states no figure: refused like an empty text, not stored as a stub. (A blank
        # header over one data row is read with that row as its header, as _checked says.)
        raise BadInput("file has a header row and no data rows")
    rows = _checked(cap_rows(rows, limits, "the CSV file", warnings), "the CSV file", warnings)
    if not rows:
        raise BadInput("file has no text")
    if max(len(r) for r in rows) < 2:
        warnings.append("the CSV file has one column; read as a one-column table")
    lines = render_table(rows, 1)
    text = "\n".join(lines)
    return ReaderResult(text, None, None, None, warnings, [TableHint(first_line=lines[0])])


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat().removesuffix("T00:00:00").removesuffix(" 00:00:00")
    return str(value)


def _formulas_without_values(data: bytes, limits: Limits) -> int:
    """Formula cells whose computed value the file does not hold (read as empty)."""
    import openpyxl

    try:
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return 0
    missing = 0
    try:
        for fs, vs in zip(formulas.worksheets, values.worksheets):
            for n, (fr, vr) in enumerate(zip(fs.iter_rows(values_only=True), vs.iter_rows(values_only=True))):
                if n >= limits.max_table_rows:
                    break
                missing += sum(1 for f, v in zip(fr, vr) if isinstance(f, str) and f.startswith("=") and v is None)
    except Exception:
        return 0
    finally:
        formulas.close()
        values.close()
    return missing


def read_xlsx(data: bytes, limits: Limits | None = None) -> ReaderResult:
    """An .xlsx workbook: one table per non-empty sheet, under a "# sheet name" heading."""
    limits = limits or Limits()
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a declared dependency
        raise BadInput(f"XLSX support is not installed ({exc})") from None
    if not data.startswith(b"PK"):
        raise BadInput("XLSX could not be read: the file is not a workbook (not a zip archive)")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise BadInput(f"XLSX could not be read: {short(exc)}") from None
    warnings: list[str] = []
    blocks: list[str] = []
    hints: list[TableHint] = []
    missing = _formulas_without_values(data, limits)
    try:
        for sheet in book.worksheets:
            what = f"sheet '{sheet.title}'"
            rows: list[list[str]] = []
            for values in sheet.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in values])
                if len(rows) > limits.max_table_rows:
                    break
            rows = _checked(cap_rows(rows, limits, what, warnings), what, warnings)
            if not rows:
                warnings.append(f"{what} is empty; skipped")
                continue
            # Trailing empty columns are formatting, not data.
            width = max(max((i + 1 for i, c in enumerate(r) if c.strip()), default=0) for r in rows)
            rows = [r[:width] for r in rows]
            lines = render_table(rows, 1)
            if not lines:
                warnings.append(f"{what} is empty; skipped")
                continue
            blocks.append(f"# {clean(sheet.title).strip() or 'Sheet'}")
            blocks.append("\n".join(lines))
            hints.append(TableHint(first_line=lines[0], caption=sheet.title))
    except Exception as exc:
        raise BadInput(f"XLSX could not be read: {short(exc)}") from None
    finally:
        book.close()
    if missing:
        warnings.append(f"{missing:,} formula cell(s) have no stored value (the workbook was saved without "
                        "recalculating); they are read as empty")
    if not blocks:
        raise BadInput("workbook has no data (every sheet is empty)")
    return ReaderResult(clean("\n\n".join(blocks)), None, None, None, warnings, hints)
