"""The doctor's checks: each compares one part of the store with the committed manifest.

Every check adds Problems to a Report (what `ingest.doctor.diagnose` returns) and never
changes the store.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from reportqa import offline
from reportqa.models import doc_of
from reportqa.settings import Settings
from reportqa.store import Manifest, Store

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

    def doc_ids(self, *codes: str) -> set[str]:
        """Documents named by the problems with these codes."""
        return {d for p in self.problems if p.code in codes for d in p.doc_ids}


EXAMPLES = 3  # ids quoted per problem, so a big mismatch stays readable
_SEARCH_WIDTH = 10
_SAME_VECTOR = 1e-4  # cosine distance of a vector to itself, after float rounding


def examples(reasons: dict[str, str]) -> str:
    """A few 'id reason' pairs, and how many more there are."""
    shown = "; ".join(f"{k} {v}" for k, v in list(reasons.items())[:EXAMPLES])
    return shown + (f"; and {len(reasons) - EXAMPLES} more" if len(reasons) > EXAMPLES else "")


def check_offline(settings: Settings, report: Report) -> None:
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


def check_documents(store: Store, manifest: Manifest, report: Report) -> dict[str, str]:
    """Each committed document's record (file or server record): present, parsing, the right sentences, exact offsets.

    Returns search text by sentence id for the documents that passed (for the sample check).
    """
    texts: dict[str, str] = {}
    bad: dict[str, str] = {}
    bad_offsets: dict[str, str] = {}
    for doc_id, info in manifest.documents.items():
        stored = store.inspect_document(doc_id)
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
        report.add("doc-file", f"{len(bad)} committed document file(s) unusable: {examples(bad)}", bad)
    if bad_offsets:
        report.add("offsets", f"offsets do not match the text in {len(bad_offsets)} document(s): "
                   f"{examples(bad_offsets)}", bad_offsets)
    return texts


def check_bm25(store: Store, manifest: Manifest, report: Report) -> None:
    """The current BM25 folder exists, loads, and lists exactly the committed sentence ids in order."""
    import json

    if not store.saves_lexical:
        report.notes.append("BM25 is built by each reader from the document records on the server")
        return
    expected = manifest.sentence_ids()
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


def check_chroma(store: Store, manifest: Manifest, report: Report, debris: bool) -> set[str] | None:
    """Chroma holds every committed sentence id, and (with no writer running) nothing else."""
    try:
        have = store.vector_ids()
    except Exception as e:  # an unreachable server or a damaged folder: say so, keep checking
        report.add("chroma", f"cannot read Chroma: {e}")
        return None
    want = set(manifest.sentence_ids())
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


def check_self_retrieval(store: Store, have: set[str], texts: dict[str, str], sample: int,
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
        hit = top_hit(store, vector, {"report_id": doc_id})
        if not is_itself(hit, node_id, text):
            # A vector stored hundreds of times ("## Table" heads every TAT-QA report) defeats
            # Chroma's filtered HNSW search, which then finds nothing; unfiltered, an identical
            # text from any document is the right first hit.
            hit = top_hit(store, vector, None)
        if not is_itself(hit, node_id, text):
            missed[node_id] = f"retrieved {hit[0]} first"
    report.stats["sampled"] = len(picked)
    # A text stored more times than a search returns (a table row repeated on every page)
    # fills HNSW neighbour lists with its own copies, so some copies are reachable by no query; BM25 and the
    # reachable copies find the text, and no rebuild changes it: a note, not a problem.
    copies = Counter(texts.values())
    repeated = {i: why for i, why in missed.items() if copies[texts[i]] >= _SEARCH_WIDTH}
    if repeated:
        for node_id in repeated:
            del missed[node_id]
        report.notes.append(f"{len(repeated)} sampled sentence(s) whose text is stored {_SEARCH_WIDTH}+ times not reached "
                            f"by their own vector ({examples(repeated)}): an HNSW limit with identical vectors")
    tolerated = max(1, len(picked) // 20)
    if len(missed) > tolerated:
        wrong.update(missed)
    elif missed:
        report.notes.append(f"{len(missed)} of {len(picked)} sampled sentence(s) not reachable by their own vector "
                            f"({examples(missed)}): an HNSW blind spot, BM25 still finds them")
    if wrong:
        report.add("self-retrieval", f"{len(wrong)} of {len(picked)} sampled sentence(s) do not retrieve "
                   f"themselves: {examples(wrong)}", {doc_of(i) for i in wrong})


def top_hit(store: Store, vector, where: dict | None) -> tuple[str | None, str | None, float, dict]:
    """Id, text and distance of the nearest stored vector ((None, None, inf) when nothing is
    found), and the distance of every id the search returned.

    Asks for more than one hit: Chroma searches at least as wide as the hits requested, and a
    narrow search now and then misses even an exact match (the collections' configured
    ef_search is 100; a filtered search over a few ids of a large index is the weak case).
    """
    res = store.collection.query(query_embeddings=[vector], n_results=_SEARCH_WIDTH, where=where,
                                 include=["documents", "distances"])
    if not res["ids"][0]:
        return None, None, float("inf"), {}
    return res["ids"][0][0], res["documents"][0][0], res["distances"][0][0], dict(zip(res["ids"][0], res["distances"][0]))


def is_itself(hit: tuple, node_id: str, text: str) -> bool:
    """The first hit is the sentence, a copy of its text, or a vector identical to it; or the
    sentence itself comes back at its own vector's distance behind a near twin (two table rows
    of one report with the same label and figures embed a hair apart).

    The model is uncased, so "The" and "the" share one vector and either may come first.
    """
    top_id, top_text, distance, found = hit
    return top_id == node_id or top_text == text or distance <= _SAME_VECTOR or \
        found.get(node_id, float("inf")) <= _SAME_VECTOR


def check_debris(store: Store, manifest: Manifest, report: Report) -> None:
    """What only a killed writer leaves behind (the store knows its own kinds of debris)."""
    for d in store.debris(manifest):
        report.add(d.code, d.message, d.doc_ids)
