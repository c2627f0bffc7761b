"""Computed answers: arithmetic over cited figures (differences, sums, averages, ratios, percent changes).

Which figures are the operands is decided here; they always come from cited sentences, and
the arithmetic itself is qa.arithmetic's (the formula shows each operand linked to its citation).
"""

from __future__ import annotations

import re
from dataclasses import replace

from reportqa.bm25 import tokenize
from reportqa.models import Answer

from qa.answers import computed_answer, figure_answer, range_end
from qa.candidates import Candidate, period_words, years_in
from qa.listed import SUM_CUE, item_figures, listed_items, parallel_figures, parallel_label
from qa.passages import superlative, which_year, years_between
from qa.question import (SHARE_OF, TIMES_MORE, Question, asked_direction, asks_size_of_fall, is_gap, concept_of, direction_of,
                         parse_question)
from qa.ranking import MIN_MATCH, gather, per_year, pick_figure, scale_of
from qa.reader import Snapshot


STATED_MARGIN = 0.15  # a stated multiple this close in match to the best figure is the answer itself
SAME_SENTENCE_BONUS = 0.5  # per operand, when every operand of a yearly change is in one sentence


_YEAR_RANGE = re.compile(r"\b(?:between|from|over|during|for|in)\s+(?:the\s+years\s+)?(?:fiscal\s+(?:years?\s+)?|fy\s*)?(?:19|20)\d\d\s*"
                         r"(?:and|to|through|until|-|–)\s*(?:fiscal\s+(?:years?\s+)?|fy\s*)?(?:19|20)\d\d\b", re.I)


def _yearly(q: Question, snap: Snapshot, hits, op: str) -> Answer | None:
    """Operations over one measure in several years ("change from 2018 to 2019")."""
    years = list(dict.fromkeys(q.years))
    if len(years) == 1 and op in ("difference", "percent_change"):
        years.append(years[0] - 1)  # "By how many beds did capacity rise in 2021?": 2021 against the year before
        q = replace(q, years=years)
    if len(years) < 2:
        return None
    if op in ("sum", "average") and len(years) == 2 and _YEAR_RANGE.search(q.text) and 1 < abs(years[1] - years[0]) <= 12:
        # "total ... between 2017 to 2019" adds every year of the span; a change needs only its ends.
        years = list(range(min(years), max(years) + 1))
        q = replace(q, years=years)
    cands = [c for c in gather(q, snap, hits) if not c.is_change and c.match >= MIN_MATCH]
    # One measure over the years: a percentage and a count are not the same thing, so the
    # operands share a kind; of the kinds stated for every year, the best scored one.
    # A sentence that states the measure for every asked year ("from 578 in 2012 to 1,118 in
    # 2022") is one statement of the change, surer than figures pieced from several sentences.
    options = []
    for kind in dict.fromkeys(c.quantity.kind for c in cands):
        of_kind = [c for c in cands if c.quantity.kind == kind]
        found = per_year(q, of_kind)
        if len(found) == len(years):
            options.append((sum(c.score for c in found.values()), found))
        for node in dict.fromkeys(c.sentence.node_id for c in of_kind):
            together = per_year(q, [c for c in of_kind if c.sentence.node_id == node])
            if len(together) == len(years):
                options.append((sum(c.score for c in together.values()) + SAME_SENTENCE_BONUS * len(years), together))
    if not options:
        return None
    found = max(options, key=lambda o: o[0])[1]
    if op in ("difference", "percent_change"):
        a, b = max(years), min(years)
        low = q.text.lower()
        if op == "difference" and re.search(r"\b(more|higher|greater|larger|bigger)\b.*\bthan\b", low):
            a, b = years[0], years[1]
        elif op == "difference" and re.search(r"\b(fewer|less|lower|smaller)\b.*\bthan\b", low):
            a, b = years[1], years[0]
        if asks_size_of_fall(q) and not re.search(r"\bthan\b", low):
            if op == "percent_change":  # (later, earlier), as every change takes them
                return computed_answer(q, snap, "percent_fall", [found[a], found[b]], [period_words(found[a]), period_words(found[b])])
            a, b = b, a  # earlier minus later: the size of the fall
        picks = [found[a], found[b]]
    else:
        picks = [found[y] for y in years]
    labels = [period_words(c) for c in picks]
    return computed_answer(q, snap, op, picks, labels)


_THAN = re.compile(r"\b(?:than|versus|vs\.?|compared (?:to|with))\b", re.I)


_AND = re.compile(r"\b(?:and|plus)\b", re.I)
# "How far apart are A and B?", "the gap between A and B": the two figures named after it.
_APART = re.compile(r"\b(?:how far apart (?:are|were|is|was)|(?:the )?gap between)\s+(?:the )?(.+)", re.I)
_BETWEEN = re.compile(r"\bdifference between\s+(?:the )?(.+)", re.I)
_RATIO_OF = re.compile(r"\bratio (?:of|between) (?:the )?(.+?) (?:to|and) (?:the )?(.+?)\??$", re.I)
_TIMES_OF = re.compile(rf"\b{TIMES_MORE}\s+(.+?)\s+(?:than|as)\s+(?:the )?(.+?)\??$", re.I)


_OF_TAIL = re.compile(r"\s+of\s+(?:the\s+)?[^\d]+$", re.I)
_COUNT_OF = re.compile(r"^(?:the\s+)?(?:total\s+)?(?:number|amount|count)\s+of\s+", re.I)


def _shared_of(pieces: list[str]) -> list[str]:
    """Two compared figures share what one says they are of: in "the Fishers Union's low-end
    estimate of unregistered boats and the Port Authority's high-end estimate" both are of boats."""
    pieces = [_COUNT_OF.sub("", p) for p in pieces]  # "the number of pilots" is of pilots themselves
    tails = [_OF_TAIL.search(p) for p in pieces]
    if sum(t is not None for t in tails) != 1:
        return pieces
    tail = next(t.group(0) for t in tails if t is not None)
    return [p if t is not None else p + tail for p, t in zip(pieces, tails)]


def _two_targets(q: Question, snap: Snapshot, hits, op: str) -> Answer | None:
    """Operations over two different measures ("what percentage of rescued victims were women")."""
    low = q.text.lower()
    apart = between = None
    targets: list[str] = []
    if op == "ratio":
        m = SHARE_OF.search(low)
        # "the ratio of A to B"; "how many times as many A as B", "how many times more A than B"
        pair = _RATIO_OF.search(q.text) or (_TIMES_OF.search(q.text) if q.wants_multiple else None)
        if m:
            whole, part = m.group("whole"), m.group("part")
            parts = [f"{part} {whole}", whole]
            targets = [part, whole]  # what each operand counts: the part is "foreigners", not "arrested suspects"
        elif pair:
            parts = [pair.group(1), pair.group(2)]
        else:
            return None
    else:
        # Only an explicit comparison or list names two measures ("more X than Y", "X and Y combined").
        apart = _APART.search(q.text) if op == "difference" else None  # as written: names keep capitals
        if op == "difference" and not apart and not re.search(r"\bthan\b|\bdifference between\b|\bcompared (to|with)\b|\bversus\b", low):
            return None
        if op in ("sum", "average") and " and " not in low:
            return None
        # "the difference between A and B" names A and B with "and"; "more A than B" with "than".
        between = _BETWEEN.search(q.text) if op == "difference" and not apart and " than " not in low else None
        m = apart or between or re.search(r"(?:how many|how much|what|the)\s+(.*)", low)
        body = m.group(1) if m else low
        body = re.sub(r"\b(in total|in all|combined|altogether|together)\b", " ", body)
        splitter = _AND if apart or between or op != "difference" else _THAN
        pieces = [p.strip(" ?,.") for p in splitter.split(body) if p.strip(" ?,.")]
        if len(pieces) != 2:
            return None
        parts = _shared_of(pieces) if op == "difference" else pieces
    picks, labels = [], []
    for i, part in enumerate(parts):
        # The question may state an operand ("of the 358 victims"); find it in the reports, cited.
        if op == "ratio":
            part = re.sub(r"\b\d[\d,.]*\b", " ", part)
        sub = parse_question(("how many " if q.wants_count else "what ") + part)
        if targets and not sub.target:
            sub = replace(sub, target=[concept_of(t) for t in tokenize(targets[i]) if not t[0].isdigit()])
        sub_cands = gather(sub, snap, hits)
        chosen = None
        # Not a figure already picked: gather builds new candidates each time, so compare places.
        ok = [c for c in sub_cands if c.match >= MIN_MATCH
              and all((c.sentence.node_id, c.quantity.start) != (p.sentence.node_id, p.quantity.start) for p in picks)]
        if targets and picks:
            # The whole of a share is larger than its part and is not a sibling row of its table
            # ("Administration 160" is not the staff that "Engineering 350" is a share of).
            ok = [c for c in ok if c.value > picks[0].value and not _sibling_rows(c, picks[0])]
        if ok:
            chosen = ok[0]
            # The whole of a part is usually stated beside it ("358 victims, including 265 women").
            if picks:
                beside = [c for c in ok if c.sentence.node_id == picks[0].sentence.node_id]
                if beside and beside[0].score >= chosen.score - 0.8:
                    chosen = beside[0]
        if chosen is None:
            return None
        picks.append(range_end(sub, chosen))
        labels.append(part)
    if picks[0].value == picks[1].value and picks[0].sentence.node_id == picks[1].sentence.node_id:
        return None
    if op == "difference" and (apart or (between and is_gap(q.text))
                               or (not between and re.search(r"\b(fewer|less|lower)\b", low))) \
            and picks[0].value < picks[1].value:
        picks.reverse()  # "how far apart", "the difference between A and B": a distance, the larger less the smaller
        labels.reverse()
    return computed_answer(q, snap, op, picks, labels)


def _two_periods_of_one_sentence(q: Question, snap: Snapshot, ranked: list[Candidate], op: str) -> Answer | None:
    """A change asked without naming periods ("What was the change in the interest held?"),
    where the best sentence states the measure for two periods ("32.0% (2017: 31.8%)"): the
    later figure against the earlier, each the nearest of its period to the other."""
    cands = [c for c in ranked if c.match >= MIN_MATCH and not c.is_change]
    if not cands or cands[0].year is None or cands[0].quantity.kind == "year" or cands[0].sentence.kind == "table_row":
        return None  # a table's periods are its columns, which the table path compares
    best = cands[0]
    others = [c for c in cands if c.sentence.node_id == best.sentence.node_id and c.year not in (None, best.year)
              and c.quantity.kind == best.quantity.kind and scale_of(c) == scale_of(best)]
    if not others or len({c.year for c in others}) != 1:
        return None  # one other period, or the sentence is not a two-period statement
    other = min(others, key=lambda c: abs(c.quantity.start - best.quantity.start))
    if not all(str(c.year) in c.sentence.text for c in (best, other)):
        return None  # a period the sentence does not write (inherited) could not be shown cited
    later, earlier = (best, other) if best.year > other.year else (other, best)
    if asks_size_of_fall(q):
        if op == "percent_change":  # (later, earlier), as every change takes them
            return computed_answer(q, snap, "percent_fall", [later, earlier], [str(later.year), str(earlier.year)])
        later, earlier = earlier, later  # earlier minus later: the size of the fall
    return computed_answer(q, snap, op, [later, earlier], [str(later.year), str(earlier.year)])


def _sibling_rows(a: Candidate, b: Candidate) -> bool:
    """Two rows of one table, neither of them its total."""
    sa, sb = a.sentence, b.sentence
    return (sa.kind == sb.kind == "table_row" and sa.doc_id == sb.doc_id and sa.table_header == sb.table_header
            and not any("total" in s.text.lower() for s in (sa, sb)))


def _said_of_target(q: Question, c: Candidate) -> bool:
    """Whether a figure is said of what the question asks a share of, when it names one: "which
    is 67.5% of all admissions" (of the reunited) is not the share of admissions that were men."""
    if not q.target:
        return True
    beside = {concept_of(t) for t in c.after[:3] + c.before[-3:] + c.whole}
    if c.frame is not None:
        beside |= {concept_of(t) for t in tokenize(c.frame.clause)}
    return bool(beside & set(q.target))


def change_direction(c: Candidate) -> int:
    """The direction a stated change goes: the words right before the figure ("rose by"), else
    right after it ("6% higher"); 0 when they say neither."""
    text = c.sentence.text
    return (direction_of(text[max(0, c.quantity.start - 30):c.quantity.start])
            or direction_of(text[c.quantity.end:c.quantity.end + 20]))


def _spanning_first(q: Question, cands: list[Candidate]) -> list[Candidate]:
    """`cands` with those whose sentence names every period the question asks about first
    (a stable sort, so the ranking holds within each group)."""
    asked = set(q.years)
    if len(asked) < 2:
        return cands
    spans = lambda c: asked <= {y for y, _, _ in years_in(c.sentence.text)}
    return sorted(cands, key=lambda c: not spans(c))


def try_operation(q: Question, snap: Snapshot, hits, doc_ids) -> Answer | None:
    """An answer for questions that need more than one figure, or None to pick a stated figure."""
    op = q.operation
    if SUM_CUE.search(q.text) and len(set(q.years)) < 2:
        # "Taken together, what percentage were black or Hispanic?": the named groups' figures, added.
        items = listed_items(q)
        ranked = gather(q, snap, hits)
        picks = item_figures(items, ranked) if len(items) >= 2 else None
        if picks is not None:
            return computed_answer(q, snap, "sum", picks, items)
        if not items:
            # "How many beds in total?" over "one in Phnom Penh with 36 beds and one in Battambang
            # with 24 beds": the parallel figures of the best sentence, added.
            picks = parallel_figures(ranked)
            if picks is not None:
                return computed_answer(q, snap, "sum", picks, [parallel_label(c) for c in picks])
    if op == "which_year":
        return which_year(q, snap, hits)
    if op == "years_between":
        # "over how many years is the cost recognised": a duration the report states wins.
        stated = [c for c in gather(q, snap, hits) if c.quantity.unit.startswith("year") and c.match >= MIN_MATCH]
        if stated:
            return None
        return years_between(q, snap, hits, doc_ids)
    if op == "superlative":
        return superlative(q, snap, hits, doc_ids)
    if op not in ("difference", "sum", "average", "percent_change", "ratio"):
        return None
    cands = gather(q, snap, hits)  # once: the checks below all rank the same question's figures
    if op == "ratio" and q.wants_multiple:
        # A multiple the report states ("tripled", "a 2.2-fold rise") beats one we would compute,
        # when it is about what the best figures are about.
        best = max((c.match for c in cands), default=0.0)
        if any(c.quantity.unit == "fold" and c.match >= max(MIN_MATCH, best - STATED_MARGIN) for c in cands):
            return None
    elif op == "percent_change" or (op == "ratio" and q.wants_percent):
        # A percentage the report states beats one we would compute (a plain "ratio of A to
        # B" is not answered by a percentage stated about something else).
        stated = [c for c in cands if (c.quantity.kind == "percent" or c.scale == "percent")]
        if stated and stated[0].match >= MIN_MATCH and (op == "ratio" or stated[0].is_change) and _said_of_target(q, stated[0]):
            return None
    if op == "difference" and " than " not in q.text.lower():
        # A change the report states outright ("increased $19.2 million") beats one we compute;
        # "more in 2021 than in 2022" asks us to compare two stated levels.
        # A change stated as a percentage ("increased 51% to $110.5 million") answers a question
        # for a percentage; "the change in Adjusted EBITDA" is in the measure's own unit.
        # A change said to go the other way than the question asks ("an increase of six cases"
        # for "by how much did the cases fall") is another change.
        asked = asked_direction(q)
        stated = [c for c in cands if c.is_change and c.match >= MIN_MATCH
                  and (q.wants_percent or not (c.quantity.kind == "percent" or c.scale == "percent"))
                  and not (asked and change_direction(c) == -asked)]
        if stated and stated[0].score >= max(c.score for c in cands) - 1.0:
            # The answer is then one of the stated changes, not a level beside them; a change
            # whose sentence names every asked period ("from $182.2 million in 2017") is the
            # change between them.
            best, rivals = pick_figure(q, _spanning_first(q, stated))
            return figure_answer(q, snap, best, rivals) if best is not None else None
    if op in ("difference", "percent_change") and not q.years:
        paired = _two_periods_of_one_sentence(q, snap, cands, op)
        if paired is not None:
            return paired
    if len(set(q.years)) == 1 and (_APART.search(q.text) or _BETWEEN.search(q.text)):
        # "the difference between A and B in 2031": two things in one year, not a year against the last
        return _two_targets(q, snap, hits, op) or _yearly(q, snap, hits, op)
    return _yearly(q, snap, hits, op) or _two_targets(q, snap, hits, op)
