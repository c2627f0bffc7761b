"""The figure chooser reads the parse stored at ingest: the figure whose own clause names what
the question asks wins over a figure of another clause of the same sentence. Over a report
written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "frame_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("frames") / "data", embedder)


def test_the_figure_of_the_clause_that_names_the_asked_thing_wins(qa):
    # "Export sales reached $12.4 million, and sales at the farm shop came to $2.1 million."
    a = grounded_answer(qa, "What were sales at the farm shop?")
    assert a.value == pytest.approx(2.1) and a.scale == "million"
    assert "farm shop came to $2.1 million" in a.citations[0].text


def test_the_first_clause_keeps_its_own_figure(qa):
    a = grounded_answer(qa, "What were export sales?")
    assert a.value == pytest.approx(12.4) and a.scale == "million"


def test_candidates_carry_the_frame_stored_at_ingest(qa):
    cands = qa.figure_candidates("What were sales at the farm shop?", None)
    shop = next(c for c in cands if c.value == pytest.approx(2.1))
    assert shop.frame is not None and shop.frame.measure == "sales"
    assert {"farm", "shop"} <= set(shop.frame.clause.split())
    assert shop.features["frame_clause"] > next(c for c in cands if c.value == pytest.approx(12.4)).features["frame_clause"]


@pytest.mark.parametrize("question, value", [
    ("How many growers retired in 2031?", 23),
    ("How many new growers joined the cooperative in 2031?", 85),
    ("How many tonnes of windfalls did the juice press take?", 640),
    ("How many tonnes did the cooling plant store?", 1870),
    ("How many pickers do the southern orchards employ?", 310),
])
def test_each_figure_of_a_two_clause_sentence_answers_its_own_question(qa, question, value):
    assert grounded_answer(qa, question).value == value


def test_the_part_of_a_whole_is_what_is_counted_not_the_whole(qa):
    # "Of the 310 pickers surveyed in 2031, 124 asked …": 310 is followed by the asked noun,
    # but 124 is the count of pickers who asked (its measure left out, taken from 310).
    for question in ("How many pickers surveyed in 2031 asked for longer contracts?",
                     "How many pickers wanted longer contracts in 2031?"):
        assert grounded_answer(qa, question).value == 124, question


def test_an_of_phrase_inside_a_clause_is_not_the_whole_of_a_part(qa):
    # "an increase of nine members": not "Of the N …, M …"; the increase is the answer.
    a = grounded_answer(qa, "By how many did the register's members increase in 2031?")
    assert a.value == 9


def test_a_figure_taken_of_a_whole_counts_what_its_part_is_said_to_be(qa):
    # "19 of the growers who joined this year were apprentices": 19 counts apprentices (among the
    # growers), while "48 apprentices" is followed by the asked noun but counts all of them.
    a = grounded_answer(qa, "How many of the growers who joined this year were apprentices?")
    assert a.value == 19


@pytest.mark.parametrize("question, value", [
    # "freed" and "rescued" are one paraphrase group; the report's own word decides between them,
    # whether it follows the figure ("40 deer were rescued") or governs it ("wardens freed 96 deer").
    ("How many deer were freed?", 96),
    ("How many deer were rescued?", 40),
])
def test_the_verb_said_of_the_figure_counts_in_active_and_passive_clauses(qa, question, value):
    assert grounded_answer(qa, question).value == value


def test_a_written_fraction_is_a_share_not_a_level_of_its_whole(qa):
    # "about two thirds of our costs" names costs, but it answers how much of them, not how much.
    level = grounded_answer(qa, "What were the cooperative's total costs in 2030?")
    assert level.value == 8.8 and level.scale == "million"
    share = grounded_answer(qa, "What share of the costs did grants from the regional fund cover?")
    assert share.value == pytest.approx(2 / 3)
    assert "two thirds" in share.citations[0].text
