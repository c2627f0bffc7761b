"""`reportqa doctor`: every kind of damage is found, and --repair fixes what is derivable.

Each test breaks a small store in one way (the way a crash or a careless hand would),
checks that `diagnose` names it, and that `repair` leaves a clean store that still
answers from every document it can.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.doctor import diagnose, format_report, repair
from ingest.lock import writer_lock
from reportqa.settings import Settings
from tests.conftest import REPO

REPORTS = {
    "shelter.md": "# Shelter figures\n\nIn 2022 the shelter took in 412 people, including 97 children.\n\n"
                  "Staff answered 1,250 hotline calls. Staff answered 1,250 hotline calls.\n",
    "police.txt": "Police figures\n\nPolice arrested 149 suspects in 2022. Courts convicted 80 people.\n",
    "funding.md": "# Funding\n\nDonors gave US$1.2 million. The ministry added 300,000 dollars.\n",
}
CLI = str(Path(sys.executable).parent / "reportqa")


@pytest.fixture
def store_dir(ingestor, tmp_path):
    """A clean three-document store; returns (ingestor, {file name: doc id})."""
    src = tmp_path / "src"
    src.mkdir()
    for name, text in REPORTS.items():
        (src / name).write_text(text, encoding="utf-8")
    results = ingestor.ingest([src])
    assert {r.status for r in results} == {"new"}
    return ingestor, {Path(r.path).name: r.doc_id for r in results}


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "REPORTQA_DATA_DIR": str(settings.data_dir)}
    return subprocess.run([CLI, "doctor", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def codes(report) -> set[str]:
    return {p.code for p in report.problems}


def test_clean_store_is_ok_with_figures(store_dir):
    ing, ids = store_dir
    report = diagnose(ing.settings, sample=100)
    assert report.ok, format_report(report)
    assert report.stats["documents"] == 3
    assert report.stats["sentences"] == report.stats["chroma_ids"] == ing.store.count()
    assert report.stats["sampled"] == ing.store.count()  # every sentence retrieved itself


def test_empty_and_missing_data_dir_are_ok(tmp_path):
    assert diagnose(Settings(data_dir=tmp_path / "never-created")).ok
    assert not (tmp_path / "never-created").exists()  # a check never creates a store


def test_missing_vectors_found_and_reembedded(store_dir, embedder):
    ing, ids = store_dir
    doc = ids["police.txt"]
    ing.store.collection.delete(ids=[f"{doc}:0"])
    report = diagnose(ing.settings)
    assert codes(report) == {"chroma-missing"}
    assert report.problems[0].doc_ids == [doc] and f"{doc}:0" in report.problems[0].message
    fixed = repair(ing.settings, embedder=embedder)
    assert fixed.ok, format_report(fixed)
    assert any("re-embedded" in r for r in fixed.repaired)
    assert ing.store.collection.get(ids=[f"{doc}:0"])["ids"] == [f"{doc}:0"]


def test_orphans_and_debris_found_and_removed(store_dir, embedder):
    ing, ids = store_dir
    store = ing.store
    ghost = "0123456789abcdef"
    vector = embedder.encode(["a sentence nobody committed"])[0]
    store.collection.add(ids=[f"{ghost}:0"], embeddings=[vector], documents=["x"], metadatas=[{"report_id": ghost}])
    (store.docs_dir / f"{ghost}.json").write_text("{}")
    (store.root / "bm25-000099").mkdir()
    (store.root / ".manifest.json.k3j2.tmp").write_text("{")
    report = diagnose(ing.settings)
    assert codes(report) == {"chroma-orphans", "doc-orphans", "bm25-stale", "tmp-files"}, format_report(report)
    assert all(p.doc_ids == [ghost] for p in report.problems if p.code.endswith("orphans"))
    fixed = repair(ing.settings, embedder=embedder)
    assert fixed.ok, format_report(fixed)
    assert store.collection.get(ids=[f"{ghost}:0"])["ids"] == []
    assert sorted(p.name for p in store.root.iterdir() if p.name.startswith(("bm25", "."))) == [
        store.read_manifest().bm25
    ]


def test_bm25_mismatch_and_missing_folder_rebuilt(store_dir, embedder):
    ing, ids = store_dir
    manifest = ing.store.read_manifest()
    ids_file = ing.store.bm25_dir(manifest.bm25) / "ids.json"
    ids_file.write_text(json.dumps(json.loads(ids_file.read_text())[:-2]))
    report = diagnose(ing.settings)
    assert codes(report) == {"bm25"} and "2 committed sentence(s) missing" in report.problems[0].message
    assert repair(ing.settings, embedder=embedder).ok
    manifest = ing.store.read_manifest()
    import shutil

    shutil.rmtree(ing.store.bm25_dir(manifest.bm25))
    assert codes(diagnose(ing.settings)) == {"bm25"}
    fixed = repair(ing.settings, embedder=embedder)
    assert fixed.ok and ing.store.read_manifest().generation == manifest.generation + 1


def test_lost_document_file_is_reread_from_its_source(store_dir, embedder):
    ing, ids = store_dir
    doc = ids["shelter.md"]
    before = ing.store.load_document(doc)
    ing.store.doc_path(doc).unlink()
    report = diagnose(ing.settings)
    assert codes(report) == {"doc-file"} and f"{doc} missing" in report.problems[0].message
    fixed = repair(ing.settings, embedder=embedder)
    assert fixed.ok, format_report(fixed)
    assert ing.store.load_document(doc).sentences == before.sentences


def test_tampered_offsets_found_and_reread(store_dir, embedder):
    ing, ids = store_dir
    doc = ids["funding.md"]
    stored = ing.store.load_document(doc)
    stored.sentences[1].start += 1
    ing.store.save_document(stored)
    report = diagnose(ing.settings)
    assert codes(report) == {"offsets"} and "sentence 1" in report.problems[0].message
    assert repair(ing.settings, embedder=embedder).ok


def test_unrecoverable_document_is_removed_and_named(store_dir, embedder):
    from qa.reader import StoreReader

    ing, ids = store_dir
    doc = ids["police.txt"]
    source = Path(ing.store.read_manifest().documents[doc].source)
    ing.store.doc_path(doc).write_text("{not json")
    source.write_text("Police arrested 150 suspects in 2022.")  # the file changed since
    assert codes(diagnose(ing.settings)) == {"doc-file"}
    fixed = repair(ing.settings, embedder=embedder)
    assert fixed.ok, format_report(fixed)
    assert any(doc in r and "ingest that file again" in r for r in fixed.repaired)
    manifest = ing.store.read_manifest()
    assert doc not in manifest.documents and len(manifest.documents) == 2
    assert ing.store.collection.get(where={"report_id": doc})["ids"] == []
    assert set(StoreReader(ing.settings).snapshot().documents) == set(manifest.documents)


def test_wrong_chroma_text_or_metadata_fails_self_retrieval(store_dir, embedder):
    ing, ids = store_dir
    doc = ids["shelter.md"]
    col = ing.store.collection
    # Embeddings always passed: without them Chroma would call its default model (a download).
    got = col.get(ids=[f"{doc}:1", f"{doc}:2"], include=["embeddings"])
    vectors = dict(zip(got["ids"], got["embeddings"]))
    col.update(ids=[f"{doc}:1"], embeddings=[vectors[f"{doc}:1"]], documents=["something else"])
    col.update(ids=[f"{doc}:2"], embeddings=[vectors[f"{doc}:2"]], metadatas=[{"report_id": "elsewhere"}])
    report = diagnose(ing.settings, sample=100)
    assert codes(report) == {"self-retrieval"}, format_report(report)
    assert "2 of" in report.problems[0].message and report.problems[0].doc_ids == [doc]
    fixed = repair(ing.settings, embedder=embedder, sample=100)
    assert fixed.ok, format_report(fixed)


def test_damaged_manifest_is_reported_not_repaired(store_dir, embedder):
    ing, _ = store_dir
    ing.store.manifest_path.write_text('{"generation": "oops"')
    report = diagnose(ing.settings)
    assert codes(report) == {"manifest"} and "damaged" in report.problems[0].message
    after = repair(ing.settings, embedder=embedder)
    assert codes(after) == {"manifest"} and after.repaired == []


def test_other_embedding_model_is_a_problem(store_dir):
    ing, _ = store_dir
    other = ing.settings.model_copy(update={"embed_model": str(ing.settings.model_path())})
    report = diagnose(other)
    assert codes(report) == {"embed-model"}


def test_model_that_needs_the_network_is_a_problem(store_dir):
    ing, _ = store_dir
    settings = ing.settings.model_copy(update={"embed_model": "sentence-transformers/all-MiniLM-L6-v2"})
    report = diagnose(settings)
    offline = [p for p in report.problems if p.code == "offline"]
    assert offline and "network" in offline[0].message


def test_running_writer_skips_debris_and_repair_is_refused(store_dir, embedder):
    from reportqa.errors import StoreBusy

    ing, _ = store_dir
    (ing.store.root / "bm25-000099").mkdir()  # what a writer mid-commit has
    with writer_lock(ing.store.root):
        report = diagnose(ing.settings)
        assert report.ok and any("running" in n for n in report.notes)
        with pytest.raises(StoreBusy, match="store is busy"):
            repair(ing.settings, embedder=embedder)
    assert codes(diagnose(ing.settings)) == {"bm25-stale"}


def test_cli_exit_status_json_and_repair(store_dir):
    ing, ids = store_dir
    assert run_cli(ing.settings).returncode == 0
    (ing.store.docs_dir / ".x.json.1.tmp").write_text("")
    proc = run_cli(ing.settings, "--json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] is False and [p["code"] for p in report["problems"]] == ["tmp-files"]
    proc = run_cli(ing.settings)
    assert proc.returncode == 1 and "problem [tmp-files]" in proc.stdout
    proc = run_cli(ing.settings, "--repair")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "repaired: deleted leftover temp files" in proc.stdout and "\nok" in proc.stdout


def test_server_mode_checks_and_repairs(request, tmp_path, embedder):
    """Against a Chroma server ids come back in pages; an orphan and a gap are still found."""
    from ingest.pipeline import Ingestor

    url = request.getfixturevalue("chroma_server")
    settings = Settings(data_dir=tmp_path / "data", chroma_url=url, collection=f"doctor{abs(hash(tmp_path)) % 10**9}")
    src = tmp_path / "src"
    src.mkdir()
    for name, text in REPORTS.items():
        (src / name).write_text(text, encoding="utf-8")
    ing = Ingestor(settings, embedder=embedder)
    results = ing.ingest([src])
    assert diagnose(settings, sample=100).ok
    doc = results[0].doc_id
    ing.store.collection.delete(ids=[f"{doc}:0"])
    ing.store.collection.add(ids=["feedfacefeedface:0"], embeddings=[embedder.encode(["x"])[0]], documents=["x"],
                             metadatas=[{"report_id": "feedfacefeedface"}])
    assert codes(diagnose(settings)) == {"chroma-missing", "chroma-orphans"}
    assert repair(settings, embedder=embedder).ok


def test_one_vector_search_miss_is_a_note_many_are_a_problem(store_dir, monkeypatch):
    """HNSW leaves a rare vector unreachable (no repair changes that); a stale index misses widely."""
    import ingest.consistency as consistency

    ing, ids = store_dir
    all_ids = sorted(ing.store.collection.get(include=[])["ids"])
    missing: set[str] = {all_ids[0]}
    monkeypatch.setattr(consistency, "is_itself", lambda hit, node_id, text: node_id not in missing)
    report = diagnose(ing.settings, sample=100)
    assert report.ok and any("not reachable by their own vector" in n for n in report.notes)
    missing.update(all_ids[:4])
    report = diagnose(ing.settings, sample=100)
    assert codes(report) == {"self-retrieval"} and "4 of" in report.problems[0].message
