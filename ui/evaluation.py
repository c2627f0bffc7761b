"""The Evaluation tab: run a gold file against the store and show what eval/ reports.

The work is done by `eval.run.run_eval` and `eval.report.write_report`; this module
only picks the gold file, reports progress, and lays out the outputs (summary,
accuracy chart, per-question table with failures first, downloadable files).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import gradio as gr

from reportqa.errors import ReportQAError
from reportqa.settings import Settings

from ui.errors import clean_errors

TABLE_HEADERS = ["verdict", "question", "expected", "answered", "why"]
COLUMN_WIDTHS = ["9%", "38%", "11%", "11%", "31%"]
DOWNLOADS = ("summary.json", "results.csv", "report.html", "accuracy_by_type.png", "results.jsonl", "report.md")


def bundled_gold_files() -> dict[str, Path]:
    """Gold files shipped in eval/gold, by file name."""
    # eval.run, not eval: in an editable install the package may be a namespace without __file__.
    folder = Path(importlib.import_module("eval.run").__file__).resolve().parent / "gold"
    return {p.name: p for p in sorted(folder.glob("*.jsonl"))}


@dataclass
class GoldStatus:
    """Whether a gold file can run over the store: its questions, how many can, what is missing."""

    name: str
    path: Path
    questions: int
    runnable: int
    missing: list[str] = field(default_factory=list)

    def label(self) -> str:
        part = "" if self.runnable == self.questions else f" of {self.questions}"
        return f"{self.name} — {self.runnable}{part} questions"


def gold_status(settings: Settings, name: str, path: Path) -> GoldStatus:
    """How much of a gold file the store can answer (questions whose documents are stored)."""
    from eval.run import load_gold_files, resolve_documents

    from reportqa.store import Store

    items, _ = load_gold_files([path])
    try:
        # Over an empty store even a question naming no document has nothing to be asked of.
        stored = bool(Store(settings).read_manifest().documents)
        runnable = resolve_documents(settings, items)[0] if stored else []
    except ReportQAError:
        runnable = []
    ok = {item.id for _, item, _ in runnable}
    missing = sorted({str(item.doc_id) for _, item in items if item.id not in ok and item.doc_id})
    return GoldStatus(name, path, len(items), len(ok), missing)


def readiness(settings: Settings, bundled: dict[str, Path]) -> tuple[list[GoldStatus], list[GoldStatus]]:
    """(gold files that can run, gold files whose documents are not in the store)."""
    statuses = [gold_status(settings, name, path) for name, path in bundled.items()]
    return [s for s in statuses if s.runnable], [s for s in statuses if not s.runnable]


def needs_line(blocked: list[GoldStatus]) -> str:
    """Which documents each gold file that cannot run needs."""
    if not blocked:
        return ""
    parts = []
    for s in blocked:
        docs = ", ".join(s.missing[:4]) + (f" and {len(s.missing) - 4} more" if len(s.missing) > 4 else "")
        parts.append(f"**{s.name}** needs {docs or 'documents that are not stored'}")
    return "Not runnable over this store (add these reports in Documents first): " + "; ".join(parts) + "."


def summary_line(summary: dict) -> str:
    """'Accuracy 72.2% (13 of 18) · citations found 100% · median 85 ms · 27 skipped: documents not stored'."""
    acc = summary.get("accuracy")
    parts = [f"**Accuracy {acc:.1%}** ({summary.get('correct', 0)} of {summary.get('n', 0)})" if acc is not None
             else "**No question could be asked**"]
    if summary.get("citation_hit") is not None:
        parts.append(f"right sentence cited {summary['citation_hit']:.0%}")
    if summary.get("p50_ms") is not None:
        parts.append(f"median {summary['p50_ms']:.0f} ms per question")
    skipped = sum("unknown doc_id" in e for e in summary.get("errors", []))
    if skipped:
        parts.append(f"{skipped} skipped: their documents are not in the store")
    other = len(summary.get("errors", [])) - skipped
    if other:
        parts.append(f"{other} bad lines in the gold file (see summary.json)")
    return " · ".join(parts)


def table_rows(results) -> list[list]:
    """One row per question, failures (errors, then wrong answers) first."""
    from eval.report import fmt_value, ordered

    return [
        ["correct" if r.correct else ("error" if r.error else "wrong"), r.question,
         fmt_value(r.gold), fmt_value(r.predicted), r.reason]
        for r in ordered(list(results))
    ]


def summary_table(summary: dict) -> list[list[str]]:
    """(metric, value) rows as in the written report, plus any data errors."""
    from eval.report import summary_rows

    rows = [list(row) for row in summary_rows(summary)]
    rows += [["data error", e] for e in summary.get("errors", [])]
    return rows


def run_folder(root: Path, gold: Path) -> Path:
    """A fresh output folder per run, named by time and gold file."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return root / f"{stamp}-{gold.stem[:40]}"


def build_tab(settings: Settings, backend, out_root: Path):
    """Lay out the Evaluation tab inside the current gr.Tab and wire its button; returns the
    (function, outputs) that refresh the list of runnable gold files (on load and tab select)."""
    bundled = bundled_gold_files()
    gr.Markdown("Run a gold question file against the reports in the store and see which answers are right.")
    with gr.Row():
        gold_pick = gr.Dropdown(label="Bundled gold file (runnable over this store)", choices=[], value=None,
                                scale=2, elem_id="rq-gold-pick")
        gold_upload = gr.File(label="…or upload a gold file (.jsonl)", file_types=[".jsonl"], scale=2,
                              elem_id="rq-gold-upload")
    needs = gr.Markdown("", elem_id="rq-gold-needs")
    run_btn = gr.Button("Run evaluation", variant="primary", elem_id="rq-eval-run")
    summary_md = gr.Markdown("", elem_id="rq-eval-line")
    with gr.Row():
        # Hidden until a run has drawn them: empty picture frames explain nothing.
        chart = gr.Image(label="Accuracy by answer type", type="filepath", interactive=False, show_label=False,
                         elem_id="rq-eval-chart", visible=False)
        latency = gr.Image(label="Latency", type="filepath", interactive=False, show_label=False,
                           elem_id="rq-eval-latency", visible=False)
    results_df = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, column_widths=COLUMN_WIDTHS,
                              label="Questions (failures first)", elem_id="rq-eval-results")
    with gr.Accordion("All figures and downloads", open=False):
        summary_df = gr.Dataframe(headers=["metric", "value"], interactive=False, label="Summary",
                                  elem_id="rq-eval-summary")
        downloads = gr.File(label="Download outputs", file_count="multiple", interactive=False,
                            elem_id="rq-eval-downloads")

    def refresh():
        ready, blocked = readiness(settings, bundled)
        choices = [(s.label(), s.name) for s in ready]
        return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None), needs_line(blocked)

    @clean_errors
    def on_run(pick: str | None, uploaded: str | None, progress=gr.Progress()):
        from eval.report import write_report
        from eval.run import run_eval

        gold = Path(uploaded) if uploaded else bundled.get(pick or "")
        if gold is None:
            raise gr.Error("Pick a bundled gold file or upload one.", print_exception=False)
        status = gold_status(settings, gold.name, gold)
        if not status.runnable:
            missing = ", ".join(status.missing) or "some reports (the store is empty)"
            raise gr.Error(f"None of its questions can run: add {missing} in Documents first.",
                           print_exception=False)

        def hook(stage: str, done: int, total: int) -> None:
            progress((done, total), desc="Answering" if stage == "answer" else "Ingesting", unit="questions")

        progress(0, desc="Loading gold file")
        run = run_eval(settings, [gold], qa=backend.qa, progress=hook)
        paths = write_report(run, run_folder(out_root, gold))
        files = [str(paths[name]) for name in DOWNLOADS if name in paths and Path(paths[name]).exists()]
        lat = paths.get("latency.png")
        lat = str(lat) if lat and Path(lat).exists() else None
        return (summary_line(run.summary), gr.Image(str(paths["accuracy_by_type.png"]), visible=True),
                gr.Image(lat, visible=lat is not None), table_rows(run.results), summary_table(run.summary), files)

    # One evaluation at a time: it is long and CPU-heavy, and chat must stay responsive.
    run_btn.click(on_run, inputs=[gold_pick, gold_upload],
                  outputs=[summary_md, chart, latency, results_df, summary_df, downloads],
                  concurrency_limit=1, concurrency_id="evaluation", api_visibility="private",
                  show_progress_on=[summary_md])
    return refresh, [gold_pick, needs]
