"""Markdown pipe tables in .md and .txt files, held to the same limits as a CSV of that shape.

ingest.tables reads every run of "| a | b |" lines as a table; without this, a text file
could carry a million-cell table past the limits a spreadsheet meets.
"""

from __future__ import annotations

from ingest.readers.common import Limits


def cap_pipe_tables(text: str, limits: Limits, warnings: list[str]) -> str:
    """`text` with each run of pipe-table lines cut to the table limits (rows, columns, cells,
    characters per cell); each cut is named in `warnings`. Untouched when nothing passes."""
    lines = text.split("\n")
    if sum(1 for line in lines if line.lstrip().startswith("|")) <= 1:
        return text
    out: list[str] = []
    run: list[str] = []
    cuts: list[str] = []

    def flush() -> None:
        if run:
            out.extend(_cap_run(run, limits, cuts))
            run.clear()

    for line in lines:
        if line.lstrip().startswith("|"):
            run.append(line)
        else:
            flush()
            out.append(line)
    flush()
    if not cuts:
        return text
    warnings.extend(dict.fromkeys(cuts))  # one warning per kind of cut, in order
    return "\n".join(out)


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:-1] if inner.endswith("|") and len(inner) > 1 else inner[1:]
    return inner.split("|")


def _cap_run(run: list[str], limits: Limits, cuts: list[str]) -> list[str]:
    """One table's lines within the limits; the lines kept are written as they were when
    nothing in them is cut (so offsets of untouched tables do not move)."""
    rows = run
    if len(rows) > limits.max_table_rows:
        cuts.append(f"a Markdown table was cut to {limits.max_table_rows:,} rows (REPORTQA_MAX_TABLE_ROWS)")
        rows = rows[: limits.max_table_rows]
    width = max(len(_cells(line)) for line in rows)
    cols = min(width, limits.max_table_cols)
    if cols * len(rows) > limits.max_table_cells:
        keep = max(1, limits.max_table_cells // cols)
        cuts.append(f"a Markdown table was cut to {keep:,} rows: over {limits.max_table_cells:,} cells "
                    "(REPORTQA_MAX_TABLE_CELLS)")
        rows = rows[:keep]
    out = []
    for line in rows:
        cells = _cells(line)
        if len(cells) <= limits.max_table_cols and all(len(c) <= limits.max_cell_chars for c in cells):
            out.append(line)
            continue
        if len(cells) > limits.max_table_cols:
            cuts.append(f"a Markdown table was cut to {limits.max_table_cols:,} columns (REPORTQA_MAX_TABLE_COLS)")
        if any(len(c) > limits.max_cell_chars for c in cells):
            cuts.append(f"Markdown table cells longer than {limits.max_cell_chars:,} characters were cut "
                        "(REPORTQA_MAX_CELL_CHARS)")
        cells = [c[: limits.max_cell_chars] for c in cells[: limits.max_table_cols]]
        out.append("|" + "|".join(cells) + "|")
    return out
