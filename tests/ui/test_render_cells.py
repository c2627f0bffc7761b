"""A cited table cell is shown in its table: header row, its row, the cell highlighted, operands marked."""

from __future__ import annotations

import re

from reportqa.models import Answer, Cell, Citation, Computation, Operand
from reportqa.settings import Settings
from ui import render, turn

ROW = "| Victims rescued | 412 | 358 | 517 |"
HEADER = ["Indicator", "2020", "2021", "2022"]


def cell_citation(column: int, text: str, row_start: int = 200) -> Citation:
    start = row_start + ROW.index(f" {text} ") + 1
    cell = Cell(text=text, start=start, end=start + len(text), row=1, column=column, table=0, page=2,
                row_path=["Victims rescued"], column_path=[HEADER[column]], value=float(text))
    return Citation(doc_id="d1", title="Results <2022>", file="results.pdf", page=2, sentence_index=7,
                    start=row_start, end=row_start + len(ROW), text=ROW, context=ROW, context_start=row_start,
                    cell=cell, table_header=HEADER)


def test_cell_card_shows_header_row_and_highlights_the_cell():
    html = render.citation_card(cell_citation(3, "517"), 1, 0)
    assert re.search(r'<td class="rq-cell-cited"><mark>517</mark></td>', html)
    assert all(f"<th scope=\"col\">{h}</th>" in html for h in HEADER)
    assert '<th scope="row">Victims rescued</th>' in html
    assert "table 1, row “Victims rescued”, column “2022”" in html
    c = cell_citation(3, "517")
    assert f"chars {c.cell.start}–{c.cell.end}" in html
    assert "Results &lt;2022&gt;" in html and "<2022>" not in html


def test_computation_marks_the_other_operand_in_the_row():
    a, b = cell_citation(3, "517"), cell_citation(2, "358")
    answer = Answer(question="change?", text="**159** = 517 [1] − 358 [2]", value=159.0, kind="computed",
                    citations=[a, b],
                    computation=Computation(operation="difference", formula="517 [1] − 358 [2]", result=159.0,
                                            operands=[Operand(value=517, text="517", citation=1),
                                                      Operand(value=358, text="358", citation=2)]))
    html = turn.render_turn(answer, 0)
    cards = html.split('class="rq-card rq-card-cell"')[1:]
    assert len(cards) == 2
    assert '<td class="rq-cell-cited"><mark>517</mark></td>' in cards[0]
    assert '<td class="rq-cell-operand">358</td>' in cards[0]
    assert '<td class="rq-cell-cited"><mark>358</mark></td>' in cards[1]
    assert '<td class="rq-cell-operand">517</td>' in cards[1]


def test_receipt_holds_the_cell_row_column_and_offsets():
    c = cell_citation(2, "358")
    answer = Answer(question="q", text="**358** [1]", value=358.0, kind="figure", citations=[c])
    data = render.receipt(answer, Settings())
    cell = data["citations"][0]["cell"]
    assert (cell["row"], cell["column"], cell["start"], cell["end"]) == (1, 2, c.cell.start, c.cell.end)
    assert cell["row_path"] == ["Victims rescued"] and cell["column_path"] == ["2021"]
