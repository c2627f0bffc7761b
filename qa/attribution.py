"""Who a figure is attributed to, from the words said before it in its own sentence.

"According to the Ministry of Labour, 96 employers were fined; the inspectorate's own count was
88" gives 96 to the Ministry of Labour and 88 to the inspectorate: two sources for one figure,
a conflict to show, where "124 victims were under 15, 31 were between 15 and 17" are bands of
one source. The attributing words are data (attribution.toml).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from qa.candidates import Candidate

# Words that open a clause or stand for a name without being one: never a source.
_NOT_NAMES = {"but", "while", "and", "or", "yet", "which", "who", "whom", "that", "this", "these", "those",
              "it", "they", "there", "he", "she", "we", "i", "you"}
_NAME = (r"(?!(?:" + "|".join(sorted(_NOT_NAMES)) + r")\b)(?:[Tt]he\s+)?(?P<src>[\w.&'’-]+(?:\s+(?:of\s+|and\s+)?[\w.&'’-]+){0,5}?)")


@lru_cache(maxsize=1)
def _patterns() -> list[re.Pattern]:
    data = tomllib.loads(Path(__file__).with_name("attribution.toml").read_text(encoding="utf-8"))
    nouns = "|".join(map(re.escape, data["nouns"]))
    verbs = "|".join(map(re.escape, data["verbs"]))
    return [
        re.compile(r"\b[Aa]ccording to\s+" + _NAME + r"\s*(?:,|$)"),
        re.compile(r"(?:^|[,;:]\s+|\bbut\s+|\bwhile\s+|\band\s+)" + _NAME + r"['’]s\s+(?:own\s+|latest\s+|official\s+)?(?:"
                   + nouns + r")\b"),
        re.compile(r"(?:^|[,;:]\s+|\bbut\s+|\bwhile\s+|\band\s+)" + _NAME + r"\s+(?:" + verbs + r")\b"),
    ]


def leading_words(c: Candidate) -> str:
    """The sentence's words that lead to the figure: since the figure before it (the other end
    of its own range does not count)."""
    earlier = sorted((o for o in c.sentence_quantities if o.end <= c.quantity.start), key=lambda o: o.end)
    if earlier and earlier[-1].range_with is not None and earlier[-1].range_with == c.value:
        earlier.pop()
    return c.sentence.text[earlier[-1].end if earlier else 0:c.quantity.start]


def same_source(a: str | None, b: str | None) -> bool:
    """Whether two attributions name one body (case aside)."""
    return a is not None and b is not None and a.lower() == b.lower()


def source_of(c: Candidate) -> str | None:
    """The body a figure is attributed to in its sentence, as written ("Ministry of Labour"), or None."""
    seg = leading_words(c)
    found = None
    for pattern in _patterns():
        for m in pattern.finditer(seg):
            if found is None or m.start() > found[0]:
                found = (m.start(), m.group("src"))
    if found is None:
        return None
    src = re.sub(r"\s+", " ", found[1]).strip()
    return None if src.lower() in _NOT_NAMES else src


def other_source(c: Candidate, source: str) -> bool:
    """Whether the figure is attributed to a body other than `source`."""
    own = source_of(c)
    return own is not None and not same_source(own, source)
