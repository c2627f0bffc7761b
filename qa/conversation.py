"""Conversations: a follow-up question is resolved against the earlier turns, then answered
(and cited) on its own.

A question leans on the conversation when it starts with an opener ("And in 2021?"),
points back ("of them", "that figure"), names a relative period ("the year before") or
has no measure of its own ("What about women?", "and in the NGO report?"). It is then
merged with the frame of the turn before: what it says replaces the matching slot
(period, group, documents), the rest is carried over, and the merged question is
answered as a standalone question. An arithmetic follow-up ("What is the difference?")
is computed from the earlier answers and cites their sentences (qa/conversation_ops.py).
A question with a measure of its own and no such signal is answered as it stands.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from reportqa.models import Answer, Turn, Understood

from qa.conversation_frame import OUTSIDE, WORDS, Frame, concept, document_index, extract_frame
from qa.question import parse_question

ARITHMETIC = {"difference", "change", "percent_change", "ratio", "sum", "average", "compare"}
_YEAR = re.compile(r"(?<![\d,.$])(19[5-9]\d|20\d\d)(?!\d|,\d)")
_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
_NOT_A_SIDE = set(WORDS["not_a_side"])
_HOW_MANY_OF = re.compile(r"\bhow (?:many|much)\s+of\s+(?:them|those|these|the same)\b", re.I)
_OF_THEM_WERE = re.compile(r"\bhow (?:many|much)\s+of\s+(?:them|those|these)\s+(?:were|was|are|is)\b", re.I)


@dataclass
class Resolution:
    """A follow-up merged with the turn before: the question to ask and what was carried."""

    question: str
    doc_ids: list[str] | None
    alternatives: list[str] = field(default_factory=list)  # other readings, tried in order
    carried: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    group: list[str] = field(default_factory=list)


def as_turns(history) -> list[Turn]:
    """Turns from Turn objects, Answers, or their JSON dicts (the UI and eval keep JSON)."""
    turns = []
    for h in history or []:
        if isinstance(h, Turn):
            turns.append(h)
        elif isinstance(h, Answer):
            turns.append(Turn.of(h))
        elif isinstance(h, dict) and "answer" in h and isinstance(h["answer"], dict):
            turns.append(Turn.model_validate(h))
        elif isinstance(h, dict):
            turns.append(Turn.of(Answer.model_validate(h)))
        else:
            raise TypeError(f"a history entry must be a Turn, an Answer or a dict, not {type(h).__name__}")
    return turns


def is_follow_up(frame: Frame) -> bool:
    """True when the question leans on an earlier one (see `Frame.signals`)."""
    if frame.wants_year and not (frame.opener or frame.anaphora):
        return False  # "Which year had more cases?" asks for a period; it does not inherit one
    return bool(frame.signals())


def titles(service, doc_ids: list[str] | None) -> list[str]:
    if not doc_ids:
        return []
    docs = service.reader.snapshot().manifest.documents
    return [docs[d].title if d in docs else d for d in doc_ids]


def understood_of(service, frame: Frame, question: str, doc_ids: list[str] | None, **extra) -> Understood:
    """The Understood record of a frame answered as `question` over `doc_ids`."""
    return Understood(
        question=question, measure=" ".join(frame.measure), group=" ".join(frame.group),
        years=list(dict.fromkeys(frame.years)), documents=titles(service, doc_ids), doc_ids=list(doc_ids or []),
        operation=frame.operation if frame.operation != "count" else "figure", **extra,
    )


def standalone_understood(service, question: str, doc_ids: list[str] | None, parsed=None) -> Understood:
    """How a single question (no conversation) was read; `parsed` is its Question, when read."""
    return understood_of(service, extract_frame(question, parsed=parsed), question, doc_ids)


def _scoped(named: list[str], filter_ids: list[str] | None) -> list[str] | None:
    """Documents a turn names, kept inside the thread's documents filter."""
    if not named:
        return filter_ids
    if filter_ids is None:
        return named
    return [d for d in named if d in filter_ids]


def within_filter(turns: list[Turn], filter_ids: list[str] | None) -> list[Turn]:
    """The turns as the current documents filter sees them: the filter holds for the whole
    thread, so a figure an earlier turn cited from another document is not carried over (its
    question still is). Turn numbers stay as they were."""
    if filter_ids is None:
        return turns
    keep = set(filter_ids)
    out = []
    for t in turns:
        cited = {c.doc_id for c in t.answer.citations}
        if cited and not cited <= keep:
            t = t.model_copy(update={"answer": Answer(question=t.answer.question, text=OUTSIDE, kind="not_found")})
        out.append(t)
    return out


def answer_in_thread(service, question: str, doc, history) -> Answer:
    """Answer `question` (already cleaned by the service) as the next turn after `history`."""
    started = time.perf_counter()
    q = question
    filter_ids = service.resolve_docs(doc)
    turns = within_filter(as_turns(history), filter_ids)
    index = document_index(service.reader.snapshot().manifest)
    frame = extract_frame(q, index)
    previous = next((t for t in reversed(turns) if t.understood is not None and t.understood.question), None)
    scoped = _scoped(frame.doc_ids, filter_ids)
    if frame.doc_ids and scoped == []:
        return _outside_filter(service, q, frame, started)

    if previous is None or not is_follow_up(frame):
        asked = frame.core if frame.doc_phrase else q
        answer = service.answer(asked, scoped, parsed=frame.parsed)
        answer.understood = understood_of(service, frame, asked, scoped)
        return _finish(answer, q, started)

    from_turn = turns.index(previous) + 1
    if frame.operation in ARITHMETIC and (not frame.measure or frame.anaphora or frame.comparative):
        from qa.conversation_ops import answer_operation

        answer = answer_operation(service, q, frame, turns, filter_ids, resolve)
        return _finish(answer, q, started)

    res = resolve(frame, previous, filter_ids, service)
    answer = None
    read: dict[str, object] = {}  # each resolved question's parse, for its answer and its Understood
    for reading in [res.question, *res.alternatives]:
        read[reading] = parse_question(reading)
        tried = service.answer(reading, res.doc_ids, parsed=read[reading])
        if answer is None:
            answer = tried
        if tried.kind != "not_found" and not any(same_figure(tried, t.answer) for t in turns):
            answer, res.question = tried, reading
            break
    repeated = next((n for n, t in enumerate(turns, 1) if same_figure(answer, t.answer)), None)
    if repeated is not None:
        answer = _unchanged(answer, repeated)
    merged = extract_frame(res.question, parsed=read.get(res.question))
    understood = understood_of(service, merged, res.question, res.doc_ids, follow_up=True, from_turn=from_turn,
                               carried=res.carried, not_carried=res.not_carried)
    # The group of a follow-up is what it said itself, or what an earlier follow-up said.
    understood.group = " ".join(res.group) or (previous.understood.group if previous.understood.follow_up else "")
    if res.group and previous.understood.measure:
        understood.measure = previous.understood.measure  # "women" of the victims: victims · women
    if previous.answer.kind == "not_found":
        why = OUTSIDE if previous.answer.text == OUTSIDE else "it was not found"
        understood.not_carried.append(f"no figure from turn {from_turn}: {why}, so only the "
                                      "way it was asked was carried over")
    answer.understood = understood
    if res.not_carried and answer.kind == "not_found":
        answer.text += " Could not carry over: " + "; ".join(res.not_carried) + "."
    return _finish(answer, q, started)


def same_figure(a: Answer, b: Answer) -> bool:
    """The same value read from the same sentence: a follow-up that changed a slot (another
    year, group or document) and got this back was answered without its change."""
    if a.kind == "not_found" or b.kind == "not_found" or a.value != b.value or not a.citations or not b.citations:
        return False
    return (a.citations[0].doc_id, a.citations[0].sentence_index) == (b.citations[0].doc_id,
                                                                      b.citations[0].sentence_index)


def _unchanged(answer: Answer, turn: int) -> Answer:
    return Answer(question=answer.question, kind="not_found", related=answer.citations[:3],
                  text=f"The reports don't say. The only figure found is the one already given in turn {turn}, "
                       "which does not answer what this question changes; closest sentences are listed.")


def _finish(answer: Answer, asked: str, started: float) -> Answer:
    answer.question = asked
    answer.latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return answer


def _outside_filter(service, q: str, frame: Frame, started: float) -> Answer:
    names = ", ".join(titles(service, frame.doc_ids))
    answer = Answer(question=q, kind="not_found",
                    text=f"The reports don't say: {names} is outside the documents chosen for this conversation.")
    answer.understood = understood_of(service, frame, frame.core, frame.doc_ids)
    return _finish(answer, q, started)


# ---- merging a follow-up with the turn before -------------------------------------------------


def resolve(frame: Frame, previous: Turn, filter_ids: list[str] | None, service=None) -> Resolution:
    """The standalone question a follow-up stands for, merged with `previous`'s reading."""
    before = previous.understood
    prev_text = before.question
    prev_frame = extract_frame(prev_text)
    carried: list[str] = []
    not_carried: list[str] = []
    alternatives: list[str] = []
    group = _group_phrase(frame)
    m = _OF_THEM_WERE.search(frame.core)
    if m and not group and not frame.measure:
        # "How many of them were under 15?": the group is what they were said to be.
        group = [w for w in _WORD.findall(frame.core[m.end():]) if not _YEAR.fullmatch(w)]
    of_them_were = bool(_OF_THEM_WERE.search(frame.core)) and not frame.measure
    if frame.measure or (frame.anaphora and _HOW_MANY_OF.search(frame.core) and not of_them_were):
        # A whole question of its own that points back: "How many of those calls concerned scams?"
        text = _drop_back_references(frame.core, prev_frame, before.measure)
        if before.measure and frame.anaphora:
            carried.append(f"“{' '.join(frame.anaphora)}” = {before.measure}")
        years = frame.years or (_shifted(before.years, frame.relative_year, not_carried)
                                if frame.relative_year is not None else before.years)
        if frame.years or frame.wants_year or not years:
            pass
        else:
            text = _with_years(text, [], years)
            carried.append("period " + ", ".join(map(str, years)))
        group = []
    else:
        # Ellipsis ("And in 2021?", "What about women?", "How many of them were women?"):
        # the earlier question with the slots this one names replaced.
        text = prev_text
        carried.append(f"measure {before.measure}" if before.measure else f"the question “{prev_text}”")
        new_years = frame.years or _shifted(before.years, frame.relative_year, not_carried)
        if new_years:
            text = _with_years(text, before.years, new_years)
        elif before.years:
            carried.append("period " + ", ".join(map(str, before.years)))
        if group:
            readings = _group_readings(text, prev_frame, before, group)
            if before.measure:
                # The group as a part of the earlier measure, in the follow-up's own words when it has
                # them ("How many of them were women?"), else in the plain partitive form.
                phrase = " ".join(group)
                own = _OF_THEM_WERE.sub(
                    lambda m: re.sub(r"\b(?:them|those|these)\b", f"the {before.measure}", m.group(0)),
                    frame.core) if of_them_were else f"How many of the {before.measure} were {phrase}?"
                readings.insert(1, _with_years(own, [], before.years) if before.years else own)
                rest = _rest_after_measure(text, prev_frame)
                if rest:
                    readings.append(f"How many of the {before.measure} {rest} were {phrase}?")
            readings = list(dict.fromkeys(readings))
            text, alternatives = readings[0], readings[1:]
        elif before.group and before.follow_up:
            carried.append(f"group {before.group}")
    if frame.doc_ids:
        doc_ids = _scoped(frame.doc_ids, filter_ids)
    else:
        doc_ids = _scoped(before.doc_ids, filter_ids) or filter_ids
        if before.doc_ids and not _scoped(before.doc_ids, filter_ids):
            not_carried.append("documents " + ", ".join(before.documents or before.doc_ids)
                               + ": outside the documents chosen for this conversation")
        elif before.doc_ids and before.doc_ids != (filter_ids or []):
            carried.append("documents " + ", ".join(before.documents))
        elif not before.doc_ids and previous.answer.kind != "not_found":
            # A follow-up is about the same figure, so it asks the report that figure came from.
            cited = list(dict.fromkeys(c.doc_id for c in previous.answer.citations))
            if len(cited) == 1 and (filter_ids is None or cited[0] in filter_ids):
                doc_ids = cited
                carried.append("document " + (previous.answer.citations[0].title or cited[0]))
    return Resolution(question=text, doc_ids=doc_ids or None, carried=carried, not_carried=not_carried,
                      group=group, alternatives=alternatives)


def _shifted(years: list[int], relative: int | None, not_carried: list[str]) -> list[int]:
    if relative is None:
        return []
    if not years:
        not_carried.append("a period: the earlier question named no year to count from")
        return []
    return [max(years) + relative] if relative else list(years)


def _with_years(text: str, old: list[int], new: list[int]) -> str:
    """`text` asking about `new` years instead of `old` (or with them added)."""
    old = list(dict.fromkeys(old))
    if old:
        mapping = {str(y): str(new[min(i, len(new) - 1)]) for i, y in enumerate(old)}
        return _YEAR.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
    stem = text.rstrip(" ?.!")
    return f"{stem} in {' and '.join(map(str, new))}?"


def _drop_back_references(text: str, prev_frame: Frame, measure: str = "") -> str:
    """'How many of those calls ...' -> 'How many calls ...'; 'How many of them were women?' ->
    'How many victims were women?'; 'of them' elsewhere -> 'of the <measure>'."""
    # "of those calls": the noun is there, the determiner only points back.
    text = re.sub(r"\b(how (?:many|much))\s+of\s+(?:those|these|the same)\s+(?!(?:were|was|are|is|did|do|does|"
                  r"had|have|has)\b)(?=[^\W\d_])", r"\1 ", text, flags=re.I)
    if measure:
        text = _HOW_MANY_OF.sub(lambda m: m.group(0).split()[0] + " " + m.group(0).split()[1] + " " + measure, text)
    text = re.sub(r"\b(?:those|these)\s+(?=[^\W\d_])", "the ", text, flags=re.I)
    if prev_frame.measure:
        text = re.sub(r"\b(of|among|for)\s+(?:them|those|these)\b", rf"\1 the {' '.join(prev_frame.measure)}",
                      text, flags=re.I)
    return text


def _group_readings(text: str, prev_frame: Frame, before: Understood, group: list[str]) -> list[str]:
    """Ways to put a follow-up's group ("women", "the Battambang shelter") into the earlier
    question, most likely first.

    It takes the place of the earlier words it is parallel to: a phrase with the same head
    noun ("the Phnom Penh shelter"), or the group an earlier follow-up put there. Otherwise it
    is read first as a part of what was counted ("How many women did ..."), then as a
    narrower kind of it ("How many women victims did ...").
    """
    words = list(_WORD.finditer(text))
    phrase = " ".join(group)
    head = concept(group[-1])
    for j, m in enumerate(words):
        if head is not None and concept(m.group(0)) == head:
            i = j
            while i > 0 and concept(words[i - 1].group(0)) is not None and not _is_frame_word(words[i - 1].group(0)):
                i -= 1
            return [text[: words[i].start()] + phrase + text[m.end():]]
    if before.follow_up and before.group and before.group in text:
        return [text.replace(before.group, phrase, 1)]  # put there by an earlier follow-up
    span = _measure_span(words, prev_frame)
    if span is None:
        return [text.rstrip(" ?.!") + f" for {phrase}?"]
    a, b = span
    return [text[:a] + phrase + text[b:], text[:a] + phrase + " " + text[a:]]


def _group_phrase(frame: Frame) -> list[str]:
    """The words of the follow-up's group as written, with the small words and numbers inside
    or right after it ("girls under 18", "the Battambang shelter" -> "Battambang shelter")."""
    if not frame.group:
        return []
    words = _WORD.findall(frame.core)
    low = [w.lower() for w in words]
    first = low.index(frame.group[0].lower()) if frame.group[0].lower() in low else None
    if first is None:
        return [w for w in frame.group if not _YEAR.fullmatch(w)]
    if first > 0 and concept(words[first - 1]) is None and low[first - 1] not in _NOT_A_SIDE:
        first -= 1  # "over 18", "under 15": the small word says which side
    last = max(i for i, w in enumerate(low) if w in {g.lower() for g in frame.group})
    while last + 2 < len(words) + 1 and last + 1 < len(words) and (
            words[last + 1].isdigit() and not _YEAR.fullmatch(words[last + 1])
            or (last + 2 < len(words) and concept(words[last + 1]) is None and words[last + 2].isdigit()
                and not _YEAR.fullmatch(words[last + 2]))):
        last += 1 if words[last + 1].isdigit() else 2
    return [w for w in words[first:last + 1] if not _YEAR.fullmatch(w)]


def _rest_after_measure(text: str, prev_frame: Frame) -> str:
    span = _measure_span(list(_WORD.finditer(text)), prev_frame)
    rest = text[span[1]:] if span else ""
    rest = re.sub(r"^\s*(?:were|was|are|is|did|do|does|have|has|had)\s+", "", rest, flags=re.I)
    return rest.strip().rstrip("?. ")


def _is_frame_word(word: str) -> bool:
    from qa.conversation_frame import engine_reading

    return concept(word) not in set(engine_reading(word + "?").term_stems)


def _measure_span(words, prev_frame: Frame) -> tuple[int, int] | None:
    measure = {concept(w) for w in prev_frame.measure}
    hits = [m for m in words if concept(m.group(0)) in measure]
    if not hits:
        return None
    return hits[0].start(), hits[-1].end()
