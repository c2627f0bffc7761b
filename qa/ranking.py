"""Ranking candidate figures against a question: concept weights, match scores, the best figure and its rivals."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from reportqa.bm25 import tokenize
from reportqa.models import Sentence
from reportqa.quantities import scale_multiplier
from reportqa.years import find_years

from qa.attribution import other_source, source_of
from qa.bands import band_bounds
from qa.candidates import Candidate, sentence_candidates, years_in
from qa.features import candidate_features, concepts_in, question_numbers, score_of, scorer_weights
from qa.question import MEMBERS, Question, concept_of
from qa.reader import Snapshot


def _min_match() -> float:
    """The abstention threshold, chosen on dev data by eval/fit_abstention.py."""
    return float(json.loads(Path(__file__).with_name("abstention.json").read_text(encoding="utf-8"))["min_match"])


# A figure answers only when this share of the question's (idf-weighted) concepts is found around it.
MIN_MATCH = _min_match()


CONFLICT_MARGIN = 1.2
CAPTION_WORDS = 8  # a line this short above a table is its caption, not a paragraph




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


def score_candidate(c: Candidate, q: Question, weights: dict[str, float], context_terms: set[str],
                    scorer: dict[str, float] | None = None, title_terms: set[str] = frozenset()) -> None:
    """Fill c.match (0..1), c.features and c.score: how well the figure's surroundings fit the question."""
    c.features = candidate_features(c, q, weights, context_terms, title_terms)
    c.score = score_of(c.features, scorer if scorer is not None else scorer_weights("hand"))


def gather(q: Question, snap: Snapshot, hits: list[tuple[Sentence, float]]) -> list[Candidate]:
    docs = {s.doc_id for s, _ in hits}
    weights = concept_weights(q, snap, next(iter(docs)) if len(docs) == 1 else None)
    qnums = question_numbers(q)
    out: list[Candidate] = []
    titles: dict[str, set[str]] = {}
    for rank, (s, score) in enumerate(_with_list_items(snap, hits)):
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
            # A short caption line ("Takeo province.") names what every row is about, as much as the
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
        antecedent = antecedent_noun(sents, s)
        lead_years = {y for y, _, _ in years_in(lead.text)} if lead is not None else set()
        bounds = band_bounds(s.text) if s.kind != "table_row" else []
        for c in sentence_candidates(s, rank, score):
            if any(a <= c.quantity.start and c.quantity.end <= b for a, b in bounds):
                continue  # "between 14 and 15": the ages bound a band, they count nothing
            if lead is not None:
                c.sentence_terms |= set(lead_terms)
                if c.year is None and len(lead_years) == 1:
                    c.year = next(iter(lead_years))
            c.whole = antecedent  # "Of these, 125 were involved …": 125 counts some of the 871 foreigners
            if c.year is None and (heading := snap.dated_heading(s)) is not None:
                c.year, c.heading = find_years(heading.text)[0][0], heading.text
            if c.quantity.kind == "year" and not q.wants_year:
                continue
            if c.quantity.unit == "fold" and not q.wants_multiple:
                continue  # "tripled", "a 10-fold rise": how much a measure grew, never the measure
            if abs(c.value) in qnums and q.operation == "figure":
                continue  # the question's own number is a constraint, not the answer
            c.sentence_terms |= set(intro)
            score_candidate(c, q, weights, context, snap.scorer, titles[s.doc_id])
            out.append(c)
    out.sort(key=lambda c: -c.score)
    return out


_LEADS = re.compile(r"[:\u2014\u2013-]\s*$")
_FRAGMENT = re.compile(r"^\W*[\d$£€]")


def _with_list_items(snap: Snapshot, hits: list[tuple[Sentence, float]]) -> list[tuple[Sentence, float]]:
    """The hits, each retrieved lead-in line followed by the list items that complete it
    ("Of the 640 crew members checked in 2031—" then "- 85% were male", ...)."""
    seen = {s.node_id for s, _ in hits}
    out: list[tuple[Sentence, float]] = []
    for s, score in hits:
        out.append((s, score))
        if not _LEADS.search(s.text):
            continue
        sents = snap.doc_sentences.get(s.doc_id, [])
        for t in sents[s.index + 1:s.index + 13]:
            if t.kind != "item" or not _FRAGMENT.match(t.text):
                break
            if t.node_id not in seen:
                seen.add(t.node_id)
                out.append((t, score))
    return out


# "Of these, 125 were …", "Among them, 124 victims …": the sentence counts within the figure before.
_REFERS_BACK = re.compile(r"^\W*(?:of|among|out of)\s+(?:these|those|them|whom|which)\b", re.I)


def antecedent_noun(sents: list[Sentence], s: Sentence) -> list[str]:
    """What the figure before a sentence that opens by pointing back at it counts ("found 871
    foreigners from 12 countries. Of these, 125 were …" -> foreigners), else nothing."""
    if not _REFERS_BACK.match(s.text) or s.index == 0 or s.index > len(sents):
        return []
    prev = sents[s.index - 1]
    if prev.kind == "table_row" or prev.paragraph != s.paragraph:
        return []
    counted = [c for c in sentence_candidates(prev, 0, 0.0) if c.quantity.kind == "number" and c.after]
    return counted[0].after[:2] if counted else []


def lead_in(sents: list[Sentence], s: Sentence, reach: int = 12) -> Sentence | None:
    """The line a list item completes: "Of the 1,169 defendants charged in fiscal year 2020—"
    is the start of each "- 92% were male" below it. Only fragments (an item that starts
    with its figure) complete a lead-in; a full item is its own statement."""
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
    if best.sentence.kind == "table_row":
        # The table repeats a figure the text states at its own precision ("$18.5 million" for
        # the row's 18,467 thousand): the text is how the report states it.
        best = next((c for c in cands if c.sentence.kind != "table_row" and states_same_amount(c, best.value, scale_of(best))), best)
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
        and _same_act(c, best)
    ]
    source = source_of(best) if not q.source else None  # a source asked for is one source
    if source is not None:
        # One sentence, two bodies' figures for the same thing ("According to the Ministry, 96
        # employers were fined; the inspectorate's own count was 88"): they differ as sources.
        # The second body's figure is often said without its noun ("puts the number at 500 to
        # 600"), so its score trails; the question's words are around both, and a noun of its
        # own must be the same one.
        rivals += [
            c for c in cands[1:]
            if c.sentence.node_id == best.sentence.node_id
            and c.match >= best.match - 0.15 and _head(c) in (None, head)
            and c.quantity.kind == best.quantity.kind and scale_of(c) == scale_of(best)
            and c.is_change == best.is_change and c.year == best.year
            and c.value != best.value and c.value != best.quantity.range_with
            and c.quantity.range_with != best.value  # the other end of best's own range
            and other_source(c, source)
        ]
    return best, rivals


def states_same_amount(c: Candidate, value: float, scale: str) -> bool:
    """Whether `c` states `value` (in `scale`) rounded to the digits `c` is written with
    ("$18.5 million" states 18,467 thousand), and not exactly (then they are just equal)."""
    own = scale_of(c)
    if own == "percent" or scale == "percent":
        return False
    digits = re.search(r"\d[\d,]*(?:\.(\d+))?", c.mention)
    if digits is None:
        return False
    unit = 10.0 ** -len(digits.group(1) or "") * scale_multiplier(own)
    stated, other = abs(c.value) * scale_multiplier(own), abs(value) * scale_multiplier(scale)
    return stated != other and abs(stated - other) <= 0.5 * unit * (1 + 1e-9)


def _same_act(a: Candidate, b: Candidate) -> bool:
    """Whether two figures are said of the same act, as far as their parses tell: "212
    survivors were admitted" and "143 survivors were reunited" count different things."""
    va = concepts_in(tokenize(a.frame.verb)) if a.frame is not None else set()
    vb = concepts_in(tokenize(b.frame.verb)) if b.frame is not None else set()
    if not va or not vb:
        return True
    # "The bulletin counts 405 patients treated": the act may be said beside another verb.
    return bool(va & (vb | concepts_in(b.sentence_terms)) or vb & concepts_in(a.sentence_terms))


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
