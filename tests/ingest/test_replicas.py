"""Stateless replicas: with a Chroma server the whole store lives there, nothing on local disk.

One writer ingests from data dir A; readers and servers with their own, empty data
dirs see what it committed, and see the next commit without a restart. A second
writer anywhere is refused at once with the lease holder's host, pid and start time;
a writer killed with SIGKILL holds the lease only until it expires.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor, content_id
from reportqa.settings import Settings
from reportqa.store import Store
from tests.conftest import REPO
from tests.ingest.conftest import free_port
from tests.ingest.test_crash import make_corpus
from tests.processes import assert_refused_busy, race_second_writer, wait_until_serving

BIN = Path(sys.executable).parent
SHELTER = "# Shelter figures\n\nIn 2022 the shelter took in 412 people, including 97 children.\n"
BORDER = "Border police\n\nThe border police arrested 149 suspects in 2022.\n"
BUSY_SECONDS = 8  # python start-up and imports only; a loaded CI box needs some slack


@pytest.fixture
def server_settings(request, tmp_path) -> Settings:
    url = request.getfixturevalue("chroma_server")
    return Settings(data_dir=tmp_path / "A", chroma_url=url, collection=f"rep{abs(hash(tmp_path)) % 10**9}",
                    lease_seconds=10)


def env_for(settings: Settings, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env.update(REPORTQA_DATA_DIR=str(data_dir), REPORTQA_CHROMA_URL=settings.chroma_url,
               REPORTQA_COLLECTION=settings.collection, REPORTQA_LEASE_SECONDS=str(settings.lease_seconds),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False",
               PYTHONUNBUFFERED="1", **extra)
    env.pop("GRADIO_TEMP_DIR", None)
    return env


def cli(settings: Settings, data_dir: Path, *args: str, timeout: float = 600, **extra: str):
    return subprocess.run([str(BIN / "reportqa"), *args], capture_output=True, text=True, cwd=REPO,
                          env=env_for(settings, data_dir, **extra), timeout=timeout)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def local_files(data_dir: Path) -> list[str]:
    """What a replica wrote to its data dir, uploads folder aside (a cache at most)."""
    if not data_dir.exists():
        return []
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())


def test_empty_data_dir_sees_what_another_ingested(server_settings, embedder, tmp_path):
    (shelter,) = Ingestor(server_settings, embedder=embedder).ingest([write(tmp_path / "in" / "shelter.md", SHELTER)])
    assert local_files(server_settings.data_dir) == []  # the writer kept nothing locally either
    empty = tmp_path / "B"
    docs = cli(server_settings, empty, "docs", "--json")
    assert docs.returncode == 0, docs.stderr
    assert [d["doc_id"] for d in json.loads(docs.stdout)] == [shelter.doc_id]
    ask = cli(server_settings, empty, "ask", "How many people did the shelter take in in 2022?", "--json")
    assert ask.returncode == 0, ask.stderr
    answer = json.loads(ask.stdout)
    assert answer["value"] == 412 and answer["citations"][0]["doc_id"] == shelter.doc_id
    cite = answer["citations"][0]
    assert SHELTER[cite["start"]:cite["end"]] == cite["text"]  # offsets came through Chroma intact
    doctor = cli(server_settings, empty, "doctor", "--json")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert json.loads(doctor.stdout)["ok"] is True
    assert local_files(empty) == []


def start_serve(settings: Settings, data_dir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([str(BIN / "reportqa"), "serve", "--port", str(port)], cwd=REPO,
                            env=env_for(settings, data_dir, REPORTQA_REFRESH_SECONDS="0.5"),
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}/"


def ask_until(client, question: str, doc_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        data = client.predict(question=question, api_name="/ask")
        if any(c["doc_id"] == doc_id for c in data["citations"]) or time.monotonic() > deadline:
            return data
        time.sleep(0.5)


def test_two_servers_answer_and_see_a_new_report_without_restart(server_settings, embedder, tmp_path):
    os.environ["HF_HUB_OFFLINE"] = "1"  # gradio_client must not look anything up on the Hub
    from gradio_client import Client

    ingestor = Ingestor(server_settings, embedder=embedder)
    (shelter,) = ingestor.ingest([write(tmp_path / "in" / "shelter.md", SHELTER)])
    servers = [start_serve(server_settings, tmp_path / f"B{i}", tmp_path / f"serve{i}.log") for i in (1, 2)]
    try:
        for i, (proc, url) in enumerate(servers, 1):
            wait_until_serving(url, proc, tmp_path / f"serve{i}.log", timeout=180)
        clients = [Client(url, verbose=False) for _, url in servers]
        for client in clients:
            data = client.predict(question="How many people did the shelter take in in 2022?", api_name="/ask")
            assert data["value"] == 412 and data["citations"][0]["doc_id"] == shelter.doc_id
        (border,) = ingestor.ingest([write(tmp_path / "in2" / "border.txt", BORDER)])
        for client in clients:
            data = ask_until(client, "How many suspects did the border police arrest?", border.doc_id)
            assert data["value"] == 149, data
            assert data["citations"][0]["doc_id"] == border.doc_id
    finally:
        for proc, _ in servers:
            proc.terminate()
        for proc, _ in servers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_for_lease(store: Store, proc: subprocess.Popen, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        holder = store.lease_holder()
        if holder is not None:
            return holder
        time.sleep(0.1)
    pytest.fail("the first ingest never took the writer lease")


def test_second_writer_elsewhere_fails_fast_naming_the_holder(server_settings, tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 6)
    late = write(tmp_path / "late" / "late.md", "# Late report\n\nThe late report counts 777 cases.\n")
    first = subprocess.Popen([str(BIN / "reportqa"), "ingest", str(corpus), "--json"], cwd=REPO,
                             env=env_for(server_settings, tmp_path / "A"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    holder = None

    def first_holds() -> None:
        nonlocal holder
        holder = wait_for_lease(Store(server_settings), first)

    race = race_second_writer(first, first_holds,
                              lambda: cli(server_settings, tmp_path / "B", "ingest", str(late.parent), timeout=60))
    assert holder.pid == first.pid and holder.host == socket.gethostname()
    assert_refused_busy(race, f"store is busy (held by {socket.gethostname()} pid {first.pid} since ",
                        BUSY_SECONDS)
    store = Store(server_settings)
    manifest = store.read_manifest()
    assert len(manifest.documents) == 6 and content_id(late.read_bytes()) not in manifest.documents
    assert store.lease_holder() is None  # released at the end, not left to expire
    doctor = cli(server_settings, tmp_path / "B", "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr


def test_sigkilled_writer_lease_expires_and_next_ingest_cleans_up(server_settings, tmp_path):
    server_settings = server_settings.model_copy(update={"lease_seconds": 4})
    corpus = make_corpus(tmp_path / "corpus", 30)
    store = Store(server_settings)
    first = subprocess.Popen([str(BIN / "reportqa"), "ingest", str(corpus)], cwd=REPO,
                             env=env_for(server_settings, tmp_path / "A", REPORTQA_COMMIT_EVERY="100000"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_lease(store, first)
        deadline = time.monotonic() + 300
        while store.count() == 0 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)  # kill it once it has written vectors nobody committed
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert store.read_manifest().documents == {} and store.count() > 0
    # Another writer ingests only some of the files: the dead writer's other vectors must go.
    # Whether the dead writer's lease has expired when it starts depends on how long the CLI
    # takes to start; a refusal writes nothing, and the same ingest after the lease succeeds.
    subset = tmp_path / "subset"
    subset.mkdir()
    for f in sorted(corpus.iterdir())[:5]:
        (subset / f.name).write_bytes(f.read_bytes())
    done = cli(server_settings, tmp_path / "B", "ingest", str(subset), "--json")
    if done.returncode == 2:
        assert f"pid {first.pid}" in " ".join(done.stderr.split())
        assert store.read_manifest().documents == {}
        time.sleep(server_settings.lease_seconds + 0.5)
        done = cli(server_settings, tmp_path / "B", "ingest", str(subset), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["summary"]["new"] == 5
    doctor = cli(server_settings, tmp_path / "B", "doctor", "--json")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert store.count() == sum(d.sentences for d in store.read_manifest().documents.values())


class _Killed(Exception):
    """Stands for SIGKILL: the writer stops after adding vectors, before any commit."""


def test_dead_writers_vectors_are_reused_not_deleted_and_re_added(server_settings, embedder, tmp_path, monkeypatch):
    # Deleting a vector and adding the same id again can leave it unreachable in Chroma's
    # HNSW graph (chroma-core/chroma#7758): a re-ingest of a dead writer's documents keeps
    # their vectors, and only the files it does not write again lose theirs.
    corpus = tmp_path / "corpus"
    write(corpus / "shelter.md", SHELTER)
    write(corpus / "border.txt", BORDER)
    dead = Ingestor(server_settings, embedder=embedder)

    def die(*args, **kwargs):
        raise _Killed

    monkeypatch.setattr(dead, "_commit", die)
    with pytest.raises(_Killed):
        dead.ingest([corpus])
    store = Store(server_settings)
    shelter, border = (content_id((corpus / n).read_bytes()) for n in ("shelter.md", "border.txt"))
    assert store.read_manifest().documents == {}
    assert store.leftover_pending(store.read_manifest()) == {shelter, border}
    left = set(store.vector_ids())
    assert any(i.startswith(shelter) for i in left) and any(i.startswith(border) for i in left)

    deleted: list = []
    again = Ingestor(server_settings, embedder=embedder)
    collection = again.store.collection
    real_delete = collection.delete
    monkeypatch.setattr(collection, "delete", lambda **kw: (deleted.append(kw), real_delete(**kw))[1])
    results = again.ingest([corpus / "shelter.md"])
    assert [r.status for r in results] == ["new"]
    ids = set(store.vector_ids())
    assert {i for i in left if i.startswith(shelter)} <= ids  # kept in place
    assert not any(i.startswith(border) for i in ids)  # not written again: swept at the run's end
    assert not any(shelter in json.dumps(kw) for kw in deleted)
    assert store.leftover_pending(store.read_manifest()) == set()
    assert store.count() == sum(d.sentences for d in store.read_manifest().documents.values())
