"""The layout of one PDF page: paragraphs of text and tables, in reading order.

Ruled tables come from pdfplumber's line finder (only on pages that have ruling lines).
Borderless tables are found from the lines' tokens (`pdf_words`): three or more lines with
a figure after their first token form a table body. Its columns are where the figures and
text cells of the body stand (tokens whose horizontal extents overlap are one column), so a
row of twelve monthly figures keeps each month in its column even when a row has gaps.
The header lines above the body give each column a path: a header word centred over
several columns ("2021" over "Number | %", "1st Quarter" over four columns) heads each of
them, words stacked over one column ("Relative / importance / Jun. / 2025") read as one.
Row labels nest by indentation; a label wrapped over two lines is joined.
"""

from __future__ import annotations

import re

from ingest.readers.pdf_items import CAPTION, CONTINUED, YEARISH, PageItem, indent_levels
from ingest.readers.pdf_ruled import ruled_table
from ingest.readers.pdf_words import Line, Token
from ingest.tables import unit_note

MIN_TABLE_LINES = 3
MAX_HEADER_LINES = 6


def _value(t: Token) -> bool:
    return t.kind in ("num", "mark") and not YEARISH.match(t.text)


def _sequence(toks: list[Token]) -> bool:
    """Column numbers or periods heading a table: "1 2 3 ... 10", "02 03 ... 18", "2015 2016"."""
    nums = [t.text for t in toks if t.kind == "num"]
    if len(nums) < 3 or len(nums) < len(toks) - 1:
        return False
    if all(YEARISH.match(n) for n in nums):
        return True
    if len(nums) < 4 or not all(n.isdigit() for n in nums):  # "Deaths 12 13 14" is a row
        return False
    vals = [int(n) for n in nums]
    return all(b - a == 1 for a, b in zip(vals, vals[1:]))


def _table_line(ln: Line) -> bool:
    toks = ln.tokens
    if len(toks) < 2 or _sequence(toks):
        return False
    if any(_value(t) for t in toks[1:]) and any(t.kind == "num" for t in toks):
        return True
    return False


def _header_candidate(ln: Line, body_x0: float) -> bool:
    toks = ln.tokens
    if CAPTION.match(ln.text) or (len(ln.text) > 160 and len(toks) < 3) or ln.x0 < body_x0 - 6:
        return False
    if len(toks) == 1 and ln.x0 <= body_x0 + 6:
        return False  # a line of prose above the table, not a head spanning its columns
    if _sequence(toks) or not any(_value(t) for t in toks):
        return len(toks) >= 2 or len(ln.text.split()) <= 10
    return False


def _bodies(lines: list[Line], taken: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of lines forming the bodies of whitespace-aligned tables."""
    out = []
    i = 0
    n = len(lines)
    while i < n:
        if any(t <= lines[i].top <= b for t, b in taken) or not _table_line(lines[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            if _table_line(lines[j]):
                j += 1
                continue
            # Up to two lines without figures (a group heading, a wrapped label) inside a table.
            k = j
            while k < n and k - j < 2 and not _table_line(lines[k]) and len(lines[k].tokens) <= 3 \
                    and lines[k].top - lines[k - 1].bottom < 1.6 * lines[k].size:
                k += 1
            if k < n and k > j and _table_line(lines[k]) and lines[k].top - lines[k - 1].bottom < 1.6 * lines[k].size:
                j = k
                continue
            break
        if sum(1 for k in range(i, j) if _table_line(lines[k])) >= MIN_TABLE_LINES:
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _section_lines(lines: list[Line], i: int, taken: list[tuple[float, float]]) -> int:
    """Body line i moved up over the label-only lines right above it ("Outlays:", "HOUSEHOLDS")."""
    first_value = min((t.x0 for t in lines[i].tokens[1:] if _value(t)), default=None)
    k = i
    while first_value is not None and k > 0 and i - k < 3:
        ln = lines[k - 1]
        if any(t <= ln.top <= b for t, b in taken) or lines[k].top - ln.bottom > 1.2 * ln.size:
            break
        if len(ln.tokens) != 1 or ln.x1 >= first_value or CAPTION.match(ln.text) or len(ln.text) > 80:
            break
        k -= 1
    return k


def _head(lines: list[Line], i: int, taken: list[tuple[float, float]]) -> tuple[int, str | None]:
    """The first header line above body line i, and the caption line above the headers."""
    k = i
    body_x0 = min(ln.x0 for ln in lines[i:i + 8])
    while k > 0 and i - k < MAX_HEADER_LINES:
        ln = lines[k - 1]
        if any(t <= ln.top <= b for t, b in taken) or lines[k].top - ln.bottom > 1.8 * ln.size:
            break
        if not _header_candidate(ln, body_x0):
            break
        k -= 1
    caption = None
    if k > 0 and lines[k].top - lines[k - 1].bottom < 3 * lines[k - 1].size:
        above = lines[k - 1].text.strip()
        if len(above) <= 200 and (CAPTION.match(above) or unit_note(above)[0]):
            caption = above
    # A caption inside the header block ("Table 5 (Cont.)" right above the column heads).
    for m in range(k, i):
        if CAPTION.match(lines[m].text):
            caption, k = lines[m].text.strip(), m + 1
    return k, caption


def _clusters(toks: list[Token]) -> list[list[float]]:
    """Column extents: tokens whose horizontal extents overlap stand in one column."""
    out: list[list[float]] = []
    for t in sorted(toks, key=lambda t: t.x0):
        if out and t.x0 <= out[-1][1] - 0.5:
            out[-1][1] = max(out[-1][1], t.x1)
        else:
            out.append([t.x0, t.x1])
    return out


def _col_of(t: Token, cols: list[list[float]]) -> int:
    best, key = 0, None
    for c, (a, b) in enumerate(cols):
        k = (min(t.x1, b) - max(t.x0, a), -abs((t.x0 + t.x1) / 2 - (a + b) / 2))
        if key is None or k > key:
            best, key = c, k
    return best


def _union(boxes: list[list[float] | None]) -> list[float] | None:
    bs = [b for b in boxes if b]
    if not bs:
        return None
    return [round(min(b[0] for b in bs), 2), round(min(b[1] for b in bs), 2),
            round(max(b[2] for b in bs), 2), round(max(b[3] for b in bs), 2)]


def _tbox(t: Token) -> list[float]:
    return [round(t.x0, 2), round(t.top, 2), round(t.x1, 2), round(t.bottom, 2)]


def _assign_header(toks: list[Token], cols: list[list[float]], finer: int) -> dict[int, tuple[str, bool]]:
    """Column -> (header text, spans several columns) for one header line over value columns.

    `finer` is how many heads the header line below has: a line with fewer heads than the
    one under it may hold heads spanning several columns."""
    if not toks or not cols:
        return {}
    centres = [(a + b) / 2 for a, b in cols]

    def dist(t: Token, x: float) -> float:
        return 0.0 if t.x0 <= x <= t.x1 else min(abs(t.x0 - x), abs(t.x1 - x))

    out: dict[int, list[Token]] = {}
    if len(toks) < len(cols) and len(toks) < finer:
        # Spanning heads: each column under its nearest head, accepted when every head sits
        # centred over the columns it gets (else a head labels only the columns it overlaps).
        near: dict[int, list[int]] = {}
        for c, x in enumerate(centres):
            near.setdefault(min(range(len(toks)), key=lambda g: dist(toks[g], x)), []).append(c)
        balanced = len(near) == len(toks)
        for g, cs in near.items():
            span_mid = (cols[cs[0]][0] + cols[cs[-1]][1]) / 2
            width = max(cols[cs[-1]][1] - cols[cs[0]][0], toks[g].x1 - toks[g].x0)
            if abs((toks[g].x0 + toks[g].x1) / 2 - span_mid) > 0.35 * width + 2:
                balanced = False
        if balanced:
            return {c: (toks[g].text, len(cs) > 1) for g, cs in near.items() for c in cs}
    pitch = (cols[-1][1] - cols[0][0]) / max(len(cols), 1)
    for t in toks:
        hit = [c for c, (a, b) in enumerate(cols) if min(t.x1, b) - max(t.x0, a) > 0]
        if not hit:
            c = min(range(len(cols)), key=lambda c: dist(t, centres[c]))
            if dist(t, centres[c]) <= pitch:
                hit = [c]
        for c in hit:
            out.setdefault(c, []).append(t)
    return {c: (" ".join(t.text for t in ts), any(_span(t, cols) > 1 for t in ts)) for c, ts in out.items()}


def _span(t: Token, cols: list[list[float]]) -> int:
    return sum(1 for a, b in cols if min(t.x1, b) - max(t.x0, a) > 0)


def _join_phrase(parts: list[str]) -> str:
    s = " ".join(p for p in parts if p)
    return re.sub(r"(\w)- (\w)", r"\1\2", s)  # "impor- tance" set over two lines


def borderless_table(head: list[Line], body: list[Line], caption: str | None) -> PageItem:
    """The rows, column paths, nesting and cell boxes of a whitespace-aligned table."""
    label_first = [bool(ln.tokens) and (ln.tokens[0].kind == "text" or YEARISH.match(ln.tokens[0].text)
                                         or not _value(ln.tokens[0])) for ln in body]
    pool = [t for ln, lf in zip(body, label_first) for t in (ln.tokens[1:] if lf else ln.tokens)]
    cols = _clusters(pool)
    left = cols[0][0] if cols else max(ln.x1 for ln in body)
    grid: list[tuple[str, float | None, list[str], list[list[float] | None], Line]] = []
    for ln, lf in zip(body, label_first):
        cells = [""] * len(cols)
        boxes: list[list[float] | None] = [None] * (len(cols) + 1)
        label, lx = "", None
        toks = list(ln.tokens)
        if lf and toks and toks[0].x0 < left - 0.5:
            label, lx, boxes[0] = toks[0].text, toks[0].x0, _tbox(toks[0])
            toks = toks[1:]
        for t in toks:
            c = _col_of(t, cols)
            glue = "" if t.text.startswith(".") and cells[c][-1:].isdigit() else " "  # "11,062 .6"
            cells[c] = (cells[c] + glue + t.text).strip()
            boxes[c + 1] = _union([boxes[c + 1], _tbox(t)])
        grid.append((label, lx, cells, boxes, ln))
    # Labels wrapped over lines: "Murder and nonnegligent" / "manslaughter ... 10.0", and a
    # label written above (and below) its figures: "Investigative Matters" / 426 365 / "Received by AUSAs".
    merged: list[list] = []  # [label, label x0, cells, boxes, label borrowed from above]
    for label, lx, cells, boxes, _ln in grid:
        prev = merged[-1] if merged else None
        if prev is not None and not any(prev[2]) and prev[0] and not prev[0].endswith(":"):
            if (label and label[0].islower()) or (not label and any(cells)):
                prev[0] = (prev[0] + " " + label).strip()
                prev[2], prev[3] = cells, [_union([prev[3][0], boxes[0]])] + boxes[1:]
                prev[4] = not label
                continue
        merged.append([label, lx, cells, boxes, False])
    # A bare label right after a row that borrowed its label from above ends that label.
    rows2: list[list] = []
    for k, r in enumerate(merged):
        nxt = merged[k + 1] if k + 1 < len(merged) else None
        if rows2 and r[0] and not any(r[2]) and rows2[-1][4] and nxt is not None and nxt[0] and any(nxt[2]):
            rows2[-1][0] += " " + r[0]
            rows2[-1][4] = False
            continue
        rows2.append(r)
    levels = indent_levels([r[1] for r in rows2])
    # Header: each line's words over the value columns and over the label column.
    width = len(cols) + 1
    per_col: list[list[tuple[str, bool]]] = [[] for _ in range(width)]
    counts = [sum(1 for t in ln.tokens if t.x1 > left + 1) for ln in head]
    for h, ln in enumerate(head):
        over_label = [t for t in ln.tokens if t.x1 <= left + 1]
        over_values = [t for t in ln.tokens if t.x1 > left + 1]
        if over_label:
            per_col[0].append((" ".join(t.text for t in over_label), False))
        finer = max(counts[h + 1:], default=0)
        for c, (text, spanning) in _assign_header(over_values, cols, finer).items():
            per_col[c + 1].append((text, spanning))
    paths: list[list[str]] = []
    for frags in per_col:
        path, acc = [], []
        for text, spanning in frags:
            if spanning:
                if acc:
                    path.append(_join_phrase(acc))
                    acc = []
                path.append(text)
            else:
                acc.append(text)
        if acc:
            path.append(_join_phrase(acc))
        paths.append(path)
    depth = max((len(p) for p in paths), default=0)
    header_rows = [[(p[len(p) - depth + d] if len(p) - depth + d >= 0 else "") for p in paths]
                   for d in range(depth)]
    header_rows = [r for r in header_rows if any(r)]
    rows = header_rows + [[r[0]] + r[2] for r in rows2]
    # A header cell's box: its column's extent across the header lines.
    h_top = min((ln.top for ln in head), default=0.0)
    h_bottom = max((ln.bottom for ln in head), default=0.0)
    label_x0 = min((ln.x0 for ln in head + body), default=0.0)
    col_box = [[round(label_x0, 2), round(h_top, 2), round(left, 2), round(h_bottom, 2)]] + \
        [[round(a, 2), round(h_top, 2), round(b, 2), round(h_bottom, 2)] for a, b in cols]
    head_boxes = [list(col_box) for _ in header_rows]
    all_lines = head + body
    x0 = min(ln.x0 for ln in all_lines)
    x1 = max(ln.x1 for ln in all_lines)
    top, bottom = all_lines[0].top, body[-1].bottom
    return PageItem("table", top, bottom, rows=rows, header_rows=len(header_rows),
                    levels=[0] * len(header_rows) + levels, caption=caption,
                    bbox=[round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)],
                    column_paths=paths if header_rows else None,
                    cell_boxes=head_boxes + [r[3] for r in rows2],
                    continued=bool(caption and CONTINUED.search(caption)))


def _inside(ln: Line, box: list[float]) -> bool:
    cx, cy = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
    return box[0] - 1 <= cx <= box[2] + 1 and box[1] - 1 <= cy <= box[3] + 1


def _whole(it: PageItem, lines: list[Line]) -> bool:
    """Whether a ruled grid holds its rows whole: rules drawn only over part of a table (under
    the header, say) leave the row labels or last columns outside the grid on the same lines."""
    x0, top, x1, bottom = it.bbox
    rows = [ln for ln in lines if top <= (ln.top + ln.bottom) / 2 <= bottom]
    cut = sum(1 for ln in rows if any(x0 - 1 <= w["x0"] <= x1 + 1 for w in ln.words)
              and any(w["x1"] < x0 - 1 or w["x0"] > x1 + 1 for w in ln.words))
    return cut <= 0.2 * max(len(rows), 1)


def page_items(flows: list[list[Line]], ruled: list) -> list[PageItem]:
    """The page's paragraphs and tables in reading order, from its flows of lines (whole-width
    stretches and columns, see `pdf_columns`) and its ruled tables."""
    words = [w for flow in flows for ln in flow for w in ln.words]
    all_lines = [ln for flow in flows for ln in flow]
    tables = [it for it in (ruled_table(t, words) for t in ruled) if it is not None and _whole(it, all_lines)]
    placed: set[int] = set()
    items: list[PageItem] = []
    for flow in flows:
        found: list[PageItem] = []
        for it in tables:  # a ruled table is read where its first line would be
            if id(it) not in placed and any(_inside(ln, it.bbox) for ln in flow):
                placed.add(id(it))
                found.append(it)
        lines = [ln for ln in flow if not any(_inside(ln, it.bbox) for it in tables)]
        taken: list[tuple[float, float]] = []
        for i, j in _bodies(lines, taken):
            i = _section_lines(lines, i, taken)
            k, caption = _head(lines, i, taken)
            it = borderless_table(lines[k:i], lines[i:j], caption)
            found.append(it)
            taken.append((it.top - 0.5, it.bottom + 0.5))
        text_lines = [ln for ln in lines if not any(t <= (ln.top + ln.bottom) / 2 <= b for t, b in taken)]
        para: list[Line] = []

        def flush() -> None:
            if para:
                found.append(PageItem("text", para[0].top, para[-1].bottom, lines=list(para)))
                para.clear()

        for ln in text_lines:
            if para:
                last = para[-1]
                gap = ln.top - last.bottom
                if gap > 0.9 * (last.bottom - last.top) or gap < -2 or abs(ln.size - last.size) > 0.15 * last.size:
                    flush()
            para.append(ln)
        flush()
        found.sort(key=lambda it: it.top)
        items.extend(found)
    items.extend(it for it in tables if id(it) not in placed)
    for k, it in enumerate(items):
        if it.kind == "table" and it.caption is None and k > 0 and items[k - 1].kind == "text":
            last = items[k - 1].lines[-1].text.strip()
            if len(last) <= 160 and (CAPTION.match(last) or unit_note(last)[0]):
                it.caption = last
                it.continued = bool(CONTINUED.search(last))
    return items
