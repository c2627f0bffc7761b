"""Report files: everything is written, charts are real PNGs, text is escaped, and
`--compare` lists the questions that flipped between two runs."""

from __future__ import annotations

import csv
import json
import struct
from pathlib import Path

import pytest

from eval.compare import compare_runs
from eval.report import FILES, write_report
from eval.run import SUMMARY_KEYS, run_eval
from reportqa.models import Answer
from reportqa.settings import Settings
from tests.eval.test_run import ScriptedQA, cite, cli, write_jsonl

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EVIDENCE = "In 2022 the shelter took in 412 people, including 97 children."
HOSTILE = "How many <script>alert('x')</script> people & children?"

GOLD = [
    {"id": "people", "question": "How many people?", "answer": 412, "answer_type": "span", "evidence": EVIDENCE},
    {"id": "children", "question": "How many children?", "answer": 97, "answer_type": "span"},
    {"id": "hostile", "question": HOSTILE, "answer": 509, "answer_type": "arithmetic"},
    {"id": "nothing", "question": "How many in 2019?", "answer": None, "answer_type": "null"},
]


def figure(value: float, sentence: str = EVIDENCE) -> Answer:
    return Answer(question="q", text=f"{value:g} [1]", value=value, kind="figure", citations=[cite(sentence)])


def scripted(children: float, people: float = 412) -> ScriptedQA:
    return ScriptedQA({
        "How many people?": figure(people),
        "How many children?": figure(children),
        HOSTILE: Answer(question="q", text="<b>412</b> [1]", value=412.0, kind="figure",
                        citations=[cite("A <dangerous> & unescaped sentence with 412 in it.")]),
        "How many in 2019?": Answer(question="q", text="The reports don't say.", kind="not_found"),
    })


@pytest.fixture
def empty_store(tmp_path) -> Settings:
    # Gold without doc_id needs no documents: the scripted QA answers everything.
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def written(tmp_path, empty_store) -> tuple[Path, dict]:
    gold = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    run = run_eval(empty_store, [gold], qa=scripted(children=97))
    return tmp_path / "out", write_report(run, tmp_path / "out")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_all_files_are_written(written):
    out, paths = written
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert all(paths[name].stat().st_size > 0 for name in FILES)


def test_charts_are_real_pngs_drawn_by_matplotlib(written):
    out, _ = written
    for name in ("accuracy_by_type.png", "latency.png"):
        assert png_size(out / name) == (700, 400)
        # A blank canvas compresses to ~2 kB; bars, labels and axes take far more.
        assert (out / name).stat().st_size > 10_000, name


def test_results_jsonl_and_csv_have_one_row_per_question(written):
    out, _ = written
    records = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["people", "children", "hostile", "nothing"]
    assert records[0]["citations"][0]["text"] == EVIDENCE and records[0]["citation_hit"] is True
    with open(out / "results.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    for column in ("question", "gold", "predicted", "verdict", "kind", "cited_sentences", "latency_ms"):
        assert column in header
    assert len(body) == 4
    row = dict(zip(header, body[2]))
    assert (row["question"], row["gold"], row["predicted"], row["verdict"]) == (HOSTILE, "509", "412", "wrong")
    assert dict(zip(header, body[3]))["gold"] == "null"


def test_summary_json_has_every_key(written):
    out, _ = written
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(SUMMARY_KEYS) <= set(summary)
    assert (summary["n"], summary["correct"]) == (4, 3)


def test_html_escapes_text_puts_failures_first_and_embeds_charts(written):
    out, _ = written
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<dangerous>" not in page and "<b>412</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "A &lt;dangerous&gt; &amp; unescaped" in page
    assert page.index("hostile") < page.index("How many people?")
    assert page.count("src='data:image/png;base64,") == 2
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.index("hostile") < md.index("How many people?")
    assert "accuracy_by_type.png" in md and "latency.png" in md


def test_compare_lists_flipped_questions(tmp_path, empty_store):
    gold = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    write_report(run_eval(empty_store, [gold], qa=scripted(children=97, people=400)), tmp_path / "old")
    write_report(run_eval(empty_store, [gold], qa=scripted(children=98, people=412)), tmp_path / "new")

    cmp = compare_runs(tmp_path / "old", tmp_path / "new")
    assert [f.id for f in cmp.regressed] == ["children"]
    assert [f.id for f in cmp.fixed] == ["people"]
    assert (cmp.regressed[0].old_predicted, cmp.regressed[0].new_predicted) == (97.0, 98.0)
    assert cmp.common == 4 and cmp.old_accuracy == cmp.new_accuracy == 0.5

    shown = cli(["eval", "--compare", str(tmp_path / "old"), str(tmp_path / "new")], tmp_path / "data")
    assert shown.returncode == 0, shown.stderr
    assert "children" in shown.stdout and "people" in shown.stdout and "hostile" not in shown.stdout
    assert "correct → wrong" in shown.stdout and "wrong → correct" in shown.stdout
    as_json = cli(["eval", "--compare", "--json", str(tmp_path / "old"), str(tmp_path / "new")], tmp_path / "data")
    data = json.loads(as_json.stdout)
    assert [f["id"] for f in data["regressed"]] == ["children"] and [f["id"] for f in data["fixed"]] == ["people"]


def test_compare_rejects_a_folder_without_results(tmp_path):
    shown = cli(["eval", "--compare", str(tmp_path), str(tmp_path)], tmp_path / "data", timeout=120)
    assert shown.returncode == 2 and "no results.jsonl" in shown.stderr
