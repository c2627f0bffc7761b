"""Irregular forms meet their lemmas ("found" and "find"), from the parser's own exception table."""

from __future__ import annotations

from qa.irregular_forms import DATA, read_exceptions, render, stemmed_pairs
from qa.question import concept_of
from reportqa.bm25 import tokenize


def test_the_committed_forms_are_what_the_script_writes():
    assert DATA.read_text(encoding="utf-8") == render(stemmed_pairs(read_exceptions()))


def test_an_irregular_form_means_its_lemma():
    for form, lemma in (("found", "find"), ("took", "take"), ("held", "hold"), ("children", "child")):
        assert concept_of(tokenize(form)[0]) == concept_of(tokenize(lemma)[0]), form
    assert concept_of(tokenize("found")[0]) != concept_of(tokenize("fined")[0])


def test_only_one_word_forms_with_one_lemma_are_kept():
    pairs = stemmed_pairs({"verb": {"found": ["find"], "axes": ["axe", "axis"], "set-up": ["set"]},
                           "noun": {"mice": ["mouse"]}})
    assert pairs == {"found": "find", "mice": "mous"}
