"""In the browser: a figure read from a PDF table is shown in its table, the cell highlighted.

Uses the session's real `reportqa serve` (tests/ui/conftest.py): the ruled-table PDF
fixture is uploaded through the Documents tab, asked about, and removed again so the
other UI tests see the store as they expect. The screenshot goes to test-artifacts/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eval.table_fixtures import FIXTURES
from tests.ui.conftest import REPO
from tests.ui.test_server import ask, browser, remove_doc  # noqa: F401 (browser is a fixture)

TIMEOUT_MS = 90_000


@pytest.mark.browser
def test_cited_cell_is_highlighted_in_its_table(browser, ui_server, tmp_path):
    report = tmp_path / "ruled-results.pdf"
    report.write_bytes(FIXTURES["ruled-results.pdf"]())
    context = browser.new_context(viewport={"width": 1200, "height": 1100})
    page = context.new_page()
    page.goto(ui_server.url, wait_until="load")
    try:
        page.get_by_role("tab", name="Documents").click()
        page.locator("#rq-upload input[type=file]").set_input_files(str(report))
        page.locator("#rq-upload-status .rq-ingest-lines").wait_for(timeout=TIMEOUT_MS)
        expect(page.locator("#rq-docs")).to_contain_text("ruled-results.pdf", timeout=20_000)

        # A figure only the table gives: the seed report's "265 women" (no year) would
        # otherwise answer a question about the women row by coincidence.
        turn = ask(page, "How many suspects were arrested in 2021?", 0)
        assert "187" in turn.locator(".rq-answer strong").first.inner_text()
        card = turn.locator(".rq-card-cell").first
        assert card.locator(".rq-cell-cited").inner_text() == "187"
        assert "2021" in card.locator("thead").inner_text()
        assert "Suspects arrested" in card.locator("tbody").inner_text()
        assert "column “2021”" in card.inner_text() and "page 1" in card.inner_text()

        # A new page is a new conversation: this question is asked on its own.
        page = context.new_page()
        page.goto(ui_server.url, wait_until="load")
        turn = ask(page, "What was the change in suspects arrested from 2021 to 2022?", 0)
        assert "108" in turn.locator(".rq-answer strong").first.inner_text()
        first = turn.locator(".rq-card-cell").first
        assert first.locator(".rq-cell-cited").inner_text() == "295"
        assert first.locator(".rq-cell-operand").inner_text() == "187"
        (REPO / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(REPO / "test-artifacts" / "table-cell.png"), full_page=True)
    finally:
        remove_doc(page, "ruled-results.pdf")
        context.close()
