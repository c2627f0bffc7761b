"""One chat turn as HTML: the answer line, how it was understood, the formula or the conflict,
the citation cards (figures marked) and the turn's own receipt.

Built on the escaping helpers of ui/render.py: every text from a document, a file name or a
question is escaped before markup is added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from reportqa.models import Answer, Citation, Understood
from reportqa.numbers import format_number
from ui.figures import figure_spans
from ui.render import (
    KIND_LABELS, _OPERAND, anchor_id, answer_text_html, citation_card, esc, format_value, mark_figures, ref_link,
)

# How an operation reads in front of its measure ("change in calls"): data, beside this module.
OPERATION_WORDS = {k: v for k, v in json.loads(Path(__file__).with_name("operation_words.json").read_text(
    encoding="utf-8")).items() if not k.startswith("_")}
LONG_TITLE = 48
# A minus between operands: one style (the typographic minus) whatever the engine wrote.
_MINUS = re.compile(r"(?<=\s)-(?=\s)")


def _short(title: str) -> str:
    return title if len(title) <= LONG_TITLE else title[: LONG_TITLE - 1].rstrip() + "…"


def plain_reading(u: Understood) -> str:
    """'change in calls · coastal helpline · 2021–2022 · all documents' — never '(no measure)',
    and a part already said (the group inside the measure or a document's title) is not repeated."""
    period = "–".join(str(y) for y in sorted(set(u.years))) if u.years else "any year"
    docs = ", ".join(_short(t) for t in u.documents) if u.documents else "all documents"
    said = " ".join([u.measure, *u.documents]).lower()
    measure = u.measure
    words = OPERATION_WORDS.get(u.operation, "" if u.operation in ("figure", "") else u.operation.replace("_", " "))
    if words:
        measure = f"{words} {measure}".strip()
    group = u.group if u.group and u.group.lower() not in said else ""
    return " · ".join(p for p in [measure, group, period, docs] if p)


def understood_html(answer: Answer) -> str:
    """The one line saying how the question was read, what a follow-up took from an earlier
    turn (or could not), and a link that asks the standalone question again."""
    u = answer.understood
    if u is None:
        return ""
    parts = [f'<span class="rq-label">Understood as</span> <span class="rq-understood-line">'
             f"{esc(plain_reading(u))}</span>"]
    if u.follow_up and u.carried:
        where = f" from turn {u.from_turn}" if u.from_turn else ""
        parts.append(f'<span class="rq-carried">(took{esc(where)}: {esc("; ".join(u.carried))})</span>')
    if u.not_carried:
        parts.append(f'<span class="rq-not-carried">Could not carry over: {esc("; ".join(u.not_carried))}</span>')
    if u.question and u.follow_up:
        parts.append(f'<a href="#" class="rq-reask" data-question="{esc(u.question)}" '
                     f'title="Ask “{esc(u.question)}” on its own">ask as a standalone question</a>')
    return f'<div class="rq-understood">{" ".join(parts)}</div>'


def computation_html(answer: Answer, turn: int) -> str:
    """The formula, once, each operand linked to the card it was read from. When every operand
    comes from one citation, that citation is named once at the end instead of after each."""
    comp = answer.computation
    if comp is None:
        return ""
    count = len(answer.citations)
    cited = {o.citation for o in comp.operands}
    single = next(iter(cited)) if len(cited) == 1 and 1 <= next(iter(cited)) <= count else None

    def operand(m: re.Match) -> str:
        n = int(m.group(2))
        if not 1 <= n <= count:
            return m.group(0)
        ref = "" if single else f' <span class="rq-ref">[{n}]</span>'
        return f'<a class="rq-operand" href="#{anchor_id(turn, n)}">{m.group(1)}{ref}</a>'

    formula = _OPERAND.sub(operand, esc(_MINUS.sub("−", comp.formula)))
    tail = f" {ref_link(turn, single)}" if single else ""
    scaled = [f"{esc(o.text)} = {esc(format_number(o.value))}" for o in comp.operands
              if esc(format_number(o.value)) != esc(o.text)]  # "3.2 million = 3,200,000"; not "358 = 358"
    note = f'<div class="rq-operands">read as {"; ".join(scaled)}</div>' if scaled else ""
    return ('<div class="rq-computation"><span class="rq-label">Formula</span> '
            f'<code class="rq-formula">{formula}</code> = <strong>{esc(format_number(comp.result))}</strong>'
            f"{tail}{note}</div>")


def conflict_html(answer: Answer, turn: int) -> str:
    """The conflicting values as a small table: value, source, sentence (the value marked in it)."""
    if answer.kind != "conflict":
        return ""
    count = len(answer.citations)
    alt_cites = {a.get("citation") for a in answer.alternatives}
    # The best match is the one citation no alternative claims (qa/choose cites it first).
    best_n = next((i for i in range(1, count + 1) if i not in alt_cites), 1)
    rows = []
    if answer.value is not None and not isinstance(answer.value, list):
        rows.append((format_value(answer.value, answer.scale, answer.unit), best_n, True))
    for alt in answer.alternatives:
        shown = alt.get("text") or format_number(float(alt.get("value", 0)))
        rows.append((str(shown), int(alt.get("citation") or 0), False))
    body = []
    for value, n, best in rows:
        c = answer.citations[n - 1] if 1 <= n <= count else None
        source = (f'{ref_link(turn, n)} {esc(c.title)}<span class="rq-conflict-file"> · {esc(c.file)}'
                  f'{f" · page {esc(c.page)}" if c.page is not None else ""}</span>') if c else ""
        sentence = mark_figures(c.text, figure_spans(answer, n)) if c else ""
        label = ' <span class="rq-best-label">best match</span>' if best else ""
        body.append(f'<tr class="{"rq-best" if best else "rq-alt"}"><td class="rq-alt-value">{esc(value)}{label}</td>'
                    f"<td>{source}</td><td>{sentence}</td></tr>")
    return ('<table class="rq-conflict"><thead><tr><th>value</th><th>source</th><th>sentence</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def is_bare_heading(c: Citation) -> bool:
    """A heading or label alone ('Victims', '2.1 Shelters'): no sentence to show as related."""
    text = c.text.strip()
    return c.cell is None and len(text.split()) <= 8 and not re.search(r"[.!?:;)\"”]$", text)


def turn_answer_html(answer: Answer, turn: int) -> str:
    """The answer line: the figure (a computed one alone: its formula follows once), a
    conflict's best match, or the passage/abstention text."""
    if answer.kind == "computed" and answer.computation is not None and answer.value is not None:
        return f"<strong>{esc(format_value(answer.value, answer.scale, answer.unit))}</strong>"
    if answer.kind == "conflict" and isinstance(answer.value, (int, float)) and answer.citations:
        # The values and their sources are in the table below: say each once.
        return (f"<strong>{esc(format_value(answer.value, answer.scale, answer.unit))}</strong> "
                f"{ref_link(turn, 1)} is the best match; the reports give different figures:")
    return answer_text_html(answer, turn)


def render_turn(answer: Answer, turn: int, receipt_json: str = "") -> str:
    """One question and its answer, with citation cards (or related sentences) and its receipt."""
    parts = [
        f'<div class="rq-turn rq-kind-{esc(answer.kind)}" id="rq-{turn}">',
        f'<div class="rq-question"><span class="rq-label">Q</span> {esc(answer.question)}</div>',
        f'<div class="rq-answer"><span class="rq-badge">{esc(KIND_LABELS.get(answer.kind, answer.kind))}</span> '
        f"{turn_answer_html(answer, turn)}</div>",
        understood_html(answer),
        computation_html(answer, turn),
        conflict_html(answer, turn),
    ]
    if answer.citations:
        marked = _operand_cells(answer)
        cards = "".join(citation_card(c, n, turn, marked=marked, figures=figure_spans(answer, n))
                        for n, c in enumerate(answer.citations, 1))
        parts.append(f'<div class="rq-cards">{cards}</div>')
    if answer.kind == "not_found":
        related = [c for c in answer.related if not is_bare_heading(c)]
        if related:
            cards = "".join(citation_card(c, n, turn, "r") for n, c in enumerate(related, 1))
            parts.append('<div class="rq-related"><div class="rq-related-head">Closest sentences</div>'
                         f'<div class="rq-cards">{cards}</div></div>')
    if receipt_json:
        parts.append(receipt_html(receipt_json, turn))
    parts.append("</div>")
    return "".join(parts)


def receipt_html(receipt_json: str, turn: int) -> str:
    """The turn's receipt, folded, with a copy button (ui/app.py COPY_JS)."""
    return (f'<details class="rq-receipt" id="rq-{turn}-receipt"><summary>Receipt (JSON)</summary>'
            f'<button type="button" class="rq-copy" data-target="rq-{turn}-receipt-json">Copy receipt</button>'
            f'<pre id="rq-{turn}-receipt-json">{esc(receipt_json)}</pre></details>')


def _operand_cells(answer: Answer) -> set[tuple[int, int]]:
    """(row, column) of every table cell a computation used."""
    if answer.computation is None:
        return set()
    out = set()
    for o in answer.computation.operands:
        if 1 <= o.citation <= len(answer.citations):
            cell = answer.citations[o.citation - 1].cell
            if cell is not None:
                out.add((cell.row, cell.column))
    return out


def render_transcript(answers: Sequence[Answer], receipts: Sequence[str] = ()) -> str:
    """The whole conversation, oldest first (a placeholder when it is empty)."""
    if not answers:
        return ('<div class="rq-transcript rq-empty">Ask a question about the reports, e.g. '
                "“How many victims did the authorities rescue?”</div>")
    receipts = list(receipts) + [""] * (len(answers) - len(receipts))
    turns = "".join(render_turn(a, i, r) for i, (a, r) in enumerate(zip(answers, receipts)))
    return f'<div class="rq-transcript">{turns}</div>'
