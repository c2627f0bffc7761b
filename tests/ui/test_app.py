"""Wiring tests for ui/app.py with a fake QA: no model, no server, no browser."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import pytest

from reportqa.errors import BadInput
from reportqa.models import Answer, Citation, IngestResult
from reportqa.settings import Settings
from ui.app import Backend, build_app, parse_auth, queue_options
from ui.errors import INTERNAL_ERROR

SENTENCE = "Authorities rescued 358 victims, including 265 women."


class FakeQA:
    """Answers one question; 'empty' is refused like QA does; 'crash' is a bug."""

    def __init__(self):
        self.calls: list[tuple[str, object]] = []
        self.histories: list[object] = []

    def answer(self, question: str, doc=None, history=None) -> Answer:
        self.calls.append((question, doc))
        self.histories.append(history)
        if question == "empty":
            raise BadInput("the question is empty")
        if question == "crash":
            raise RuntimeError("/secret/path/internal.py exploded")
        cite = Citation(doc_id="0123456789abcdef", title="Seed", file="seed.md", sentence_index=0,
                        start=10, end=10 + len(SENTENCE), text=SENTENCE, context="Preamble. " + SENTENCE,
                        context_start=0)
        return Answer(question=question, text="**358** [1]", value=358, kind="figure", citations=[cite])


@pytest.fixture
def app(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", queue_size=5, concurrency=2)
    qa = FakeQA()
    return build_app(settings, qa=qa), qa


def handler(demo: gr.Blocks, name: str):
    """The Python function behind an event, found by function or API name."""
    for f in demo.fns.values():
        if f.api_name == name or getattr(f.fn, "__name__", "") == name:
            return f.fn
    raise KeyError(name)


def test_queue_size_and_concurrency_come_from_settings(app):
    demo, _ = app
    # The limits themselves are exercised against a live server by tests/ui/test_load.py.
    assert demo.enable_queue
    assert queue_options(Settings(queue_size=5, concurrency=2)) == {"max_size": 5, "default_concurrency_limit": 2}


def test_only_ask_is_a_public_api_endpoint(app):
    demo, _ = app
    public = [f.api_name for f in demo.fns.values() if f.api_visibility == "public"]
    assert public == ["ask"]


def test_ask_api_returns_answer_json_and_passes_the_document_filter(app):
    demo, qa = app
    data = handler(demo, "ask")("How many?", ["seed"])
    assert data["kind"] == "figure" and data["value"] == 358
    c = data["citations"][0]
    assert c["context"][c["start"] - c["context_start"]:c["end"] - c["context_start"]] == SENTENCE
    assert qa.calls[-1] == ("How many?", ["seed"])
    json.dumps(data)  # plain JSON, no pydantic objects


def test_library_errors_become_clean_gr_errors(app):
    demo, _ = app
    with pytest.raises(gr.Error) as e:
        handler(demo, "ask")("empty")
    assert e.value.message == "the question is empty"
    with pytest.raises(gr.Error) as e:
        handler(demo, "ask")("crash")
    assert e.value.message == INTERNAL_ERROR  # no paths or tracebacks leak to the browser


def test_chat_appends_to_history_and_an_error_leaves_it_alone(app):
    demo, _ = app
    on_ask = handler(demo, "on_ask")
    history, receipts, html, cleared, note = on_ask("How many victims?", [], [], [])
    assert len(history) == 1 and len(receipts) == 1 and cleared == "" and note == ""
    assert "<mark>" + SENTENCE.replace("358", '<mark class="rq-fig">358</mark>') + "</mark>" in html
    r = json.loads(receipts[0])
    assert r["question"] == "How many victims?" and r["documents"][0]["doc_id"] == "0123456789abcdef"
    assert 'class="rq-copy"' in html  # the turn carries its own receipt
    # A refused question: one inline note, nothing else changes (no toast, no error pills).
    for bad, said in (("   ", "Type a question first."), ("empty", "the question is empty"), ("crash", INTERNAL_ERROR)):
        out = on_ask(bad, [], history, receipts)
        assert all(isinstance(o, type(gr.skip())) for o in out[:4]) and said in out[4]
    assert "/secret" not in on_ask("crash", [], history, receipts)[4]
    history2, receipts2, html2, _, _ = on_ask("Again?", None, history, receipts)
    assert len(history2) == 2 and len(receipts2) == 2 and html2.index("How many victims?") < html2.index("Again?")
    assert html2.count('class="rq-copy"') == 2


def test_uploads_are_checked_against_extension_and_size_before_ingesting(tmp_path):
    class FakeIngestor:
        progress = None

        def __init__(self):
            self.paths = []

        def ingest(self, paths):
            self.paths += paths
            for _ in paths:
                self.progress("file", 1)
            return [IngestResult(path=str(p), status="new", sentences=1) for p in paths]

    settings = Settings(data_dir=tmp_path / "data", upload_max_mb=0.001)  # about 1 KB
    ing = FakeIngestor()
    backend = Backend(settings, qa=FakeQA(), ingestor=ing)
    small = tmp_path / "small report.md"
    small.write_text("# Small\n\nTen boats.\n")
    big = tmp_path / "big.txt"
    big.write_text("x" * 5000)
    exe = tmp_path / "tool.exe"
    exe.write_text("MZ")
    seen = []
    results = backend.upload([str(small), str(big), str(exe)], seen.append)
    status = {r.path.rsplit("/", 1)[-1]: r.status for r in results}
    assert status == {"big.txt": "failed", "tool.exe": "skipped", "small_report.md": "new"}
    assert [p.name for p in ing.paths] == ["small_report.md"]
    assert ing.paths[0].parent == (tmp_path / "data" / "uploads").resolve()
    assert seen == [1]


def test_parse_auth():
    assert parse_auth("ann:s3cr:et") == ("ann", "s3cr:et")
    assert parse_auth(None) is None
    with pytest.raises(BadInput):
        parse_auth("nopassword")


def test_evaluation_tab_lists_only_runnable_gold_files_and_says_what_the_others_need(app, tmp_path):
    demo, qa = app
    from ui.evaluation import bundled_gold_files

    assert "examples.jsonl" in bundled_gold_files()
    pick, needs = handler(demo, "refresh")()
    # The fake store is empty: no bundled file can run, and each says which reports it needs.
    assert pick.choices == [] and "examples.jsonl" in needs and "cambodia-trafficking-2021-brief" in needs
    with pytest.raises(gr.Error, match="None of its questions can run: add .*cambodia"):
        handler(demo, "on_run")("examples.jsonl", None)


def test_evaluation_tab_runs_a_gold_file_and_puts_a_one_line_summary_on_top(app, tmp_path):
    demo, qa = app
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "manifest.json").write_text(json.dumps({"generation": 1, "documents": {"0123456789abcdef": {
        "doc_id": "0123456789abcdef", "title": "Seed", "source": "/r/seed.md", "stem": "seed", "sentences": 1,
        "ingested_at": "2024-01-01T00:00:00+00:00"}}}), encoding="utf-8")
    gold = tmp_path / "mine.jsonl"
    gold.write_text(json.dumps({"id": "q1", "question": "How many victims?", "answer": 358,
                                "evidence": [SENTENCE]}) + "\n", encoding="utf-8")
    line, chart, latency, rows, summary, files = handler(demo, "on_run")(None, str(gold))
    assert line.startswith("**Accuracy 100.0%** (1 of 1)") and "skipped" not in line
    assert chart.value["path"].endswith("accuracy_by_type.png") and chart.visible and latency.visible
    assert rows == [["correct", "How many victims?", "358", "358", rows[0][4]]]
    assert ["questions", "1"] in summary
    names = [Path(f).name for f in files]
    assert names[:4] == ["summary.json", "results.csv", "report.html", "accuracy_by_type.png"]
    assert all(Path(f).is_relative_to((tmp_path / "data" / "eval-runs").resolve()) for f in files)


def test_removing_an_uploaded_document_deletes_its_copy(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    uploaded = (tmp_path / "data" / "uploads").resolve()
    uploaded.mkdir(parents=True)
    (uploaded / "a.md").write_text("x")

    class FakeIngestor:
        def remove(self, ref):
            from reportqa.models import DocumentInfo

            return DocumentInfo(doc_id=ref, title="A", source=str(uploaded / "a.md"), stem="a", sentences=1,
                                ingested_at="now")

    info = Backend(settings, qa=FakeQA(), ingestor=FakeIngestor()).remove("abc")
    assert info.doc_id == "abc" and not (uploaded / "a.md").exists()


def test_ask_api_keeps_one_history_per_session_id(app):
    demo, qa = app
    ask = handler(demo, "ask")
    ask("q1", None, "alice")
    ask("q1", None, "bob")
    ask("q2", None, "alice")
    ask("plain", None)
    lengths = [None if h is None else len(h) for h in qa.histories]
    assert lengths == [0, 0, 1, None]  # bob's first turn did not see alice's; no session = single turn
    assert [a.question for a in qa.histories[2]] == ["q1"]


def test_chat_passes_the_thread_and_reask_starts_from_no_history(app):
    demo, qa = app
    history, receipts, _, _, _ = handler(demo, "on_ask")("How many victims?", [], [], [])
    handler(demo, "on_ask")("And in 2021?", ["seed"], history, receipts)
    assert len(qa.histories[-1]) == 1 and qa.calls[-1] == ("And in 2021?", ["seed"])
    history2, _, html, cleared, _ = handler(demo, "on_reask")("How many victims in 2021?", ["seed"], history, receipts)
    assert qa.histories[-1] == [] and len(history2) == 2 and cleared == ""
    assert handler(demo, "on_clear")()[0] == []
