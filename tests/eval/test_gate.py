"""The CI gate: accuracy on each gold set must reach the floor set in eval/thresholds.toml.

The team gold set runs over a temp store holding only ../shared/reports (small);
the benchmarks run over the session's `bench_store`. Every gate also checks that
the gold file loaded cleanly and that every question was asked, so a broken gold
file or an empty store can never pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.gold import load_gold
from eval.run import EvalRun, gate_failures, load_thresholds, run_eval
from reportqa.settings import Settings
from tests.conftest import EXAMPLES, REPO, SHARED

GOLD = REPO / "eval" / "gold"
TATQA_DEV = SHARED / "benchmarks" / "tatqa" / "tatqa_text.dev.jsonl"
DROP_DEV = SHARED / "benchmarks" / "drop" / "drop_num.dev.jsonl"


def evaluate(settings: Settings, embedder, gold: Path, corpus: list[Path] | None = None) -> EvalRun:
    from qa.service import QA

    return run_eval(settings, [gold], corpus=corpus, qa=QA(settings, embedder=embedder))


def assert_gate(run: EvalRun, gold: Path, section: str) -> None:
    """Every question asked, no data errors, and every limit of `section` met."""
    expected = len(load_gold(gold)[0])
    s = run.summary
    assert expected > 0 and s["n"] == expected, f"asked {s['n']} of {expected} questions"
    assert s["errors"] == [], s["errors"][:5]
    failures = gate_failures(s, load_thresholds(section))
    misses = [f"{r.id}: gold {r.gold}, got {r.predicted} ({r.reason})" for r in run.results if not r.correct]
    figures = f"accuracy {s['accuracy']} ({s['correct']}/{s['n']}), by type {s['by_type']}"
    assert not failures, f"[{section}] {'; '.join(failures)}; {figures}; first misses: {misses[:8]}"


def test_thresholds_are_read_and_applied(tmp_path):
    # A gate built from a thresholds file: a floor and a ceiling, each broken once.
    path = tmp_path / "thresholds.toml"
    path.write_text("[demo]\nmin_accuracy = 0.9\nmax_p95_ms = 100\nnote = 'ignored'\n", encoding="utf-8")
    limits = load_thresholds("demo", path)
    assert limits == {"min_accuracy": 0.9, "max_p95_ms": 100}
    assert gate_failures({"accuracy": 0.95, "p95_ms": 50}, limits) == []
    assert gate_failures({"accuracy": 0.5, "p95_ms": 150}, limits) == ["accuracy 0.5000 < 0.9", "p95_ms 150.0000 > 100"]
    assert gate_failures({"accuracy": None, "p95_ms": 50}, limits) == ["accuracy not measured (limit min 0.9)"]
    for section in ("sar_kheng", "examples", "tatqa_text_dev", "drop_num_dev"):
        assert "min_accuracy" in load_thresholds(section), section


def test_team_gold_files_are_clean():
    for name, low, high in (("sar_kheng.jsonl", 35, 45), ("examples.jsonl", 12, 20),
                            ("sar_kheng_fresh.jsonl", 25, 35), ("examples_fresh.jsonl", 25, 35)):
        items, errors = load_gold(GOLD / name)
        assert errors == [] and low <= len(items) <= high, name
        assert all(i.answer_type in ("span", "arithmetic", "count", "null") for i in items)
        assert all(i.evidence or i.expects_abstention for i in items), name


def test_gate_examples(tmp_path, embedder):
    gold = GOLD / "examples.jsonl"
    run = evaluate(Settings(data_dir=tmp_path / "data"), embedder, gold, corpus=[EXAMPLES])
    assert_gate(run, gold, "examples")


def test_gate_conversations(tmp_path, embedder):
    gold = GOLD / "conversations.jsonl"
    run = evaluate(Settings(data_dir=tmp_path / "data"), embedder, gold, corpus=[EXAMPLES])
    assert_gate(run, gold, "conversations")
    by_type = run.summary["by_type"]
    assert set(by_type) == {"first", "follow-up"} and by_type["follow-up"]["n"] >= 25


def test_gate_examples_fresh_wording(tmp_path, embedder):
    gold = GOLD / "examples_fresh.jsonl"
    run = evaluate(Settings(data_dir=tmp_path / "data"), embedder, gold, corpus=[EXAMPLES])
    assert_gate(run, gold, "examples_fresh")


@pytest.mark.shared
def test_gate_sar_kheng_fresh_wording(tmp_path, embedder):
    gold = GOLD / "sar_kheng_fresh.jsonl"
    run = evaluate(Settings(data_dir=tmp_path / "data"), embedder, gold, corpus=[SHARED / "reports"])
    assert_gate(run, gold, "sar_kheng_fresh")


@pytest.mark.shared
def test_gate_sar_kheng(tmp_path, embedder):
    gold = GOLD / "sar_kheng.jsonl"
    run = evaluate(Settings(data_dir=tmp_path / "data"), embedder, gold, corpus=[SHARED / "reports"])
    assert_gate(run, gold, "sar_kheng")


@pytest.mark.shared
def test_gate_tatqa_text_dev(bench_store, embedder):
    run = evaluate(bench_store, embedder, TATQA_DEV)
    assert_gate(run, TATQA_DEV, "tatqa_text_dev")


@pytest.mark.shared
def test_gate_drop_num_dev(bench_store, embedder):
    run = evaluate(bench_store, embedder, DROP_DEV)
    assert_gate(run, DROP_DEV, "drop_num_dev")


TATQA_TABLE_DEV = SHARED / "benchmarks" / "tatqa" / "tatqa_table.dev.jsonl"
REALWORLD_DEV = SHARED / "benchmarks" / "realworld_dev" / "realworld.dev.jsonl"


@pytest.mark.shared
def test_gate_realworld_dev(tmp_path, embedder):
    run = evaluate(Settings(data_dir=tmp_path / "data"), embedder, REALWORLD_DEV,
                   corpus=[REALWORLD_DEV.parent / "docs"])
    assert_gate(run, REALWORLD_DEV, "realworld_dev")


def test_gate_tables(tmp_path, embedder):
    from eval.table_fixtures import write_fixtures

    gold = GOLD / "tables.jsonl"
    write_fixtures(tmp_path / "fixtures")
    run = evaluate(Settings(data_dir=tmp_path / "data"), embedder, gold, corpus=[tmp_path / "fixtures"])
    assert_gate(run, gold, "tables")


@pytest.mark.shared
def test_gate_tatqa_table_dev(bench_store, embedder):
    run = evaluate(bench_store, embedder, TATQA_TABLE_DEV)
    assert_gate(run, TATQA_TABLE_DEV, "tatqa_table_dev")
