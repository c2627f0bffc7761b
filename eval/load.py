"""`reportqa bench --load`: many users asking the web chat while an ingest runs into the same store.

What it does, all on 127.0.0.1 and bounded in time:

1. Ingests the corpus (default examples/reports) into the data folder with `reportqa ingest`
   (a temp folder unless a data dir is given; an existing store is reused, unchanged files
   are skipped).
2. Starts two `reportqa serve` subprocesses: the one under test (port 0 = a free port) and a
   second one with a one-place queue (REPORTQA_QUEUE_SIZE=1, REPORTQA_CONCURRENCY=1) for the
   "full queue" check. They start side by side because start-up is mostly single-threaded
   imports and model loading, so two of them fit on two cores.
3. Runs N `gradio_client.Client` users (one thread and one session each, eval/load_users.py)
   that ask questions in a loop for S seconds, while `reportqa ingest` adds generated reports
   to the same data folder. Every answer is compared with the answer given before the load: a
   changed answer means a query saw another state of the index than the committed one.
4. After the ingest, asks a question only a generated report can answer and checks the answer
   is read from it: the running server picks up new documents without a restart.
5. Fires a burst of simultaneous requests at the tiny-queue server: the ones that do not fit
   must be refused at once with Gradio's "Queue is full" error, and none may hang.

Reports requests, errors, p50/p95 latency (reportqa.stats), throughput, the server's peak RSS
and the busy rejections. With a data dir the generated reports stay in that store afterwards:
use a scratch folder.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from eval.load_procs import (
    INGEST_TIMEOUT_S, STOP_TIMEOUT_S, BackgroundIngest, RssSampler, Server, error_text, free_port, run_ingest,
    stop, vm_hwm_mb,
)
from eval.load_users import (
    BUSY_BURST, BUSY_FAST_S, QUESTIONS, Request, answer_key, answered_from, ask, busy_check, make_client,
    run_load, write_generated_reports,
)
from reportqa.errors import BadInput
from reportqa.stats import percentile

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"
GENERATED_REPORTS = 36

Log = Callable[[str], None]


def _ms(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def summarise(requests: list[Request], wall: float, ingest: BackgroundIngest, commit_at: float | None) -> dict:
    """Counts and latencies, overall, for the requests that overlapped the ingest (until its
    commit) and for those made after the commit."""
    ok = [r for r in requests if r.error is None]
    lat = [r.ms for r in ok]
    errors = Counter(r.error for r in requests if r.error)
    during = []
    if ingest.started is not None:
        end = commit_at or ingest.ended or time.monotonic()
        during = [r for r in requests if r.started < end and r.ended > ingest.started]
    during_ok = [r.ms for r in during if r.error is None]
    # Requests after the commit, still under load, are the ones that check the new index
    # (reopened Chroma, new BM25) gives the same answers to the old questions.
    after = [r for r in requests if commit_at is not None and r.started > commit_at]
    return {
        "requests": len(requests),
        "errors": sum(errors.values()),
        "error_samples": dict(errors.most_common(5)),
        "changed_answers": sum(r.changed for r in requests),
        "p50_ms": _ms(percentile(lat, 50)),
        "p95_ms": _ms(percentile(lat, 95)),
        "max_ms": round(max(lat), 1) if lat else 0.0,
        "throughput_rps": round(len(ok) / wall, 2) if wall > 0 else 0.0,
        "load_seconds": round(wall, 1),
        "during_ingest": {
            "requests": len(during),
            "errors": sum(r.error is not None for r in during),
            "p50_ms": _ms(percentile(during_ok, 50)),
            "p95_ms": _ms(percentile(during_ok, 95)),
            "requests_after": len(after),
            "errors_after": sum(r.error is not None for r in after),
        },
    }


def failures_of(result: dict) -> list[str]:
    """Everything that makes the run fail; busy rejections are expected and not among them."""
    out = []
    if result["requests"] == 0:
        out.append("no request was made")
    if result["errors"]:
        out.append(f"{result['errors']} request errors")
    if result["changed_answers"]:
        out.append(f"{result['changed_answers']} answers differed from the answer before the load")
    ing, busy = result["ingest"], result["busy"]
    if ing["error"]:
        out.append(f"ingest failed: {ing['error']}")
    if not ing["probe_answered"]:
        out.append("the report ingested during the load was not answered from afterwards")
    if busy.get("error"):
        out.append(f"busy check failed: {busy['error']}")
    else:
        if busy["other_errors"] or busy["hung"]:
            samples = "; ".join(busy.get("error_samples") or [])[:300]
            out.append(f"busy check: {busy['other_errors']} non-busy errors, {busy['hung']} hung requests"
                       + (f" ({samples})" if samples else ""))
        if not busy["busy"]:
            out.append("busy check: the one-place queue never refused a request")
        if busy["slow_rejections"]:
            out.append(f"busy check: {busy['slow_rejections']} rejections took over {BUSY_FAST_S:g}s")
    return out


def render_table(result: dict):
    """The figures as a rich table."""
    from rich.table import Table

    ing, busy = result["ingest"], result["busy"]

    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.0f}"

    rows = [
        ("users / seconds", f"{result['users']} / {result['seconds']:g}"),
        ("requests", result["requests"]),
        ("errors", result["errors"]),
        ("changed answers", result["changed_answers"]),
        ("latency p50 / p95 / max (ms)", f"{num(result['p50_ms'])} / {num(result['p95_ms'])} / {num(result['max_ms'])}"),
        ("throughput (answers/s)", result["throughput_rps"]),
        ("server peak RSS sampled / VmHWM (MB)", f"{num(result['peak_rss_mb'])} / {num(result['peak_rss_hwm_mb'])}"),
        ("ingest: files new / seconds", f"{ing['new']} / {ing['seconds']}"),
        ("requests during ingest, to its commit (errors)", f"{ing['requests_during']} ({ing['errors_during']})"),
        ("latency during ingest p50 / p95 (ms)", f"{num(ing['p50_during_ms'])} / {num(ing['p95_during_ms'])}"),
        ("ingest committed at (s into the load)", ing["commit_at_s"]),
        ("requests after the commit (errors)", f"{ing['requests_after']} ({ing['errors_after']})"),
        ("new report first answered in the load at (s)", ing["probe_seen_during_load_s"]),
        ("new report answered after ingest", ing["probe_answered"]),
        ("busy check: burst x rounds", f"{busy['burst']} x {busy['rounds']}"),
        ("busy: ok / rejected / other / hung", f"{busy['ok']} / {busy['busy']} / {busy['other_errors']} / {busy['hung']}"),
        ("busy: slowest rejection (ms)", busy["max_busy_ms"]),
        ("load average start → end (peak 1 min)",
         f"{result['load_avg']['start']} → {result['load_avg']['end']} ({result['load_avg']['peak_1min']})"),
        ("result", "[green]OK[/green]" if result["ok"] else "[red]FAILED[/red]: " + "; ".join(result["failures"])),
    ]
    table = Table("measure", "value", title="reportqa bench --load")
    for label, value in rows:
        table.add_row(label, "-" if value is None else str(value))
    return table


def add_hostile_uploads(folder: Path, scratch: Path) -> list[str]:
    """Put the hostile files that are stored (with cuts) among the generated reports, so the
    ingest running during the load also takes them (issue 37): the other users must see no
    error and no memory blow-up. The refused ones are left out (they would fail the ingest's
    exit status, which the load test checks)."""
    from eval.hostile_files import write_cases

    # The hostile files that cost memory or parsing, not the ones that are big tables: their
    # thousands of kept rows would keep the ingest embedding past the load run's timeout.
    light = ("pdf-named.txt", "utf16-nobom.txt", "spans.html", "wide.csv", "markup-title.md")
    names = []
    for case in write_cases(scratch / "small"):
        if case.name in light:
            shutil.copy(case.path, folder / f"hostile-{case.name}")
            names.append(case.name)
    return names


def run_load_test(users: int = 20, seconds: float = 60, data_dir: Path | None = None, port: int = 0,
                  reports: int = GENERATED_REPORTS, seed: int | None = None, corpus: list[Path] | None = None,
                  log: Log | None = None) -> dict:
    """Run the whole load test and return its figures; `result["ok"]` says whether every check passed.

    `corpus` is what the store holds before the load (default: examples/reports); `data_dir`
    defaults to a temp folder removed afterwards; `seed` seeds the generated reports.
    """
    if users < 1 or seconds <= 0 or reports < 1:
        raise BadInput("--users, --seconds and --reports must be positive")
    corpus = corpus or [EXAMPLES]
    missing = [str(p) for p in corpus if not p.exists()]
    if missing:
        raise BadInput(f"corpus not found: {', '.join(missing)}")
    log = log or (lambda message: None)
    work = Path(tempfile.mkdtemp(prefix="reportqa-load-"))
    data_dir = (data_dir or work / "data").resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    generated = work / f"generated-{os.getpid()}"
    rng = random.Random(seed)
    load_start = [round(x, 2) for x in os.getloadavg()]
    sampler = RssSampler()
    main_server = Server("main", data_dir, port or free_port(), work / "serve-main.log")
    busy_server = Server("busy", data_dir, free_port(), work / "serve-busy.log",
                         settings={"queue_size": "1", "concurrency": "1"})
    ingest: BackgroundIngest | None = None
    try:
        log(f"ingesting {', '.join(map(str, corpus))} into {data_dir}")
        summary = run_ingest(corpus, data_dir)
        log(f"corpus: {summary}")
        probe = write_generated_reports(generated, reports, rng)
        hostile = add_hostile_uploads(generated, work / "hostile")

        log(f"starting servers on ports {main_server.port} (under test) and {busy_server.port} (queue of 1)")
        main_server.start()
        busy_server.start()
        sampler.watch("server", main_server.proc.pid)
        sampler.start()
        main_server.wait_up()
        busy_server.wait_up()
        log(f"servers up: {main_server.url} {busy_server.url}")

        # The answers before the load are the reference: the load and the ingest must not change them.
        client = make_client(main_server.url)
        try:
            baseline = {q: answer_key(ask(client, q)) for q in QUESTIONS}
            before = ask(client, probe.question)
        finally:
            client.close()
        if answered_from(before, probe):
            raise RuntimeError("the probe was answered before its report was ingested; the probe proves nothing")

        # The ingest starts a little after the users so that it overlaps a running load.
        ingest = BackgroundIngest(generated, data_dir, sampler, delay=min(2.0, seconds / 8))
        log(f"{users} users asking for {seconds:g}s while {reports} reports are ingested")
        sampler.watch_commit(data_dir / "manifest.json")
        requests, t0, wall, probe_seen = run_load(main_server.url, users, seconds, baseline, probe,
                                                  ingest)
        ingest.join(timeout=INGEST_TIMEOUT_S + 10)
        if ingest.is_alive():
            stop(ingest.proc)
            ingest.join(timeout=STOP_TIMEOUT_S)
        log(f"load done: {len(requests)} requests; ingest {ingest.summary or ingest.error}")

        # After the commit the running server must answer from the new report, no restart.
        probe_answer: dict = {}
        probe_ok = False
        if ingest.summary is not None:
            client = make_client(main_server.url)
            try:
                for _ in range(3):  # the reader reloads on the next question after a commit
                    try:
                        probe_answer = ask(client, probe.question)
                    except Exception as e:  # noqa: BLE001 - reported as the probe's answer
                        probe_answer = {"text": error_text(e)}
                    probe_ok = answered_from(probe_answer, probe)
                    if probe_ok:
                        break
                    time.sleep(1)
            finally:
                client.close()
        sampler.sample()
        hwm = vm_hwm_mb(main_server.proc.pid)

        log("busy check on the server with a one-place queue")
        try:
            busy = busy_check(busy_server.url)
        except Exception as e:  # noqa: BLE001 - a broken check is a failure to report, with the rest
            busy = {"error": error_text(e), "burst": BUSY_BURST, "rounds": 0, "ok": 0, "busy": 0,
                    "other_errors": 0, "hung": 0, "max_busy_ms": None, "slow_rejections": 0, "clean": False}

        commit_at = sampler.commit_at
        figures = summarise(requests, wall, ingest, commit_at)
        during = figures.pop("during_ingest")
        ing_summary = ingest.summary or {}
        result = {
            "users": users,
            "seconds": seconds,
            **figures,
            "peak_rss_mb": round(sampler.peaks_mb.get("server", 0.0), 1),
            "peak_rss_hwm_mb": round(hwm, 1) if hwm is not None else None,
            "ingest": {
                "files": reports,
                "hostile": hostile,  # hostile files (issue 37) ingested beside the generated reports
                "new": ing_summary.get("new", 0),
                "failed": ing_summary.get("failed", 0),
                "sentences": ing_summary.get("sentences", 0),
                "seconds": ing_summary.get("seconds"),
                "wall_seconds": round(ingest.ended - ingest.started, 1) if ingest.started and ingest.ended else None,
                "peak_rss_mb": round(sampler.peaks_mb.get("ingest", 0.0), 1),
                "error": ingest.error,
                "requests_during": during["requests"],
                "errors_during": during["errors"],
                "p50_during_ms": during["p50_ms"],
                "p95_during_ms": during["p95_ms"],
                "commit_at_s": round(commit_at - t0, 1) if commit_at is not None else None,
                "requests_after": during["requests_after"],
                "errors_after": during["errors_after"],
                "probe_question": probe.question,
                "probe_expected": probe.value,
                "probe_answered": probe_ok,
                "probe_answer": probe_answer.get("text"),
                "probe_seen_during_load_s": round(probe_seen, 1) if probe_seen is not None else None,
            },
            "busy": busy,
            "load_avg": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()],
                         "peak_1min": round(sampler.peak_load1, 2)},
            "cpus": os.cpu_count(),
        }
        result["failures"] = failures_of(result)
        result["ok"] = not result["failures"]
    except Exception as e:  # noqa: BLE001 - set-up failures still end with a report and status 1
        log(f"load test could not run: {error_text(e)}")
        for server in (main_server, busy_server):
            if server.proc is not None and server.proc.poll() is not None:
                log(f"{server.name} server log (end):\n{server.tail()}")
        result = {"ok": False, "failures": [f"could not run: {error_text(e, limit=1000)}"], "requests": 0,
                  "errors": 1}
    finally:
        # Children first, each step on its own: one failing clean-up must not leave a server running.
        cleanup = [main_server.stop, busy_server.stop, sampler.stop]
        if ingest is not None:
            cleanup.insert(0, lambda: stop(ingest.proc))
        for step in cleanup:
            try:
                step()
            except Exception as e:  # noqa: BLE001
                log(f"clean-up step failed: {error_text(e)}")
        # Keep a store the caller named; our own temp folder goes, logs included.
        shutil.rmtree(work, ignore_errors=True)

    return result
