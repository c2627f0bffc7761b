"""The writer lease of a store on a Chroma server: one writer at a time across machines.

A lease is one record in the store's meta collection: owner (host, pid), a token, the
time it was taken and when it expires. The holder renews it from a background thread
while it writes; a writer killed with SIGKILL stops renewing and its lease expires after
`lease_seconds`, so the next writer can take over (and sweep what the dead one left).

Chroma has no conditional write, so taking a lease is read, write, wait, read again:
two writers starting within the same instant both see the other's token on the second
read unless one wrote last, and only that one proceeds. The commit checks the token
again (a writer that lost its lease never publishes a manifest).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from datetime import datetime, timezone

from pydantic import BaseModel

from reportqa.errors import StoreBusy

LEASE_ID = "lease"
# Between writing the lease and reading it back: long enough for a racing writer's
# write to land, short next to start-up.
CONFIRM_SECONDS = 0.3


class LeaseRecord(BaseModel):
    """Who holds the lease and until when (epoch seconds)."""

    host: str
    pid: int
    token: str
    since: float
    expires: float

    def describe(self) -> str:
        since = datetime.fromtimestamp(self.since, timezone.utc).isoformat(timespec="seconds")
        return f"held by {self.host} pid {self.pid} since {since}"


class Lease:
    """Take, renew and release the lease held in `meta` (a Chroma collection)."""

    def __init__(self, meta, seconds: float, where: str):
        self.meta = meta
        self.seconds = seconds
        self.where = where
        self.token = uuid.uuid4().hex
        self.lost: LeaseRecord | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def current(self) -> LeaseRecord | None:
        """The lease record as stored, expired or not (None when nobody ever held it or it was released)."""
        got = self.meta.get(ids=[LEASE_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        return LeaseRecord.model_validate(got["metadatas"][0])

    def holder(self) -> LeaseRecord | None:
        """The live lease of another writer, if any."""
        rec = self.current()
        if rec is None or rec.token == self.token or rec.expires <= time.time():
            return None
        return rec

    def _write(self, since: float) -> None:
        rec = LeaseRecord(host=socket.gethostname(), pid=os.getpid(), token=self.token, since=since,
                          expires=time.time() + self.seconds)
        self.meta.upsert(ids=[LEASE_ID], embeddings=[[1.0]], metadatas=[rec.model_dump()])

    def _busy(self, rec: LeaseRecord) -> StoreBusy:
        return StoreBusy(f"store is busy ({rec.describe()}): another ingest or removal is running on {self.where}")

    def acquire(self) -> None:
        """Take the lease or raise StoreBusy naming its holder; starts the renewal thread."""
        other = self.holder()
        if other is not None:
            raise self._busy(other)
        since = time.time()
        self._write(since)
        time.sleep(CONFIRM_SECONDS)
        rec = self.current()
        if rec is None or rec.token != self.token:
            raise self._busy(rec) if rec else StoreBusy(f"store is busy: the writer lease on {self.where} changed hands")
        self._thread = threading.Thread(target=self._renew, args=(since,), name="store-lease", daemon=True)
        self._thread.start()

    def _renew(self, since: float) -> None:
        # Three renewals per lease period: one late renewal (a busy machine) does not lose it.
        while not self._stop.wait(self.seconds / 3):
            try:
                rec = self.current()
                if rec is not None and rec.token != self.token:
                    self.lost = rec
                    return
                self._write(since)
            except Exception:  # noqa: BLE001 - a server hiccup: try again at the next beat
                continue

    def check(self) -> None:
        """Raise StoreBusy if another writer took the lease (before publishing anything)."""
        rec = self.lost or self.current()
        if rec is None or rec.token != self.token:
            self.lost = rec
            raise StoreBusy("lost the writer lease" + (f" ({rec.describe()})" if rec else "")
                            + f" on {self.where}; nothing more was committed")

    def release(self) -> None:
        """Stop renewing and delete the lease if it is still ours."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            rec = self.current()
            if rec is not None and rec.token == self.token:
                self.meta.delete(ids=[LEASE_ID])
        except Exception:  # noqa: BLE001 - unreachable server: the lease expires by itself
            pass
