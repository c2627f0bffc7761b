"""The bench's measurements: raw encode, ingest, answer latency against a plain llama-index
retriever, cold start in a fresh interpreter, peak memory, and the machine they ran on."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from reportqa.stats import latency_summary

Log = Callable[[str], None]

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
from eval.bench_measure import peak_rss_mb
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
