"""The question read from its parse: what it asks to count or measure, whatever the wording
around the wh-word; and read by its patterns alone when the parser is missing."""

from __future__ import annotations

import pytest

from qa.question import is_frame_word, parse_question
from qa.question_frame import question_frame


def target_of(text: str) -> tuple[str, ...]:
    frame = question_frame(text, is_frame_word)
    assert frame is not None
    return frame.target


@pytest.mark.parametrize("question, expected", [
    ("How many victims were rescued in 2022?", ["victims"]),
    # "what percentage/share of X": the percentage is the kind asked, X the thing
    ("What percentage of revenue came from China in 2019?", ["revenue"]),
    ("What share of the cooperative's 2031 apple harvest was exported?", ["apple", "harvest"]),
    # the copula's other side
    ("What was the total revenue of the farm shop in 2023?", ["revenue", "farm", "shop"]),
    ("How much of the investing cash outflow was attributed to acquisitions in 2018?", ["cash", "outflow"]),
    # the size of a change: what changed is the first noun after the wh-phrase
    ("By what percent did reported prosecutions in South Asia fall between 2004 and 2005?", ["prosecutions"]),
    ("By how many did federal convictions decline from 2019 to 2020?", ["convictions"]),
    # an operation word heads the phrase: the thing is what it is said of
    ("What is the difference in accelerated depreciation between 2018 and 2019?", ["depreciation"]),
])
def test_the_parsed_target_is_what_the_question_asks_of(question, expected):
    target = target_of(question)
    assert set(expected) <= set(target), target
    assert not {"what", "much", "many", "by"} & {w.lower() for w in target}
    # The kind and operation words are the question's frame, not its target.
    concepts = parse_question(question).target
    assert concepts and not {"percentag", "percentage", "share", "total", "differ", "difference"} & set(concepts)


@pytest.mark.parametrize("question", [
    # Words that start like the patterns' stop words ("in", "to"): the patterns once cut them to nothing.
    "How many inspections were carried out in 2031?",
    "How many touring groups were counted?",
])
def test_a_target_word_is_not_cut_at_a_stop_word_prefix(question, monkeypatch):
    parsed = parse_question(question)
    assert parsed.target and parsed.target[0][:2] in ("in", "to")
    # The same with the parser missing: the patterns alone must read it too.
    def missing(text, _is_frame_word):
        return None
    monkeypatch.setattr("qa.question.question_frame", missing)
    parse_question.cache_clear()
    try:
        assert parse_question(question).target == parsed.target
    finally:
        parse_question.cache_clear()


def test_without_the_parser_a_question_is_read_by_its_patterns(parser_missing):
    question_frame.cache_clear()
    try:
        assert question_frame("How many victims were rescued?", is_frame_word) is None
        parse_question.cache_clear()
        assert parse_question("How many victims were rescued?").target  # the patterns read it
    finally:
        question_frame.cache_clear()
        parse_question.cache_clear()


def test_a_pasted_wall_of_text_is_not_parsed():
    assert question_frame("How many victims " + "and more " * 200 + "?", is_frame_word) is None
