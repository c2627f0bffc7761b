"""The single helpers of the core: what counts as a year, number formatting, sentence ids."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from reportqa.models import Sentence, doc_of, node_id, parse_node_id
from reportqa.numbers import format_number
from reportqa.years import find_years, is_old_year_number, is_year_number


@pytest.mark.parametrize("value, expected", [
    (1899, False), (1900, True), (2019, True), (2100, True), (2101, False), ("2,019", True),
    (2019.5, False), ("junk", False), (float("inf"), False), (float("nan"), False),
])
def test_what_counts_as_a_year(value, expected):
    assert is_year_number(value) is expected


def test_old_years_are_their_own_range():
    assert is_old_year_number(1537) and is_old_year_number(1000)
    assert not is_old_year_number(999) and not is_old_year_number(1900)


def test_years_in_text_skip_digits_of_larger_numbers():
    text = "In 2022 the agency spent $2,019,000 and 12019 euros; FY2021 and 2019."
    assert [y for y, _, _ in find_years(text)] == [2022, 2021, 2019]
    for year, start, end in find_years(text):
        assert text[start:end] == str(year)


@pytest.mark.parametrize("x, shown", [
    (358.0, "358"), (1234567, "1,234,567"), (53.7612, "53.76"), (0.5, "0.5"), (-193.0, "-193"),
    (-0.001, "0"), (2.10, "2.1"), (float("inf"), "inf"),
])
def test_format_number(x, shown):
    assert format_number(x) == shown


def test_node_ids_round_trip_with_colons_in_the_doc_id():
    assert parse_node_id(node_id("a:b", 7)) == ("a:b", 7)
    assert doc_of(node_id("report-1", 0)) == "report-1"
    s = Sentence(doc_id="d1", index=3, start=0, end=1, text="x")
    assert parse_node_id(s.node_id) == ("d1", 3)


@pytest.mark.parametrize("bad", ["", "nocolon", "doc:", ":3", "doc:x1"])
def test_bad_node_ids_are_refused(bad):
    with pytest.raises(ValueError):
        parse_node_id(bad)


@given(st.text(min_size=1).filter(lambda s: s.strip()), st.integers(min_value=0, max_value=10**9))
def test_node_id_round_trip_property(doc_id, index):
    assert parse_node_id(node_id(doc_id, index)) == (doc_id, index)
