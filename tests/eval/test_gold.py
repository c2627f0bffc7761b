"""Loading gold JSONL files: good lines load, bad lines become errors naming the line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval.gold import GoldError, GoldItem, load_gold, parse_number
from eval.score import score
from reportqa.errors import BadInput
from tests.conftest import SHARED

BENCH = SHARED / "benchmarks"
needs_bench = pytest.mark.skipif(not BENCH.exists(), reason=f"benchmarks not present at {BENCH}")


def write(tmp_path: Path, lines: list, name: str = "gold.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8"
    )
    return path


def test_good_and_bad_lines(tmp_path):
    path = write(tmp_path, [
        {"question": "How much?", "answer": 1.5},             # 1
        "",                                                   # 2 blank
        "{not json",                                          # 3
        [1, 2],                                               # 4
        {"answer": 3},                                        # 5 no question
        {"question": "   ", "answer": 3},                     # 6
        {"question": "Q?", "answer": {"v": 1}},               # 7
        {"question": "Q?", "answer": True},                   # 8
        {"question": "Q?", "answer": "no figure here"},       # 9
        {"question": "Q?", "answer": [1, [2]]},               # 10
        "   ",                                                # 11 blank
        {"question": "Last?", "answer": None},                # 12
    ], name="tatqa.jsonl")
    items, errors = load_gold(path)
    assert [i.question for i in items] == ["How much?", "Last?"]
    assert all(isinstance(e, GoldError) for e in errors)
    assert [e.line for e in errors] == [3, 4, 5, 6, 7, 8, 9, 10]
    by_line = {e.line: e for e in errors}
    assert by_line[5].message == "tatqa.jsonl line 5: missing 'question'"
    assert str(by_line[5]) == by_line[5].message
    assert by_line[5].reason == "missing 'question'"
    assert by_line[5].path == str(path)
    assert "invalid JSON" in by_line[3].message
    assert "expected a JSON object" in by_line[4].message
    assert "empty 'question'" in by_line[6].message
    for line in (7, 8, 9, 10):
        assert "'answer'" in by_line[line].message, by_line[line]


def test_default_id_is_stem_and_line(tmp_path):
    path = write(tmp_path, ["", {"question": "Q?", "answer": 1}, {"id": "x", "question": "R?"}],
                 name="mine.dev.jsonl")
    items, errors = load_gold(path)
    assert not errors
    assert [i.id for i in items] == ["mine.dev:2", "x"]


def test_duplicate_id_is_an_error(tmp_path):
    path = write(tmp_path, [{"id": "a", "question": "Q?"}, {"id": "a", "question": "R?"}])
    items, errors = load_gold(path)
    assert len(items) == 1
    assert errors[0].line == 2 and "duplicate id 'a' (first on line 1)" in errors[0].message


def test_fields_are_normalised(tmp_path):
    path = write(tmp_path, [{
        "id": 7, "doc_id": "doc-1", "question": "Q?", "answer": "$36.5 million",
        "accept": [36.4], "answer_alternatives": ["36,600 thousand"], "tolerance": 0.05,
        "evidence": "One sentence.", "answer_type": "span", "source": "mine", "notes": {"k": 1},
    }])
    (item,), errors = load_gold(path)
    assert not errors
    assert item.id == "7" and item.doc_id == "doc-1" and item.answer_type == "span"
    assert item.answer == 36.5 and item.value_scales == ["million"]
    assert item.alternatives == [36.4, 36600.0]
    assert item.alternative_scales == [["million"], ["thousand"]]
    assert item.tolerance == 0.05
    assert item.evidence == ["One sentence."]
    assert item.extra == {"source": "mine", "notes": {"k": 1}}
    assert score(item, 36.6, "million").correct  # the second alternative, converted


@pytest.mark.parametrize(
    "evidence,expected",
    [("A sentence.", ["A sentence."]), (["a", "b"], ["a", "b"]), (None, []), ("", []), ([], [])],
)
def test_evidence_always_a_list(evidence, expected):
    assert GoldItem.model_validate({"question": "Q?", "evidence": evidence}).evidence == expected


@pytest.mark.parametrize(
    "record,fragment",
    [
        ({"question": "Q?", "tolerance": -1}, "'tolerance'"),
        ({"question": "Q?", "tolerance": "1"}, "'tolerance'"),
        ({"question": "Q?", "scale": "gazillion"}, "unknown scale"),
        ({"question": "Q?", "evidence": [1]}, "'evidence'"),
        ({"question": "Q?", "answer": []}, "empty list"),
        ({"question": "Q?", "answer": float("nan")}, "finite"),
        ({"question": 5}, "'question' must be a string"),
        ({"question": "Q?", "accept": [{"x": 1}]}, "alternative 1"),
    ],
)
def test_bad_fields_are_errors(tmp_path, record, fragment):
    path = write(tmp_path, [record])
    items, errors = load_gold(path)
    assert not items
    assert len(errors) == 1 and fragment in errors[0].message and errors[0].line == 1


def test_string_answers_parse():
    assert parse_number("$36.5 million") == (36.5, "million")
    assert parse_number("(8.1)") == (-8.1, "")
    assert parse_number("-$2.0 billion") == (-2.0, "billion")
    assert parse_number("1,234,567") == (1234567.0, "")
    assert parse_number("19.0%") == (19.0, "percent")
    assert parse_number("twelve") == (12.0, "")
    assert parse_number("decreased $352 million") == (352.0, "million")
    with pytest.raises(ValueError):
        parse_number("$1.2 billion to $1.5 billion")
    item = GoldItem.model_validate({"question": "Q?", "answer": ["$54.1 million", "4.8"], "scale": "million"})
    assert item.answer == [54.1, 4.8] and item.value_scales == ["million", "million"]


def test_unicode_line_separator_inside_a_string_does_not_split_the_line(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text('{"question": "Q\u2028still the same line?", "answer": 1}\n', encoding="utf-8")
    items, errors = load_gold(path)
    assert not errors and len(items) == 1


def test_round_trip():
    item = GoldItem.model_validate({
        "question": "Q?", "answer": [1.5, 300], "text_scale": ["million", ""], "accept": [[2, 3]],
        "evidence": "E.",
    })
    assert GoldItem.model_validate(item.model_dump()) == item


def test_missing_file(tmp_path):
    with pytest.raises(BadInput, match="not found"):
        load_gold(tmp_path / "nope.jsonl")
    with pytest.raises(BadInput):
        load_gold(tmp_path)


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"question": "Q?"}\n{"question": "Caf\xe9?"}\n')
    with pytest.raises(BadInput, match="not UTF-8.*line 2"):
        load_gold(path)


def test_bom_is_ignored(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"question": "Q?"}\n')
    items, errors = load_gold(path)
    assert not errors and items[0].question == "Q?"


def _check_benchmark(path: Path, count: int) -> list[GoldItem]:
    items, errors = load_gold(path)
    assert errors == []
    assert len(items) == count
    assert len({i.id for i in items}) == count
    for item in items:
        assert item.question and item.doc_id and isinstance(item.evidence, list)
        # Each gold answer must score as correct against itself.
        scale = item.value_scales[0] if item.value_scales else ""
        if len(set(item.value_scales)) <= 1:
            assert score(item, item.answer, scale).correct, item.id
    return items


@pytest.mark.shared
@needs_bench
def test_real_tatqa_dev():
    items = _check_benchmark(BENCH / "tatqa" / "tatqa_text.dev.jsonl", 107)
    # value_scales reproduce the benchmark's answer_abs (text_scale, then context_scale, then scale).
    mult = {"": 1, "thousand": 1e3, "million": 1e6, "billion": 1e9, "percent": 1}
    for item in items:
        expected = item.extra["answer_abs"]
        expected = expected if isinstance(expected, list) else [expected]
        got = [v * mult[s] for v, s in zip(item.values, item.value_scales)]
        assert all(math.isclose(a, b) for a, b in zip(got, expected)), item.id
        # And the absolute figure written out in full is accepted.
        if len(set(item.value_scales)) == 1 and item.value_scales[0] != "percent":
            assert score(item, expected if len(expected) > 1 else expected[0], "").correct, item.id


@pytest.mark.shared
@needs_bench
def test_real_drop_dev():
    items = _check_benchmark(BENCH / "drop" / "drop_num.dev.jsonl", 408)
    assert all(item.scale == "" for item in items)
    assert any(item.alternatives for item in items)
    # The main answer is not repeated among the alternatives.
    assert all(item.answer not in item.alternatives for item in items)
