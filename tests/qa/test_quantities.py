"""Tests for reportqa.quantities: what numbers a sentence mentions, where, and what they mean."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reportqa.quantities.words as quantity_words
from reportqa.quantities import extract_quantities, normalize_values, parse_number, scale_multiplier


def _extract(text: str):
    """extract_quantities plus the invariants every result must keep."""
    qs = extract_quantities(text)
    for q in qs:
        assert text[q.start:q.end] == q.text
    assert [q.start for q in qs] == sorted(q.start for q in qs)
    assert all(a.end <= b.start for a, b in zip(qs, qs[1:]))
    return qs


def _find(text: str, mention: str):
    matches = [q for q in _extract(text) if q.text == mention]
    assert matches, f"{mention!r} not found in {[q.text for q in _extract(text)]}"
    return matches[0]


# --------------------------------------------------------------- real sentences

# Every quantity, in order: (mention, value, kind, scale, unit).
SENTENCES = [
    (
        "Authorities rescued 358 victims, including 265 women.",
        [("358", 358, "number", "", ""), ("265", 265, "number", "", "")],
    ),
    (
        "In 2022, the police cracked down on 166 cases, down on 2021 when there were 359 cases, "
        "and 202 suspects were sent to court.",
        [
            ("2022", 2022, "year", "", ""), ("166", 166, "number", "", ""), ("2021", 2021, "year", "", ""),
            ("359", 359, "number", "", ""), ("202", 202, "number", "", ""),
        ],
    ),
    (
        "Thirty-eight rescued victims were sent to the Department of Social Affair and 177 were sent "
        "back to their families.",
        [("Thirty-eight", 38, "number", "", ""), ("177", 177, "number", "", "")],
    ),
    (
        "The maximum exposure to credit risk at 31 March 2019 was £59.1m (2018: £56.5m).",
        [
            ("31", 31, "date", "", ""), ("2019", 2019, "year", "", ""),
            ("£59.1m", 59.1, "money", "million", "GBP"), ("2018", 2018, "year", "", ""),
            ("£56.5m", 56.5, "money", "million", "GBP"),
        ],
    ),
    (
        "revenue of $510 million, $487 million and $442 million in 2019, 2018 and 2017, respectively",
        [
            ("$510 million", 510, "money", "million", "USD"), ("$487 million", 487, "money", "million", "USD"),
            ("$442 million", 442, "money", "million", "USD"), ("2019", 2019, "year", "", ""),
            ("2018", 2018, "year", "", ""), ("2017", 2017, "year", "", ""),
        ],
    ),
    (
        "Revenue increased $19.7 million to $202.0 million",
        [("$19.7 million", 19.7, "money", "million", "USD"), ("$202.0 million", 202.0, "money", "million", "USD")],
    ),
    (
        "found 871 foreigners from 12 countries",
        [("871", 871, "number", "", ""), ("12", 12, "number", "", "")],
    ),
    (
        "Net income (loss) (8.1) 12.4",
        [("(8.1)", -8.1, "number", "", ""), ("12.4", 12.4, "number", "", "")],
    ),
    (
        "Brady hit a 49-yard field goal and threw a 2-yard TD as the 49ers lost 24-17 in the 4th quarter.",
        [
            ("49", 49, "number", "", "yard"), ("2", 2, "number", "", "yard"), ("49ers", 49, "label", "", "ers"),
            ("24", 24, "number", "", ""), ("17", 17, "number", "", ""), ("4th", 4, "ordinal", "", ""),
        ],
    ),
    (
        "The report covered three nationalities and one of the twelve provinces.",
        [("three", 3, "number", "", ""), ("one", 1, "number", "", ""), ("twelve", 12, "number", "", "")],
    ),
    (
        "| Net loss | (352) | 1,204.5 | (12.5)% |",
        [("(352)", -352, "number", "", ""), ("1,204.5", 1204.5, "number", "", ""),
         ("(12.5)%", -12.5, "percent", "percent", "")],
    ),
    ("The Department continued to investigate reports of exploitation, according to officials.", []),
]


@pytest.mark.parametrize("text,expected", SENTENCES, ids=[s[0][:40] for s in SENTENCES])
def test_real_sentences(text, expected):
    got = [(q.text, q.value, q.kind, q.scale, q.unit) for q in _extract(text)]
    assert got == [(m, pytest.approx(v), k, s, u) for m, v, k, s, u in expected]


# --------------------------------------------------------------- one feature per row

# (text, mention, fields the quantity must have)
FEATURES = [
    # digits, separators, decimals
    ("a total of 1,234 cases", "1,234", {"value": 1234, "kind": "number"}),
    ("cost 1,234.56 in all", "1,234.56", {"value": 1234.56}),
    ("a ratio of 0.4 overall", "0.4", {"value": 0.4}),
    ("only .5 of them", ".5", {"value": 0.5}),
    ("1,999 victims were found", "1,999", {"value": 1999, "kind": "number"}),
    ("2,019 cases were filed", "2,019", {"value": 2019, "kind": "number"}),
    # identifiers
    ("built on 28nm chips", "28nm", {"value": 28, "kind": "label"}),
    ("under Section 106 of the Act", "Section 106", {"value": 106, "kind": "label"}),
    ("as required by IAS 39", "IAS 39", {"value": 39, "kind": "label"}),
    ("adopted IFRS 9 in 2018", "IFRS 9", {"value": 9, "kind": "label"}),
    ("filed its Form 10-K late", "Form 10-K", {"value": 10, "kind": "label"}),
    ("the COVID-19 pandemic", "COVID-19", {"value": 19, "kind": "label"}),
    ("the Covid-19 pandemic", "Covid-19", {"value": 19, "kind": "label"}),
    ("see Note 12 for details", "Note 12", {"value": 12, "kind": "label"}),
    ("in Item 7A of the filing", "Item 7A", {"value": 7, "kind": "label"}),
    ("filed for Chapter 11 protection", "Chapter 11", {"value": 11, "kind": "label"}),
    ("results for Q3 were weak", "Q3", {"value": 3, "kind": "label"}),
    ("police rescued358victims", "358", {"value": 358, "kind": "number"}),  # space lost in a PDF
    ("arrests in2019 rose", "2019", {"kind": "year"}),
    # number words
    ("Thirty-eight victims", "Thirty-eight", {"value": 38, "kind": "number"}),
    ("from three nationalities", "three", {"value": 3}),
    ("twelve suspects", "twelve", {"value": 12}),
    ("one hundred and five people", "one hundred and five", {"value": 105}),
    ("a dozen boats", "a dozen", {"value": 12}),
    ("one of the largest", "one", {"value": 1, "kind": "number"}),
    ("two million people fled", "two million", {"value": 2, "scale": "million"}),
    ("a million people", "a million", {"value": 1, "scale": "million"}),
    ("three thousand five hundred people", "three thousand five hundred", {"value": 3500, "scale": ""}),
    ("one-third of victims", "one-third", {"value": pytest.approx(1 / 3)}),
    ("two-thirds of victims", "two-thirds", {"value": pytest.approx(2 / 3)}),
    ("about two thirds of our costs", "two thirds", {"value": pytest.approx(2 / 3), "qualifier": "about"}),
    ("a quarter of the staff", "a quarter", {"value": pytest.approx(0.25)}),
    ("three quarters of the boats", "three quarters", {"value": pytest.approx(0.75)}),
    # ordinals
    ("for the second time", "second", {"value": 2, "kind": "ordinal"}),
    ("the first case", "first", {"value": 1, "kind": "ordinal"}),
    ("its twenty-first year", "twenty-first", {"value": 21, "kind": "ordinal"}),
    ("came 1st in the race", "1st", {"value": 1, "kind": "ordinal"}),
    ("the 22nd edition", "22nd", {"value": 22, "kind": "ordinal"}),
    # percentages and points
    ("grew 3.5% last year", "3.5%", {"value": 3.5, "kind": "percent", "scale": "percent"}),
    ("grew 3.5 percent last year", "3.5 percent", {"kind": "percent", "scale": "percent"}),
    ("grew 3.5 per cent last year", "3.5 per cent", {"kind": "percent", "scale": "percent"}),
    ("margin rose 2 percentage points", "2 percentage points", {"value": 2, "kind": "points", "scale": ""}),
    ("margin rose 3pp", "3pp", {"value": 3, "kind": "points"}),
    ("cut rates by 25 basis points", "25 basis points", {"value": 25, "kind": "points", "unit": "bp"}),
    # money
    ("paid $36.5 million", "$36.5 million", {"value": 36.5, "kind": "money", "unit": "USD", "scale": "million"}),
    ("paid US$5 each", "US$5", {"value": 5, "kind": "money", "unit": "USD"}),
    ("paid USD 10 each", "USD 10", {"kind": "money", "unit": "USD"}),
    ("paid EUR 3 million", "EUR 3 million", {"kind": "money", "unit": "EUR", "scale": "million"}),
    ("paid €4.5 billion", "€4.5 billion", {"kind": "money", "unit": "EUR", "scale": "billion"}),
    ("paid GBP 7", "GBP 7", {"kind": "money", "unit": "GBP"}),
    ("paid RMB 200 each", "RMB 200", {"kind": "money", "unit": "CNY"}),
    ("paid Rs 50 each", "Rs 50", {"kind": "money", "unit": "INR"}),
    ("paid ¥300 each", "¥300", {"kind": "money", "unit": "JPY"}),
    ("paid 5 million dollars", "5 million dollars", {"kind": "money", "unit": "USD", "scale": "million"}),
    # scale suffixes
    ("exposure was £59.1m", "£59.1m", {"value": 59.1, "scale": "million", "unit": "GBP"}),
    ("raised $2bn", "$2bn", {"value": 2, "scale": "billion"}),
    ("raised $5k", "$5k", {"value": 5, "scale": "thousand"}),
    ("raised $5M", "$5M", {"value": 5, "scale": "million"}),
    ("raised 2.5 bn", "2.5 bn", {"value": 2.5, "scale": "billion", "kind": "number"}),
    ("a $1.2 trillion economy", "$1.2 trillion", {"value": 1200, "scale": "billion"}),
    # negatives and directions
    ("Net income (8.1)", "(8.1)", {"value": -8.1, "negative": True}),
    ("a loss of ($8.1m)", "($8.1m)", {"value": -8.1, "negative": True, "scale": "million", "kind": "money"}),
    ("change of -3.2 points", "-3.2", {"value": -3.2, "negative": True}),
    ("income decreased $352 million", "$352 million", {"value": 352, "negative": False, "qualifier": "decreased"}),
    ("a decrease of 352 units", "352", {"value": 352, "negative": False, "qualifier": "decrease"}),
    ("sales increased by 5%", "5%", {"qualifier": "increased"}),
    ("a year (2018) earlier", "2018", {"kind": "year", "negative": False}),
    ("sales rose (14 percent) to", "14 percent", {"value": 14, "negative": False}),
    # qualifiers
    ("approximately 300 people", "300", {"qualifier": "approximately"}),
    ("about 20 people", "20", {"qualifier": "about"}),
    ("around 20 people", "20", {"qualifier": "around"}),
    ("nearly 40 people", "40", {"qualifier": "nearly"}),
    ("almost 40 people", "40", {"qualifier": "almost"}),
    ("over 300 people", "300", {"qualifier": "over"}),
    ("more than 300 people", "300", {"qualifier": "more than"}),
    ("at least 5 people", "5", {"qualifier": "at least"}),
    ("less than 5%", "5%", {"qualifier": "less than"}),
    ("fewer than 3 people", "3", {"qualifier": "fewer than"}),
    ("up to 10 years", "10", {"qualifier": "up to"}),
    ("some 40 people", "40", {"qualifier": "some"}),
    ("roughly 40 people", "40", {"qualifier": "roughly"}),
    ("nearly three million people", "three million", {"value": 3, "qualifier": "nearly"}),
    ("more than 2000 people", "2000", {"kind": "number", "qualifier": "more than"}),
    # years and dates
    ("results for fiscal 2019", "2019", {"kind": "year", "value": 2019}),
    ("results in 2022 were", "2022", {"kind": "year"}),
    ("results for FY2019", "FY2019", {"kind": "year", "value": 2019}),
    ("results for FY19", "FY19", {"kind": "year", "value": 2019}),
    ("as at 31 March 2019", "31", {"kind": "date", "value": 31}),
    ("as at 31 March 2019", "2019", {"kind": "year"}),
    ("on March 23 police", "23", {"kind": "date"}),
    ("on September 30, 2019 the", "30", {"kind": "date"}),
    ("on September 30, 2019 the", "2019", {"kind": "year"}),
    ("on the 23rd March", "23rd", {"kind": "date", "value": 23}),
    ("from August-November, 2022", "2022", {"kind": "year"}),
    ("in the 1990s", "1990s", {"kind": "year", "value": 1990}),
    ("since mid-2019", "2019", {"kind": "year"}),
    ("paid $2019 in fees", "$2019", {"kind": "money"}),
    ("a 2000-yard season", "2000", {"kind": "number", "unit": "yard"}),
    # units from hyphenated nouns and yards
    ("a 12-month period", "12", {"unit": "month", "kind": "number"}),
    ("a three-year plan", "three", {"value": 3, "unit": "year", "kind": "number"}),
    ("ran for 120 yards", "120", {"unit": "yard"}),
]


@pytest.mark.parametrize("text,mention,fields", FEATURES, ids=[f"{f[0]}|{f[1]}" for f in FEATURES])
def test_features(text, mention, fields):
    q = _find(text, mention)
    for name, want in fields.items():
        got = getattr(q, name)
        assert got == (pytest.approx(want) if isinstance(want, float) else want), name


def test_iso_date_parts():
    qs = _extract("filed on 2019-03-31 with")
    assert [(q.text, q.value, q.kind) for q in qs] == [("2019", 2019, "year"), ("03", 3, "date"), ("31", 31, "date")]


# --------------------------------------------------------------- ranges

# (text, first mention, its range_with, the second mention)
RANGES = [
    ("between 600,000 and 800,000 people", "600,000", 800_000, "800,000"),
    ("600,000 to 800,000 people", "600,000", 800_000, "800,000"),
    ("aged 10-12 years", "10", 12, "12"),
    ("aged 10–12 years", "10", 12, "12"),
    ("from 2018–2019 onwards", "2018", 2019, "2019"),
    ("in fiscal 2018-19", "2018", 2019, "19"),
    ("ranging from 5 to 10 days", "5", 10, "10"),
    ("$500,000 to $1 million", "$500,000", 1_000_000, "$1 million"),
]


@pytest.mark.parametrize("text,first,upper,second", RANGES, ids=[r[0] for r in RANGES])
def test_ranges(text, first, upper, second):
    assert _find(text, first).range_with == pytest.approx(upper)
    assert _find(text, second).range_with is None


def test_range_borrows_unsaid_scale_and_percent():
    a = _find("$2 to $3 million", "$2")
    assert (a.scale, a.range_with, a.kind) == ("million", 3, "money")
    b = _find("between 5 and 10 percent", "5")
    assert (b.kind, b.scale, b.range_with) == ("percent", "percent", 10)


@pytest.mark.parametrize("text", [
    "Revenue increased $19.7 million to $202.0 million",  # a change, then the new level
    "costs rose from 100 to 200",
    "grew by 5 to 10",
    "won 24-17",  # a score, not a range
    "found 15 and 17 cases",
])
def test_not_ranges(text):
    assert [q.range_with for q in _extract(text)] == [None, None]


def test_and_is_a_range_only_after_between():
    qs = _extract("between 15 and 17 boats; 15 and 17 cars")
    assert [q.range_with for q in qs] == [17, None, None, None]


# --------------------------------------------------------------- parse_number

@pytest.mark.parametrize("text,value", [
    ("1,234.5", 1234.5),
    ("(8.1)", -8.1),
    ("-3.2", -3.2),
    ("twelve", 12),
    ("Thirty-eight", 38),
    ("3.5%", 3.5),
    ("$36.5 million", 36.5),
    ("£59.1m", 59.1),
    ("$1.2 trillion", 1.2),
    ("decreased $352 million", 352),
    ("2019", 2019),
    ("no number here", None),
    ("", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == (pytest.approx(value) if value is not None else None)


@pytest.mark.parametrize("scale,mult", [
    ("", 1), ("thousand", 1e3), ("million", 1e6), ("billion", 1e9), ("percent", 1),
    ("millions", 1e6), ("m", 1e6), ("bn", 1e9), ("k", 1e3), ("Million", 1e6), ("unknown", 1),
])
def test_scale_multiplier(scale, mult):
    assert scale_multiplier(scale) == mult


# --------------------------------------------------------------- normalize_values

@pytest.mark.parametrize("text,present", [
    ("exposure was £59.1m", {59.1, 59_100_000.0}),
    ("Net income (8.1)", {-8.1, 8.1}),
    ("grew 3.5% in 2019", {3.5, 2019.0}),
    ("Thirty-eight victims", {38.0}),
    ("two million people", {2.0, 2_000_000.0}),
    ("a $1.2 trillion economy", {1.2, 1200.0, 1.2e12}),
    ("one-third of them", {0.33}),
    ("in fiscal 2018-19", {2018.0, 2019.0, 19.0}),
])
def test_normalize_values(text, present):
    values = normalize_values(text)
    assert present <= values


def test_normalize_values_grounds_an_answer_in_its_source():
    source = "Revenue increased $19.7 million to $202.0 million in fiscal 2019."
    answer = "Revenue was $202.0 million (202,000,000 dollars)."
    assert normalize_values(answer) <= normalize_values(source)
    assert normalize_values("Revenue was $203 million") - normalize_values(source)


# --------------------------------------------------------------- robustness and speed

_PIECES = st.sampled_from([
    " ", "-", "–", "(", ")", "$", "£", "US$", "%", ",", ".", "m", "bn", "k", "million", "percent",
    "one", "twenty", "-eight", " hundred", " and ", "a ", "dozen", "first", "third", "March ",
    "FY", "COVID-", "Note ", "between ", " to ", "about ", "decreased ", "2019", "31", "1,234",
    "0.5", "9" * 30, "7", "\xa0", "yard", "s", "st", "K", "M", "Rs. ",
])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=25).map("".join)))
def test_never_raises_and_offsets_hold(text):
    _extract(text)
    normalize_values(text)
    parse_number(text)


def test_huge_digit_runs_are_skipped_not_fatal():
    assert _extract("9" * 5000) == []  # too large for a float: no value to report
    assert [q.value for q in _extract("1" * 5000 + " and 7")] == [7]


def test_text2num_only_sees_number_word_spans(monkeypatch):
    calls = []
    real = quantity_words.text2num

    def spy(s, lang):
        calls.append(s)
        return real(s, lang)

    monkeypatch.setattr(quantity_words, "text2num", spy)
    _extract("The agency reported that police investigated several cases across the region in 2022.")
    assert calls == []
    _extract("Thirty-eight victims and 12 others")
    assert calls == ["thirty eight"]


@pytest.mark.parametrize(
    "text, marker, figure",
    [
        ("(1) Includes amounts capitalized of $41.8 million.", "(1)", 41.8),
        ("| Net sales (2) | $201,977 | $182,228 |", "(2)", 201977.0),
    ],
)
def test_footnote_markers_are_labels_not_negative_figures(text, marker, figure):
    found = extract_quantities(text)
    labels = [q for q in found if q.kind == "label"]
    assert [text[q.start:q.end] for q in labels] == [marker]
    assert [q.value for q in found if q.kind != "label"][0] == figure


def test_a_bracketed_figure_alone_in_a_cell_stays_negative():
    found = extract_quantities("| Net income | (1) | (12)% | 5 |")
    assert [(q.kind, q.value) for q in found] == [("number", -1.0), ("percent", -12.0), ("number", 5.0)]


@pytest.mark.parametrize("text, mentions", [
    ("in the first three quarters, sales rose", [("first", 1.0), ("three", 3.0)]),  # three periods
    ("a quarter of 2024", [("2024", 2024.0)]),  # a period, not a share of a year
    ("the third quarter", [("third", 3.0)]),
])
def test_spaced_fractions_need_of_and_no_year(text, mentions):
    assert [(q.text, q.value) for q in extract_quantities(text)] == mentions
