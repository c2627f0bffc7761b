"""The frame of a question from the dependency parse: what it asks to count or measure
(its target), in the same terms as a figure's measure at ingest.

"How many victims were rescued in 2022?" asks of `victims`; "What percentage
of revenue came from China?" asks of `revenue` (a percentage is the kind, not the thing);
"What was the total revenue of the farm shop?" asks of `revenue … farm shop`. The question's
wh-word finds the phrase: the noun "how many"/"how much" modifies, the noun "what"/"which"
determines, or, for "what was X", the copula's other side.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from reportqa.parse import NOUNS, ParserUnavailable, content, noun_phrase, parse_one

log = logging.getLogger(__name__)

_WH_DET = {"what", "which"}
_QUANTIFIERS = {"many", "much"}
_WH_WORDS = _WH_DET | _QUANTIFIERS | {"how"}
_ARGUMENT_DEPS = {"nsubj", "nsubjpass", "attr", "dobj", "pobj"}
_MAX_CHARS = 1000  # longer "questions" are pasted text; their patterns read them


@dataclass(frozen=True)
class QuestionFrame:
    """What a question asks of, read from its parse (words as written, in text order)."""

    target: tuple[str, ...] = ()


def _wh_noun(doc):
    """The noun the question asks about: modified by how many/much, or determined by what/which."""
    for t in doc:
        low = t.lower_
        if low in _WH_DET | _QUANTIFIERS and _by_phrase(doc, t):
            # "By what percent did prosecutions fall?": the change is said of the first noun
            # after the wh-phrase (the small model often parses "by" as the root, so its tree
            # cannot be trusted to hold the subject).
            return next((c.root for c in doc.noun_chunks if c.start > t.i + 1 and c.root.pos_ == "NOUN"), None)
        if low in _QUANTIFIERS and t.i > 0 and doc[t.i - 1].lower_ == "how":
            of = next((c for c in t.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            pobj = next((g for g in of.children if g.dep_ == "pobj" and g.pos_ in NOUNS), None) if of is not None else None
            if pobj is not None:
                return pobj  # "How much of the investing cash outflow …"
        if low in _QUANTIFIERS and t.i > 0 and doc[t.i - 1].lower_ == "how" and \
                t.dep_ in ("amod", "advmod", "det") and t.head.pos_ in NOUNS and t.head.i > t.i:
            return t.head  # "How many victims …"
        if low in _WH_DET and t.dep_ == "det" and t.head.pos_ in NOUNS:
            return t.head
    for t in doc:
        # "What was the total revenue …?", "How much was the amount …?": the wh-word is one
        # side of the copula, the noun the other.
        if t.lower_ in _WH_DET | _QUANTIFIERS and t.head.lemma_ == "be" and t.dep_ in ("attr", "nsubj", "advmod", "dobj", "acomp"):
            return next((c for c in t.head.children if c.i != t.i and c.dep_ in ("nsubj", "attr") and c.pos_ in NOUNS), None)
    return None


def _by_phrase(doc, t) -> bool:
    """Whether the wh-word opens "by what …" or "by how many/much" (a change's size)."""
    before = [u.lower_ for u in doc[max(0, t.i - 2):t.i]]
    return before[-1:] == ["by"] or before == ["by", "how"]


def frame_words(noun, is_frame_word) -> tuple[str, ...]:
    """The noun's phrase; a phrase headed by an operation or kind word ("difference in X",
    "percentage of X") is the phrase of what it is said of."""
    phrase = noun_phrase(noun)
    if is_frame_word(noun.lower_):
        for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ in ("in", "of", "between")):
            for pobj in (g for g in prep.children if g.dep_ in _ARGUMENT_DEPS and g.pos_ in NOUNS):
                phrase = phrase + noun_phrase(pobj)
    return tuple(t.text for t in sorted(set(phrase), key=lambda t: t.i) if content(t) and t.lower_ not in _WH_WORDS)


@lru_cache(maxsize=2048)
def question_frame(text: str, is_frame_word) -> QuestionFrame | None:
    """The question's frame, or None when the parser is not installed or fails (the caller
    then reads the question by its patterns alone)."""
    if len(text) > _MAX_CHARS:
        return None
    try:
        doc = parse_one(text)
    except ParserUnavailable:
        return None
    except Exception as e:  # noqa: BLE001 - the parse refines reading; a failure must not fail the answer
        log.warning("the parser failed on a question (%s); it is read by its patterns", e)
        return None
    noun = _wh_noun(doc)
    return QuestionFrame(target=frame_words(noun, is_frame_word) if noun is not None else ())
