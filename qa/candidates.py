"""Candidate figures: every quantity in the retrieved sentences, with what surrounds it.

For each number we record the words right after it (what is counted: "358 victims"),
the words before it, the year it belongs to (nearest year, "respectively" lists,
"(2018: £12.4m)" prior-period notes, table column headers) and whether it is a change
("increased $19.7 million") rather than a level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportqa.bm25 import tokenize
from reportqa.models import Frame, Quantity, Sentence, split_row
from reportqa.years import YEAR_PATTERN

from reportqa.quantities import extract_quantities

_YEAR = re.compile(rf"(?<![\d,.$£€])(?:FY|fiscal |fiscal year )?'?({YEAR_PATTERN})(?!\d|,\d|\.\d)", re.I)
_BOUNDARY = re.compile(r"[;:()\[\]]|,\s|\s[-–—]\s|\band\b|\bwhile\b|\bwhereas\b|\bcompared\b|\bversus\b")
_CHANGE_BEFORE = re.compile(
    r"\b(increased|decreased|rose|fell|grew|declined|dropped|climbed|jumped|improved|up|down|by|increase of|"
    r"decrease of|change of|growth of|decline of|reduction of|higher|lower)\s*(?:by\s*)?(?:approximately\s*|about\s*)?$",
    re.I,
)
_CHANGE_AFTER = re.compile(r"^\s*(?:million|billion|thousand|m|bn|%|percent)?\s*(increase|decrease|higher|lower|more|less|rise|decline|drop|reduction|change|improvement)\b", re.I)
_SCALE_WORD = {"thousands": "thousand", "millions": "million", "billions": "billion"}
EXCLUDED_KINDS = {"date", "ordinal", "label"}
_VERB_NEXT = re.compile(r"\s+(were|was|are|is|had|have|has|went|came|remained|received)\b", re.I)
_PERIOD_WORDS = set(tokenize("in for during fiscal year years ended ending end the of at as were was respectively "
                             "compared with to from million billion thousand percent"))


@dataclass
class Candidate:
    quantity: Quantity
    sentence: Sentence
    rank: int
    retrieval: float
    after: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    sentence_terms: set[str] = field(default_factory=set)
    year: int | None = None
    is_change: bool = False
    scale: str = ""
    score: float = 0.0
    match: float = 0.0
    sentence_quantities: list[Quantity] = field(default_factory=list)  # every figure of the sentence
    features: dict[str, float] = field(default_factory=dict)  # what the score is the weighted sum of
    frame: Frame | None = None  # what the parse at ingest says the figure measures (prose only)
    heading: str = ""  # the dated heading it sits under, when its own sentence names no year
    whole: list[str] = field(default_factory=list)  # what the figure before counts, when this one counts within it ("Of these, 52 …")

    @property
    def value(self) -> float:
        return self.quantity.value

    @property
    def mention(self) -> str:
        return self.quantity.text


def years_in(text: str) -> list[tuple[int, int, int]]:
    """(year, start, end) of every year a text mentions."""
    return [(int(m.group(1)), m.start(), m.end()) for m in _YEAR.finditer(text)]


def _window_tokens(text: str, start: int, end: int, forward: bool, limit: int = 6,
                   next_start: int | None = None) -> list[str]:
    """Tokens between the number and the next clause boundary (or the previous one)."""
    if forward:
        segment = text[end:min(end + 80, next_start if next_start is not None else len(text))]
        if (re.match(r"\s*\)", segment) and "(" in text[max(0, start - 3):start]) or text[start:end].startswith("(") and text[start:end].endswith(")"):
            return []  # "(32 percent), followed by ...": a bracketed figure's words are before it
        m = _BOUNDARY.search(segment)
        if m and m.start() > 0:
            segment = segment[: m.start()]
        # Stop at the next number: its words belong to it.
        n = re.search(r"\d", segment)
        if n:
            segment = segment[: n.start()]
        return tokenize(segment)[:limit]
    segment = text[max(0, start - 80):start]
    opened = re.search(r"\(\s*(?:[$£€]\s*)?$", segment)
    if opened and opened.start() > 0:
        # "child pornography (32 percent)": a bracketed figure measures the phrase before it.
        segment = segment[:opened.start()]
    cut = None
    for m in _BOUNDARY.finditer(segment):
        cut = m.end()
    if cut is not None:
        segment = segment[cut:]
    n = None
    for n in re.finditer(r"\d[\d,.]*%?", segment):
        pass
    if n is not None:
        segment = segment[n.end():]
    return tokenize(segment)[-limit:]


_CLAUSE_BREAK = re.compile(r"[;:()$£€%]|\b(compared|versus|while|whereas|than|and|from|but|or)\b|\d{3,}", re.I)


# A dateline or lead-in ("WASHINGTON, D.C. — In fiscal year 2015, ...") ends where the clause starts.
_LEAD_IN = re.compile(r"[—–:;]|\s-\s")
_OPENING_YEAR = re.compile(r"^\W*(?:in|during|for|by|as of|at|throughout)?\s*(?:the\s+)?(?:fiscal\s+(?:year\s+)?|FY\s*|calendar\s+)?'?" + YEAR_PATTERN + "$", re.I)


def _leads_to_year(between: str) -> bool:
    """Whether the words between a figure and a later year tie them ("... for the fiscal year ended 2018")."""
    if len(between) > 60 or _CLAUSE_BREAK.search(between):
        return False
    return len(between.split()) <= 7 and (not re.search(r",", between) or re.search(r"\d{1,2},\s*$", between))


_FISCAL = r"(?:(?:fiscal\s+)?(?:year\s+)?|FY\s*)"
# "from 2000 to 2015" / "between 2012 and 2022": a span of two periods.
_YEAR_SPAN = re.compile(rf"\b(?:from|between)\s+{_FISCAL}({YEAR_PATTERN})\s+(?:to|and|through|until)\s+{_FISCAL}({YEAR_PATTERN})\b", re.I)
_VALUE_SPAN_GAP = re.compile(r"^\s*(?:[A-Za-z]+\s+){0,2}?(?:to|and|through)\s+(?:[$£€]\s*)?$", re.I)


def _parallel_spans(text: str, quantities: list[Quantity], values: list[int]) -> dict[int, int]:
    """'... from 2000 to 2015, from 132 to 759': the two figures of a span take the two years
    of the period span in the same sentence, in order."""
    spans = [(int(m.group(1)), int(m.group(2))) for m in _YEAR_SPAN.finditer(text)]
    if len(spans) != 1:
        return {}
    out: dict[int, int] = {}
    for i, j in zip(values, values[1:]):
        a, b = quantities[i], quantities[j]
        if a.kind != b.kind or not re.search(r"\b(?:from|between)\s+(?:[$£€]\s*)?$", text[max(0, a.start - 12):a.start], re.I):
            continue
        if _VALUE_SPAN_GAP.match(text[a.end:b.start]) and not _YEAR.match(text[b.end:].lstrip(" ,in")):
            out[i], out[j] = spans[0]
    return out


def _assign_years(text: str, quantities: list[Quantity]) -> dict[int, int]:
    """Index of each value quantity -> the year it belongs to, by general reading rules."""
    years = years_in(text)
    if not years:
        return {}
    values = [i for i, q in enumerate(quantities) if q.kind not in ("year", "date", "ordinal", "label")]
    out: dict[int, int] = _parallel_spans(text, quantities, values)
    # "(2018: £56.5m)" — a prior-period figure inside parentheses.
    for i in values:
        q = quantities[i]
        if i in out:
            continue
        m = re.search(rf"\(\s*(?:FY\s*)?({YEAR_PATTERN})\s*[:=,]?\s*[^()\d]{{0,6}}$", text[max(0, q.start - 20):q.start])
        if m:
            out[i] = int(m.group(1))
    # "... $510 million, $487 million and $442 million in 2019, 2018 and 2017, respectively"
    if "respectively" in text.lower():
        year_list = [y for y, _, _ in years]
        pool = [i for i in values if i not in out]
        for kind in ("money", "percent", "number", "points"):
            group = [i for i in pool if quantities[i].kind == kind]
            if len(group) == len(year_list) and len(group) >= 2:
                for i, y in zip(group, year_list):
                    out[i] = y
                break
            if len(group) == 2 * len(year_list) and len(year_list) >= 2:
                for k, i in enumerate(group):
                    out[i] = year_list[k % len(year_list)]
                break
    # Otherwise: a year right after the figure ("$5.2 million in 2019") is its year; if none,
    # the most recent year before it governs ("In 2022, ... 166 cases"); else the next one.
    # The year of a prior-period note ("US$261,518 (2018: US$283,752)") is that note's only.
    notes = {ys for y, ys, _ in years if re.search(r"\(\s*(?:FY\s*)?$", text[max(0, ys - 6):ys])
             and re.match(r"\s*[:=]", text[ys + 4:])}
    years = [y for y in years if y[1] not in notes]
    for i in values:
        if i in out:
            continue
        q = quantities[i]
        follow = [y for y, ys, _ in years if ys >= q.end and _leads_to_year(text[q.end:ys])]
        # A year governs the figures of its own clause; a sentence-opening "In 2022," governs all.
        before = [y for y, ys, ye in years if ye <= q.start
                  and (not re.search(r",\s|;", text[ye:q.start]) or _OPENING_YEAR.match(_LEAD_IN.split(text[:ye])[-1]))]
        after = [y for y, ys, _ in years if ys >= q.end]
        only = {y for y, _, _ in years}
        # One year in the sentence governs all its figures ("Of the 1,200 crew in fiscal 2019, 300 ...").
        out[i] = follow[0] if follow else before[-1] if before else next(iter(only)) if len(only) == 1 \
            else after[0] if after else None
    # "420 beds at the end of 2021, up from 380 a year earlier": a period said relative to the
    # figure before's is that period moved back.
    for k, i in enumerate(values):
        back = relative_years(text, quantities[i].end)
        earlier = [out.get(j) for j in values[:k] if out.get(j) is not None]
        if back and earlier:
            out[i] = earlier[-1] - back
    return out


_RELATIVE = re.compile(r"^\s*(?:[a-z]+\s+){0,2}?(?P<n>a|one|two|three|1|2|3)\s+years?\s+(?:earlier|before|ago|previously)\b"
                       r"|^\s*(?:[a-z]+\s+){0,2}?(?:in\s+)?the\s+(?:previous|prior|preceding)\s+year\b"
                       r"|^\s*(?:[a-z]+\s+){0,2}?(?:in\s+)?the\s+year\s+before\b", re.I)
_BACK = {"a": 1, "one": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3}


def relative_years(text: str, end: int) -> int:
    """How many years back the words right after a figure put it ("380 a year earlier": 1), or 0."""
    m = _RELATIVE.match(text[end:end + 40])
    if m is None:
        return 0
    return _BACK[m.group("n").lower()] if m.group("n") else 1


def period_words(c: "Candidate") -> str:
    """How a figure's sentence says its year: the year itself, or the words that put it a year
    back ("a year earlier"), so an answer never shows a year its citation does not write."""
    if c.year is not None and str(c.year) in c.sentence.search_text:
        return str(c.year)
    m = _RELATIVE.match(c.sentence.text[c.quantity.end:c.quantity.end + 40])
    return m.group(0).strip() if m else str(c.year)


# "The number of persons prosecuted ... increased from 729 in 2011 to 1,343 in 2020": the
# figures of the clause have no noun of their own; what they measure is the sentence subject.
_SUBJECT = re.compile(
    r"^\W*(?:the\s+)?(?:annual\s+|total\s+|overall\s+)?(?:number|total|count|amount|share|percentage|proportion|rate|value|level)"
    r"\s+of\s+(?P<measure>[^,;:()\d]{3,100}?)\s+(?:has\s+|have\s+|had\s+)?(?:(?:more|less)\s+than\s+|nearly\s+|almost\s+|roughly\s+|about\s+)?"
    r"(?:increased|decreased|rose|fell|grew|declined|dropped|climbed|jumped|doubled|tripled|quadrupled|halved|\w+fold|"
    r"went|was|were|is|are|reached|totaled|totalled|stood|remained)\b", re.I)


# "<what is measured> was $69.8 million": a figure right after the sentence's verb measures its subject.
_COPULA_SUBJECT = re.compile(
    r"^\W*(?P<measure>[A-Za-z][^;:()\d]{2,140}?)\s+(?:was|were|is|are|totaled|totalled|amounted to|reached|stood at)"
    r"\s+(?:approximately\s+|about\s+|nearly\s+|over\s+|almost\s+)?(?:[A-Z]{0,3}[$£€]\s*)?$")


def _content(terms: list[str]) -> list[str]:
    return [t for t in terms if t not in _PERIOD_WORDS and not t[0].isdigit()]


def _table_candidates(s: Sentence, rank: int, retrieval: float) -> list[Candidate]:
    """Cells of a table row: the year and scale come from the column header and caption."""
    cells = split_row(s.text)
    header = s.table_header or []
    caption_scale = ""
    scale_src = " ".join([s.caption or ""] + header).lower()
    m = re.search(r"in (thousands|millions|billions)", scale_src)
    if m:
        caption_scale = _SCALE_WORD[m.group(1)]
    label_terms = tokenize(cells[0]) if cells else []
    # A row labelled by a year ("| 2005 | 194 | 58 |") states that year's figures.
    label_years = years_in(cells[0]) if cells else []
    row_year = label_years[0][0] if label_years and len(cells[0].strip()) <= 12 else None
    out = []
    offset = 1 if s.text.lstrip().startswith("|") else 0
    pos = s.text.find("|") + 1 if offset else 0
    for i, cell in enumerate(cells):
        cell_start = pos
        pos += len(cell) + 1
        if i == 0:
            continue
        head = header[i] if i < len(header) else ""
        ys = years_in(head)
        for q in extract_quantities(cell):
            if q.kind in EXCLUDED_KINDS or q.kind == "year":
                continue
            q = q.model_copy(update={"start": q.start + cell_start, "end": q.end + cell_start})
            scale = q.scale or ("percent" if "%" in head else caption_scale)
            c = Candidate(
                quantity=q, sentence=s, rank=rank, retrieval=retrieval,
                after=label_terms + tokenize(head), before=label_terms,
                sentence_terms=set(tokenize(s.search_text)), year=ys[0][0] if ys else row_year, scale=scale,
            )
            out.append(c)
    return out


def sentence_candidates(s: Sentence, rank: int, retrieval: float) -> list[Candidate]:
    """Every figure a sentence states, with its surroundings."""
    if s.kind == "table_row" and s.table_header:
        return _table_candidates(s, rank, retrieval)
    text = s.text
    quantities = extract_quantities(text)
    years = _assign_years(text, quantities)
    terms = set(tokenize(text))
    out = []
    starts = [q.start for q in quantities]
    m = _SUBJECT.match(text)
    subject = tokenize(m.group("measure")) if m else []
    frames = {(f.start, f.end): f for f in s.frames}
    for i, q in enumerate(quantities):
        if q.kind in EXCLUDED_KINDS:
            continue
        if q.negative and q.kind == "number" and q.text.startswith("(") and q.text.endswith(")"):
            # Brackets mean a negative in a statement's table; in prose "(72)" is a count in passing.
            q = q.model_copy(update={"value": abs(q.value), "negative": False})
        before_text = text[max(0, q.start - 40):q.start]
        c = Candidate(
            quantity=q, sentence=s, rank=rank, retrieval=retrieval,
            after=_window_tokens(text, q.start, q.end, True, next_start=starts[i + 1] if i + 1 < len(starts) else None),
            before=_window_tokens(text, q.start, q.end, False),
            sentence_terms=terms,
            year=q.value if q.kind == "year" else years.get(i),
            is_change=bool(_CHANGE_BEFORE.search(before_text) or _CHANGE_AFTER.search(text[q.end:q.end + 30])
                           or q.qualifier in ("increased", "decreased", "increase", "decrease")),
            scale=q.scale, sentence_quantities=quantities, frame=frames.get((q.start, q.end)),
        )
        # "308,000 awards for 2019 and 113,000 for 2018": a bare figure shares the noun of the
        # figure before it.
        copula = _COPULA_SUBJECT.match(text[:q.start])
        if copula and len(tokenize(copula.group("measure"))) > len(_content(c.before)):
            c.before = tokenize(copula.group("measure"))  # "Total compensation expense related to RSUs was $69.8 million"
        elif subject and m.end() <= q.start and not _content(c.before):
            c.before = list(subject)
            if not _content(c.after):
                c.after = list(subject)
        prev = next((o for o in reversed(out) if o.quantity.kind == c.quantity.kind), None)
        if prev is not None and not prev.after and _VALUE_SPAN_GAP.match(text[prev.quantity.end:q.start]):
            prev.after = list(c.after)  # "from 805 to 1,656 persons": 805 counts persons too
        if prev is not None and prev.after:
            named_before = re.search(r"\b(?:of|at)\s+(?:[A-Z]{0,3}[$£€]\s*)?$", text[max(0, q.start - 12):q.start])
            if not _content(c.after) and (not named_before or q.start - prev.quantity.end <= 40):
                # "losses of $6.4 million", far after another figure, names its own measure.
                c.after = list(prev.after)
            elif _VERB_NEXT.match(text[q.end:]) and not _VERB_NEXT.match(text[prev.quantity.end:]):
                # "124 victims were under 15, 31 were between 15 and 17": 31 counts victims too;
                # after "91% were male", "58% were white" shares nothing (male is said of 91%).
                c.after = prev.after[:2] + c.after
        out.append(c)
    return out
