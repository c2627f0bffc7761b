"""Splitting a question into the things it asks (qa/multipart.py)."""

from __future__ import annotations

import pytest

from qa.multipart import split_parts


def test_a_later_part_borrows_the_noun_of_the_first():
    assert split_parts("How many suspects were arrested and how many were foreigners?") == [
        "How many suspects were arrested?", "how many of the suspects were foreigners?"]


@pytest.mark.parametrize("question", [
    "How many years passed between the end of the war and when the treaty was signed?",
    "How many years was it between the king's death and when his uncle revolted?",
    "How many people were rescued?",
])
def test_one_question_stays_whole(question):
    assert split_parts(question) == [question]


def test_a_closed_between_does_not_hold_a_later_part():
    assert split_parts("What was the difference between 2018 and 2019, and how many were women?") == [
        "What was the difference between 2018 and 2019?", "how many were women?"]
