"""Questions worded as a new reader words them, not as the report does: a band the report
splits into narrower bands, a group word meaning a band ("adults", "minors"), a sentence that
counts within the figure before it ("Of these, 52 …"), a stated change going the other way,
a year said as "a year earlier", an initialism ("NGOs"), the whole of a share named by its
figure, listed groups added, a plural mention that is not an event, and the report named by
its name; and the operations readers ask for (percentage points, the rest of a whole, totals over a
span of years, the years between two events). Over reports written for these tests (tests/qa/inspection_reports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa.written_reports import grounded_answer, qa_over

REPORTS = Path(__file__).parent / "inspection_reports"


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    return qa_over(REPORTS, tmp_path_factory.mktemp("inspection") / "data", embedder)


@pytest.mark.parametrize("question", [
    "How many child workers under 16 were found?",
    "How many working children younger than 16 did inspectors find?",
])
def test_a_band_made_of_narrower_bands_is_their_sum(qa, question):
    a = grounded_answer(qa, question)
    assert a.kind == "computed" and a.value == 41 + 36
    assert sorted(o.value for o in a.computation.operands) == [36, 41]


def test_a_band_the_report_states_is_answered_as_stated(qa):
    a = grounded_answer(qa, "How many child workers aged 16 to 17 were found?")
    assert a.kind == "figure" and a.value == 19


@pytest.mark.parametrize(("question", "value"), [
    ("How many adult workers were interviewed at brick kilns?", 1118),  # "18 or older"
    ("How many minors were interviewed at brick kilns?", 312),  # "under 18"
])
def test_a_group_word_meets_the_band_it_means(qa, question, value):
    a = grounded_answer(qa, question)
    assert a.kind == "figure" and a.value == value


def test_a_band_outside_the_asked_one_does_not_answer(qa):
    # "18 or older" names the number 18 the question names, but it is the other band.
    a = grounded_answer(qa, "How many workers under 18 were interviewed at brick kilns?")
    assert a.value == 312


def test_a_sentence_pointing_back_counts_within_the_figure_before(qa):
    # "Of these, 52 were in the garment sector and 30 were convicted": the whole is 52, not 85.
    a = grounded_answer(qa, "How many of the employers in the garment sector were not convicted?")
    assert a.kind == "computed" and a.value == 52 - 30


def test_a_stated_change_going_the_other_way_is_not_the_fall(qa):
    # "an increase of three closures" is a rise; the fall is 61 − 48.
    a = grounded_answer(qa, "By how much did the number of site closures fall from 2030 to 2031?")
    assert a.kind == "computed" and a.value == 61 - 48


def test_a_year_said_as_a_year_earlier_is_the_year_before(qa):
    a = grounded_answer(qa, "By how many did the number of inspectors grow in 2031?")
    assert a.kind == "computed" and a.value == 84 - 71
    assert "a year earlier" in a.text and "2030" not in a.text  # the citation never writes 2030


def test_an_initialism_meets_the_words_it_stands_for(qa):
    a = grounded_answer(qa, "How many cases did NGOs refer?")
    assert a.value == 60


def test_a_share_of_a_whole_named_by_its_figure(qa):
    a = grounded_answer(qa, "What proportion of the 96 child workers were under 14?")
    assert a.kind == "computed" and a.scale == "percent"
    assert a.value == pytest.approx(41 / 96 * 100, abs=0.01)


def test_groups_counted_together_are_added(qa):
    a = grounded_answer(qa, "How many warnings and fines were issued in total?")
    assert a.kind == "computed" and a.value == 230 + 75


def test_a_plural_mention_is_not_an_event_to_count(qa):
    # "a hub of warehouses" says nothing of how many: no "1 — counted".
    a = grounded_answer(qa, "How many warehouses were inspected?")
    assert a.kind == "not_found" and a.value is None


def test_the_report_named_by_its_name_and_a_light_verb(qa):
    # "Lakeside" is the report's own name; "take in" says nothing the figure must be beside.
    a = grounded_answer(qa, "How many complaints did Lakeside take in during 2031?")
    assert a.kind == "figure" and a.value == 1240


def test_figures_of_different_acts_are_not_a_conflict(qa):
    # 1,010 complaints were resolved, not registered: not a second source for the same figure.
    a = grounded_answer(qa, "How many complaints did the hotline register in 2031?")
    assert a.kind == "figure" and a.value == 1240 and not a.alternatives


# The harbour review (northport_harbour_2031.md): the operations readers ask for.

def test_a_difference_of_two_percentages_is_in_percentage_points(qa):
    a = grounded_answer(qa, "By how many percentage points did the share of delayed ships fall between 2030 and 2031?")
    assert a.kind == "computed" and a.value == pytest.approx(3.5)
    assert "3.5 percentage points" in a.text


def test_a_part_the_report_calls_the_rest_is_the_whole_less_the_parts(qa):
    a = grounded_answer(qa, "How much of the 2031 investment went to new cranes?")
    assert a.kind == "computed" and a.value == pytest.approx(4.5) and a.scale == "million"
    assert [o.value for o in a.computation.operands] == [12.0, 7.5]


def test_the_rest_of_a_list_is_not_one_of_its_items(qa):
    # "the rest to new cranes": dredging is stated, and answers as stated.
    a = grounded_answer(qa, "How much of the 2031 investment went to dredging?")
    assert a.kind == "figure" and a.value == 7.5


def test_the_complement_is_of_the_counted_group_not_of_another_word(qa):
    # "employ" has a complement too (unemployed); the question counts men.
    a = grounded_answer(qa, "How many men did the harbour authority employ?")
    assert a.kind == "computed" and a.value == 1150 - 310


def test_a_total_over_a_span_of_years_adds_every_year(qa):
    a = grounded_answer(qa, "How many ship calls were there in total over 2029 to 2031?")
    assert a.kind == "computed" and a.value == 3960 + 4410 + 4820


def test_a_rate_applied_to_its_base(qa):
    a = grounded_answer(qa, "How many ship calls were made by cruise ships?")
    assert a.kind == "computed" and a.value == pytest.approx(0.15 * 4820)


def test_a_share_went_to_is_said_of_what_it_went_to(qa):
    # "Port maintenance took 40% of that amount": the share is maintenance's, of operating costs.
    a = grounded_answer(qa, "What share of operating costs went to port maintenance?")
    assert a.kind == "figure" and a.value == 40


def test_the_rest_as_a_share(qa):
    a = grounded_answer(qa, "What share of operating costs went to wages and energy?")
    assert a.kind == "computed" and a.value == pytest.approx(60) and a.scale == "percent"


@pytest.mark.parametrize(("question", "value"), [
    ("How many berths does the harbour have in total?", 14 + 9),  # side by side in one sentence
    ("How many collisions, groundings and fires were there in total?", 22 + 9 + 7),  # listed by name
])
def test_a_total_of_figures_given_side_by_side(qa, question, value):
    a = grounded_answer(qa, question)
    assert a.kind == "computed" and a.value == value


def test_a_stated_total_is_not_added_to_its_parts(qa):
    # "38 accidents in 2031: 22 collisions, 9 groundings and 7 fires": 38 is the total.
    a = grounded_answer(qa, "How many accidents were recorded in total?")
    assert a.value == 38


def test_a_share_of_a_whole_stated_elsewhere_than_its_part(qa):
    # The part is a table row, the whole a sentence; "6.5% of all employees" is another share.
    a = grounded_answer(qa, "What percentage of the authority's staff worked in engineering?")
    assert a.kind == "computed" and a.value == pytest.approx(350 / 1150 * 100, abs=0.01)


@pytest.mark.parametrize("question", [
    # "between A and when B": one span of years, not "between A?" and "when B?"
    "How many years passed between the founding of the inspectorate and when its telephone line for workers opened?",
    # a passive event ("was founded") is dated by the sentence saying it, not by the title's year
    "How many years after the inspectorate was founded did its telephone line for workers open?",
    # a year the question names is one end
    "How many years after 2004 did the telephone line for workers open?",
])
def test_years_between_two_events_are_the_years_said_of_each(qa, question):
    a = grounded_answer(qa, question)
    assert a.kind == "computed" and a.value == 2017 - 2004
    assert sorted(o.value for o in a.computation.operands) == [2004, 2017]
