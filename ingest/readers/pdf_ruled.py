"""Ruled tables: pdfplumber's line finder gives the grid; header rows become column paths,
a label's indentation inside its cell its nesting level, every cell keeps its box."""

from __future__ import annotations

from ingest.readers.pdf_items import FIGURES, YEARISH, PageItem, indent_levels
from ingest.readers.pdf_words import kind_of


def ruled_table(t, words: list[dict] = ()) -> PageItem | None:
    """A table found by pdfplumber's line finder, with its header rows' paths and cell boxes."""
    extracted = t.extract()
    keep = [i for i, r in enumerate(extracted) if any(c for c in r)]
    if len(keep) < 2 or max(len(extracted[i]) for i in keep) < 2:
        return None
    # Columns empty in every row (cell backgrounds drawn as boxes split the grid) are dropped.
    full = [c for c in range(max(len(extracted[i]) for i in keep))
            if any(c < len(extracted[i]) and (extracted[i][c] or "").strip() for i in keep)]
    extracted = [[r[c] if c < len(r) else None for c in full] for r in extracted]
    rows = [[(c or "").replace("\n", " ") for c in extracted[i]] for i in keep]
    width = max(len(r) for r in rows)
    # Rules that do not separate the rows (only a frame and a rule under the header) give
    # cells holding a whole column of figures: the whitespace reading does better there.
    crowded = sum(1 for r in rows[1:] if any(len(FIGURES.findall(c)) > 1 for c in r))
    if crowded > 0.2 * (len(rows) - 1):
        return None
    n_head = 0

    while n_head < min(4, len(rows) - 1):
        vals = [c for c in rows[n_head][1:] if c.strip()]
        if any(kind_of(c) == "num" and not YEARISH.match(c) for c in vals):
            break
        n_head += 1
    paths: list[list[str]] = [[] for _ in range(width)]
    for i in range(n_head):
        raw = extracted[keep[i]]
        carry = ""
        for c in range(width):
            cell = raw[c] if c < len(raw) else None
            if cell is None and c > 0:  # a merged cell: the head to its left spans it
                text = carry
            else:
                text = (cell or "").replace("\n", " ").strip()
                carry = text
            if text and (not paths[c] or paths[c][-1] != text):
                paths[c].append(text)
    boxes = []
    for i in keep:
        cells = t.rows[i].cells
        boxes.append([[round(v, 2) for v in cells[c]] if c < len(cells) and cells[c] else None for c in full])
    starts: list[float | None] = []
    for i in keep:  # where the label's text starts inside its cell: its indentation
        cells = t.rows[i].cells
        cell = cells[full[0]] if full and full[0] < len(cells) else None
        inside = [w["x0"] for w in words if cell and cell[0] - 1 <= w["x0"] <= cell[2]
                  and cell[1] - 1 <= w["top"] <= cell[3]] if cell else []
        starts.append(min(inside) if inside and i >= keep[n_head - 1 if n_head else 0] else None)
    levels = indent_levels(starts)
    for r in range(n_head):
        levels[r] = 0
    x0, top, x1, bottom = t.bbox
    return PageItem("table", top, bottom, rows=rows, header_rows=n_head, levels=levels,
                    bbox=[round(v, 2) for v in t.bbox], column_paths=paths, cell_boxes=boxes)
