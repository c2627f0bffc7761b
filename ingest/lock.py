"""The writer lock: one process at a time may change a data directory."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from reportqa.errors import StoreBusy


@contextmanager
def writer_lock(data_dir: Path):
    """Hold the data directory's writer lock, or fail at once with who holds it.

    Chroma is not safe for two writers on one folder, so a second writer must not wait
    in line and then write on top of a state it did not read.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / "writer.lock"))
    holder = data_dir / "writer.pid"
    try:
        lock.acquire(timeout=0)
    except Timeout:
        try:
            pid = holder.read_text().strip() or "?"
        except OSError:
            pid = "?"
        raise StoreBusy(f"store is busy (held by pid {pid}): another ingest or removal is running on {data_dir}") from None
    try:
        holder.write_text(str(os.getpid()))
        yield
    finally:
        holder.unlink(missing_ok=True)
        lock.release()


def writer_busy(data_dir: Path) -> bool:
    """Whether another process holds the writer lock (probed, not held: the doctor must not block ingests)."""
    if not (data_dir / "writer.lock").exists():
        return False
    lock = FileLock(str(data_dir / "writer.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False
