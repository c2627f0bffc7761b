"""The Documents tab's HTML: the reports in the store as a list (title, type, pages, sentences,
tables, when added, a preview, remove), and one line per uploaded file saying what happened.

Everything from a report or a file name is escaped (ui/render.py `esc`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportqa.models import DocumentInfo, IngestResult
from ui.render import esc

PREVIEW_CHARS = 400

# What an ingest status means to the person who uploaded the file.
STATUS_WORDS = {"new": "added", "replaced": "added (new version)", "unchanged": "unchanged", "skipped": "refused",
                "failed": "refused"}

# A row's Remove button asks to be pressed twice (no browser dialog), then drives the hidden
# box and button wired to the remove handler.
REMOVE_JS = """
element.addEventListener('click', (event) => {
  const btn = event.target.closest('.rq-remove-doc');
  if (!btn) return;
  event.preventDefault();
  if (!btn.classList.contains('rq-armed')) {
    btn.classList.add('rq-armed');
    btn.textContent = 'Click again to remove';
    setTimeout(() => { btn.classList.remove('rq-armed'); btn.textContent = 'Remove'; }, 4000);
    return;
  }
  const box = document.querySelector('#rq-remove-ref textarea, #rq-remove-ref input');
  if (!box) return;
  box.value = btn.dataset.doc;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  btn.textContent = 'Removing…';
  setTimeout(() => document.querySelector('#rq-remove-btn').click(), 100);
});
"""


@dataclass
class DocDetails:
    """What the manifest does not hold: the number of tables and the first lines of text."""

    tables: int = 0
    preview: str = ""


def readable_date(stamp: str) -> str:
    """'2026-12-07T16:34:09+00:00' -> '7 Dec 2026, 16:34 UTC' (the stamp itself if unparsable)."""
    try:
        when = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp or ""
    zone = "UTC" if when.utcoffset() is not None and not when.utcoffset() else (when.tzname() or "")
    return f"{when.day} {when:%b %Y, %H:%M} {zone}".strip()


def doc_type(source: str) -> str:
    """'PDF', 'MD', 'HTML' … from the file name."""
    return Path(source).suffix.lstrip(".").upper() or "—"


def documents_html(docs: list[DocumentInfo], details: Mapping[str, DocDetails]) -> str:
    """The store's reports as a table a person reads: one row per report."""
    if not docs:
        return ('<div class="rq-doclist-empty">No reports yet. Upload PDF, Word, HTML, Markdown, text, CSV or '
                "Excel files below, or run <code>reportqa ingest FOLDER</code>.</div>")
    rows = []
    for d in docs:
        info = details.get(d.doc_id, DocDetails())
        preview = (f'<details class="rq-preview"><summary>Preview</summary><p>{esc(info.preview)}</p></details>'
                   if info.preview else "")
        rows.append(
            f'<tr data-doc="{esc(d.doc_id)}"><td><div class="rq-doc-title">{esc(d.title)}</div>'
            f'<div class="rq-doc-file" title="content id {esc(d.doc_id)}">{esc(Path(d.source).name)}</div>{preview}</td>'
            f"<td>{esc(doc_type(d.source))}</td><td>{d.pages or '—'}</td><td>{d.sentences:,}</td>"
            f"<td>{info.tables}</td><td>{esc(readable_date(d.ingested_at))}</td>"
            f'<td><button type="button" class="rq-remove-doc" data-doc="{esc(d.doc_id)}" '
            f'title="Remove {esc(d.title)} from the store">Remove</button></td></tr>'
        )
    return ('<table class="rq-doclist"><thead><tr><th>report</th><th>type</th><th>pages</th><th>sentences</th>'
            f'<th>tables</th><th>added</th><th></th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def summary_line(docs: list[DocumentInfo]) -> str:
    n = len(docs)
    return f"{n} report{'s' if n != 1 else ''} · {sum(d.sentences for d in docs):,} sentences"


def ingest_lines(results: Iterable[IngestResult]) -> str:
    """One line per uploaded file: added, unchanged, or refused with the reason."""
    lines = []
    for r in results:
        name = Path(r.path).name
        word = STATUS_WORDS.get(r.status, r.status)
        if r.status in ("skipped", "failed"):
            detail = f": {r.reason}" if r.reason else ""
        else:
            title = f" as “{r.title}”" if r.title and r.status != "unchanged" else ""
            detail = f"{title} ({r.sentences:,} sentences)" if r.sentences else title
            if r.warnings:
                detail += f" — note: {'; '.join(r.warnings)}"
        lines.append(f'<li class="rq-status-{esc(r.status)}"><b>{esc(word)}</b> {esc(name)}{esc(detail)}</li>')
    return f'<ul class="rq-ingest-lines">{"".join(lines)}</ul>' if lines else ""
