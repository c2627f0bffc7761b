"""Conversations of the `ask` API, kept by session id: bounded and expiring.

The browser chat keeps its history in the page's own state; API clients have none, so
the server keeps the last `chat_turns` turns of up to `chat_sessions` conversations and
forgets one that has been idle for `chat_session_ttl_s` seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from reportqa.errors import BadInput
from reportqa.models import Answer
from reportqa.settings import Settings

MAX_ID_CHARS = 200


class Sessions:
    """Session id -> list of Answers (oldest first), least recently used dropped first."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self.max_sessions = settings.chat_sessions
        self.max_turns = settings.chat_turns
        self.ttl = settings.chat_session_ttl_s
        self.clock = clock
        self._data: OrderedDict[str, tuple[float, list[Answer]]] = OrderedDict()
        self._lock = threading.Lock()
        # One question at a time per session, so interleaved follow-ups keep their order.
        self._locks: dict[str, threading.Lock] = {}

    @staticmethod
    def check_id(session_id: str) -> str:
        sid = str(session_id).strip()
        if not sid or len(sid) > MAX_ID_CHARS or not sid.isprintable():
            raise BadInput(f"a session id must be 1 to {MAX_ID_CHARS} printable characters")
        return sid

    def _expire(self, now: float) -> None:
        for sid in [s for s, (seen, _) in self._data.items() if now - seen > self.ttl]:
            del self._data[sid]
            self._locks.pop(sid, None)

    def history(self, session_id: str) -> list[Answer]:
        """The session's turns (empty for a new or expired session)."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            seen, turns = self._data.get(session_id, (now, []))
            return list(turns)

    def lock(self, session_id: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(session_id, threading.Lock())

    def append(self, session_id: str, answer: Answer) -> None:
        """Add a turn, keeping the newest `max_turns` and at most `max_sessions` sessions."""
        with self._lock:
            now = self.clock()
            _, turns = self._data.pop(session_id, (now, []))
            turns = [*turns, answer][-self.max_turns:]
            self._data[session_id] = (now, turns)
            while len(self._data) > self.max_sessions:
                old, _ = self._data.popitem(last=False)
                self._locks.pop(old, None)

    def clear(self, session_id: str) -> None:
        with self._lock:
            self._data.pop(session_id, None)

    def __len__(self) -> int:
        with self._lock:
            self._expire(self.clock())
            return len(self._data)
