"""Batch evaluation: gold-file problems are reported by line and the rest still runs;
the summary measures what it claims to; the CLI prints JSON and gates on accuracy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.run import SUMMARY_KEYS, gate_failures, run_eval, summarize, ungrounded_numbers
from reportqa import offline
from reportqa.errors import BadInput
from reportqa.models import Answer, Citation, Computation, Operand
from reportqa.settings import Settings
from reportqa.store import Store
from tests.conftest import REPO

SHELTER = (
    "Riverside Shelter Report 2022\n\n"
    "In 2022 the shelter took in 412 people, including 97 children.\n\n"
    "Staff answered 1,250 hotline calls during the year.\n\n"
    "The shelter has 40 beds and employs 12 social workers.\n"
)
HOTLINE = (
    "Hotline Review\n\n"
    "The hotline received 3,800 calls in 2021.\n\n"
    "About 60 percent of the callers were women.\n"
)


def write_jsonl(path: Path, lines: list) -> Path:
    """Write gold lines; a str is written as is (to make malformed lines), anything else as JSON."""
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "shelter-2022.txt").write_text(SHELTER, encoding="utf-8")
    (folder / "hotline-review.txt").write_text(HOTLINE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory, corpus, embedder) -> Settings:
    """The two tiny reports ingested once for this module."""
    from ingest.pipeline import Ingestor

    settings = Settings(data_dir=tmp_path_factory.mktemp("store") / "data")
    results = Ingestor(settings, embedder=embedder).ingest([corpus])
    assert [r.status for r in results] == ["new", "new"]
    return settings


def cite(text: str, doc_id: str = "doc", index: int = 0) -> Citation:
    return Citation(doc_id=doc_id, title="t", file="f.txt", sentence_index=index, start=0, end=len(text), text=text)


class ScriptedQA:
    """A stand-in for QA: answers (or raises) from a script keyed by question."""

    def __init__(self, script: dict):
        self.script = script
        self.asked: list[tuple[str, object]] = []

    def answer(self, question: str, doc=None) -> Answer:
        self.asked.append((question, doc))
        reply = self.script[question]
        if isinstance(reply, Exception):
            raise reply
        return reply


# ---- run_eval with the real QA over a tiny store -----------------------------------------


def test_bad_gold_lines_are_reported_by_line_and_the_rest_runs(tmp_path, tiny_store, embedder):
    from qa.service import QA

    gold = write_jsonl(tmp_path / "mixed.jsonl", [
        {"id": "ok-children", "doc_id": "shelter-2022", "question": "How many children did the shelter take in?",
         "answer": 97, "evidence": "In 2022 the shelter took in 412 people, including 97 children."},
        '{"id": "broken", "question": "How many beds?", ',
        {"id": "no-question", "doc_id": "shelter-2022", "answer": 40},
        {"id": "ghost", "doc_id": "no-such-report", "question": "How many calls?", "answer": 1250},
        {"id": "ok-calls", "doc_id": "hotline-review", "question": "How many calls did the hotline receive in 2021?",
         "answer": 3800},
    ])
    run = run_eval(tiny_store, [gold], qa=QA(tiny_store, embedder=embedder))

    errors = run.summary["errors"]
    assert len(errors) == 3, errors
    assert errors[0].startswith("mixed.jsonl line 2: invalid JSON")
    assert errors[1].startswith("mixed.jsonl line 3:") and "missing 'question'" in errors[1]
    assert errors[2].startswith("mixed.jsonl line 4: unknown doc_id 'no-such-report'")
    assert "'ghost' skipped" in errors[2]
    # The valid questions still ran, each against its own document.
    assert [r.id for r in run.results] == ["ok-children", "ok-calls"]
    assert [r.line for r in run.results] == [1, 5]
    assert run.summary["n"] == 2 and run.summary["skipped"] == 1
    for r in run.results:
        assert r.latency_ms > 0
        assert r.kind in ("figure", "computed", "conflict", "passage", "not_found", "error")
        assert all(c.doc_id == r.citations[0].doc_id for c in r.citations)
    assert set(SUMMARY_KEYS) <= set(run.summary)


def test_corpus_is_ingested_first_and_idempotently(tmp_path, corpus, embedder):
    from qa.service import QA

    settings = Settings(data_dir=tmp_path / "data")
    gold = write_jsonl(tmp_path / "g.jsonl", [
        {"id": "beds", "doc_id": "shelter-2022", "question": "How many beds does the shelter have?", "answer": 40},
    ])
    events: list[tuple[str, int, int]] = []
    qa = QA(settings, embedder=embedder)
    first = run_eval(settings, [gold], corpus=[corpus], qa=qa, progress=lambda *e: events.append(e))
    assert first.summary["errors"] == [] and first.summary["n"] == 1
    assert ("ingest", 2, 2) in events and events[-1] == ("answer", 1, 1)
    again = run_eval(settings, [gold], corpus=[corpus], qa=qa)
    assert again.summary["n"] == 1 and again.summary["errors"] == []


def test_identical_file_under_another_stem_resolves_through_doc_path(tmp_path, embedder):
    # The store keeps one document per content: "second" is stored as "first" (ingested first).
    from ingest.pipeline import Ingestor

    docs = tmp_path / "bench" / "docs"
    docs.mkdir(parents=True)
    for stem in ("first", "second"):
        (docs / f"{stem}.txt").write_text(HOTLINE, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    Ingestor(settings, embedder=embedder).ingest([docs])
    gold = write_jsonl(tmp_path / "bench" / "gold.jsonl", [
        {"id": "via-path", "doc_id": "second", "doc_path": "docs/second.txt", "question": "Calls?", "answer": 3800},
        {"id": "no-path", "doc_id": "second", "question": "Calls?", "answer": 3800},
    ])
    qa = ScriptedQA({"Calls?": Answer(question="q", text="3,800 [1]", value=3800.0, kind="figure",
                                      citations=[cite("The hotline received 3,800 calls in 2021.")])})
    run = run_eval(settings, [gold], qa=qa)
    assert [r.id for r in run.results] == ["via-path"]
    stored = {d.stem: d.doc_id for d in Store(settings).read_manifest().documents.values()}
    assert qa.asked == [("Calls?", stored["first"])]
    assert len(run.summary["errors"]) == 1 and "unknown doc_id 'second'" in run.summary["errors"][0]


def test_missing_gold_file_is_a_clean_error(tmp_path, tiny_store):
    with pytest.raises(BadInput, match="gold file not found"):
        run_eval(tiny_store, [tmp_path / "nope.jsonl"], qa=ScriptedQA({}))


def test_duplicate_id_across_files_is_an_error(tmp_path, tiny_store):
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "q1", "question": "How many beds?", "answer": 40}])
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": "q1", "question": "How many calls?", "answer": 1250}])
    qa = ScriptedQA({"How many beds?": Answer(question="q", text="40 [1]", value=40.0, kind="figure",
                                              citations=[cite("The shelter has 40 beds.")])})
    run = run_eval(tiny_store, [a, b], qa=qa)
    assert [r.id for r in run.results] == ["q1"]
    assert run.summary["errors"] == ["b.jsonl line 1: duplicate id 'q1' (first in a.jsonl line 1)"]


# ---- the summary, with scripted answers ---------------------------------------------------


def test_summary_metrics_from_scripted_answers(tmp_path, tiny_store):
    ev = "In 2022 the shelter took in 412 people, including 97 children."
    gold = write_jsonl(tmp_path / "s.jsonl", [
        {"id": "right-cited", "question": "Q1", "answer": 412, "answer_type": "span", "evidence": ev},
        {"id": "right-uncited", "question": "Q2", "answer": 97, "answer_type": "span", "evidence": ev},
        {"id": "wrong", "question": "Q3", "answer": 40, "answer_type": "span"},
        {"id": "computed", "question": "Q4", "answer": 315, "answer_type": "arithmetic"},
        {"id": "abstain-ok", "question": "Q5", "answer": None, "answer_type": "null"},
        {"id": "abstain-missed", "question": "Q6", "answer": None, "answer_type": "null"},
        {"id": "crash", "question": "Q7", "answer": 12},
    ])
    qa = ScriptedQA({
        "Q1": Answer(question="Q1", text="412 people [1].", value=412.0, kind="figure", citations=[cite(ev)]),
        "Q2": Answer(question="Q2", text="97 children [1].", value=97.0, kind="figure",
                     citations=[cite("Staff answered 1,250 hotline calls during the year.")]),
        "Q3": Answer(question="Q3", text="12 [1].", value=12.0, kind="figure",
                     citations=[cite("The shelter has 40 beds and employs 12 social workers.")]),
        "Q4": Answer(question="Q4", text="412 − 97 = 315 [1].", value=315.0, kind="computed", citations=[cite(ev)],
                     computation=Computation(operation="difference", formula="412 - 97", result=315.0,
                                             operands=[Operand(value=412, text="412", citation=1),
                                                       Operand(value=97, text="97", citation=1)])),
        "Q5": Answer(question="Q5", text="The reports don't say.", kind="not_found"),
        "Q6": Answer(question="Q6", text="About 500 [1].", value=500.0, kind="figure", citations=[cite(ev)]),
        "Q7": BadInput("the question has no words or numbers in it"),
    })
    run = run_eval(tiny_store, [gold], qa=qa)
    s = run.summary
    assert (s["n"], s["correct"]) == (7, 4)
    assert s["accuracy"] == round(4 / 7, 4)
    assert s["by_type"]["span"] == {"n": 3, "correct": 2, "accuracy": round(2 / 3, 4)}
    assert s["by_type"]["arithmetic"]["correct"] == 1 and s["by_type"]["null"]["n"] == 2
    assert s["by_type"]["untyped"]["n"] == 1
    # Of the two correct answers with gold evidence, one cites it.
    assert (s["citation_hit"], s["citation_hit_n"]) == (0.5, 2)
    # Five answers gave a value; two cite nothing that says their number (97, 500).
    assert (s["grounded"], s["grounded_n"]) == (0.6, 5)
    assert [r.id for r in run.results if r.grounded is False] == ["right-uncited", "abstain-missed"]
    assert (s["abstain_correct"], s["abstain_n"]) == (0.5, 2)
    assert s["question_errors"] == 1
    crash = run.results[-1]
    assert not crash.correct and crash.kind == "error" and "no words or numbers" in crash.error
    assert s["p50_ms"] is not None and s["p95_ms"] >= s["p50_ms"]
    assert s["files"] == [str(gold)]


def test_empty_run_measures_nothing_and_fails_every_gate():
    s = summarize([], [], [])
    assert s["n"] == 0 and s["accuracy"] is None and s["p50_ms"] is None
    assert gate_failures(s, {"min_accuracy": 0.0}) == ["accuracy not measured (limit min 0.0)"]
    assert gate_failures({"accuracy": 0.9, "p95_ms": 50}, {"min_accuracy": 0.5, "max_p95_ms": 40}) == [
        "p95_ms 50.0000 > 40"
    ]


def test_grounding_check_flags_numbers_nobody_cited():
    good = Answer(question="q", text="The shelter took in 412 people [1].", value=412.0, kind="figure",
                  citations=[cite("In 2022 the shelter took in 412 people, including 97 children.")])
    bad = good.model_copy(update={"text": "The shelter took in 413 people [1]."})
    assert ungrounded_numbers(good) == []
    assert [float(x) for x in ungrounded_numbers(bad)] == [413.0]


# ---- the CLI, in a subprocess ------------------------------------------------------------


def cli(args: list[str], data_dir: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    # A wide COLUMNS: rich wraps stderr at 80 columns when it is not a terminal.
    env = offline.child_env(REPORTQA_DATA_DIR=str(data_dir), COLUMNS="400")
    return subprocess.run([sys.executable, "-m", "ui", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=timeout)


def test_cli_json_summary_and_min_accuracy_gate(tmp_path, corpus):
    # Gold answers no report contains: accuracy is 0 whatever the engine does.
    gold = write_jsonl(tmp_path / "impossible.jsonl", [
        {"id": "beds", "doc_id": "shelter-2022", "question": "How many beds does the shelter have?",
         "answer": 987654},
        {"id": "calls", "doc_id": "hotline-review", "question": "How many calls did the hotline receive in 2021?",
         "answer": 876543},
    ])
    data = tmp_path / "data"
    failing = cli(["eval", str(gold), "--corpus", str(corpus), "--json", "--min-accuracy", "0.5",
                   "--out", str(tmp_path / "out")], data)
    assert failing.returncode == 1, failing.stderr
    summary = json.loads(failing.stdout)  # the whole of stdout is one JSON object
    assert set(SUMMARY_KEYS) <= set(summary)
    assert summary["n"] == 2 and summary["accuracy"] == 0.0 and summary["errors"] == []
    assert "below --min-accuracy 0.5" in failing.stderr
    assert (tmp_path / "out" / "report.html").is_file()

    passing = cli(["eval", str(gold), "--json", "--min-accuracy", "0"], data)
    assert passing.returncode == 0, passing.stderr
    assert json.loads(passing.stdout)["n"] == 2


def test_cli_library_error_is_one_clean_line(tmp_path):
    result = cli(["eval", str(tmp_path / "missing.jsonl")], tmp_path / "data", timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: gold file not found"), result.stderr


def test_cli_compare_needs_two_folders(tmp_path):
    result = cli(["eval", "--compare", str(tmp_path)], tmp_path / "data", timeout=120)
    assert result.returncode == 2 and "two result folders" in result.stderr
