"""Answers read from a whole passage: years between two events, superlatives, counts, which year."""

from __future__ import annotations

import re

from reportqa.bm25 import STOPWORDS, tokenize
from reportqa.models import Answer, Computation, Operand, Sentence
from reportqa.quantities import UNIT_NOUNS, extract_quantities

from qa.arithmetic import Term, compute
from qa.candidates import Candidate
from qa.cite import Citer
from qa.periods import asked_quarters, quarter_of_sentences
from qa.question import Question, concept_of
from qa.ranking import MIN_MATCH, gather
from qa.reader import Snapshot


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


# What joins the events of "how many years between A and B / after A did B / from A until B".
_EVENT_JOINS = re.compile(r"\b(?:between|after|before|from|until|till|since|and|to|did|when)\b")
_PASSIVE = re.compile(r"\b(?:was|were)\b")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def _event_year(terms: list[str], s: Sentence, years) -> tuple[int, float]:
    """How many of an event's words `s` says, and the year said nearest them (a sentence may
    date several events: "founded in 1998 and merged in 2004")."""
    want = {concept_of(t) for t in terms}
    said = want & {concept_of(t) for t in tokenize(s.text)}
    if not said:
        return 0, years[0].value
    at = [m.start() for m in _WORD.finditer(s.text)
          if any(concept_of(t) in said for t in tokenize(m.group(0)) if not t[0].isdigit())]
    if not at:
        return len(said), years[0].value
    return len(said), min(years, key=lambda y: min(abs(y.start - p) for p in at)).value


def years_between(q: Question, snap: Snapshot, hits, doc_ids) -> Answer | None:
    """'How many years between A and B' / 'after A did B': subtract the years of two events."""
    low = q.text.lower()
    body = re.sub(r"^.*?how many years\s*", "", low)
    # An event may be passive ("after the mill was built was it sold"): its words are tried both
    # split at "was"/"were" and whole, and the reading that says more of a sentence wins.
    pieces = [p.strip(" ?,.") for p in _EVENT_JOINS.split(body)]
    pieces += [w.strip(" ?,.") for p in pieces for w in _PASSIVE.split(p)]
    pieces = [p for p in dict.fromkeys(pieces) if tokenize(p)]
    sentences = _doc_sentences(snap, hits, doc_ids)
    with_years = [(s, [qq for qq in extract_quantities(s.text) if qq.kind == "year"]) for s in sentences]
    with_years = [(s, ys) for s, ys in with_years if ys]
    if not with_years:
        return None
    explicit = [y for y in q.years]
    # Each named event is dated by the sentence saying most of its words; the two events said
    # most fully are the ends of the span (a bare verb like "passed" names no event).
    found = []
    for i, piece in enumerate(pieces):
        terms = [t for t in tokenize(piece) if not t[0].isdigit()]
        if not terms:
            continue
        scored = [(*_event_year(terms, s, ys), -s.index, s) for s, ys in with_years]
        n, year, _, s = max(scored, key=lambda x: (x[0], x[2]))
        if n:
            found.append((n, -i, s, year))
    found.sort(key=lambda f: (f[0], f[1]), reverse=True)
    events: list[tuple[Sentence, float, int]] = []
    for y in explicit:  # a year the question names ("after the 1537 treaty") is one end, cited where said
        said = [s for s, ys in with_years if any(int(v.value) == y for v in ys)]
        if said and len(events) < 2 and all(int(e[1]) != y for e in events):
            events.append((max(said, key=lambda s: (_overlap(tokenize(body), s), -s.index)), y, len(events)))
    for n, _, s, year in found:
        if len(events) == 2:
            break
        if all(int(year) != int(e[1]) for e in events):
            events.append((s, year, len(events)))
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
    terms = []
    for y in (max(a, b), min(a, b)):
        s = ev.get(y)
        if s is None:
            return None  # a year only the question names cannot be cited
        terms.append(Term(value=y, citation=citer.ref(s), text=str(y), year=True))
    done = compute("years_between", terms)
    return Answer(
        question=q.text, text=f"**{done.shown}** years = {done.computation.formula}", value=done.value, kind="computed",
        citations=citer.citations, computation=done.computation,
    )


def _names(q: Question) -> list[str]:
    """Capitalised words in the question after its first word: the agents and places it names."""
    words = [re.sub(r"['’]s$", "", w) for w in re.findall(r"\b[A-Z][a-zA-Z'’.-]+", q.text)[1:]]
    names = [w for w in words if w.lower() not in STOPWORDS and not w.isupper()]
    # The last name written is the most specific ("Kris Brown" is "Brown" in later sentences).
    return names[-1:]


def unit_asked(q: Question) -> str | None:
    """The unit a 'how many <unit>' question measures in ("how many yards" -> yard), from the units lexicon."""
    m = re.search(r"\bhow (?:many|much|long|far)\s+([a-z]+)", q.text.lower())
    if not m:
        return None
    word = m.group(1)
    for form in (word, word[:-1] if word.endswith("s") else word):
        if form in UNIT_NOUNS:
            return form
    return None


def _counted_noun(q: Question) -> list[str]:
    """The words naming what a 'how many' question counts ("how many field goals did ..." -> field, goal)."""
    m = re.search(r"\bhow many\s+((?:[a-z-]+\s+){0,3}?)(?:\b(?:did|do|does|were|was|are|is|had|have|has|in|of|from|by)\b|\?|$)",
                  q.text.lower())
    if not m:
        return []
    return [t for t in tokenize(m.group(1)) if t not in SUPERLATIVES]


SUPERLATIVES = set(tokenize("longest shortest largest smallest highest lowest biggest first last final total"))


def _in_period(sentences: list[Sentence], q: Question) -> list[Sentence]:
    """The sentences narrating the quarter or half the question names (all of them when it names none)."""
    asked = asked_quarters(q.text)
    if not asked:
        return sentences
    periods = quarter_of_sentences(sentences)
    return [s for s in sentences if periods.get(s.node_id) and periods[s.node_id] <= asked]


def superlative(q: Question, snap: Snapshot, hits, doc_ids) -> Answer | None:
    """'How many yards was the longest field goal': the max/min over the passage's figures of one measure."""
    low = q.text.lower()
    want_max = bool(re.search(r"\b(longest|largest|highest|biggest|most|farthest)\b", low))
    want_min = bool(re.search(r"\b(shortest|smallest|lowest|least)\b", low))
    first = bool(re.search(r"\bfirst\b", low)) and not (want_max or want_min)
    last = bool(re.search(r"\b(last|final)\b", low)) and not (want_max or want_min)
    if not (want_max or want_min or first or last):
        return None
    unit = unit_asked(q)
    sentences = _in_period(_doc_sentences(snap, hits, doc_ids), q)
    target = re.search(r"\b(?:longest|shortest|largest|smallest|first|last|final|highest|lowest)\s+((?:[a-z-]+\s?){1,3})", low)
    target_terms = [t for t in tokenize(target.group(1)) if t != unit and t not in STOPWORDS] if target else []
    names = _names(q)

    def collect(strict: bool) -> list[tuple[Sentence, object]]:
        got = []
        for s in sentences:
            if names and not any(n in s.text for n in names):
                continue
            for qq in extract_quantities(s.text):
                if unit and qq.unit.rstrip("s") != unit:
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
    if not found and unit:
        target_terms = []  # "the longest scoring play": what the noun covers is not in the words
        found = collect(strict=False)
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


# "a 53-yard and a 24-yard field goal", "a 5-year and a 10-year bond": two of the noun in one mention.
_COORDINATED = re.compile(r"\d+-[a-z]+\s*(?:,|and|&)\s*(?:an?\s+)?(?=\d+-[a-z]+)", re.I)


# A listed event is introduced one at a time ("a 30-yard field goal", "another interception");
# a plural or definite mention ("the traffickers", "field goals") refers back or generalises.
_SINGLE = frozenset({"a", "an", "another", "one"})


def _event_mentions(text: str, noun: list[str], plural: str | None = None) -> int:
    """Mentions of the counted noun in `text` that introduce one event each; `plural` is the
    noun as the question writes it ("casinos"), which no single event is written as."""
    words = [w.group(0).lower() for w in _WORD.finditer(text)]
    concepts = [next((concept_of(t) for t in tokenize(w)), "") for w in words]
    head = concept_of(noun[-1])
    first = concept_of(noun[-2]) if len(noun) > 1 else None
    k = 0
    for i, c in enumerate(concepts):
        if c != head or (first is not None and (i == 0 or concepts[i - 1] != first)):
            continue
        if plural is not None and words[i] == plural:
            continue  # "a hotspot of casinos": a plural mention is not one event
        start = i - (1 if first is not None else 0)
        lead = words[max(0, start - 4):start]
        det = max((j for j, w in enumerate(lead) if w in _SINGLE), default=None)
        # The article must introduce the noun itself ("a 30-yard field goal"), not a noun the
        # counted one is said of ("a hotspot of casinos").
        if det is not None and not _OF_BETWEEN & set(lead[det + 1:]):
            k += 1
    return k


_OF_BETWEEN = frozenset({"of", "the", "for", "with", "in", "on", "to", "from", "by", "as"})


def count_mentions(q: Question, snap: Snapshot, hits, doc_ids) -> Answer | None:
    """'How many field goals did X kick': the events the passage lists, counted by their head noun
    (and by the agent when the question names one), each one cited."""
    noun = _counted_noun(q)
    if not noun:
        return None
    sentences = _in_period(_doc_sentences(snap, hits, doc_ids), q)
    names = _names(q)
    written = re.search(r"\bhow many\s+(?:[a-z-]+\s+){0,3}?([a-z-]+s)\b", q.text.lower())
    plural = written.group(1) if written else None
    counted: list[Sentence] = []
    total = 0
    for s in sentences:
        if names and not any(n in s.text for n in names):
            continue
        k = _event_mentions(s.text, noun, plural)
        if k:
            k += len(_COORDINATED.findall(s.text))
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
    sign = re.search(r"\b(negative|positive)\b", low)
    if sign:
        # "In which year was X negative?": the one year on that side of zero, not the largest figure.
        side = [c for c in best_group if (c.value < 0 if sign.group(1) == "negative" else c.value > 0)]
        if len(side) != 1:
            return None
        win = side[0]
    else:
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
