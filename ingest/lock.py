"""The writer lock: one process at a time may change a store.

The store knows how: a lock file in an embedded data directory, a lease record with an
expiry on a Chroma server (reportqa/store_local.py, reportqa/store_chroma.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from reportqa.settings import Settings
from reportqa.store import Store


def _store(target: Store | Path) -> Store:
    return target if isinstance(target, Store) else Store(Settings(data_dir=Path(target)))


@contextmanager
def writer_lock(target: Store | Path):
    """Be the store's one writer, or fail at once (StoreBusy) saying who is.

    Chroma is not safe for two writers, so a second writer must not wait in line and then
    write on top of a state it did not read. A Path means an embedded data directory.
    """
    with _store(target).writer():
        yield


def writer_busy(target: Store | Path) -> bool:
    """Whether another process is writing (probed, not held: the doctor must not block ingests)."""
    return _store(target).writer_busy()
