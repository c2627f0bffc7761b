"""Checks the command line makes before loading anything heavy, so a newcomer's mistake (an
empty question, an unknown --doc, a missing path) is answered in well under a second.

They only catch what is certain from the input and the committed manifest; the library
checks everything again (qa/service.py clean_question, Manifest.resolve), so a store that
changes in between still gets its proper message. Only standard-library imports here: the
models and numpy alone take longer than the budget on a busy machine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


# Settings.data_dir's default, read without pydantic (tests/ui/test_cli_quick.py keeps them equal).
DEFAULT_DATA_DIR = "./data"


def data_dir_of(given: Path | None) -> Path:
    """The store folder as Settings would choose it: --data-dir, REPORTQA_DATA_DIR, ./data."""
    return Path(given or os.environ.get("REPORTQA_DATA_DIR") or DEFAULT_DATA_DIR)


def question_problem(question: str | None) -> str | None:
    """What is wrong with the question, in the library's words; None when it may be asked
    (its length is checked by the library, against the settings)."""
    q = (question or "").strip()
    if not q:
        return "the question is empty: put it in quotes, e.g. reportqa ask \"How many victims were rescued?\""
    if not any(ch.isalnum() for ch in q):
        return "the question has no words or numbers in it"
    return None


def committed_documents(data_dir: Path) -> list[dict] | None:
    """The embedded store's committed documents (manifest.json); None when it cannot tell cheaply
    (a Chroma server holds the manifest, or the file is unreadable: the library will say)."""
    if os.environ.get("REPORTQA_CHROMA_URL"):
        return None
    path = Path(data_dir) / "manifest.json"
    if not path.exists():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8")).get("documents", {}).values())
    except (OSError, ValueError, AttributeError):
        return None


def unknown_documents(refs: list[str], documents: list[dict] | None) -> str | None:
    """A message naming the --doc values no committed document answers to (the rules of
    Manifest.resolve: content id, a unique id prefix of 6+ characters, file stem or file name)."""
    if not refs or documents is None:
        return None
    if not documents:
        return "the store is empty: add reports first with `reportqa ingest PATH` (or the Documents tab)"
    missing = []
    for ref in refs:
        r = ref.strip()
        known = any(
            r == d.get("doc_id") or r == d.get("stem") or r == os.path.basename(d.get("source", ""))
            or (len(r) >= 6 and str(d.get("doc_id", "")).startswith(r))
            for d in documents
        )
        if not known:
            missing.append(r)
    if not missing:
        return None
    names = ", ".join(sorted(str(d.get("stem")) for d in documents)[:8])
    more = "…" if len(documents) > 8 else ""
    return (f"no document {', '.join(repr(m) for m in missing)} in the store; --doc takes a file stem or "
            f"content id: {names}{more} (see `reportqa docs`)")


def missing_paths(paths: list[Path]) -> str | None:
    """A message naming the paths that do not exist."""
    gone = [str(p) for p in paths if not Path(p).exists()]
    if not gone:
        return None
    return f"no such file or folder: {', '.join(gone)}"


def port_problem(host: str, port: int) -> str | None:
    """One line when `port` is taken on `host` (before the model loads and Gradio's own advice)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is not "in use"
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                return (f"port {port} is already in use (another reportqa?): pick a free one with "
                        f"`reportqa serve --port {port + 1}` or `make run PORT={port + 1}`")
            return f"cannot listen on {host}:{port}: {e.strerror}"
    return None
