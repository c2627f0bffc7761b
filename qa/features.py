"""What the chooser knows about a candidate figure, as named numbers (features).

A figure's score is the weighted sum of its features. The weights are data: the hand-set
ones in scorer_hand.json, or the ones `python -m eval.fit_scorer` fits on the dev sets
(scorer_fitted.json); `Settings.scorer` says which one answers.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from reportqa.bm25 import tokenize
from reportqa.models import Frame
from reportqa.quantities import extract_quantities

from qa.attribution import leading_words
from qa.bands import band_word_list, candidate_band
from qa.candidates import Candidate
from qa.periods import asked_sub_period, period_of_figure
from qa.question import Question, concept_of, spells

FEATURES = [
    "match", "local", "rank", "head", "counted", "predicate",
    "year_hit", "year_other", "year_none", "percent_hit", "percent_miss", "percent_unasked",
    "multiple_hit", "multiple_miss", "count_money", "money_hit", "constraints",
    "change_asked", "change_unasked", "base_of", "range", "table_row",
    # Not used by the hand weights; the fitted ones may use them.
    "part_of", "retrieval", "item", "no_words", "kind_number", "kind_money",
    # From the parse at ingest (Sentence.frames): what the figure measures and its own clause.
    "frame_measure", "frame_measure_miss", "frame_clause", "frame_outside", "frame_verb",
    "constraints_miss", "period_hit", "period_other", "source_hit",
    # The band of a group the figure is said of ("were under 15", a row "15 to 17") against the asked one.
    "band_hit", "band_miss",
    # The place the question names ("in Kampot province") is said where the figure is.
    "place_hit",
]

_BASE_OF = re.compile(r"\b[Oo]f(?: the| all)?\s+$")
_OPENS_WITH_OF = re.compile(r"(?:^|[,;:]\s+)[Oo]f (?:the |all |these |those )?$")
_PART_OF = re.compile(r"\b(?:which|that)\s+included?\s+(?:approximately\s+|about\s+)?(?:[A-Z]{0,3}[$£€]\s*)?$", re.I)
_CHANGE_Q = re.compile(r"\b(increase|decrease|change|grow|growth|grew|decline|rise|rose|fall|fell|drop|higher|lower|more|less)\w*\b", re.I)


@lru_cache(maxsize=1)
def _band_concepts() -> frozenset[str]:
    return frozenset(concept_of(t) for w in band_word_list() for t in tokenize(w))


def question_numbers(q: Question) -> set[float]:
    """Numbers the question itself states: constraints such as "under 15". Years, dates and
    ordinals ("the second set of cases") name periods and things, not values to meet."""
    return {x.value for x in extract_quantities(q.text) if x.kind not in ("year", "date", "ordinal", "label")}


def concepts_in(terms) -> set[str]:
    return {concept_of(t) for t in terms}


def candidate_features(c: Candidate, q: Question, weights: dict[str, float], context_terms: set[str],
                       title_terms: set[str] = frozenset()) -> dict[str, float]:
    """Fill c.match (0..1, the share of the question's weighted concepts around the figure)
    and return the figure's features. `title_terms` are the concepts of the figure's report's
    title: a question that names the report ("Riverlight") names every figure in it."""
    total = sum(weights.values()) or 1.0
    after, before, sent = concepts_in(c.after + c.whole), concepts_in(c.before), concepts_in(c.sentence_terms)
    for concept, letters in q.acronyms.items():
        # "NGOs" is said in full beside the figure ("non-governmental organisations the remaining 270").
        if concept in weights:
            after |= _if(spells(letters, c.after), concept)
            before |= _if(spells(letters, c.before), concept)
            sent |= _if(spells(letters, tokenize(c.sentence.text)), concept)
    banded = candidate_band(c) if q.band is not None else None
    band = banded[0] if banded else None
    word_beside = bool(after & _band_concepts() & set(weights))  # the question's own group word is beside it
    if band is not None and band.within(q.band):
        # "70 were over 18" is said of adults, "10 minors" of under-18s, "41 were under 14" of
        # children younger than 16.
        after = after | _band_concepts() | q.band_terms
    got = local = 0.0
    for concept, w in weights.items():
        if concept in after:
            got += w
            local += w * 1.0
        elif concept in before:
            got += w
            local += w * 0.6
        elif concept in sent or (concept in title_terms and concept in q.names):
            got += w * 0.9
        elif concept in context_terms:
            got += w * (0.3 if c.sentence.kind == "table_row" else 0.5)
    c.match = got / total
    f = dict.fromkeys(FEATURES, 0.0)
    f["match"], f["local"], f["rank"] = c.match, local / total, 1 / (1 + c.rank)
    # The word right after a number names what it counts ("265 women"): the rarer, the surer.
    head = next((concept_of(t) for t in c.after[:2] if concept_of(t) in weights), None)
    if head is not None:
        f["head"] = weights[head] / max(weights.values())
    counted = {concept_of(t) for t in c.after[:2] + c.whole} & set(q.target)
    if q.wants_count and counted:
        top = max(weights.get(t, 0.0) for t in q.target) or 1.0
        f["counted"] = max(weights.get(t, 0.0) for t in counted) / top
    if q.predicate:
        # What the question says of its target ("were freed") follows the figure in a passive
        # clause ("225 victims were saved") or is the verb the parse hangs the figure on in an
        # active one ("the authorities freed 358 victims").
        said = after | (concepts_in(tokenize(c.frame.verb)) if c.frame is not None else set())
        pw = sum(weights.get(p, 0.0) for p in q.predicate) or 1.0
        f["predicate"] = sum(weights.get(p, 0.0) for p in set(q.predicate) if p in said) / pw
    kind = c.quantity.kind
    if q.years and not q.wants_year:
        key = "year_hit" if c.year in q.years else "year_other" if c.year is not None else "year_none"
        f[key] = 1.0
    if q.sub_period:
        _period_features(c, q.sub_period, f)
    if q.places:
        f["place_hit"] = _place_hit(c, q, weights, after, sent)
    source = [s for s in dict.fromkeys(q.source) if s in weights]
    if source:
        # The source a question names is said where the figure is: in its own clause when parsed,
        # or since the figure before it ("..., but the Coastal Fishers Union puts the number at
        # 500 to 600": the reporting verb governs the figure's clause from outside it).
        where = concepts_in(tokenize(c.frame.clause)) if c.frame is not None and c.frame.clause else sent
        where = where | concepts_in(tokenize(leading_words(c)))
        f["source_hit"] = sum(weights[s] for s in source if s in where) / sum(weights[s] for s in source)
    # "two thirds of our costs" is a share as much as "67% of our costs" is: it answers a
    # question for a share, not one for the costs themselves.
    is_percent = kind == "percent" or c.scale == "percent" or c.quantity.is_fraction
    if q.wants_percent:
        f["percent_hit" if is_percent else "percent_miss"] = 1.0
    elif kind == "percent" or c.quantity.is_fraction:
        f["percent_unasked"] = 1.0
    if q.wants_multiple:
        f["multiple_hit" if c.quantity.unit == "fold" else "multiple_miss"] = 1.0
    f["count_money"] = float(q.wants_count and kind == "money")
    f["money_hit"] = float(q.wants_money and kind == "money")
    qnums = question_numbers(q)
    if qnums:
        # Numeric constraints ("under 15", "between 15 and 17") sit right after the figure.
        tail = re.split(r",\s|;|\.\s", c.sentence.text[c.quantity.end:c.quantity.end + 60], maxsplit=1)[0]
        near = {float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", tail)}
        near |= {float(t) for t in c.after + c.before if t[0].isdigit()}
        f["constraints"] = (len(qnums & near) / len(qnums)) ** 2
        f["constraints_miss"] = float(not qnums & near)  # "victims under 15": a figure said of no 15
    if c.is_change:
        f["change_asked" if _CHANGE_Q.search(q.text) else "change_unasked"] = 1.0
    if _BASE_OF.search(c.sentence.text[max(0, c.quantity.start - 8):c.quantity.start]) and \
            any(o.start > c.quantity.end and o.kind == c.quantity.kind for o in c.sentence_quantities):
        f["base_of"] = 1.0  # "Of the 1,200 crew interviewed, 300 reported ...": the whole, not the part
        if _OPENS_WITH_OF.search(c.sentence.text[:c.quantity.start]):
            f["counted"] = 0.0  # the noun after the whole names the whole; the part counts it as well
    if _PART_OF.search(c.sentence.text[max(0, c.quantity.start - 24):c.quantity.start]):
        f["part_of"] = 1.0  # "$69.8 million, which included $48.4 million for ...": an aside, a part of the figure before
    f["range"] = float(c.quantity.range_with is not None)
    f["table_row"] = float(c.sentence.kind == "table_row")  # tables repeat prose figures, often in other units
    f["retrieval"] = float(c.retrieval)
    f["item"] = float(c.sentence.kind == "item")
    f["no_words"] = float(not c.after and not c.before)
    f["kind_number"] = float(kind == "number")
    f["kind_money"] = float(kind == "money")
    if band is not None:
        if band.same(q.band):
            # "90,000 children" for a question about children is matched by the word itself; a
            # band in numbers ("70 were over 18" for adults) or another word ("minors" for
            # under-age) is what the question's word means.
            f["band_hit"] = float(banded[1] or q.band_in_numbers or not word_beside)
        elif not band.within(q.band):
            f["band_miss"] = 1.0  # "70 were over 18" for a question about victims under 18
    if c.frame is not None:
        _frame_features(c.frame, q, weights, sent, f, is_share=is_percent)
    _partitive_features(c, q, weights, f)
    return f


def _if(condition: bool, concept: str) -> set[str]:
    return {concept} if condition else set()


def _place_hit(c: Candidate, q: Question, weights: dict[str, float], after: set[str], sent: set[str]) -> float:
    """The share of the places the question names that are said in the figure's own clause or
    in the words leading to it ("In Kampot province, inspectors found 38 …, while in Kep
    province they found 21": 21 is Kep's)."""
    places = [p for p in dict.fromkeys(q.places) if p in weights]
    if not places:
        return 0.0
    where = concepts_in(tokenize(leading_words(c))) | after
    if c.frame is not None and c.frame.clause:
        where |= concepts_in(tokenize(c.frame.clause))
    if c.sentence.kind == "table_row" or c.sentence.caption:
        where |= sent  # a row's label, headers and caption are all its own
    return sum(weights[p] for p in places if p in where) / sum(weights[p] for p in places)


# "33 of the people charged were foreign nationals": the figure counts what its part is said to
# be (after the copula); "the people charged" is the whole it is taken from.
_PARTITIVE = re.compile(r"\s+of\s+(?:the|these|those|all|its|their)\s+[^,;.]*?\b(?:were|was|are|is)\s+([^,;.]+)", re.I)


def _partitive_features(c: Candidate, q: Question, weights: dict[str, float], f: dict[str, float]) -> None:
    target = [t for t in dict.fromkeys(q.target) if t in weights]
    if not target:
        return
    m = _PARTITIVE.match(c.sentence.text, c.quantity.end)
    if m is None:
        return
    said = concepts_in(tokenize(m.group(1)))
    share = sum(weights[t] for t in target if t in said) / sum(weights[t] for t in target)
    if share:
        f["frame_measure"] = max(f["frame_measure"], share)
        f["frame_measure_miss"] = 0.0
        if q.wants_count:
            f["counted"] = max(f["counted"], share)


def _period_features(c: Candidate, asked: set[str], f: dict[str, float]) -> None:
    """An asked quarter or month must hold, like an asked year: the figure's own one, from its
    sentence, is the asked one (hit), another of the same kind (other), or not said."""
    later = [o.start for o in c.sentence_quantities if o.start >= c.quantity.end]
    own = period_of_figure(c.sentence.text, c.quantity.start, c.quantity.end, min(later) if later else None)
    if own is None and c.heading:
        own = asked_sub_period(c.heading)  # "## Results for the first half of 2024"
    if own is None or _is_quarter(own) != _is_quarter(asked):
        return  # none named, or a month against a quarter: different grains
    if own == asked:
        f["period_hit"] = 1.0
    elif not own & asked:
        f["period_other"] = 1.0


def _is_quarter(period: set[str]) -> bool:
    return all(p.startswith("q") for p in period)


def _frame_features(frame: Frame, q: Question, weights: dict[str, float], sentence: set[str],
                    f: dict[str, float], is_share: bool = False) -> None:
    """How the question's words sit in the figure's frame: in the phrase it measures, in its
    verb and own clause, or only elsewhere in the sentence (another clause's figure). A share
    ("took 78% of that amount") measures its whole; what it is a share for is its clause's
    subject ("Direct services … took 78%"), so for a share the clause stands in for the measure."""
    total = sum(weights.values()) or 1.0
    measure, verb = concepts_in(tokenize(frame.measure)), concepts_in(tokenize(frame.verb))
    clause = concepts_in(tokenize(frame.clause)) | measure | verb
    target = [t for t in dict.fromkeys(q.target) if t in weights]
    target_weight = sum(weights[t] for t in target)
    if measure and target_weight:
        share = sum(weights[t] for t in target if t in (clause if is_share and q.wants_percent else measure)) / target_weight
        f["frame_measure"] = share
        f["frame_measure_miss"] = float(share == 0)
    if clause:
        f["frame_clause"] = sum(w for k, w in weights.items() if k in clause) / total
        f["frame_outside"] = sum(w for k, w in weights.items() if k in sentence and k not in clause) / total
    if q.predicate and verb:
        f["frame_verb"] = float(bool(verb & set(q.predicate)))


@lru_cache(maxsize=4)
def scorer_weights(name: str) -> dict[str, float]:
    """The weights of a scorer ("hand" or "fitted") from its data file beside this module."""
    data = json.loads((Path(__file__).with_name(f"scorer_{name}.json")).read_text(encoding="utf-8"))
    weights = {k: float(v) for k, v in data["weights"].items()}
    unknown = set(weights) - set(FEATURES)
    if unknown:
        raise ValueError(f"scorer_{name}.json names unknown features {sorted(unknown)}")
    return weights


def score_of(features: dict[str, float], weights: dict[str, float]) -> float:
    """The weighted sum of a figure's features."""
    return sum(weights.get(k, 0.0) * v for k, v in features.items() if v)
