"""Batch evaluation: answer every gold question from a store, score it, and summarise.

``run_eval`` is the one entry point. It optionally ingests corpus folders first
(idempotent: unchanged files are skipped), loads the gold files, checks that each
question's ``doc_id`` names a stored document, then asks ``QA.answer`` one question
at a time. Problems with the *data* never stop the run: a bad gold line, an
unknown ``doc_id`` or a file that failed to ingest becomes an entry in
``summary["errors"]`` (naming file and line) and the rest still runs. A library
error while answering one question (``ReportQAError``, or the grounding gate's
``UngroundedAnswer``) is recorded as that question's wrong verdict. Anything else
is a bug and propagates.

The CI gate thresholds live in ``eval/thresholds.toml``; ``eval/gate.py`` reads and
applies them (re-exported here).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eval.conversation import ConversationAsker
from eval.gate import THRESHOLDS, gate_failures, load_thresholds  # noqa: F401  (re-exported)
from eval.gold import GoldItem, load_gold
from eval.score import evidence_hit, score_answer
from qa.grounding import UngroundedAnswer
from qa.grounding import ungrounded_numbers as engine_ungrounded
from reportqa.errors import ReportQAError, UnknownDocument
from reportqa.settings import Settings
from reportqa.stats import percentile

# progress(stage, done, total): stage is "ingest" (files) or "answer" (questions).
ProgressHook = Callable[[str, int, int], None]

SUMMARY_KEYS = (
    "n", "correct", "accuracy", "by_type", "citation_hit", "grounded", "abstain_correct",
    "p50_ms", "p95_ms", "errors", "files",
)


@dataclass
class CitedSentence:
    """One sentence an answer cited, with where it sits in its document."""

    doc_id: str
    text: str
    start: int
    end: int
    sentence_index: int
    page: int | None = None


@dataclass
class QuestionResult:
    """Everything recorded about one gold question: what was asked, expected, answered and why."""

    id: str
    question: str
    doc_id: str | None
    answer_type: str
    gold: float | list[float] | None
    gold_scale: str
    evidence: list[str]
    predicted: float | list[float] | None
    predicted_scale: str
    kind: str
    correct: bool
    reason: str
    answer_text: str
    citations: list[CitedSentence]
    citation_hit: bool | None
    grounded: bool | None
    ungrounded: list[str]
    abstained: bool
    latency_ms: float
    error: str | None = None
    file: str = ""
    line: int = 0
    understood: dict[str, Any] | None = None  # the reading answered (a follow-up: the merged question)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (one line of results.jsonl)."""
        return asdict(self)


@dataclass
class EvalRun:
    """The outcome of ``run_eval``: one record per question asked, and the summary."""

    results: list[QuestionResult]
    summary: dict[str, Any]
    errors: list[str] = field(default_factory=list)


# ---- public API -----------------------------------------------------------------


def run_eval(settings: Settings, gold_paths: Sequence[str | Path], corpus: Sequence[str | Path] | None = None,
             qa=None, progress: ProgressHook | None = None) -> EvalRun:
    """Evaluate the store in ``settings`` against gold JSONL files.

    ``corpus`` folders/files are ingested first when given. ``qa`` is any object with
    ``answer(question, doc=...)`` (default: a ``qa.service.QA`` on ``settings``).
    A missing or unreadable gold file raises ``BadInput``; everything else that is
    wrong with the data is collected in ``summary["errors"]``.
    """
    report = progress or (lambda stage, done, total: None)
    errors: list[str] = []
    embedder = getattr(qa, "embedder", None)

    # Gold files first: a missing one should fail before minutes of ingesting.
    items, gold_errors = load_gold_files(gold_paths)
    if corpus:
        embedder = embedder or _load_embedder(settings)
        errors += ingest_corpus(settings, corpus, embedder, report)
    errors += gold_errors
    runnable, doc_errors = resolve_documents(settings, items)
    errors += doc_errors

    if qa is None and runnable:
        from qa.service import QA

        qa = QA(settings, embedder=embedder)

    results: list[QuestionResult] = []
    asker = ConversationAsker(qa)  # conversation turns are asked with their earlier answers
    for done, (loc, item, doc_ref) in enumerate(runnable, start=1):
        results.append(evaluate_one(asker.for_item(item), item, doc_ref, loc))
        report("answer", done, len(runnable))

    summary = summarize(results, errors, [str(p) for p in gold_paths])
    summary["skipped"] = len(items) - len(runnable)
    return EvalRun(results=results, summary=summary, errors=errors)


def ingest_corpus(settings: Settings, corpus: Sequence[str | Path], embedder,
                  progress: ProgressHook) -> list[str]:
    """Ingest corpus paths into the store; one error string per file that failed."""
    from ingest.pipeline import Ingestor, expand_paths

    paths = [Path(p) for p in corpus]
    total = len(expand_paths(paths))
    done = {"n": 0}

    def hook(event: str, n: int) -> None:
        done["n"] += 1
        progress("ingest", done["n"], total)

    results = Ingestor(settings, embedder=embedder, progress=hook).ingest(paths)
    progress("ingest", total, total)
    return [f"corpus {r.path}: {r.reason}" for r in results if r.status == "failed"]


@dataclass(frozen=True)
class GoldLocation:
    """Where a gold item came from, so errors can name the file and line."""

    path: str
    line: int

    def label(self) -> str:
        return f"{Path(self.path).name} line {self.line}"


def load_gold_files(paths: Iterable[str | Path]) -> tuple[list[tuple[GoldLocation, GoldItem]], list[str]]:
    """Valid items from every file with their locations, and one error string per bad line.

    An id repeated in a later file is an error too: results are keyed by id, so
    ``--compare`` would otherwise mix two different questions.
    """
    items: list[tuple[GoldLocation, GoldItem]] = []
    errors: list[str] = []
    seen: dict[str, GoldLocation] = {}
    for path in paths:
        loaded, bad = load_gold(path)
        errors += [str(e) for e in bad]
        lines = _line_numbers(Path(path))
        for item in loaded:
            loc = GoldLocation(str(path), lines.get(item.id, 0))
            if item.id in seen:
                errors.append(f"{loc.label()}: duplicate id {item.id!r} (first in {seen[item.id].label()})")
                continue
            seen[item.id] = loc
            items.append((loc, item))
    return items, errors


def resolve_documents(settings: Settings, items: list[tuple[GoldLocation, GoldItem]]
                      ) -> tuple[list[tuple[GoldLocation, GoldItem, str | None]], list[str]]:
    """Items whose ``doc_id`` names a stored document (content id or file stem), and errors.

    A benchmark item whose file was stored under another stem (identical content)
    is matched through its ``doc_path`` (see ``_by_content``).

    Each runnable item carries the resolved content id (``None``: the question has
    no ``doc_id`` and is asked of the whole store).
    """
    from reportqa.store import Store

    manifest = Store(settings).read_manifest()
    runnable, errors = [], []
    for loc, item in items:
        if not item.doc_id:
            runnable.append((loc, item, None))
            continue
        try:
            runnable.append((loc, item, manifest.resolve(item.doc_id).doc_id))
            continue
        except UnknownDocument as e:
            problem = str(e)
        doc_id = _by_content(item, loc, manifest.documents)
        if doc_id:
            runnable.append((loc, item, doc_id))
        else:
            errors.append(f"{loc.label()}: unknown doc_id {item.doc_id!r} ({problem}); question {item.id!r} skipped")
    return runnable, errors


def _by_content(item: GoldItem, loc: GoldLocation, documents: dict) -> str | None:
    """The stored document with the same bytes as the item's ``doc_path``, if any.

    The store identifies documents by content, so of two identical files (DROP has
    such pairs, e.g. history_227 and history_1043) only one stem is recorded; the
    other file's questions are still about that very text. ``doc_path`` is relative
    to the benchmarks folder, i.e. the gold file's folder or its parent.
    """
    from ingest.pipeline import content_id

    rel = item.extra.get("doc_path")
    if not isinstance(rel, str) or not rel:
        return None
    gold_dir = Path(loc.path).resolve().parent
    for base in (gold_dir, gold_dir.parent):
        candidate = base / rel
        if candidate.is_file():
            cid = content_id(candidate.read_bytes())
            return cid if cid in documents else None
    return None


def evaluate_one(qa, item: GoldItem, doc_ref: str | None, loc: GoldLocation | None = None) -> QuestionResult:
    """Ask one gold question, time it and score it; a ``ReportQAError`` becomes a wrong verdict."""
    started = time.perf_counter()
    try:
        answer = qa.answer(item.question, doc=doc_ref)
    except REFUSALS as e:
        latency = (time.perf_counter() - started) * 1000
        return _error_result(item, loc, f"{type(e).__name__}: {e}", latency)
    latency = (time.perf_counter() - started) * 1000

    verdict = score_answer(item, answer)
    cited = [
        CitedSentence(doc_id=c.doc_id, text=c.text, start=c.start, end=c.end,
                      sentence_index=c.sentence_index, page=c.page)
        for c in answer.citations
    ]
    abstained = answer.kind == "not_found" or answer.value is None
    ungrounded = [] if abstained else [str(x) for x in ungrounded_numbers(answer)]
    return QuestionResult(
        **_gold_fields(item, loc),
        predicted=answer.value,
        predicted_scale=answer.scale or "",
        kind=answer.kind,
        correct=verdict.correct,
        reason=verdict.reason,
        answer_text=answer.text,
        citations=cited,
        citation_hit=evidence_hit(item, [c.text for c in cited]),
        grounded=None if abstained else not ungrounded,
        ungrounded=ungrounded,
        abstained=abstained,
        latency_ms=round(latency, 2),
        understood=answer.understood.model_dump(mode="json") if answer.understood else None,
    )


def summarize(results: list[QuestionResult], errors: list[str], files: list[str]) -> dict[str, Any]:
    """The summary dict (see ``SUMMARY_KEYS``); rates are ``None`` when nothing was measured.

    - ``citation_hit``: of the correct answers whose gold has evidence, the share
      that cite a gold evidence sentence.
    - ``grounded``: of the answers that gave a value, the share whose numbers all
      pass the grounding check.
    - ``abstain_correct``: of the questions with a null gold answer, the share where
      the system abstained.
    """
    n = len(results)
    correct = sum(r.correct for r in results)
    hits = [r.citation_hit for r in results if r.correct and r.citation_hit is not None]
    grounded = [r.grounded for r in results if r.grounded is not None]
    nulls = [r.abstained and r.error is None for r in results if r.gold is None]
    latencies = [r.latency_ms for r in results]
    reasons: dict[str, int] = {}
    for r in results:
        key = "error" if r.error else r.reason
        reasons[key] = reasons.get(key, 0) + 1
    return {
        "n": n,
        "correct": correct,
        "accuracy": _rate(correct, n),
        "by_type": _by_type(results),
        "citation_hit": _rate(sum(hits), len(hits)),
        "citation_hit_n": len(hits),
        "grounded": _rate(sum(grounded), len(grounded)),
        "grounded_n": len(grounded),
        "abstain_correct": _rate(sum(nulls), len(nulls)),
        "abstain_n": len(nulls),
        "p50_ms": _round(percentile(latencies, 50)),
        "p95_ms": _round(percentile(latencies, 95)),
        "question_errors": sum(r.error is not None for r in results),
        "reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "errors": list(errors),
        "files": list(files),
    }


def ungrounded_numbers(answer) -> list:
    """Numbers in ``answer.text`` that neither its citations nor its computation support:
    the engine's own check (``qa.grounding``), so the evaluation measures what the product enforces."""
    return list(engine_ungrounded(answer))


# ---- helpers ----------------------------------------------------------------------


# Exceptions that end one question, not the run: library errors, and the grounding gate
# refusing an answer (a bug worth a failed question, not a lost 400-question run).
REFUSALS: tuple[type[BaseException], ...] = (ReportQAError, UngroundedAnswer)


def _load_embedder(settings: Settings):
    # Loaded once here so ingest and answering share it (it takes seconds to load).
    from reportqa.embedding import LocalEmbedding

    return LocalEmbedding.from_settings(settings)


def _line_numbers(path: Path) -> dict[str, int]:
    """Item id -> line number, recomputed the way ``load_gold`` assigns ids."""
    text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines: dict[str, int] = {}
    for lineno, line in enumerate(text.split("\n"), start=1):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        raw = record.get("id")
        item_id = f"{path.stem}:{lineno}" if raw in (None, "") else str(raw)
        # load_gold keeps the first of repeated ids, so the first line is the one.
        lines.setdefault(item_id, lineno)
    return lines


def _answer_type(item: GoldItem) -> str:
    if item.answer_type:
        return item.answer_type
    return "null" if item.expects_abstention else "untyped"


def _gold_fields(item: GoldItem, loc: GoldLocation | None) -> dict[str, Any]:
    scales = sorted(set(item.value_scales))
    return {
        "id": item.id,
        "question": item.question,
        "doc_id": item.doc_id,
        "answer_type": _answer_type(item),
        "gold": item.answer,
        "gold_scale": scales[0] if len(scales) == 1 else ",".join(item.value_scales),
        "evidence": list(item.evidence),
        "file": loc.path if loc else "",
        "line": loc.line if loc else 0,
    }


def _error_result(item: GoldItem, loc: GoldLocation | None, message: str, latency: float) -> QuestionResult:
    return QuestionResult(
        **_gold_fields(item, loc),
        predicted=None, predicted_scale="", kind="error", correct=False, reason=f"error: {message}",
        answer_text="", citations=[], citation_hit=None, grounded=None, ungrounded=[],
        abstained=False, latency_ms=round(latency, 2), error=message,
    )


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _by_type(results: list[QuestionResult]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[bool]] = {}
    for r in results:
        groups.setdefault(r.answer_type, []).append(r.correct)
    return {
        t: {"n": len(v), "correct": sum(v), "accuracy": _rate(sum(v), len(v))}
        for t, v in sorted(groups.items())
    }
