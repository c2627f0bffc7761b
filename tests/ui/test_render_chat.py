"""The 'Understood as' line under each answer."""

from __future__ import annotations

from reportqa.models import Answer, Understood
from ui.turn import render_turn


def test_understood_line_shows_the_reading_what_was_carried_and_a_reask_link():
    u = Understood(question='How many calls in 2021 <b onmouseover="x">?', measure="calls", group="forced labour",
                   years=[2021], follow_up=True, from_turn=1, carried=["measure calls"])
    html = render_turn(Answer(question="And in 2021?", text="**48** [1]", value=48, kind="figure", understood=u), 1)
    assert "Understood as" in html and "calls · forced labour · 2021 · all documents" in html
    assert "took from turn 1: measure calls" in html
    assert 'class="rq-reask" data-question="How many calls in 2021 &lt;b onmouseover=&quot;x&quot;&gt;?"' in html
    assert "<b onmouseover" not in html


def test_a_standalone_answer_has_no_reask_link_and_not_carried_is_said():
    plain = render_turn(Answer(question="q", text="t", understood=Understood(question="q", measure="beds")), 0)
    assert "beds · any year · all documents" in plain and "rq-reask" not in plain
    blank = render_turn(Answer(question="q", text="t", understood=Understood(question="q")), 0)
    assert "no measure" not in blank and "any year · all documents" in blank
    missing = Understood(follow_up=True, operation="difference", not_carried=["the figure of turn 2: not found"])
    html = render_turn(Answer(question="What is the difference?", text="The reports don't say.", understood=missing), 3)
    assert "Could not carry over: the figure of turn 2: not found" in html


def test_plain_reading_names_the_operation_and_says_a_title_once():
    from ui.turn import plain_reading

    u = Understood(measure="calls", group="Coastal Helpline Review 2022", years=[2022, 2021], operation="difference",
                   documents=["Coastal Helpline Review 2022"])
    assert plain_reading(u) == "change in calls · 2021–2022 · Coastal Helpline Review 2022"
    long = Understood(measure="beds", documents=["A very long report title that goes on and on about many things"])
    assert plain_reading(long).endswith("…") and len(plain_reading(long)) < 70
