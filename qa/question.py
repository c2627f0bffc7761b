"""Understanding a question: what it asks for (target), under which constraints, and which operation.

General rules only: nothing here knows any particular document.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportqa.bm25 import STOPWORDS, tokenize
from reportqa.years import YEAR_PATTERN

from qa.bands import Band, asked_band, band_phrase
from qa.irregular_forms import lemma_of_form
from qa.periods import asked_sub_period
from qa.question_frame import question_frame


def _synonym_groups() -> list[set[str]]:
    """The paraphrase groups of synonyms.txt beside this module (its header says where they came from)."""
    lines = Path(__file__).with_name("synonyms.txt").read_text(encoding="utf-8").splitlines()
    return [{w.strip() for w in line.split(",") if w.strip()} for line in lines if line.strip() and not line.startswith("#")]


_IRREGULAR = lemma_of_form()

# Paraphrases readers use for the same thing. Each group is matched as one concept.
SYNONYMS: list[set[str]] = _synonym_groups()

_GROUP_OF: dict[str, int] = {}
MEMBERS: dict[str, set[str]] = {}
for _i, _group in enumerate(SYNONYMS):
    for _w in _group:
        for _t in tokenize(_w):
            _GROUP_OF.setdefault(_t, _i)
            MEMBERS.setdefault(f"#{_i}", set()).add(_t)

QUESTION_FRAME = set(tokenize(
    "how many much what which when who whom whose why where was were is are did does do has have had "
    "number amount total figure value according report reports state say said there "
    # operation words: they say what to do with figures, not which figures
    "fewer more less difference change changes increase increased decrease decreased total sum combined "
    "average mean percentage percent ratio proportion share altogether together respectively compared "
    "respective year years period rise rose risen grow grew grown fall fell fallen drop dropped decline declined "
    "factor multiple fold times roughly approximately "
    # light verbs: "take in", "get", "make", "go to" say little of what is counted ("How many survivors got jobs?")
    "take took taken get got gotten make made go goes went gone"
))

_YEAR = re.compile(rf"(?<![\d,.$])({YEAR_PATTERN})(?!\d|,\d)")
_PERCENT_Q = re.compile(r"\b(percent(age)?s?|%|per cent|share|proportion|rate)\b", re.I)
_MONEY_Q = re.compile(r"\b(how much|amount|cost|price|revenue|income|expense|dollars?|\$|£|€|paid|spent|value)\b", re.I)
# "according to the ministry", "as reported by the inspectorate": who says the figure, up to the next clause.
_SOURCE = re.compile(r"\b(?:according to|as reported by|as stated by|reported by)\s+([^,;?]+)", re.I)
# "the Coastal Fishers Union's upper estimate", "the Ministry of Labour's count": a named body's own figure. A
# capitalised name (one or more words, "of" inside) before a possessive 's; sentence-initial
# capitals alone are not names, so the name must not be the question's first word.
_OWNER = re.compile(r"(?<=\s)((?:[A-Z][\w.&-]*\s+(?:of\s+(?:the\s+)?)?)*[A-Z][\w.&-]*)['\u2019]s\b")
_COUNT_Q = re.compile(r"\bhow many\b", re.I)
_MULTIPLE_Q = re.compile(r"\bwhat (?:factor|multiple)\b|\bhow many times\b|\bhow many-?fold\b", re.I)

# "in Kampot province", "across Takeo", "in the Northern Region": a capitalised name after a place
# preposition; years and sources ("according to X") are read apart.
_PLACE = re.compile(r"(?<!^)\b(?:in|across|within|throughout)\s+(?:the\s+)?((?:[A-Z][\w'’-]*\s*){1,3})")

# "what share of X went to / was spent on / came from Y", "what proportion of X were Y": the part is Y.
SHARE_OF = re.compile(r"\bwhat (?:share|percentage|percent|proportion|fraction|part) of (?:the |its |their )?(?P<whole>[^?]+?) "
                      r"(?:(?:went|goes|go|was spent|were spent|is spent|are spent|was paid|came|comes|was used|were used|"
                      r"worked|works|work|lived|lives|live) (?:to|on|from|for|in|by|at) |(?:were|was|are|is) (?!the\b|there\b))"
                      r"(?:the )?(?P<part>[^?]+?)\??$")

TIMES_MORE = r"how many times (?:more|larger|bigger|higher|greater|as (?:many|much|large|high))"

OPERATIONS = [
    ("percent_change", re.compile(r"\b(percent(age)?|%) (change|increase|decrease|growth|decline|drop|rise)\b|\bby what percent", re.I)),
    ("years_between", re.compile(r"\bhow many years\b", re.I)),
    # "How many times more X in 2021 than in 2022" is a ratio; "how many times did X" counts events.
    ("ratio", re.compile(rf"\b{TIMES_MORE}\b|\bby what factor\b|\bwhat multiple\b", re.I)),
    ("average", re.compile(r"\b(average|mean)\b", re.I)),
    ("ratio", re.compile(r"\b(ratio|proportion|what (percent(age)?|share|fraction) of|as an? (percent(age)?|share|fraction|proportion) of|(percent(age)?|share|fraction) of .+ (out of|in|of) (the )?total)\b", re.I)),
    ("difference", re.compile(r"\b(difference|how far apart|gap between|how many (more|fewer|less)|how much (more|less|higher|lower)|change (in|from|between)|(increase|decrease|decline|drop|rise)d?( ?/ ?\(?(increase|decrease)\)?)? (in|from|between)|by how (many|much)\b(?!.*\bpercent(?!age points?|\s+points?)))\b", re.I)),
    ("sum", re.compile(r"\b(sum|combined|together|altogether|in all|in total)\b", re.I)),
    ("superlative", re.compile(r"\b(longest|shortest|largest|smallest|highest|lowest|biggest|most|least|first|last|final)\b", re.I)),
]

_AVERAGE = next(p for n, p in OPERATIONS if n == "average")
_DIFFERENCE = next(p for n, p in OPERATIONS if n == "difference")


@dataclass
class Question:
    text: str
    tokens: list[str]
    terms: list[str]                 # content terms (stemmed), the target and constraints
    years: list[int] = field(default_factory=list)
    wants_year: bool = False
    wants_percent: bool = False
    wants_money: bool = False
    wants_count: bool = False
    wants_number: bool = False
    operation: str = "figure"        # figure, difference, sum, average, ratio, percent_change, years_between, superlative, count
    respectively: bool = False
    target: list[str] = field(default_factory=list)  # concepts of what is counted or measured
    predicate: list[str] = field(default_factory=list)  # what is said of it ("were sent to court")
    listed_years: bool = False
    wants_years_list: bool = False
    compare_years: bool = False
    wants_multiple: bool = False     # "by what factor", "how many times": a figure in "-fold"
    sub_period: set[str] | None = None  # the quarters or months it names ({"q3"}, {"feb"})
    source: list[str] = field(default_factory=list)  # concepts of the source it names ("according to the ministry")
    band: Band | None = None  # the band of a group it asks about ("under 18", "minors")
    band_in_numbers: bool = False  # said in numbers ("under 18"), not by a group word ("minors")
    band_terms: set[str] = field(default_factory=set)  # concepts of the words saying the band ("younger", "16")
    acronyms: dict[str, str] = field(default_factory=dict)  # concept -> letters ("ngos" -> "ngo")
    names: set[str] = field(default_factory=set)  # concepts of the capitalised words after its first ("Riverlight")
    places: list[str] = field(default_factory=list)  # concepts of the place it names ("in Kampot province" -> kampot)

    @property
    def concepts(self) -> list[str]:
        return list(dict.fromkeys(concept_of(t) for t in self.terms))


def concept_of(token: str) -> str:
    """What a (stemmed) token means for matching: its lemma when it is an irregular form
    ("found" -> find), then its paraphrase group when it has one ("freed" -> the group of rescued)."""
    token = _IRREGULAR.get(token, token)
    g = _GROUP_OF.get(token)
    return f"#{g}" if g is not None else token


def _is_year_token(token: str, years: list[int]) -> bool:
    """Whether a digit token is one of the question's years (huge digit runs are not)."""
    try:
        value = float(token)
    except (ValueError, OverflowError):
        return False
    return math.isfinite(value) and value.is_integer() and int(value) in years


@lru_cache(maxsize=2048)
def parse_question(text: str) -> Question:
    """Target terms, years, expected kind of number and operation of a question."""
    low = text.lower()
    try:
        from text_to_num import alpha2digit

        digits = alpha2digit(text, "en")  # "the ten suspects" matches "10 suspects"
    except Exception:  # text2num rejects some inputs; the words stay words
        digits = text
    tokens = tokenize(digits)
    years = [int(y) for y in _YEAR.findall(text)]
    terms = [t for t in tokens if t not in QUESTION_FRAME and not t[0].isdigit()]
    # Numbers in the question that are not years are constraints too ("under 15").
    terms += [t for t in tokens if t[0].isdigit() and not _is_year_token(t, years)]
    wants_year = bool(re.search(r"\b(which|what) (year|years)\b|\bin which year|^\s*when\b|\bwhat year\b", low))
    q = Question(
        text=text, tokens=tokens, terms=terms, years=years, wants_year=wants_year,
        wants_percent=bool(_PERCENT_Q.search(low)),
        wants_money=bool(_MONEY_Q.search(low)) and not _COUNT_Q.search(low),
        wants_count=bool(_COUNT_Q.search(low)),
        respectively="respectively" in low,
        wants_multiple=bool(_MULTIPLE_Q.search(low)),
        sub_period=asked_sub_period(text),
        band=(asked := asked_band(text)) and asked[0],
        band_in_numbers=bool(asked and asked[1]),
        band_terms={concept_of(t) for t in tokenize(band_phrase(text))},
        acronyms=acronyms_in(text),
        names={concept_of(t) for w in re.findall(r"(?<=\s)[A-Z][\w'’-]*", text) for t in tokenize(w)},
        places=[concept_of(t) for m in _PLACE.finditer(text) for t in tokenize(m.group(1))],
    )
    m = re.search(r"\bhow (?:many|much)\s+((?:[\w'-]+\s+){0,4}?)(?:\b(?:were|was|did|do|does|are|is|have|has|had|in|of|from|among|during|by|for|at|with|to)\b|\?|$)", low)
    if m is None:
        m = re.search(r"\bwhat (?:was|were|is|are) (?:the )?((?:[\w'-]+\s+){0,5}?)(?:\b(?:in|of|for|at|during|from|as)\b|\?|$)", low)
    if m:
        q.target = [concept_of(t) for t in tokenize(m.group(1)) if not t[0].isdigit() and t not in QUESTION_FRAME]
    parsed = question_frame(text, is_frame_word) if not q.target else None
    if parsed is not None:
        # The parse reads the forms the patterns miss ("what share of X", "by what percent did X
        # fall", "how much of X", a long "how many" phrase). Only then: where both read a target
        # they gave the same answers on every dev set, and a parse costs about 3 ms.
        q.target = [concept_of(t) for t in tokenize(" ".join(parsed.target)) if not t[0].isdigit() and t not in QUESTION_FRAME]
    m = re.search(r"\bhow (?:many|much)\b.*?\b(?:were|was|are|is)\s+(.*)$", low)
    q.predicate = [concept_of(t) for t in tokenize(m.group(1)) if not t[0].isdigit()] if m else []
    part_of = re.search(r"\bhow many of (?:the |these |those |all )?.+? (?:were|was|are|is) (.+?)\??$", low)
    if part_of:
        # "How many of the rescued players were children?": children are counted, players are the whole.
        q.target = [concept_of(t) for t in tokenize(part_of.group(1)) if not t[0].isdigit() and t not in QUESTION_FRAME]
    share_to = SHARE_OF.search(low)
    if share_to:
        # "What share of spending went to direct services?": the share is said of direct services;
        # spending is the whole it is a share of ("took 78% of that amount").
        q.target = [concept_of(t) for t in tokenize(share_to.group("part")) if not t[0].isdigit() and t not in QUESTION_FRAME]
    said_by = _SOURCE.search(text) or _OWNER.search(text)
    if said_by:
        q.source = [concept_of(t) for t in tokenize(said_by.group(1)) if not t[0].isdigit() and t not in QUESTION_FRAME]
    for name, pattern in OPERATIONS:
        if pattern.search(low):
            q.operation = name
            break
    if q.operation == "average":
        # The operation named first governs: "the change in the average price" is a change of
        # an average the report states, "the average change in X" an average of changes.
        mean, change = _AVERAGE.search(low), _DIFFERENCE.search(low)
        if change is not None and change.start() < mean.start():
            q.operation = "difference"
    if q.operation == "figure" and re.search(r"\btotal\b", low) and len(set(years)) >= 2:
        q.operation = "sum"
    if q.operation == "superlative" and not re.search(r"\bhow (many|much|long|far)\b", low):
        q.operation = "figure"
    q.wants_number = q.wants_count or q.wants_money or q.wants_percent or q.wants_year or bool(
        re.search(r"\b(what|how)\b", low)
    )
    q.listed_years = bool(re.search(rf"{YEAR_PATTERN}\s*(,|and|&|or)\s*(?:in\s+|for\s+)?(fiscal\s+|fy\s*)?{YEAR_PATTERN}", low))
    q.wants_years_list = bool(re.search(r"\b(which|what) years\b", low))
    q.compare_years = q.wants_year and bool(re.search(r"\b(larger|largest|higher|highest|more|most|greater|greatest|bigger|biggest|smaller|smallest|lower|lowest|less|least|fewer|fewest|negative|positive)\b", low))
    if q.compare_years:
        q.operation = "which_year"
    return q


def is_frame_word(word: str) -> bool:
    """Whether a word says what to do with figures or which kind they are, not which figures."""
    tokens = tokenize(word)
    return bool(tokens) and all(t in QUESTION_FRAME for t in tokens)


def is_content(token: str) -> bool:
    return token not in STOPWORDS and token not in QUESTION_FRAME


# A question asking by how much something fell wants the size of the fall ("fell by 53.76 %"),
# a positive number; "what was the change" keeps the sign.
_FALL_WORDS = ("fall|fell|fallen|drop|dropped|decline|declined|decrease|decreased|shrink|shrank|"
               "reduce|reduced|reduction|lose|lost|fewer|less|lower")
_RISE_WORDS = "rise|rose|risen|increase|increased|grow|grew|grown|growth|gain|gained"
_FALL = re.compile(rf"\b({_FALL_WORDS})\b", re.I)
_SIGNED = re.compile(r"\b(change|changed|difference)\b", re.I)
# A question that names both directions ("the increase / (decrease)") asks for the signed change.
_RISE = re.compile(rf"\b({_RISE_WORDS})\b", re.I)
# The direction a stated change is said to go, read from the words right around it ("up from").
_UP_WORDS = re.compile(rf"\b({_RISE_WORDS}|rises|increases|up|higher|more|climbed|jumped|improved)\b", re.I)
_DOWN_WORDS = re.compile(rf"\b({_FALL_WORDS}|falls|decreases|down)\b", re.I)


_ACRONYM = re.compile(r"\b([A-Z]{2,6})s?\b")


def acronyms_in(text: str) -> dict[str, str]:
    """Initialisms a text writes ("NGOs", "MLVT"): each token's concept -> its letters, lower-cased."""
    out = {}
    for m in _ACRONYM.finditer(text):
        toks = tokenize(m.group(0))
        if toks:
            out[concept_of(toks[0])] = m.group(1).lower()
    return out


def spells(letters: str, tokens: list[str]) -> bool:
    """Whether consecutive tokens start with `letters` in order ("non government organis" -> "ngo")."""
    n = len(letters)
    heads = [t[0] for t in tokens if t and not t[0].isdigit()]
    return n >= 2 and any("".join(heads[i:i + n]) == letters for i in range(len(heads) - n + 1))


def direction_of(text: str) -> int:
    """+1 when `text` says something rose, -1 when it fell, 0 when it names neither or both."""
    up, down = bool(_UP_WORDS.search(text)), bool(_DOWN_WORDS.search(text))
    return 0 if up == down else (1 if up else -1)


def asked_direction(q: Question) -> int:
    """The direction a change question names ("by how much did X fall": -1), 0 for none or both."""
    return 0 if _SIGNED.search(q.text) else direction_of(q.text)


_GAP = re.compile(r"\b(difference|gap|apart)\b", re.I)
# Words of a change or a one-sided comparison; not "lower" or "higher", which name the things
# compared as often ("the lower estimate and the upper one").
_CHANGE = re.compile(rf"\b(change|changed|changes|than|{_RISE_WORDS}|fall|fell|fallen|drop|dropped|"
                     r"decline|declined|decrease|decreased)\b", re.I)


def is_gap(text: str) -> bool:
    """Whether a question asks how far apart two things are ("the difference between A and B")
    rather than how one changed into the other: the answer is then the larger less the smaller."""
    return bool(_GAP.search(text)) and not _CHANGE.search(text)


def asks_size_of_fall(q: Question) -> bool:
    """Whether the question asks by how much a measure fell (the answer is then positive)."""
    return bool(_FALL.search(q.text)) and not _SIGNED.search(q.text) and not _RISE.search(q.text)
