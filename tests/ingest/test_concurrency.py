"""Two writers, and readers beside a writer.

Two `reportqa ingest` runs on one data directory: the first proceeds, the second
stops at once (exit 2, "store is busy (held by pid N)") without writing anything.
A reader opened before an ingest in another process sees the new documents, through
BM25 and through Chroma, once that ingest commits, without being restarted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import content_id
from reportqa.settings import Settings
from reportqa.store import Store
from tests.conftest import REPO
from tests.ingest.test_crash import make_corpus
from tests.processes import assert_refused_busy, race_second_writer

CLI = str(Path(sys.executable).parent / "reportqa")
BUSY_SECONDS = 8  # python start-up and imports only; a loaded CI box needs some slack


def cli(*args: str, data_dir: Path) -> list[str]:
    return [CLI, *args, "--data-dir", str(data_dir)]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_second_ingest_fails_fast_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    corpus = make_corpus(tmp_path / "corpus", 4)
    late = tmp_path / "late" / "late.md"
    late.parent.mkdir()
    late.write_text("# Late report\n\nThe late report counts 777 cases.\n", encoding="utf-8")

    first = subprocess.Popen(cli("ingest", str(corpus), "--json", data_dir=data), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=REPO)
    race = race_second_writer(
        first,
        # writer.pid appears once the first run holds the lock, long before its model is loaded.
        lambda: wait_for(lambda: (data / "writer.pid").exists() or first.poll() is not None, 60,
                         "the first ingest's lock"),
        lambda: subprocess.run(cli("ingest", str(late.parent), data_dir=data), capture_output=True,
                               text=True, cwd=REPO, timeout=60),
    )
    assert_refused_busy(race, f"store is busy (held by pid {first.pid})", BUSY_SECONDS)

    store = Store(Settings(data_dir=data))
    manifest = store.read_manifest()
    late_id = content_id(late.read_bytes())
    assert len(manifest.documents) == 4 and late_id not in manifest.documents
    assert not store.doc_path(late_id).exists()
    assert store.collection.get(where={"report_id": late_id})["ids"] == []
    doctor = subprocess.run(cli("doctor", data_dir=data), capture_output=True, text=True, cwd=REPO, timeout=300)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr


def test_removal_while_ingesting_is_refused(tmp_path):
    from ingest.lock import writer_lock

    data = tmp_path / "data"
    with writer_lock(data):
        proc = subprocess.run(cli("docs", "remove", "anything", data_dir=data), capture_output=True, text=True,
                              cwd=REPO, timeout=60)
    assert proc.returncode == 2 and f"store is busy (held by pid {os.getpid()})" in " ".join(proc.stderr.split())


def test_reader_sees_documents_another_process_ingests(tmp_path, ingestor, embedder):
    from qa.reader import StoreReader
    from qa.retrieve import HybridRetriever

    first = tmp_path / "a" / "shelter.md"
    first.parent.mkdir()
    first.write_text("# Shelter\n\nThe shelter took in 412 people in 2022.\n", encoding="utf-8")
    (a,) = ingestor.ingest([first])
    settings: Settings = ingestor.settings
    reader = StoreReader(settings)
    retriever = HybridRetriever(settings, reader, embedder)
    question = "How many suspects did the border police arrest?"
    assert retriever.dense(question, reader.snapshot(), None, 5)  # Chroma opened before the ingest

    new = tmp_path / "b" / "border.txt"
    new.parent.mkdir()
    new.write_text("Border police\n\nThe border police arrested 149 suspects in 2022.\n", encoding="utf-8")
    proc = subprocess.run(cli("ingest", str(new), data_dir=settings.data_dir), capture_output=True, text=True,
                          cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr
    b = content_id(new.read_bytes())

    snap = reader.snapshot()
    assert set(snap.documents) == {a.doc_id, b}
    lexical = retriever.lexical(question, snap, None, 5)
    dense = retriever.dense(question, snap, None, 5)
    assert lexical and lexical[0].startswith(b)
    # Embedded Chroma caches its index per process: this fails if the reader keeps the old one.
    assert dense and dense[0].startswith(b), dense
    assert retriever.dense(question, snap, [b], 5)[0].startswith(b)
    found = retriever.search(question, snap)
    assert found[0][0].doc_id == b and "149" in found[0][0].text
    from qa.service import QA

    answer = QA(settings, embedder=embedder, reader=reader).answer(question)
    assert any(c.doc_id == b for c in answer.citations), answer
