"""Unit tests for ui/render.py: escaping, highlight offsets, citation numbering, formula links."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest

from reportqa.models import Answer, Citation, Computation, DocumentInfo, IngestResult, Operand
from reportqa.settings import Settings
from ui import render, turn

HOSTILE = 'Evil <script>alert(1)</script> and <img src=x onerror=alert(1)> "quoted" & more.'

PARAGRAPH = "The year was hard. Authorities rescued 358 victims, including 265 women. Many went home."


def citation(text: str, context: str, context_start: int = 100, **kw) -> Citation:
    """A citation whose offsets point at `text` inside `context` (placed at context_start)."""
    i = context.index(text)
    fields = dict(doc_id="abc123", title="Seed report", file="seed.md", page=None, sentence_index=1,
                  start=context_start + i, end=context_start + i + len(text), text=text,
                  context=context, context_start=context_start)
    fields.update(kw)
    return Citation(**fields)


class TagCollector(HTMLParser):
    """Collects the tags and attributes a browser would create from the HTML."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html, flags=re.S)


# ---- escaping ----------------------------------------------------------------------------------


def test_hostile_document_text_is_escaped_everywhere():
    c = citation(HOSTILE, f"Before. {HOSTILE} After.", title=f"Title {HOSTILE}", file="<b>x</b>.md")
    answer = Answer(question=f"Why {HOSTILE}?", text=f"**{HOSTILE}** [1]", kind="passage", citations=[c])
    html = turn.render_turn(answer, 0)
    tags = {t for t, _ in tags_of(html)}
    assert "script" not in tags and "img" not in tags and "b" not in tags
    assert not any(k.startswith("on") for _, attrs in tags_of(html) for k in attrs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_hostile_related_sentences_and_ingest_results_are_escaped():
    rel = citation(HOSTILE, HOSTILE, context_start=0)
    answer = Answer(question="q", text="The reports don't say.", kind="not_found", related=[rel])
    html = turn.render_turn(answer, 3) + render.render_ingest_results(
        [IngestResult(path="/up/<img src=x onerror=alert(1)>.md", status="failed", reason=HOSTILE)]
    )
    assert {t for t, _ in tags_of(html)}.isdisjoint({"script", "img"})
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_escape_covers_attribute_quotes():
    assert render.esc('" onmouseover="x') == "&quot; onmouseover=&quot;x"


# ---- highlight offsets ---------------------------------------------------------------------------


def test_highlight_marks_exactly_the_cited_sentence():
    sentence = "Authorities rescued 358 victims, including 265 women."
    c = citation(sentence, PARAGRAPH, context_start=1000)
    html = render.highlight(c)
    assert marked(html) == [sentence]
    assert html == (
        "The year was hard. <mark>Authorities rescued 358 victims, including 265 women.</mark> Many went home."
    )


def test_highlight_uses_offsets_not_text_search_when_the_sentence_repeats():
    context = "Cases rose. Cases rose. Cases fell."
    # The second occurrence (offset 12 in the context) is the cited one.
    c = Citation(doc_id="d", title="t", file="f", sentence_index=1, start=512, end=523, text="Cases rose.",
                 context=context, context_start=500)
    assert render.highlight(c) == "Cases rose. <mark>Cases rose.</mark> Cases fell."


def test_highlight_escapes_around_and_inside_the_mark():
    context = "<b>before</b> <i>the sentence</i> <u>after</u>"
    c = citation("<i>the sentence</i>", context, context_start=7)
    html = render.highlight(c)
    assert html == "&lt;b&gt;before&lt;/b&gt; <mark>&lt;i&gt;the sentence&lt;/i&gt;</mark> &lt;u&gt;after&lt;/u&gt;"


def test_highlight_falls_back_when_offsets_are_outside_the_context():
    c = Citation(doc_id="d", title="t", file="f", sentence_index=0, start=5, end=40, text="Cases fell.",
                 context="Cases rose. Cases fell.", context_start=900)
    assert render.highlight(c) == "Cases rose. <mark>Cases fell.</mark>"
    bare = Citation(doc_id="d", title="t", file="f", sentence_index=0, start=0, end=5, text="Alone.")
    assert render.highlight(bare) == "<mark>Alone.</mark>"


# ---- citations ---------------------------------------------------------------------------------


def two_citation_answer() -> Answer:
    a = citation("Authorities rescued 358 victims, including 265 women.", PARAGRAPH, 0, sentence_index=4, page=2)
    b = citation("Many went home.", PARAGRAPH, 0, doc_id="def456", title="Other", file="other.txt")
    return Answer(question="How many victims were rescued?", text="**358** [1] — as also noted [2].",
                  value=358, kind="figure", citations=[a, b])


def test_citations_are_numbered_and_linked_to_their_cards():
    html = turn.render_turn(two_citation_answer(), 2)
    assert '<strong>358</strong>' in html
    links = [attrs["href"] for tag, attrs in tags_of(html) if tag == "a"]
    assert links == ["#rq-2-c1", "#rq-2-c2"]
    ids = [attrs["id"] for tag, attrs in tags_of(html) if attrs.get("class") == "rq-card"]
    assert ids == ["rq-2-c1", "rq-2-c2"]
    assert html.index('[1]</span> <span class="rq-title">Seed report') < html.index('[2]</span> <span class="rq-title">Other')


def test_card_shows_title_file_page_and_one_based_sentence_number():
    html = render.citation_card(two_citation_answer().citations[0], 1, 0)
    assert "Seed report" in html and "seed.md" in html
    assert "page 2" in html
    assert "sentence 5" in html  # sentence_index 4, shown 1-based


def test_markers_are_added_when_the_text_has_none_and_the_figure_is_bolded():
    answer = two_citation_answer()
    answer.text = "Authorities rescued 358 victims."
    html = render.answer_text_html(answer, 0)
    assert "<strong>358</strong>" in html
    assert html.endswith('<a class="rq-ref" href="#rq-0-c1">[1]</a> <a class="rq-ref" href="#rq-0-c2">[2]</a>')


def test_marker_without_a_card_stays_text():
    answer = two_citation_answer()
    answer.text = "**358** [7]"
    assert "[7]" in render.answer_text_html(answer, 0)
    assert "#rq-0-c7" not in render.answer_text_html(answer, 0)


def test_value_missing_from_text_is_put_in_front_in_bold():
    answer = Answer(question="q", text="See the report.", value=1.2, scale="million", unit="$", kind="figure")
    assert render.answer_text_html(answer, 0).startswith("<strong>$1.2 million</strong> — See the report.")


# ---- computed, conflicting and abstaining answers -----------------------------------------------


def test_computed_formula_links_each_operand_to_its_card():
    a = citation("In 2021 there were 3,215 calls.", "In 2021 there were 3,215 calls.", 0)
    b = citation("In 2020 there were 2,760 calls.", "In 2020 there were 2,760 calls.", 50)
    answer = Answer(
        question="What was the change in calls?", text="**16.49%** = (3,215 [1] - 2,760 [2]) / 2,760 [2] × 100",
        value=16.4855, scale="percent", kind="computed", citations=[a, b],
        computation=Computation(
            operation="percent_change", formula="(3,215 [1] - 2,760 [2]) / 2,760 [2] × 100", result=16.4855,
            operands=[Operand(value=3215, text="3,215", citation=1), Operand(value=2760, text="2,760", citation=2)],
        ),
    )
    html = turn.computation_html(answer, 5)
    formula = re.search(r'<code class="rq-formula">(.*?)</code>', html).group(1)
    operand_links = re.findall(r'<a class="rq-operand" href="#(rq-5-c\d)">([\d,.]+) ', formula)
    assert operand_links == [("rq-5-c1", "3,215"), ("rq-5-c2", "2,760"), ("rq-5-c2", "2,760")]
    assert "× 100" in formula and "−" in formula and " - " not in formula  # one minus sign style
    assert "<strong>16.49</strong>" in html
    whole = turn.render_turn(answer, 5)
    assert whole.count('class="rq-formula"') == 1 and whole.count("3,215 <span") == 1  # the formula once
    assert whole.count('id="rq-5-c') == 2
    # the operands are marked inside their sentences on the cards
    assert re.findall(r'<mark class="rq-fig">(.*?)</mark>', whole) == ["3,215", "2,760"]


def test_one_citation_formula_names_it_once():
    c = citation("The helpline received 1,240 calls in 2022, compared with 980 calls in 2021.",
                 "The helpline received 1,240 calls in 2022, compared with 980 calls in 2021.", 0)
    answer = Answer(question="What is the change?", text="**260** = 1,240 [1] − 980 [1] (2022: 1,240 [1], 2021: 980 [1])",
                    value=260, kind="computed", citations=[c],
                    computation=Computation(operation="difference", formula="1,240 [1] − 980 [1]", result=260,
                                            operands=[Operand(value=1240, text="1,240", citation=1),
                                                      Operand(value=980, text="980", citation=1)]))
    html = turn.render_turn(answer, 0)
    answer_line = re.search(r'<div class="rq-answer">(.*?)</div>', html).group(1)
    assert "<strong>260</strong>" in answer_line and "1,240" not in answer_line
    assert html.count(">[1]<") == 2  # one marker after the formula, one card number


def test_conflict_shows_the_values_as_a_table_of_value_source_sentence():
    a = citation("Police dealt with 166 cases.", "Police dealt with 166 cases.", 0)
    b = citation("The report gives 130 cases.", "The report gives 130 cases.", 40, title="Other report",
                 file="other.md")
    answer = Answer(question="How many cases?", text="Sources differ: 166 [1]; 130 [2]. Best match: **166** [1].",
                    value=166, kind="conflict", citations=[a, b],
                    alternatives=[{"value": 130, "text": "130", "citation": 2}])
    html = turn.conflict_html(answer, 0)
    assert re.findall(r"<th>(.*?)</th>", html) == ["value", "source", "sentence"]
    values = re.findall(r'<td class="rq-alt-value">([^<]*)', html)
    assert [v.strip() for v in values] == ["166", "130"]
    assert 'href="#rq-0-c1"' in html and 'href="#rq-0-c2"' in html and "Other report" in html
    assert re.findall(r'<mark class="rq-fig">(.*?)</mark>', html) == ["166", "130"]
    assert html.index("best match") < html.index("130")


def test_abstention_says_so_once_and_never_lists_a_bare_heading():
    rel = citation("Boats are mentioned here.", "Boats are mentioned here.", 0)
    heading = citation("Victims", "Victims", 30)
    answer = Answer(question="How many boats were seized?", text="The reports don't say.", kind="not_found",
                    related=[heading, rel])
    html = turn.render_turn(answer, 1)
    assert "Not found" in html and html.count("The reports don") == 1 and "do not answer" not in html
    assert 'id="rq-1-r1"' in html and "<mark>Boats are mentioned here.</mark>" in html
    assert "<mark>Victims</mark>" not in html and 'id="rq-1-r2"' not in html
    empty = turn.render_turn(Answer(question="q", text="The reports don't say.", kind="not_found"), 0)
    assert empty.count("The reports don") == 1


def test_every_turn_has_its_own_receipt_with_a_copy_button():
    first, second = two_citation_answer(), two_citation_answer()
    html = turn.render_transcript([first, second], ['{"n": 1}', '{"n": "<2>"}'])
    assert html.count('class="rq-copy"') == 2
    assert '<pre id="rq-0-receipt-json">{&quot;n&quot;: 1}</pre>' in html
    assert "&lt;2&gt;" in html and "<2>" not in html


def test_sentence_number_is_one_based_in_card_and_receipt():
    answer = two_citation_answer()
    r = render.receipt(answer, Settings())
    assert r["citations"][0]["sentence_number"] == answer.citations[0].sentence_index + 1
    assert f"sentence {answer.citations[0].sentence_index + 1}" in render.citation_card(answer.citations[0], 1, 0)


def test_transcript_keeps_every_turn_in_order():
    first, second = two_citation_answer(), two_citation_answer()
    second.question = "Second question?"
    html = turn.render_transcript([first, second])
    assert html.index('id="rq-0"') < html.index('id="rq-1"') < html.index("Second question?")
    assert "Ask a question" in turn.render_transcript([])


# ---- receipt ----------------------------------------------------------------------------------


def test_receipt_has_question_answer_offsets_hashes_and_settings():
    answer = two_citation_answer()
    info = DocumentInfo(doc_id="abc123", title="Seed report", source="/x/seed.md", stem="seed", sentences=3,
                        ingested_at="2024-01-01T00:00:00+00:00")
    now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    r = render.receipt(answer, Settings(data_dir="/secret/place"), {"abc123": info}, now=now)
    assert r["question"] == answer.question
    assert r["answer"]["value"] == 358 and r["answer"]["kind"] == "figure"
    c = r["citations"][0]
    assert (c["start"], c["end"], c["context_start"]) == (answer.citations[0].start, answer.citations[0].end, 0)
    assert [d["doc_id"] for d in r["documents"]] == ["abc123", "def456"]
    assert r["documents"][0]["ingested_at"] == "2024-01-01T00:00:00+00:00"
    assert r["settings"]["embed_model"] and "top_k" in r["settings"]
    assert "/secret/place" not in str(r)  # locations are not part of a receipt
    assert r["created_at"] == "2024-05-01T00:00:00+00:00"


@pytest.mark.parametrize("value,scale,unit,expected", [
    (358.0, "", "", "358"), (1234567.0, "", "", "1,234,567"), (57.4, "percent", "", "57.4%"),
    (1.2, "million", "US$", "US$1.2 million"), ([1.0, 2.5], "", "", "1, 2.5"), (None, "", "", ""),
])
def test_format_value(value, scale, unit, expected):
    assert render.format_value(value, scale, unit) == expected


def test_safe_upload_names_stay_inside_the_folder():
    from ui.app import safe_name

    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("my report (final).MD") == "my_report_final.md"
    assert safe_name("<img src=x>.txt") == "img_src_x.txt"
    assert not safe_name(".hidden").startswith(".")  # never a dotfile
