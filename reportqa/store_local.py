"""The records of a store in its data directory (the embedded mode, the default).

    data_dir/
      manifest.json      committed documents + generation + which BM25 folder is current
      docs/<id>.json     each document's text and sentences (the source of truth for offsets)
      bm25-<gen>/        the lexical index for that generation
      chroma/            embedded Chroma
      writer.lock        held by the one process allowed to write (writer.pid says who)

A document is visible only once it is in the manifest, and the manifest is replaced
atomically, so readers never see half of a document.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from reportqa.errors import StoreBusy, StoreError
from reportqa.manifest import Debris, Manifest, StoredDocument


def atomic_write(path: Path, data: str) -> None:
    """Write a file so that readers see either the old or the new content, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LocalRecords:
    """Manifest, document files, BM25 folders and the writer lock in one data directory."""

    saves_lexical = True  # the writer saves BM25 with each generation; readers load it

    def __init__(self, root: Path):
        self.root = root
        self.manifest_path = root / "manifest.json"
        self.docs_dir = root / "docs"

    @property
    def location(self) -> str:
        return str(self.root)

    def exists(self) -> bool:
        return self.root.exists()

    def version(self) -> int:
        """The manifest's modification time: a stat() tells a reader whether a writer committed."""
        try:
            return self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def read_manifest(self) -> Manifest:
        """The committed state; an empty manifest for a new data directory."""
        try:
            raw = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Manifest()
        try:
            return Manifest.model_validate_json(raw)
        except ValueError as e:
            raise StoreError(f"{self.manifest_path} is damaged ({e.__class__.__name__}); "
                             "run `reportqa doctor --repair`") from e

    def write_manifest(self, manifest: Manifest) -> None:
        """Commit: one atomic rename."""
        atomic_write(self.manifest_path, manifest.model_dump_json(indent=1))

    def doc_path(self, doc_id: str) -> Path:
        return self.docs_dir / f"{doc_id}.json"

    def inspect_document(self, doc_id: str) -> StoredDocument | str:
        """The document file, or why it cannot be used."""
        try:
            raw = self.doc_path(doc_id).read_text(encoding="utf-8")
        except FileNotFoundError:
            return "missing"
        except (OSError, UnicodeDecodeError) as e:
            return f"unreadable ({e.__class__.__name__})"
        try:
            stored = StoredDocument.model_validate_json(raw)
        except ValueError as e:
            return f"damaged ({e.__class__.__name__})"
        return stored if stored.document.doc_id == doc_id else f"holds document {stored.document.doc_id}"

    def load_documents(self, doc_ids: list[str]) -> dict[str, StoredDocument]:
        out = {}
        for doc_id in doc_ids:
            try:
                out[doc_id] = StoredDocument.model_validate_json(self.doc_path(doc_id).read_text(encoding="utf-8"))
            except FileNotFoundError as e:
                raise StoreError(f"document file for {doc_id} is missing; run `reportqa doctor --repair`") from e
        return out

    def save_documents(self, docs: list[StoredDocument]) -> None:
        for stored in docs:
            atomic_write(self.doc_path(stored.document.doc_id), stored.model_dump_json())

    def delete_document(self, doc_id: str) -> None:
        self.doc_path(doc_id).unlink(missing_ok=True)

    def note_pending(self, doc_ids: set[str]) -> None:
        """Nothing to note: a killed writer's vectors are overwritten when its files are ingested again."""

    # ---- debris ------------------------------------------------------------------

    def _tmp_files(self) -> list[Path]:
        return [*self.root.glob("*.tmp"), *self.docs_dir.glob("*.tmp")]

    def _orphan_doc_files(self, manifest: Manifest) -> list[Path]:
        return sorted(p for p in self.docs_dir.glob("*.json") if p.stem not in manifest.documents)

    def _stale_bm25(self, manifest: Manifest) -> list[Path]:
        return sorted(p for p in self.root.glob("bm25-*") if p.name != manifest.bm25)

    def debris(self, manifest: Manifest) -> list[Debris]:
        """Uncommitted document files, BM25 folders not in use, temp files."""
        found: list[Debris] = []
        orphans = [p.stem for p in self._orphan_doc_files(manifest)]
        if orphans:
            found.append(Debris(code="doc-orphans", doc_ids=orphans,
                                message=f"{len(orphans)} document file(s) of no committed document "
                                f"(e.g. docs/{orphans[0]}.json)",
                                repaired="deleted document files of uncommitted documents"))
        stale = [p.name for p in self._stale_bm25(manifest)]
        if stale:
            found.append(Debris(code="bm25-stale", message=f"{len(stale)} BM25 folder(s) not in use: "
                                + ", ".join(stale[:3]), repaired="deleted BM25 folders not in use"))
        tmp = sorted(str(p.relative_to(self.root)) for p in self._tmp_files())
        if tmp:
            found.append(Debris(code="tmp-files", message=f"{len(tmp)} leftover temp file(s): " + ", ".join(tmp[:3]),
                                repaired="deleted leftover temp files"))
        return found

    def leftover_pending(self, manifest: Manifest) -> set[str]:
        """Nothing: a killed writer's vectors in an embedded store are overwritten by the next
        ingest, or swept by the doctor."""
        return set()

    def clear_debris(self, manifest: Manifest, keep: set[str] = frozenset()) -> list[str]:
        done = [d.repaired for d in self.debris(manifest)]
        for tmp in self._tmp_files():
            tmp.unlink(missing_ok=True)
        for doc_file in self._orphan_doc_files(manifest):
            doc_file.unlink(missing_ok=True)
        for folder in self._stale_bm25(manifest):
            shutil.rmtree(folder, ignore_errors=True)
        return done

    # ---- the writer lock -----------------------------------------------------------

    @contextmanager
    def writer(self):
        """Hold the writer lock, or fail at once with who holds it.

        Chroma is not safe for two writers on one folder, so a second writer must not wait
        in line and then write on top of a state it did not read.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / "writer.lock"))
        holder = self.root / "writer.pid"
        try:
            lock.acquire(timeout=0)
        except Timeout:
            try:
                pid = holder.read_text().strip() or "?"
            except OSError:
                pid = "?"
            raise StoreBusy(f"store is busy (held by pid {pid}): another ingest or removal is running on "
                            f"{self.root}") from None
        try:
            holder.write_text(str(os.getpid()))
            yield
        finally:
            holder.unlink(missing_ok=True)
            lock.release()

    def writer_busy(self) -> bool:
        """Whether another process holds the lock (probed, not held: the doctor must not block ingests)."""
        if not (self.root / "writer.lock").exists():
            return False
        lock = FileLock(str(self.root / "writer.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return True
        lock.release()
        return False
