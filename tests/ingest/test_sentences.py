"""Sentence splitting: exact offsets, abbreviations, amounts, lists, tables, long sentences."""

from ingest.sentences import split_sentences


def texts(text, **kw):
    out = split_sentences("d", text, **kw)
    for s in out:
        assert text[s.start:s.end] == s.text
    return [s.text for s in out]


def test_abbreviations_and_amounts_stay_in_one_sentence():
    t = "The U.S. Dept. of State said No. 5 rose 3.5% to $1.2 million. Prices fell."
    assert texts(t) == ["The U.S. Dept. of State said No. 5 rose 3.5% to $1.2 million.", "Prices fell."]


def test_repeated_sentences_get_their_own_offsets():
    t = "It fell. It fell. It fell."
    out = split_sentences("d", t)
    assert [s.start for s in out] == [0, 9, 18]
    assert len({s.start for s in out}) == 3


def test_headings_and_list_items_are_units():
    t = "# Results\n\nWe found:\n- 12 cases in Kandal\n- 4 cases in Kampot\n\nDone."
    out = split_sentences("d", t)
    assert [s.kind for s in out] == ["heading", "sentence", "item", "item", "sentence"]
    assert out[2].text == "- 12 cases in Kandal"
    assert out[0].paragraph == 0 and out[4].paragraph == 2


def test_long_semicolon_sentence_splits_with_exact_offsets():
    clause = "the government investigated some cases of trafficking in several provinces"
    t = "; ".join([clause] * 8) + "."
    out = split_sentences("d", t, max_words=60)
    assert len(out) == 8
    assert all(t[s.start:s.end] == s.text for s in out)
    assert out[0].text.endswith(";")


def test_short_semicolon_sentence_is_not_split():
    assert len(texts("Cases rose; victims fell.")) == 1


def test_table_rows_carry_headers_and_caption():
    t = (
        "Revenue (in thousands)\n\n"
        "|  | 2019 | 2018 |\n|---|---|---|\n|  | $ | $ |\n| Revenue | 1,200 | 1,100 |\n| Costs | (300) | (250) |\n"
    )
    out = split_sentences("d", t)
    rows = [s for s in out if s.kind == "table_row" and s.table_header]
    assert [r.text for r in rows] == ["| Revenue | 1,200 | 1,100 |", "| Costs | (300) | (250) |"]
    assert rows[0].table_header == ["", "2019 $", "2018 $"]
    assert "2019 $: 1,200" in rows[0].search_text and "in thousands" in rows[0].search_text


def _captions(text):
    return [s.caption for s in split_sentences("d", text) if s.kind == "table_row" and s.table_header]


TABLE = "| Year | Inspections |\n| --- | --- |\n| 2030 | 452 |\n"


def test_a_short_line_above_a_table_is_its_title():
    # Searched with every row, so a question naming the province finds that province's rows.
    assert _captions("Takeo province.\n\n" + TABLE) == ["Takeo province."]
    assert _captions("## Inspections by year\n\n" + TABLE) == ["Inspections by year"]
    # A title that is also the unit note is one caption; a unit note elsewhere is kept beside it.
    assert _captions("Inspections (in thousands)\n\n" + TABLE) == ["Inspections (in thousands)"]
    assert _captions("Amounts in thousands.\n\nTakeo province.\n\n" + TABLE) == ["Takeo province. (Amounts in thousands)"]


def test_no_title_from_a_word_a_paragraph_a_list_item_or_the_table_before():
    assert _captions("## Table\n\n" + TABLE) == [None]
    long_line = "The inspectorate publishes its yearly figures for each province it covers.\n\n"
    assert _captions(long_line + TABLE) == [None]
    assert _captions("- Takeo province\n\n" + TABLE) == [None]
    assert _captions("Takeo province.\n\n" + TABLE + "\n" + TABLE.replace("452", "298")) == ["Takeo province.", None]


def test_page_numbers_follow_page_starts():
    t = "Page one says 5.\n\nPage two says 6."
    out = split_sentences("d", t, page_starts=[0, t.index("Page two")])
    assert [s.page for s in out] == [1, 2]


def test_offsets_exact_on_odd_whitespace():
    t = "  First   sentence here.\r\n Second\tone!  \n\n\n   Third?"
    assert texts(t) == ["First   sentence here.", "Second\tone!", "Third?"]
