"""The ask API's per-session histories: bounded in turns and sessions, expiring when idle."""

from __future__ import annotations

import pytest

from reportqa.errors import BadInput
from reportqa.models import Answer
from reportqa.settings import Settings
from ui.sessions import Sessions


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def ans(q: str) -> Answer:
    return Answer(question=q, text="")


def test_turns_are_kept_per_session_and_bounded():
    s = Sessions(Settings(chat_turns=2))
    for q in ("a", "b", "c"):
        s.append("one", ans(q))
    s.append("two", ans("x"))
    assert [a.question for a in s.history("one")] == ["b", "c"]
    assert [a.question for a in s.history("two")] == ["x"]
    assert s.history("new") == []


def test_least_recently_used_session_is_dropped_first():
    s = Sessions(Settings(chat_sessions=2))
    s.append("a", ans("1"))
    s.append("b", ans("1"))
    s.append("a", ans("2"))  # a is now the most recent
    s.append("c", ans("1"))
    assert len(s) == 2 and s.history("b") == [] and len(s.history("a")) == 2


def test_idle_sessions_expire():
    clock = Clock()
    s = Sessions(Settings(chat_session_ttl_s=60), clock=clock)
    s.append("a", ans("1"))
    clock.now = 59
    assert len(s.history("a")) == 1
    s.append("b", ans("1"))
    clock.now = 100
    assert s.history("a") == [] and len(s.history("b")) == 1
    clock.now = 200
    assert len(s) == 0


@pytest.mark.parametrize("bad", ["", "   ", "x" * 201, "tab\there"])
def test_bad_session_ids_are_refused(bad):
    with pytest.raises(BadInput):
        Sessions.check_id(bad)
