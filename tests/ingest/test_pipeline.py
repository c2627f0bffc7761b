"""Ingestion into the store, in both Chroma modes (embedded folder and a real server on loopback)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from reportqa.settings import Settings
from reportqa.store import Store
from tests.conftest import REPO

REPORT = (
    "# Shelter figures\n\nIn 2022 the shelter took in 412 people, including 97 children.\n\n"
    "Staff answered 1,250 hotline calls. Staff answered 1,250 hotline calls.\n"
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_ingest_twice_is_unchanged_and_count_stable(mode_ingestor, tmp_path):
    f = write(tmp_path / "in" / "shelter.md", REPORT)
    first = mode_ingestor.ingest([f.parent])
    assert [r.status for r in first] == ["new"]
    count = mode_ingestor.store.count()
    assert count == first[0].sentences > 0
    second = mode_ingestor.ingest([f.parent])
    assert [r.status for r in second] == ["unchanged"]
    assert mode_ingestor.store.count() == count


def test_repeated_sentences_stored_with_distinct_offsets(mode_ingestor, tmp_path):
    f = write(tmp_path / "shelter.md", REPORT)
    (r,) = mode_ingestor.ingest([f])
    stored = mode_ingestor.store.load_document(r.doc_id)
    calls = [s for s in stored.sentences if "hotline" in s.text]
    assert len(calls) == 2 and calls[0].start != calls[1].start
    for s in stored.sentences:
        assert stored.document.text[s.start:s.end] == s.text


def test_changed_file_replaces_old_sentences(mode_ingestor, tmp_path):
    f = write(tmp_path / "shelter.md", REPORT)
    (old,) = mode_ingestor.ingest([f])
    write(f, REPORT.replace("412", "415"))
    (new,) = mode_ingestor.ingest([f])
    assert new.status == "replaced" and new.doc_id != old.doc_id
    manifest = mode_ingestor.store.read_manifest()
    assert list(manifest.documents) == [new.doc_id]
    got = mode_ingestor.store.collection.get(where={"report_id": old.doc_id})
    assert got["ids"] == []
    assert mode_ingestor.store.count() == new.sentences


def test_filter_by_report_id_through_llama_index(mode_ingestor, tmp_path, embedder):
    from llama_index.core.vector_stores.types import MetadataFilter, MetadataFilters, VectorStoreQuery

    a = write(tmp_path / "a.md", REPORT)
    b = write(tmp_path / "b.txt", "Police arrested 149 suspects in 2022.\n\nCourts convicted 80 people.")
    ra, rb = mode_ingestor.ingest([a, b])
    query = VectorStoreQuery(
        query_embedding=embedder.get_query_embedding("how many suspects were arrested"),
        similarity_top_k=10,
        filters=MetadataFilters(filters=[MetadataFilter(key="report_id", value=ra.doc_id)]),
    )
    res = mode_ingestor.store.vector_store.query(query)
    assert res.ids and all(i.startswith(ra.doc_id) for i in res.ids)
    assert {n.metadata["report_id"] for n in res.nodes} == {ra.doc_id}


def test_remove_by_stem_deletes_from_chroma_and_bm25(mode_ingestor, tmp_path):
    a = write(tmp_path / "a.md", REPORT)
    b = write(tmp_path / "b.txt", "Police arrested 149 suspects in 2022.")
    ra, rb = mode_ingestor.ingest([a, b])
    info = mode_ingestor.remove("b")
    assert info.doc_id == rb.doc_id
    manifest = mode_ingestor.store.read_manifest()
    assert list(manifest.documents) == [ra.doc_id]
    assert mode_ingestor.store.count() == ra.sentences
    from qa.reader import StoreReader

    ids = StoreReader(mode_ingestor.settings).snapshot().lexical.ids
    assert ids and all(i.startswith(ra.doc_id) for i in ids)
    assert mode_ingestor.store.inspect_document(rb.doc_id) == "missing"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"   \n\n  ", "no text"),
        ("binary.txt", bytes(range(256)) * 40, "binary"),
        ("corrupt.pdf", b"%PDF-1.4\n garbage \x00\x01 not a pdf", "PDF"),
        ("notes.xyz", b"hello", "unsupported"),
    ],
)
def test_bad_input_fails_alone_and_keeps_store(mode_ingestor, tmp_path, name, content, message):
    good = write(tmp_path / "good.md", REPORT)
    (g,) = mode_ingestor.ingest([good])
    before = mode_ingestor.store.count()
    bad = write(tmp_path / "bad" / name, content)
    results = mode_ingestor.ingest([bad, good])
    assert results[0].status in ("failed", "skipped")
    assert message.lower() in (results[0].reason or "").lower()
    assert results[1].status == "unchanged"
    assert mode_ingestor.store.count() == before
    assert list(mode_ingestor.store.read_manifest().documents) == [g.doc_id]


def test_invalid_utf8_is_replaced_and_said(ingestor, tmp_path):
    f = write(tmp_path / "latin1.txt", "Caf\xe9 owners reported 12 cases.".encode("latin-1"))
    (r,) = ingestor.ingest([f])
    assert r.status == "new"
    assert any("UTF-8" in w for w in r.warnings)


def test_oversize_and_missing_paths(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data", max_file_mb=0.001)
    ing = Ingestor(settings, embedder=embedder)
    big = write(tmp_path / "big.txt", "Twelve cases. " * 200)
    missing = tmp_path / "nope.txt"
    results = ing.ingest([big, missing])
    assert results[0].status == "failed" and "over the" in results[0].reason and "MB limit" in results[0].reason
    assert results[1].status == "failed" and results[1].reason == "path does not exist"
    assert ing.store.read_manifest().documents == {}


def test_outbound_network_is_blocked_during_ingest(ingestor, tmp_path):
    # pytest-socket (configured in pyproject) allows loopback only; prove it is active.
    from pytest_socket import SocketBlockedError, SocketConnectBlockedError

    with pytest.raises((SocketBlockedError, SocketConnectBlockedError)):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    f = write(tmp_path / "a.md", REPORT)
    assert ingestor.ingest([f])[0].status == "new"


@pytest.mark.shared
def test_offsets_exact_for_every_benchmark_sentence(bench_store):
    store = Store(bench_store)
    manifest = store.read_manifest()
    # Two DROP passages are byte-identical copies of two others: one document each.
    assert len(manifest.documents) >= 555 + 303 + 33
    checked = 0
    for doc_id in manifest.documents:
        stored = store.load_document(doc_id)
        text = stored.document.text
        for s in stored.sentences:
            assert text[s.start:s.end] == s.text, (doc_id, s.index)
            checked += 1
    assert checked == store.count()


def test_cli_ingest_exit_status_and_json(tmp_path):
    good = write(tmp_path / "in" / "good.md", REPORT)
    write(tmp_path / "in" / "empty.txt", b"")
    env = {**os.environ, "REPORTQA_DATA_DIR": str(tmp_path / "data")}
    cmd = [str(Path(sys.executable).parent / "reportqa"), "ingest", str(good.parent), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert proc.returncode == 1, proc.stderr
    summary = json.loads(proc.stdout)["summary"]
    assert summary["new"] == 1 and summary["failed"] == 1
