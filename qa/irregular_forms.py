"""Irregular noun and verb forms and their lemmas ("found" -> find, "children" -> child), for
matching a question's words with a report's: the stemmer that indexes words leaves irregular
forms apart ("find" and "found" stem differently), a lemmatizer does not.

The forms are data (irregular_forms.tsv beside this module), taken from the exception table
of the English pipeline's lemmatizer (spaCy en_core_web_sm 3.8.0, `lemma_exc`, which spaCy
builds from WordNet's exception lists). Regenerate them with `python -m qa.irregular_forms`;
tests/qa/test_irregular_forms.py checks the committed file is what this writes.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from reportqa.bm25 import tokenize

DATA = Path(__file__).with_name("irregular_forms.tsv")
HEADER = (
    "# Irregular noun and verb forms (stemmed) and their lemmas (stemmed), one pair a line.\n"
    "# From spaCy en_core_web_sm 3.8.0's lemmatizer exception table (lemma_exc, built from WordNet's\n"
    "# exception lists); written by `python -m qa.irregular_forms`. Do not edit by hand.\n"
)


def stemmed_pairs(exceptions: dict[str, dict[str, list[str]]]) -> dict[str, str]:
    """(stemmed form -> stemmed lemma) of the noun and verb exceptions whose stems differ.

    Only one-word forms with one lemma are kept: "found" -> find, "men" -> man; a form that
    is itself another word's lemma elsewhere in the table keeps its own meaning out."""
    out: dict[str, str] = {}
    lemmas = {lemma for pos in ("noun", "verb") for ls in exceptions.get(pos, {}).values() for lemma in ls}
    for pos in ("noun", "verb"):
        for form, ls in sorted(exceptions.get(pos, {}).items()):
            if len(ls) != 1 or not form.isalpha() or form in lemmas:
                continue
            f, lemma = tokenize(form), tokenize(ls[0])
            if len(f) == 1 and len(lemma) == 1 and f[0] != lemma[0]:
                out.setdefault(f[0], lemma[0])
    return out


def read_exceptions() -> dict[str, dict[str, list[str]]]:
    """The lemmatizer's exception table by part of speech, from the installed English pipeline."""
    from reportqa.parse import parser

    table = parser().get_pipe("lemmatizer").lookups.get_table("lemma_exc")
    return {pos: dict(table.get(pos, {})) for pos in ("noun", "verb")}  # the table hashes its string keys


def render(pairs: dict[str, str]) -> str:
    return HEADER + "".join(f"{f}\t{lemma}\n" for f, lemma in sorted(pairs.items()))


@lru_cache(maxsize=1)
def lemma_of_form() -> dict[str, str]:
    """Stemmed irregular form -> stemmed lemma, from the data file."""
    out = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            form, lemma = line.split("\t")
            out[form] = lemma
    return out


def main() -> int:
    DATA.write_text(render(stemmed_pairs(read_exceptions())), encoding="utf-8")
    print(f"wrote {DATA} ({len(lemma_of_form.__wrapped__())} forms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
