"""Quantity frames from the dependency parse: what each figure measures, its verb and its clause."""

from __future__ import annotations

import pytest

from reportqa.models import Sentence

from ingest.frames import add_frames


def _frames(text: str, kind: str = "sentence") -> dict[str, object]:
    s = Sentence(doc_id="d", index=0, start=0, end=len(text), text=text, kind=kind)
    add_frames([s])
    return {text[f.start:f.end]: f for f in s.frames}


def test_the_noun_a_count_modifies_is_what_it_counts_and_the_verb_is_its_lemma():
    f = _frames("In 2022, the police rescued 358 victims and arrested 46 suspects.")
    assert f["358"].measure == "victims"
    assert f["46"].measure == "suspects"
    assert f["46"].verb == "arrest"


def test_an_amount_measures_the_subject_it_is_said_of_with_its_of_phrase():
    text = "The amount of unrealized losses from restricted investments was $6.4 million, across six securities."
    f = _frames(text)
    assert f["$6.4 million"].measure == "amount unrealized losses"
    assert text[f["$6.4 million"].measure_start:f["$6.4 million"].measure_end].startswith("amount of unrealized losses")
    assert f["six"].measure == "securities"


def test_an_of_phrase_after_a_figure_names_its_measure():
    f = _frames("Exports accounted for 53% of revenue in the year.")
    assert f["53%"].measure == "revenue"


def test_each_figure_keeps_its_own_clause():
    f = _frames("Revenue rose 5% in 2019, while operating costs fell 3% in 2020.")
    assert "costs" not in f["5%"].clause.split()
    assert "Revenue" in f["5%"].clause.split()
    assert "costs" in f["3%"].clause.split()
    assert "Revenue" not in f["3%"].clause.split()
    assert f["3%"].verb == "fall"


def test_a_coordinated_verb_without_a_subject_shares_the_first_verbs_subject():
    f = _frames("Membership grew by 120 in 2019 and shrank by 40 in 2020.")
    assert f["40"].measure == "Membership"
    assert f["40"].verb == "shrink"


def test_a_figure_standing_alone_measures_the_noun_the_figure_before_it_named():
    f = _frames("Another 96 survivors completed training, and twenty-four found paid work through partners.")
    assert f["twenty-four"].measure == "survivors"
    f = _frames("Of the 1,200 crew interviewed, 300 reported unpaid wages.")
    assert f["300"].measure == "crew"


def test_a_figure_standing_alone_does_not_borrow_a_measure_read_from_a_subject():
    # 1.2 million measures the budget only as the copula's other side; the parts that follow
    # name their own destinations, not "budget".
    text = "The budget for 2021 was US$1.2 million, of which US$450,000 went to victim support and US$750,000 to prosecution."
    f = _frames(text)
    assert f["US$1.2 million"].measure == "budget"
    assert f["US$450,000"].measure == "" and f["US$750,000"].measure == ""


@pytest.mark.parametrize("text", ["", "No figures here at all.", "2019 2020 2021", "| 1 | 2 |"])
def test_text_without_a_measured_figure_gets_no_frames(text):
    s = Sentence(doc_id="d", index=0, start=0, end=len(text), text=text)
    add_frames([s])
    assert s.frames == []


def test_table_rows_and_headings_are_not_parsed():
    assert _frames("Victims rescued 358", kind="heading") == {}


def test_a_sentence_without_a_verb_still_gets_frames():
    f = _frames("Total: 1,204 households, 310 of them headed by women")
    assert f["1,204"].measure == "households"


def test_stored_sentences_carry_frames_unless_parsing_is_switched_off(tmp_path, embedder):
    from ingest.pipeline import Ingestor
    from reportqa.settings import Settings
    from reportqa.store import Store

    report = tmp_path / "r.md"
    report.write_text("# Harvest\n\nThe northern orchards harvested 4,200 tonnes of apples.\n", encoding="utf-8")
    for parse, expected in ((True, "tonnes apples"), (False, None)):
        settings = Settings(data_dir=tmp_path / f"data-{parse}", parse_frames=parse)
        assert Ingestor(settings, embedder=embedder).ingest([report])[0].status == "new"
        store = Store(settings)
        (doc_id,) = store.read_manifest().documents
        frames = [f for s in store.load_document(doc_id).sentences for f in s.frames]
        assert [f.measure for f in frames] == ([expected] if expected else [])


def test_a_parser_failure_keeps_the_sentences_without_frames(monkeypatch, caplog):
    import ingest.frames as frames

    class Broken:
        def pipe(self, texts, batch_size):
            raise RuntimeError("model file damaged")
            yield

    monkeypatch.setattr(frames, "parser", lambda: Broken())
    text = "The police rescued 358 victims."
    s = Sentence(doc_id="d", index=0, start=0, end=len(text), text=text)
    add_frames([s])
    assert s.frames == []
    assert "model file damaged" in caplog.text


def test_a_missing_parser_package_is_a_clear_error(parser_missing):
    import reportqa.parse as frames
    from reportqa.errors import ReportQAError

    with pytest.raises(ReportQAError, match="REPORTQA_PARSE_FRAMES=false"):
        frames.parser()