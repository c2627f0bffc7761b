"""Everyone but the named parts ("other than the police and the MLVT"): 100 % or the whole less the
parts said beside their names. Over a report written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.exclusion import excluded_names
from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "exclusion_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("exclusion") / "data", embedder)


def test_a_share_other_than_named_parts_is_100_less_their_percentages(qa):
    # "The police (45 percent) and the Ministry of Labour and Vocational Training (30 percent) ..."
    a = grounded_answer(qa, "What share of referrals came from agencies other than the police and the MLVT?")
    assert a.kind == "computed" and a.value == 25 and a.scale == "percent"
    assert [o.value for o in a.computation.operands] == [45, 30]


def test_a_count_other_than_named_parts_is_the_whole_less_their_counts(qa):
    a = grounded_answer(qa, "How many referrals did the shelter network receive from agencies other than the police "
                            "and the Ministry of Labour and Vocational Training?")
    assert a.kind == "computed" and a.value == 640 - 288 - 192
    assert [o.value for o in a.computation.operands] == [640, 288, 192]


@pytest.mark.parametrize("question", [
    "How many of the sheltered survivors were not women?",
    "Apart from women, how many survivors did the network shelter?",
    "How many survivors other than women did the network shelter?",
])
def test_a_group_left_out_is_taken_from_the_whole_it_is_counted_in(qa, question):
    # "The network sheltered 212 survivors during the year, including 130 women."
    a = grounded_answer(qa, question)
    assert a.kind == "computed" and a.value == 212 - 130


def test_a_name_with_and_in_it_is_one_part(qa):
    a = grounded_answer(qa, "What share of referrals came from agencies other than the police and the Ministry of "
                            "Labour and Vocational Training?")
    assert a.kind == "computed" and a.value == 25


def test_a_part_the_report_does_not_give_computes_nothing(qa):
    a = qa.answer("What share of referrals came from agencies other than the fire brigade?")
    assert a.kind != "computed"


@pytest.mark.parametrize("text, names", [
    ("What share came from agencies other than the FBI and ICE?", ["FBI", "ICE"]),
    ("How many cases, excluding Kampot, Kep or Takeo, were closed?", ["Kampot", "Kep", "Takeo"]),
    ("How many were referred by the police?", None),
    ("How many victims other than women were rescued?", ["women"]),
    ("How many of the victims were not children?", ["children"]),
])
def test_the_names_a_question_excludes(text, names):
    found = excluded_names(text)
    assert (found[1] if found else None) == names
