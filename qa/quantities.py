"""Find the numbers a sentence mentions, with exact offsets and what surrounds them.

One compiled scanner finds the core of every mention: digits, ISO and slash dates,
number words, ordinals and fractions. Small anchored regexes then read the few
characters on either side to attach currency, sign, parentheses, scale, percent,
unit, qualifier and range. Nothing is tokenised, and text2num only sees spans the
word-list regex already accepted, so a typical sentence takes 20-100 microseconds.

Values are kept as written ("£59.1m" is 59.1 with scale "million"); apply
`scale_multiplier(q.scale)` to get the full amount.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from text_to_num import text2num

from reportqa.models import Quantity

__all__ = ["extract_quantities", "normalize_values", "parse_number", "scale_multiplier"]

# ASCII-only matching: Unicode case folding (e.g. the Kelvin sign matching "k")
# would let through words that the lookup tables below do not know.
_A = re.ASCII
_AI = re.ASCII | re.IGNORECASE
_SP = r"[ \t\xa0\u202f]"  # spaces that may sit inside one mention ("$ 5", "5 million")


def _alt(words) -> str:
    """Regex alternation, longest first so "Sections" wins over "Section"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _trie(words) -> str:
    """Regex for any of `words`, factored by common prefix so a miss fails on its first letter."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: "seventeen" before "seven"

    return emit(tree)


# ---------------------------------------------------------------- vocabularies

_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_MAGNITUDES = {"hundred", "thousand", "million", "billion", "trillion"}
_SCALE_WORDS = {"thousand", "million", "billion", "trillion"}

_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
        "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split()
    )
}
_ORDINALS.update({w: 20 + 10 * i for i, w in enumerate(
    "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split())})
_ORDINALS.update({"hundredth": 100, "thousandth": 1000})
_TENS_VALUE = {w: 20 + 10 * i for i, w in enumerate(_TENS_WORDS)}

_NUMERATORS = {w: i + 1 for i, w in enumerate("one two three four five six seven eight nine".split())}
_DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10,
}

_SCALE_ALIASES = {
    "": "", "thousand": "thousand", "thousands": "thousand", "k": "thousand",
    "million": "million", "millions": "million", "m": "million", "mn": "million", "mm": "million",
    "billion": "billion", "billions": "billion", "bn": "billion", "b": "billion",
    "trillion": "trillion", "trillions": "trillion", "tn": "trillion",
    "percent": "percent", "per cent": "percent", "%": "percent",
}
_MULTIPLIERS = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "percent": 1.0}

# Glued scale letters: lower-case ones are unambiguous in reports; "M", "K", "B"
# are only a scale next to a currency ("$5M"), otherwise an identifier ("3M", "5B").
_GLUED_SCALE = {"m", "mn", "bn", "tn", "k", "Mn", "MN", "Bn", "BN", "TN"}
_GLUED_SCALE_MONEY = {"M", "K", "B", "b", "MM", "mm"}
_GLUED_UNITS = {
    "km", "kg", "mm", "cm", "ml", "mg", "kw", "mw", "gw", "kwh", "mwh", "gwh", "twh",
    "ha", "ft", "lb", "lbs", "mph", "kph", "hrs", "hr", "yrs", "x", "sqm", "sqft",
}

_CURRENCY_SYMBOLS = {
    "$": "USD", "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD",
    "HK$": "HKD", "NZ$": "NZD", "S$": "SGD", "R$": "BRL", "£": "GBP", "€": "EUR",
    "¥": "JPY", "₹": "INR", "RMB": "CNY", "Rs": "INR", "Rs.": "INR", "Rp": "IDR", "Rp.": "IDR",
}
_CURRENCY_CODES = {"USD", "EUR", "GBP", "RMB", "CNY", "JPY", "INR", "CHF", "AUD", "CAD", "HKD", "SGD", "NZD", "THB"}
_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "sterling": "GBP",
    "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "rupee": "INR", "rupees": "INR", "baht": "THB",
}
_DOLLAR_ORIGINS = {"us": "USD", "u.s.": "USD", "australian": "AUD", "canadian": "CAD",
                   "hong kong": "HKD", "singapore": "SGD", "new zealand": "NZD"}

_DIRECTIONS = {
    "increased", "increase", "increases", "decreased", "decrease", "decreases", "rose", "risen",
    "rise", "fell", "fallen", "fall", "grew", "grown", "declined", "decline", "dropped", "drop",
    "up", "down", "reduced", "reduction",
}
_QUALIFIERS = [
    "approximately", "approx.", "about", "around", "nearly", "almost", "over", "more than",
    "at least", "less than", "fewer than", "up to", "some", "roughly", "just over", "just under",
    "close to", "as many as", "as much as", "in excess of", "upwards of", "an estimated",
    "estimated", "under", "below", "above", "at most", "no more than",
]
# Qualifiers that make a 4-digit number a count, not a year ("more than 2000 people").
_COUNT_QUALIFIERS = {
    "approximately", "approx.", "nearly", "almost", "more than", "at least", "less than",
    "fewer than", "up to", "some", "roughly", "as many as", "as much as", "in excess of",
    "upwards of", "an estimated", "estimated", "no more than", "at most",
}

_LABEL_WORDS = [
    "Section", "Sections", "Note", "Notes", "Item", "Items", "Form", "Chapter", "Article",
    "Articles", "Rule", "Regulation", "Schedule", "Part", "Table", "Figure", "Fig.", "Appendix",
    "Annex", "Exhibit", "Clause", "Paragraph", "Para", "Tier", "Level", "Phase", "Goal", "SDG",
    "Target", "Resolution", "Title", "Volume", "Vol.", "No.", "Page", "Step",
    "IAS", "IFRS", "IFRIC", "ASC", "ASU", "SFAS", "FAS", "FRS", "ISA", "ISO",
]
_LABEL_HYPHEN_PREFIXES = {"covid", "sars", "mers"}  # "Covid-19" is mixed case but still a name

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)

# ---------------------------------------------------------------- regexes

_WORD_PIECE = rf"(?:{_trie(_UNIT_WORDS + _TENS_WORDS + sorted(_MAGNITUDES))})(?![A-Za-z])"
_AFTER_MAGNITUDE = "(?:" + "|".join(f"(?<={m})" for m in sorted(_MAGNITUDES)) + ")"
_MAGNITUDE_AHEAD = rf"(?=(?:{_trie(_MAGNITUDES)})(?![A-Za-z]))"

# Two gates keep the scan cheap: most positions are neither a digit nor the start of a word.
_SCAN = re.compile(
    rf"""
    (?=[0-9.])(?:
        (?P<iso>(?<![0-9A-Za-z])(?:19|20)[0-9]{{2}}-[0-9]{{1,2}}-[0-9]{{1,2}}(?![0-9]))
        |(?P<slash>(?<![0-9/])[0-9]{{1,2}}/[0-9]{{1,2}}/(?:19|20)[0-9]{{2}}(?![0-9/]))
        |(?P<num>(?<![0-9])(?<![0-9]\.)(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?
            |(?<![0-9A-Za-z.])\.[0-9]+))
    |\b(?=[A-Za-z])(?:
        (?P<dozen>a{_SP}+dozen(?![A-Za-z]))
        |(?P<frac>(?:{_trie(_NUMERATORS)})-(?:{_trie(_DENOMINATORS)})(?![A-Za-z]))
        |(?P<ord>(?:(?:{_trie(_TENS_WORDS)})-)?(?:{_trie(_ORDINALS)})(?![A-Za-z]))
        |(?P<words>(?:an?{_SP}+{_MAGNITUDE_AHEAD})?{_WORD_PIECE}
            (?:(?:-|{_SP}+|{_AFTER_MAGNITUDE}{_SP}+and{_SP}+){_WORD_PIECE})*))
    """,
    _AI | re.VERBOSE,
)

_ALPHA_RUN = re.compile(r"[A-Za-z]+", _A)
_FISCAL = re.compile(r"(?<![A-Za-z])(?:FY|CY)[ \t\xa0-]?$", _A)
_GLUED_LEFT = re.compile(r"(?<![A-Za-z])([A-Za-z]+)(-?)$", _A)
_LABEL_WORD = re.compile(rf"(?<![A-Za-z])({_alt(_LABEL_WORDS)}){_SP}*$", _A)
_LABEL_SUFFIX = re.compile(r"(?:-?[A-Z]{1,2}|[a-z])(?![A-Za-z0-9])", _A)
_CURRENCY = _trie(_CURRENCY_SYMBOLS.keys() | _CURRENCY_CODES)
# What may stand between the start of a mention and its digits: "(", "-", "$", "($", "-$", "$(".
_LEFT = re.compile(
    rf"(?<![A-Za-z0-9])(?P<open>\()?(?P<sign>[-\u2212\u2013])?(?:(?P<cur>{_CURRENCY}){_SP}?)?"
    rf"(?P<open2>\()?(?P<sign2>[-\u2212\u2013])?$",
    _A,
)
_POINTS = re.compile(
    rf"{_SP}?-?(?:(percentage{_SP}*-?points?|pp|ppts?|p\.p\.)|(basis{_SP}*-?points?|bps|bp))(?![A-Za-z])", _AI
)
_PERCENT = re.compile(rf"{_SP}?%|(?:{_SP}|-)?(?:percent|per{_SP}?cent)(?![A-Za-z])", _AI)
_SCALE_WORD = re.compile(rf"(?:{_SP}|-)?(thousand|million|billion|trillion)(?![A-Za-z])", _AI)
_SCALE_ABBR = re.compile(rf"{_SP}(bn|mn|tn|m|k|b|MM)(?![A-Za-z0-9])", _AI)
_CURRENCY_AFTER = re.compile(
    rf"{_SP}+(?:(US|U\.S\.|Australian|Canadian|Hong{_SP}Kong|Singapore|New{_SP}Zealand){_SP}+)?"
    rf"({_alt(_CURRENCY_WORDS)}|pounds{_SP}+sterling|{_alt(_CURRENCY_CODES)})(?![A-Za-z])",
    _A,
)
_HYPHEN_NOUN = re.compile(r"-([A-Za-z]+)", _A)
_NOT_NOUNS = {"and", "or", "to", "for", "of", "in", "on", "by"}
_YARDS = re.compile(rf"{_SP}+(?:yards?|yds?)(?![A-Za-z])", _AI)
_MONTH_LEFT = re.compile(rf"(?<![A-Za-z]){_MONTH}\.?{_SP}+$", _A)
_MONTH_RIGHT = re.compile(rf"(?:st|nd|rd|th)?{_SP}+(?:of{_SP}+)?{_MONTH}(?![a-z])", _A)
_QUALIFIER = re.compile(
    rf"(?<![A-Za-z])(?:(?P<dir>{_trie(_DIRECTIONS)})(?:{_SP}+(?:of|by))?"
    rf"|(?P<q>{_trie(_QUALIFIERS).replace(chr(92) + ' ', _SP + '+')})){_SP}+$",
    _AI,
)
_BETWEEN = re.compile(rf"(?<![A-Za-z])between{_SP}+$", _AI)
# "from X to Y" after a change verb is a change, not a range; "ranging from X to Y" is a range.
_FROM = re.compile(rf"(?<![A-Za-z])(?:(rang\w*|var\w*|anywhere){_SP}+)?from{_SP}+(?:[A-Za-z.]+{_SP}+){{0,2}}$", _AI)
_BY = re.compile(rf"(?<![A-Za-z])by{_SP}+$", _AI)
_RANGE_GAP = re.compile(
    rf"(?P<dash>-|{_SP}*[\u2013\u2014]{_SP}*)|{_SP}+(?P<to>to|through){_SP}+|{_SP}+(?P<and>and){_SP}+", _AI
)
_SPACE = re.compile(r"\s")
_PREFIX_ENDINGS = frozenset("($£€¥₹-\u2212\u2013.sp" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


# ---------------------------------------------------------------- public API


def scale_multiplier(scale: str) -> float:
    """Factor a scale name stands for: "thousand" 1e3, "million" 1e6, "billion" 1e9; "", "percent" 1.

    Also accepts plurals and abbreviations ("millions", "m", "bn", "k", "%").
    """
    key = scale.strip()
    return _MULTIPLIERS[_SCALE_ALIASES.get(key, _SCALE_ALIASES.get(key.lower(), ""))]


def extract_quantities(text: str) -> list[Quantity]:
    """Every number `text` mentions, in order, with `text[q.start:q.end] == q.text`."""
    return [
        Quantity(
            value=h.value, text=text[h.start:h.end], start=h.start, end=h.end, scale=h.scale,
            unit=h.unit, kind=h.kind, qualifier=h.qualifier, negative=h.negative, range_with=h.range_with,
        )
        for h in _scan(text)
    ]


def parse_number(s: str) -> float | None:
    """The value of the first number in `s`, as written and without its scale applied.

    "1,234.5" -> 1234.5, "(8.1)" -> -8.1, "Thirty-eight" -> 38, "3.5%" -> 3.5,
    "$36.5 million" -> 36.5; None when `s` holds no number.
    """
    hits = _scan(s)
    if not hits:
        return None
    h = hits[0]
    return h.written if h.written is not None else h.value


def normalize_values(text: str) -> set[float]:
    """Every value `text` mentions, as written and with its scale applied, rounded to 2 decimals.

    Negative figures also contribute their magnitude: "(8.1)" in a table and "a loss
    of 8.1" in an answer are the same figure.
    """
    out: set[float] = set()
    for h in _scan(text):
        mult = _MULTIPLIERS[h.scale]
        for v in (h.value, h.value * mult, h.written):
            if v is not None and math.isfinite(v):
                out.add(round(v, 2))
                out.add(round(abs(v), 2))
    return out


# ---------------------------------------------------------------- scanning


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


def _scan(text: str) -> list[_Hit]:
    """All mentions in order; each starts at or after the end of the previous one."""
    hits: list[_Hit] = []
    floor = 0  # end of the previous mention: context reads never cross it
    for m in _SCAN.finditer(text):
        if m.start() < floor:
            continue  # already inside the previous mention ("5 million": "million")
        found = _HANDLERS[m.lastgroup](text, m, floor)
        for h in found:
            if math.isfinite(h.value):
                hits.append(h)
            floor = max(floor, h.end)
    _link_ranges(text, hits)
    return hits


def _iso_date(text: str, m: re.Match, floor: int) -> list[_Hit]:
    """ "2019-03-31": the year, then month and day as date parts."""
    pieces = m.group().split("-")
    if not (1 <= int(pieces[1]) <= 12 and 1 <= int(pieces[2]) <= 31):
        return _plain_numbers(m)
    parts, pos = [], m.start()
    for i, piece in enumerate(pieces):
        parts.append(_Hit(pos, pos + len(piece), float(piece), raw=piece, kind="year" if i == 0 else "date"))
        pos += len(piece) + 1
    return parts


def _slash_date(text: str, m: re.Match, floor: int) -> list[_Hit]:
    """ "31/03/2019": day and month (in either order) as date parts, then the year."""
    pieces = m.group().split("/")
    if any(int(p) < 1 or int(p) > 31 for p in pieces[:2]):
        return _plain_numbers(m)
    parts, pos = [], m.start()
    for i, piece in enumerate(pieces):
        parts.append(_Hit(pos, pos + len(piece), float(piece), raw=piece, kind="year" if i == 2 else "date"))
        pos += len(piece) + 1
    return parts


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
    # year or a parenthetical remark with spaces ("(14 percent)") is not.
    if (
        opener >= 0
        and text.startswith(")", h.end)
        and h.kind not in ("label", "ordinal")
        and not (_is_year_like(raw) and not cur)
        and not _SPACE.search(text, opener, h.end)
    ):
        h.start, h.end = min(h.start, opener), h.end + 1
        h.value, h.negative = -abs(h.value), True
        if h.kind == "number" and text.startswith("%", h.end):  # "(12.5)%" in a table
            h.kind, h.scale, h.end = "percent", "percent", h.end + 1
    elif opener >= 0 and h.start <= opener:
        h.start = opener + 1

    _classify(text, h, floor)
    return [h]


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
        elif _YARDS.match(text, pos):
            h.unit = "yard"


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
    return len(raw) == 4 and raw.isdigit() and 1900 <= int(raw) <= 2100


_YEAR_LEFT = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|to|of|year|early|late|mid|after|before|around|circa|c\.|between|and|"
    r"during|spring|summer|autumn|fall|winter|AD|BC)\s+|-)$", re.I)


def _is_old_year(text: str, h: _Hit, floor: int) -> bool:
    """A bare 4-digit number from 1000 to 1899 read as a year where the words say so."""
    if not (len(h.raw) == 4 and h.raw.isdigit() and 1000 <= int(h.raw) <= 1899):
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
    top, bottom = m.group().lower().split("-")
    h = _Hit(m.start(), m.end(), _NUMERATORS[top] / _DENOMINATORS[bottom])
    _classify(text, h, floor)
    return [h]


def _dozen(text: str, m: re.Match, floor: int) -> list[_Hit]:
    h = _Hit(m.start(), m.end(), 12.0)
    _classify(text, h, floor)
    return [h]


_HANDLERS = {
    "iso": _iso_date, "slash": _slash_date, "num": _digits, "dozen": _dozen,
    "frac": _fraction, "ord": _ordinal, "words": _words,
}

# ---------------------------------------------------------------- ranges

_MEASURES = {"number", "percent", "money", "points"}


def _link_ranges(text: str, hits: list[_Hit]) -> None:
    """Mark "X to Y", "X-Y", "X–Y" and "between X and Y": X gets range_with=Y."""
    for a, b in zip(hits, hits[1:]):
        if (a.kind == "year" and b.kind == "number" and len(b.raw) == 2 and b.raw.isdigit()
                and text[a.end:b.start] in ("-", "\u2013", "/")):
            _fiscal_pair(a, b)  # "2018-19", "2019/20"
            continue
        gap = _RANGE_GAP.fullmatch(text, a.end, b.start)
        if not gap:
            continue
        if gap.group("and") and not _BETWEEN.search(text, max(0, a.start - 12), a.start):
            continue  # "15 and 17" is two figures, not a range
        if gap.group("to") and a.kind != "year" and _is_change(text, a):
            continue
        both_years = a.kind == b.kind == "year"
        if not both_years and not (a.kind in _MEASURES and b.kind in _MEASURES
                                   and (a.kind == b.kind or "number" in (a.kind, b.kind))):
            continue
        if a.kind == b.kind == "money" and a.unit != b.unit:
            continue
        # "$2 to $3 million": the first figure borrows the scale it leaves unsaid.
        a_scale = a.scale
        if not a_scale and b.scale and a.kind in ("number", "money") and a.value < b.value:
            a_scale = b.scale
        lo = a.value * _MULTIPLIERS[a_scale]
        hi = b.value * _MULTIPLIERS[b.scale]
        if not gap.group("and") and not lo < hi:
            continue  # "24-17" is a score, "from 359 to 166" a change
        a.scale = a_scale
        if a.kind == "number" and b.kind != "number":
            a.kind, a.unit = b.kind, a.unit or b.unit
        elif b.kind == "number" and a.kind != "number":
            b.kind, b.unit = a.kind, b.unit or a.unit
            b.scale = b.scale or ("percent" if a.kind == "percent" else "")
        a.range_with = hi / _MULTIPLIERS[a.scale]


def _is_change(text: str, a: _Hit) -> bool:
    """Whether "X to Y" after `a` reads as a change ("increased $19.7 million to ...")."""
    if a.qualifier in _DIRECTIONS:
        return True
    lo = max(0, a.start - 48)
    if _BY.search(text, lo, a.start):
        return True
    m = _FROM.search(text, lo, a.start)
    return bool(m and not m.group(1))


def _fiscal_pair(a: _Hit, b: _Hit) -> None:
    century = a.value // 100 * 100
    value = century + b.value
    if value <= a.value:
        value += 100
    b.kind, b.written, b.value = "year", b.value, value
    a.range_with = value
