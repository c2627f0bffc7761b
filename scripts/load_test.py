"""Load test for the web chat: many users asking while an ingest runs into the same store.

    python scripts/load_test.py [--users 20] [--seconds 60] [--data-dir DIR] [--json] [--port 0]

What it does, all on 127.0.0.1 and bounded in time:

1. Ingests examples/reports into the data folder with `reportqa ingest` (a temp folder
   unless --data-dir is given; an existing store is reused, unchanged files are skipped).
2. Starts two `reportqa serve` subprocesses: the one under test (--port, 0 = a free port)
   and a second one with a one-place queue (REPORTQA_QUEUE_SIZE=1, REPORTQA_CONCURRENCY=1)
   for the "full queue" check. They start side by side because start-up is mostly
   single-threaded imports and model loading, so two of them fit on two cores.
3. Runs N `gradio_client.Client` users (one thread and one session each) that ask
   questions about the example reports in a loop for --seconds, while `reportqa ingest`
   adds a few dozen generated reports to the same data folder. Every answer is compared
   with the answer given before the load: a changed answer means a query saw another
   state of the index than the committed one.
4. After the ingest, asks a question only a generated report can answer and checks the
   answer is read from it: the running server picks up new documents without a restart.
5. Fires a burst of simultaneous requests at the tiny-queue server: the ones that do not
   fit must be refused at once with Gradio's "Queue is full" error, and none may hang.

Reports requests, errors, p50/p95 latency, throughput, the server's peak RSS (psutil,
sampled) and the busy rejections, as a table or (--json) as one JSON object on stdout.
Exit status 1 when anything other than a busy rejection went wrong.

With --data-dir the generated reports stay in that store afterwards: use a scratch folder.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# gradio_client must never reach the Hub or send telemetry: set before it is imported.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
}
os.environ.update(OFFLINE_ENV)

import psutil

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "reports"
HOST = "127.0.0.1"

STARTUP_TIMEOUT_S = 180  # model load on a busy two-core machine
INGEST_TIMEOUT_S = 300
REQUEST_TIMEOUT_S = 60  # one question; far above any healthy latency, so a hang shows as an error
STOP_TIMEOUT_S = 15
BUSY_BURST = 24  # simultaneous requests at the one-place queue
BUSY_ROUNDS = 3  # bursts tried before concluding the queue never refused anything
BUSY_FAST_S = 5.0  # a refusal slower than this counts as a hang, not a clean "busy"
RSS_SAMPLE_S = 0.2
GENERATED_REPORTS = 36

# Questions the example reports answer (one of each kind: figures, sums, differences, who).
QUESTIONS = [
    "How many victims did the authorities rescue?",
    "How many women were rescued?",
    "How many fewer cases were there in 2022 than in 2021?",
    "How many hotline calls were there in 2021?",
    "What was Riverlight's total spending in 2022?",
    "How many trafficking cases did police handle in 2021?",
    "How many shelter beds did Cambodia have at the end of 2021?",
    "What was the percentage change in hotline calls from 2020 to 2021?",
    "Who urged officials to keep up the pressure on traffickers?",
    "How many survivors did Riverlight's shelters admit in 2022?",
]


def log(message: str) -> None:
    """Progress goes to stderr so that --json leaves stdout to the JSON object."""
    print(f"[load_test {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- processes -----------------------------------------------------------------------------------


def reportqa_cmd() -> list[str]:
    """The `reportqa` console script of this interpreter's environment (the venv's)."""
    script = Path(sys.executable).parent / "reportqa"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reportqa"]


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment for a reportqa child: offline, this data folder, plus REPORTQA_ overrides."""
    env = dict(os.environ)
    # The caller's own queue settings must not leak into the server under test.
    for key in ("REPORTQA_QUEUE_SIZE", "REPORTQA_CONCURRENCY", "GRADIO_TEMP_DIR"):
        env.pop(key, None)
    env.update(OFFLINE_ENV, REPORTQA_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", TOKENIZERS_PARALLELISM="false")
    env.update({f"REPORTQA_{k.upper()}": v for k, v in settings.items()})
    return env


def stop(proc: subprocess.Popen | None) -> None:
    """Terminate a child we started, then kill it if it does not leave in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT_S)


def run_ingest(paths: list[Path], data_dir: Path, timeout: float = INGEST_TIMEOUT_S) -> dict:
    """`reportqa ingest --json` in the foreground; its summary, or RuntimeError with its output."""
    proc = subprocess.run([*reportqa_cmd(), "ingest", "--json", "--data-dir", str(data_dir), *map(str, paths)],
                          env=server_env(data_dir), cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"reportqa ingest exited with {proc.returncode}: {(proc.stderr or proc.stdout)[-2000:]}")
    return json.loads(proc.stdout)["summary"]


@dataclass
class Server:
    """One `reportqa serve` subprocess on a loopback port, logging to a file."""

    name: str
    data_dir: Path
    port: int
    log_path: Path
    settings: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> None:
        """Launch the server; `wait_up` says when it answers."""
        with open(self.log_path, "w") as out:
            # cwd is the log's folder, not the repo: nothing the server writes lands in the clone.
            self.proc = subprocess.Popen(
                [*reportqa_cmd(), "serve", "--host", HOST, "--port", str(self.port), "--data-dir", str(self.data_dir)],
                env=server_env(self.data_dir, **self.settings), cwd=self.log_path.parent,
                stdout=out, stderr=subprocess.STDOUT,
            )

    def wait_up(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Block until the page answers 200 (serve loads the model before it listens)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited with {self.proc.returncode}: {self.last_words()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} server did not answer within {timeout:.0f}s: {self.last_words()}")

    def tail(self, n: int = 3000) -> str:
        """The end of the server's log, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def last_words(self, lines: int = 3) -> str:
        """The last few log lines on one line: where a traceback says what went wrong."""
        kept = [line.strip() for line in self.tail().splitlines() if line.strip()]
        return " | ".join(kept[-lines:])

    def stop(self) -> None:
        stop(self.proc)


class RssSampler(threading.Thread):
    """Samples the resident memory of some processes (with their children) and keeps the peaks.

    Sampling misses short spikes; the server's VmHWM (read at the end) is the exact peak.
    """

    def __init__(self, interval: float = RSS_SAMPLE_S):
        super().__init__(daemon=True, name="rss-sampler")
        self.interval = interval
        self.watched: dict[str, int] = {}
        self.peaks_mb: dict[str, float] = {}
        self.peak_load1 = 0.0  # the machine is shared: its load explains slow figures
        self._manifest: tuple[Path, int | None] | None = None
        self.commit_at: float | None = None
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def watch(self, name: str, pid: int) -> None:
        with self._lock:
            self.watched[name] = pid

    def watch_commit(self, manifest: Path) -> None:
        """Note when `manifest` is next replaced: the ingest's commit, seen from outside.

        The ingest process lives on for seconds after it commits (clean-up, interpreter exit),
        so its exit time would misplace the moment the new documents became visible.
        """
        self._manifest = (manifest, mtime_ns(manifest))
        self.commit_at = None

    def sample(self) -> None:
        """One reading of every watched process tree (gone processes are skipped) and the manifest."""
        if self._manifest is not None and self.commit_at is None:
            path, before = self._manifest
            if mtime_ns(path) != before:
                self.commit_at = time.monotonic()
        self.peak_load1 = max(self.peak_load1, os.getloadavg()[0])
        with self._lock:
            watched = dict(self.watched)
        for name, pid in watched.items():
            try:
                proc = psutil.Process(pid)
                rss = proc.memory_info().rss
                for child in proc.children(recursive=True):
                    try:
                        rss += child.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                continue
            self.peaks_mb[name] = max(self.peaks_mb.get(name, 0.0), rss / 2**20)

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join(timeout=5)


def mtime_ns(path: Path) -> int | None:
    """A file's modification time, or None while it does not exist."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def vm_hwm_mb(pid: int) -> float | None:
    """A process's exact peak RSS (Linux VmHWM), or None where /proc does not tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


# ---- generated reports ---------------------------------------------------------------------------

SYLLABLES = ["ka", "lo", "mi", "ra", "ve", "to", "su", "ne", "di", "po", "ze", "ba", "qui", "dor", "fen", "gal"]


@dataclass
class Probe:
    """A question only one generated report answers, with the figure it must give."""

    question: str
    value: float
    file: str


def coop_name(rng: random.Random, taken: set[str]) -> str:
    """A made-up word, new on every run, so the store cannot already know the report."""
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(4)).capitalize()
        if name not in taken:
            taken.add(name)
            return name


def write_generated_reports(folder: Path, n: int, rng: random.Random) -> Probe:
    """Write n fisheries reports (a topic none of the load questions is about) and return the probe.

    Only report 0 says how many boats its cooperative registered, so the probe's answer can
    come from nowhere else; the others give the ingest something to embed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    probe: Probe | None = None
    for i in range(n):
        name = coop_name(rng, taken)
        members, tonnes, sites, nets = (rng.randint(120, 990), rng.randint(1_100, 9_800), rng.randint(3, 19),
                                        rng.randint(40, 400))
        lines = [
            f"# {name} Fisheries Cooperative: Season Report 2024",
            "",
            (f"This is a generated report for a load test ({folder.name}); the {name} Fisheries Cooperative "
             "is fictional and all of its figures are invented."),
            "",
            "## Members and landings",
            "",
            (f"The {name} Fisheries Cooperative counted {members} members at the close of the 2024 season. "
             f"Members landed {tonnes:,} tonnes of mackerel and sardine across {sites} landing sites. "
             f"The cooperative repaired {nets} drift nets in its workshop during the winter months."),
            "",
            "## Operations",
            "",
        ]
        if i == 0:
            boats = rng.randint(200, 900)
            lines.append(f"The {name} Fisheries Cooperative registered {boats} fishing boats in 2024.")
            probe = Probe(
                question=f"How many fishing boats did the {name} Fisheries Cooperative register in 2024?",
                value=float(boats), file=f"coop-{i:03d}.md",
            )
        # Filler sentences so each file is a realistic few dozen sentences to read and embed.
        for k in range(10):
            lines.append(
                f"In week {k + 1} the {name} crews reported {rng.randint(2, 60)} trips, "
                f"{rng.choice(['calm', 'rough', 'foggy', 'windy'])} seas and a median of "
                f"{rng.randint(5, 95)} crates per trip at the {rng.choice(['north', 'south', 'east', 'west'])} harbour."
            )
        (folder / f"coop-{i:03d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert probe is not None
    return probe


# ---- asking --------------------------------------------------------------------------------------


def make_client(url: str, max_workers: int = 4):
    """A gradio_client session on the server (imported here: after the offline variables)."""
    from gradio_client import Client

    return Client(url, verbose=False, max_workers=max_workers, download_files=False, analytics_enabled=False)


def ask(client, question: str, timeout: float = REQUEST_TIMEOUT_S) -> dict:
    """The Answer JSON for one question, through the queue like any browser request."""
    job = client.submit(question=question, api_name="/ask")
    try:
        return job.result(timeout=timeout)
    except TimeoutError:
        job.cancel()
        raise


def answer_key(answer: dict) -> tuple:
    """What must not change between two askings of a question while the store only grows:
    the kind, the figure and the sentences cited (file and offsets)."""
    cites = tuple((c.get("file"), c.get("start"), c.get("end")) for c in answer.get("citations") or [])
    return answer.get("kind"), answer.get("value"), cites


def answered_from(answer: dict, probe: Probe) -> bool:
    """True when the answer gives the probe's figure and cites the generated report."""
    files = {c.get("file") for c in answer.get("citations") or []}
    value = answer.get("value")
    return isinstance(value, (int, float)) and math.isclose(value, probe.value) and probe.file in files


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): always a latency that was actually measured."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def error_text(e: BaseException, limit: int = 300) -> str:
    """An exception as one bounded line for the report (error counts group on it)."""
    text = " ".join(f"{type(e).__name__}: {e}".split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass
class Request:
    started: float
    ended: float
    question: str
    error: str | None = None
    changed: bool = False

    @property
    def ms(self) -> float:
        return (self.ended - self.started) * 1000


class BackgroundIngest(threading.Thread):
    """`reportqa ingest` of the generated reports, started while the users are asking."""

    def __init__(self, folder: Path, data_dir: Path, sampler: RssSampler, delay: float):
        super().__init__(daemon=True, name="ingest")
        self.folder, self.data_dir, self.sampler, self.delay = folder, data_dir, sampler, delay
        self.started: float | None = None
        self.ended: float | None = None
        self.summary: dict | None = None
        self.error: str | None = None
        self.proc: subprocess.Popen | None = None

    def run(self) -> None:
        time.sleep(self.delay)
        self.started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                [*reportqa_cmd(), "ingest", "--json", "--data-dir", str(self.data_dir), str(self.folder)],
                env=server_env(self.data_dir), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            self.sampler.watch("ingest", self.proc.pid)
            out, err = self.proc.communicate(timeout=INGEST_TIMEOUT_S)
            if self.proc.returncode != 0:
                self.error = f"ingest exited with {self.proc.returncode}: {(err or out)[-1000:]}"
            else:
                self.summary = json.loads(out)["summary"]
        except Exception as e:  # noqa: BLE001 - reported as a failure of the run, not raised in a thread
            self.error = error_text(e)
            stop(self.proc)
        finally:
            self.ended = time.monotonic()


def run_load(url: str, users: int, seconds: float, baseline: dict[str, tuple], probe: Probe,
             ingest: BackgroundIngest) -> tuple[list[Request], float, float, float | None]:
    """N users asking in a loop for `seconds` while `ingest` runs; every request, when the load
    started (monotonic), its wall time, and when (seconds into the load) a user first got the
    probe answered."""
    requests: list[Request] = []
    lock = threading.Lock()
    clients: list[Any] = [None] * users
    setup_errors: list[str] = []
    go = threading.Event()
    stop_at = [0.0]
    probe_seen = [None]
    t0 = [0.0]

    def connect(i: int) -> None:
        try:
            clients[i] = make_client(url)
        except Exception as e:  # noqa: BLE001
            setup_errors.append(error_text(e))

    # Sessions are opened before the clock starts: connecting is not what is being measured.
    connectors = [threading.Thread(target=connect, args=(i,), daemon=True) for i in range(users)]
    for t in connectors:
        t.start()
    for t in connectors:
        t.join(timeout=STARTUP_TIMEOUT_S)
    if setup_errors or any(c is None for c in clients):
        for c in clients:
            if c is not None:
                c.close()
        raise RuntimeError(f"could not open {users} client sessions: {setup_errors[:3]}")

    # The probe is in every user's rotation: before the commit it is simply not answered from
    # the generated report; the first time it is shows when the server saw the new documents.
    rotation = [*QUESTIONS, probe.question]

    def user(i: int) -> None:
        client = clients[i]
        go.wait()
        k = i  # users start at different questions so the mix is varied at every moment
        while time.monotonic() < stop_at[0]:
            question = rotation[k % len(rotation)]
            k += 1
            started = time.monotonic()
            req = Request(started=started, ended=started, question=question)
            try:
                answer = ask(client, question)
                if not isinstance(answer, dict) or "kind" not in answer:
                    req.error = f"not an Answer: {str(answer)[:200]}"
                elif question == probe.question:
                    if answered_from(answer, probe) and probe_seen[0] is None:
                        probe_seen[0] = time.monotonic() - t0[0]
                elif answer_key(answer) != baseline[question]:
                    req.changed = True
            except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the user
                req.error = error_text(e)
            req.ended = time.monotonic()
            with lock:
                requests.append(req)

    threads = [threading.Thread(target=user, args=(i,), daemon=True, name=f"user-{i}") for i in range(users)]
    for t in threads:
        t.start()
    t0[0] = time.monotonic()
    stop_at[0] = t0[0] + seconds
    ingest.start()
    go.set()
    # A user ends at most one request after the clock; a thread still alive after that hangs.
    deadline = t0[0] + seconds + REQUEST_TIMEOUT_S + 10
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    wall = time.monotonic() - t0[0]
    hung = [t.name for t in threads if t.is_alive()]
    for name in hung:
        requests.append(Request(started=t0[0], ended=time.monotonic(), question="?", error=f"{name} never returned"))
    for c in clients:
        c.close()
    return requests, t0[0], wall, probe_seen[0]


def busy_check(url: str) -> dict:
    """Bursts of simultaneous requests at a one-place queue: refusals must be quick and clean.

    Gradio refuses a request that finds the queue full with HTTP 503 ("Queue is full. Max
    size is 1 ..."), which gradio_client raises as QueueError "Queue is full! Please try again."
    """
    from gradio_client.utils import QueueError

    outcome = Counter()
    busy_ms: list[float] = []
    ok_ms: list[float] = []
    messages: Counter[str] = Counter()
    others: list[str] = []
    rounds = 0
    client = make_client(url, max_workers=BUSY_BURST)
    try:
        for rounds in range(1, BUSY_ROUNDS + 1):
            jobs = []
            done_at: dict[int, float] = {}
            for i in range(BUSY_BURST):
                started = time.monotonic()
                job = client.submit(question=QUESTIONS[i % len(QUESTIONS)], api_name="/ask")
                # Latency is taken when the job finished, not when this loop got round to it.
                job.future.add_done_callback(lambda _f, i=i, d=done_at: d.setdefault(i, time.monotonic()))
                jobs.append((started, job))
            for i, (started, job) in enumerate(jobs):
                remaining = max(0.1, started + REQUEST_TIMEOUT_S - time.monotonic())
                try:
                    answer = job.result(timeout=remaining)
                    outcome["ok" if isinstance(answer, dict) and "kind" in answer else "other_errors"] += 1
                    ok_ms.append((done_at.get(i, time.monotonic()) - started) * 1000)
                except TimeoutError:
                    outcome["hung"] += 1
                    job.cancel()
                except QueueError as e:
                    outcome["busy"] += 1
                    messages[str(e)] += 1
                    busy_ms.append((done_at.get(i, time.monotonic()) - started) * 1000)
                except Exception as e:  # noqa: BLE001
                    text = error_text(e)
                    if "queue is full" in text.lower() or "busy" in text.lower():
                        outcome["busy"] += 1
                        messages[text] += 1
                        busy_ms.append((done_at.get(i, time.monotonic()) - started) * 1000)
                    else:
                        outcome["other_errors"] += 1
                        others.append(text)
            if outcome["busy"]:
                break
    finally:
        client.close()
    slow = sum(ms > BUSY_FAST_S * 1000 for ms in busy_ms)
    return {
        "queue_size": 1, "concurrency": 1, "burst": BUSY_BURST, "rounds": rounds,
        "requests": sum(outcome.values()), "ok": outcome["ok"], "busy": outcome["busy"],
        "other_errors": outcome["other_errors"], "hung": outcome["hung"], "slow_rejections": slow,
        "max_busy_ms": round(max(busy_ms), 1) if busy_ms else None,
        "p50_busy_ms": round(percentile(busy_ms, 50), 1) if busy_ms else None,
        "max_ok_ms": round(max(ok_ms), 1) if ok_ms else None,
        "messages": dict(messages), "error_samples": others[:5],
        "clean": outcome["busy"] > 0 and outcome["hung"] == 0 and outcome["other_errors"] == 0 and slow == 0,
    }


# ---- report --------------------------------------------------------------------------------------


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
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
        "max_ms": round(max(lat), 1) if lat else 0.0,
        "throughput_rps": round(len(ok) / wall, 2) if wall > 0 else 0.0,
        "load_seconds": round(wall, 1),
        "during_ingest": {
            "requests": len(during),
            "errors": sum(r.error is not None for r in during),
            "p50_ms": round(percentile(during_ok, 50), 1),
            "p95_ms": round(percentile(during_ok, 95), 1),
            "requests_after": len(after),
            "errors_after": sum(r.error is not None for r in after),
        },
    }


def render_table(result: dict) -> str:
    """The figures as an aligned two-column table."""
    ing, busy = result["ingest"], result["busy"]
    rows = [
        ("users / seconds", f"{result['users']} / {result['seconds']:g}"),
        ("requests", result["requests"]),
        ("errors", result["errors"]),
        ("changed answers", result["changed_answers"]),
        ("latency p50 / p95 / max (ms)", f"{result['p50_ms']:.0f} / {result['p95_ms']:.0f} / {result['max_ms']:.0f}"),
        ("throughput (answers/s)", result["throughput_rps"]),
        ("server peak RSS sampled / VmHWM (MB)",
         f"{result['peak_rss_mb']:.0f} / {result['peak_rss_hwm_mb'] or 0:.0f}"),
        ("ingest: files new / seconds", f"{ing['new']} / {ing['seconds']}"),
        ("requests during ingest, to its commit (errors)", f"{ing['requests_during']} ({ing['errors_during']})"),
        ("latency during ingest p50 / p95 (ms)", f"{ing['p50_during_ms']:.0f} / {ing['p95_during_ms']:.0f}"),
        ("ingest committed at (s into the load)", ing["commit_at_s"]),
        ("requests after the commit (errors)", f"{ing['requests_after']} ({ing['errors_after']})"),
        ("new report first answered in the load at (s)", ing["probe_seen_during_load_s"]),
        ("new report answered after ingest", ing["probe_answered"]),
        ("busy check: burst x rounds", f"{busy['burst']} x {busy['rounds']}"),
        ("busy: ok / rejected / other / hung", f"{busy['ok']} / {busy['busy']} / {busy['other_errors']} / {busy['hung']}"),
        ("busy: slowest rejection (ms)", busy["max_busy_ms"]),
        ("load average start -> end (peak 1 min)",
         f"{result['load_avg']['start']} -> {result['load_avg']['end']} ({result['load_avg']['peak_1min']})"),
        ("result", "OK" if result["ok"] else "FAILED: " + "; ".join(result["failures"])),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {'-' if v is None else v}" for k, v in rows)


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
            out.append(f"busy check: {busy['other_errors']} non-busy errors, {busy['hung']} hung requests")
        if not busy["busy"]:
            out.append("busy check: the one-place queue never refused a request")
        if busy["slow_rejections"]:
            out.append(f"busy check: {busy['slow_rejections']} rejections took over {BUSY_FAST_S:g}s")
    return out


# ---- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--users", type=int, default=20, help="concurrent client sessions (default 20)")
    p.add_argument("--seconds", type=float, default=60, help="how long the users keep asking (default 60)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="store folder (default: a temp folder, removed afterwards); generated reports stay in it")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object on stdout")
    p.add_argument("--port", type=int, default=0, help="port of the server under test (0: a free port)")
    p.add_argument("--reports", type=int, default=GENERATED_REPORTS,
                   help=f"generated reports ingested during the load (default {GENERATED_REPORTS})")
    p.add_argument("--seed", type=int, default=None, help="seed for the generated reports (default: random)")
    args = p.parse_args(argv)
    if args.users < 1 or args.seconds <= 0 or args.reports < 1:
        p.error("--users, --seconds and --reports must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the whole load test; 0 when every check passed, 1 otherwise."""
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="reportqa-load-"))
    data_dir = (args.data_dir or work / "data").resolve()
    generated = work / f"generated-{os.getpid()}"
    rng = random.Random(args.seed)
    load_start = [round(x, 2) for x in os.getloadavg()]
    sampler = RssSampler()
    main_server = Server("main", data_dir, args.port or free_port(), work / "serve-main.log")
    busy_server = Server("busy", data_dir, free_port(), work / "serve-busy.log",
                         settings={"queue_size": "1", "concurrency": "1"})
    ingest: BackgroundIngest | None = None
    try:
        log(f"ingesting {EXAMPLES} into {data_dir}")
        summary = run_ingest([EXAMPLES], data_dir)
        log(f"examples: {summary}")
        probe = write_generated_reports(generated, args.reports, rng)

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
        ingest = BackgroundIngest(generated, data_dir, sampler, delay=min(2.0, args.seconds / 8))
        log(f"{args.users} users asking for {args.seconds:g}s while {args.reports} reports are ingested")
        sampler.watch_commit(data_dir / "manifest.json")
        requests, t0, wall, probe_seen = run_load(main_server.url, args.users, args.seconds, baseline, probe,
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
            "users": args.users,
            "seconds": args.seconds,
            **figures,
            "peak_rss_mb": round(sampler.peaks_mb.get("server", 0.0), 1),
            "peak_rss_hwm_mb": round(hwm, 1) if hwm is not None else None,
            "ingest": {
                "files": args.reports,
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

    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    if "users" in result:
        print(render_table(result), file=sys.stderr if args.json else sys.stdout)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
