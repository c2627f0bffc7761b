"""The words of a PDF page as a reader sees them: lines, superscripts, cells of a line.

pdfplumber gives every word with its box and font size (`extra_attrs=["size"]` splits a word
where the size changes, so a footnote marker printed small and raised — "4.2¹", "Totalᵇ" —
comes out as a word of its own). This module groups words into lines by their vertical
overlap, marks raised small words as superscripts, and cuts a line into tokens: runs of
words at word spacing, with every figure its own token, so that a table row's columns can
be found from where its figures stand. Running headers and footers (lines in the top or
bottom margin repeated on other pages) and bare page numbers are found here too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# A figure as printed in a table cell: signs, currency, thousands separators, percent,
# parentheses for negatives, a significance mark before or after ("*6.4", "0.9+", "27,633*").
FIGURE = re.compile(r"^[*†‡§¶+]?[(\-−–]?[$£€¥]?\d[\d,]*(?:\.\d+)?%?\)?[*†‡§¶+!]*$")
# What statistical tables print where a value is missing, suppressed or not applicable.
MISSING = frozenset({"–", "—", "-", "‐", "‒", "--", "---", "..", "...", "…", "x", "(x)", "d", "(d)", "na",
                     "n/a", "(na)", "n.a.", "(s)", "(z)", "(b)", "*", "**", "***", "†", "‡", "nc", "(nc)",
                     "unknown", "‡‡", "#", "s", "z"})
_LEADER = re.compile(r"(?:\s?[.…·_]){2,}\s*$")
_ONLY_DOTS = re.compile(r"^[.…·_]+$")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[ivxlc\d]+(?:\s*(?:of|/)\s*\d+)?$|^[^\w\s]?\s*\d{1,4}\s*[^\w\s]?$", re.I)
_CURRENCY = frozenset({"$", "£", "€", "¥", "US$"})
MARGIN = 0.08  # share of the page height at the top and bottom where running headers sit


@dataclass
class Token:
    """A cell-sized piece of a line: a run of words, or one figure."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    kind: str  # "num", "mark" (a missing-value marker) or "text"


@dataclass
class Line:
    """Words sharing a baseline band, left to right."""

    words: list[dict]
    top: float
    bottom: float
    size: float = 10.0
    tokens: list[Token] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(w["x0"] for w in self.words)

    @property
    def x1(self) -> float:
        return max(w["x1"] for w in self.words)

    @property
    def text(self) -> str:
        """The line as text; footnote markers glued to a word are left out."""
        out = ""
        for w in self.words:
            if not w.get("drop"):
                out += ("" if w.get("glue") or not out else " ") + w["text"]
        return out

    @property
    def box(self) -> list[float]:
        return [round(self.x0, 2), round(self.top, 2), round(self.x1, 2), round(self.bottom, 2)]


def is_figure(text: str) -> bool:
    return bool(FIGURE.match(text.replace(" ", "")))


def kind_of(text: str) -> str:
    t = text.strip()
    if is_figure(t):
        return "num"
    if t.lower() in MISSING:
        return "mark"
    return "text"


def page_words(page) -> list[dict]:
    """The page's words with their font size.

    (`Page.dedupe_chars` would merge characters drawn twice for a bold effect, but it costs
    more than reading the page itself: measured 7 s a page on a 28-page ruled report.)"""
    return page.extract_words(x_tolerance=1.5, y_tolerance=2.5, keep_blank_chars=False, extra_attrs=["size"])


def make_lines(words: list[dict]) -> list[Line]:
    """Words grouped into lines by vertical overlap; small raised words marked as superscripts."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        h = max(w["bottom"] - w["top"], 1.0)
        placed = False
        for ln in lines[-3:]:  # a superscript may open a line above the line it belongs to
            overlap = min(ln.bottom, w["bottom"]) - max(ln.top, w["top"])
            if overlap >= 0.5 * min(h, ln.bottom - ln.top):
                ln.words.append(w)
                ln.top, ln.bottom = min(ln.top, w["top"]), max(ln.bottom, w["bottom"])
                placed = True
                break
        if not placed:
            lines.append(Line([w], w["top"], w["bottom"]))
    for ln in lines:
        finish(ln)
    return [ln for ln in lines if ln.words]


def finish(ln: Line) -> Line:
    """Order a line's words, find its font size and superscripts, and cut it into tokens."""
    ln.words.sort(key=lambda w: w["x0"])
    ln.top = min(w["top"] for w in ln.words)
    ln.bottom = max(w["bottom"] for w in ln.words)
    sizes = Counter()
    for w in ln.words:
        sizes[round(float(w.get("size") or 10.0), 1)] += len(w["text"])
    ln.size = sizes.most_common(1)[0][0]
    base = max((w["bottom"] for w in ln.words if round(float(w.get("size") or 10), 1) == ln.size),
               default=ln.bottom)
    prev = None
    for w in ln.words:
        size = float(w.get("size") or ln.size)
        raised = size <= 0.8 * ln.size and w["bottom"] < base - 0.15 * ln.size
        w["sup"] = raised
        glued = prev is not None and w["x0"] - prev["x1"] < 0.25 * ln.size
        # A marker glued to a word ("4.2¹", "Totalᵇ", "rate*"): a note, not part of the figure.
        if raised and glued and re.fullmatch(r"[a-z]|[\d,*†‡§¶#]{1,4}|[\d]+(?:,\s?\d+)*", w["text"]):
            w["drop"] = True
        elif raised and glued:
            w["glue"] = True  # "1st", "m³": part of the word before it
        prev = w
    for w in ln.words:
        w["text"] = w["text"].strip() or w["text"]
    ln.words = [w for w in ln.words if not _ONLY_DOTS.match(w["text"])] or ln.words
    ln.tokens = tokens(ln)
    return ln


def _clean_word(text: str) -> str:
    return _LEADER.sub("", text) or text


def tokens(ln: Line) -> list[Token]:
    """The line cut where a table would put a column: wide gaps, and between two figures."""
    words = [w for w in ln.words if not w.get("drop")]
    merged: list[dict] = []
    for w in words:
        text = _clean_word(w["text"])
        if merged:
            p = merged[-1]
            gap = w["x0"] - p["x1"]
            # "1,540 .0": a decimal part set apart by the typesetter belongs to its figure.
            if re.fullmatch(r"\.\d+%?", text) and re.fullmatch(r"[\d,]*\d", p["text"]) and gap < 0.6 * ln.size:
                p.update(text=p["text"] + text, x1=w["x1"])
                continue
            if w.get("glue"):
                p.update(text=p["text"] + text, x1=w["x1"])
                continue
            # "$ 165.30": a currency sign standing alone goes with the figure after it.
            if p["text"] in _CURRENCY and (is_figure(text) or kind_of(text) == "mark"):
                p.update(text=p["text"] + " " + text, x1=w["x1"])
                continue
        merged.append(dict(w, text=text))
    out: list[Token] = []
    gap_limit = max(0.8 * ln.size, 3.0)
    kinds = [kind_of(w["text"]) for w in merged]
    for i, w in enumerate(merged):
        k = kinds[i]
        if out:
            t = out[-1]
            gap = w["x0"] - t.x1
            near = gap <= 0.45 * ln.size
            # Words at word spacing stay together ("18 to 25", "Stolen property 1") unless both
            # are figures, or the figure starts a run of three ("Cases Charged 217 197 173", but
            # "Under 18 | 18 years" over two columns);
            # text runs also bridge wider gaps (justified lines), figures never.
            run = k != "text" and all(
                m < len(merged) and kinds[m] != "text" and merged[m]["x0"] - merged[m - 1]["x1"] <= gap_limit
                for m in (i + 1, i + 2))
            figures = kinds[i - 1] != "text" and k != "text"
            if (near and not figures and not run) or (gap <= gap_limit and t.kind == k == "text"):
                t.text += " " + w["text"]
                t.x1 = w["x1"]
                t.kind = "text"
                t.top, t.bottom = min(t.top, w["top"]), max(t.bottom, w["bottom"])
                continue
        out.append(Token(w["x0"], w["x1"], w["top"], w["bottom"], w["text"], k))
    for t in out:
        t.text = _LEADER.sub("", t.text).strip() or t.text
    return out


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()


def running_lines(pages: list[list[Line]], heights: list[float]) -> list[set[int]]:
    """For each page, the indexes of its lines that are running headers, footers or page numbers.

    A line in the top or bottom margin whose text (digits aside) recurs in the margin of
    another page is running matter; its first occurrence is kept (often the report's title).
    A margin line that is only a page number ("12", "Page 3 of 9", "- 4 -") is dropped anywhere.
    """
    seen: Counter = Counter()
    margins: list[list[tuple[int, str]]] = []
    for lines, h in zip(pages, heights):
        m = []
        for i, ln in enumerate(lines):
            if (ln.bottom < MARGIN * h or ln.top > (1 - MARGIN) * h) and len(ln.tokens) <= 3:
                m.append((i, _key(ln.text)))
        margins.append(m)
        for k in {k for _, k in m}:
            seen[k] += 1
    first: set[str] = set()
    out: list[set[int]] = []
    for lines, m in zip(pages, margins):
        drop = set()
        for i, k in m:
            if _PAGE_NUMBER.match(lines[i].text.strip()):
                drop.add(i)
            elif seen[k] >= 2:
                if k in first:
                    drop.add(i)
                else:
                    first.add(k)
        out.append(drop)
    return out
