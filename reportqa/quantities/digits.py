"""Reading one digit mention: currency, sign, brackets, scale, percent, unit, label, year or date."""

from __future__ import annotations

import re
from dataclasses import dataclass


from reportqa.quantities.lexicon import (
    UNIT_NOUNS,
    _ALPHA_RUN, _COUNT_QUALIFIERS, _CURRENCY_AFTER, _CURRENCY_CODES, _CURRENCY_SYMBOLS,
    _CURRENCY_WORDS, _DOLLAR_ORIGINS, _FISCAL, _GLUED_LEFT, _GLUED_SCALE, _GLUED_SCALE_MONEY,
    _GLUED_UNITS, _HYPHEN_NOUN, _LABEL_HYPHEN_PREFIXES, _LABEL_SUFFIX, _LABEL_WORD, _LEFT,
    _MONTH_LEFT, _MONTH_RIGHT, _NOT_NOUNS, _PERCENT, _POINTS, _PREFIX_ENDINGS, _QUALIFIER,
    _SCALE_ABBR, _SCALE_ALIASES, _SCALE_WORD, _SPACE, _UNIT_AFTER,
)
from reportqa.years import is_old_year_number, is_year_number


@dataclass
class _Hit:
    start: int
    end: int
    value: float
    raw: str = ""  # the digits as written; empty for number words
    kind: str = "number"
    scale: str = ""
    unit: str = ""
    qualifier: str = ""
    negative: bool = False
    range_with: float | None = None
    written: float | None = None  # set when `value` differs from the text (trillions, "FY19")




def _date_parts(m: re.Match, pieces: list[str], year_at: int) -> list[_Hit]:
    """One hit per part of a written date, the part at `year_at` being its year."""
    parts, pos = [], m.start()
    for i, piece in enumerate(pieces):
        parts.append(_Hit(pos, pos + len(piece), float(piece), raw=piece, kind="year" if i == year_at else "date"))
        pos += len(piece) + 1
    return parts


def _iso_date(text: str, m: re.Match, floor: int) -> list[_Hit]:
    """ "2019-03-31": the year, then month and day as date parts."""
    pieces = m.group().split("-")
    if not (1 <= int(pieces[1]) <= 12 and 1 <= int(pieces[2]) <= 31):
        return _plain_numbers(m)
    return _date_parts(m, pieces, year_at=0)


def _slash_date(text: str, m: re.Match, floor: int) -> list[_Hit]:
    """ "31/03/2019": day and month (in either order) as date parts, then the year."""
    pieces = m.group().split("/")
    if any(int(p) < 1 or int(p) > 31 for p in pieces[:2]):
        return _plain_numbers(m)
    return _date_parts(m, pieces, year_at=2)


def _plain_numbers(m: re.Match) -> list[_Hit]:
    out, pos = [], m.start()
    for piece in re.split(r"[-/]", m.group()):
        out.append(_Hit(pos, pos + len(piece), float(piece), raw=piece))
        pos += len(piece) + 1
    return out


def _digits(text: str, m: re.Match, floor: int) -> list[_Hit]:
    s, e = m.span()
    raw = m.group()
    h = _Hit(s, e, float(raw.replace(",", "")), raw=raw)
    lo = max(floor, s - 24)

    if raw.isdigit() and len(raw) in (2, 4):
        fy = _FISCAL.search(text, lo, s)
        if fy:  # "FY2019", "FY 2019", "FY19"
            h.start, h.kind = fy.start(), "year"
            if len(raw) == 2:
                h.written, h.value = h.value, 2000.0 + h.value
            return [h]

    glued = _GLUED_LEFT.search(text, lo, s)
    if glued and _is_identifier(glued.group(1), glued.group(2)):
        return [_label(text, h, glued.start(), glued.group(1))]
    word = _LABEL_WORD.search(text, lo, s)
    if word:
        return [_label(text, h, word.start(), word.group(1))]

    left = _LEFT.search(text, max(floor, s - 8), s) if _may_have_prefix(text, s) else None
    cur = sign = None
    opener = -1
    if left:
        cur, sign = left.group("cur"), left.group("sign") or left.group("sign2")
        starts = [left.start(g) for g in ("sign", "cur", "sign2") if left.group(g)]
        h.start = min(starts) if starts else s
        for g in ("open2", "open"):  # the paren nearest the digits
            if left.group(g):
                opener = left.start(g)
                break
    if cur:
        h.kind, h.unit = "money", _CURRENCY_SYMBOLS.get(cur, cur)
    if sign:
        h.value, h.negative = -h.value, True

    _read_right(text, h, money=bool(cur), glued=True)

    # "(8.1)": a bracketed figure is a negative in financial statements; a bracketed
    # year or a parenthetical remark with spaces ("(14 percent)") is not, and in prose
    # (not a table row) a bracketed share is an aside: "most were women (45%)". (A bracketed
    # amount stays a negative there: "a loss of ($8.1m)" is written so in financial prose.)
    aside = h.kind == "percent" and not cur and not text.lstrip().startswith("|")
    if (
        opener >= 0
        and not aside
        and text.startswith(")", h.end)
        and h.kind not in ("label", "ordinal")
        and not (_is_year_like(raw) and not cur)
        and not _SPACE.search(text, opener, h.end)
    ):
        h.start, h.end = min(h.start, opener), h.end + 1
        if _is_marker(text, raw, opener, cur, h):
            return [_label(text, h, h.start, "note")]
        h.value, h.negative = -abs(h.value), True
        if h.kind == "number" and text.startswith("%", h.end):  # "(12.5)%" in a table
            h.kind, h.scale, h.end = "percent", "percent", h.end + 1
    elif opener >= 0 and h.start <= opener:
        h.start = opener + 1

    _classify(text, h, floor)
    return [h]


def _is_marker(text: str, raw: str, opener: int, cur: str | None, h: _Hit) -> bool:
    """"(1) Includes ...", "| Net sales (2) |": a bracketed one- or two-digit integer that opens
    the text or follows the words of a table's label cell is a footnote or list marker, not the
    negative one or two a bracketed figure alone in a cell stands for. In prose a bracket after
    a word is a figure ("the East Office (64)")."""
    if cur or not raw.isdigit() or len(raw) > 2 or h.kind != "number" or h.unit or h.scale \
            or text.startswith("%", h.end):
        return False
    before = text[:opener].rstrip()
    if not before:
        return True
    return text.lstrip().startswith("|") and before[-1].isalpha()


def _may_have_prefix(text: str, s: int) -> bool:
    """Cheap test before the `_LEFT` search: most numbers follow a plain lower-case word."""
    i = s - 1
    if i >= 0 and text[i] in " \xa0\u202f":
        i -= 1
    return i >= 0 and text[i] in _PREFIX_ENDINGS


def _is_identifier(prefix: str, hyphen: str) -> bool:
    """Letters glued to a number name it: "A1", "Q3", "COVID-19" — but not "mid-2019".

    All-lower-case glue ("in2019") is usually a space lost in PDF extraction.
    """
    if not hyphen:
        return not prefix.islower() and prefix.upper() not in _CURRENCY_CODES and prefix not in ("Rs", "Rp")
    return prefix.isupper() or prefix.lower() in _LABEL_HYPHEN_PREFIXES


def _label(text: str, h: _Hit, start: int, name: str) -> _Hit:
    h.kind, h.start, h.unit = "label", start, name
    suffix = _LABEL_SUFFIX.match(text, h.end)  # "Item 7A", "Form 10-K"
    if suffix:
        h.end = suffix.end()
    return h


def _read_right(text: str, h: _Hit, money: bool, glued: bool) -> None:
    """Extend `h` over what follows the number: %, points, scale, currency, unit."""
    pos = h.end
    m = _POINTS.match(text, pos)
    if m:
        h.kind, h.unit, h.end = "points", "pp" if m.group(1) else "bp", m.end()
        return
    m = _PERCENT.match(text, pos)
    if m:
        h.kind, h.scale, h.end = "percent", "percent", m.end()
        return
    if not h.scale:
        m = _SCALE_WORD.match(text, pos)
        if m:
            _set_scale(h, m.group(1).lower())
            pos = h.end = m.end()
        elif glued and (m := _ALPHA_RUN.match(text, pos)):
            run = m.group()
            if run.lower() in ("st", "nd", "rd", "th") and h.raw.isdigit():
                h.kind, h.end = "ordinal", m.end()
                return
            if run == "s" and h.raw.isdigit() and h.raw.endswith("0"):  # "1990s"
                h.end = m.end()
                if _is_year_like(h.raw):
                    h.kind = "year"
                return
            if run in _GLUED_SCALE or (money and run in _GLUED_SCALE_MONEY):
                _set_scale(h, _SCALE_ALIASES[run.lower()])
                pos = h.end = m.end()
            elif run.lower() in _GLUED_UNITS:
                h.unit, h.end = run.lower(), m.end()
                return
            elif "." in h.raw and run.islower() and len(run) <= 2:
                h.unit, h.end = run, m.end()  # "386.1p": a decimal is an amount, the letters its unit
                return
            elif not (run.islower() and len(run) > 3):  # "358victims" is a space lost in a PDF
                h.kind, h.unit, h.end = "label", run, m.end()  # "28nm", "49ers": a name, not an amount
                return
        else:
            m = _SCALE_ABBR.match(text, pos)
            if m and (money or m.group(1).lower() in ("bn", "mn", "tn")):
                _set_scale(h, _SCALE_ALIASES[m.group(1).lower()])
                pos = h.end = m.end()
    m = _CURRENCY_AFTER.match(text, pos)
    if m:
        h.kind, h.end = "money", m.end()
        h.unit = _currency_after(m.group(1), m.group(2))
        return
    if h.kind == "number" and not h.scale:
        m = _HYPHEN_NOUN.match(text, pos)
        if m and len(m.group(1)) <= 2 and m.group(1).isupper():
            h.kind, h.unit, h.end = "label", m.group(1), m.end()  # "10-K", "8-K" filings
        elif m and m.group(1).lower() not in _NOT_NOUNS:
            h.unit = m.group(1).lower()  # "12-month", "49-yard": a number of that noun
        elif m := _UNIT_AFTER.match(text, pos):
            unit = m.group(1).lower()
            h.unit = unit[:-1] if unit.endswith("s") and unit[:-1] in UNIT_NOUNS else unit


def _currency_after(origin: str | None, name: str) -> str:
    if name.upper() in _CURRENCY_CODES:
        return _CURRENCY_SYMBOLS.get(name.upper(), name.upper())
    if name.lower().startswith("pounds"):
        return "GBP"
    code = _CURRENCY_WORDS[name.lower()]
    if origin and code == "USD":
        return _DOLLAR_ORIGINS.get(" ".join(origin.lower().split()), "USD")
    return code


def _set_scale(h: _Hit, scale: str) -> None:
    # The model has no "trillion" scale: keep the amount right by counting billions.
    if scale == "trillion":
        h.written, h.value, h.scale = h.value, h.value * 1000, "billion"
    else:
        h.scale = scale


def _is_year_like(raw: str) -> bool:
    return len(raw) == 4 and raw.isdigit() and is_year_number(int(raw))


_YEAR_LEFT = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|to|of|year|early|late|mid|after|before|around|circa|c\.|between|and|"
    r"during|spring|summer|autumn|fall|winter|AD|BC)\s+|-)$", re.I)


def _is_old_year(text: str, h: _Hit, floor: int) -> bool:
    """A bare 4-digit number of the old-year range (reportqa.years) read as a year where the words say so."""
    if not (len(h.raw) == 4 and h.raw.isdigit() and is_old_year_number(int(h.raw))):
        return False
    return bool(_YEAR_LEFT.search(text[max(floor, h.start - 12):h.start]) or _near_month(text, h, floor)
                or re.match(r"\s*(?:,|\.|$|AD\b|BC\b|-\d|–\d)", text[h.end:h.end + 4]))


def _near_month(text: str, h: _Hit, floor: int) -> bool:
    return bool(_MONTH_LEFT.search(text, max(floor, h.start - 12), h.start) or _MONTH_RIGHT.match(text, h.end))


def _classify(text: str, h: _Hit, floor: int) -> None:
    """Settle year / date / qualifier once the mention's extent is known."""
    if h.kind == "ordinal":
        if _near_month(text, h, floor):
            h.kind = "date"  # "23rd March"
        return
    if h.kind in ("label", "year"):
        return
    m = _QUALIFIER.search(text, max(floor, h.start - 28), h.start)
    qualifier = ""
    if m:
        qualifier = (m.group("dir") or " ".join(m.group("q").split())).lower()
    plain = h.kind == "number" and not h.unit and not h.scale and not h.negative
    if plain and _is_year_like(h.raw) and qualifier not in _COUNT_QUALIFIERS:
        h.kind = "year"
        return
    if plain and _is_old_year(text, h, floor):
        h.kind = "year"  # history: "in 1875", "In 1890,", "1537 treaty"
        return
    if plain and h.raw.isdigit() and len(h.raw) <= 2 and 1 <= int(h.raw) <= 31 and _near_month(text, h, floor):
        h.kind = "date"
        return
    h.qualifier = qualifier
