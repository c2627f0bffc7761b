"""Answering: retrieve sentences from the store and answer with cited figures.

`answer(question, doc=None, history=None)` is the whole API (`history`: the earlier turns of a
conversation, see qa/conversation.py); `QA` holds the loaded model and store for a process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportqa.models import Answer
    from reportqa.settings import Settings

_default = None


def answer(question: str, doc: str | list[str] | None = None, history=None,
           settings: "Settings | None" = None) -> "Answer":
    """Answer a question from the ingested reports (optionally only from `doc`: id or file stem).

    `history` is the list of earlier turns (`reportqa.models.Turn`, or the earlier Answers):
    a follow-up such as "And in 2021?" is then resolved against them.
    """
    global _default
    from qa.service import QA
    from reportqa.settings import Settings

    if settings is not None:
        return QA.shared(settings).answer(question, doc, history)
    if _default is None:
        _default = QA.shared(Settings())
    return _default.answer(question, doc, history)
