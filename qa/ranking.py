"""Ranking candidate figures against a question: concept weights, match scores, the best figure and its rivals."""

from __future__ import annotations

import math
import re

from reportqa.bm25 import tokenize
from reportqa.models import Sentence
from reportqa.quantities import extract_quantities

from qa.candidates import Candidate, sentence_candidates, years_in
from qa.question import MEMBERS, Question, concept_of
from qa.reader import Snapshot


MIN_MATCH = 0.45          # share of the question's (idf-weighted) concepts found around a figure


CONFLICT_MARGIN = 1.2
CAPTION_WORDS = 8  # a line this short above a table is its caption, not a paragraph


_BASE_OF = re.compile(r"\b[Oo]f(?: the| all)?\s+$")
_CHANGE_Q = re.compile(r"\b(increase|decrease|change|grow|growth|grew|decline|rise|rose|fall|fell|drop|higher|lower|more|less)\w*\b", re.I)


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
        cache[doc_id] = [concepts_in(tokenize(s.search_text)) for s in snap.doc_sentences.get(doc_id, [])]
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


def concepts_in(terms: list[str] | set[str]) -> set[str]:
    return {concept_of(t) for t in terms}


def question_numbers(q: Question) -> set[float]:
    """Numbers the question itself states (not years): constraints such as "under 15"."""
    return {x.value for x in extract_quantities(q.text) if x.kind not in ("year", "date")}


def score_candidate(c: Candidate, q: Question, weights: dict[str, float], context_terms: set[str]) -> None:
    """Fill c.match (0..1) and c.score: how well the figure's surroundings fit the question."""
    total = sum(weights.values()) or 1.0
    after, before, sent = concepts_in(c.after), concepts_in(c.before), concepts_in(c.sentence_terms)
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
    if q.wants_multiple:
        score += 1.5 if c.quantity.unit == "fold" else -1.0
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
    if _BASE_OF.search(c.sentence.text[max(0, c.quantity.start - 8):c.quantity.start]) and \
            any(o.start > c.quantity.end and o.kind == c.quantity.kind for o in c.sentence_quantities):
        # "Of the 1,200 crew interviewed, 300 reported ...": the whole a later figure is part of.
        score -= 0.8
    if c.quantity.range_with is not None:
        score -= 0.1
    if c.sentence.kind == "table_row":
        score -= 0.4  # prose states a figure as reported; tables repeat it, often in other units
    c.score = score


def gather(q: Question, snap: Snapshot, hits: list[tuple[Sentence, float]]) -> list[Candidate]:
    docs = {s.doc_id for s, _ in hits}
    weights = concept_weights(q, snap, next(iter(docs)) if len(docs) == 1 else None)
    qnums = question_numbers(q)
    out: list[Candidate] = []
    titles: dict[str, set[str]] = {}
    for rank, (s, score) in enumerate(hits):
        if s.doc_id not in titles:
            # The report's title says what all of it is about ("Trafficking in Persons Report").
            titles[s.doc_id] = concepts_in(tokenize(snap.info(s.doc_id).title or ""))
        context = set(titles[s.doc_id])
        sents = snap.doc_sentences.get(s.doc_id, [])
        for nb in sents[max(0, s.index - 1): s.index + 2]:
            if nb.paragraph == s.paragraph:
                context.update(concepts_in(tokenize(nb.text)))
        intro: list[str] = []
        if s.kind == "table_row":
            # A table is introduced by the text just above it ("Victims of the second set, by age").
            # A short caption line ("Map of Africa.") names what every row is about, as much as the
            # row's own cells do; longer text around a table is only context.
            for nb in sents[max(0, s.index - 40): s.index]:
                if nb.kind != "table_row" and s.paragraph - 2 <= nb.paragraph < s.paragraph:
                    words = tokenize(nb.text)
                    if len(nb.text.split()) <= CAPTION_WORDS:
                        intro += words
                    else:
                        context.update(concepts_in(words))
        lead = lead_in(sents, s)
        lead_terms = tokenize(lead.text) if lead is not None else []
        lead_years = {y for y, _, _ in years_in(lead.text)} if lead is not None else set()
        for c in sentence_candidates(s, rank, score):
            if lead is not None:
                c.sentence_terms |= set(lead_terms)
                if c.year is None and len(lead_years) == 1:
                    c.year = next(iter(lead_years))
            if c.quantity.kind == "year" and not q.wants_year:
                continue
            if c.quantity.unit == "fold" and not q.wants_multiple:
                continue  # "tripled", "a 10-fold rise": how much a measure grew, never the measure
            if abs(c.value) in qnums and q.operation == "figure":
                continue  # the question's own number is a constraint, not the answer
            c.sentence_terms |= set(intro)
            score_candidate(c, q, weights, context)
            out.append(c)
    out.sort(key=lambda c: -c.score)
    return out


_LEADS = re.compile(r"[:\u2014\u2013-]\s*$")
_FRAGMENT = re.compile(r"^\W*(?:[\d$£€]|[a-z])")


def lead_in(sents: list[Sentence], s: Sentence, reach: int = 12) -> Sentence | None:
    """The line a list item completes: "Of the 1,169 defendants charged in fiscal year 2020—"
    is the start of each "- 92% were male" below it. Only fragments (an item that starts
    with a figure or a small letter) complete a lead-in; a full item is its own statement."""
    if s.kind != "item" or not _FRAGMENT.match(s.text):
        return None
    for j in range(s.index - 1, max(-1, s.index - 1 - reach), -1):
        if j >= len(sents):
            return None
        t = sents[j]
        if _LEADS.search(t.text):
            return t
        if t.kind != "item" or not _FRAGMENT.match(t.text):
            return None
    return None


def pick_figure(q: Question, cands: list[Candidate]) -> tuple[Candidate | None, list[Candidate]]:
    """The best figure and any rivals stating a different value for the same thing."""
    if q.wants_year:
        years = [c for c in cands if c.quantity.kind == "year"]
        cands = years or cands
    # Only figures whose surroundings carry the question count; among those, the best score.
    cands = [c for c in cands if c.match >= MIN_MATCH]
    if q.years and not q.wants_year:
        # An asked period must hold: a figure of another year is not an answer for this one.
        cands = [c for c in cands if c.year is None or c.year in q.years]
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
        and scale_of(c) == scale_of(best)
        and not _same_table(c, best)
    ]
    return best, rivals


def _same_table(a: Candidate, b: Candidate) -> bool:
    """Whether two figures are rows of one table. Rows of a table are its bands or groups
    ("Under 15", "15 to 17"), never two sources for one figure, so they do not conflict."""
    sa, sb = a.sentence, b.sentence
    return (sa.kind == "table_row" and sb.kind == "table_row" and sa.doc_id == sb.doc_id
            and sa.table_header == sb.table_header)


def _head(c: Candidate) -> str | None:
    """What a figure counts: the first word after it ("358 victims" -> victims)."""
    return concept_of(c.after[0]) if c.after else None


def heads(c: Candidate) -> set[str]:
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


def scale_of(c: Candidate) -> str:
    return c.scale or c.quantity.scale
