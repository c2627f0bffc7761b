"""Writing an evaluation run to a folder: data files for tools, a report for people.

``write_report(run, out_dir)`` writes:

- ``results.jsonl``: one full record per question (what ``eval.compare`` reads);
- ``results.csv``: the same, flattened for a spreadsheet;
- ``summary.json``: the summary dict;
- ``report.md`` and ``report.html``: failures first, then the rest; the HTML file
  is self-contained (charts embedded as data URIs) and escapes every piece of text
  that came from a question, an answer or a document;
- ``accuracy_by_type.png`` and ``latency.png`` (matplotlib, Agg canvas).
"""

from __future__ import annotations

import base64
import csv
import html
import json
from pathlib import Path
from typing import Any

from eval.run import EvalRun, QuestionResult

FILES = ("results.jsonl", "results.csv", "summary.json", "report.md", "report.html",
         "accuracy_by_type.png", "latency.png")

CSV_COLUMNS = ("id", "question", "doc_id", "answer_type", "gold", "gold_scale", "predicted",
               "predicted_scale", "verdict", "reason", "kind", "cited_sentences", "citation_hit",
               "grounded", "latency_ms")


def write_report(run: EvalRun, out_dir: str | Path) -> dict[str, Path]:
    """Write every output file of ``run`` into ``out_dir`` (created if needed); name -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in FILES}
    write_jsonl(run.results, paths["results.jsonl"])
    write_csv(run.results, paths["results.csv"])
    paths["summary.json"].write_text(json.dumps(run.summary, indent=1) + "\n", encoding="utf-8")
    plot_accuracy_by_type(run.summary, paths["accuracy_by_type.png"])
    plot_latency(run.results, run.summary, paths["latency.png"])
    paths["report.md"].write_text(render_markdown(run), encoding="utf-8")
    paths["report.html"].write_text(render_html(run, paths), encoding="utf-8")
    return paths


def write_jsonl(results: list[QuestionResult], path: Path) -> None:
    """One JSON object per question."""
    with open(path, "w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")


def write_csv(results: list[QuestionResult], path: Path) -> None:
    """A header row and one row per question; cited sentences joined with ' | '."""
    # utf-8-sig: spreadsheet programs need the BOM to read non-ASCII text correctly.
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for r in results:
            writer.writerow([
                r.id, r.question, r.doc_id or "", r.answer_type, fmt_value(r.gold), r.gold_scale,
                fmt_value(r.predicted), r.predicted_scale, "correct" if r.correct else "wrong",
                r.reason, r.kind, " | ".join(c.text for c in r.citations), _fmt_bool(r.citation_hit),
                _fmt_bool(r.grounded), r.latency_ms,
            ])


def fmt_value(value: Any) -> str:
    """A gold or predicted value for people: 166, 74.02, [1, 2]; 'null' for no value."""
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt_value(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fmt_bool(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def _with_scale(value: Any, scale: str) -> str:
    text = fmt_value(value)
    return f"{text} {scale}" if scale and value is not None else text


def ordered(results: list[QuestionResult]) -> list[QuestionResult]:
    """Failures first (errors, then wrong answers), each group in gold order."""
    return sorted(results, key=lambda r: (r.correct, r.error is None))


# ---- charts -----------------------------------------------------------------------


def _figure(width: float = 7.0, height: float = 4.0):
    # The object API with an Agg canvas needs no pyplot state and no display.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def plot_accuracy_by_type(summary: dict[str, Any], path: Path) -> None:
    """Bar chart of accuracy per answer type, with "acc% (correct/n)" written on each bar."""
    fig = _figure()
    ax = fig.add_subplot()
    by_type = summary.get("by_type") or {}
    names = list(by_type)
    accs = [100 * (by_type[t]["accuracy"] or 0) for t in names]
    bars = ax.bar(names, accs, color="#4c72b0")
    for bar, t in zip(bars, names):
        row = by_type[t]
        label = f"{100 * (row['accuracy'] or 0):.0f}%\n({row['correct']}/{row['n']})"
        # Inside tall bars, above short ones, so the label is always readable.
        inside = bar.get_height() > 80
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() - 2 if inside else bar.get_height() + 2,
                label, ha="center", va="top" if inside else "bottom", fontsize=9,
                color="white" if inside else "black")
    if not names:
        ax.text(0.5, 0.5, "no questions were evaluated", ha="center", va="center", transform=ax.transAxes)
    overall = summary.get("accuracy")
    title = "Accuracy by answer type"
    if overall is not None:
        title += f" (overall {overall:.1%}, n={summary.get('n', 0)})"
    ax.set_title(title)
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 110)
    fig.tight_layout()
    fig.savefig(path, format="png")


def plot_latency(results: list[QuestionResult], summary: dict[str, Any], path: Path) -> None:
    """Histogram of per-question latency with the p50 and p95 marked."""
    fig = _figure()
    ax = fig.add_subplot()
    latencies = [r.latency_ms for r in results]
    if latencies:
        ax.hist(latencies, bins=min(30, max(5, len(latencies) // 3)), color="#55a868", edgecolor="white")
        for key, style in (("p50_ms", "--"), ("p95_ms", ":")):
            value = summary.get(key)
            if value is not None:
                ax.axvline(value, color="#c44e52", linestyle=style, linewidth=1.5,
                           label=f"{key[:3]} = {value:.0f} ms")
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no questions were evaluated", ha="center", va="center", transform=ax.transAxes)
    ax.set_title("Latency per question")
    ax.set_xlabel("milliseconds")
    ax.set_ylabel("questions")
    fig.tight_layout()
    fig.savefig(path, format="png")


# ---- Markdown -----------------------------------------------------------------------


def _md_cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs shown at the top of both reports."""
    return [
        ("questions", str(summary.get("n", 0))),
        ("correct", str(summary.get("correct", 0))),
        ("accuracy", _fmt_rate(summary.get("accuracy"))),
        ("citation hit (correct answers)", _fmt_rate(summary.get("citation_hit"))),
        ("grounded answers", _fmt_rate(summary.get("grounded"))),
        ("correct abstentions", _fmt_rate(summary.get("abstain_correct"))),
        ("latency p50 / p95", f"{_fmt_ms(summary.get('p50_ms'))} / {_fmt_ms(summary.get('p95_ms'))}"),
        ("errors while answering", str(summary.get("question_errors", 0))),
        ("skipped gold items", str(summary.get("skipped", 0))),
    ]


def render_markdown(run: EvalRun) -> str:
    """The report as Markdown: summary, per-type table, data errors, then every question."""
    s = run.summary
    lines = ["# Evaluation report", "", "Gold files: " + ", ".join(f"`{f}`" for f in s.get("files", [])), ""]
    lines += ["| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary_rows(s)]
    lines += ["", "## Accuracy by answer type", "", "| type | n | correct | accuracy |", "|---|---|---|---|"]
    for t, row in (s.get("by_type") or {}).items():
        lines.append(f"| {_md_cell(t)} | {row['n']} | {row['correct']} | {_fmt_rate(row['accuracy'])} |")
    lines += ["", "![accuracy by type](accuracy_by_type.png)", "", "![latency](latency.png)", ""]
    if s.get("errors"):
        lines += ["## Gold-file and corpus errors", ""] + [f"- {_md_cell(e)}" for e in s["errors"]] + [""]
    lines += ["## Questions (failures first)", "",
              "| verdict | id | question | gold | predicted | reason | kind | cited | ms |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in ordered(run.results):
        cited = " / ".join(c.text for c in r.citations[:2])
        lines.append("| " + " | ".join(_md_cell(x) for x in (
            "✔" if r.correct else "✘", r.id, r.question, _with_scale(r.gold, r.gold_scale),
            _with_scale(r.predicted, r.predicted_scale), r.reason, r.kind, cited, f"{r.latency_ms:.0f}",
        )) + " |")
    return "\n".join(lines) + "\n"


# ---- HTML ----------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
.q{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:.6em 0}
.wrong{border-left:6px solid #c44e52}.right{border-left:6px solid #55a868}
.meta{color:#555;font-size:.9em}blockquote{margin:.3em 0 .3em 1em;color:#333;border-left:3px solid #ccc;padding-left:.6em}
img{max-width:100%}
"""


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _html_question(r: QuestionResult) -> str:
    e = html.escape
    cls = "right" if r.correct else "wrong"
    cited = "".join(
        f"<blockquote>{e(c.text)} <span class='meta'>({e(c.doc_id)}, chars {c.start}–{c.end})</span></blockquote>"
        for c in r.citations
    ) or "<p class='meta'>no citations</p>"
    evidence = "".join(f"<blockquote>{e(t)}</blockquote>" for t in r.evidence)
    return (
        f"<div class='q {cls}'>"
        f"<p><b>{'correct' if r.correct else 'wrong'}</b> · {e(r.reason)} · <span class='meta'>{e(r.id)} · "
        f"{e(r.answer_type)} · {e(r.kind)} · {r.latency_ms:.0f} ms</span></p>"
        f"<p><b>Q:</b> {e(r.question)}</p>"
        f"<p><b>gold:</b> {e(_with_scale(r.gold, r.gold_scale))} · <b>predicted:</b> "
        f"{e(_with_scale(r.predicted, r.predicted_scale))} · citation hit: {e(_fmt_bool(r.citation_hit) or 'n/a')}"
        f" · grounded: {e(_fmt_bool(r.grounded) or 'n/a')}</p>"
        f"<p><b>answer:</b> {e(r.answer_text or r.error or '')}</p>"
        f"<details><summary>cited sentences ({len(r.citations)})</summary>{cited}</details>"
        + (f"<details><summary>gold evidence</summary>{evidence}</details>" if evidence else "")
        + "</div>"
    )


def render_html(run: EvalRun, paths: dict[str, Path]) -> str:
    """A self-contained HTML report; every text from questions, answers and documents is escaped."""
    e = html.escape
    s = run.summary
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in summary_rows(s))
    types = "".join(
        f"<tr><td>{e(t)}</td><td>{row['n']}</td><td>{row['correct']}</td><td>{e(_fmt_rate(row['accuracy']))}</td></tr>"
        for t, row in (s.get("by_type") or {}).items()
    )
    errors = "".join(f"<li>{e(x)}</li>" for x in s.get("errors", []))
    results = ordered(run.results)
    failures = [r for r in results if not r.correct]
    passes = [r for r in results if r.correct]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Evaluation report</title>"
        f"<style>{_CSS}</style></head><body><h1>Evaluation report</h1>"
        f"<p class='meta'>Gold files: {e(', '.join(s.get('files', [])))}</p>"
        f"<table>{rows}</table>"
        f"<h2>Failures ({len(failures)})</h2>"
        + ("".join(_html_question(r) for r in failures) or "<p>none</p>")
        + "<h2>Charts</h2>"
        f"<img alt='accuracy by answer type' src='{_data_uri(paths['accuracy_by_type.png'])}'>"
        f"<img alt='latency histogram' src='{_data_uri(paths['latency.png'])}'>"
        "<h2>Accuracy by answer type</h2><table><tr><th>type</th><th>n</th><th>correct</th><th>accuracy</th></tr>"
        f"{types}</table>"
        + (f"<h2>Gold-file and corpus errors</h2><ul>{errors}</ul>" if errors else "")
        + f"<h2>Correct ({len(passes)})</h2><details><summary>show</summary>"
        + "".join(_html_question(r) for r in passes)
        + "</details></body></html>\n"
    )
