"""What a figure measures when it has no noun of its own: the clause subject ("The number of
permits ... increased from 412 in 2028 to 655 in 2031"), the phrase before a bracket
("unsafe storage (33 percent)"), the two ends of a span ("from 2027 to 2030 (from 120 to 310)"),
and multiples written as words ("fivefold"). Over a report written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "measure_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("measures") / "data", embedder)


_answer = grounded_answer


def test_a_figure_without_a_noun_measures_the_sentence_subject(qa):
    # 700 permits were requested, not issued: only the subject of the 655 sentence says "issued".
    a = _answer(qa, "How many permits did the port office issue in 2031?")
    assert a.value == 655 and a.kind == "figure"


def test_the_two_figures_of_a_span_take_the_two_years_of_the_period_span(qa):
    a = _answer(qa, "By how many did the number of boats inspected grow between 2027 and 2030?")
    assert a.kind == "computed" and a.value == 190
    assert sorted(o.value for o in a.computation.operands) == [120, 310]


def test_a_yearly_change_takes_both_operands_from_the_sentence_that_states_them(qa):
    a = _answer(qa, "By what percent did the number of inspectors employed increase from 2027 to 2030?")
    assert a.kind == "computed" and a.value == pytest.approx(45.0)
    assert sorted(o.value for o in a.computation.operands) == [40, 58]


def test_a_multiple_written_as_a_word_answers_by_what_factor(qa):
    a = _answer(qa, "By roughly what factor did the fines collected at the harbour grow?")
    assert a.value == 5 and "fivefold" in a.text


def test_a_multiple_is_not_an_answer_to_a_plain_figure_question(qa):
    a = _answer(qa, "How much did the fines collected at the harbour amount to?")
    assert a.value != 5


def test_a_bracketed_percentage_measures_the_phrase_before_it(qa):
    a = _answer(qa, "What share of citations were for unsafe storage?")
    assert a.value == 33


def test_list_items_take_the_period_and_words_of_the_line_they_complete(qa):
    a = _answer(qa, "What percentage of the crew members checked in fiscal 2031 were seasonal workers?")
    assert a.value == 14


def test_a_group_stated_only_through_its_complement_is_the_rest_of_the_whole(qa):
    a = _answer(qa, "What share of the crew members checked in fiscal 2031 were female?")
    assert a.kind == "computed" and a.value == 15
    assert a.computation.operation == "complement" and "100 − 85" in a.computation.formula


def test_a_count_of_the_rest_is_the_whole_minus_the_part_it_includes(qa):
    a = _answer(qa, "How many of the deckhands rescued by the coast guard were adults?")
    assert a.kind == "computed" and a.value == 33
    assert [o.value for o in a.computation.operands] == [52, 19]


def test_a_stated_group_is_not_computed_as_a_complement(qa):
    a = _answer(qa, "How many of the deckhands rescued by the coast guard were minors?")
    assert a.kind == "figure" and a.value == 19


def test_named_groups_taken_together_are_added(qa):
    a = _answer(qa, "Taken together, what percentage of the crew members checked in fiscal 2031 were local residents or seasonal workers?")
    assert a.kind == "computed" and a.value == 36
    assert sorted(o.value for o in a.computation.operands) == [14, 22]


def test_respectively_takes_each_named_group_by_its_own_words(qa):
    a = _answer(qa, "What percentages of the crew members checked in fiscal 2031 were seasonal workers and local residents, respectively?")
    assert a.value == [14, 22]


def test_the_text_answers_when_a_table_repeats_its_figure_at_another_precision(qa):
    # The table's 1,779 thousand is the text's $1.8 million: the report states it in words.
    a = _answer(qa, "How much cash was provided by financing activities in 2031?")
    assert a.value == 1.8 and a.scale == "million"


def test_a_prior_period_note_keeps_its_year_to_itself(qa):
    a = _answer(qa, "What is the amount of guarantees for dock repairs provided by the harbour fund?")
    assert a.value == 261518


def test_a_decimal_with_a_letter_is_an_amount_in_that_unit(qa):
    a = _answer(qa, "What was the weighted average fee per mooring licence issued in 2031?")
    assert a.value == 386.1


def test_a_figure_right_after_the_verb_measures_the_whole_subject(qa):
    a = _answer(qa, "How much was the total spending on patrol boats, harbour radios, and safety gear for the coastal stations in 2031?")
    assert a.value == 69.8


def test_a_bracketed_count_measures_the_name_before_it_not_the_words_after(qa):
    a = _answer(qa, "How many inspections did Eastmere log in 2031?")
    assert a.value == 64
