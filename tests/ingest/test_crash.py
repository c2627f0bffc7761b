"""Crash safety: `reportqa ingest` killed with SIGKILL at a random moment loses nothing.

After each kill: every document in the manifest is complete (document record, all its
sentence ids in Chroma and in BM25), retrieval shows only manifest documents, and
running the same ingest again finishes the rest (new/unchanged, none failed) and
leaves a store `reportqa doctor` calls clean, identical to an uninterrupted run.

Kill moments are drawn (seeded) across the length of a full run measured first, so
they land in model loading, embedding and commits. Small commit batches
(REPORTQA_COMMIT_EVERY) make commits frequent enough to be hit. The same kills run
against the embedded store and against a Chroma server (where the killed writer's lease
must expire before the next ingest may start).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportqa.settings import Settings
from reportqa.store import Store
from tests.conftest import REPO, SHARED

TATQA = SHARED / "benchmarks" / "tatqa" / "docs"
CLI = str(Path(sys.executable).parent / "reportqa")
QUESTIONS = ["What was the total revenue?", "How many employees were there in 2019?", "net income change"]


def make_corpus(dest: Path, n: int | None) -> Path:
    """n TAT-QA documents (all when None), or generated reports when ../shared is absent."""
    dest.mkdir(parents=True, exist_ok=True)
    if TATQA.exists():
        for f in sorted(TATQA.glob("*.txt"))[:n]:
            shutil.copy(f, dest / f.name)
        return dest
    rng = random.Random(7)
    for i in range(n or 40):
        lines = [f"# Annual report {i}", ""]
        for p in range(4):
            lines.append(" ".join(
                f"In {2015 + rng.randrange(8)} the unit {rng.choice(['hired', 'sold', 'shipped', 'rescued'])} "
                f"{rng.randrange(10, 99999):,} {rng.choice(['people', 'units', 'cases', 'tonnes'])}."
                for _ in range(rng.randint(4, 9))
            ))
            lines.append("")
        (dest / f"report-{i:03d}.md").write_text("\n".join(lines), encoding="utf-8")
    return dest


LEASE_SECONDS = 3  # short, so a killed writer's lease expires quickly


def ingest_cmd(corpus: Path, data_dir: Path) -> list[str]:
    return [CLI, "ingest", str(corpus), "--json", "--data-dir", str(data_dir)]


def cli_env(commit_every: int, settings: Settings | None = None) -> dict[str, str]:
    env = {**os.environ, "REPORTQA_COMMIT_EVERY": str(commit_every)}
    if settings is not None and settings.chroma_url:
        env.update(REPORTQA_CHROMA_URL=settings.chroma_url, REPORTQA_COLLECTION=settings.collection,
                   REPORTQA_LEASE_SECONDS=str(settings.lease_seconds))
    return env


def settings_for(data_dir: Path, chroma_url: str | None) -> Settings:
    """Embedded, or on the server in a collection of its own (named after the data dir)."""
    if not chroma_url:
        return Settings(data_dir=data_dir)
    return Settings(data_dir=data_dir, chroma_url=chroma_url, lease_seconds=LEASE_SECONDS,
                    collection=f"crash{abs(hash(str(data_dir))) % 10**9}")


def bm25_ids(settings: Settings) -> list[str]:
    """The sentence ids a fresh reader's BM25 index holds, in order."""
    from qa.reader import StoreReader

    return StoreReader(settings).snapshot().lexical.ids


def run_ingest(corpus: Path, settings: Settings, commit_every: int) -> dict:
    proc = subprocess.run(ingest_cmd(corpus, settings.data_dir), capture_output=True, text=True,
                          env=cli_env(commit_every, settings), cwd=REPO, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@dataclass
class Reference:
    """An uninterrupted ingest of the corpus: how long it takes and what it stores."""

    seconds: float
    documents: set[str]
    bm25_ids: list[str]


def reference_run(corpus: Path, settings: Settings, commit_every: int) -> Reference:
    started = time.perf_counter()
    out = run_ingest(corpus, settings, commit_every)
    seconds = time.perf_counter() - started
    assert out["summary"]["failed"] == 0
    manifest = Store(settings).read_manifest()
    return Reference(seconds, set(manifest.documents), bm25_ids(settings))


def kill_during_ingest(corpus: Path, settings: Settings, delay: float, commit_every: int) -> bool:
    """Start an ingest and SIGKILL it after `delay` seconds; False if it finished first."""
    proc = subprocess.Popen(ingest_cmd(corpus, settings.data_dir), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=cli_env(commit_every, settings), cwd=REPO)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def drop_chroma_cache(settings: Settings) -> None:
    """Forget this process's embedded Chroma for the folder: another process writes it next."""
    from qa.reader import reopened

    reopened(Store(settings))


def check_committed_complete(settings: Settings) -> set[str]:
    """Every manifest document has its file, its sentence ids in Chroma and in BM25; returns them."""
    store = Store(settings)
    manifest = store.read_manifest()
    expected = []
    for doc_id in sorted(manifest.documents):
        stored = store.load_document(doc_id)  # raises if missing or damaged
        assert len(stored.sentences) == manifest.documents[doc_id].sentences
        expected.extend(s.node_id for s in stored.sentences)
    if manifest.documents:
        assert bm25_ids(settings) == expected, "BM25 does not hold exactly the committed sentences"
        in_chroma = set()
        for lo in range(0, len(expected), 5000):
            in_chroma.update(store.collection.get(ids=expected[lo:lo + 5000], include=[])["ids"])
        missing = set(expected) - in_chroma
        assert not missing, f"{len(missing)} committed sentences have no vector, e.g. {sorted(missing)[:3]}"
    return set(manifest.documents)


def check_only_committed_visible(settings: Settings, embedder, committed: set[str]) -> None:
    """Retrieval and QA cite manifest documents only."""
    from qa.reader import StoreReader
    from qa.retrieve import HybridRetriever

    reader = StoreReader(settings)
    snap = reader.snapshot()
    assert set(snap.documents) == committed
    retriever = HybridRetriever(settings, reader, embedder)
    for q in QUESTIONS:
        assert {s.doc_id for s, _ in retriever.search(q, snap)} <= committed
        # Chroma may hold vectors of uncommitted documents; the dense side must drop them.
        assert {i.rsplit(":", 1)[0] for i in retriever.dense(q, snap, None, 50)} <= committed
    if committed:
        from qa.service import QA

        qa = QA(settings, embedder=embedder, reader=reader)
        for q in QUESTIONS:
            assert {c.doc_id for c in qa.answer(q).citations} <= committed


def doctor_cli(settings: Settings) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, "doctor", "--json", "--data-dir", str(settings.data_dir)], capture_output=True,
                          text=True, cwd=REPO, timeout=300, env=cli_env(1000, settings))


def wait_for_lease_expiry(settings: Settings) -> None:
    """On a server, the killed writer's lease blocks writers until it expires; wait that out."""
    store = Store(settings)
    deadline = time.monotonic() + settings.lease_seconds + 30
    while store.lease_holder() is not None:
        assert time.monotonic() < deadline, "the killed writer's lease never expired"
        time.sleep(0.2)


def describe_kill(settings: Settings, committed: set[str]) -> str:
    """Where the kill landed, from what it left: nothing yet, uncommitted vectors, commit debris."""
    from ingest.doctor import diagnose

    store = Store(settings)
    if not committed and store.count() == 0:
        return "before any write (start-up / model load)"
    report = diagnose(settings, sample=0)
    debris = sorted(p.code for p in report.problems)
    return f"{len(committed)} docs committed; left: {', '.join(debris) or 'nothing'}"


def kill_fraction(seed: int, slot: int, slots: int) -> float:
    """A seeded random point (as a fraction of a run) inside the slot-th of `slots` equal parts.

    Stratified, so that even three kills cover start-up, embedding and the last commits.
    """
    return 0.02 + 0.96 * (slot + random.Random(seed).random()) / slots


def killed_run(corpus: Path, settings: Settings, fraction: float, full_run: float,
               commit_every: int) -> tuple[bool, float, float]:
    """Kill an ingest `fraction` of the way through; returns (killed, delay, seconds it ran).

    A run that ends before its kill (the machine sped up) measured a whole run: the kill is
    rescheduled against that on a fresh folder, so every seed really interrupts something.
    """
    for _ in range(3):
        delay = fraction * full_run
        started = time.perf_counter()
        killed = kill_during_ingest(corpus, settings, delay, commit_every)
        ran = time.perf_counter() - started
        if killed:
            break
        full_run = ran
        shutil.rmtree(settings.data_dir, ignore_errors=True)
        if settings.chroma_url:  # start again from an empty collection too
            settings = settings_for(settings.data_dir.with_name(settings.data_dir.name + "r"), settings.chroma_url)
    return killed, delay, ran, settings


def crash_and_recover(seed: int, fraction: float, full_run: float, corpus: Path, ref: Reference, work: Path,
                      embedder, commit_every: int, chroma_url: str | None = None) -> tuple[str, float]:
    """One seeded kill, the checks after it, the resumed ingest and the checks after that.

    Returns a line for the log and how long killed run plus resumed run took together
    (about one full run now, which is what the next kill is scheduled against).
    """
    settings = settings_for(work / f"data-{seed}", chroma_url)
    killed, delay, ran, settings = killed_run(corpus, settings, fraction, full_run, commit_every)

    committed = check_committed_complete(settings)
    check_only_committed_visible(settings, embedder, committed)
    where = describe_kill(settings, committed)
    drop_chroma_cache(settings)
    wait_for_lease_expiry(settings)

    started = time.perf_counter()
    out = run_ingest(corpus, settings, commit_every)
    ran += time.perf_counter() - started
    statuses = {f["status"] for f in out["files"]}
    assert statuses <= {"new", "unchanged"}, out["summary"]
    assert out["summary"]["unchanged"] == len(committed)
    final = Store(settings).read_manifest()
    assert set(final.documents) == ref.documents
    assert bm25_ids(settings) == ref.bm25_ids
    doctor = doctor_cli(settings)
    assert doctor.returncode == 0, doctor.stdout[-3000:] + doctor.stderr[-2000:]
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    state = "killed" if killed else "finished first"
    return f"seed {seed}: kill at {delay:.1f}s, {fraction:.0%} of a run ({state}); {where}", ran


def run_seeds(seeds: list[int], corpus: Path, work: Path, embedder, commit_every: int,
              chroma_url: str | None = None) -> list[str]:
    """The reference run, then one kill per seed; progress goes to stdout (-s) as it happens."""
    ref = reference_run(corpus, settings_for(work / "reference", chroma_url), commit_every)
    print(f"\nreference run {ref.seconds:.1f}s, {len(ref.documents)} docs, {len(ref.bm25_ids)} sentences",
          flush=True)
    lines = []
    # A shared machine's speed drifts: each kill is scheduled against the latest full-run time.
    full_run = ref.seconds
    for slot, seed in enumerate(seeds):
        fraction = kill_fraction(seed, slot, len(seeds))
        line, ran = crash_and_recover(seed, fraction, full_run, corpus, ref, work, embedder, commit_every,
                                      chroma_url)
        lines.append(f"{line} [run length estimate {full_run:.0f}s]")
        print(lines[-1], flush=True)
        full_run = (full_run + ran) / 2
    return lines


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_sigkill_during_ingest_small_corpus(tmp_path, embedder, mode, request):
    url = request.getfixturevalue("chroma_server") if mode == "server" else None
    corpus = make_corpus(tmp_path / "corpus", 40)
    lines = run_seeds([1, 2, 3], corpus, tmp_path, embedder, commit_every=150, chroma_url=url)
    assert len(lines) == 3


@pytest.mark.slow
@pytest.mark.shared
def test_sigkill_during_ingest_tatqa_20_seeds(tmp_path, embedder):
    corpus = make_corpus(tmp_path / "corpus", None)
    seeds = list(range(100, 100 + int(os.environ.get("CRASH_SEEDS", "20"))))
    lines = run_seeds(seeds, corpus, tmp_path, embedder, commit_every=1000)
    killed = [line for line in lines if "(killed)" in line]
    assert len(killed) >= len(lines) - 1  # kills land before the end, not after it


def test_next_ingest_sweeps_what_a_killed_writer_left(ingestor, tmp_path):
    """Temp files, uncommitted document files and unused BM25 folders go at the next ingest."""
    src = make_corpus(tmp_path / "corpus", 2)
    ingestor.ingest([src])
    store = ingestor.store
    manifest = store.read_manifest()
    debris = [store.root / ".manifest.json.x1.tmp", store.docs_dir / ".abc.json.x2.tmp",
              store.docs_dir / "0123456789abcdef.json", store.root / f"bm25-{manifest.generation + 1:06d}"]
    for p in debris[:-1]:
        p.write_text("{")
    debris[-1].mkdir()
    results = ingestor.ingest([src])
    assert {r.status for r in results} == {"unchanged"}
    assert [p for p in debris if p.exists()] == []
    assert store.bm25_dir(manifest.bm25).exists()
