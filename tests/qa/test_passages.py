"""Reading what a counting question counts, from its words."""

from __future__ import annotations

import pytest

from qa.passages import _counted_noun
from qa.question import parse_question


@pytest.mark.parametrize("question, noun", [
    ("How many inspections did the harbour team carry out?", ["inspect"]),
    ("How many touring groups did the orchard host?", ["tour", "group"]),
    ("How many arrests did Officer Park make?", ["arrest"]),
])
def test_the_counted_noun_is_read_whole_even_when_it_begins_like_a_stop_word(question, noun):
    # The stop words that end the noun ("in", "did") must be whole words: "inspections" once
    # read as nothing, cut at its "in".
    assert _counted_noun(parse_question(question)) == noun
