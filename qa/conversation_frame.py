"""The frame of a question as the conversation sees it: measure, group, period, documents,
operation, and the signals that it leans on an earlier question.

Everything the conversation needs from the engine's question parser goes through
`engine_reading` below, so a change of `qa.question` touches this one function.
The closed-class words (openers, pronouns, relative periods, operation words) are
data in conversation_words.json.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportqa.bm25 import tokenize

WORDS = json.loads(Path(__file__).with_name("conversation_words.json").read_text(encoding="utf-8"))

_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
_YEAR = re.compile(r"(?<![\d,.$])(19[5-9]\d|20\d\d)(?!\d|,\d)")
_OPENER = re.compile(
    r"^\s*(?:" + "|".join(sorted((re.escape(w) for w in WORDS["openers"]), key=len, reverse=True)) + r")\b[\s,]*",
    re.I)
_RELATIVE = [(re.compile(r["pattern"], re.I), r["sign"]) for r in WORDS["relative_years"]]
_OPERATIONS = [(o["operation"], re.compile(o["pattern"], re.I)) for o in WORDS["operations"]]
_PRONOUNS = set(WORDS["pronouns"])
_DEMONSTRATIVES = set(WORDS["demonstratives"])
_DEMO_BEFORE = set(WORDS["demonstrative_before"])
_REFERENT = set(WORDS["referent_nouns"])
_DOC_NOUNS = sorted(WORDS["document_nouns"], key=len, reverse=True)
_DOC_PREPS = sorted(WORDS["document_preps"], key=len, reverse=True)
_DOC_REF = re.compile(
    r"[\s,]*\b(?:" + "|".join(re.escape(p) for p in _DOC_PREPS) + r")\s+(?:the\s+)?"
    r"(?P<phrase>(?:[\w'’.-]+\s+){0,4}?(?:" + "|".join(re.escape(n) for n in _DOC_NOUNS) + r"))\b"
    r"(?:\s+(?:of|for|on)\s+(?P<tail>(?:[\w'’-]+\s*){1,3}?))?(?=[\s?.!,;]|$)",
    re.I)
_COMPARATIVE = re.compile(r"\bhow (?:many|much)\s+(?:more|fewer|less|higher|lower|bigger|smaller)\b", re.I)
# Why an earlier figure is not carried over when the thread's documents filter excludes it.
OUTSIDE = "it came from a document outside the documents chosen for this conversation"
# The partitive "how many of <whole> <copula> <part>": grammar, not vocabulary.
_PARTITIVE = re.compile(r"\bhow (?:many|much) of (?P<whole>.+?) (?:were|was|are|is)\b", re.I)


@dataclass
class Reading:
    """What the engine's parser says about a question (the adapter's output)."""

    target_stems: list[str]
    term_stems: list[str]
    predicate_stems: list[str]
    years: list[int]
    operation: str
    wants_year: bool
    wants_number: bool
    parsed: object = None  # the engine's Question itself, passed on so it is not read again


def engine_reading(text: str, parsed=None) -> Reading:
    """The engine's parse of `text`, reduced to what the conversation uses; `parsed` is the
    Question already read from `text`, when the caller has it (one parse per question)."""
    from qa.question import concept_of, parse_question

    q = parsed if parsed is not None and parsed.text == text else parse_question(text)
    target = list(q.target)
    whole = _PARTITIVE.search(text)
    if whole:
        # "How many of the rescued players were children?": the engine counts the part (children);
        # the conversation keeps the whole (players) as the measure and lets the part narrow it,
        # so "How many of them were women?" carries the earlier measure and adds a group.
        target = [concept_of(t) for t in tokenize(whole.group("whole")) if concept_of(t) in set(map(concept_of, q.terms))]
    return Reading(
        target_stems=target, term_stems=[concept_of(t) for t in q.terms],
        predicate_stems=list(getattr(q, "predicate", []) or []), years=list(q.years),
        operation=q.operation, wants_year=q.wants_year, wants_number=q.wants_number, parsed=q,
    )


def concept(word: str) -> str | None:
    """The engine's concept of one surface word (None for function words)."""
    from qa.question import concept_of

    toks = [t for t in tokenize(word) if not t[0].isdigit()]
    return concept_of(toks[0]) if toks else None


@dataclass
class Frame:
    """A question's frame: slots filled from its own words, and follow-up signals."""

    text: str                         # the question as asked
    core: str                         # without its opener and its document reference
    measure: list[str]                # surface words of what is counted or measured
    group: list[str]                  # other content words (who, what kind, where)
    years: list[int]
    relative_year: int | None = None  # -1 "the year before", +1 "the year after", 0 "that year"
    doc_phrase: str = ""
    doc_ids: list[str] = field(default_factory=list)
    operation: str = "figure"
    opener: str = ""
    anaphora: list[str] = field(default_factory=list)
    wants_year: bool = False
    wants_number: bool = True
    comparative: bool = False         # "How much more went to X?": more than what was said before
    parsed: object = field(default=None, repr=False, compare=False)  # the engine's Question of the core

    @property
    def slots_only(self) -> bool:
        """Nothing but a period, a group or a document: an elliptical follow-up."""
        return not self.measure and len(self.group) <= 3

    def signals(self) -> list[str]:
        """Why this question leans on an earlier one (empty: it stands on its own)."""
        out = []
        if self.opener:
            out.append(f"starts with “{self.opener}”")
        if self.anaphora:
            out.append("refers back (" + ", ".join(f"“{a}”" for a in self.anaphora) + ")")
        if self.relative_year is not None:
            out.append("relative period")
        if not self.measure and self.wants_number and len(self.group) <= 3:
            out.append("no measure of its own")
        if self.comparative:
            out.append("compares with something it does not name")
        return out


def anaphora_in(words: list[str]) -> list[str]:
    """Pronouns and demonstratives that point back ("of them", "that figure", "is that")."""
    found = []
    low = [w.lower() for w in words]
    for i, w in enumerate(low):
        if w in _PRONOUNS:
            found.append(w)
        elif w in _DEMONSTRATIVES:
            before = low[i - 1] if i else ""
            after = low[i + 1] if i + 1 < len(low) else ""
            # "the victims that were freed" is a relative clause, not a reference.
            if i == 0 or before in _DEMO_BEFORE or after in _REFERENT or not after:
                found.append(f"{w} {after}".strip() if after in _REFERENT else w)
        elif w == "the" and i + 1 < len(low) and low[i + 1] in ("two", "three", "same", "former", "latter"):
            found.append(f"the {low[i + 1]}")
    return found


def _relative(text: str) -> tuple[int | None, str]:
    if re.search(r"\bhow many years\b", text, re.I):
        return None, text  # a question about a span of years, not a shift of the period
    for pattern, sign in _RELATIVE:
        m = pattern.search(text)
        if m:
            n = 1
            raw = (m.groupdict().get("n") or "").strip().lower()
            if raw:
                n = count_word(raw) or 1
            return sign * n, text[: m.start()] + text[m.end():]
    return None, text


def count_word(word: str) -> int | None:
    """'two' -> 2, '3' -> 3 (text2num reads the words); None for anything else."""
    if word.isdigit():
        return int(word)
    from text_to_num import text2num

    try:
        return text2num(word.lower(), "en")
    except ValueError:
        return None


def operation_of(text: str, engine_op: str) -> str:
    """The engine's operation, or the first operation word of a follow-up ("the change")."""
    if engine_op not in ("figure", "superlative", "count"):
        return engine_op
    for name, pattern in _OPERATIONS:
        if pattern.search(text):
            return name
    return engine_op


def extract_frame(text: str, documents: "DocumentIndex | None" = None, parsed=None) -> Frame:
    """The frame of one question; `documents` resolves references like "in the NGO report";
    `parsed` is the engine's Question for `text` when the caller has already read it."""
    m = _OPENER.match(text)
    opener = m.group(0).strip(" ,").lower() if m and m.end() < len(text) else ""
    core = text[m.end():] if opener else text
    doc_phrase, doc_ids = "", []
    if documents is not None:
        for dm in _DOC_REF.finditer(core):
            phrase = dm.group("phrase") + (f" of {dm.group('tail')}" if dm.group("tail") else "")
            ids = documents.resolve(phrase)
            if ids:
                doc_phrase, doc_ids = phrase.strip(), ids
                core = core[: dm.start()] + core[dm.end():]
                break
    relative, without_relative = _relative(core)
    reading = engine_reading(_restore_question(without_relative), parsed)
    words = _WORD.findall(without_relative)
    target = set(reading.target_stems)
    terms = set(reading.term_stems)
    measure, group = [], []
    for w in words:
        if _YEAR.fullmatch(w) or w.lower() in _PRONOUNS or w.lower() in _DEMONSTRATIVES:
            continue
        if w[0].isdigit():
            group.append(w)  # "under 15": a number that is not a year narrows the group
            continue
        c = concept(w)
        if c is None or c not in terms:
            continue
        (measure if c in target else group).append(w)
    if not measure:
        measure = _counted_after_how_many(words, terms)
        group = [w for w in group if w not in measure]
    years = [int(y) for y in _YEAR.findall(without_relative)]
    anaphora = anaphora_in(_WORD.findall(core))
    if measure:
        # "reunited with their families": a possessive inside a full question points at its own noun.
        anaphora = [a for a in anaphora if a not in ("their", "its", "theirs")]
    # A comparative with no "than" and only one period compares with an earlier answer.
    comparative = bool(_COMPARATIVE.search(without_relative)) and not re.search(r"\bthan\b", without_relative, re.I) \
        and len(set(years)) < 2
    return Frame(
        comparative=comparative,
        text=text, core=core.strip(), measure=measure, group=group, years=years, relative_year=relative,
        doc_phrase=doc_phrase, doc_ids=doc_ids,
        operation=operation_of(without_relative, reading.operation), opener=opener,
        anaphora=anaphora, wants_year=reading.wants_year,
        wants_number=reading.wants_number, parsed=reading.parsed,
    )


def _counted_after_how_many(words: list[str], terms: set[str]) -> list[str]:
    """The content words right after "how many"/"how much", when the parser named no target."""
    low = [w.lower() for w in words]
    for i in range(len(low) - 1):
        if low[i] == "how" and low[i + 1] in ("many", "much"):
            out = []
            for w in words[i + 2:]:
                if w[0].isdigit() or concept(w) not in terms:
                    break
                out.append(w)
            return out
    return []


def _restore_question(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith("?") else text.rstrip(" .") + "?"


class DocumentIndex:
    """Finds the stored document a phrase names ("the NGO report", "the 2021 brief").

    Each document is described by the words of its title and file stem; a phrase
    names a document when its words, weighted by how rare they are among the
    documents, point to one document more than to any other.
    """

    def __init__(self, documents: dict):
        self.key = tuple(sorted(documents))
        self.titles = {d: info.title for d, info in documents.items()}
        self.words: dict[str, set[str]] = {}
        for doc_id, info in documents.items():
            text = f"{info.title} {re.sub(r'[_.-]+', ' ', info.stem)}"
            self.words[doc_id] = set(tokenize(text))
        self.df: dict[str, int] = {}
        for ws in self.words.values():
            for w in ws:
                self.df[w] = self.df.get(w, 0) + 1

    def resolve(self, phrase: str) -> list[str]:
        """Content ids of the one document the phrase names best; [] when none or a tie."""
        import math

        toks = [t for t in tokenize(phrase)]
        n = len(self.words)
        if not toks or n == 0:
            return []
        scores = []
        for doc_id, ws in self.words.items():
            score = sum(math.log(1 + n / self.df[t]) for t in toks if t in ws and self.df[t] < n)
            scores.append((score, doc_id))
        scores.sort(reverse=True)
        best = scores[0]
        if best[0] <= 0 or (len(scores) > 1 and scores[1][0] >= best[0]):
            return []
        return [best[1]]


_INDEXES: dict[tuple, DocumentIndex] = {}


def document_index(manifest) -> DocumentIndex:
    """A DocumentIndex over a manifest's documents, built once per set of documents."""
    key = (manifest.generation, tuple(sorted(manifest.documents)))
    if key not in _INDEXES:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        _INDEXES[key] = DocumentIndex(manifest.documents)
    return _INDEXES[key]
