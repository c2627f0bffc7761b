"""Answers from tables: row × column lookups, arithmetic over cited cells, abstentions.

The reports are the generated table fixtures (eval/table_fixtures.py), ingested once
into a temp store; each answer's value, citations (the cell, its row and column, exact
offsets) and computation are checked, and every answer must pass the grounding gate.
"""

from __future__ import annotations

import pytest

from eval.table_fixtures import write_fixtures
from ingest.pipeline import Ingestor
from qa.grounding import ungrounded_numbers
from qa.service import QA
from reportqa.settings import Settings


@pytest.fixture(scope="module")
def table_qa(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("table-qa")
    settings = Settings(data_dir=root / "data")
    write_fixtures(root / "fx")
    results = Ingestor(settings, embedder=embedder).ingest([root / "fx"])
    assert all(r.status == "new" for r in results), results
    return QA(settings, embedder=embedder)


def ask(table_qa, question: str, doc: str):
    answer = table_qa.answer(question, doc=doc)
    assert ungrounded_numbers(answer) == []
    return answer


def test_lookup_cites_the_cell_with_row_column_page_and_offsets(table_qa):
    a = ask(table_qa, "How many women were rescued in 2021?", "ruled-results")
    assert a.kind == "figure" and a.value == 265
    (c,) = a.citations
    assert c.cell is not None and c.cell.text == "265"
    assert c.cell.row_path == ["Victims rescued", "of whom women"] and c.cell.column_path == ["2021"]
    assert c.page == 1 and c.cell.page == 1
    doc = table_qa.reader.snapshot().documents[c.doc_id]
    assert doc.text[c.cell.start:c.cell.end] == "265"
    assert doc.text[c.start:c.end] == c.text and c.start <= c.cell.start < c.cell.end <= c.end
    assert "of whom women" in a.text and "2021" in a.text


def test_row_labels_are_embedded_at_ingest_not_per_question(table_qa, monkeypatch):
    from reportqa.embedding import LocalEmbedding

    snap = table_qa.reader.snapshot()
    doc = next(d for d in snap.documents.values() if d.stem == "ruled-results")
    (table,) = [t for t in doc.tables if t.label_vectors]
    assert {"Victims rescued", "of whom women", "Suspects arrested"} <= set(table.label_vectors)
    encoded: list[str] = []
    real = LocalEmbedding.encode

    def counting(self, texts, threads=None):
        encoded.extend(texts)
        return real(self, texts, threads=threads)

    monkeypatch.setattr(LocalEmbedding, "encode", counting)
    question = "How many suspects were arrested in 2022?"
    a = table_qa.answer(question, doc="ruled-results")
    assert a.value == 295
    # The question and the phrase naming its row, in one call; no row label is embedded.
    assert question in encoded and not set(encoded) & set(table.label_vectors)


def test_column_group_and_row_pick_the_cell(table_qa):
    a = ask(table_qa, "How many convictions were there in the South in 2021?", "regional-prosecutions")
    assert a.value == 25 and a.citations[0].cell.column_path == ["Convictions", "2021"]
    b = ask(table_qa, "How many violations were found in Lakeshore?", "labour-inspections")
    assert b.value == 41 and b.citations[0].cell.column_path == ["Violations found"]


def test_change_and_percent_change_cite_each_operand_cell(table_qa):
    a = ask(table_qa, "What was the change in suspects arrested from 2021 to 2022?", "ruled-results")
    assert a.kind == "computed" and a.value == 108
    assert [o.value for o in a.computation.operands] == [295, 187]
    cells = [a.citations[o.citation - 1].cell for o in a.computation.operands]
    assert [c.column_path for c in cells] == [["2022"], ["2021"]]
    p = ask(table_qa, "What was the percentage change in walk-ins from 2021 to 2022?", "hotline-report")
    assert p.scale == "percent" and round(p.value, 2) == round((198 - 233) / 233 * 100, 2)


def test_scale_comes_from_the_caption_of_a_multipage_table(table_qa):
    from eval.table_fixtures import PROVINCES, province_budget

    a = ask(table_qa, f"What was the budget of {PROVINCES[-1]} in 2022?", "province-budgets")
    assert a.value == province_budget(len(PROVINCES) - 1)[1] and a.scale == "thousand"
    assert a.citations[0].page == 3


def test_average_over_three_years(table_qa):
    a = ask(table_qa, "What was the average number of shelter admissions in 2020, 2021 and 2022?",
            "shelter-borderless")
    assert round(a.value, 2) == round((1204 + 1388 + 1510) / 3, 2) and len(a.computation.operands) == 3


def test_formula_cell_total_and_unknown_names_abstain(table_qa):
    assert ask(table_qa, "What was the total number of repatriations in 2021?", "repatriations").value == 2200
    for question, doc in [("How many people were repatriated from Laos in 2022?", "repatriations"),
                          ("How many labour inspections were there in Eastfield?", "labour-inspections")]:
        a = ask(table_qa, question, doc)
        assert a.kind == "not_found" and a.value is None


def test_a_year_the_table_lacks_is_not_answered(table_qa):
    a = ask(table_qa, "How many victims were rescued in 2019?", "ruled-results")
    assert a.kind == "not_found" and a.value is None


STATEMENT = """# Statement of operations

The table below shows the results of the last three fiscal years.

| | Year Ended | | |
|---|---|---|---|
| (In thousands, except per share data) | June 30, 2019 | June 30, 2018 | June 30, 2017 |
| Net revenue | $22,330 | $20,110 | $18,905 |
| Operating loss | $(5,946) | $(4,120) | $(2,310) |
| Earnings per share | 1.25 | 1.10 | 0.95 |

Net revenue was $22.3 million in fiscal 2019, as new customers signed on.
"""


@pytest.fixture(scope="module")
def statement_qa(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("statement-qa")
    (root / "fx").mkdir()
    (root / "fx" / "statement.md").write_text(STATEMENT, encoding="utf-8")
    settings = Settings(data_dir=root / "data")
    Ingestor(settings, embedder=embedder).ingest([root / "fx"])
    return QA(settings, embedder=embedder)


def test_date_headers_are_year_columns_and_bracketed_dollars_are_negative(statement_qa):
    a = ask(statement_qa, "What was the average operating loss in 2018 and 2019?", "statement")
    assert a.kind == "computed" and a.value == (-5946 - 4120) / 2 and a.scale == "thousand"
    assert [a.citations[o.citation - 1].cell.text for o in a.computation.operands] == ["$(4,120)", "$(5,946)"]


def test_a_rate_row_is_not_scaled_by_the_tables_unit_note(statement_qa):
    a = ask(statement_qa, "What was the earnings per share in 2018?", "statement")
    assert a.value == 1.10 and a.scale == ""
    assert ask(statement_qa, "What was the net revenue in 2017?", "statement").scale == "thousand"


def test_years_list_is_the_tables_year_headers(statement_qa):
    a = ask(statement_qa, "Which years does the table provide information for?", "statement")
    assert sorted(a.value) == [2017.0, 2018.0, 2019.0]


def test_a_change_is_computed_from_the_table_when_prose_states_only_a_level(statement_qa):
    # The sentence's $22.3 million is one operand stated again, not the change asked for.
    a = ask(statement_qa, "What was the change in net revenue from 2018 to 2019?", "statement")
    assert a.kind == "computed" and a.value == 22330 - 20110 and a.scale == "thousand"
    assert all(a.citations[o.citation - 1].cell is not None for o in a.computation.operands)
