"""Check that a store is whole, and repair what can be rebuilt from it.

The manifest is the truth about what is visible. `diagnose` checks everything else
against it (ingest/consistency.py): each committed document has its document file
(parsing, with exact offsets), exactly its sentence ids in Chroma and in the current
BM25 index, and a sample of sentences finds itself again by its own stored vector.
Debris a killed writer leaves (vectors and document files of uncommitted documents,
old BM25 folders, temp files) and anything that would need the network are problems too.

`repair` fixes what is derivable, through the ingestor's public methods under its
writer lock: debris is swept, missing vectors are re-embedded from the document
files, a lost document file is re-read from its source file when that still has the
same content, and BM25 is rebuilt. A document that cannot be recovered is taken out
of the store (its text of record is gone, and a reader cannot load a store that lists
it) and named in the report so it can be ingested again.
"""

from __future__ import annotations

import time
from pathlib import Path

from reportqa.errors import ReportQAError, StoreError
from reportqa.settings import Settings
from reportqa.store import Manifest, Store, StoredDocument

from ingest import consistency as checks
from ingest.consistency import Problem, Report
from ingest.lock import writer_busy

__all__ = ["Problem", "Report", "diagnose", "format_report", "repair"]

SAMPLE_SIZE = 20
# Re-embedding runs at ~110 sentences/s on a small machine; past this, repair says how
# many are missing instead of silently running for many minutes.
REEMBED_LIMIT = 20_000

# --------------------------------------------------------------------------- diagnose


def diagnose(settings: Settings, sample: int = SAMPLE_SIZE, seed: int | None = None) -> Report:
    """Check the store at settings.data_dir; an empty problem list means it is whole."""
    store = Store(settings)
    busy = writer_busy(store)
    report = _diagnose(store, sample, seed, debris=not busy)
    if busy:
        report.notes.append(
            "an ingest or removal is running: its uncommitted vectors and files are expected, so "
            "debris was not checked"
        )
    return report


def _diagnose(store: Store, sample: int, seed: int | None, debris: bool = True) -> Report:
    started = time.perf_counter()
    report = Report(data_dir=store.location)
    checks.check_offline(store.settings, report)
    if not store.exists():
        report.notes.append("the store does not exist yet (nothing ingested)")
        return report
    try:
        manifest = store.read_manifest()
    except StoreError as e:
        report.add("manifest", str(e))
        return report
    if manifest.embed_model and manifest.embed_model != store.settings.embed_model:
        report.add("embed-model", f"the store was built with '{manifest.embed_model}' but the settings name "
                   f"'{store.settings.embed_model}'; questions would be embedded by the wrong model")
    texts = checks.check_documents(store, manifest, report)
    checks.check_bm25(store, manifest, report)
    vector_ids = checks.check_chroma(store, manifest, report, debris)
    if vector_ids is not None and texts:
        checks.check_self_retrieval(store, vector_ids, texts, sample, seed, report)
    if debris:
        checks.check_debris(store, manifest, report)
    report.stats.update(
        documents=len(manifest.documents), sentences=sum(d.sentences for d in manifest.documents.values()),
        generation=manifest.generation, seconds=round(time.perf_counter() - started, 2),
    )
    if vector_ids is not None:
        report.stats["chroma_ids"] = len(vector_ids)
    return report


# --------------------------------------------------------------------------- repair


def repair(settings: Settings, embedder=None, reembed_limit: int = REEMBED_LIMIT,
           sample: int = SAMPLE_SIZE, seed: int | None = None) -> Report:
    """Fix what can be rebuilt, under the writer lock, then diagnose again.

    Raises StoreBusy when an ingest holds the lock. The returned report lists what
    was done (`repaired`) and what is still wrong (`problems`).
    """
    from ingest.pipeline import Ingestor

    store = Store(settings)
    ingestor = Ingestor(settings, embedder=embedder, store=store)
    with ingestor.writing():
        before = _diagnose(store, sample, seed)
        done: list[str] = []
        # A damaged manifest is not derivable; with another model configured, rebuilding
        # would mix two models' vectors. Both need a person.
        if not before.codes() & {"manifest", "embed-model"}:
            _repair_locked(ingestor, before, reembed_limit, done)
        report = _diagnose(store, sample, seed)
    report.repaired = done
    if not done and before.problems:
        report.notes.append("nothing could be repaired automatically")
    return report


def _repair_locked(ingestor, before: Report, reembed_limit: int, done: list[str]) -> None:
    manifest = ingestor.store.read_manifest()
    done.extend(ingestor.sweep())
    restore, dropped = _recover_documents(ingestor.settings, manifest, before, done)
    # Sentences that do not retrieve themselves are not cured by writing their vectors again
    # (the ids hold the right vectors already; the HNSW graph cannot reach them): the index
    # is rebuilt as a fresh collection instead, once the document records are whole.
    worn = "self-retrieval" in before.codes()
    broken = before.doc_ids("chroma-missing") - set(restore) - dropped
    broken = sorted(d for d in broken if d in manifest.documents)
    total = sum(manifest.documents[d].sentences for d in broken)
    if worn:
        pass  # the rebuild below embeds whatever is missing
    elif total > reembed_limit:
        done.append(f"did not re-embed {total} sentence(s) of {len(broken)} document(s): over the limit of "
                    f"{reembed_limit}; run `reportqa ingest` on their files again")
    elif broken:
        ingestor.reembed(broken)
        done.append(f"re-embedded {total} sentence(s) of {len(broken)} document(s) from their document files")
    if restore or dropped or before.codes() & {"bm25", "bm25-stale"}:
        manifest = ingestor.rebuild(restore=restore.values(), drop=dropped)
        done.extend(f"re-embedded {len(s.sentences)} sentence(s) of {d} re-read from {s.document.source}"
                    for d, s in restore.items())
        done.append(f"rebuilt BM25 as {manifest.bm25}")
    if worn:
        manifest = ingestor.rebuild_vectors()
        done.append(f"rebuilt the vector index as a fresh collection '{manifest.vectors}' from the "
                    f"{sum(d.sentences for d in manifest.documents.values())} stored sentence(s)")
    done.extend(ingestor.sweep(vectors=True))


def _recover_documents(settings: Settings, manifest: Manifest, before: Report,
                       done: list[str]) -> tuple[dict[str, StoredDocument], set[str]]:
    """Re-read lost or damaged document files from their sources; drop the unrecoverable."""
    restore: dict[str, StoredDocument] = {}
    dropped: set[str] = set()
    for doc_id in sorted(before.doc_ids("doc-file", "offsets")):
        info = manifest.documents[doc_id]
        stored = reread_source(settings, doc_id, info.source)
        if stored is None:
            dropped.add(doc_id)
            done.append(f"removed {doc_id} ('{info.title}'): its document file is lost and {info.source} is gone "
                        "or has changed; ingest that file again")
        else:
            restore[doc_id] = stored
    return restore, dropped


def reread_source(settings: Settings, doc_id: str, source: str) -> StoredDocument | None:
    """The document rebuilt from its source file, if that file still has the same content."""
    from ingest.prepare import prepare_document

    try:
        stored = prepare_document(Path(source), settings)
    except (OSError, ReportQAError):
        return None
    return stored if stored.document.doc_id == doc_id else None


# --------------------------------------------------------------------------- output


def format_report(report: Report) -> str:
    """The report as lines for a person: problems first, then what was repaired, then figures."""
    lines = [f"store: {report.data_dir}"]
    for r in report.repaired:
        lines.append(f"repaired: {r}")
    for p in report.problems:
        lines.append(f"problem [{p.code}]: {p.message}")
    for n in report.notes:
        lines.append(f"note: {n}")
    figures = ", ".join(f"{k} {v:g}" for k, v in report.stats.items())
    lines.append(("ok" if report.ok else f"{len(report.problems)} problem(s)") + (f" ({figures})" if figures else ""))
    return "\n".join(lines)
