"""The `reportqa` command: a thin layer over the Python API.

Errors from the library (ReportQAError) become one clean line on stderr and exit
status 2; expected failures (a file that could not be ingested) exit 1.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from reportqa import offline  # noqa: F401  (before any model library is imported)
from reportqa.errors import ReportQAError
from reportqa.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Grounded question answering over reports.")
docs_app = typer.Typer(help="List or remove ingested documents.", invoke_without_command=True)
app.add_typer(docs_app, name="docs")

out = Console()
err = Console(stderr=True)


def settings_from_env(data_dir: Optional[Path] = None) -> Settings:
    overrides = {"data_dir": data_dir} if data_dir else {}
    return Settings(**overrides)


def fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


DataDir = typer.Option(None, "--data-dir", help="Store folder (default: REPORTQA_DATA_DIR or ./data).")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders (searched recursively)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Add reports to the store (txt, md, html, pdf, docx). Unchanged files are skipped."""
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

        try:
            results = Ingestor(settings, progress=hook).ingest(paths)
        except ReportQAError as e:
            fail(str(e))
    elapsed = time.perf_counter() - started
    summary = {s: sum(r.status == s for r in results) for s in ("new", "unchanged", "replaced", "skipped", "failed")}
    summary["sentences"] = counted["sentences"]
    summary["seconds"] = round(elapsed, 2)
    if as_json:
        print(json.dumps({"summary": summary, "files": [r.model_dump() for r in results]}, indent=1))
    else:
        table = Table("file", "status", "sentences", "note")
        for r in results:
            note = r.reason or "; ".join(r.warnings) or (r.title or "")
            style = {"failed": "red", "skipped": "yellow"}.get(r.status, "")
            table.add_row(r.path, f"[{style}]{r.status}[/{style}]" if style else r.status, str(r.sentences), note)
        out.print(table)
        out.print(
            " · ".join(f"{k}: {v}" for k, v in summary.items() if k not in ("seconds",))
            + f" · {elapsed:.1f}s"
        )
    raise typer.Exit(1 if summary["failed"] else 0)


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

    try:
        manifest = Store(settings_from_env(data_dir)).read_manifest()
    except ReportQAError as e:
        fail(str(e))
    rows = sorted(manifest.documents.values(), key=lambda d: d.title.lower())
    if as_json:
        print(json.dumps([d.model_dump() for d in rows], indent=1))
        return
    table = Table("id", "title", "file", "sentences", "pages")
    for d in rows:
        table.add_row(d.doc_id, d.title, Path(d.source).name, str(d.sentences), str(d.pages or ""))
    out.print(table)
    out.print(f"{len(rows)} documents, {sum(d.sentences for d in rows)} sentences")


@docs_app.command("remove")
def docs_remove(
    ref: str = typer.Argument(..., help="Content id or file name stem."),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """Remove a document from Chroma, BM25 and the manifest."""
    from ingest.pipeline import Ingestor

    try:
        info = Ingestor(settings_from_env(data_dir)).remove(ref)
    except ReportQAError as e:
        fail(str(e))
    out.print(f"removed {info.doc_id} ({info.title}, {info.sentences} sentences)")


def main() -> None:  # pragma: no cover - console entry for `python -m reportqa`
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
