"""`reportqa bench`: embedding throughput, ingest throughput, answer latency, cold start and
peak memory, measured in one run over a synthetic corpus built from report files
(eval/bench_corpus.py) and timed by eval/bench_measure.py.

The corpus is the folders given (`--corpus`), by default the benchmark reports beside the
clone (../shared/benchmarks) when they are there, else the bundled examples/reports.
Everything is written into a temporary folder that is deleted afterwards; the figures go
to a JSON file (and a rich table).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from eval.bench_corpus import Log, build_corpus, make_questions
from eval.bench_measure import (
    machine_info, measure_cold_start, measure_ingest, measure_latency, measure_raw_encode, peak_rss_mb,
)

REPO = Path(__file__).resolve().parents[1]
SHARED_BENCHMARKS = REPO.parent / "shared" / "benchmarks"
EXAMPLES = REPO / "examples" / "reports"

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

def default_corpus() -> list[Path]:
    """The benchmark reports beside the clone when present, else the bundled examples."""
    return [SHARED_BENCHMARKS] if SHARED_BENCHMARKS.is_dir() else [EXAMPLES]


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
              keep: Path | None = None, seed: int = SEED, corpus_dirs: list[Path] | None = None) -> dict:
    """Build the corpus from `corpus_dirs` (default: `default_corpus()`), measure everything once,
    and return the figures as a dict."""
    from reportqa.embedding import LocalEmbedding
    from reportqa.settings import Settings

    log = log or (lambda message: None)
    roots = corpus_dirs or default_corpus()
    if quick:
        sentences = min(sentences, QUICK_SENTENCES)
    load_before = os.getloadavg()
    started = time.perf_counter()
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="reportqa-bench-"))
    try:
        corpus = build_corpus(sentences, tmp / "corpus", rng, log, roots)
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
