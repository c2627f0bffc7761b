"""`reportqa chat`: one conversation over the lines of its input."""

from __future__ import annotations

import io

from rich.console import Console

from reportqa.errors import BadInput
from reportqa.models import Answer, Citation, Understood
from ui.chat_cli import run_chat

SENTENCE = "The hotline took 3,215 calls in 2021."


class FakeQA:
    def __init__(self):
        self.histories = []

    def answer(self, question, doc=None, history=None):
        if question == "?!":
            raise BadInput("the question has no words or numbers in it")
        self.histories.append([a.question for a in history])
        cite = Citation(doc_id="d", title="Brief", file="brief.txt", sentence_index=4, start=0, end=len(SENTENCE),
                        text=SENTENCE)
        u = Understood(question=f"resolved {question}", measure="calls", years=[2021], follow_up=bool(history),
                       from_turn=1 if history else None, carried=["measure calls"] if history else [])
        return Answer(question=question, text="**3,215** [1]", value=3215, kind="figure", citations=[cite],
                      understood=u)


def run(lines: list[str]):
    out, err = io.StringIO(), io.StringIO()
    qa = FakeQA()
    n = run_chat(qa, iter(lines), Console(file=out, width=200), Console(file=err, width=200))
    return qa, n, out.getvalue(), err.getvalue()


def test_each_line_is_a_turn_of_one_conversation_and_clear_starts_a_new_one():
    qa, n, out, _ = run(["How many calls?", "And in 2020?", "/clear", "How many beds?", "/quit", "never asked"])
    assert n == 3
    assert qa.histories == [[], ["How many calls?"], []]
    assert "understood as: calls · 2021 · all documents" in out
    assert "took from turn 1: measure calls" in out and SENTENCE in out


def test_a_bad_question_prints_its_message_and_the_conversation_goes_on():
    qa, n, out, err = run(["How many calls?", "?!", "And in 2020?"])
    assert "the question has no words or numbers in it" in err
    assert n == 2 and qa.histories[-1] == ["How many calls?"]


def test_standalone_asks_the_resolved_question_without_history():
    qa, n, _, _ = run(["How many calls?", "And in 2020?", "/standalone"])
    assert n == 3 and qa.histories[-1] == []
