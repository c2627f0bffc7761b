"""Arithmetic over earlier answers: "What is the difference?", "What share is that of the
total?", "How does that compare with 2021?".

The operands are earlier answers' values; the new answer cites the sentences those
answers cited and shows the formula, so it is grounded like any computed answer. When
an operand is missing (an earlier turn found nothing) the answer says which one.
"""

from __future__ import annotations

import re

from reportqa.models import Answer, Citation, Turn, Understood
from reportqa.numbers import format_number

from qa.arithmetic import SCALE_FACTORS, Term, common_scale, compute
from qa.conversation_frame import OUTSIDE, Frame, count_word



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
    return float(a.value) * SCALE_FACTORS.get(a.scale, 1.0)


def _compute(service, question: str, frame: Frame, op: str, pair: list[tuple[int, Turn]],
             sub_question: str = "") -> Answer:
    """Apply `op` to the answers of `pair` (earlier turn first) and cite their sentences."""
    answers = [t.answer for _, t in pair]
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
    terms = [Term(value=float(a.value), citation=r, scale=a.scale, percent=a.scale == "percent", unit=a.unit)
             for a, r in zip(answers, refs)]
    values, _ = common_scale(terms)  # as the formula shows them: absolute when the scales differ
    if op == "difference":  # a gap between two answers: the larger less the smaller
        hi, lo = (0, 1) if values[0] >= values[1] else (1, 0)
        picked, operation = [terms[hi], terms[lo]], "difference"
    elif op in ("change", "percent_change"):  # the later against the earlier
        picked, operation = [terms[b_i], terms[a_i]], op
    elif op == "ratio":  # the later answer is the part of the earlier whole
        picked, operation = [terms[1], terms[0]], "share"
    else:
        picked, operation = terms, "average" if op == "average" else "sum"
    done = compute(operation, picked)
    if done is None:
        return _missing(question, frame, [], reason="the earlier figure is zero" if op == "percent_change"
                        else "the total is zero")
    # An earlier answer without a citation shows in the formula but is no cited operand.
    comp = done.computation.model_copy(update={"operands": [o for o in done.computation.operands if o.citation]})
    named = [(_label(t, n), v, r) for (n, t), v, r in zip(pair, values, refs)]
    labels = "; ".join(f"{lab}: {format_number(v)} [{r}]" for lab, v, r in named) if all(lab for lab, _, _ in named) else ""
    text = f"**{done.shown}** = {comp.formula}" + (f" ({labels})" if labels else "")
    turns_used = [n for n, _ in pair]
    first = pair[0][1].understood
    understood = Understood(
        question="", measure=first.measure if first else "", group=first.group if first else "",
        years=sorted({y for y in years if y is not None}), documents=first.documents if first else [],
        doc_ids=first.doc_ids if first else [], operation=op, follow_up=True, from_turn=turns_used[0],
        carried=[f"figures of turns {' and '.join(map(str, turns_used))}" if not sub_question
                 else f"figure of turn {turns_used[0]}; asked “{sub_question}” for the other one"],
    )
    answer = Answer(question=question, text=text, value=comp.result, scale=done.scale, unit=answers[0].unit,
                    kind="computed", citations=citations, understood=understood, computation=comp)
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
