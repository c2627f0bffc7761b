"""A question is read once: the chooser and the Understood record share one parse_question.

Derived questions (a part of "A and B", a comparison's two sides) are other texts and are read
on their own; a plain figure question has none, so it is parsed exactly once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import qa.question
from tests.qa.written_reports import qa_over

REPORTS = Path(__file__).parent / "measure_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("one_parse") / "data", embedder)


@pytest.fixture
def parses(monkeypatch):
    """Every text parse_question reads, wherever it is called from (each module binds its own name)."""
    import qa.choose  # noqa: F401  load the modules that bind the name before replacing it
    import qa.conversation  # noqa: F401

    real = qa.question.parse_question
    seen: list[str] = []

    def counting(text):
        seen.append(text)
        return real(text)

    for name, module in list(sys.modules.items()):
        if (name == "qa" or name.startswith("qa.")) and getattr(module, "parse_question", None) is real:
            monkeypatch.setattr(module, "parse_question", counting)
    return seen


@pytest.mark.parametrize("question,value", [
    ("How many permits did the port office issue in 2031?", 655),
    ("By what percent did the number of inspectors employed increase from 2027 to 2030?", pytest.approx(45.0)),
])
def test_a_figure_question_is_parsed_once(qa, parses, question, value):
    a = qa.answer(question)
    assert a.value == value and a.understood is not None and a.understood.question == question
    assert parses == [question]


def test_a_conversation_reads_each_question_once(qa, parses):
    """The first turn is read once for the thread's frame and its answer; a follow-up ("And in
    2028?") is read without its opener, then once as the question it resolves to. (The earlier
    turn's question is read again to take its slots: a Turn does not carry its parse yet.)"""
    first = "How many permits did the port office issue in 2031?"
    a = qa.answer(first, history=[])
    assert a.value == 655
    assert parses == [first]
    parses.clear()
    b = qa.answer("And in 2028?", history=[a])
    assert b.kind != "not_found" and b.understood.follow_up
    resolved = b.understood.question
    assert resolved == "How many permits did the port office issue in 2028?" and b.value == 412
    assert parses.count(resolved) == 1 and parses.count("in 2028?") == 1
    assert len(parses) == len(set(parses)) == 3  # no text read twice
