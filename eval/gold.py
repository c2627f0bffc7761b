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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from text_to_num import text2num

from reportqa.errors import BadInput

Scale = Literal["", "thousand", "million", "billion", "percent"]
Value = float | list[float] | None

_SCALE_ALIASES = {
    "": "",
    "none": "",
    "thousand": "thousand",
    "thousands": "thousand",
    "k": "thousand",
    "million": "million",
    "millions": "million",
    "m": "million",
    "mn": "million",
    "billion": "billion",
    "billions": "billion",
    "bn": "billion",
    "b": "billion",
    "percent": "percent",
    "percentage": "percent",
    "per cent": "percent",
    "pct": "percent",
    "%": "percent",
}

# Fields that map onto GoldItem attributes; everything else goes to `extra`.
_KNOWN = {
    "id", "question", "answer", "doc_id", "accept", "answer_alternatives", "alternatives",
    "tolerance", "scale", "answer_type", "evidence", "extra", "value_scales",
    "alternative_scales",
}


def normalize_scale(value: Any) -> str:
    """The canonical scale name for ``value`` (``None`` and ``''`` give ``''``).

    Raises ``ValueError`` for anything that is not a known scale word.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"scale must be a string, got {type(value).__name__}")
    key = " ".join(value.strip().lower().split())
    if key in _SCALE_ALIASES:
        return _SCALE_ALIASES[key]
    raise ValueError(
        f"unknown scale {value!r} (expected '', thousand, million, billion or percent)"
    )


# A thousands-separated number must be tried first, or "1,234" reads as 1 and 234.
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
# "m"/"k"/"bn" count as scale words only when glued to the number ("$0.9m").
_SCALE_WORD = re.compile(
    r"%|\bper\s*cent\b|\bpercent(?:age)?\b|\bthousands?\b|\bmillions?\b|\bbillions?\b"
    r"|\bmn\b|\bbn\b|(?<=\d)(?:k|m|bn|b)\b",
    re.IGNORECASE,
)
_MINUS = ("-", "\u2212", "\u2013", "\u2010")


def parse_number(text: str) -> tuple[float, str]:
    """Parse a gold answer string into ``(value, scale)``.

    ``"$36.5 million"`` gives ``(36.5, "million")``, ``"19.0%"`` gives
    ``(19.0, "percent")``, ``"(8.1)"`` gives ``(-8.1, "")``, ``"1,234"`` gives
    ``(1234.0, "")`` and ``"twelve"`` gives ``(12.0, "")``. Text around the number
    is ignored (``"decreased $352 million"``), but a string holding two numbers is
    ambiguous and raises ``ValueError``, as does a string holding none.
    """
    s = text.strip()
    scales = {_SCALE_ALIASES[" ".join(m.group(0).lower().split())] for m in _SCALE_WORD.finditer(s)}
    if len(scales) > 1:
        raise ValueError(f"conflicting scale words in {text!r}")
    scale = scales.pop() if scales else ""
    numbers = list(_NUMBER.finditer(s))
    if len(numbers) > 1:
        raise ValueError(f"more than one number in {text!r}")
    if not numbers:
        words = _SCALE_WORD.sub(" ", s.lower())
        words = re.sub(r"[^a-z\- ]", " ", words).strip()
        try:
            return float(text2num(" ".join(words.split()), "en")), scale
        except (ValueError, TypeError):
            raise ValueError(f"no number in {text!r}") from None
    m = numbers[0]
    value = float(m.group(0).replace(",", ""))
    # Currency signs may sit between the sign and the digits: "-$8.1", "$(8.1)".
    before = s[: m.start()].rstrip(" $€£¥")
    after = s[m.end():].lstrip(" %")
    if before.endswith(_MINUS) or (before.endswith("(") and after.startswith(")")):
        value = -value
    return value, scale


def _parse_number_like(raw: Any, what: str) -> tuple[float, str]:
    # bool is an int subclass; a JSON `true` answer is a data error, not 1.
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError(f"{what} must be a number, got {_json_type(raw)}")
    if isinstance(raw, str):
        try:
            value, scale = parse_number(raw)
        except ValueError as exc:
            raise ValueError(f"{what}: {exc}") from None
    else:
        value, scale = float(raw), ""
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {raw!r}")
    return value, scale


def _parse_value(raw: Any, what: str) -> tuple[Value, list[str]]:
    """A gold value (number, numeric string, list of those, or None) and its parsed scales."""
    if raw is None:
        return None, []
    if isinstance(raw, list):
        if not raw:
            raise ValueError(f"{what} is an empty list")
        values, scales = [], []
        for i, item in enumerate(raw):
            if isinstance(item, list) or item is None:
                raise ValueError(f"{what}[{i}] must be a number, got {_json_type(item)}")
            v, s = _parse_number_like(item, f"{what}[{i}]")
            values.append(v)
            scales.append(s)
        return values, scales
    if isinstance(raw, (dict, bool)):
        raise ValueError(f"{what} must be a number, a list of numbers or null, got {_json_type(raw)}")
    v, s = _parse_number_like(raw, what)
    return v, [s]


def _json_type(raw: Any) -> str:
    return {
        dict: "an object", list: "a list", str: "a string", bool: "a boolean",
        type(None): "null", int: "a number", float: "a number",
    }.get(type(raw), type(raw).__name__)


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
    """One gold question: what to ask, the expected value(s) and the evidence."""

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

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        if isinstance(data, BaseModel):
            return data
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {_json_type(data)}")
        return _normalize_record(data)

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


def _normalize_record(data: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(data.get("extra") or {}, dict):
        raise ValueError("'extra' must be an object")
    extra = dict(data.get("extra") or {})
    for key, val in data.items():
        if key not in _KNOWN:
            extra[key] = val

    question = data.get("question")
    if question is None:
        raise ValueError("missing 'question'")
    if not isinstance(question, str):
        raise ValueError(f"'question' must be a string, got {_json_type(question)}")
    if not question.strip():
        raise ValueError("empty 'question'")

    scale = _scale_at(data.get("scale"), 0, "scale")
    answer, parsed = _parse_value(data.get("answer"), "'answer'")

    value_scales = data.get("value_scales")
    n = len(_values(answer))
    if not (isinstance(value_scales, list) and len(value_scales) == n):
        value_scales = [
            _scale_at(extra.get("text_scale"), i, "text_scale")
            or parsed[i]
            or _scale_at(extra.get("context_scale"), i, "context_scale")
            or scale
            for i in range(n)
        ]
    # An alternative without a scale word of its own is written like the answer.
    base = value_scales[0] if value_scales else scale

    alternatives: list[float | list[float]] = []
    alt_scales: list[list[str]] = []
    given_alt_scales = data.get("alternative_scales")
    raw_alts: list[Any] = []
    for key in ("accept", "answer_alternatives", "alternatives"):
        raw = data.get(key)
        if raw is None:
            continue
        raw_alts.extend(raw if isinstance(raw, list) else [raw])
    for i, raw in enumerate(raw_alts):
        value, alt_parsed = _parse_value(raw, f"alternative {i + 1}")
        if value is None:
            continue
        k = len(_values(value))
        if (isinstance(given_alt_scales, list) and i < len(given_alt_scales)
                and isinstance(given_alt_scales[i], list) and len(given_alt_scales[i]) == k):
            scales = [normalize_scale(s) for s in given_alt_scales[i]]
        else:
            scales = [
                alt_parsed[j] or (value_scales[j] if k == n and j < n else base) for j in range(k)
            ]
        # DROP lists its main answer among the alternatives again.
        if (value, scales) == (answer, value_scales) or value in alternatives:
            continue
        alternatives.append(value)
        alt_scales.append(scales)

    tolerance = data.get("tolerance")
    if tolerance is not None:
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)):
            raise ValueError(f"'tolerance' must be a number, got {_json_type(tolerance)}")
        if not math.isfinite(tolerance) or tolerance < 0:
            raise ValueError(f"'tolerance' must be a finite number >= 0, got {tolerance!r}")

    evidence = data.get("evidence")
    if evidence is None:
        evidence = []
    elif isinstance(evidence, str):
        evidence = [evidence] if evidence.strip() else []
    elif isinstance(evidence, list):
        for i, item in enumerate(evidence):
            if not isinstance(item, str):
                raise ValueError(f"'evidence'[{i}] must be a string, got {_json_type(item)}")
        evidence = [e for e in evidence if e.strip()]
    else:
        raise ValueError(f"'evidence' must be a string or a list of strings, got {_json_type(evidence)}")

    out: dict[str, Any] = {
        "question": question,
        "answer": answer,
        "alternatives": alternatives,
        "alternative_scales": alt_scales,
        "tolerance": tolerance,
        "scale": scale,
        "value_scales": value_scales,
        "evidence": evidence,
        "extra": extra,
    }
    for key in ("id", "doc_id", "answer_type"):
        raw = data.get(key)
        if raw is None or raw == "":
            continue
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise ValueError(f"'{key}' must be a string, got {_json_type(raw)}")
        out[key] = str(raw)
    return out


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
    parts = []
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"'{loc}': {msg}" if loc else msg)
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
            fail(lineno, f"expected a JSON object, got {_json_type(record)}")
            continue
        if record.get("id") in (None, ""):
            record = {**record, "id": f"{p.stem}:{lineno}"}
        try:
            item = GoldItem.model_validate(record)
        except ValidationError as exc:
            fail(lineno, _validation_reason(exc))
            continue
        if item.id in first_line:
            fail(lineno, f"duplicate id {item.id!r} (first on line {first_line[item.id]})")
            continue
        first_line[item.id] = lineno
        items.append(item)
    return items, errors
