"""Arithmetic over earlier answers: "What is the difference?", "What share is that of the
total?", "How does that compare with 2021?".

The operands are earlier answers' values; the new answer cites the sentences those
answers cited and shows the formula, so it is grounded like any computed answer. When
an operand is missing (an earlier turn found nothing) the answer says which one.
"""

from __future__ import annotations

import re

from reportqa.models import Answer, Citation, Computation, Operand, Turn, Understood

from qa.conversation_frame import OUTSIDE, Frame, count_word

_SCALES = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}


def _fmt(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _numeric(turn: Turn) -> bool:
    a = turn.answer
    return a.kind != "not_found" and isinstance(a.value, (int, float)) and not isinstance(a.value, bool)


def _label(turn: Turn, n: int) -> str:
    """'2022' when the cited sentence says so (every number shown must be in a citation)."""
    u = turn.understood
    cited = " ".join(c.text for c in turn.answer.citations[:1])
    if u and u.years and all(str(y) in cited for y in u.years):
        return ", ".join(map(str, u.years))
    if u and u.documents and not any(ch.isdigit() for ch in u.documents[0]):
        return u.documents[0]
    return ""


def answer_operation(service, question: str, frame: Frame, turns: list[Turn], filter_ids, resolve) -> Answer:
    """The arithmetic follow-up `frame` computed over earlier turns, or over the last one and
    a new sub-answer for another period or document (`resolve` merges that sub-question)."""
    op = frame.operation
    asked = [t for t in turns if t.understood is not None and t.understood.question]
    previous = asked[-1] if asked else turns[-1]
    numbered = [(i + 1, t) for i, t in enumerate(turns)]
    wants_other = bool(frame.years or frame.relative_year is not None or frame.doc_ids)
    if wants_other and op in ("compare", "change", "difference", "percent_change", "ratio"):
        # "How does that compare with 2021?": the same question for the other period or document.
        if not _numeric(previous):
            return _missing(question, frame, [(turns.index(previous) + 1, previous)])
        bare = Frame(text=frame.text, core=frame.core, measure=[], group=[], years=frame.years,
                     relative_year=frame.relative_year, doc_phrase=frame.doc_phrase, doc_ids=frame.doc_ids)
        res = resolve(bare, previous, filter_ids, service)
        other = service.answer(res.question, res.doc_ids)
        other.understood = Understood(question=res.question, years=_years_of(res.question),
                                      doc_ids=list(res.doc_ids or []))
        other_turn = Turn(question=res.question, understood=other.understood, answer=other)
        if not _numeric(other_turn):
            return _missing(question, frame, [], asked=res.question)
        pair = [(turns.index(previous) + 1, previous), (len(turns) + 1, other_turn)]
        return _compute(service, question, frame, "change" if op == "compare" else op, pair, sub_question=res.question)
    earlier = [(n, t) for n, t in numbered if _numeric(t)]
    stated = [(n, t) for n, t in earlier if t.answer.kind != "computed"]
    need = _how_many(frame.text)
    if len(stated) >= need:
        earlier = stated  # "By what percentage did they grow?" after "What is the difference?"
    if not _numeric(previous):
        return _missing(question, frame, [(len(turns), previous)])
    if len(earlier) < need:
        missing = [(n, t) for n, t in numbered if not _numeric(t)][-1:]
        return _missing(question, frame, missing)
    if op == "ratio":
        # "What share is that of the total?": that = the last figure; a total is at least as
        # large as its parts, so it is the largest earlier figure.
        part = earlier[-1]
        whole = max(earlier[:-1], key=lambda nt: abs(_absolute(nt[1].answer)))
        return _compute(service, question, frame, op, [whole, part])
    return _compute(service, question, frame, op, earlier[-need:])


# "the three groups", "all 4 years": a counting word or a small number (never a year).
_COUNTED = re.compile(r"\b(?:the|all|these|those)\s+([a-z-]+|\d{1,2})\b", re.I)


def _how_many(text: str) -> int:
    """How many earlier figures an operation takes: 'the three groups' -> 3, otherwise 2."""
    counts = [count_word(m.group(1)) for m in _COUNTED.finditer(text)]
    return max(2, next((c for c in counts if c), 2))


def _years_of(text: str) -> list[int]:
    from qa.conversation_frame import extract_frame

    return extract_frame(text).years


def _absolute(a: Answer) -> float:
    return float(a.value) * _SCALES.get(a.scale, 1.0)


def _compute(service, question: str, frame: Frame, op: str, pair: list[tuple[int, Turn]],
             sub_question: str = "") -> Answer:
    """Apply `op` to the answers of `pair` (earlier turn first) and cite their sentences."""
    answers = [t.answer for _, t in pair]
    scales = {a.scale for a in answers}
    same_scale = len(scales) == 1 and "percent" not in scales or scales == {"percent"}
    values = [float(a.value) if same_scale else _absolute(a) for a in answers]
    scale = answers[0].scale if same_scale else ""
    years = [max(t.understood.years) if t.understood and t.understood.years else None for _, t in pair]
    if op in ("change", "percent_change") and all(y is not None for y in years) and years[0] != years[1]:
        order = sorted(range(2), key=lambda i: years[i])  # a change runs from the earlier year to the later
    else:
        order = [0, 1]
    a_i, b_i = order
    citations: list[Citation] = []
    refs: list[int] = []
    for a in answers:
        first = a.citations[0] if a.citations else None
        if first is None:
            refs.append(0)
            continue
        key = (first.doc_id, first.sentence_index)
        found = next((i for i, c in enumerate(citations, 1) if (c.doc_id, c.sentence_index) == key), None)
        if found is None:
            citations.append(first)
            found = len(citations)
        refs.append(found)
    shown = [f"{_fmt(v)} [{r}]" for v, r in zip(values, refs)]
    a_v, b_v = values[a_i], values[b_i]
    if op == "difference":
        hi, lo = (0, 1) if values[0] >= values[1] else (1, 0)
        result, formula = values[hi] - values[lo], f"{shown[hi]} − {shown[lo]}"
    elif op == "change":
        result, formula = b_v - a_v, f"{shown[b_i]} − {shown[a_i]}"
    elif op == "percent_change":
        if a_v == 0:
            return _missing(question, frame, [], reason="the earlier figure is zero")
        result, formula = (b_v - a_v) / a_v * 100, f"({shown[b_i]} − {shown[a_i]}) / {shown[a_i]} × 100"
        scale = "percent"
    elif op == "ratio":
        whole, part = values
        if whole == 0:
            return _missing(question, frame, [], reason="the total is zero")
        result, formula = part / whole * 100, f"{shown[1]} / {shown[0]} × 100"
        scale = "percent"
    elif op == "average":
        result, formula = sum(values) / len(values), f"({' + '.join(shown)}) / {len(values)}"
    else:  # sum
        result, formula = sum(values), " + ".join(shown)
    result = round(result, 4)
    operands = [Operand(value=v, text=_fmt(v), citation=r) for v, r in zip(values, refs) if r]
    named = [(_label(t, n), v, r) for (n, t), v, r in zip(pair, values, refs)]
    labels = "; ".join(f"{lab}: {_fmt(v)} [{r}]" for lab, v, r in named) if all(lab for lab, _, _ in named) else ""
    suffix = "%" if scale == "percent" else ""
    text = f"**{_fmt(result)}{suffix}** = {formula}" + (f" ({labels})" if labels else "")
    turns_used = [n for n, _ in pair]
    first = pair[0][1].understood
    understood = Understood(
        question="", measure=first.measure if first else "", group=first.group if first else "",
        years=sorted({y for y in years if y is not None}), documents=first.documents if first else [],
        doc_ids=first.doc_ids if first else [], operation=op, follow_up=True, from_turn=turns_used[0],
        carried=[f"figures of turns {' and '.join(map(str, turns_used))}" if not sub_question
                 else f"figure of turn {turns_used[0]}; asked “{sub_question}” for the other one"],
    )
    answer = Answer(question=question, text=text, value=result, scale=scale, unit=answers[0].unit,
                    kind="computed", citations=citations, understood=understood,
                    computation=Computation(operation=op, formula=formula, operands=operands, result=result))
    from qa.grounding import grounded_or_abstain

    checked = grounded_or_abstain(answer)
    checked.understood = understood
    return checked


def _missing(question: str, frame: Frame, turns: list[tuple[int, Turn]], asked: str = "", reason: str = "") -> Answer:
    """Not found, saying which earlier figure could not be carried over."""
    notes = [f"the figure of turn {n} (“{t.question}”): "
             + (OUTSIDE if t.answer.text == OUTSIDE else "it was not found") for n, t in turns]
    if asked:
        notes.append(f"a figure for “{asked}”: the reports don't state it")
    if reason:
        notes.append(reason)
    if not notes:
        notes.append("two earlier figures to compute with: the conversation has fewer")
    text = "The reports don't say. Could not carry over " + "; ".join(notes) + "."
    understood = Understood(question="", operation=frame.operation, follow_up=True,
                            from_turn=turns[0][0] if turns else None, not_carried=notes)
    return Answer(question=question, text=text, kind="not_found", understood=understood)
