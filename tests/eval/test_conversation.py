"""Conversation gold lines: expanded turn by turn, asked in order with their history."""

from __future__ import annotations

import json

import pytest

from eval.conversation import ConversationAsker, expand
from eval.gold import load_gold
from eval.run import run_eval
from reportqa.models import Answer, Citation, Understood
from reportqa.settings import Settings

LINE = {"id": "c01", "doc_id": "seed", "turns": [
    {"question": "How many calls in 2022?", "answer": 512},
    {"question": "And in 2021?", "answer": 48, "accept": [48], "answer_type": "span"},
]}


def test_a_conversation_line_becomes_one_record_per_turn():
    first, second = expand(LINE)
    assert (first["id"], second["id"]) == ("c01:1", "c01:2")
    assert first["answer_type"] == "first" and second["answer_type"] == "follow-up"
    assert second["doc_id"] == "seed" and second["extra"] == {"conversation": "c01", "turn": 2, "turn_type": "span"}


@pytest.mark.parametrize("bad, reason", [
    ({"id": "c", "turns": []}, "non-empty list"),
    ({"id": "c", "turns": "x"}, "non-empty list"),
    ({"id": "c", "turns": [1]}, "must be an object"),
    ({"id": "c", "question": "q", "turns": [{"question": "q"}]}, "not 'question'"),
])
def test_malformed_conversations_are_reported(bad, reason):
    with pytest.raises(ValueError, match=reason):
        expand(bad)


def test_plain_and_conversation_lines_mix_and_bad_lines_are_errors(tmp_path):
    gold = tmp_path / "mixed.jsonl"
    lines = [json.dumps({"id": "q1", "question": "How many?", "answer": 3}), json.dumps(LINE),
             json.dumps({"id": "c02", "turns": [{"question": ""}]}), json.dumps({"id": "c03", "turns": []})]
    gold.write_text("\n".join(lines) + "\n")
    items, errors = load_gold(gold)
    assert [i.id for i in items] == ["q1", "c01:1", "c01:2"]
    assert [e.line for e in errors] == [3, 4]


class RecordingQA:
    """Answers every question with the number of earlier turns it was given, plus one."""

    def __init__(self):
        self.seen: list[tuple[str, int | None]] = []

    def answer(self, question, doc=None, history=None):
        self.seen.append((question, None if history is None else len(history)))
        n = 1 + len(history or [])
        text = f"There were {n} calls."
        cite = Citation(doc_id="d", title="t", file="f", sentence_index=0, start=0, end=len(text), text=text)
        return Answer(question=question, text=f"**{n}** [1]", value=n, kind="figure", citations=[cite],
                      understood=Understood(question=f"{question} (turn {n})", follow_up=n > 1))


def test_turns_are_asked_in_order_with_their_own_history():
    qa = RecordingQA()
    asker = ConversationAsker(qa)
    record = {"id": "c", "turns": [{"question": "a"}, {"question": "b"}]}
    from eval.gold import GoldItem

    items = [GoldItem.model_validate(r) for r in expand(record)]
    other = [GoldItem.model_validate(r) for r in expand({**record, "id": "d"})]
    for item in (items[0], other[0], items[1], other[1]):
        asker.for_item(item).answer(item.question)
    assert qa.seen == [("a", 0), ("a", 0), ("b", 1), ("b", 1)]
    plain = GoldItem.model_validate({"question": "p"})
    asker.for_item(plain).answer("p")
    assert qa.seen[-1] == ("p", None)  # a plain question is asked on its own


def test_run_eval_scores_every_turn_and_splits_first_and_follow_up(tmp_path):
    gold = tmp_path / "conv.jsonl"
    gold.write_text("\n".join([
        json.dumps({"id": "q", "question": "plain?", "answer": 1, "answer_type": "span"}),
        json.dumps({"id": "c", "turns": [{"question": "one?", "answer": 1}, {"question": "two?", "answer": 2},
                                         {"question": "three?", "answer": 9}]}),
    ]) + "\n")
    run = run_eval(Settings(data_dir=tmp_path / "data"), [gold], qa=RecordingQA())
    s = run.summary
    assert s["n"] == 4 and s["correct"] == 3
    assert s["by_type"]["first"] == {"n": 1, "correct": 1, "accuracy": 1.0}
    assert s["by_type"]["follow-up"] == {"n": 2, "correct": 1, "accuracy": 0.5}
    assert s["by_type"]["span"]["n"] == 1
    # Each result records the reading it answered, so a wrong follow-up shows how it was merged.
    turns = [r.to_dict() for r in run.results if r.id.startswith("c:")]
    assert [t["understood"]["question"] for t in turns] == ["one? (turn 1)", "two? (turn 2)", "three? (turn 3)"]
