"""Conversations against the real server of conftest.py: the `ask` API with session ids
(gradio_client) and a four-turn conversation in the browser (Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.ui.reports import CHAT_CALLS_2022, CHAT_FORCED_LABOUR, SEED_SENTENCE
from tests.ui.test_server import ARTIFACTS, ask, browser, client, page  # noqa: F401 (fixtures)


def test_two_sessions_asking_interleaved_follow_ups_get_answers_from_their_own_threads(client):  # noqa: F811
    def say(session: str, question: str) -> dict:
        return client.predict(question=question, documents=[], session_id=session, api_name="/ask")

    a1 = say("alice", "How many calls did the coastal helpline receive in 2022?")
    b1 = say("bob", "How many victims did the authorities rescue?")
    a2 = say("alice", "And in 2021?")
    b2 = say("bob", "How many of them were women?")
    a3 = say("alice", "What is the change?")
    assert (a1["value"], a2["value"], a3["value"]) == (1240, 980, 260)
    assert (b1["value"], b2["value"]) == (358, 265)
    assert a2["understood"]["follow_up"] and a2["understood"]["years"] == [2021]
    assert a2["citations"][0]["text"] == CHAT_CALLS_2022 and b2["citations"][0]["text"] == SEED_SENTENCE
    assert a3["kind"] == "computed" and a3["understood"]["from_turn"] == 1
    # Without a session id the API stays single-turn: "And in 2021?" is not merged with anything.
    alone = client.predict(question="And in 2021?", api_name="/ask")
    assert not alone["understood"]["follow_up"]


def understood(turn) -> str:
    return turn.locator(".rq-understood-line").inner_text()


@pytest.mark.browser
def test_four_turn_conversation_shows_figures_citations_and_readings(page):  # noqa: F811
    t0 = ask(page, "How many calls did the coastal helpline receive in 2022?", 0)
    assert "1,240" in t0.locator(".rq-answer strong").first.inner_text()
    assert t0.locator(".rq-card mark").first.inner_text() == CHAT_CALLS_2022
    assert understood(t0) == "calls · coastal helpline receive · 2022 · all documents"

    t1 = ask(page, "And in 2021?", 1)
    assert "980" in t1.locator(".rq-answer strong").first.inner_text()
    assert t1.locator(".rq-card mark").first.inner_text() == CHAT_CALLS_2022
    assert understood(t1) == "calls · 2021 · Coastal Helpline Review 2022"
    assert "took from turn 1" in t1.locator(".rq-understood").inner_text()

    t2 = ask(page, "What is the change?", 2)
    assert "260" in t2.locator(".rq-answer strong").first.inner_text()
    assert t2.locator(".rq-card mark").first.inner_text() == CHAT_CALLS_2022  # cites the earlier answers' sentence
    assert understood(t2).startswith("change in calls")

    t3 = ask(page, "How many calls concerned forced labour?", 3)
    assert "310" in t3.locator(".rq-answer strong").first.inner_text()
    assert t3.locator(".rq-card mark").first.inner_text() == CHAT_FORCED_LABOUR
    assert "forced labour" in understood(t3) and t3.locator(".rq-carried").count() == 0  # stands on its own
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-conversation.png"), full_page=True)

    # One click re-asks turn 2's reading as a standalone question.
    t1.locator(".rq-reask").click()
    t4 = page.locator("#rq-transcript #rq-4")
    t4.wait_for(timeout=60_000)
    assert t4.locator(".rq-question").inner_text().endswith("How many calls did the coastal helpline receive in 2021?")
    assert "980" in t4.locator(".rq-answer strong").first.inner_text()
    assert t4.locator(".rq-reask").count() == 0  # not a follow-up

    # Clear conversation: the next "And in 2021?" has nothing to lean on.
    page.locator("#rq-clear").click()
    expect(page.locator("#rq-transcript .rq-turn")).to_have_count(0, timeout=10_000)
    t0 = ask(page, "And in 2021?", 0)
    assert t0.locator(".rq-carried").count() == 0
