"""Answers read from a whole passage: years between two events, superlatives, counts, which year."""

from __future__ import annotations

import re

from reportqa.bm25 import tokenize
from reportqa.models import Answer, Computation, Operand, Sentence
from reportqa.quantities import extract_quantities

from qa.candidates import Candidate
from qa.cite import Citer
from qa.question import Question, concept_of
from qa.ranking import MIN_MATCH, gather
from qa.reader import Snapshot


_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th) quarter\b|\bovertime\b|\b(first|second) half\b", re.I)


_QUARTER_NUM = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _doc_sentences(snap: Snapshot, hits, doc_ids) -> list[Sentence]:
    """The whole passage when the question is about one document, else the retrieved sentences."""
    if doc_ids and len(doc_ids) == 1:
        return snap.doc_sentences.get(doc_ids[0], [])
    docs = {s.doc_id for s, _ in hits}
    if len(docs) == 1:
        return snap.doc_sentences.get(next(iter(docs)), [])
    return [s for s, _ in hits]


def _overlap(part_terms: list[str], s: Sentence) -> float:
    want = {concept_of(t) for t in part_terms}
    if not want:
        return 0.0
    have = {concept_of(t) for t in tokenize(s.text)}
    return len(want & have) / len(want)


def years_between(q: Question, snap: Snapshot, hits, doc_ids) -> Answer | None:
    """'How many years between A and B' / 'after A did B': subtract the years of two events."""
    low = q.text.lower()
    body = re.sub(r"^.*?how many years\s*", "", low)
    pieces = [p for p in re.split(r"\b(?:between|after|before|from|until|till|since|and|to|did|was|were|when|the)\b", body)]
    pieces = [p.strip(" ?,.") for p in pieces if len(tokenize(p)) >= 1]
    sentences = _doc_sentences(snap, hits, doc_ids)
    with_years = [(s, [qq for qq in extract_quantities(s.text) if qq.kind == "year"]) for s in sentences]
    with_years = [(s, ys) for s, ys in with_years if ys]
    if not with_years:
        return None
    explicit = [y for y in q.years]
    events: list[tuple[Sentence, float, int]] = []
    for piece in pieces[:3]:
        terms = tokenize(piece)
        if not terms:
            continue
        best = max(with_years, key=lambda sy: (_overlap(terms, sy[0]), -sy[0].index))
        if _overlap(terms, best[0]) == 0:
            continue
        events.append((best[0], best[1][0].value, len(events)))
    years = [int(e[1]) for e in events]
    for y in explicit:
        if y not in years:
            years.append(y)
            events.append((None, y, len(events)))
    distinct = list(dict.fromkeys(years))
    if len(distinct) < 2:
        # One sentence may hold both years ("from 1520 to 1540").
        s, ys = max(with_years, key=lambda sy: (_overlap(tokenize(body), sy[0]), len(sy[1])))
        vals = list(dict.fromkeys(int(y.value) for y in ys))
        if len(vals) < 2:
            return None
        events = [(s, vals[0], 0), (s, vals[1], 1)]
        distinct = vals[:2]
    a, b = distinct[0], distinct[1]
    ev = {int(e[1]): e[0] for e in events}
    citer = Citer(snap)
    operands = []
    for y in (max(a, b), min(a, b)):
        s = ev.get(y)
        if s is None:
            return None  # a year only the question names cannot be cited
        operands.append(Operand(value=y, text=str(y), citation=citer.ref(s)))
    result = abs(a - b)
    formula = f"{operands[0].value:.0f} [{operands[0].citation}] − {operands[1].value:.0f} [{operands[1].citation}]"
    return Answer(
        question=q.text, text=f"**{result}** years = {formula}", value=float(result), kind="computed",
        citations=citer.citations,
        computation=Computation(operation="years_between", formula=formula, operands=operands, result=result),
    )


def _quarter_map(sentences: list[Sentence]) -> dict[str, int]:
    """Which quarter of a game each sentence narrates (0 = unknown), carried forward."""
    out, current = {}, 0
    for s in sentences:
        m = _QUARTER.search(s.text)
        if m:
            word = (m.group(1) or m.group(2) or "").lower()
            if "overtime" in m.group(0).lower():
                current = 5
            elif "half" in m.group(0).lower():
                current = 1 if word == "first" else 3
            else:
                current = _QUARTER_NUM.get(word, current)
        out[s.node_id] = current
    return out


def _quarter_filter(q: Question) -> set[int] | None:
    low = q.text.lower()
    m = _QUARTER.search(low)
    if not m:
        return None
    if "overtime" in m.group(0):
        return {5}
    if "half" in m.group(0):
        return {1, 2} if (m.group(2) or "") == "first" else {3, 4}
    return {_QUARTER_NUM[m.group(1)]}


def _names(q: Question) -> list[str]:
    """Capitalised words in the question after its first word: players, teams, places."""
    words = [re.sub(r"['’]s$", "", w) for w in re.findall(r"\b[A-Z][a-zA-Z'’.-]+", q.text)[1:]]
    return [w for w in words if w.lower() not in {"how", "what", "which", "who", "the", "in", "of", "td", "tds"}]


def _noun_after_how_many(q: Question) -> list[str]:
    m = re.search(r"how many (?:yards|points)?\s*(?:was|were|did|is)?\s*(?:the\s+)?((?:\w+[ -]?){1,3})", q.text.lower())
    if not m:
        return []
    return [t for t in tokenize(m.group(1)) if t not in {"longest", "shortest", "first", "last", "total"}]


def superlative(q: Question, snap: Snapshot, hits, doc_ids) -> Answer | None:
    """'How many yards was the longest field goal': the max/min over the passage's matching figures."""
    low = q.text.lower()
    want_max = bool(re.search(r"\b(longest|largest|highest|biggest|most|farthest)\b", low))
    want_min = bool(re.search(r"\b(shortest|smallest|lowest|least)\b", low))
    first = bool(re.search(r"\bfirst\b", low)) and not (want_max or want_min)
    last = bool(re.search(r"\b(last|final)\b", low)) and not (want_max or want_min)
    if not (want_max or want_min or first or last):
        return None
    sentences = _doc_sentences(snap, hits, doc_ids)
    unit = "yard" if "yard" in low else None
    target = re.search(r"\b(?:longest|shortest|largest|smallest|first|last|final|highest|lowest)\s+((?:[a-z-]+\s?){1,3})", low)
    target_terms = [t for t in tokenize(target.group(1)) if t not in {"yard", "of", "the", "game"}] if target else []
    quarters = _quarter_filter(q)
    qmap = _quarter_map(sentences) if quarters else {}
    names = _names(q)
    if set(target_terms) <= set(tokenize("scoring play plays score scores")):
        target_terms = []  # "the longest scoring play": any touchdown or field goal

    def collect(strict: bool) -> list[tuple[Sentence, object]]:
        got = []
        for s in sentences:
            if quarters and qmap.get(s.node_id) not in quarters:
                continue
            if names and not any(n in s.text for n in names):
                continue
            for qq in extract_quantities(s.text):
                if unit and qq.unit != unit:
                    continue
                if not unit and qq.kind in ("year", "date", "label", "ordinal"):
                    continue
                after_terms = {concept_of(t) for t in tokenize(s.text[qq.end:qq.end + 40])[:4]}
                wanted = {concept_of(t) for t in target_terms[:2]}
                if wanted and not (wanted <= after_terms if strict else wanted & after_terms):
                    continue
                got.append((s, qq))
        return got

    found = collect(strict=True) or collect(strict=False)
    if not found:
        return None
    if want_max:
        s, qq = max(found, key=lambda f: f[1].value)
    elif want_min:
        s, qq = min(found, key=lambda f: f[1].value)
    elif first:
        s, qq = found[0]
    else:
        s, qq = found[-1]
    citer = Citer(snap)
    n = citer.ref(s)
    word = "longest" if want_max else "shortest" if want_min else "first" if first else "last"
    others = ", ".join(f"{f[1].text} [{citer.ref(f[0])}]" for f in found[:8] if f[1] is not qq)
    text = f"**{qq.text}** [{n}] — the {word} of the matching figures" + (f"; the others: {others}" if others else "")
    return Answer(question=q.text, text=text, value=qq.value, unit=qq.unit, kind="figure", citations=citer.citations)


def count_mentions(q: Question, snap: Snapshot, hits, doc_ids) -> Answer | None:
    """'How many field goals did X kick': count the passage's mentions, each one cited."""
    noun = _noun_after_how_many(q)
    if not noun:
        return None
    head = concept_of(noun[0])
    sentences = _doc_sentences(snap, hits, doc_ids)
    quarters = _quarter_filter(q)
    qmap = _quarter_map(sentences) if quarters else {}
    names = _names(q)
    low = q.text.lower()
    # A specific action in the question ("miss", "block") must be in the counted sentence.
    actions = [v for v in ("miss", "block", "return", "fumbl", "sack", "recover") if re.search(rf"\b{v}", low)]
    counted: list[Sentence] = []
    total = 0
    for s in sentences:
        if quarters and qmap.get(s.node_id) not in quarters:
            continue
        if names and not any(n in s.text for n in names):
            continue
        if actions and not all(re.search(rf"\b{v}", s.text.lower()) for v in actions):
            continue
        toks = [concept_of(t) for t in tokenize(s.text)]
        k = toks.count(head)
        if len(noun) > 1:
            nxt = concept_of(noun[1])
            k = sum(1 for i in range(len(toks) - 1) if toks[i] == head and toks[i + 1] == nxt)
        if k:
            # "a 53-yard and a 24-yard field goal" is two field goals in one mention.
            k += len(re.findall(r"\d+-yard(?:er)?\s*(?:,|and|&)\s*(?:an?\s+)?(?=\d+-yard)", s.text))
            total += k
            counted.append(s)
    if not total:
        return None
    citer = Citer(snap)
    refs = [citer.ref(s) for s in counted]
    text = f"**{total}** — counted in " + ", ".join(f"[{r}]" for r in refs)
    return Answer(
        question=q.text, text=text, value=float(total), kind="computed", citations=citer.citations,
        computation=Computation(operation="count", formula=" + ".join(f"1 [{r}]" for r in refs) if total == len(refs)
                                else f"{total} mentions in " + ", ".join(f"[{r}]" for r in refs),
                                operands=[], result=float(total)),
    )


def which_year(q: Question, snap: Snapshot, hits) -> Answer | None:
    """'In which year was X larger?': compare the measure's values year by year."""
    low = q.text.lower()
    want_max = not re.search(r"\b(smaller|smallest|lower|lowest|less|least|fewer|fewest)\b", low)
    cands = [c for c in gather(q, snap, hits) if c.quantity.kind != "year" and c.year is not None and not c.is_change]
    by_sentence: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.match >= MIN_MATCH:
            by_sentence.setdefault(c.sentence.node_id, []).append(c)
    best_group = None
    for c in cands:
        group = by_sentence.get(c.sentence.node_id, [])
        per = {}
        for g in group:
            if g.quantity.kind == c.quantity.kind:
                per.setdefault(g.year, g)
        if len(per) >= 2:
            best_group = list(per.values())
            break
    if not best_group:
        return None
    win = (max if want_max else min)(best_group, key=lambda c: c.value)
    citer = Citer(snap)
    k = citer.ref(win.sentence, win.retrieval)
    rel = " > " if want_max else " < "
    ordered = sorted(best_group, key=lambda c: c.value, reverse=want_max)
    formula = rel.join(f"{c.mention} ({c.year})" for c in ordered)
    return Answer(
        question=q.text, text=f"**{win.year}** [{k}]: {formula}", value=float(win.year), kind="computed",
        citations=citer.citations,
        computation=Computation(operation="compare", formula=formula,
                                operands=[Operand(value=c.value, text=c.mention, citation=k) for c in ordered],
                                result=float(win.year)),
    )
