"""Choosing the answer: rank candidate figures against the question, compute when asked,
show conflicts, and abstain when the reports do not say."""

from __future__ import annotations

import math
import re

from reportqa.bm25 import tokenize
from reportqa.models import Answer, Citation, Sentence
from reportqa.settings import Settings

from qa.candidates import Candidate, sentence_candidates
from qa.cite import cite
from qa.quantities import extract_quantities
from qa.question import MEMBERS, Question, concept_of, parse_question
from qa.reader import Snapshot

MIN_MATCH = 0.45          # share of the question's (idf-weighted) concepts found around a figure
CONFLICT_MARGIN = 1.2
_CHANGE_Q = re.compile(r"\b(increase|decrease|change|grow|growth|grew|decline|rise|rose|fall|fell|drop|higher|lower|more|less)\w*\b", re.I)


# ---- weights ---------------------------------------------------------------------------

def _df(snap: Snapshot, token: str) -> int:
    lex = snap.lexical
    vocab = getattr(lex.retriever, "vocab_dict", None) or {}
    tid = vocab.get(token)
    if tid is None:
        return 0
    indptr = lex.retriever.scores["indptr"]
    return int(indptr[tid + 1] - indptr[tid])


def _doc_concepts(snap: Snapshot, doc_id: str) -> list[set[str]]:
    """Concepts of each sentence of a document, computed once per snapshot."""
    cache = snap.__dict__.setdefault("_concepts", {})
    if doc_id not in cache:
        cache[doc_id] = [_hits(tokenize(s.search_text)) for s in snap.doc_sentences.get(doc_id, [])]
    return cache[doc_id]


def concept_weights(q: Question, snap: Snapshot, doc_id: str | None = None) -> dict[str, float]:
    """IDF weight per question concept: rare words say more about the target than common ones.

    When the question is about one document, rarity inside that document counts as much as
    rarity in the whole store ("women" is rarer than "victims" in a trafficking report).
    Concepts found nowhere still weigh in, so a question about "convictions" is not answered
    with a figure about arrests.
    """
    n = max(len(snap.sentences), 1)
    doc = _doc_concepts(snap, doc_id) if doc_id else None
    weights: dict[str, float] = {}
    for t in q.terms:
        c = concept_of(t)
        members = MEMBERS.get(c, {t})
        df = max(_df(snap, m) for m in members)
        w = math.log(1 + n / (df + 1))
        if doc:
            ddf = sum(1 for sc in doc if c in sc)
            w = 0.5 * w + 0.5 * math.log(1 + len(doc) / (ddf + 0.5)) * math.log(1 + n) / math.log(1 + len(doc))
        weights[c] = max(weights.get(c, 0.0), w)
    return weights


def _hits(terms: list[str] | set[str]) -> set[str]:
    return {concept_of(t) for t in terms}


def question_numbers(q: Question) -> set[float]:
    """Numbers the question itself states (not years): constraints such as "under 15"."""
    return {x.value for x in extract_quantities(q.text) if x.kind not in ("year", "date")}


def score_candidate(c: Candidate, q: Question, weights: dict[str, float], context_terms: set[str]) -> None:
    """Fill c.match (0..1) and c.score: how well the figure's surroundings fit the question."""
    total = sum(weights.values()) or 1.0
    after, before, sent = _hits(c.after), _hits(c.before), _hits(c.sentence_terms)
    got = 0.0
    local = 0.0
    for concept, w in weights.items():
        if concept in after:
            got += w
            local += w * 1.0
        elif concept in before:
            got += w
            local += w * 0.6
        elif concept in sent:
            got += w * 0.9
        elif concept in context_terms:
            got += w * (0.3 if c.sentence.kind == "table_row" else 0.5)
    c.match = got / total
    score = 2.0 * c.match + 0.8 * (local / total) + 0.5 / (1 + c.rank)
    # The word right after a number names what it counts ("265 women"): when the question
    # asks for that thing, this figure is the one, the rarer the word the surer.
    head = next((concept_of(t) for t in c.after[:2] if concept_of(t) in weights), None)
    if head is not None:
        score += 1.0 * weights[head] / max(weights.values())
    counted = {concept_of(t) for t in c.after[:2]} & set(q.target)
    if q.wants_count and counted:
        # The rarer the counted word, the surer ("female victims": women beats victims).
        top = max(weights.get(t, 0.0) for t in q.target) or 1.0
        score += 1.5 * max(weights.get(t, 0.0) for t in counted) / top  # "how many women ...": a figure that counts women
    if q.predicate:
        pw = sum(weights.get(p, 0.0) for p in q.predicate) or 1.0
        score += 0.6 * sum(weights.get(p, 0.0) for p in set(q.predicate) if p in after) / pw
    kind = c.quantity.kind
    if q.years and not q.wants_year:
        if c.year in q.years:
            score += 0.8
        elif c.year is not None:
            score -= 1.2
        else:
            score -= 0.2
    if q.wants_percent:
        score += 0.6 if kind == "percent" or c.scale == "percent" else -0.6
    elif kind == "percent":
        score -= 0.5
    if q.wants_count and kind == "money":
        score -= 0.6
    if q.wants_money and kind == "money":
        score += 0.3
    qnums = question_numbers(q)
    if qnums:
        # Numeric constraints ("under 15", "between 15 and 17") sit right after the figure.
        tail = re.split(r",\s|;|\.\s", c.sentence.text[c.quantity.end:c.quantity.end + 60], maxsplit=1)[0]
        near = {float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", tail)}
        near |= {float(t) for t in c.after + c.before if t[0].isdigit()}
        score += 1.5 * (len(qnums & near) / len(qnums)) ** 2
    asks_change = bool(_CHANGE_Q.search(q.text))
    if c.is_change:
        score += 0.5 if asks_change else -0.6
    if c.quantity.range_with is not None:
        score -= 0.1
    if c.sentence.kind == "table_row":
        score -= 0.4  # prose states a figure as reported; tables repeat it, often in other units
    c.score = score


# ---- assembling answers ------------------------------------------------------------------

class Citer:
    """Numbers citations in the order they are first used."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self.citations: list[Citation] = []
        self._index: dict[str, int] = {}

    def ref(self, s: Sentence, score: float = 0.0) -> int:
        if s.node_id not in self._index:
            self.citations.append(cite(self.snap, s, score))
            self._index[s.node_id] = len(self.citations)
        return self._index[s.node_id]


def fmt(x: float) -> str:
    """A computed number for people: thousands separators, at most 2 decimals."""
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _scale_of(c: Candidate) -> str:
    return c.scale or c.quantity.scale


def not_found(q: Question, snap: Snapshot, hits, reason: str) -> Answer:
    citer = Citer(snap)
    related = [cite(snap, s, score) for s, score in hits[:3]]
    del citer
    return Answer(question=q.text, text=f"The reports don't say. {reason}".strip(), kind="not_found", related=related)


def figure_answer(q: Question, snap: Snapshot, best: Candidate, rivals: list[Candidate]) -> Answer:
    citer = Citer(snap)
    n = citer.ref(best.sentence, best.retrieval)
    value = best.value
    text = f"**{best.mention}** [{n}] — “{best.sentence.text.strip()}”"
    ans = Answer(
        question=q.text, text=text, value=value, unit=best.quantity.unit, scale=_scale_of(best), kind="figure",
    )
    conflicting = [r for r in rivals if abs(r.value - value) > 1e-9]
    if conflicting:
        parts = [f"{best.mention} [{n}]"]
        alts = []
        seen = {value}
        for r in conflicting:
            if r.value in seen:
                continue
            seen.add(r.value)
            m = citer.ref(r.sentence, r.retrieval)
            parts.append(f"{r.mention} [{m}]")
            alts.append({"value": r.value, "text": r.mention, "citation": m})
        ans.kind = "conflict"
        ans.alternatives = alts
        ans.text = "Sources differ: " + "; ".join(parts) + f". Best match: **{best.mention}** [{n}]."
    ans.citations = citer.citations
    return ans


# ---- selection -----------------------------------------------------------------------------

def gather(q: Question, snap: Snapshot, hits: list[tuple[Sentence, float]]) -> list[Candidate]:
    docs = {s.doc_id for s, _ in hits}
    weights = concept_weights(q, snap, next(iter(docs)) if len(docs) == 1 else None)
    qnums = question_numbers(q)
    out: list[Candidate] = []
    for rank, (s, score) in enumerate(hits):
        context = set()
        sents = snap.doc_sentences.get(s.doc_id, [])
        for nb in sents[max(0, s.index - 1): s.index + 2]:
            if nb.paragraph == s.paragraph:
                context.update(_hits(tokenize(nb.text)))
        if s.kind == "table_row":
            # A table is introduced by the text just above it ("Victims of the second set, by age").
            for nb in sents[max(0, s.index - 40): s.index]:
                if nb.kind != "table_row" and s.paragraph - 2 <= nb.paragraph < s.paragraph:
                    context.update(_hits(tokenize(nb.text)))
        for c in sentence_candidates(s, rank, score):
            if c.quantity.kind == "year" and not q.wants_year:
                continue
            if c.value in qnums and q.operation == "figure":
                continue  # the question's own number is a constraint, not the answer
            score_candidate(c, q, weights, context)
            out.append(c)
    out.sort(key=lambda c: -c.score)
    return out


def pick_figure(q: Question, cands: list[Candidate]) -> tuple[Candidate | None, list[Candidate]]:
    """The best figure and any rivals stating a different value for the same thing."""
    if q.wants_year:
        years = [c for c in cands if c.quantity.kind == "year"]
        cands = years or cands
    # Only figures whose surroundings carry the question count; among those, the best score.
    cands = [c for c in cands if c.match >= MIN_MATCH]
    if not cands:
        return None, []
    best = cands[0]
    head = _head(best)
    rivals = [
        c for c in cands[1:]
        if c.sentence.node_id != best.sentence.node_id
        and c.score >= best.score - CONFLICT_MARGIN
        and c.match >= best.match - 0.02
        and c.quantity.kind == best.quantity.kind
        and (c.year == best.year or (c.year is None and best.year in q.years))
        and head is not None and _head(c) == head
        and c.is_change == best.is_change
        and _scale_of(c) == _scale_of(best)
    ]
    return best, rivals


def _head(c: Candidate) -> str | None:
    """What a figure counts: the first word after it ("358 victims" -> victims)."""
    return concept_of(c.after[0]) if c.after else None


def _heads(c: Candidate) -> set[str]:
    """The first words after a figure, where its noun is ("38 rescued victims" -> rescued, victims)."""
    return {concept_of(t) for t in c.after[:2]}


def per_year(q: Question, cands: list[Candidate]) -> dict[int, Candidate]:
    """Best candidate for each year the question names."""
    out: dict[int, Candidate] = {}
    for y in dict.fromkeys(q.years):
        for c in cands:
            if c.year == y and c.quantity.kind != "year":
                out[y] = c
                break
    return out


def choose_answer(question: str, snap: Snapshot, retriever, doc_ids: list[str] | None,
                  settings: Settings) -> Answer:
    """The Answer for a cleaned question over one snapshot of the store."""
    from qa import compute

    q = parse_question(question)
    hits = retriever.search(question, snap, doc_ids, k=settings.top_k)
    if not hits:
        return Answer(question=question, text="The reports don't say: no document matches this question.",
                      kind="not_found")
    if q.years and not q.wants_year:
        mentioned = any(str(y) in s.text or str(y) in s.search_text for y in q.years for s, _ in hits)
        if not mentioned:
            years = ", ".join(str(y) for y in q.years)
            return not_found(q, snap, hits, f"Nothing retrieved mentions {years}; closest sentences are listed.")
    if not q.wants_number:
        return passage_answer(q, snap, hits)
    special = compute.try_operation(q, snap, hits, doc_ids)
    if special is not None:
        return special
    cands = gather(q, snap, hits)
    if q.wants_years_list:
        listed = years_list(q, snap, cands)
        if listed is not None:
            return listed
    if len(set(q.years)) >= 2 and (q.respectively or q.listed_years) and q.operation == "figure":
        picks = per_year_same_sentence(q, cands) or list(per_year(q, cands).values())
        if len(picks) == len(set(q.years)) and all(c.match >= MIN_MATCH for c in picks):
            return list_answer(q, snap, picks)
    if q.respectively and not q.years:
        listed = respectively_list(q, snap, cands)
        if listed is not None:
            return listed
    if q.wants_count and q.target and not re.search(r"\bhow many (yards|years|points|percent)", q.text.lower()):
        # A count must count the asked thing ("two interceptions"); a "19-yard touchdown pass"
        # is one touchdown pass, so narratives are counted mention by mention instead.
        counts = [c for c in cands if _heads(c) & set(q.target) and c.quantity.unit != "yard"
                  and c.quantity.kind == "number"]
        if not counts:
            counted = compute.count_mentions(q, snap, hits, doc_ids)
            if counted is not None:
                return counted
    best, rivals = pick_figure(q, cands)
    if best is None or best.match < MIN_MATCH:
        return not_found(q, snap, hits, "No sentence states this figure; closest sentences are listed.")
    return figure_answer(q, snap, best, rivals)


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
    n = len(re.split(r",\s*|\s+and\s+", m.group(1)))
    best = cands[0]
    same = [c for c in cands if c.sentence.node_id == best.sentence.node_id and c.quantity.kind == best.quantity.kind]
    same.sort(key=lambda c: c.quantity.start)
    start = next(i for i, c in enumerate(same) if c is best)
    picks = same[start:start + n]
    if len(picks) != n or n < 2:
        return None
    citer = Citer(snap)
    k = citer.ref(best.sentence, best.retrieval)
    text = "; ".join(f"**{c.mention}**" for c in picks) + f" [{k}]"
    return Answer(question=q.text, text=text, value=[c.value for c in picks], scale=_scale_of(best),
                  unit=best.quantity.unit, kind="figure", citations=citer.citations)


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
    return Answer(question=q.text, text=", ".join(f"**{fmt(y)}**" for y in found) + f" [{k}]",
                  value=list(found), kind="figure", citations=citer.citations)


def list_answer(q: Question, snap: Snapshot, picks: list[Candidate]) -> Answer:
    citer = Citer(snap)
    parts = []
    for c in picks:
        n = citer.ref(c.sentence, c.retrieval)
        parts.append(f"{c.year}: **{c.mention}** [{n}]")
    return Answer(
        question=q.text, text="; ".join(parts), value=[c.value for c in picks], scale=_scale_of(picks[0]),
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
