"""Integration tests against a real `reportqa serve`: the /ask API and the web page.

The server (see conftest.py) holds a seed report ("Authorities rescued 358 victims,
including 265 women.") and a hostile report with `<script>` and `onerror=` HTML in
its title and text. Browser tests drive Debian's chromium through Playwright; they
never download a browser and never wait for "networkidle" (Gradio keeps a stream open).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import REPO
from tests.ui.reports import HOSTILE_SENTENCE, SEED_SENTENCE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"
SEED_QUESTION = "How many victims did the authorities rescue?"
ANSWER_TIMEOUT_MS = 60_000


# ---- API --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(ui_server):
    from gradio_client import Client

    return Client(ui_server.url, verbose=False)


def test_api_ask_returns_the_answer_json_with_citations_and_offsets(client):
    data = client.predict(question=SEED_QUESTION, api_name="/ask")
    assert isinstance(data, dict)
    assert data["question"] == SEED_QUESTION
    assert data["kind"] == "figure" and data["value"] == 358
    assert "358" in data["text"]
    cite = data["citations"][0]
    assert cite["text"] == SEED_SENTENCE
    assert re.fullmatch(r"[0-9a-f]{16}", cite["doc_id"])  # the content hash of the report
    assert cite["file"] == "seed-report.md"
    lo, hi = cite["start"] - cite["context_start"], cite["end"] - cite["context_start"]
    assert cite["context"][lo:hi] == SEED_SENTENCE


def test_api_errors_are_clean_messages(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="the question is empty"):
        client.predict(question="   ", api_name="/ask")


def test_files_outside_the_upload_and_data_folders_are_not_served(ui_server):
    import urllib.error
    import urllib.request

    for path in (REPO / "README.md", REPO / "pyproject.toml", ui_server.data_dir / "manifest.json"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{ui_server.url}gradio_api/file={path}", timeout=10)
        assert e.value.code in (403, 404)


# ---- browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: apt-get install -y chromium (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, ui_server):
    """A fresh browser context (its own chat session) on the app; fails the test if any dialog opens."""
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(ui_server.url, wait_until="load")
    yield pg
    assert pg.dialogs == [], f"a dialog opened: {pg.dialogs}"
    context.close()


def ask(pg, question: str, turn: int, enter: bool = False):
    """Type a question, submit it (the Ask button, or Enter) and wait for answer number `turn`
    (0-based) to appear and the Ask button to be back."""
    pg.get_by_role("tab", name="Chat").click()
    box = pg.locator("#rq-question textarea")
    box.fill(question)
    if enter:
        box.press("Enter")
    else:
        pg.locator("#rq-ask").click()
    answer = pg.locator(f"#rq-transcript #rq-{turn}")
    answer.wait_for(timeout=ANSWER_TIMEOUT_MS)
    expect(pg.locator("#rq-ask")).to_be_enabled(timeout=ANSWER_TIMEOUT_MS)
    return answer


def upload(pg, *paths: Path) -> str:
    """Upload files on the Documents tab; the per-file status lines once they are there."""
    pg.get_by_role("tab", name="Documents").click()
    pg.locator("#rq-upload input[type=file]").set_input_files([str(p) for p in paths])
    status = pg.locator("#rq-upload-status .rq-ingest-lines")
    status.wait_for(timeout=ANSWER_TIMEOUT_MS)
    return status.inner_text()


def remove_doc(pg, title: str) -> None:
    """Remove a report with its row's Remove button (pressed twice: no dialog)."""
    pg.get_by_role("tab", name="Documents").click()
    button = pg.locator("#rq-docs tr", has_text=title).first.locator(".rq-remove-doc")
    button.click()
    expect(button).to_have_text("Click again to remove")
    button.click()
    expect(pg.locator("#rq-upload-status")).to_contain_text("removed", timeout=30_000)
    expect(pg.locator("#rq-docs tr", has_text=title)).to_have_count(0, timeout=10_000)


@pytest.mark.browser
def test_seed_question_shows_figure_cited_sentence_and_highlight(page):
    turn = ask(page, SEED_QUESTION, 0)
    assert "358" in turn.locator(".rq-answer strong").first.inner_text()
    assert turn.locator(".rq-answer a.rq-ref").first.inner_text() == "[1]"
    mark = turn.locator(".rq-card mark").first
    assert mark.inner_text() == SEED_SENTENCE
    assert "Seed Report on Rescues" in turn.locator(".rq-card").first.inner_text()
    # The turn's own receipt holds the same answer as JSON.
    turn.locator(".rq-receipt summary").click()
    expect(turn.locator(".rq-receipt pre")).to_contain_text("context_start", timeout=10_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)


@pytest.mark.browser
def test_uploaded_report_becomes_askable(page, ui_server, tmp_path):
    report = tmp_path / "harbour-patrol.md"
    report.write_text("# Harbour Patrol Report 2023\n\nThe harbour patrol inspected 47 fishing boats in 2023. "
                      "Nine of them carried forced labourers.\n", encoding="utf-8")
    lines = upload(page, report)
    assert re.search(r"added harbour-patrol\.md as “Harbour Patrol Report 2023” \(\d+ sentences\)", lines)
    expect(page.locator("#rq-docs")).to_contain_text("Harbour Patrol Report 2023", timeout=10_000)
    turn = ask(page, "How many fishing boats did the harbour patrol inspect?", 0)
    assert "47" in turn.locator(".rq-answer strong").first.inner_text()
    assert turn.locator(".rq-card mark").first.inner_text() == "The harbour patrol inspected 47 fishing boats in 2023."
    assert "harbour-patrol.md" in turn.locator(".rq-card").first.inner_text()
    # ...and can be removed again.
    remove_doc(page, "Harbour Patrol Report 2023")
    assert not (ui_server.data_dir / "uploads" / "harbour-patrol.md").exists()


@pytest.mark.browser
def test_hostile_html_is_shown_as_text_and_runs_nothing(page):
    turn = ask(page, "How many children did the hostile shelter house?", 0)
    card = turn.locator(".rq-card").first
    assert card.locator("mark").first.inner_text() == HOSTILE_SENTENCE
    text = card.inner_text()
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert page.locator("#rq-transcript script, #rq-transcript img").count() == 0
    # The hostile title is text in the documents table and the document pickers too.
    page.get_by_role("tab", name="Documents").click()
    docs = page.locator("#rq-docs")
    expect(docs).to_contain_text("Hostile <img src=x onerror=alert(1)> Report", timeout=10_000)
    assert docs.locator("img").count() == 0
    page.wait_for_timeout(500)  # give a (wrongly) injected onerror handler the time to fire
    # The page fixture asserts that no alert dialog opened.


@pytest.mark.browser
def test_an_error_shows_its_message_and_keeps_the_history(page):
    ask(page, SEED_QUESTION, 0)
    page.locator("#rq-question textarea").fill("?!?")
    page.locator("#rq-ask").click()
    page.get_by_text("the question has no words or numbers in it").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    transcript = page.locator("#rq-transcript")
    assert transcript.locator("#rq-0 mark").first.inner_text() == SEED_SENTENCE
    assert transcript.locator("#rq-1").count() == 0
    ask(page, "How many trafficking cases did police open?", 1)
    assert transcript.locator(".rq-turn").count() == 2


def test_serve_prints_one_ready_line_and_no_share_advice(ui_server):
    log = (ui_server.work / "serve.log").read_text(encoding="utf-8")
    assert f"reportqa is ready: open {ui_server.url.rstrip('/')}" in log
    assert "share=True" not in log and "Running on local URL" not in log
