"""Figures for docs/scaling.md: a replica's BM25 build from a Chroma server, and answer latency
through a Chroma server against the embedded store.

    python -m eval.scaling bm25 --chroma-url http://127.0.0.1:8000 --sentences 20000 100000
    python -m eval.scaling latency --chroma-url http://127.0.0.1:8000

`bm25` writes generated documents (records only: BM25 does not need vectors) into a
fresh collection and times what a new replica does at start (fetch every document
record, tokenize, index) and after one more document is committed (fetch one record,
tokenize it, index again). `latency` ingests examples/reports into both modes and asks
the example gold questions, several rounds after a warm-up.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import typer

from reportqa import offline
from reportqa.models import Document, DocumentInfo, Sentence
from reportqa.settings import Settings
from reportqa.stats import latency_summary

app = typer.Typer(add_completion=False, help=__doc__)
REPO = Path(__file__).resolve().parents[1]
SENTENCES_PER_DOC = 20
WORDS = ("victims rescued police cases shelter children women funding ministry report province border arrests "
         "courts convicted hotline calls staff donors budget million percent increase decrease year total "
         "training officers villages schools health workers returned migrants districts projects").split()


def fake_document(rng: random.Random, n: int):
    """A generated report of n sentences with exact offsets (what split_sentences would give)."""
    from reportqa.store import StoredDocument

    doc_id = uuid.UUID(int=rng.getrandbits(128)).hex[:16]
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize()
             + f" {rng.randrange(10, 99999):,} in {rng.randrange(2010, 2025)}." for _ in range(n)]
    text, sentences, pos = "", [], 0
    for i, t in enumerate(texts):
        sentences.append(Sentence(doc_id=doc_id, index=i, start=pos, end=pos + len(t), text=t, paragraph=i // 5))
        text += t + " "
        pos += len(t) + 1
    document = Document(doc_id=doc_id, title=f"Report {doc_id[:6]}", source=f"/gen/{doc_id}.md", stem=doc_id, text=text)
    return StoredDocument(document=document, sentences=sentences)


def info_of(stored) -> DocumentInfo:
    d = stored.document
    return DocumentInfo(doc_id=d.doc_id, title=d.title, source=d.source, stem=d.stem, sentences=len(stored.sentences),
                        ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def timed_snapshot(settings: Settings, reader=None):
    from qa.reader import StoreReader

    reader = reader or StoreReader(settings)
    started = time.perf_counter()
    snap = reader.snapshot()
    return reader, snap, time.perf_counter() - started


@app.command()
def bm25(chroma_url: str = typer.Option(..., help="A running Chroma server."),
         sentences: list[int] = typer.Option([20_000, 100_000], help="Store sizes to measure."),
         seed: int = 7) -> None:
    """Time a replica's BM25 build from the server at each size, and one incremental refresh."""
    offline.apply()
    from reportqa.store import Manifest, Store

    rows = []
    for n in sentences:
        settings = Settings(data_dir=Path(tempfile.mkdtemp()), chroma_url=chroma_url,
                            collection=f"scale{n}x{uuid.uuid4().hex[:6]}", refresh_seconds=0)
        store = Store(settings)
        rng = random.Random(seed)
        docs = [fake_document(rng, SENTENCES_PER_DOC) for _ in range(n // SENTENCES_PER_DOC)]
        started = time.perf_counter()
        for lo in range(0, len(docs), 200):
            store.save_documents(docs[lo:lo + 200])
        manifest = Manifest(generation=1, embed_model=settings.embed_model,
                            documents={d.document.doc_id: info_of(d) for d in docs})
        store.write_manifest(manifest)
        write_s = time.perf_counter() - started
        reader, snap, cold_s = timed_snapshot(settings)
        assert len(snap.lexical.ids) == n
        extra = fake_document(rng, SENTENCES_PER_DOC)
        store.save_documents([extra])
        store.write_manifest(manifest.model_copy(update={
            "generation": 2, "documents": {**manifest.documents, extra.document.doc_id: info_of(extra)}}))
        _, snap, refresh_s = timed_snapshot(settings, reader)
        assert len(snap.lexical.ids) == n + SENTENCES_PER_DOC
        rows.append({"sentences": n, "documents": len(docs), "write_records_s": round(write_s, 2),
                     "replica_start_s": round(cold_s, 2), "refresh_after_one_doc_s": round(refresh_s, 2)})
        print(json.dumps(rows[-1]), flush=True)
        for suffix in ("docs", "meta"):
            store.client.delete_collection(f"{settings.collection}__{suffix}")


@app.command()
def latency(chroma_url: str = typer.Option(..., help="A running Chroma server."),
            rounds: int = typer.Option(5, help="Times each question is asked after the warm-up.")) -> None:
    """Answer p50/p95 over the example reports, embedded and through the server."""
    offline.apply()
    from ingest.pipeline import Ingestor
    from qa.service import QA
    from reportqa.embedding import LocalEmbedding

    questions = [json.loads(line)["question"] for line in (REPO / "eval/gold/examples.jsonl").read_text().splitlines()
                 if line.strip()]
    embedder = LocalEmbedding.from_settings(Settings())
    out = {}
    for mode in ("embedded", "server"):
        settings = Settings(data_dir=Path(tempfile.mkdtemp()), chroma_url=chroma_url if mode == "server" else None,
                            collection=f"lat{uuid.uuid4().hex[:8]}")
        Ingestor(settings, embedder=embedder).ingest([REPO / "examples" / "reports"])
        qa = QA(settings, embedder=embedder)
        for q in questions:  # warm-up: snapshot, token caches
            qa.answer(q)
        ms = []
        for _ in range(rounds):
            for q in questions:
                started = time.perf_counter()
                qa.answer(q)
                ms.append((time.perf_counter() - started) * 1000)
        out[mode] = latency_summary(ms)
        print(json.dumps({mode: out[mode]}), flush=True)


if __name__ == "__main__":
    app()
