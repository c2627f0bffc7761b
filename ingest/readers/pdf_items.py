"""What the PDF layout stages pass each other: a page's blocks (`PageItem`) and the figure and
year patterns both table readers use (`pdf_layout` for borderless tables, `pdf_ruled` for ruled ones)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.readers.pdf_words import Line

YEARISH = re.compile(r"^\W*(?:FY\s*)?(?:19|20)\d\d(?:[-/–]\d{2,4})?\W*$|^\W*[A-Z][a-z]{2}[.‐\-–]?\s?\d{2,4}\W*$", re.I)
CAPTION = re.compile(r"^\s*(?:table|figure|exhibit|chart)\s*[A-Z]?[\d.\-–]*[a-z]?\b", re.I)
CONTINUED = re.compile(r"\(?\bcont(?:inued|'d|\.)\b\)?|—\s*continued", re.I)
FIGURES = re.compile(r"(?<![\w.,])\(?-?\d[\d,]*(?:\.\d+)?\)?%?(?![\w.,])")

@dataclass
class PageItem:
    """A block of a page: running text (its lines), or a table's rows."""

    kind: str  # "text" or "table"
    top: float
    bottom: float
    lines: list[Line] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    header_rows: int = 1
    levels: list[int] = field(default_factory=list)
    caption: str | None = None
    bbox: list[float] | None = None
    column_paths: list[list[str]] | None = None
    cell_boxes: list[list[list[float] | None]] = field(default_factory=list)
    continued: bool = False  # the caption says "(continued)"

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


def indent_levels(xs: list[float | None]) -> list[int]:
    """Nesting level of each row label from where it starts: the rank of its indentation."""
    steps: list[float] = []
    for x in sorted({round(x) for x in xs if x is not None}):
        if not steps or x - steps[-1] > 2:
            steps.append(x)
    return [0 if x is None else min(4, max(k for k, s in enumerate(steps) if s <= x + 2)) for x in xs]
