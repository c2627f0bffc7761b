"""`reportqa bench`: embedding throughput, ingest throughput, answer latency, cold start and
peak memory, measured in one run over a synthetic corpus built from the bundled reports.

The corpus: the benchmark reports beside the clone (../shared/benchmarks: TAT-QA, DROP, the
Factbook TIP entries) or, without them, examples/reports. When more sentences are asked for
than those hold, the files are repeated with every number (except years) rewritten by a
seeded random variation, so repeated files have different content ids and texts.

Everything is written into a temporary folder that is deleted afterwards; the figures go
to a JSON file (and a rich table).
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportqa import offline  # noqa: F401  (before any model library is imported)

REPO = Path(__file__).resolve().parents[1]
SHARED_BENCHMARKS = REPO.parent / "shared" / "benchmarks"
SHARED_SOURCES = ("tatqa/docs", "drop/docs", "tip_factbook")
EXAMPLES = REPO / "examples" / "reports"
TEXT_SUFFIXES = (".txt", ".md")

DEFAULT_SENTENCES = 100_000
QUICK_SENTENCES = 2_000
ENCODE_SAMPLE = 2_000
QUICK_ENCODE_SAMPLE = 500
QUESTIONS = 200
WARMUP_QUESTIONS = 10
SEED = 20240601

TARGETS = {
    "ingest_vs_raw": (">=", 0.8, "ingest throughput / raw encode throughput"),
    "answer_p50_ms": ("<=", 50.0, "QA.answer warm p50 (ms)"),
    "answer_p95_ms": ("<=", 150.0, "QA.answer warm p95 (ms)"),
    "answer_vs_baseline_p50": ("<=", 2.0, "QA.answer p50 / plain llama-index retriever p50"),
    "peak_rss_mb": ("<=", 2048.0, "peak RSS (VmHWM) of the bench process or the cold-start child (MB)"),
}

Log = Callable[[str], None]


# ---- corpus ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def vary_numbers(text: str, rng: random.Random) -> str:
    """Every number but years rewritten by a random factor in [0.75, 1.25], keeping its format."""

    def repl(m: re.Match) -> str:
        whole, frac = m.group(1), m.group(2) or ""
        if not frac and "," not in whole and len(whole) == 4 and 1900 <= int(whole) <= 2099:
            return m.group(0)  # a year: keep it, so questions "in <year>" stay meaningful
        value = float(whole.replace(",", "") + frac)
        new = value * rng.uniform(0.75, 1.25)
        decimals = len(frac) - 1 if frac else 0
        step = 10 ** -decimals
        if round(new, decimals) == value:
            new = value + step
        if decimals:
            digits = f"{new:,.{decimals}f}" if "," in whole else f"{new:.{decimals}f}"
        else:
            n = int(round(new))
            digits = f"{n:,}" if "," in whole else str(n)
            if whole.startswith("0") and len(whole) > 1:
                digits = digits.zfill(len(whole))
        return digits

    return _NUMBER.sub(repl, text)


def source_files() -> tuple[str, list[tuple[str, Path]]]:
    """(where from, [(source name, file)]) — the shared benchmark reports, else the examples."""
    files: list[tuple[str, Path]] = []
    if SHARED_BENCHMARKS.exists():
        for rel in SHARED_SOURCES:
            folder = SHARED_BENCHMARKS / rel
            name = rel.split("/")[0]
            files.extend((name, f) for f in sorted(folder.glob("*")) if f.suffix.lower() in TEXT_SUFFIXES)
    if files:
        return str(SHARED_BENCHMARKS), files
    return str(EXAMPLES), [("examples", f) for f in sorted(EXAMPLES.glob("*")) if f.suffix.lower() in TEXT_SUFFIXES]


def _interleave(files: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Round-robin over the sources, so a small corpus still has every kind of report."""
    by_source: dict[str, list[tuple[str, Path]]] = {}
    for item in files:
        by_source.setdefault(item[0], []).append(item)
    out: list[tuple[str, Path]] = []
    queues = list(by_source.values())
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


@dataclass
class Corpus:
    folder: Path
    origin: str
    target: int
    files: int = 0
    bytes: int = 0
    copies: int = 0
    estimated_sentences: int = 0
    source_files: int = 0
    source_sentences: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)       # search texts of the source files
    prose: list[str] = field(default_factory=list)       # their prose sentences (for questions)
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # (table row label, header years)

    def summary(self) -> dict:
        return {
            "origin": self.origin, "target_sentences": self.target, "files": self.files,
            "megabytes": round(self.bytes / 1e6, 2), "copies": self.copies,
            "estimated_sentences": self.estimated_sentences, "source_files": self.source_files,
            "source_sentences": self.source_sentences, "source_sentences_by_kind": self.by_source,
        }


def build_corpus(target: int, folder: Path, rng: random.Random, log: Log) -> Corpus:
    """Write files holding at least `target` sentences (as split by the ingest pipeline)."""
    from ingest.pipeline import content_id
    from ingest.readers import read_document
    from ingest.sentences import split_sentences
    from reportqa.models import split_row
    from reportqa.settings import Settings

    origin, files = source_files()
    if not files:
        raise RuntimeError("no benchmark reports found (../shared/benchmarks or examples/reports)")
    long_words = Settings().long_sentence_words
    corpus = Corpus(folder=folder, origin=origin, target=target)
    # Count each source file's sentences exactly once (the copies only differ in digits).
    counted: list[tuple[str, Path, str, int]] = []
    total = 0
    ordered = _interleave(files) if target < 20_000 else files
    for name, path in ordered:
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace")
        doc = read_document(path, data, content_id(data))
        sentences = split_sentences("bench", doc.text, doc.page_starts, long_words)
        if not sentences:
            continue
        counted.append((name, path, text, len(sentences)))
        total += len(sentences)
        corpus.by_source[name] = corpus.by_source.get(name, 0) + len(sentences)
        for s in sentences:
            corpus.texts.append(s.search_text)
            if s.kind == "sentence":
                corpus.prose.append(s.text)
            elif s.kind == "table_row" and s.table_header:
                cells = [c.strip() for c in split_row(s.text)]
                years = [y for h in s.table_header for y in _YEAR.findall(h)]
                if cells and cells[0] and years and any(ch.isalpha() for ch in cells[0]):
                    corpus.rows.append((cells[0], years))
        if total >= target and target < 20_000:
            break  # a small corpus: enough files already
    corpus.source_files, corpus.source_sentences = len(counted), total
    log(f"corpus: {len(counted)} source files with {total:,} sentences from {origin}")

    written = 0
    copy = 0
    while written < target:
        for name, path, text, n in counted:
            if written >= target:
                break
            body = text if copy == 0 else vary_numbers(text, rng)
            out = folder / f"c{copy:03d}" / name / path.name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(body, encoding="utf-8")
            corpus.files += 1
            corpus.bytes += len(body.encode("utf-8"))
            written += n
        copy += 1
    corpus.copies, corpus.estimated_sentences = copy, written
    log(f"corpus: wrote {corpus.files:,} files ({copy} copies), about {written:,} sentences")
    return corpus


# ---- questions ------------------------------------------------------------------------------

_STOP = frozenset(
    """a an the and or of in on at to for from by with as is are was were be been being this that these
    those it its their there which who whom whose what when where why how than then also such other
    into over under after before during between about against per not no nor but if so can could would
    should may might will shall has have had do does did our we they he she his her them us you your
    all any each more most some same both only own very one two three four five six seven eight nine ten
    million billion thousand percent year years total company group note table million""".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


def _phrases(sentence: str) -> list[str]:
    """Runs of 1-3 consecutive content words (lower-cased)."""
    words = [w.lower().strip("'-") for w in _WORD.findall(sentence)]
    runs: list[list[str]] = []
    cur: list[str] = []
    for w in words:
        if w in _STOP or len(w) < 3:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        runs.append(cur)
    out = []
    for run in runs:
        for size in (3, 2, 1):
            for i in range(0, max(len(run) - size + 1, 0)):
                out.append(" ".join(run[i:i + size]))
    return out


def make_questions(corpus: Corpus, n: int, rng: random.Random) -> list[str]:
    """Varied, seeded questions in the style of the benchmarks, built from corpus words."""
    years_seen = [y for s in corpus.prose for y in _YEAR.findall(s)] or ["2019", "2020", "2021", "2022"]
    templates_year = (
        "What was the {p} in {y}?", "How many {p} were there in {y}?", "What was the total {p} in {y}?",
        "How much was the {p} in {y}?", "What percentage of {p} was reported in {y}?",
        "How did the {p} change from {y0} to {y}?",
    )
    templates_plain = (
        "How many {p}?", "How many {p} were reported?", "What was the {p}?", "Which {p} was the largest?",
        "How many years after {p}?", "How much {p} was recorded?",
    )
    questions: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(questions) < n and attempts < n * 50:
        attempts += 1
        if corpus.rows and rng.random() < 0.3:
            label, years = rng.choice(corpus.rows)
            label = " ".join(label.split()[:6]).strip(" :")
            q = f"What was the {label} in {rng.choice(years)}?"
        else:
            if not corpus.prose:
                break
            s = rng.choice(corpus.prose)
            phrases = _phrases(s)
            if not phrases:
                continue
            p = rng.choice(phrases)
            years = _YEAR.findall(s)
            if years or rng.random() < 0.5:
                y = rng.choice(years or years_seen)
                y0 = str(int(y) - 1)
                q = rng.choice(templates_year).format(p=p, y=y, y0=y0)
            else:
                q = rng.choice(templates_plain).format(p=p)
        if q not in seen:
            seen.add(q)
            questions.append(q)
    return questions


# ---- measurements ---------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else 0.0


def latency_summary(ms: list[float]) -> dict:
    return {
        "n": len(ms), "p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(sum(ms) / len(ms), 2) if ms else 0.0, "max_ms": round(max(ms), 2) if ms else 0.0,
    }


def measure_raw_encode(embedder, texts: list[str], batch_size: int) -> dict:
    """The model alone: sentence-transformers encode of the sample, as ingestion calls it."""
    from reportqa.embedding import use_threads

    use_threads(embedder.embed_threads)  # the thread count ingestion uses
    model = embedder._model
    warm = texts[: min(len(texts), batch_size * 4)]
    model.encode(warm, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                 show_progress_bar=False)
    started = time.perf_counter()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                 show_progress_bar=False)
    seconds = time.perf_counter() - started
    return {
        "sentences": len(texts), "batch_size": batch_size, "seconds": round(seconds, 3),
        "sentences_per_s": round(len(texts) / seconds, 2),
    }


def measure_ingest(settings, embedder, folder: Path, log: Log) -> dict:
    from ingest.pipeline import Ingestor

    state = {"sentences": 0, "files": 0, "last": time.perf_counter()}
    started = time.perf_counter()

    def hook(event: str, n: int) -> None:
        state["sentences"] += n
        state["files"] += 1
        now = time.perf_counter()
        if now - state["last"] >= 30:
            state["last"] = now
            rate = state["sentences"] / (now - started)
            log(f"ingest: {state['files']:,} files, {state['sentences']:,} sentences, {rate:.1f} sentences/s")

    results = Ingestor(settings, embedder=embedder, progress=hook).ingest([folder])
    seconds = time.perf_counter() - started
    statuses = Counter(r.status for r in results)
    sentences = sum(r.sentences for r in results if r.status in ("new", "replaced"))
    return {
        "files": len(results), "statuses": dict(statuses), "sentences": sentences,
        "seconds": round(seconds, 2), "sentences_per_s": round(sentences / seconds, 2) if seconds else 0.0,
        "failures": [f"{r.path}: {r.reason}" for r in results if r.status == "failed"][:5],
    }


def measure_latency(settings, embedder, questions: list[str], warmup: list[str]) -> dict:
    """Warm latency of the plain llama-index vector retriever (baseline) and of QA.answer."""
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from qa.reader import StoreReader
    from qa.service import QA
    from reportqa.store import Store

    import contextlib
    import sys

    # llama-index announces the mock LLM on stdout, which would spoil `--json` output.
    with contextlib.redirect_stdout(sys.stderr):
        LlamaSettings.llm = None
    store = Store(settings)
    index = VectorStoreIndex.from_vector_store(
        ChromaVectorStore(chroma_collection=store.collection), embed_model=embedder
    )
    baseline = index.as_retriever(similarity_top_k=10)
    qa = QA(settings, embedder=embedder, reader=StoreReader(settings, store))

    kinds: Counter = Counter()
    errors: list[str] = []

    def run_answer(q: str) -> None:
        try:
            kinds[qa.answer(q).kind] += 1
        except Exception as e:  # noqa: BLE001 - counted and reported, the run goes on
            errors.append(f"{q!r}: {e.__class__.__name__}: {e}")

    for q in warmup:
        baseline.retrieve(q)
        qa.answer(q)
    kinds.clear()
    base_ms: list[float] = []
    answer_ms: list[float] = []
    hits = 0
    for i, q in enumerate(questions):
        # Alternate which goes first, so neither always runs with the other's caches warm.
        order = ((base_ms, baseline.retrieve), (answer_ms, run_answer))
        for bucket, fn in (order if i % 2 == 0 else order[::-1]):
            t0 = time.perf_counter()
            res = fn(q)
            bucket.append((time.perf_counter() - t0) * 1000)
            if bucket is base_ms:
                hits += len(res)
    snap = qa.reader.snapshot()
    texts = [s.text for s in snap.sentences.values()]
    base = latency_summary(base_ms)
    full = latency_summary(answer_ms)
    base["mean_results"] = round(hits / len(questions), 2) if questions else 0
    full["kinds"] = dict(kinds)
    full["errors"] = len(errors)
    full["error_examples"] = errors[:3]
    return {
        "questions": len(questions),
        "baseline": base,
        "answer": full,
        "ratio_p50": round(full["p50_ms"] / base["p50_ms"], 3) if base["p50_ms"] else None,
        "ratio_p95": round(full["p95_ms"] / base["p95_ms"], 3) if base["p95_ms"] else None,
        "store_sentences": len(texts),
        "distinct_text_fraction": round(len(set(texts)) / len(texts), 4) if texts else 0.0,
    }


COLD_START = """
import json, sys, time
t0 = time.perf_counter()
from reportqa.settings import Settings
from qa.service import QA
from reportqa.bench import peak_rss_mb
answer = QA(Settings()).answer(sys.argv[1])
print(json.dumps({"kind": answer.kind, "answer_ms": answer.latency_ms,
                  "inside_s": round(time.perf_counter() - t0, 3), "peak_rss_mb": round(peak_rss_mb(), 1)}))
"""


def measure_cold_start(data_dir: Path, question: str) -> dict:
    """A fresh interpreter: import, load the model and the store, answer one question."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env["REPORTQA_DATA_DIR"] = str(data_dir)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", COLD_START, question], env=env, capture_output=True,
                          text=True, timeout=900, cwd=str(data_dir.parent))
    seconds = time.perf_counter() - started
    out: dict = {"seconds": round(seconds, 3), "question": question, "exit_code": proc.returncode}
    if proc.returncode == 0:
        try:
            out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            out["stdout"] = proc.stdout[-500:]
    else:
        out["stderr"] = proc.stderr[-2000:]
    return out


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM on Linux: ru_maxrss also counts the image of the process
    that forked us, up to the exec (a pytest run with the model loaded, say)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KB on Linux


def machine_info() -> dict:
    import torch

    info = {
        "cpu_count": os.cpu_count(), "platform": platform.platform(), "machine": platform.machine(),
        "python": platform.python_version(), "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(), "torch_interop_threads": torch.get_num_interop_threads(),
    }
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 1e9, 1)
        info["physical_cores"] = psutil.cpu_count(logical=False)
    except ImportError:  # pragma: no cover
        pass
    try:
        import sentence_transformers

        info["sentence_transformers"] = sentence_transformers.__version__
    except ImportError:  # pragma: no cover
        pass
    return info


def check_targets(result: dict) -> dict:
    values = {
        "ingest_vs_raw": result["ingest"]["ratio_to_raw"],
        "answer_p50_ms": result["latency"]["answer"]["p50_ms"],
        "answer_p95_ms": result["latency"]["answer"]["p95_ms"],
        "answer_vs_baseline_p50": result["latency"]["ratio_p50"],
        "peak_rss_mb": result["memory"]["peak_rss_mb"],
    }
    out = {}
    for name, (op, limit, what) in TARGETS.items():
        v = values[name]
        met = v is not None and (v >= limit if op == ">=" else v <= limit)
        out[name] = {"value": v, "target": f"{op} {limit:g}", "met": bool(met), "what": what}
    return out


# ---- the run --------------------------------------------------------------------------------

def run_bench(sentences: int = DEFAULT_SENTENCES, quick: bool = False, log: Log | None = None,
              keep: Path | None = None, seed: int = SEED) -> dict:
    """Build the corpus, measure everything once, and return the figures as a dict."""
    from reportqa.embedding import LocalEmbedding
    from reportqa.settings import Settings

    log = log or (lambda message: None)
    if quick:
        sentences = min(sentences, QUICK_SENTENCES)
    load_before = os.getloadavg()
    started = time.perf_counter()
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="reportqa-bench-"))
    try:
        corpus = build_corpus(sentences, tmp / "corpus", rng, log)
        settings = Settings(data_dir=tmp / "data", chroma_url=None)
        log("loading the embedding model")
        embedder = LocalEmbedding.from_settings(settings)

        sample_n = min(QUICK_ENCODE_SAMPLE if quick else ENCODE_SAMPLE, len(corpus.texts))
        sample = rng.sample(corpus.texts, sample_n)
        log(f"raw encode: {sample_n:,} sentences, batch size {settings.embed_batch_size}")
        raw = measure_raw_encode(embedder, sample, settings.embed_batch_size)
        log(f"raw encode: {raw['sentences_per_s']} sentences/s")

        log(f"ingest: {corpus.files:,} files")
        ingest = measure_ingest(settings, embedder, corpus.folder, log)
        ingest["ratio_to_raw"] = round(ingest["sentences_per_s"] / raw["sentences_per_s"], 3)
        log(f"ingest: {ingest['sentences']:,} sentences in {ingest['seconds']}s, "
            f"{ingest['sentences_per_s']} sentences/s ({ingest['ratio_to_raw']}x raw)")

        questions = make_questions(corpus, QUESTIONS + WARMUP_QUESTIONS, rng)
        warmup, questions = questions[:WARMUP_QUESTIONS], questions[WARMUP_QUESTIONS:]
        log(f"latency: {len(questions)} questions")
        latency = measure_latency(settings, embedder, questions, warmup)
        log(f"latency: answer p50 {latency['answer']['p50_ms']} ms, baseline p50 {latency['baseline']['p50_ms']} ms")

        log("cold start: a fresh process answering one question")
        cold = measure_cold_start(settings.data_dir, questions[0] if questions else "How many?")
        log(f"cold start: {cold['seconds']}s")

        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copytree(tmp, keep / tmp.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    import torch  # noqa: F401  (already loaded; for machine_info)

    from ingest import pipeline

    self_mb, child_mb = peak_rss_mb(), float(cold.get("peak_rss_mb") or 0.0)
    result = {
        "version": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": quick,
        "seed": seed,
        "machine": machine_info() | {
            "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "embed_model": settings.embed_model, "embed_batch_size": settings.embed_batch_size,
            "embed_max_seq_length": settings.embed_max_seq_length, "commit_every": settings.commit_every,
            "top_k": settings.top_k, "candidate_k": settings.candidate_k,
            "embed_threads": settings.embed_threads, "query_threads": settings.query_threads,
            "ingest_embed_group_sentences": getattr(pipeline, "EMBED_GROUP_SENTENCES", None),
        },
        "corpus": corpus.summary(),
        "encode_raw": raw,
        "ingest": ingest,
        "latency": latency,
        "cold_start": cold,
        "memory": {
            "peak_rss_mb_self": round(self_mb, 1), "peak_rss_mb_cold_start_child": round(child_mb, 1),
            "peak_rss_mb": round(max(self_mb, child_mb), 1),
        },
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    result["targets"] = check_targets(result)
    return result


def write_json(result: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def render_table(result: dict):
    """The figures as a rich table."""
    from rich.table import Table

    m, raw, ing, lat = result["machine"], result["encode_raw"], result["ingest"], result["latency"]
    cold, mem, corpus = result["cold_start"], result["memory"], result["corpus"]
    targets = result["targets"]

    def verdict(name: str) -> str:
        t = targets[name]
        return f"{t['target']} " + ("[green]met[/green]" if t["met"] else "[red]not met[/red]")

    table = Table("measure", "value", "target", title="reportqa bench")
    table.add_row("machine", f"{m['cpu_count']} cpus, torch {m['torch_threads']} threads, load "
                  f"{m['load_avg_before'][0]:.2f} → {m['load_avg_after'][0]:.2f}", "")
    table.add_row("corpus", f"{corpus['files']:,} files, {ing['sentences']:,} sentences "
                  f"({corpus['copies']} copies of {corpus['source_files']} reports)", "")
    table.add_row("raw encode", f"{raw['sentences_per_s']:.1f} sentences/s "
                  f"({raw['sentences']:,} sentences, batch {raw['batch_size']})", "")
    table.add_row("ingest", f"{ing['sentences_per_s']:.1f} sentences/s ({ing['seconds']:.1f}s)", "")
    table.add_row("ingest / raw", f"{ing['ratio_to_raw']:.2f}×", verdict("ingest_vs_raw"))
    b, a = lat["baseline"], lat["answer"]
    table.add_row("baseline retriever p50 / p95", f"{b['p50_ms']:.1f} / {b['p95_ms']:.1f} ms", "")
    table.add_row("QA.answer p50", f"{a['p50_ms']:.1f} ms", verdict("answer_p50_ms"))
    table.add_row("QA.answer p95", f"{a['p95_ms']:.1f} ms", verdict("answer_p95_ms"))
    ratio = lat["ratio_p50"]
    table.add_row("answer / baseline (p50)", "n/a" if ratio is None else f"{ratio:.2f}×",
                  verdict("answer_vs_baseline_p50"))
    table.add_row("questions", f"{lat['questions']} ({a['errors']} errors)", "")
    table.add_row("cold start to first answer", f"{cold['seconds']:.1f}s", "")
    table.add_row("peak RSS", f"{mem['peak_rss_mb']:.0f} MB (self {mem['peak_rss_mb_self']:.0f}, "
                  f"cold-start child {mem['peak_rss_mb_cold_start_child']:.0f})", verdict("peak_rss_mb"))
    return table
