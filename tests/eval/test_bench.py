"""`reportqa bench`: a quick run completes and its figures are sane (not how fast they are)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from eval.bench import TARGETS
from eval.bench_corpus import Corpus, make_questions, vary_numbers
from tests.conftest import REPO


def test_vary_numbers_keeps_years_and_format():
    rng = random.Random(1)
    text = "In 2019 revenue was $1,234.5 million (2018: 987), up 12.5% over 31 March; note 07."
    out = vary_numbers(text, rng)
    assert out != text
    assert "In 2019 " in out and "(2018: " in out  # years stay
    assert out.count(",") == text.count(",") and out.count(".") == text.count(".")
    # Seeded: the same seed gives the same text.
    assert vary_numbers(text, random.Random(1)) == out


def test_questions_are_varied_and_seeded(tmp_path):
    corpus = Corpus(folder=tmp_path, origin="test", target=0)
    corpus.prose = [
        "In 2022 the shelter took in 412 people, including 97 children.",
        "Police arrested 52 suspects and rescued 301 victims of trafficking in 2021.",
        "Net revenue from subscription services increased by 8% compared with fiscal 2019.",
    ]
    corpus.rows = [("Cost of revenue", ["2019", "2018"])]
    qs = make_questions(corpus, 40, random.Random(3))
    assert len(qs) == len(set(qs)) >= 30
    assert all(q.endswith("?") for q in qs)
    assert make_questions(corpus, 40, random.Random(3)) == qs


def test_quick_bench_runs_and_reports_sane_figures(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "ui", "bench", "--quick", "--json", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert json.loads(out.read_text()) == result

    assert result["quick"] is True
    assert result["machine"]["cpu_count"] >= 1 and result["machine"]["torch_threads"] >= 1
    assert result["encode_raw"]["sentences_per_s"] > 0
    ingest = result["ingest"]
    assert ingest["sentences"] >= 1500 and not ingest["failures"]
    assert ingest["sentences_per_s"] > 0 and ingest["ratio_to_raw"] > 0

    lat = result["latency"]
    assert lat["questions"] >= 200
    for which in ("baseline", "answer"):
        assert lat[which]["n"] == lat["questions"]
        assert lat[which]["p95_ms"] >= lat[which]["p50_ms"] > 0
    assert lat["answer"]["errors"] == 0
    assert lat["baseline"]["mean_results"] > 0
    assert lat["ratio_p50"] > 0 and lat["ratio_p95"] > 0
    assert lat["store_sentences"] == ingest["sentences"]

    cold = result["cold_start"]
    assert cold["exit_code"] == 0 and cold["seconds"] > 0 and cold["kind"]
    assert result["memory"]["peak_rss_mb"] > 0 and result["memory"]["peak_rss_mb_self"] > 0

    assert set(result["targets"]) == set(TARGETS)
    for name, t in result["targets"].items():
        op, limit, _ = TARGETS[name]
        assert t["value"] is not None
        assert t["met"] == (t["value"] >= limit if op == ">=" else t["value"] <= limit), name


@pytest.mark.parametrize("bad", [["--sentences", "5"]])
def test_bench_rejects_bad_options(bad):
    proc = subprocess.run([sys.executable, "-m", "ui", "bench", *bad], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
