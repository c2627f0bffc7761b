"""Check that a data directory is whole, and repair what can be rebuilt from it.

The manifest is the truth about what is visible. `diagnose` checks everything else
against it: each committed document has its document file (parsing, with exact
offsets), exactly its sentence ids in Chroma and in the current BM25 folder, and a
sample of sentences finds itself again by its own stored vector. Debris a killed
writer leaves (vectors and document files of uncommitted documents, old BM25
folders, temp files) and anything that would need the network are problems too.

`repair` fixes what is derivable, under the writer lock: debris is deleted, BM25 is
rebuilt from the document files, missing vectors are re-embedded from them, and a
lost document file is re-read from its source file when that still has the same
content. A document that cannot be recovered is taken out of the store (its text of
record is gone, and a reader cannot load a store that lists it) and named in the
report so it can be ingested again.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout
from pydantic import BaseModel, Field

from reportqa import offline
from reportqa.errors import ReportQAError, StoreError
from reportqa.models import doc_of, node_id
from reportqa.settings import Settings
from reportqa.store import Manifest, Store, StoredDocument

SAMPLE_SIZE = 20
# Re-embedding runs at ~110 sentences/s on a small machine; past this, repair says how
# many are missing instead of silently running for many minutes.
REEMBED_LIMIT = 20_000
_EXAMPLES = 3  # ids quoted per problem, so a big mismatch stays readable
_SEARCH_WIDTH = 10
_SAME_VECTOR = 1e-4  # cosine distance of a vector to itself, after float rounding

Code = Literal[
    "manifest", "embed-model", "doc-file", "offsets", "bm25", "chroma", "chroma-missing",
    "chroma-orphans", "doc-orphans", "bm25-stale", "tmp-files", "self-retrieval", "offline",
]


class Problem(BaseModel):
    """One thing wrong with the store, with the documents it concerns."""

    code: Code
    message: str
    doc_ids: list[str] = Field(default_factory=list)


class Report(BaseModel):
    """What `diagnose` found (and, after `repair`, what was done first)."""

    data_dir: str
    problems: list[Problem] = Field(default_factory=list)
    repaired: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    stats: dict[str, float] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: Code, message: str, doc_ids=()) -> None:
        self.problems.append(Problem(code=code, message=message, doc_ids=sorted(set(doc_ids))))

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}


# --------------------------------------------------------------------------- diagnose


def diagnose(settings: Settings, sample: int = SAMPLE_SIZE, seed: int | None = None) -> Report:
    """Check the store at settings.data_dir; an empty problem list means it is whole."""
    store = Store(settings)
    busy = _writer_running(store.root)
    report = _diagnose(store, sample, seed, debris=not busy)
    if busy:
        report.notes.append(
            "an ingest or removal is running: its uncommitted vectors and files are expected, so "
            "debris was not checked"
        )
    return report


def _writer_running(root: Path) -> bool:
    """Whether another process holds the writer lock (probed, not held: doctor must not block ingests)."""
    if not (root / "writer.lock").exists():
        return False
    lock = FileLock(str(root / "writer.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def _diagnose(store: Store, sample: int, seed: int | None, debris: bool = True) -> Report:
    started = time.perf_counter()
    report = Report(data_dir=str(store.root))
    _check_offline(store.settings, report)
    if not store.root.exists():
        report.notes.append("the data directory does not exist yet (nothing ingested)")
        return report
    try:
        manifest = store.read_manifest()
    except StoreError as e:
        report.add("manifest", str(e))
        return report
    if manifest.embed_model and manifest.embed_model != store.settings.embed_model:
        report.add("embed-model", f"the store was built with '{manifest.embed_model}' but the settings name "
                   f"'{store.settings.embed_model}'; questions would be embedded by the wrong model")
    expected = _expected_ids(manifest)
    texts = _check_documents(store, manifest, report)
    _check_bm25(store, manifest, expected, report)
    chroma_ids = _check_chroma(store, manifest, expected, report, debris)
    if chroma_ids is not None and texts:
        _check_self_retrieval(store, chroma_ids, texts, sample, seed, report)
    if debris:
        _check_debris(store, manifest, report)
    report.stats.update(
        documents=len(manifest.documents), sentences=len(expected), generation=manifest.generation,
        seconds=round(time.perf_counter() - started, 2),
    )
    if chroma_ids is not None:
        report.stats["chroma_ids"] = len(chroma_ids)
    return report


def _expected_ids(manifest: Manifest) -> list[str]:
    """Sentence ids of the committed documents, in the order the ingestor writes BM25."""
    return [node_id(d, i) for d in sorted(manifest.documents) for i in range(manifest.documents[d].sentences)]


def _check_offline(settings: Settings, report: Report) -> None:
    """Answering needs no network: the model is a local folder and the hubs are switched off."""
    off = [k for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE") if os.environ.get(k) != offline.OFFLINE_ENV[k]]
    if off:
        report.add("offline", f"{', '.join(off)} not set to 1: a model library could try the network")
    try:
        path = Path(settings.model_path())
    except Exception as e:  # the bundled-model package missing or broken
        report.add("offline", f"the embedding model '{settings.embed_model}' cannot be located: {e}")
        return
    if not path.is_dir() or not any(path.glob("*.json")):
        report.add("offline", f"the embedding model '{settings.embed_model}' is not a local folder with model "
                   f"files ({path}); loading it would need the network")
    if settings.chroma_url:
        report.notes.append(f"vectors live on the Chroma server {settings.chroma_url}")


def _load_stored(store: Store, doc_id: str) -> StoredDocument | str:
    """The document file, or why it cannot be used."""
    try:
        raw = store.doc_path(doc_id).read_text(encoding="utf-8")
    except FileNotFoundError:
        return "missing"
    except (OSError, UnicodeDecodeError) as e:
        return f"unreadable ({e.__class__.__name__})"
    try:
        stored = StoredDocument.model_validate_json(raw)
    except ValueError as e:
        return f"damaged ({e.__class__.__name__})"
    if stored.document.doc_id != doc_id:
        return f"holds document {stored.document.doc_id}"
    return stored


def _check_documents(store: Store, manifest: Manifest, report: Report) -> dict[str, str]:
    """Each committed document's file: present, parsing, the right sentences, exact offsets.

    Returns search text by sentence id for the documents that passed (for the sample check).
    """
    texts: dict[str, str] = {}
    bad: dict[str, str] = {}
    bad_offsets: dict[str, str] = {}
    for doc_id, info in manifest.documents.items():
        stored = _load_stored(store, doc_id)
        if isinstance(stored, str):
            bad[doc_id] = stored
            continue
        sents = stored.sentences
        if len(sents) != info.sentences:
            bad[doc_id] = f"has {len(sents)} sentences, the manifest says {info.sentences}"
            continue
        if any(s.index != i or s.doc_id != doc_id for i, s in enumerate(sents)):
            bad[doc_id] = "has misnumbered sentences"
            continue
        text = stored.document.text
        wrong = [s.index for s in sents if text[s.start:s.end] != s.text]
        if wrong:
            bad_offsets[doc_id] = f"sentence {wrong[0]}" + (f" and {len(wrong) - 1} more" if len(wrong) > 1 else "")
            continue
        texts.update((s.node_id, s.search_text) for s in sents)
    if bad:
        report.add("doc-file", f"{len(bad)} committed document file(s) unusable: {_examples(bad)}", bad)
    if bad_offsets:
        report.add("offsets", f"offsets do not match the text in {len(bad_offsets)} document(s): "
                   f"{_examples(bad_offsets)}", bad_offsets)
    return texts


def _examples(reasons: dict[str, str]) -> str:
    shown = "; ".join(f"{k} {v}" for k, v in list(reasons.items())[:_EXAMPLES])
    return shown + (f"; and {len(reasons) - _EXAMPLES} more" if len(reasons) > _EXAMPLES else "")


def _check_bm25(store: Store, manifest: Manifest, expected: list[str], report: Report) -> None:
    """The current BM25 folder exists, loads, and lists exactly the committed sentence ids in order."""
    if not manifest.bm25:
        if manifest.documents:
            report.add("bm25", "the manifest names no BM25 index but lists documents")
        return
    folder = store.bm25_dir(manifest.bm25)
    try:
        ids = json.loads((folder / "ids.json").read_text())
    except (OSError, ValueError) as e:
        report.add("bm25", f"{manifest.bm25}/ids.json cannot be read ({e.__class__.__name__})")
        return
    if ids != expected:
        have, want = set(ids), set(expected)
        missing, extra = want - have, have - want
        detail = []
        if missing:
            detail.append(f"{len(missing)} committed sentence(s) missing (e.g. {sorted(missing)[0]})")
        if extra:
            detail.append(f"{len(extra)} id(s) of no committed sentence (e.g. {sorted(extra)[0]})")
        if len(ids) != len(set(ids)):
            detail.append("duplicate ids")
        report.add("bm25", f"{manifest.bm25} does not match the manifest: "
                   + ("; ".join(detail) or "ids out of order"), {doc_of(i) for i in missing | extra})
        return
    if ids:
        try:
            from reportqa.bm25 import LexicalIndex

            LexicalIndex.load(folder)
        except Exception as e:  # any damage in bm25s's files
            report.add("bm25", f"{manifest.bm25} cannot be loaded: {e.__class__.__name__}: {e}")


def chroma_ids(store: Store) -> set[str]:
    """Every id in the collection, fetched in pages (a server limits one response)."""
    ids: set[str] = set()
    page = 5000
    offset = 0
    while True:
        got = store.collection.get(include=[], limit=page, offset=offset)["ids"]
        ids.update(got)
        if len(got) < page:
            return ids
        offset += page


def _check_chroma(store: Store, manifest: Manifest, expected: list[str], report: Report,
                  debris: bool) -> set[str] | None:
    """Chroma holds every committed sentence id, and (with no writer running) nothing else."""
    try:
        have = chroma_ids(store)
    except Exception as e:  # an unreachable server or a damaged folder: say so, keep checking
        report.add("chroma", f"cannot read Chroma: {e}")
        return None
    want = set(expected)
    missing = want - have
    if missing:
        docs = {doc_of(i) for i in missing}
        report.add("chroma-missing", f"{len(missing)} committed sentence(s) of {len(docs)} document(s) have no "
                   f"vector (e.g. {sorted(missing)[0]})", docs)
    orphans = have - want
    if orphans and debris:
        docs = {doc_of(i) for i in orphans}
        report.add("chroma-orphans", f"{len(orphans)} vector(s) belong to no committed sentence "
                   f"({len(docs)} document id(s), e.g. {sorted(orphans)[0]})", docs)
    return have


def _check_self_retrieval(store: Store, have: set[str], texts: dict[str, str], sample: int,
                          seed: int | None, report: Report) -> None:
    """A sample of sentences, queried by their own stored vector within their document, come first.

    A wrong stored text or report_id is always a problem. A plain miss is a problem only
    when several samples miss: HNSW leaves a few vectors unreachable in any large index
    (8 of 11,205 on TAT-QA, mostly near-duplicate table header rows), which no repair
    changes and BM25 covers, while a stale or damaged index misses widely.
    """
    candidates = sorted(i for i in texts if i in have)
    if not candidates or sample <= 0:
        return
    picked = random.Random(seed).sample(candidates, min(sample, len(candidates)))
    got = store.collection.get(ids=picked, include=["embeddings", "documents", "metadatas"])
    rows = {i: (e, d, m) for i, e, d, m in zip(got["ids"], got["embeddings"], got["documents"], got["metadatas"])}
    wrong: dict[str, str] = {}
    missed: dict[str, str] = {}
    for node_id in picked:
        doc_id = doc_of(node_id)
        if node_id not in rows:  # deleted since the id listing; the id check reports it
            continue
        vector, text, meta = rows[node_id]
        if text != texts[node_id]:
            wrong[node_id] = "its stored text differs from the document file"
            continue
        if (meta or {}).get("report_id") != doc_id:
            wrong[node_id] = f"its report_id is {(meta or {}).get('report_id')!r}"
            continue
        hit = _top_hit(store, vector, {"report_id": doc_id})
        if not _is_itself(hit, node_id, text):
            # A vector stored hundreds of times ("## Table" heads every TAT-QA report) defeats
            # Chroma's filtered HNSW search, which then finds nothing; unfiltered, an identical
            # text from any document is the right first hit.
            hit = _top_hit(store, vector, None)
        if not _is_itself(hit, node_id, text):
            missed[node_id] = f"retrieved {hit[0]} first"
    report.stats["sampled"] = len(picked)
    tolerated = max(1, len(picked) // 20)
    if len(missed) > tolerated:
        wrong.update(missed)
    elif missed:
        report.notes.append(f"{len(missed)} of {len(picked)} sampled sentence(s) not reachable by their own vector "
                            f"({_examples(missed)}): an HNSW blind spot, BM25 still finds them")
    if wrong:
        report.add("self-retrieval", f"{len(wrong)} of {len(picked)} sampled sentence(s) do not retrieve "
                   f"themselves: {_examples(wrong)}", {i.rsplit(':', 1)[0] for i in wrong})


def _top_hit(store: Store, vector, where: dict | None) -> tuple[str | None, str | None, float]:
    """Id, text and distance of the nearest stored vector ((None, None, inf) when nothing is found).

    Asks for more than one hit: Chroma searches at least as wide as the hits requested, and
    its default width (search_ef 10) now and then misses even an exact match.
    """
    res = store.collection.query(query_embeddings=[vector], n_results=_SEARCH_WIDTH, where=where,
                                 include=["documents", "distances"])
    if not res["ids"][0]:
        return None, None, float("inf")
    return res["ids"][0][0], res["documents"][0][0], res["distances"][0][0]


def _is_itself(hit: tuple[str | None, str | None, float], node_id: str, text: str) -> bool:
    """The first hit is the sentence, a copy of its text, or a vector identical to it.

    The model is uncased, so "The" and "the" share one vector and either may come first.
    """
    top_id, top_text, distance = hit
    return top_id == node_id or top_text == text or distance <= _SAME_VECTOR


def _check_debris(store: Store, manifest: Manifest, report: Report) -> None:
    """Files only a killed writer leaves behind."""
    orphans = sorted(p.stem for p in store.docs_dir.glob("*.json") if p.stem not in manifest.documents)
    if orphans:
        report.add("doc-orphans", f"{len(orphans)} document file(s) of no committed document "
                   f"(e.g. docs/{orphans[0]}.json)", orphans)
    stale = sorted(p.name for p in store.root.glob("bm25-*") if p.name != manifest.bm25)
    if stale:
        report.add("bm25-stale", f"{len(stale)} BM25 folder(s) not in use: {', '.join(stale[:_EXAMPLES])}")
    tmp = sorted(str(p.relative_to(store.root)) for p in _tmp_files(store))
    if tmp:
        report.add("tmp-files", f"{len(tmp)} leftover temp file(s): {', '.join(tmp[:_EXAMPLES])}")


def _tmp_files(store: Store) -> list[Path]:
    return [*store.root.glob("*.tmp"), *store.docs_dir.glob("*.tmp")]


# --------------------------------------------------------------------------- repair


def repair(settings: Settings, embedder=None, reembed_limit: int = REEMBED_LIMIT,
           sample: int = SAMPLE_SIZE, seed: int | None = None) -> Report:
    """Fix what can be rebuilt, under the writer lock, then diagnose again.

    Raises StoreBusy when an ingest holds the lock. The returned report lists what
    was done (`repaired`) and what is still wrong (`problems`).
    """
    from ingest.lock import writer_lock
    from ingest.pipeline import Ingestor

    store = Store(settings)
    with writer_lock(store.root):
        before = _diagnose(store, sample, seed)
        done: list[str] = []
        # A damaged manifest is not derivable; with another model configured, rebuilding
        # would mix two models' vectors. Both need a person.
        if not before.codes() & {"manifest", "embed-model"}:
            ingestor = Ingestor(settings, embedder=embedder, store=store)
            _repair_locked(ingestor, before, reembed_limit, done)
        report = _diagnose(store, sample, seed)
    report.repaired = done
    if not done and before.problems:
        report.notes.append("nothing could be repaired automatically")
    return report


def _repair_locked(ingestor, before: Report, reembed_limit: int, done: list[str]) -> None:
    store: Store = ingestor.store
    manifest = store.read_manifest()
    _remove_debris(store, manifest, before, done)
    pending, dropped = _recover_documents(store, manifest, before, done)
    _reembed(ingestor, manifest, before, set(pending) | dropped, reembed_limit, done)
    for doc_id, stored in pending.items():
        ingestor._embed_and_add(stored)
        done.append(f"re-embedded {len(stored.sentences)} sentence(s) of {doc_id} re-read from {stored.document.source}")
    bm25_bad = bool(before.codes() & {"bm25", "bm25-stale"})
    if pending or dropped or bm25_bad:
        from reportqa.models import IngestResult

        # The ingestor's own commit: rebuilds BM25 from the document files and swaps the
        # manifest atomically, so a repair is exactly as crash-safe as an ingest.
        rows = [(s, IngestResult(path=s.document.source, status="new")) for s in pending.values()]
        manifest = ingestor._commit(manifest, rows, dropped)
        done.append(f"rebuilt BM25 as {manifest.bm25}")
    _remove_orphan_vectors(store, manifest, done)


def _remove_debris(store: Store, manifest: Manifest, before: Report, done: list[str]) -> None:
    codes = before.codes()
    if "tmp-files" in codes:
        for p in _tmp_files(store):
            p.unlink(missing_ok=True)
        done.append("deleted leftover temp files")
    if "doc-orphans" in codes:
        for p in store.docs_dir.glob("*.json"):
            if p.stem not in manifest.documents:
                p.unlink(missing_ok=True)
        done.append("deleted document files of uncommitted documents")
    if "bm25-stale" in codes:
        for p in store.root.glob("bm25-*"):
            if p.name != manifest.bm25:
                shutil.rmtree(p, ignore_errors=True)
        done.append("deleted BM25 folders not in use")


def _recover_documents(store: Store, manifest: Manifest, before: Report,
                       done: list[str]) -> tuple[dict[str, StoredDocument], set[str]]:
    """Re-read lost or damaged document files from their sources; drop the unrecoverable."""
    bad = {d for p in before.problems if p.code in ("doc-file", "offsets") for d in p.doc_ids}
    pending: dict[str, StoredDocument] = {}
    dropped: set[str] = set()
    for doc_id in sorted(bad):
        info = manifest.documents[doc_id]
        stored = reread_source(store.settings, doc_id, info.source)
        if stored is None:
            dropped.add(doc_id)
            done.append(f"removed {doc_id} ('{info.title}'): its document file is lost and {info.source} is gone "
                        "or has changed; ingest that file again")
        else:
            pending[doc_id] = stored
    return pending, dropped


def reread_source(settings: Settings, doc_id: str, source: str) -> StoredDocument | None:
    """The document rebuilt from its source file, if that file still has the same content."""
    from ingest.pipeline import content_id
    from ingest.readers import read_document
    from ingest.sentences import split_sentences

    path = Path(source)
    try:
        data = path.read_bytes()
        if content_id(data) != doc_id:
            return None
        document = read_document(path, data, doc_id)
    except (OSError, ReportQAError):
        return None
    document.source = str(path.resolve())
    sentences = split_sentences(doc_id, document.text, document.page_starts, settings.long_sentence_words)
    return StoredDocument(document=document, sentences=sentences) if sentences else None


def _reembed(ingestor, manifest: Manifest, before: Report, skip: set[str], limit: int, done: list[str]) -> None:
    """Re-add the vectors of documents with missing or wrong ones, from their document files."""
    docs = {d for p in before.problems if p.code in ("chroma-missing", "self-retrieval") for d in p.doc_ids}
    docs = sorted(d for d in docs - skip if d in manifest.documents)
    total = sum(manifest.documents[d].sentences for d in docs)
    if not docs:
        return
    if total > limit:
        done.append(f"did not re-embed {total} sentence(s) of {len(docs)} document(s): over the limit of {limit}; "
                    "run `reportqa ingest` on their files again")
        return
    for doc_id in docs:
        ingestor._embed_and_add(ingestor.store.load_document(doc_id))
    done.append(f"re-embedded {total} sentence(s) of {len(docs)} document(s) from their document files")


def _remove_orphan_vectors(store: Store, manifest: Manifest, done: list[str]) -> None:
    orphans = sorted(chroma_ids(store) - set(_expected_ids(manifest)))
    for lo in range(0, len(orphans), 5000):
        store.collection.delete(ids=orphans[lo:lo + 5000])
    if orphans:
        done.append(f"deleted {len(orphans)} vector(s) of no committed sentence")


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
