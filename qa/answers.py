"""Assembling answers from chosen figures: a figure with its rivals, a computation over cited
figures, lists, passages, abstentions."""

from __future__ import annotations

import re
from dataclasses import replace

from reportqa.models import Answer
from reportqa.numbers import format_number

from qa.arithmetic import Term, compute
from qa.attribution import source_of
from qa.candidates import Candidate
from qa.cite import Citer, cite
from qa.listed import item_figures, listed_items
from qa.question import Question
from qa.ranking import MIN_MATCH, scale_of
from qa.reader import Snapshot


def not_found(q: Question, snap: Snapshot, hits, reason: str) -> Answer:
    citer = Citer(snap)
    related = [cite(snap, s, score) for s, score in hits[:3]]
    del citer
    return Answer(question=q.text, text=f"The reports don't say. {reason}".strip(), kind="not_found", related=related)


def candidate_term(c: Candidate, citation: int) -> Term:
    """A cited figure as an operand of the arithmetic (a percentage by its kind or its scale)."""
    percent = c.quantity.kind == "percent" or scale_of(c) == "percent"
    return Term(value=c.value, citation=citation, text=c.mention, scale="percent" if percent else scale_of(c),
                percent=percent, unit=c.quantity.unit)


def computed_answer(q: Question, snap: Snapshot, operation: str, picks: list[Candidate],
                    labels: list[str] | None = None, said: str = "") -> Answer | None:
    """The answer `operation` (one of qa.arithmetic's) computes over `picks`, each cited: the
    formula, then each operand with its label ("2021: 3,215 [1]") or, without labels, what the
    computation is (`said`) and each operand as written. A ratio asked as a percentage is a share.
    None when the operation has no result (a zero base, parts larger than their whole)."""
    if operation == "ratio" and q.wants_percent:
        operation = "share"
    citer = Citer(snap)
    done = compute(operation, [candidate_term(c, citer.ref(c.sentence, c.retrieval)) for c in picks])
    if done is None:
        return None
    comp = done.computation
    if labels is not None:
        explained = f" ({', '.join(f'{lab}: {c.mention} [{o.citation}]' for lab, c, o in zip(labels, picks, comp.operands))})"
    else:
        explained = f", {said} ({', '.join(f'“{c.mention}” [{o.citation}]' for c, o in zip(picks, comp.operands))})"
    return Answer(question=q.text, text=f"**{done.shown}** = {comp.formula}{explained}", value=comp.result,
                  scale=done.scale, unit=done.unit, kind="computed", citations=citer.citations, computation=comp)


_UPPER = re.compile(r"\b(upper|high-end|highest|maximum|at most|top)\b", re.I)
_LOWER = re.compile(r"\b(lower|low-end|lowest|minimum|at least|bottom)\b", re.I)


def _range_of(best: Candidate) -> tuple[float, float, int, int] | None:
    """(low, high, start, end) when the figure is one end of a stated range ("90,000-120,000")."""
    qq = best.quantity
    if qq.range_with is not None:
        return qq.value, qq.range_with, qq.start, next(
            (o.end for o in best.sentence_quantities if o.start > qq.end and o.value == qq.range_with), qq.end)
    low = next((o for o in best.sentence_quantities if o.range_with == qq.value and o.end <= qq.start
                and qq.start - o.end <= 5), None)  # "-", " to ", " and "
    return (low.value, qq.value, low.start, qq.end) if low is not None else None


def range_end(q: Question, c: Candidate) -> Candidate:
    """The end a question asks for ("the Port Authority's lower estimate") of the range `c` is one end of;
    `c` itself when it is no range's end or the question asks for no end or for both."""
    upper, lower = bool(_UPPER.search(q.text)), bool(_LOWER.search(q.text))
    span = _range_of(c) if c.sentence.kind != "table_row" and upper != lower else None
    if span is None:
        return c
    want = span[1] if upper else span[0]
    end = next((o for o in c.sentence_quantities if o.value == want and span[2] <= o.start < span[3]), None)
    return replace(c, quantity=end) if end is not None and end is not c.quantity else c


def _rival_ranges(rivals: list[Candidate], own: tuple[int, str]) -> list[tuple[Candidate, tuple]]:
    """The ranges rivals state (each once), other than the best figure's own."""
    out, seen = [], {own}
    for r in rivals:
        span = _range_of(r)
        if span is not None and (span[2], r.sentence.node_id) not in seen:
            seen.add((span[2], r.sentence.node_id))
            out.append((r, span))
    return out


def _said_by(c: Candidate) -> str:
    """ " (the ministry of labour)" when the figure's sentence says whose it is."""
    source = source_of(c)
    return f" ({source})" if source else ""


def figure_answer(q: Question, snap: Snapshot, best: Candidate, rivals: list[Candidate]) -> Answer:
    """A stated figure with its sentence; both ends of a stated range; rivals as a conflict."""
    span = _range_of(best) if best.sentence.kind != "table_row" else None
    if span is not None and not (_UPPER.search(q.text) and _LOWER.search(q.text)):
        lo, hi, start, end = span
        citer = Citer(snap)
        n = citer.ref(best.sentence, best.retrieval)
        shown = best.sentence.text[start:end]
        if _UPPER.search(q.text) or _LOWER.search(q.text):
            value = hi if _UPPER.search(q.text) else lo
            text = f"**{format_number(value)}** [{n}] — the {'upper' if value == hi else 'lower'} end of {shown}: “{best.sentence.text.strip()}”"
        else:
            value = [lo, hi]
            text = f"**{shown}** [{n}] — “{best.sentence.text.strip()}”"
            other = _rival_ranges(rivals, (start, best.sentence.node_id))
            if other:
                # Two bodies' ranges for one figure: every range, with whose it is.
                parts, alts = [f"{shown} [{n}]{_said_by(best)}"], []
                for r, (rlo, rhi, rs, re_) in other:
                    m = citer.ref(r.sentence, r.retrieval)
                    parts.append(f"{r.sentence.text[rs:re_]} [{m}]{_said_by(r)}")
                    alts.append({"value": [rlo, rhi], "text": r.sentence.text[rs:re_], "citation": m})
                return Answer(question=q.text, text="Sources differ: " + "; ".join(parts) + f". Best match: **{shown}** [{n}].",
                              value=value, unit=best.quantity.unit, scale=scale_of(best), kind="conflict",
                              alternatives=alts, citations=citer.citations)
        return Answer(question=q.text, text=text, value=value, unit=best.quantity.unit, scale=scale_of(best),
                      kind="figure", citations=citer.citations)
    groups = _by_value([best] + rivals)
    if len(groups) > 1:
        return _conflict(q, snap, groups)
    citer = Citer(snap)
    n = citer.ref(best.sentence, best.retrieval)
    text = f"**{best.mention}** [{n}] — “{best.sentence.text.strip()}”"
    return Answer(question=q.text, text=text, value=best.value, unit=best.quantity.unit, scale=scale_of(best),
                  kind="figure", citations=citer.citations)


def _by_value(cands: list[Candidate]) -> list[list[Candidate]]:
    """The figures grouped by the value they state, each group best first, the groups ordered by
    how many reports state the value (ties: the best figure first). Within one report every
    value has one report behind it, so the best figure stays first."""
    groups: dict[float, list[Candidate]] = {}
    for c in cands:
        groups.setdefault(next((v for v in groups if abs(v - c.value) <= 1e-9), c.value), []).append(c)
    ordered = list(groups.values())
    return sorted(ordered, key=lambda g: -len({c.sentence.doc_id for c in g}))  # stable: score order holds


def _conflict(q: Question, snap: Snapshot, groups: list[list[Candidate]]) -> Answer:
    """Every distinct value with each sentence (one per report) that states it: "358 [1][2]; 225 [3]"."""
    citer = Citer(snap)
    parts, alts, first = [], [], None
    for g in groups:
        seen, refs, said = set(), [], []
        for c in g:
            if c.sentence.doc_id not in seen:
                seen.add(c.sentence.doc_id)
                refs.append(citer.ref(c.sentence, c.retrieval))
                said.append(f"[{refs[-1]}]{_said_by(c)}")
        head = g[0]
        parts.append(f"{head.mention} " + ", ".join(said))
        if first is None:
            first = (head, refs[0])
        else:
            alts.append({"value": head.value, "text": head.mention, "citation": refs[0]})
    best, n = first
    lead = "Most reports give" if len({c.sentence.doc_id for c in groups[0]}) > 1 else "Best match"
    return Answer(question=q.text, value=best.value, unit=best.quantity.unit, scale=scale_of(best), kind="conflict",
                  text="Sources differ: " + "; ".join(parts) + f". {lead}: **{best.mention}** [{n}].",
                  alternatives=alts, citations=citer.citations)


def per_year_same_sentence(q: Question, cands: list[Candidate]) -> list[Candidate] | None:
    """One value per asked year, all from the one sentence that states them together."""
    years = list(dict.fromkeys(q.years))
    best, best_score = None, None
    by_sentence: dict[str, list[Candidate]] = {}
    for c in cands:
        by_sentence.setdefault(c.sentence.node_id, []).append(c)
    for group in by_sentence.values():
        picks = []
        for y in years:
            match = [c for c in group if c.year == y and c.quantity.kind != "year" and c.match >= MIN_MATCH]
            if not match:
                break
            picks.append(match[0])
        else:
            total = sum(c.score for c in picks)
            if best_score is None or total > best_score:
                best, best_score = picks, total
    return best


def respectively_list(q: Question, snap: Snapshot, cands: list[Candidate]) -> Answer | None:
    """'What were the federal, state and foreign credits, respectively?': the sentence's list, in order."""
    m = re.search(r"\b((?:[\w-]+\s*,\s*)+[\w-]+,?\s+and\s+[\w-]+|[\w-]+\s+and\s+[\w-]+)\b", q.text)
    if not m or not cands or cands[0].match < MIN_MATCH:
        return None
    # Each named thing by the words beside its own figure ("20% were black, 18% were Hispanic");
    # failing that, the figures in the order the best sentence lists them.
    picks = item_figures(listed_items(q), cands)
    if picks is None:
        n = len(re.split(r",\s*|\s+and\s+", m.group(1)))
        best = cands[0]
        same = [c for c in cands if c.sentence.node_id == best.sentence.node_id and c.quantity.kind == best.quantity.kind]
        same.sort(key=lambda c: c.quantity.start)
        start = next(i for i, c in enumerate(same) if c is best)
        picks = same[start:start + n]
        if len(picks) != n or n < 2:
            return None
    citer = Citer(snap)
    refs = [citer.ref(c.sentence, c.retrieval) for c in picks]
    text = "; ".join(f"**{c.mention}** [{k}]" for c, k in zip(picks, refs))
    return Answer(question=q.text, text=text, value=[c.value for c in picks], scale=scale_of(picks[0]),
                  unit=picks[0].quantity.unit, kind="figure", citations=citer.citations)


def years_list(q: Question, snap: Snapshot, cands: list[Candidate]) -> Answer | None:
    """'In which years was X reported?': the years of the best-matching sentence."""
    years = [c for c in cands if c.quantity.kind == "year" and c.match >= MIN_MATCH]
    if not years:
        return None
    sentence = years[0].sentence
    found = sorted({c.value for c in cands if c.quantity.kind == "year" and c.sentence.node_id == sentence.node_id},
                   reverse=True)
    citer = Citer(snap)
    k = citer.ref(sentence, years[0].retrieval)
    return Answer(question=q.text, text=", ".join(f"**{format_number(y)}**" for y in found) + f" [{k}]",
                  value=list(found), kind="figure", citations=citer.citations)


def list_answer(q: Question, snap: Snapshot, picks: list[Candidate]) -> Answer:
    citer = Citer(snap)
    parts = []
    for c in picks:
        n = citer.ref(c.sentence, c.retrieval)
        parts.append(f"{c.year}: **{c.mention}** [{n}]")
    return Answer(
        question=q.text, text="; ".join(parts), value=[c.value for c in picks], scale=scale_of(picks[0]),
        unit=picks[0].quantity.unit, kind="figure", citations=citer.citations,
    )


def passage_answer(q: Question, snap: Snapshot, hits) -> Answer:
    """Who/what/why questions: the best sentences, quoted and cited."""
    citer = Citer(snap)
    best = hits[: min(3, len(hits))]
    quoted = []
    for s, score in best:
        n = citer.ref(s, score)
        quoted.append(f"“{s.text.strip()}” [{n}]")
    return Answer(question=q.text, text=" ".join(quoted), kind="passage", citations=citer.citations)
