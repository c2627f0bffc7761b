"""A QA over a folder of reports written for a test module, and answers checked for grounding."""

from __future__ import annotations

from pathlib import Path

from qa.grounding import ungrounded_numbers
from qa.service import QA
from reportqa.models import Answer
from reportqa.settings import Settings


def qa_over(folder: Path, data_dir: Path, embedder) -> QA:
    """Ingest `folder` into a fresh store at `data_dir` (every report must be new) and answer from it."""
    from ingest.pipeline import Ingestor

    settings = Settings(data_dir=data_dir)
    results = Ingestor(settings, embedder=embedder).ingest([folder])
    assert results and all(r.status == "new" for r in results)
    return QA(settings, embedder=embedder)


def grounded_answer(qa: QA, question: str) -> Answer:
    """The answer to `question`, which must show no number its citations do not hold."""
    a = qa.answer(question)
    assert ungrounded_numbers(a) == []
    return a
