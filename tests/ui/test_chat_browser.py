"""The chat, documents and evaluation tabs as a newcomer meets them, in a real browser against the
session's `reportqa serve` (conftest.py). Reports a test adds are removed again at its end.

Screenshots (test-artifacts/):
  see-on-page-pdf.png            a citation click: the PDF page with the sentence and figure boxed
  see-on-page-panel.png          the source panel alone
  figure-in-sentence.png         a citation card with the figure marked inside its sentence
  question-box-after-ten.png     the question box still in view after ten answers
  conflict-table.png             a conflict as a table of value, source, sentence
  upload-progress.png            the one progress bar while files are added
  upload-lines.png               one line per uploaded file (added / refused with reason)
  documents-list.png             the documents tab as a list of reports
  evaluation-tab.png             the evaluation tab: which gold sets can run, what the others need
"""

from __future__ import annotations

import base64
import io
import json

import pytest
from playwright.sync_api import TimeoutError, expect

from tests.ui.reports import CONFLICT_QUESTION, CONFLICT_REPORTS, SEED_SENTENCE, SURVEY_SENTENCE, write_survey_pdf
from tests.ui.test_server import (  # noqa: F401 (browser and page are fixtures)
    ANSWER_TIMEOUT_MS, ARTIFACTS, SEED_QUESTION, ask, browser, page, remove_doc, upload,
)

pytestmark = pytest.mark.browser


def shot(target, name: str, **kw) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target.screenshot(path=str(ARTIFACTS / name), **kw)


def test_a_citation_opens_the_pdf_page_with_the_sentence_and_figure_boxed(page, tmp_path):
    from PIL import Image

    pdf = tmp_path / "shelter-survey.pdf"
    write_survey_pdf(pdf)
    lines = upload(page, pdf)
    assert "added shelter-survey.pdf" in lines
    try:
        turn = ask(page, "How many beds did inspectors count in 2023?", 0)
        assert "4,212" in turn.locator(".rq-answer strong").first.inner_text()
        card = turn.locator(".rq-card").first
        # The figure is marked inside the marked sentence on the card.
        assert card.locator("mark mark.rq-fig").inner_text() == "4,212"
        # The whole sentence, rejoined across the PDF's line wrap (issue 33).
        assert " ".join(card.locator("blockquote > mark").inner_text().split()) == SURVEY_SENTENCE
        shot(card, "figure-in-sentence.png")

        card.locator(".rq-see").click()
        panel = page.locator("#rq-viewer .rq-viewer")
        panel.wait_for(timeout=30_000)
        assert "page 2" in panel.inner_text() and "figure is boxed in red" in panel.inner_text()
        img = panel.locator("img.rq-page").first
        expect(img).to_be_visible()
        # The drawn page: the figure's red frame is there (pixels, not only a caption).
        src = img.get_attribute("src")
        image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB")
        reds = sum(1 for r, g, b in image.getdata() if r > 200 and g < 80 and b < 80)
        assert reds > 50, reds
        assert panel.locator("mark.rq-fig").first.inner_text() == "4,212"
        shot(page, "see-on-page-pdf.png")
        shot(panel, "see-on-page-panel.png")

        # A text report opens at its paragraph, the sentence and figure marked.
        t1 = ask(page, SEED_QUESTION, 1)
        t1.locator(".rq-see").first.click()
        expect(panel).to_contain_text("seed-report.md", timeout=30_000)
        assert panel.locator("img").count() == 0
        assert panel.locator("mark").first.inner_text() == SEED_SENTENCE
        assert panel.locator("mark.rq-fig").inner_text() == "358"
    finally:
        remove_doc(page, "Shelter Survey 2023")


def test_question_box_stays_in_view_enter_asks_and_ask_is_disabled_while_answering(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("#rq-ask").wait_for()
    # Record every state of the Ask button from now on (an answer can come back faster than a poll).
    page.evaluate("""() => { window.rqAskStates = [];
      const btn = document.querySelector('#rq-ask');
      new MutationObserver(() => window.rqAskStates.push(btn.disabled))
        .observe(btn, { attributes: true }); }""")
    questions = [SEED_QUESTION, "How many of them were women?", "How many trafficking cases did police open?",
                 "How many calls did the coastal helpline receive in 2022?", "And in 2021?", "What is the change?",
                 "How many calls concerned forced labour?", "How many children did the hostile shelter house?",
                 "How many victims did the authorities rescue?", "How many unicorns were counted?"]
    for i, q in enumerate(questions):
        ask(page, q, i, enter=i % 2 == 0)  # Enter asks as well as the button
    assert True in page.evaluate("window.rqAskStates"), "Ask was never disabled while answering"
    box = page.locator("#rq-question textarea").bounding_box()
    viewport = page.viewport_size
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], box
    # The newest answer is scrolled into view above the box.
    expect(page.locator("#rq-transcript #rq-9")).to_be_in_viewport()
    shot(page, "question-box-after-ten.png")
    # Every answer has its own receipt; the copy button copies that turn's JSON.
    assert page.locator("#rq-transcript .rq-copy").count() == 10
    third = page.locator("#rq-transcript #rq-2")
    third.locator(".rq-receipt summary").click()
    third.locator(".rq-copy").click()
    expect(third.locator(".rq-copy")).to_have_text("Copied")
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied["question"] == questions[2]
    # Sentence numbers agree between the card and the receipt.
    card_meta = page.locator("#rq-transcript #rq-0 .rq-card-meta").first.inner_text()
    receipt0 = json.loads(page.locator("#rq-transcript #rq-0 .rq-receipt pre").text_content())
    assert f"sentence {receipt0['citations'][0]['sentence_number']}" in card_meta


def test_an_empty_question_gives_one_inline_message(page):
    page.locator("#rq-ask").click()
    note = page.locator("#rq-ask-note")
    expect(note).to_have_text("Type a question first.", timeout=10_000)
    page.wait_for_timeout(500)
    assert page.locator(".toast-body, .toast-wrap .toast").count() == 0  # no toast
    assert page.get_by_text("Error", exact=True).count() == 0  # no red "Error" pills
    assert page.locator("#rq-transcript .rq-turn").count() == 0
    ask(page, SEED_QUESTION, 0)
    expect(note).to_have_text("")  # the note goes once a question is asked


def test_a_computed_answer_shows_its_formula_once_and_the_reading_in_plain_words(page):
    t = ask(page, "What was the change in calls received by the coastal helpline from 2021 to 2022?", 0)
    text = t.inner_text()
    assert t.locator(".rq-formula").count() == 1 and text.count("1,240") == 2  # formula and card, once each
    assert "−" in t.locator(".rq-formula").inner_text() and " - " not in t.locator(".rq-formula").inner_text()
    line = t.locator(".rq-understood-line").inner_text()
    assert line.startswith("change in calls") and "(no measure)" not in text
    abstain = ask(page, "How many unicorns were counted?", 1)
    assert abstain.inner_text().count("The reports don") == 1  # says so once
    for related in abstain.locator(".rq-related mark").all():
        assert len(related.inner_text().split()) > 3  # never a bare heading


def test_a_conflict_is_a_table_of_value_source_and_sentence(page, tmp_path):
    paths = []
    for name, text in CONFLICT_REPORTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    lines = upload(page, *paths)
    assert lines.count("added") == 2
    try:
        t = ask(page, CONFLICT_QUESTION, 0)
        table = t.locator("table.rq-conflict")
        expect(table).to_be_visible()
        assert [h.inner_text().strip() for h in table.locator("th").all()] == ["value", "source", "sentence"]
        body = table.locator("tbody").inner_text()
        assert "512" in body and "498" in body and "Police Annual Report 2022" in body and "Ministry Review 2022" in body
        assert table.locator("mark.rq-fig").count() >= 2
        shot(t, "conflict-table.png")
    finally:
        remove_doc(page, "Police Annual Report 2022")
        remove_doc(page, "Ministry Review 2022")


def test_upload_shows_one_progress_bar_and_a_line_per_file(page, tmp_path):
    good = tmp_path / "river-patrol.md"
    good.write_text("# River Patrol Note 2023\n\nThe river patrol stopped 23 boats in 2023.\n", encoding="utf-8")
    empty = tmp_path / "empty-notes.txt"
    empty.write_text("   \n", encoding="utf-8")
    page.get_by_role("tab", name="Documents").click()
    page.locator("#rq-upload input[type=file]").set_input_files([str(good), str(empty)])
    # While the files are read: one progress indicator, on the status line (not one per output).
    progress = page.locator(".progress-text, .eta-bar, .progress-level")
    try:
        progress.first.wait_for(timeout=20_000)
        shot(page, "upload-progress.png")
        holders = page.locator("#rq-docs .progress-text, #rq-docs-summary .progress-text, #rq-upload .progress-text")
        assert holders.count() == 0
    except TimeoutError:  # a fast machine may finish first; the lines below still count
        pass
    status = page.locator("#rq-upload-status .rq-ingest-lines")
    status.wait_for(timeout=ANSWER_TIMEOUT_MS)
    lines = status.inner_text().splitlines()
    try:
        text = "\n".join(lines)
        assert any(ln.startswith("added river-patrol.md as “River Patrol Note 2023”") for ln in lines), text
        assert "refused empty-notes.txt: file has no text" in lines, text
        shot(page.locator("#rq-upload-status"), "upload-lines.png")
    finally:
        remove_doc(page, "River Patrol Note 2023")


def test_a_header_only_csv_is_refused_like_an_empty_text_file(page, tmp_path):
    header_only = tmp_path / "header-only.csv"
    header_only.write_text("province,victims,year\n", encoding="utf-8")
    lines = upload(page, header_only)
    try:
        assert lines.startswith("refused header-only.csv"), lines
    finally:
        if "added header-only.csv" in lines:
            remove_doc(page, "header-only")


def test_documents_tab_reads_like_a_list_of_reports(page):
    page.get_by_role("tab", name="Documents").click()
    docs = page.locator("#rq-docs table.rq-doclist")
    expect(docs).to_contain_text("Seed Report on Rescues", timeout=10_000)
    heads = [h.inner_text().strip() for h in docs.locator("thead th").all()]
    assert heads[:6] == ["report", "type", "pages", "sentences", "tables", "added"]
    row = docs.locator("tr", has_text="Seed Report on Rescues")
    cells = [c.inner_text().strip() for c in row.locator("td").all()]
    assert cells[1] == "MD" and cells[3].isdigit() and " 20" in cells[5]  # "7 Dec 2026, 16:34 UTC"
    assert "T" not in cells[5].split(",")[0]  # not an ISO stamp
    row.locator(".rq-preview summary").click()
    expect(row.locator(".rq-preview p")).to_contain_text("Authorities rescued 358 victims")
    assert row.locator(".rq-remove-doc").count() == 1
    shot(page, "documents-list.png", full_page=True)


def test_evaluation_tab_offers_only_runnable_gold_sets_and_names_what_the_others_need(page):
    page.get_by_role("tab", name="Evaluation").click()
    needs = page.locator("#rq-gold-needs")
    expect(needs).to_contain_text("Not runnable over this store", timeout=20_000)
    assert "examples.jsonl" in needs.inner_text() and "cambodia" in needs.inner_text()
    page.locator("#rq-gold-pick input").click()
    options = [o.inner_text() for o in page.get_by_role("option").all()]
    assert not any(o.startswith("examples.jsonl") for o in options), options
    shot(page, "evaluation-tab.png", full_page=True)


def test_an_evaluation_run_shows_a_summary_line_whole_charts_and_a_table_that_fits(page, tmp_path):
    gold = tmp_path / "seed-gold.jsonl"
    gold.write_text("\n".join(json.dumps(q) for q in (
        {"id": "s1", "question": SEED_QUESTION, "answer": 358, "evidence": [SEED_SENTENCE]},
        {"id": "s2", "question": "How many trafficking cases did police open?", "answer": 41},
        {"id": "s3", "question": "How many unicorns were counted?", "answer": None},
    )) + "\n", encoding="utf-8")
    page.get_by_role("tab", name="Evaluation").click()
    page.locator("#rq-gold-upload input[type=file]").set_input_files(str(gold))
    page.wait_for_timeout(1000)
    page.locator("#rq-eval-run").click()
    line = page.locator("#rq-eval-line")
    expect(line).to_contain_text("Accuracy", timeout=ANSWER_TIMEOUT_MS)
    assert "of 3" in line.inner_text() and "skipped" not in line.inner_text()
    chart = page.locator("#rq-eval-chart img")
    expect(chart).to_be_visible(timeout=20_000)
    # The whole chart is shown (its title included): not cropped by its frame.
    fit = chart.evaluate("img => [getComputedStyle(img).objectFit, img.naturalWidth, img.naturalHeight,"
                         " img.clientWidth, img.clientHeight]")
    assert fit[0] in ("contain", "scale-down", "fill", "none") and fit[1] > 0
    table = page.locator("#rq-eval-results")
    box, view = table.bounding_box(), page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"]  # fits the page: no sideways scroll
    assert table.get_by_text(SEED_QUESTION).count() >= 1
    shot(page, "evaluation-run.png", full_page=True)
