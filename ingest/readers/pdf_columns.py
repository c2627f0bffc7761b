"""Reading order on pages set in columns: the left column read down, then the right.

pdfplumber's lines run across the whole page, so on a two-column page a "line" holds the
end of a sentence on the left and a piece of another on the right, and a table set beside
prose gets the prose as its first column. A gutter is an x position that no word crosses
for a run of consecutive lines, with words on both sides of it on most of them, prose
(lines of several words) on at least one side and words (not only figures) on both: a gap
between a table's labels and its figures is not a gutter. Lines in the run are cut at the gutter and read
column by column; lines above and below it (titles, full-width tables) stay whole.
"""

from __future__ import annotations

import bisect

from ingest.readers.pdf_words import Line, finish

MIN_RUN = 5          # lines a gutter must hold for
PROSE_WORDS = 5      # median words per line of a prose column


def _spans(ln: Line) -> tuple[list[float], list[float]]:
    """The line's word extents as two sorted lists (x0s, x1s), for a bisect per x."""
    ws = sorted(ln.words, key=lambda w: w["x0"])
    return [w["x0"] for w in ws], [w["x1"] for w in ws]


def _crosses(sp: tuple[list[float], list[float]], x: float) -> bool:
    k = bisect.bisect_left(sp[0], x) - 1  # the last word starting left of x (words do not overlap)
    return k >= 0 and sp[1][k] > x


def _prose(sides: list[list[dict]]) -> bool:
    counts = sorted(len(ws) for ws in sides if ws)
    return len(counts) >= MIN_RUN and counts[len(counts) // 2] >= PROSE_WORDS


def _worded(sides: list[list[dict]]) -> bool:
    """Most lines of a side hold words: a side of figures only is a table's value columns."""
    filled = [ws for ws in sides if ws]
    worded = sum(1 for ws in filled if sum(1 for w in ws if any(ch.isalpha() for ch in w["text"])) >= 2)
    return bool(filled) and worded >= 0.8 * len(filled)


def _best_run(lines: list[Line], width: float) -> tuple[int, int, float] | None:
    """(first, end, x) of the longest run of lines split by a gutter, or None."""
    best = None
    spans = [_spans(ln) for ln in lines]
    x = 0.25 * width
    while x <= 0.75 * width:
        i = 0
        while i < len(lines):
            if _crosses(spans[i], x):
                i += 1
                continue
            j = i
            while j < len(lines) and not _crosses(spans[j], x):
                j += 1
            if j - i >= MIN_RUN and (best is None or j - i > best[1] - best[0]):
                run = lines[i:j]
                left = [[w for w in ln.words if w["x1"] <= x] for ln in run]
                right = [[w for w in ln.words if w["x0"] >= x] for ln in run]
                both = sum(1 for a, b in zip(left, right) if a and b)
                if both >= 0.5 * len(run) and (_prose(left) or _prose(right)) and _worded(left) and _worded(right):
                    best = (i, j, x)
            i = j
        x += 3.0
    return best


def reading_order(lines: list[Line], width: float) -> list[list[Line]]:
    """The page's lines as flows read one after the other: whole-width stretches and columns."""
    run = _best_run(lines, width) if len(lines) >= MIN_RUN else None
    if run is None:
        return [lines] if lines else []
    i, j, x = run
    left, right = [], []
    for ln in lines[i:j]:
        lw = [w for w in ln.words if w["x1"] <= x]
        rw = [w for w in ln.words if w["x0"] >= x]
        if lw:
            left.append(finish(Line(lw, ln.top, ln.bottom)))
        if rw:
            right.append(finish(Line(rw, ln.top, ln.bottom)))
    out = reading_order(lines[:i], width)
    out += [f for f in (left, right) if f]
    out += reading_order(lines[j:], width)
    return out
