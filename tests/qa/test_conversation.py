"""Conversations: which questions are follow-ups, how a follow-up is merged with the turn
before, and whole threads answered over the example reports."""

from __future__ import annotations

import pytest

from qa.conversation import as_turns, is_follow_up, resolve
from qa.conversation_frame import extract_frame
from qa.grounding import ungrounded_numbers
from qa.service import QA
from reportqa.models import Answer, Citation, Turn, Understood
from reportqa.settings import Settings
from tests.conftest import EXAMPLES


def turn(question: str, years=(), measure="", group="", follow_up=False, value=1.0, doc="d1") -> Turn:
    cite = Citation(doc_id=doc, title="T", file="t.md", sentence_index=3, start=0, end=5, text="x")
    u = Understood(question=question, measure=measure, group=group, years=list(years), follow_up=follow_up)
    return Turn(question=question, understood=u,
                answer=Answer(question=question, text="**1**", value=value, kind="figure", citations=[cite]))


@pytest.mark.parametrize("question", [
    "And in 2021?", "What about women?", "the year before?", "How many of them were women?",
    "What is the difference?", "What share is that of the total?", "How does that compare with 2021?",
    "How much more went to investigation?", "And over 18?",
])
def test_follow_ups_are_recognised_by_their_form(question):
    assert is_follow_up(extract_frame(question))


@pytest.mark.parametrize("question", [
    "How many shelter beds did Cambodia have at the end of 2021?",
    "Who urged officials to keep up the pressure on traffickers?",
    "How many survivors had been reunited with their families by the end of the year?",
    "How many fewer cases were there in 2022 than in 2021?",
    "Which year had more cases?",
])
def test_questions_that_stand_on_their_own_are_not_follow_ups(question):
    assert not is_follow_up(extract_frame(question))


def test_a_new_year_replaces_the_old_one_and_the_rest_is_carried():
    before = turn("How many calls did the national hotline take in 2021?", years=[2021], measure="calls")
    res = resolve(extract_frame("And in 2020?"), before, None)
    assert res.question == "How many calls did the national hotline take in 2020?"
    assert "measure calls" in res.carried and res.doc_ids == ["d1"]  # the report the figure came from


def test_a_relative_period_counts_from_the_earlier_year():
    before = turn("How many survivors did Riverlight admit in 2022?", years=[2022], measure="survivors")
    assert resolve(extract_frame("And the year before?"), before, None).question.endswith("admit in 2021?")
    assert resolve(extract_frame("What about two years earlier?"), before, None).question.endswith("in 2020?")


def test_a_relative_period_without_an_earlier_year_says_it_cannot_be_carried():
    before = turn("How many beds does the Phnom Penh shelter have?", measure="beds")
    res = resolve(extract_frame("And the year before?"), before, None)
    assert res.not_carried and "no year" in res.not_carried[0]


def test_a_group_takes_the_place_of_the_parallel_phrase():
    before = turn("How many beds does the Phnom Penh shelter have?", measure="beds")
    res = resolve(extract_frame("What about the Battambang shelter?"), before, None)
    assert res.question == "How many beds does the Battambang shelter have?"


def test_a_group_reads_first_as_a_part_of_the_measure_then_as_a_narrower_kind():
    before = turn("How many victims did the authorities free?", measure="victims")
    res = resolve(extract_frame("How many of them were women?"), before, None)
    readings = [res.question, *res.alternatives]
    assert readings[0] == "How many women did the authorities free?"
    assert "How many of the victims were women?" in readings
    assert "How many women victims did the authorities free?" in readings


def test_a_group_an_earlier_follow_up_set_is_replaced_not_added():
    before = turn("How many Cambodian citizens were identified in 2021?", years=[2021], measure="Cambodian citizens",
                  group="Cambodian citizens", follow_up=True)
    res = resolve(extract_frame("And foreign nationals?"), before, None)
    assert res.question == "How many foreign nationals were identified in 2021?"


def test_numbers_inside_a_group_stay_with_it():
    before = turn("How many of the victims were under 15?", measure="victims", group="under 15", follow_up=True)
    assert resolve(extract_frame("And over 18?"), before, None).question == "How many of the victims were over 18?"


def test_a_reference_keeps_its_own_measure_and_takes_the_period():
    before = turn("How many calls did the national hotline take in 2021?", years=[2021], measure="calls")
    res = resolve(extract_frame("How many of those calls concerned jobs advertised online?"), before, None)
    assert res.question == "How many calls concerned jobs advertised online in 2021?"


class RepeatingService:
    """A service that answers every question with one fixed answer (turn 1's figure)."""

    def __init__(self, answer: Answer):
        self.fixed = answer
        self.reader = self
        self.manifest = self
        self.documents, self.generation = {}, 0

    def snapshot(self):
        return self

    def resolve_docs(self, doc):
        return None

    def answer(self, question, doc=None, parsed=None):
        return self.fixed.model_copy(deep=True)


def test_a_follow_up_that_gets_an_earlier_figure_back_names_the_turn_that_gave_it():
    from qa.conversation import answer_in_thread

    first = turn("How many calls did the hotline take in 2021?", years=[2021], measure="calls", value=3215.0)
    second = turn("How many of them concerned scams?", years=[2021], measure="calls", group="scams",
                  follow_up=True, value=1318.0, doc="d2")
    reply = answer_in_thread(RepeatingService(first.answer), "And in 2020?", None, [first, second])
    assert reply.kind == "not_found" and reply.value is None
    assert "already given in turn 1" in reply.text


def test_history_accepts_turns_answers_and_their_json():
    t = turn("How many?", years=[2021])
    turns = as_turns([t, t.answer, t.model_dump(mode="json"), t.answer.model_dump(mode="json")])
    assert [x.question for x in turns] == ["How many?"] * 4
    with pytest.raises(TypeError):
        as_turns(["just a string"])


# ---- whole conversations over examples/reports -----------------------------------------------


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    from ingest.pipeline import Ingestor

    settings = Settings(data_dir=tmp_path_factory.mktemp("conversation") / "data")
    Ingestor(settings, embedder=embedder).ingest([EXAMPLES])
    return QA(settings, embedder=embedder)


def ask_all(qa: QA, questions: list[str], doc=None) -> list[Answer]:
    history: list[Answer] = []
    for q in questions:
        history.append(qa.answer(q, doc, history))
    return history


def test_four_turn_thread_with_an_operation_over_earlier_answers(qa):
    a = ask_all(qa, ["How many trafficking cases did police deal with in 2022?", "And in 2021?",
                     "What was the change?", "How many shelter beds did Cambodia have at the end of 2021?"])
    assert [x.value for x in a] == [166, 359, -193, 420]
    assert a[1].understood.follow_up and a[1].understood.years == [2021] and a[1].understood.from_turn == 1
    change = a[2]
    assert change.kind == "computed" and change.computation.operation == "change"
    # The computed answer cites the sentences the earlier answers cited, and shows nothing unchecked.
    earlier = {(c.doc_id, c.sentence_index) for x in a[:2] for c in x.citations}
    assert {(c.doc_id, c.sentence_index) for c in change.citations} <= earlier
    assert ungrounded_numbers(change) == []
    # A standalone question inside the thread is not merged: same reading and answer as on its own.
    alone = qa.answer("How many shelter beds did Cambodia have at the end of 2021?")
    assert not a[3].understood.follow_up and a[3].understood.carried == []
    assert a[3].understood.question == alone.understood.question and a[3].value == alone.value


def test_a_change_of_document_keeps_the_rest_of_the_question(qa):
    a = ask_all(qa, ["How many victims did the authorities free in 2022, according to the NCCT summary?",
                     "And in the Riverlight report?", "What is the difference between the two figures?"])
    assert [x.value for x in a] == [358, 341, 17]
    assert a[0].understood.doc_ids != a[1].understood.doc_ids
    assert "Riverlight" in a[1].understood.documents[0]
    assert a[1].citations[0].file == "ngo-shelter-annual-2022.md"


def test_share_of_the_total_and_the_understood_line(qa):
    a = ask_all(qa, ["How many trafficking victims did the authorities free in 2022?",
                     "How many of them were women?", "What share is that of the total?"])
    assert a[1].value == 265 and round(a[2].value, 2) == 74.02 and a[2].scale == "percent"
    assert a[1].understood.group == "women" and "women" in a[1].understood.line


def test_a_follow_up_after_an_abstention_says_what_it_could_not_carry_over(qa):
    a = ask_all(qa, ["How many suspects did courts receive in 2022?", "And in 2021?", "What is the difference?"],
                doc="cambodia-ncct-2022-summary")
    assert a[0].value == 202
    assert a[1].kind == "not_found"  # the report gives no 2021 figure; the 2022 one is not passed off as it
    assert a[2].kind == "not_found" and a[2].understood.not_carried
    assert "turn 2" in a[2].text


def test_without_history_nothing_is_merged(qa):
    answer = qa.answer("And in 2021?")
    assert answer.understood is not None and not answer.understood.follow_up


def test_the_documents_filter_holds_for_the_figures_a_thread_carries(qa):
    first = qa.answer("How many victims did the authorities free in 2022, according to the NCCT summary?", None, [])
    second = qa.answer("And in the Riverlight report?", None, [first])
    assert [first.value, second.value] == [358, 341]
    # The filter now leaves out the NCCT summary: turn 1's figure is not carried into the difference.
    third = qa.answer("What is the difference between the two figures?", "ngo-shelter-annual-2022", [first, second])
    assert third.kind == "not_found" and "turn 1" in third.text
    assert any("outside the documents chosen" in n for n in third.understood.not_carried)


def test_a_follow_up_does_not_carry_a_document_the_filter_now_leaves_out(qa):
    first = qa.answer("How many survivors did the shelters admit in 2022?", "ngo-shelter-annual-2022", [])
    assert first.value == 212
    follow = qa.answer("And in 2021?", "cambodia-trafficking-2021-brief", [first])
    assert follow.understood.follow_up
    assert any("outside the documents chosen" in n for n in follow.understood.not_carried)
    assert all(c.file == "cambodia-trafficking-2021-brief.txt" for c in follow.citations + follow.related)
