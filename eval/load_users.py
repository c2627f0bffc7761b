"""The users of the load test: gradio_client sessions asking questions, the generated reports
one of which must be answered from after its ingest, and the full-queue burst."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.load_procs import STARTUP_TIMEOUT_S, BackgroundIngest, error_text
from reportqa.stats import percentile

REQUEST_TIMEOUT_S = 60  # one question; far above any healthy latency, so a hang shows as an error
BUSY_BURST = 24  # simultaneous requests at the one-place queue
BUSY_ROUNDS = 3  # bursts tried before concluding the queue never refused anything
BUSY_FAST_S = 5.0  # a refusal slower than this counts as a hang, not a clean "busy"

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
