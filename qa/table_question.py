"""What a question asks of a table: the operation (from its words, listed as data in
table_words.toml), the periods (years, year ranges) and a count's threshold.

The words of the row header the question names are set aside first, so a row called
"Weighted average shares" or "Total revenue" does not turn a lookup into an average or a sum.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportqa.bm25 import tokenize

from qa.question import Question
from qa.tables import years_in

_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|–|to|through|until)\s*((?:19|20)\d\d)\b", re.I)
_SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


@lru_cache(maxsize=1)
def words() -> dict[str, dict[str, set[str]]]:
    """The word lists of table_words.toml, stemmed like the text they are matched against."""
    data = tomllib.loads(Path(__file__).with_name("table_words.toml").read_text())
    out: dict[str, dict[str, set[str]]] = {}
    for section, lists in data.items():
        out[section] = {}
        for key, items in lists.items():
            # [compare] and [threshold] are matched as stems; [operations] as written (phrases).
            out[section][key] = set(items) if section == "operations" else {t for w in items for t in tokenize(w)}
    return out


def _has(text: str, cues: set[str]) -> bool:
    return any(re.search(r"(?<![\w])" + re.escape(c) + r"(?![\w])", text) for c in cues)


def _without(text: str, label: str) -> str:
    """The question with the words of a row header blanked out."""
    own = set(tokenize(label))
    return re.sub(r"[\w'-]+", lambda m: " " if tokenize(m.group(0)) and tokenize(m.group(0))[0] in own else m.group(0),
                  text)


@dataclass
class TableQuestion:
    operation: str                   # figure, difference, percent_change, average, sum, ratio
    percent: bool = False            # the answer is asked for in percent
    years: list[int] = field(default_factory=list)
    later_first: bool = True         # for a change: the years as [later, earlier]


def read_table_question(q: Question, row_label: str = "") -> TableQuestion:
    """The operation and periods of a table question, the row header's own words set aside."""
    w = words()["operations"]
    # A row of percentages ("% of pre-tax loss") is named by its "%": that names the row, not a
    # percentage change.
    low = _without(q.text.lower().replace("%", " percent "), row_label.replace("%", " percent "))
    percent = _has(low, w["percent"])
    two_years = len(years_in(q.text)) >= 2
    if _has(low, w["change"]) and percent:
        op = "percent_change"
    elif _has(low, w["share"]) or (percent and re.search(r"\b(?:of|in|among)\b", low) and not _has(low, w["average"])):
        op = "ratio"
    elif _has(low, w["change"]) or (two_years and _has(low, w["comparative"]) and " than " in low):
        op = "difference"
    elif _has(low, w["average"]):
        op = "average"
    elif _has(low, w["sum"]) and len(years_in(q.text)) != 1:
        op = "sum"
    else:
        op = "figure"
    return TableQuestion(operation=op, percent=percent, years=question_years(q, op))


def question_years(q: Question, op: str) -> list[int]:
    """The years asked, in the question's order; a range ("2017 to 2019") is every year in it
    for an average or a sum, and its two ends for a change."""
    years = years_in(q.text)
    if op in ("average", "sum"):
        for m in _RANGE.finditer(q.text):
            a, b = sorted((int(m.group(1)), int(m.group(2))))
            if b - a <= 20:
                years = list(dict.fromkeys(years + list(range(a, b + 1))))
    return years


def change_order(q: Question, years: list[int]) -> list[int]:
    """The two years of a change, minuend first. A comparison says its order ("more in 2022 than
    in 2020" is 2022 − 2020, "fewer in 2020 than in 2022" is 2022 − 2020); a change over time runs
    from the earlier year to the later whichever is named first ("from 2019 to 2018", "between
    2019 and 2018" are both 2019 − 2018), as reports state changes."""
    a, b = years[0], years[1]
    low = q.text.lower()
    if " than " in low:
        w = words()["operations"]
        return [b, a] if _has(low, w["comparative_less"]) else [a, b]
    return [max(a, b), min(a, b)]


def threshold(q: Question, scale: str) -> float | None:
    """The number a count question compares with ("exceed $50,000 thousand"), in the table's scale."""
    text = re.sub(r"\b(?:19|20)\d\d\b", " ", q.text)
    m = re.search(r"(-?\d[\d,]*(?:\.\d+)?)\s*(%|thousands?|millions?|billions?)?", text)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    word = (m.group(2) or "").lower().rstrip("s")
    if word in _SCALE_WORDS and scale in _SCALE_WORDS:
        value = value * _SCALE_WORDS[word] / _SCALE_WORDS[scale]
    return value
