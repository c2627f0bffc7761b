"""Vocabularies and compiled patterns of the quantity scanner (English report prose).

The word lists are general English number, currency, scale and qualifier vocabulary, and
the names of common document labels ("Section 5", "IFRS 16"); none names a report's words.
"""

from __future__ import annotations

import re

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
        |(?P<frac>(?:{_trie(_NUMERATORS)})-(?:{_trie(_DENOMINATORS)})(?![A-Za-z])
            |(?:{_trie(_NUMERATORS)}|an?){_SP}+(?:{_trie(_DENOMINATORS)}){_SP}+(?=of(?![A-Za-z])(?!{_SP}+(?:19|20)[0-9]{{2}}(?![0-9]))))
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

def _load_units() -> frozenset[str]:
    from pathlib import Path

    path = Path(__file__).with_name("data") / "units.txt"
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#"))


UNIT_NOUNS = _load_units()
# A unit noun written after a number ("49 yards", "3 hours"): the number measures in it.
_UNIT_AFTER = re.compile(rf"{_SP}+({_alt(sorted(UNIT_NOUNS | {u + 's' for u in UNIT_NOUNS}))})(?![A-Za-z])", _AI)
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
