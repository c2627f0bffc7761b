"""Gold question files: JSONL, one question with its gold answer and evidence per line.

The format is the one of ``shared/benchmarks`` (see its README). Only ``question``
is required; the fields read here are:

- ``answer``: a number, a list of numbers (multi-span) or ``null`` (the report does
  not answer the question, so the system should abstain). A string such as
  ``"$36.5 million"``, ``"(8.1)"``, ``"1,234"`` or ``"twelve"`` is parsed too.
- ``id`` (default ``"<file stem>:<line no>"``), ``doc_id``, ``answer_type``.
- ``accept`` / ``answer_alternatives``: other acceptable answers, merged into
  ``alternatives``.
- ``tolerance``: an absolute tolerance on the value as written (gold units).
- ``scale``: ``''``, ``thousand``, ``million``, ``billion`` or ``percent``.
- ``evidence``: a sentence or a list of sentences; always a list once loaded.

Every other field is kept in ``extra``. TAT-QA's ``text_scale`` and
``context_scale`` stay there too, but they decide ``value_scales``: TAT-QA's own
``scale`` is ``''`` for a span like ``$7.4 million``, whose number is written in
millions, so the scale a value is *written in* is taken, as the benchmark's
``answer_abs`` does, from ``text_scale``, then a scale word inside a string answer,
then ``context_scale``, then ``scale``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eval.conversation import expand as expand_conversation
from eval.conversation import is_conversation
from eval.gold_values import Value, json_type, normalize_scale, parse_number, parse_value
from reportqa.errors import BadInput

__all__ = ["GoldError", "GoldItem", "load_gold", "normalize_scale", "parse_number"]

Scale = Literal["", "thousand", "million", "billion", "percent"]

# Record keys that alternatives are read from, merged in this order.
_ALTERNATIVE_KEYS = ("accept", "answer_alternatives", "alternatives")


def _scale_at(raw: Any, i: int, what: str) -> str:
    """Scale number ``i`` of a per-value scale field (a string applies to every value)."""
    try:
        if isinstance(raw, list):
            return normalize_scale(raw[i]) if i < len(raw) else ""
        return normalize_scale(raw)
    except ValueError as exc:
        raise ValueError(f"'{what}': {exc}") from None


def _values(value: Value) -> list[float]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class GoldItem(BaseModel):
    """One gold question: what to ask, the expected value(s) and the evidence.

    Each field checks itself (``field_validator``); ``_derive`` does what spans fields:
    unknown keys into ``extra``, string answers into numbers, and the scale of each value.
    """

    model_config = ConfigDict(extra="forbid")

    question: str
    answer: Value = None
    id: str = ""
    doc_id: str | None = None
    alternatives: list[float | list[float]] = Field(default_factory=list)
    tolerance: float | None = None
    scale: Scale = ""
    answer_type: str | None = None
    evidence: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    # Derived on load (see the module docstring); one entry per value.
    value_scales: list[Scale] = Field(default_factory=list)
    alternative_scales: list[list[Scale]] = Field(default_factory=list)

    @field_validator("question", mode="before")
    @classmethod
    def _question(cls, v: Any) -> str:
        if not isinstance(v, str):
            raise ValueError(f"'question' must be a string, got {json_type(v)}")
        if not v.strip():
            raise ValueError("empty 'question'")
        return v

    @field_validator("tolerance", mode="before")
    @classmethod
    def _tolerance(cls, v: Any) -> float | None:
        if v is None:
            return None
        # bool is an int subclass; a JSON `true` is a data error, not 1.
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"'tolerance' must be a number, got {json_type(v)}")
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"'tolerance' must be a finite number >= 0, got {v!r}")
        return float(v)

    @field_validator("scale", mode="before")
    @classmethod
    def _scale(cls, v: Any) -> str:
        return _scale_at(v, 0, "scale")

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence(cls, v: Any) -> list[str]:
        if v is None:
            return []
        if isinstance(v, str):
            return [v] if v.strip() else []
        if not isinstance(v, list):
            raise ValueError(f"'evidence' must be a string or a list of strings, got {json_type(v)}")
        for i, item in enumerate(v):
            if not isinstance(item, str):
                raise ValueError(f"'evidence'[{i}] must be a string, got {json_type(item)}")
        return [e for e in v if e.strip()]

    @field_validator("id", "doc_id", "answer_type", mode="before")
    @classmethod
    def _text_id(cls, v: Any, info) -> str | None:
        if v is None or v == "":
            return "" if info.field_name == "id" else None
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise ValueError(f"'{info.field_name}' must be a string, got {json_type(v)}")
        return str(v)

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: Any) -> Any:
        if isinstance(data, BaseModel):
            return data
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {json_type(data)}")
        return _derive_record(data)

    @property
    def values(self) -> list[float]:
        """The gold values as a list (empty when the gold answer is null)."""
        return _values(self.answer)

    @property
    def expects_abstention(self) -> bool:
        """True when the report does not answer the question (gold answer null)."""
        return self.answer is None

    def candidates(self) -> list[tuple[list[float], list[str]]]:
        """``(values, scales)`` for the answer (if any), then for each alternative."""
        out = [(self.values, list(self.value_scales))] if self.answer is not None else []
        for alt, scales in zip(self.alternatives, self.alternative_scales):
            out.append((_values(alt), list(scales)))
        return out


def _derive_record(data: dict[str, Any]) -> dict[str, Any]:
    """The record with unknown keys in ``extra``, numbers parsed and every value's scale set."""
    if not isinstance(data.get("extra") or {}, dict):
        raise ValueError("'extra' must be an object")
    extra = dict(data.get("extra") or {})
    extra.update({k: v for k, v in data.items() if k not in GoldItem.model_fields and k not in _ALTERNATIVE_KEYS})
    out = {k: v for k, v in data.items() if k in GoldItem.model_fields and k not in _ALTERNATIVE_KEYS}

    scale = _scale_at(data.get("scale"), 0, "scale")
    answer, parsed = parse_value(data.get("answer"), "'answer'")
    n = len(_values(answer))
    value_scales = data.get("value_scales")
    if not (isinstance(value_scales, list) and len(value_scales) == n):
        value_scales = [
            _scale_at(extra.get("text_scale"), i, "text_scale")
            or parsed[i]
            or _scale_at(extra.get("context_scale"), i, "context_scale")
            or scale
            for i in range(n)
        ]
    alternatives, alt_scales = _derive_alternatives(data, answer, value_scales, scale)
    out.update(answer=answer, value_scales=value_scales, alternatives=alternatives,
               alternative_scales=alt_scales, extra=extra)
    return out


def _derive_alternatives(data: dict[str, Any], answer: Value, value_scales: list[str], scale: str,
                         ) -> tuple[list[Value], list[list[str]]]:
    """Alternatives from every alternative key, parsed, with their scales; repeats dropped."""
    n = len(_values(answer))
    # An alternative without a scale word of its own is written like the answer.
    base = value_scales[0] if value_scales else scale
    given = data.get("alternative_scales")
    raw_alts: list[Any] = []
    for key in _ALTERNATIVE_KEYS:
        raw = data.get(key)
        if raw is not None:
            raw_alts.extend(raw if isinstance(raw, list) else [raw])
    alternatives: list[Value] = []
    alt_scales: list[list[str]] = []
    for i, raw in enumerate(raw_alts):
        value, alt_parsed = parse_value(raw, f"alternative {i + 1}")
        if value is None:
            continue
        k = len(_values(value))
        if isinstance(given, list) and i < len(given) and isinstance(given[i], list) and len(given[i]) == k:
            scales = [normalize_scale(s) for s in given[i]]
        else:
            scales = [alt_parsed[j] or (value_scales[j] if k == n and j < n else base) for j in range(k)]
        # DROP lists its main answer among the alternatives again.
        if (value, scales) == (answer, value_scales) or value in alternatives:
            continue
        alternatives.append(value)
        alt_scales.append(scales)
    return alternatives, alt_scales


@dataclass(frozen=True)
class GoldError:
    """A gold-file line that could not be loaded.

    ``message`` is the full text to show (``"tatqa.jsonl line 7: missing 'question'"``);
    ``reason`` is the same without the file and line.
    """

    path: str
    line: int
    message: str
    reason: str = ""

    def __str__(self) -> str:
        return self.message


def _validation_reason(exc: ValidationError) -> str:
    """One line for a failed record. Our validators' messages name their field already;
    pydantic's own (a missing field, a wrong type) get the field's name put in front."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        if err["type"] == "value_error":
            parts.append(err["msg"].removeprefix("Value error, "))
        elif err["type"] == "missing":
            parts.append(f"missing '{loc}'")
        else:
            parts.append(f"'{loc}': {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


def load_gold(path: str | Path) -> tuple[list[GoldItem], list[GoldError]]:
    """Load a JSONL gold file: the items that are valid, and one error per bad line.

    Blank lines are skipped. A line that is not JSON, not an object, has no
    question, has an answer of the wrong type or repeats an earlier id becomes a
    ``GoldError`` and the other lines still load. A missing, unreadable or
    non-UTF-8 file raises ``reportqa.errors.BadInput``. Whether ``doc_id`` names a
    stored document is not checked here.
    """
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"gold file not found: {p}" if not p.exists() else f"gold file is not a file: {p}")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read gold file {p}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BadInput(f"gold file {p} is not UTF-8 text (bad byte on line {line})") from None
    text = text.removeprefix("\ufeff")

    items: list[GoldItem] = []
    errors: list[GoldError] = []
    first_line: dict[str, int] = {}

    def fail(lineno: int, reason: str) -> None:
        errors.append(GoldError(str(p), lineno, f"{p.name} line {lineno}: {reason}", reason))

    # Split on "\n" only: str.splitlines() would also split on U+2028 and similar
    # characters, which JSON allows unescaped inside strings.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(lineno, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            fail(lineno, f"expected a JSON object, got {json_type(record)}")
            continue
        if record.get("id") in (None, ""):
            record = {**record, "id": f"{p.stem}:{lineno}"}
        try:
            records = expand_conversation(record) if is_conversation(record) else [record]
            line_items = [GoldItem.model_validate(r) for r in records]
        except ValidationError as exc:
            fail(lineno, _validation_reason(exc))
            continue
        except ValueError as exc:  # a malformed conversation line (eval/conversation.py)
            fail(lineno, str(exc))
            continue
        for item in line_items:
            if item.id in first_line:
                fail(lineno, f"duplicate id {item.id!r} (first on line {first_line[item.id]})")
                continue
            first_line[item.id] = lineno
            items.append(item)
    return items, errors
