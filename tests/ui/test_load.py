"""The load test (`reportqa bench --load`, eval/load.py) in small figures: a few users, a few seconds.

It runs as a subprocess, as a person would run it, and starts its own servers on free
loopback ports; this checks the whole chain: the server keeps answering while an ingest
writes into its store, then answers from the new report, and a full queue refuses
requests at once with Gradio's "Queue is full" instead of letting them hang.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.ui.conftest import REPO, server_env

USERS, SECONDS, REPORTS = 4, 8, 12
# Usually about a minute on two busy cores; the bound only stops a hang from stalling the suite.
RUN_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def load_result(tmp_path_factory) -> dict:
    """One small run of the load test, shared by the checks below."""
    data_dir = tmp_path_factory.mktemp("load") / "data"
    proc = subprocess.run(
        [sys.executable, "-m", "ui", "bench", "--load", "--users", str(USERS), "--seconds", str(SECONDS), "--reports", str(REPORTS),
         "--data-dir", str(data_dir), "--json"],
        env=server_env(data_dir), cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
    )
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON on stdout (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    # The exit status and the failures list say the same thing; both are shown when they do not pass.
    assert proc.returncode == 0, f"{result.get('failures')}\n{proc.stderr[-3000:]}"
    return result


@pytest.mark.timeout(RUN_TIMEOUT_S + 30)
def test_users_are_answered_without_errors(load_result):
    r = load_result
    assert r["requests"] > 0
    assert r["errors"] == 0, r["error_samples"]
    assert r["changed_answers"] == 0
    assert r["p95_ms"] >= r["p50_ms"] > 0
    assert r["throughput_rps"] > 0
    assert r["peak_rss_mb"] > 0


@pytest.mark.timeout(RUN_TIMEOUT_S + 30)
def test_server_answers_during_the_ingest_and_from_the_new_report_after_it(load_result):
    ingest = load_result["ingest"]
    assert ingest["error"] is None
    # The generated reports and the hostile files stored beside them (issue 37) are all new.
    assert ingest["hostile"] and ingest["new"] == REPORTS + len(ingest["hostile"]) and ingest["failed"] == 0
    assert ingest["requests_during"] > 0 and ingest["errors_during"] == 0
    assert ingest["probe_answered"], ingest["probe_answer"]


@pytest.mark.timeout(RUN_TIMEOUT_S + 30)
def test_full_queue_refuses_quickly_and_cleanly(load_result):
    busy = load_result["busy"]
    assert "error" not in busy, busy.get("error")
    assert busy["busy"] >= 1
    assert busy["hung"] == 0 and busy["other_errors"] == 0, busy["error_samples"]
    assert busy["slow_rejections"] == 0 and busy["max_busy_ms"] < 5000
    assert busy["ok"] >= 1  # the request that fit in the queue was answered
    assert all("queue is full" in m.lower() for m in busy["messages"]), busy["messages"]
    assert busy["clean"]
