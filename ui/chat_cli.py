"""`reportqa chat`: an interactive conversation in the terminal.

Each line is a question; follow-ups ("And in 2021?", "What is the difference?") are
resolved against the earlier turns, as in the web chat. `/clear` starts a new
conversation, `/standalone` asks the last question again as it was understood, on its
own; `/quit` or end of input leaves. A bad question prints its message and the
conversation goes on.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console

from reportqa.errors import ReportQAError

if TYPE_CHECKING:  # the models load only when a conversation starts: `reportqa --help` stays quick
    from reportqa.models import Answer
from ui.shown import plain, shown

HELP = "Ask a question; follow-ups use the conversation. /clear new conversation · /standalone · /quit"


def print_answer(out: Console, answer: Answer) -> None:
    """The answer, how it was understood, and the sources, as plain text (ui/plain.py)."""
    from ui.plain import answer_lines

    for text, style in answer_lines(answer, understood=True):
        out.print(plain(text), style=style or None, highlight=False, markup=False)


def run_chat(qa, lines, out: Console, err: Console, doc: list[str] | None = None, prompt: bool = False) -> int:
    """Answer `lines` as one conversation; returns the number of turns answered."""
    history: list[Answer] = []
    answered = 0
    while True:
        if prompt:
            out.print("[bold]you>[/bold] ", end="")
        line = next(lines, None)
        if line is None:
            return answered
        question = line.strip()
        if not question:
            continue
        if question in ("/quit", "/exit"):
            return answered
        if question == "/clear":
            history = []
            out.print("(new conversation)", style="dim")
            continue
        standalone = question == "/standalone"
        if standalone:
            last = history[-1].understood if history else None
            if last is None or not last.question:
                err.print("nothing to ask again", style="yellow")
                continue
            question = last.question
        try:
            answer = qa.answer(question, doc or None, [] if standalone else history)
        except ReportQAError as e:
            err.print(f"[red]error:[/red] {shown(e)}", highlight=False)
            continue
        history.append(answer)
        answered += 1
        print_answer(out, answer)
        out.print()


def chat(
    doc: Optional[list[str]] = typer.Option(None, "--doc", help="Only these documents, for the whole conversation."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Store folder (default: REPORTQA_DATA_DIR)."),
) -> None:
    """An interactive conversation: follow-up questions are resolved against the earlier turns."""
    from reportqa.settings import Settings
    from ui import precheck

    settings = Settings(**({"data_dir": data_dir} if data_dir else {}))
    out, err = Console(), Console(stderr=True)
    if problem := precheck.unknown_documents(doc or [], precheck.committed_documents(precheck.data_dir_of(data_dir))):
        err.print(f"[red]error:[/red] {problem}", highlight=False, markup=True)  # before the model loads
        raise typer.Exit(2)
    from qa.service import QA

    qa = QA(settings)
    qa.resolve_docs(doc or None)  # an unknown document fails now, not at the first question
    interactive = sys.stdin.isatty()
    if interactive:
        out.print(HELP, style="dim")
    run_chat(qa, iter(sys.stdin.readline, ""), out, err, doc, prompt=interactive)
