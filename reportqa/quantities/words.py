"""Number words ("Thirty-eight", "one hundred and five"), ordinals, fractions and "a dozen"."""

from __future__ import annotations

import re

from text_to_num import text2num

from reportqa.quantities.digits import (
    _Hit, _classify, _read_right, _set_scale,
)
from reportqa.quantities.lexicon import (
    _ALPHA_RUN, _DENOMINATORS, _MAGNITUDES, _NUMERATORS, _ORDINALS, _SCALE_WORDS, _TENS_VALUE,
)


def _words(text: str, m: re.Match, floor: int) -> list[_Hit]:
    """Number words ("Thirty-eight", "one hundred and five", "three million")."""
    hits = []
    for start, end, value, scale in _parse_word_span(text, m.start(), m.end()):
        h = _Hit(start, end, float(value))
        if scale:
            _set_scale(h, scale)
        _read_right(text, h, money=False, glued=False)
        _classify(text, h, floor)
        floor = h.end
        hits.append(h)
    return hits


def _parse_word_span(text: str, start: int, end: int) -> list[tuple[int, int, int, str]]:
    """Split a run of number words into the numbers it spells.

    The regex accepts any run of number words, so "three and five" or "one two"
    reach here; the longest prefix text2num accepts wins and the rest is retried.
    """
    toks = list(_ALPHA_RUN.finditer(text, start, end))
    words = [t.group().lower() for t in toks]
    out = []
    i, n = 0, len(toks)
    while i < n:
        if words[i] == "and" or words[i] in _MAGNITUDES:
            i += 1  # a bare "million" ("per million") is not a count
            continue
        for j in range(min(n, i + 12), i, -1):
            if words[j - 1] in ("and", "a", "an"):
                continue
            phrase = ["one" if w in ("a", "an") else w for w in words[i:j]]
            value = _text2num(phrase)
            if value is not None:
                break
        else:
            i += 1
            continue
        scale = ""
        if len(phrase) > 1 and phrase[-1] in _SCALE_WORDS and not _SCALE_WORDS & set(phrase[:-1]):
            head = _text2num(phrase[:-1])
            if head is not None:  # "three million" is 3 with scale million, like "3 million"
                value, scale = head, phrase[-1]
        out.append((toks[i].start(), toks[j - 1].end(), value, scale))
        i = j
    return out


def _text2num(words: list[str]) -> int | None:
    try:
        return text2num(" ".join(words), "en")
    except Exception:  # the Rust extension's error types are not part of its API
        return None


def _ordinal(text: str, m: re.Match, floor: int) -> list[_Hit]:
    parts = m.group().lower().split("-")
    value = _ORDINALS[parts[-1]] + (_TENS_VALUE[parts[0]] if len(parts) == 2 else 0)
    return [_Hit(m.start(), m.end(), float(value), kind="ordinal")]


def _fraction(text: str, m: re.Match, floor: int) -> list[_Hit]:
    # "two-thirds", or spaced before "of": "two thirds of our costs", "a quarter of the staff"
    # (a spaced "three quarters" alone may be three periods, so it needs the "of").
    top, bottom = re.split(r"[-\s]+", m.group().strip().lower())
    end = m.start() + len(m.group().rstrip())
    h = _Hit(m.start(), end, (_NUMERATORS.get(top) or 1) / _DENOMINATORS[bottom])
    _classify(text, h, floor)
    return [h]


def _dozen(text: str, m: re.Match, floor: int) -> list[_Hit]:
    h = _Hit(m.start(), m.end(), 12.0)
    _classify(text, h, floor)
    return [h]
