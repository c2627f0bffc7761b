"""Conversation gold lines: one line holds a whole conversation, scored turn by turn.

    {"id": "c01", "doc_id": "…" (optional), "turns": [{"question": "…", "answer": 512},
     {"question": "And in 2021?", "answer": 48, "accept": [48]}]}

`expand` turns such a line into one gold record per turn (id "c01:2" unless the turn
has its own, `doc_id` inherited, `answer_type` "first" or "follow-up"; the turn's own
answer_type is kept in extra["turn_type"]), so a turn is scored exactly like a plain
question. `ConversationAsker` answers the turns of each conversation in order, passing
the earlier answers as the history. Plain and conversation lines mix in one file.
"""

from __future__ import annotations

from typing import Any

FIRST, FOLLOW_UP = "first", "follow-up"


def is_conversation(record: Any) -> bool:
    """True for a gold line that holds a conversation ("turns") rather than one question."""
    return isinstance(record, dict) and "turns" in record


def expand(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One plain gold record per turn; ValueError (the reason) when the line is malformed."""
    turns = record.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ValueError("'turns' must be a non-empty list of questions")
    if "question" in record:
        raise ValueError("a conversation line has 'turns', not 'question'")
    cid = str(record.get("id"))
    out = []
    for k, turn in enumerate(turns, start=1):
        if not isinstance(turn, dict):
            raise ValueError(f"'turns'[{k - 1}] must be an object")
        if "turns" in turn:
            raise ValueError(f"'turns'[{k - 1}] holds a conversation inside a conversation")
        r = dict(turn)
        r["id"] = str(turn.get("id") or f"{cid}:{k}")
        if record.get("doc_id") and not turn.get("doc_id"):
            r["doc_id"] = record["doc_id"]
        extra = dict(turn.get("extra") or {}) if isinstance(turn.get("extra") or {}, dict) else {}
        extra.update(conversation=cid, turn=k)
        if turn.get("answer_type"):
            extra["turn_type"] = turn["answer_type"]
        r["extra"] = extra
        r["answer_type"] = FIRST if k == 1 else FOLLOW_UP
        out.append(r)
    return out


class ConversationAsker:
    """Wraps a QA so that each conversation's turns are asked with their earlier answers."""

    def __init__(self, qa):
        self.qa = qa
        self.histories: dict[str, list] = {}

    def for_item(self, item):
        """`qa` itself for a plain question; for a turn, an object whose `answer` adds the history."""
        cid = item.extra.get("conversation") if item.extra else None
        if cid is None:
            return self.qa
        history = self.histories.setdefault(str(cid), [])
        qa = self.qa

        class Turn:
            embedder = getattr(qa, "embedder", None)

            @staticmethod
            def answer(question, doc=None):
                answer = qa.answer(question, doc=doc, history=list(history))
                history.append(answer)
                return answer

        return Turn()
