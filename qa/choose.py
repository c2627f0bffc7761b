"""Choosing the answer: rank candidate figures against the question, compute when asked,
show conflicts, and abstain when the reports do not say."""

from __future__ import annotations

import re

from reportqa.models import Answer
from reportqa.settings import Settings

from qa import compute, passages
from qa.answers import (figure_answer, list_answer, not_found, passage_answer, per_year_same_sentence,
                        respectively_list, years_list)
from qa.band_sums import band_answer
from qa.bands import BAND_SLACK
from qa.complement import complement_answer, rate_of_base_answer, share_answer
from qa.exclusion import excluded_answer
from qa.multipart import join_answers, split_parts
from qa.question import Question, parse_question
from qa.ranking import MIN_MATCH, gather, heads, per_year, pick_figure
from qa.reader import Snapshot
from qa.remainder import rest_answer
from qa.table_precedence import table_answer_if_better
from qa.tables import table_phrase


def choose_answer(question: str, snap: Snapshot, retriever, doc_ids: list[str] | None,
                  settings: Settings, parsed: Question | None = None) -> Answer:
    """The Answer for a cleaned question over one snapshot of the store; `parsed` is the
    question already read (parse_question), so it is read once."""
    parts = split_parts(question)
    if len(parts) > 1:
        answers = [choose_answer(p, snap, retriever, doc_ids, settings) for p in parts]
        return join_answers(question, parts, answers)
    q = parsed if parsed is not None and parsed.text == question else parse_question(question)
    embedder = getattr(retriever, "embedder", None)
    phrase = table_phrase(q) if q.wants_number else ""
    if phrase and hasattr(embedder, "query_vectors"):
        embedder.query_vectors([question, phrase])  # one model call for retrieval and row matching
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
    tabled = table_answer_if_better(q, snap, hits, doc_ids, embedder)
    if tabled is not None:
        return tabled
    rest = (rest_answer(q, snap, hits) or excluded_answer(q, snap, hits) or complement_answer(q, snap, hits)
            or share_answer(q, snap, hits))
    if rest is not None:
        return rest
    special = compute.try_operation(q, snap, hits, doc_ids)
    if special is not None:
        return special
    cands = gather(q, snap, hits)
    banded = band_answer(q, snap, cands, MIN_MATCH - BAND_SLACK)
    if banded is not None:
        return banded
    if q.wants_years_list:
        listed = years_list(q, snap, cands)
        if listed is not None:
            return listed
    if len(set(q.years)) >= 2 and (q.respectively or q.listed_years) and q.operation == "figure":
        picks = per_year_same_sentence(q, cands) or list(per_year(q, cands).values())
        if len(picks) == len(set(q.years)) and all(c.match >= MIN_MATCH for c in picks):
            return list_answer(q, snap, picks)
    if q.respectively and len(set(q.years)) <= 1:
        # One period or none: the list runs over the named things ("federal, state and foreign").
        listed = respectively_list(q, snap, [c for c in cands if c.year is None or c.year in q.years])
        if listed is not None:
            return listed
    if q.wants_count and q.target and may_count_events(q):
        # A figure that counts the asked thing ("two interceptions") is stated; otherwise the
        # passage's listed events are counted. A "19-yard pass" measures one pass, not 19 passes.
        counts = [c for c in cands if heads(c) & set(q.target) and not c.quantity.unit
                  and c.quantity.kind == "number" and c.match >= MIN_MATCH]
        if not counts:
            counted = passages.count_mentions(q, snap, hits, doc_ids)
            if counted is not None:
                return counted
    best, rivals = pick_figure(q, cands)
    if best is None or best.match < MIN_MATCH:
        return not_found(q, snap, hits, "No sentence states this figure; closest sentences are listed.")
    return rate_of_base_answer(q, snap, best, cands) or figure_answer(q, snap, best, rivals)


def may_count_events(q) -> bool:
    """Whether a 'how many' question may be answered by counting the events a passage lists
    ("How many field goals did X kick?"). Only events introduced one at a time are counted
    ("a 30-yard field goal", "another arrest"), so a figure question about a group the report
    mentions in the plural ("how many women were freed") is never answered by counting."""
    low = q.text.lower()
    if passages.unit_asked(q) or re.search(r"\bhow many (percent|percentage|years|times)\b", low) or q.years:
        return False  # "how many yards/years", a year's figure: a measure, not a number of events
    return True
