"""The answering service: validates the question, retrieves, chooses an answer, checks grounding."""

from __future__ import annotations

import threading
import time
import unicodedata

from reportqa.errors import BadInput
from reportqa.models import Answer
from reportqa.settings import Settings
from reportqa.store import Store

from qa.reader import StoreReader
from qa.retrieve import HybridRetriever

_SHARED: dict[tuple[str, str], "QA"] = {}
_SHARED_LOCK = threading.Lock()


def clean_question(question: str, limit: int) -> str:
    """The question as we will use it, or BadInput saying what is wrong with it."""
    if question is None or not str(question).strip():
        raise BadInput("the question is empty")
    q = unicodedata.normalize("NFKC", str(question)).replace("\x00", " ").strip()
    if len(q) > limit:
        raise BadInput(f"the question is {len(q):,} characters long; the limit is {limit:,} (REPORTQA_MAX_QUESTION_CHARS)")
    if not any(ch.isalnum() for ch in q):
        raise BadInput("the question has no words or numbers in it")
    return " ".join(q.split())


class QA:
    """Answers questions from one store. Components are passed in so tests can swap them."""

    def __init__(self, settings: Settings, embedder=None, reader: StoreReader | None = None):
        self.settings = settings
        if embedder is None:
            from reportqa.embedding import LocalEmbedding

            embedder = LocalEmbedding.from_settings(settings)
        self.embedder = embedder
        from qa.features import scorer_weights

        self.reader = reader or StoreReader(settings, Store(settings), scorer=scorer_weights(settings.scorer))
        self.retriever = HybridRetriever(settings, self.reader, embedder)
        _load_parser()

    @classmethod
    def shared(cls, settings: Settings) -> "QA":
        """One QA per settings per process: the model and indexes load once, not per request.

        Keyed on every setting, so two settings objects that differ anywhere (top_k too) get
        their own answerer.
        """
        key = (cls.__qualname__, settings.model_dump_json())
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = cls(settings)
            return _SHARED[key]

    def resolve_docs(self, doc: str | list[str] | None) -> list[str] | None:
        """Content ids for a document filter given as ids or file stems."""
        if doc is None or doc == [] or doc == "":
            return None
        refs = [doc] if isinstance(doc, str) else list(doc)
        manifest = self.reader.snapshot().manifest
        return [manifest.resolve(r).doc_id for r in refs]

    def answer(self, question: str, doc: str | list[str] | None = None, history=None, parsed=None) -> Answer:
        """Answer from the reports, citing sentences; 'not_found' when they do not say.

        With `history` (earlier turns: Turn, Answer or their JSON), a follow-up is resolved
        against the conversation first (qa/conversation.py); `[]` starts a conversation.
        `parsed` is the question already read (qa.question.parse_question), so it is read once.
        """
        from qa.choose import choose_answer
        from qa.conversation import answer_in_thread, standalone_understood
        from qa.grounding import grounded_or_abstain
        from qa.question import parse_question

        if history is not None:
            return answer_in_thread(self, clean_question(question, self.settings.max_question_chars), doc, history)

        started = time.perf_counter()
        q = clean_question(question, self.settings.max_question_chars)
        doc_ids = self.resolve_docs(doc)
        snap = self.reader.snapshot()
        if parsed is None or parsed.text != q:
            parsed = parse_question(q)  # once: the chooser and the Understood record both read it
        answer = choose_answer(q, snap, self.retriever, doc_ids, self.settings, parsed)
        answer.question = q
        answer = grounded_or_abstain(answer)
        answer.understood = standalone_understood(self, q, doc_ids, parsed)
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return answer

    def figure_candidates(self, question: str, doc: str | list[str] | None = None) -> list:
        """The stated figures the chooser ranks for a question, best first, each with its
        `features` and `score` (qa/features.py). For fitting and inspecting the scorer:
        answers come from `answer`."""
        from qa.question import parse_question
        from qa.ranking import gather

        q = parse_question(clean_question(question, self.settings.max_question_chars))
        snap = self.reader.snapshot()
        hits = self.retriever.search(q.text, snap, self.resolve_docs(doc), k=self.settings.top_k)
        return gather(q, snap, hits)


def _load_parser() -> None:
    """Load the question parser with the model, so a chat's first question does not wait for it
    (about 1.5 s, once per process). Without it questions are read by their patterns."""
    from reportqa.parse import ParserUnavailable, parser

    try:
        parser()
    except ParserUnavailable:
        pass
