"""The UI's handle on the library: one QA and one Ingestor sharing model and store, uploads
kept in the data folder, documents listed from the manifest (with their tables and a preview
read once per content id)."""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from reportqa.models import Answer, DocumentInfo, IngestResult
from reportqa.settings import Settings
from reportqa.errors import ReportQAError
from ui import render

log = logging.getLogger(__name__)

MB = 1024 * 1024


def uploads_dir(settings: Settings) -> Path:
    """Where uploaded reports are kept (the store keeps only their text)."""
    return Path(settings.data_dir).resolve() / "uploads"


def outputs_dir(settings: Settings) -> Path:
    """Where evaluation runs write their reports, so they can be downloaded."""
    return Path(settings.data_dir).resolve() / "eval-runs"


def safe_name(name: str) -> str:
    """A file name that cannot leave the uploads folder or confuse a shell."""
    stem, dot, ext = Path(name).name.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "upload"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    return f"{stem[:100]}.{ext.lower()}" if ext else stem[:100]


class Backend:
    """The UI's handle on qa/ and ingest/: one QA and one Ingestor sharing model and store."""

    def __init__(self, settings: Settings, qa=None, ingestor=None):
        self.settings = settings
        self._qa = qa
        self._ingestor = ingestor
        self._init_lock = threading.Lock()
        # One writer at a time inside this process; other processes are kept out by the store lock.
        self.write_lock = threading.Lock()
        self._details: dict = {}

    @property
    def qa(self):
        """The answering service, created on first use (loads the embedding model)."""
        with self._init_lock:
            if self._qa is None:
                from qa.service import QA

                self._qa = QA.shared(self.settings)
            return self._qa

    @property
    def ingestor(self):
        """The ingestor, reusing the QA's embedder and store so the model loads once."""
        qa = self.qa
        with self._init_lock:
            if self._ingestor is None:
                from ingest.pipeline import Ingestor

                reader = getattr(qa, "reader", None)
                self._ingestor = Ingestor(
                    self.settings, embedder=getattr(qa, "embedder", None), store=getattr(reader, "store", None)
                )
            return self._ingestor

    def documents(self) -> list[DocumentInfo]:
        """Committed documents, sorted by title."""
        from reportqa.store import Store

        manifest = Store(self.settings).read_manifest()
        return sorted(manifest.documents.values(), key=lambda d: (d.title.lower(), d.doc_id))

    def details(self, docs: list[DocumentInfo]) -> dict:
        """Tables and a text preview per document, read from the store once per content id
        (a doc_id names exact bytes, so what was read stays true)."""
        from ui.documents import PREVIEW_CHARS, DocDetails

        missing = [d.doc_id for d in docs if d.doc_id not in self._details]
        if missing:
            from reportqa.store import Store

            try:
                stored = Store(self.settings).load_documents(missing)
            except ReportQAError:
                stored = {}
            for doc_id, rec in stored.items():
                text = " ".join(rec.document.text[: PREVIEW_CHARS * 2].split())
                preview = text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else "")
                self._details[doc_id] = DocDetails(tables=len(rec.document.tables), preview=preview)
        return {d.doc_id: self._details[d.doc_id] for d in docs if d.doc_id in self._details}

    def ask(self, question: str, docs: list[str] | None = None, history: list | None = None) -> Answer:
        """QA.answer, with an empty document filter meaning 'all documents'.

        `history` (earlier Answers of this conversation) makes the question a turn of it;
        None asks it on its own.
        """
        doc = list(docs) if docs else None
        if history is None:
            return self.qa.answer(question, doc=doc)
        return self.qa.answer(question, doc=doc, history=history)

    def receipt(self, answer: Answer) -> dict:
        """The answer receipt, with the manifest's records of the cited documents."""
        try:
            docs = {d.doc_id: d for d in self.documents()}
        except ReportQAError:
            docs = {}
        return render.receipt(answer, self.settings, docs)

    def upload(self, paths: list[str], on_file: Callable[[int], None] | None = None) -> list[IngestResult]:
        """Copy uploaded files into the uploads folder and ingest them; a bad file fails alone."""
        results: list[IngestResult] = []
        keep: list[Path] = []
        target = uploads_dir(self.settings)
        target.mkdir(parents=True, exist_ok=True)
        limit = self.settings.upload_max_mb * MB
        for p in paths:
            src = Path(p)
            name = safe_name(src.name)
            if Path(name).suffix.lower() not in self.settings.allowed_extensions:
                results.append(IngestResult(path=name, status="skipped", reason=(
                    f"file type not accepted (accepted: {', '.join(self.settings.allowed_extensions)})")))
            elif src.stat().st_size > limit:
                results.append(IngestResult(path=name, status="failed", reason=(
                    f"file is {src.stat().st_size / MB:.1f} MB, over the {self.settings.upload_max_mb:g} MB "
                    "upload limit")))
            else:
                # Same name again = a new version: the ingestor replaces the document from that path.
                dest = target / name
                shutil.copyfile(src, dest)
                keep.append(dest)
        if keep:
            results.extend(self._ingest(keep, on_file))
        for r in results:
            if r.status in ("failed", "skipped") and Path(r.path).parent == target:
                Path(r.path).unlink(missing_ok=True)
        return results

    def _ingest(self, paths: list[Path], on_file: Callable[[int], None] | None) -> list[IngestResult]:
        with self.write_lock:
            ingestor = self.ingestor
            done = [0]

            def hook(event: str, n: int) -> None:
                done[0] += 1
                if on_file:
                    on_file(done[0])

            ingestor.progress = hook
            try:
                return ingestor.ingest(paths)
            finally:
                ingestor.progress = lambda event, n: None

    def remove(self, doc_id: str) -> DocumentInfo:
        """Remove a document from the store (and its uploaded file, if it was uploaded here)."""
        with self.write_lock:
            info = self.ingestor.remove(doc_id)
        source = Path(info.source)
        if source.parent == uploads_dir(self.settings):
            source.unlink(missing_ok=True)
        return info
