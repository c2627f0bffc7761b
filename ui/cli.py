"""The `reportqa` command: a thin layer over the Python API.

Errors from the library (ReportQAError) become one clean line on stderr and exit
status 2, translated in one place (`CLI.command`, which wraps every command);
expected failures (a file that could not be ingested) exit 1.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup
from rich.markup import escape
from rich.table import Table

from reportqa import offline
from reportqa.errors import ReportQAError
from reportqa.file_types import FILE_TYPES
from ui import precheck
from ui.shown import plain, shown

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    """One clean line on stderr, then exit with `code` (2: the input or the store is wrong)."""
    err.print(f"[red]error:[/red] {shown(message)}", highlight=False, markup=True)
    raise typer.Exit(code)


def clean_errors(fn: Callable) -> Callable:
    """Run a command with the offline environment; a ReportQAError becomes `fail(message)`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        offline.apply()  # before any command imports a model, hub or UI library
        try:
            return fn(*args, **kwargs)
        except ReportQAError as e:
            fail(str(e))

    return wrapper


def _untyped_flags(params: list) -> list:
    # Typer's help prints a type column; for an on/off flag it reads "<bool>", which means
    # nothing to a reader (the flag takes no value), so flags get an empty metavar.
    for p in params:
        if getattr(p, "is_flag", False) and p.metavar is None:
            p.metavar = ""
    return params


class FlagCommand(TyperCommand):
    def get_params(self, ctx):
        return _untyped_flags(super().get_params(ctx))


class FlagGroup(TyperGroup):
    def get_params(self, ctx):
        return _untyped_flags(super().get_params(ctx))


class CLI(typer.Typer):
    """A Typer app whose commands and callbacks all go through `clean_errors`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("cls", FlagGroup)
        super().__init__(*args, **kwargs)

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", FlagCommand)
        register = super().command(*args, **kwargs)
        return lambda fn: register(clean_errors(fn))

    def callback(self, *args, **kwargs):
        register = super().callback(*args, **kwargs)
        return lambda fn: register(clean_errors(fn))


app = CLI(add_completion=False, no_args_is_help=True, help="Grounded question answering over reports.")
docs_app = CLI(help="List or remove ingested documents.", invoke_without_command=True)
app.add_typer(docs_app, name="docs")


def settings_from_env(data_dir: Optional[Path] = None):
    """The one Settings object (imported here: pydantic takes longer than a newcomer's error may)."""
    from reportqa.settings import Settings

    overrides = {"data_dir": data_dir} if data_dir else {}
    return Settings(**overrides)


TYPES = ", ".join(t.lstrip(".") for t in FILE_TYPES)

DataDir = typer.Option(None, "--data-dir", help="Store folder (default: REPORTQA_DATA_DIR or ./data).")


@app.command(help=f"Add reports to the store ({TYPES}). Unchanged files are skipped.")
def ingest(
    paths: list[Path] = typer.Argument(..., metavar="PATH...", help="Files or folders (searched recursively)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    if problem := precheck.missing_paths(paths):
        fail(problem)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.pipeline import Ingestor, expand_paths

    settings = settings_from_env(data_dir)
    total = len(expand_paths(paths))
    started = time.perf_counter()
    counted = {"sentences": 0}
    progress = Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(), console=err, disable=as_json or not err.is_terminal,
    )

    with progress:
        task = progress.add_task("ingest", total=total, rate="")

        def hook(event: str, n: int) -> None:
            counted["sentences"] += n
            rate = counted["sentences"] / max(time.perf_counter() - started, 1e-6)
            progress.update(task, advance=1, rate=f"{counted['sentences']} sentences, {rate:.0f} sentences/s")

        def estimate(sentences: int, seconds: int) -> None:  # a large file: working, and for how long
            progress.console.print(f"embedding {sentences:,} sentences: about {seconds:,} s", highlight=False)

        results = Ingestor(settings, progress=hook, estimate=estimate).ingest(paths)
    elapsed = time.perf_counter() - started
    summary = {s: sum(r.status == s for r in results) for s in ("new", "unchanged", "replaced", "skipped", "failed")}
    summary["sentences"] = counted["sentences"]
    summary["seconds"] = round(elapsed, 2)
    if as_json:
        print(json.dumps({"summary": summary, "files": [r.model_dump() for r in results]}, indent=1))
    else:
        # Paths shown whole (relative when under the working folder), folded rather than cut:
        # two files must never both read "examples/reports/cambodia…".
        table = Table("file", "status", "sentences", "note")
        paths = [shown(shown_path(r.path)) for r in results]
        table.columns[0].no_wrap = True
        table.columns[0].min_width = max((len(p) for p in paths), default=4)
        table.columns[3].overflow = "fold"
        for r in results:
            note = r.reason or "; ".join(r.warnings) or (r.title or "")
            style = {"failed": "red", "skipped": "yellow"}.get(r.status, "")
            table.add_row(shown(shown_path(r.path)), f"[{style}]{r.status}[/{style}]" if style else r.status,
                          str(r.sentences), shown(note))
        width = table.columns[0].min_width + 80  # the whole path, then status, count and a readable note
        wide = out if out.is_terminal and out.width >= width else Console(width=max(out.width, width))
        wide.print(table)
        wide.print(
            " · ".join(f"{k}: {v}" for k, v in summary.items() if k not in ("seconds",))
            + f" · {elapsed:.1f}s"
        )
    raise typer.Exit(1 if summary["failed"] else 0)


def shown_path(path: str) -> str:
    """`path` relative to the working folder when it is under it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


@docs_app.callback()
def docs(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """List ingested documents."""
    if ctx.invoked_subcommand:
        return
    from reportqa.store import Store

    manifest = Store(settings_from_env(data_dir)).read_manifest()
    rows = sorted(manifest.documents.values(), key=lambda d: d.title.lower())
    if as_json:
        print(json.dumps([d.model_dump() for d in rows], indent=1))
        return
    table = Table("id", "title", "file", "sentences", "pages")
    for d in rows:
        table.add_row(d.doc_id, shown(d.title), shown(Path(d.source).name), str(d.sentences), str(d.pages or ""))
    out.print(table)
    out.print(f"{len(rows)} documents, {sum(d.sentences for d in rows)} sentences")


@app.command()
def ask(
    question: str = typer.Argument(..., metavar="QUESTION", help="The question, in quotes."),
    doc: Optional[list[str]] = typer.Option(None, "--doc", help="Only this document (content id or file stem); repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print the Answer as JSON (with citation offsets)."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Answer a question from the ingested reports, with numbered citations."""
    # A newcomer's mistakes are answered before settings, models or the store load (ui/precheck.py).
    if problem := precheck.question_problem(question):
        fail(problem)
    if problem := precheck.unknown_documents(doc or [], precheck.committed_documents(precheck.data_dir_of(data_dir))):
        fail(problem)
    from qa.service import QA

    settings = settings_from_env(data_dir)
    answer = QA(settings).answer(question, doc or None)
    if as_json:
        print(answer.model_dump_json(indent=1))
        return
    from ui.plain import answer_lines

    for text, style in answer_lines(answer):
        out.print(plain(text), style=style or None, highlight=False, markup=False)


@docs_app.command("remove")
def docs_remove(
    ref: str = typer.Argument(..., metavar="DOC", help="Content id or file name stem."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Remove a document from Chroma, BM25 and the manifest."""
    from ingest.pipeline import Ingestor

    info = Ingestor(settings_from_env(data_dir)).remove(ref)
    out.print(f"removed {info.doc_id} ({shown(info.title)}, {info.sentences} sentences)", highlight=False)


@app.command("eval")
def eval_command(
    paths: list[Path] = typer.Argument(..., metavar="FILE...", help="Gold JSONL files; with --compare, two result folders OLD NEW."),
    corpus: Optional[list[Path]] = typer.Option(None, "--corpus", help="Ingest these files/folders first (repeatable)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Write results, charts and reports into this folder."),
    as_json: bool = typer.Option(False, "--json", help="Print only the summary, as one JSON object."),
    min_accuracy: Optional[float] = typer.Option(
        None, "--min-accuracy", min=0.0, max=1.0, help="Exit with status 1 when accuracy is below this (0-1)."
    ),
    compare: bool = typer.Option(False, "--compare", help="Compare two result folders: eval --compare OLD NEW."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Answer every question of gold files, score the answers and report accuracy."""
    from eval.compare import compare_runs, comparison_summary, comparison_table

    if compare:
        if len(paths) != 2:
            fail(f"--compare takes two result folders (OLD NEW), got {len(paths)}")
        cmp = compare_runs(paths[0], paths[1])
        if as_json:
            print(json.dumps(cmp.to_dict(), ensure_ascii=False))
        else:
            out.print(comparison_table(cmp))
            out.print(comparison_summary(cmp), highlight=False)
        return

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from eval.report import summary_rows, write_report
    from eval.run import run_eval

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=not err.is_terminal,
    )
    tasks: dict[str, int] = {}

    def hook(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task("ingesting" if stage == "ingest" else "answering", total=total)
        progress.update(tasks[stage], completed=done, total=total)

    with progress:
        run = run_eval(settings_from_env(data_dir), paths, corpus=corpus or None, progress=hook)
    written = write_report(run, out_dir) if out_dir else {}
    summary = run.summary
    for message in summary["errors"]:
        err.print(f"[yellow]warning:[/yellow] {escape(message)}", highlight=False)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        table = Table("metric", "value")
        for label, value in summary_rows(summary):
            table.add_row(label, value)
        for answer_type, row in summary["by_type"].items():
            acc = "n/a" if row["accuracy"] is None else f"{row['accuracy']:.1%}"
            table.add_row(f"  {escape(answer_type)}", f"{acc} ({row['correct']}/{row['n']})")
        out.print(table)
        if written:
            out.print(f"report: {escape(str(written['report.html']))}", highlight=False)
    accuracy = summary["accuracy"]
    if min_accuracy is not None and (accuracy is None or accuracy < min_accuracy):
        shown = "n/a (no questions evaluated)" if accuracy is None else f"{accuracy:.4f}"
        err.print(f"[red]accuracy {shown} is below --min-accuracy {min_accuracy}[/red]", highlight=False)
        raise typer.Exit(1)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(7860, "--port", help="Port to listen on."),
    auth: Optional[str] = typer.Option(None, "--auth", help="Require a login: USER:PASS."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Open the web chat (Chat, Documents, Evaluation) on http://HOST:PORT."""
    settings = settings_from_env(data_dir)
    if problem := precheck.port_problem(host, port):
        fail(problem)
    from ui.app import parse_auth, serve as serve_app

    serve_app(settings, host=host, port=port, auth=parse_auth(auth))


@app.command()
def bench(
    sentences: int = typer.Option(100_000, "--sentences", min=100, help="Corpus size in sentences."),
    quick: bool = typer.Option(False, "--quick", help="About 2,000 sentences: a smoke run for CI."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON on stdout."),
    out_file: Path = typer.Option(Path("bench-out/bench.json"), "--out", help="Write the JSON figures here."),
    corpus: Optional[list[Path]] = typer.Option(
        None, "--corpus", help="Report folders (repeatable). Default: ../shared/benchmarks or examples/reports; "
        "with --load, examples/reports."
    ),
    load: bool = typer.Option(False, "--load", help="Load test: users asking the web chat during an ingest."),
    users: int = typer.Option(20, "--users", min=1, help="--load: concurrent client sessions."),
    seconds: float = typer.Option(60.0, "--seconds", min=0.1, help="--load: how long the users keep asking."),
    reports: int = typer.Option(36, "--reports", min=1, help="--load: generated reports ingested during the load."),
    port: int = typer.Option(0, "--port", min=0, help="--load: port of the server under test (0: a free port)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="--load: seed for the generated reports (default: random)."),
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="--load: store folder (default: a temp folder); generated reports stay in it."
    ),
) -> None:
    """Measure encode and ingest throughput, answer latency, cold start and peak memory;
    with --load, latency and errors of many web users during an ingest (exit 1 if a check fails)."""

    def log(message: str) -> None:
        err.print(f"[dim]bench[/dim] {escape(message)}", highlight=False)

    if load:
        from eval.load import render_table as load_table, run_load_test

        result = run_load_test(users=users, seconds=seconds, data_dir=data_dir, port=port, reports=reports,
                               seed=seed, corpus=corpus or None, log=log)
        if as_json:
            print(json.dumps(result, indent=1, ensure_ascii=False))
        if "users" in result:
            (err if as_json else out).print(load_table(result))
        for failure in result["failures"]:
            err.print(f"[red]failed:[/red] {escape(failure)}", highlight=False)
        raise typer.Exit(0 if result["ok"] else 1)

    from eval.bench import render_table, run_bench, write_json

    result = run_bench(sentences=sentences, quick=quick, log=log, corpus_dirs=corpus or None)
    written = write_json(result, out_file)
    if as_json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        out.print(render_table(result))
        out.print(f"figures: {escape(str(written))}", highlight=False)


@app.command()
def doctor(
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    do_repair: bool = typer.Option(False, "--repair", help="Rebuild what is derivable (under the writer lock)."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Check the store (Chroma, BM25, documents, manifest agree; offline); exit 1 if anything is wrong."""
    from ingest.doctor import diagnose, format_report, repair

    settings = settings_from_env(data_dir)
    report = repair(settings) if do_repair else diagnose(settings)
    if as_json:
        print(json.dumps({"ok": report.ok, **report.model_dump()}, indent=1, ensure_ascii=False))
    else:
        out.print(escape(format_report(report)), highlight=False)
    raise typer.Exit(0 if report.ok else 1)


app.command("chat")(__import__("ui.chat_cli", fromlist=["chat"]).chat)  # interactive conversation (ui/chat_cli.py)


def main() -> None:  # pragma: no cover - console entry for `python -m ui`
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
