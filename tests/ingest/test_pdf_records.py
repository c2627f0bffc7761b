"""The page boxes of sentences and cells (the contract the web view draws from) survive the store."""

from __future__ import annotations

from reportqa.manifest import StoredDocument
from reportqa.models import Cell, Document, Sentence
from reportqa.store_local import LocalRecords


def test_sentence_and_cell_boxes_survive_the_local_store(tmp_path):
    cell = Cell(text="12", start=10, end=12, row=1, column=1, page=2, bbox=[100.0, 200.5, 120.0, 210.0])
    sent = Sentence(doc_id="d1", index=0, start=0, end=12, text="Total | 12 |", page=2,
                    kind="table_row", cells=[cell], bbox=[50.0, 200.0, 300.0, 211.0])
    doc = Document(doc_id="d1", title="t", source="s.pdf", stem="s", text="Total | 12 |")
    records = LocalRecords(tmp_path)
    records.docs_dir.mkdir(parents=True, exist_ok=True)
    records.save_documents([StoredDocument(document=doc, sentences=[sent])])
    back = records.load_documents(["d1"])["d1"].sentences[0]
    assert back.bbox == [50.0, 200.0, 300.0, 211.0]
    assert back.page == 2
    assert back.cells[0].bbox == [100.0, 200.5, 120.0, 210.0]


def test_records_without_boxes_still_load():
    old = Sentence.model_validate_json('{"doc_id": "d", "index": 0, "start": 0, "end": 1, "text": "x"}')
    assert old.bbox is None
