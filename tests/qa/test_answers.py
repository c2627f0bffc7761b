"""Answers over the project's example reports: figures, computations, conflicts, abstention,
offsets, and the grounding gate as a property over generated questions."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from qa.grounding import UngroundedAnswer, check_grounded, ungrounded_numbers
from qa.service import QA
from reportqa.models import Answer, Citation, Computation, Operand
from reportqa.settings import Settings
from tests.conftest import EXAMPLES, REPO


@pytest.fixture(scope="module")
def examples_qa(tmp_path_factory, embedder):
    from ingest.pipeline import Ingestor

    settings = Settings(data_dir=tmp_path_factory.mktemp("examples") / "data")
    results = Ingestor(settings, embedder=embedder).ingest([EXAMPLES])
    assert results and all(r.status == "new" for r in results)
    return QA(settings, embedder=embedder)


def assert_offsets(qa: QA, answer: Answer) -> None:
    store = qa.reader.store
    for c in answer.citations:
        text = store.load_document(c.doc_id).document.text
        assert text[c.start:c.end] == c.text
        assert c.context[c.start - c.context_start:c.end - c.context_start] == c.text


def test_seed_question_cites_the_sentence(examples_qa):
    a = examples_qa.answer("How many victims did the authorities rescue?")
    assert a.kind == "figure" and a.value == 358
    assert "358" in a.citations[0].text and "358" in a.text
    assert_offsets(examples_qa, a)


def test_paraphrase_and_part_of_a_listing(examples_qa):
    a = examples_qa.answer("How many female victims were saved?")
    assert a.value == 265
    assert "265" in a.citations[0].text


def test_number_word_is_found(examples_qa):
    a = examples_qa.answer("How many rescued victims were sent to the Department of Social Affairs?")
    assert a.value == 38
    assert "thirty-eight" in a.citations[0].text.lower()


def test_computed_difference_shows_cited_operands(examples_qa):
    a = examples_qa.answer("How many fewer cases were there in 2022 than in 2021?")
    assert a.kind == "computed" and a.value == 193
    assert a.computation is not None and [o.value for o in a.computation.operands] == [359, 166]
    for o in a.computation.operands:
        cited = a.citations[o.citation - 1].text
        assert str(int(o.value)) in cited.replace(",", "")
    assert_offsets(examples_qa, a)


def test_conflicting_sources_are_shown_side_by_side(examples_qa):
    a = examples_qa.answer("How many victims were rescued in 2022?")
    assert a.kind == "conflict"
    values = {a.value} | {alt["value"] for alt in a.alternatives}
    assert len(values) >= 2 and 341 in values
    assert "Sources differ" in a.text and len(a.citations) >= 2


def test_unknown_period_abstains_with_related_sentences(examples_qa):
    a = examples_qa.answer("How many victims were rescued in 2019?")
    assert a.kind == "not_found" and a.value is None
    assert a.related and "don't say" in a.text


def test_unknown_measure_abstains(examples_qa):
    a = examples_qa.answer("How many suspects were convicted of murder?")
    assert a.kind == "not_found"


def test_doc_filter_restricts_citations(examples_qa):
    manifest = examples_qa.reader.snapshot().manifest
    ngo = manifest.resolve("ngo-shelter-annual-2022")
    a = examples_qa.answer("How many victims were rescued in 2022?", doc="ngo-shelter-annual-2022")
    assert a.citations and {c.doc_id for c in a.citations} == {ngo.doc_id}


def test_passage_question_quotes_sentences(examples_qa):
    a = examples_qa.answer("Who is the permanent vice-chair of the committee?")
    assert a.kind == "passage" and a.citations
    assert any("Chou Bun Eng" in c.text for c in a.citations)


def test_grounding_gate_rejects_invented_numbers():
    cit = Citation(doc_id="d", title="t", file="f", sentence_index=0, start=0, end=10, text="Police arrested 149 suspects.")
    good = Answer(question="q", text="**149** [1]", value=149, kind="figure", citations=[cit])
    assert ungrounded_numbers(good) == []
    bad = Answer(question="q", text="**150** [1]", value=150, kind="figure", citations=[cit])
    assert ungrounded_numbers(bad) == [150.0]
    with pytest.raises(UngroundedAnswer):
        check_grounded(bad)


def test_a_cited_table_row_grounds_the_years_of_its_column_headers():
    # "2018: $(2,694)" labels an operand by the column it sits in; the row itself states no year.
    row = "| Operating activities | $(426) | $(2,694) | $14,314 |"
    text = "**11,194** = 14,314 [1] + -2,694 [1] + -426 [1] (2017: $14,314 [1], 2018: $(2,694) [1], 2019: $(426) [1])"
    bare = Citation(doc_id="d", title="t", file="f", sentence_index=0, start=0, end=len(row), text=row)
    computation = Computation(operation="sum", formula="14,314 [1] + -2,694 [1] + -426 [1]", result=11194,
                              operands=[Operand(value=v, text=str(v), citation=1) for v in (14314, -2694, -426)])
    answer = Answer(question="What was the total between 2017 and 2019?", text=text, value=11194, kind="computed",
                    citations=[bare], computation=computation)
    assert ungrounded_numbers(answer) == [2018.0]
    headed = bare.model_copy(update={"table_header": ["", "2019", "Years Ended December 31, 2018", "2017"]})
    assert ungrounded_numbers(answer.model_copy(update={"citations": [headed]})) == []


def _corpus_words(qa: QA) -> tuple[list[str], list[int]]:
    snap = qa.reader.snapshot()
    words, years = set(), set()
    for s in snap.sentences.values():
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", s.text))
        years.update(int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", s.text))
    return sorted(words), sorted(years)


TEMPLATES = [
    "How many {a} {b} were there?", "What was the {a} {b} in {y}?", "How much {a} did {b} report in {y}?",
    "What percentage of {a} were {b}?", "How many more {a} in {y} than in {y2}?", "What is the total {a} and {b}?",
    "How many years between the {a} and the {b}?", "How many yards was the longest {a}?",
    "Which year had more {a}?", "Who {a} the {b}?",
]


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_answer_contains_an_ungrounded_number(examples_qa, data):
    words, years = _corpus_words(examples_qa)
    template = data.draw(st.sampled_from(TEMPLATES))
    q = template.format(
        a=data.draw(st.sampled_from(words)), b=data.draw(st.sampled_from(words)),
        y=data.draw(st.sampled_from(years)), y2=data.draw(st.sampled_from(years)),
    )
    answer = examples_qa.answer(q)  # check_grounded runs inside; it raises on a bug
    assert ungrounded_numbers(answer) == []
    if answer.kind != "not_found":
        assert answer.citations


@pytest.mark.shared
def test_grounding_over_benchmark_questions(bench_store, embedder):
    """Every benchmark question's answer passes the grounding gate (no exceptions)."""
    from eval.gold import load_gold
    from tests.conftest import SHARED

    qa = QA(bench_store, embedder=embedder)
    rng = random.Random(7)
    items = []
    for f in ("tatqa/tatqa_text.dev.jsonl", "drop/drop_num.dev.jsonl"):
        got, errors = load_gold(SHARED / "benchmarks" / f)
        assert not errors
        items += rng.sample(got, 60)
    answered = 0
    for item in items:
        a = qa.answer(item.question, doc=item.doc_id)
        assert ungrounded_numbers(a) == []
        answered += a.kind != "not_found"
    assert answered > len(items) // 2


def test_cli_ask_json_has_offsets(examples_qa):
    env_dir = examples_qa.settings.data_dir
    cmd = [str(Path(sys.executable).parent / "reportqa"), "ask", "How many victims did the authorities rescue?",
           "--json", "--data-dir", str(env_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["value"] == 358
    c = answer["citations"][0]
    assert c["end"] > c["start"] >= 0 and "358" in c["text"]
