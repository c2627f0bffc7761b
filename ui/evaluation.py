"""The Evaluation tab: run a gold file against the store and show what eval/ reports.

The work is done by `eval.run.run_eval` and `eval.report.write_report`; this module
only picks the gold file, reports progress, and lays out the outputs (summary,
accuracy chart, per-question table with failures first, downloadable files).
"""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path

import gradio as gr

from reportqa.settings import Settings

from ui.errors import clean_errors

TABLE_HEADERS = ["verdict", "id", "question", "gold", "predicted", "kind", "reason", "latency ms"]
DOWNLOADS = ("summary.json", "results.csv", "report.html", "accuracy_by_type.png", "results.jsonl", "report.md")


def bundled_gold_files() -> dict[str, Path]:
    """Gold files shipped in eval/gold, by file name."""
    # eval.run, not eval: in an editable install the package may be a namespace without __file__.
    folder = Path(importlib.import_module("eval.run").__file__).resolve().parent / "gold"
    return {p.name: p for p in sorted(folder.glob("*.jsonl"))}


def table_rows(results) -> list[list]:
    """One row per question, failures (errors, then wrong answers) first."""
    from eval.report import fmt_value, ordered

    return [
        ["correct" if r.correct else ("error" if r.error else "wrong"), r.id, r.question,
         fmt_value(r.gold), fmt_value(r.predicted), r.kind, r.reason, round(r.latency_ms)]
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


def build_tab(settings: Settings, backend, out_root: Path) -> None:
    """Lay out the Evaluation tab inside the current gr.Tab and wire its button."""
    bundled = bundled_gold_files()
    gr.Markdown("Run a gold question file against the documents in the store. "
                "Questions whose `doc_id` is not in the store are skipped and listed as data errors.")
    with gr.Row():
        gold_pick = gr.Dropdown(label="Bundled gold file", choices=list(bundled),
                                value=next(iter(bundled), None), scale=2, elem_id="rq-gold-pick")
        gold_upload = gr.File(label="…or upload a gold file (.jsonl)", file_types=[".jsonl"], scale=2,
                              elem_id="rq-gold-upload")
    run_btn = gr.Button("Run evaluation", variant="primary", elem_id="rq-eval-run")
    with gr.Row():
        summary_df = gr.Dataframe(headers=["metric", "value"], interactive=False, label="Summary", scale=1,
                                  elem_id="rq-eval-summary")
        chart = gr.Image(label="Accuracy by answer type", type="filepath", interactive=False, scale=1,
                         elem_id="rq-eval-chart")
    results_df = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True,
                              label="Questions (failures first)", elem_id="rq-eval-results")
    downloads = gr.File(label="Download outputs", file_count="multiple", interactive=False,
                        elem_id="rq-eval-downloads")

    @clean_errors
    def on_run(pick: str | None, uploaded: str | None, progress=gr.Progress()):
        from eval.report import write_report
        from eval.run import run_eval

        gold = Path(uploaded) if uploaded else bundled.get(pick or "")
        if gold is None:
            raise gr.Error("Pick a bundled gold file or upload one.", print_exception=False)

        def hook(stage: str, done: int, total: int) -> None:
            progress((done, total), desc="Answering" if stage == "answer" else "Ingesting", unit="questions")

        progress(0, desc="Loading gold file")
        run = run_eval(settings, [gold], qa=backend.qa, progress=hook)
        paths = write_report(run, run_folder(out_root, gold))
        files = [str(paths[name]) for name in DOWNLOADS if name in paths and Path(paths[name]).exists()]
        return (summary_table(run.summary), str(paths["accuracy_by_type.png"]),
                table_rows(run.results), files)

    # One evaluation at a time: it is long and CPU-heavy, and chat must stay responsive.
    run_btn.click(on_run, inputs=[gold_pick, gold_upload], outputs=[summary_df, chart, results_df, downloads],
                  concurrency_limit=1, concurrency_id="evaluation", api_visibility="private")
