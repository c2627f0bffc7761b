"""Removals keep the vector index whole: every stored sentence still retrieves itself.

Chroma keeps deleted vectors in its HNSW graph; after a store lost most of its vectors
(large documents removed) live sentences became unreachable by the dense search (issue 37:
2 of ~600 found). The writer now rebuilds the collection afresh once deletions pass a
share of the live vectors, and `doctor --repair` rebuilds it when sentences stop
retrieving themselves. Both Chroma modes.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import ingest.consistency as consistency
from ingest.consistency import is_itself, top_hit
from ingest.doctor import diagnose, format_report, repair
from ingest.pipeline import Ingestor
from qa.reader import StoreReader
from tests.conftest import EXAMPLES

WORDS = ("shelter police victims rescued province budget court border hotline district "
         "ministry training outreach survivors inspections").split()


def big_text(path: Path, n: int) -> Path:
    rng = random.Random(7)
    path.write_text("\n".join(
        f"In {2000 + i % 23} the {rng.choice(WORDS)} office of {rng.choice(WORDS)} district counted "
        f"{i * 7 % 1000} {rng.choice(WORDS)} cases." for i in range(n)), encoding="utf-8")
    return path


def wide_csv(path: Path, cols: int, rows: int) -> Path:
    head = ",".join(["district"] + [f"y{1990 + j}" for j in range(cols)])
    body = [",".join([f"district {r}"] + [str(r * 31 + j) for j in range(cols)]) for r in range(rows)]
    path.write_text("\n".join([head, *body]), encoding="utf-8")
    return path


def table_html(path: Path, rows: int) -> Path:
    cells = "".join(f"<tr><td>site {r}</td><td>{r * 3}</td><td>{r * 5}</td></tr>" for r in range(rows))
    path.write_text(f"<html><title>Sites</title><body><p>Site counts by year.</p><table><tr><th>site</th>"
                    f"<th>2021</th><th>2022</th></tr>{cells}</table></body></html>", encoding="utf-8")
    return path


def unreachable(store) -> list[str]:
    """Committed sentences the dense search does not return for their own stored vector."""
    manifest = store.read_manifest()
    ids = manifest.sentence_ids()
    missed = []
    for lo in range(0, len(ids), 500):
        got = store.collection.get(ids=ids[lo:lo + 500], include=["embeddings", "documents"])
        assert len(got["ids"]) == len(ids[lo:lo + 500])
        for node_id, vector, text in zip(got["ids"], got["embeddings"], got["documents"]):
            if not is_itself(top_hit(store, vector, None), node_id, text):
                missed.append(node_id)
    return missed


@pytest.mark.timeout(900)
def test_removing_large_documents_keeps_every_sentence_reachable(mode_settings, embedder, tmp_path):
    settings = mode_settings.model_copy(update={"parse_frames": False})
    ing = Ingestor(settings, embedder=embedder)
    src = tmp_path / "src"
    src.mkdir()
    ing.ingest([EXAMPLES])
    big = [big_text(src / "big.txt", 1500), wide_csv(src / "wide.csv", 40, 60), table_html(src / "sites.html", 300)]
    results = ing.ingest(big)
    assert [r.status for r in results] == ["new"] * 3, results
    (tiny,) = ing.ingest([_tiny(src)])
    base = ing.store.vectors_name()
    before = ing.store.read_manifest()
    ing.remove("big")
    ing.remove("wide")
    manifest = ing.store.read_manifest()
    # The removals deleted most vectors: the writer moved to a fresh collection, and what
    # was deleted since is under the share that calls for another.
    live = sum(d.sentences for d in manifest.documents.values())
    assert manifest.vectors and manifest.vectors != base
    assert manifest.deleted_vectors < settings.vector_rebuild_share * live
    assert set(manifest.documents) == set(before.documents) - {results[0].doc_id, results[1].doc_id}
    assert ing.store.count() == sum(d.sentences for d in manifest.documents.values())
    assert unreachable(ing.store) == []
    report = diagnose(settings, sample=10_000)
    assert report.ok, format_report(report)
    # A reader opened on the store answers from the new collection.
    answer_ids = StoreReader(settings).store.collection.get(where={"report_id": tiny.doc_id})["ids"]
    assert len(answer_ids) == tiny.sentences


def _tiny(src: Path) -> Path:
    path = src / "tiny.md"
    path.write_text("# Tiny report\n\nThe tiny shelter took in 12 people in 2023.\n", encoding="utf-8")
    return path


@pytest.mark.timeout(600)
def test_repair_rebuilds_a_worn_index(mode_settings, embedder, tmp_path, monkeypatch):
    """Sentences that no query reaches are not cured by writing the same vectors again: repair
    builds a fresh collection (simulated wear: the original collection finds nothing)."""
    ing = Ingestor(mode_settings, embedder=embedder)
    ing.ingest([EXAMPLES])
    worn = ing.store.vectors_name()
    real_top_hit = consistency.top_hit

    def blind(store, vector, where):
        if store.vectors_name() == worn:
            return None, None, float("inf"), {}
        return real_top_hit(store, vector, where)

    monkeypatch.setattr(consistency, "top_hit", blind)
    report = diagnose(mode_settings, sample=50)
    assert "self-retrieval" in {p.code for p in report.problems}, format_report(report)
    fixed = repair(mode_settings, embedder=embedder, sample=50)
    assert fixed.ok, format_report(fixed)
    assert any("rebuilt the vector index as a fresh collection" in r for r in fixed.repaired), fixed.repaired
    manifest = ing.store.read_manifest()
    assert manifest.vectors != worn
    assert ing.store.count() == sum(d.sentences for d in manifest.documents.values())
    monkeypatch.setattr(consistency, "top_hit", real_top_hit)
    assert unreachable(ing.store) == []
