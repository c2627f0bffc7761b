"""Gold answer values: numbers written as numbers, strings ("$36.5 million", "(8.1)",
"twelve") or lists of those, and the scale words that go with them."""

from __future__ import annotations

import math
import re
from typing import Any

from text_to_num import text2num

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
        raise ValueError(f"{what} must be a number, got {json_type(raw)}")
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


def parse_value(raw: Any, what: str) -> tuple[Value, list[str]]:
    """A gold value (number, numeric string, list of those, or None) and the scale each string
    names (``what`` names the field in error messages)."""
    if raw is None:
        return None, []
    if isinstance(raw, list):
        if not raw:
            raise ValueError(f"{what} is an empty list")
        values, scales = [], []
        for i, item in enumerate(raw):
            if isinstance(item, list) or item is None:
                raise ValueError(f"{what}[{i}] must be a number, got {json_type(item)}")
            v, s = _parse_number_like(item, f"{what}[{i}]")
            values.append(v)
            scales.append(s)
        return values, scales
    if isinstance(raw, (dict, bool)):
        raise ValueError(f"{what} must be a number, a list of numbers or null, got {json_type(raw)}")
    v, s = _parse_number_like(raw, what)
    return v, [s]


def json_type(raw: Any) -> str:
    """How JSON would name the type of ``raw``, for error messages."""
    return {
        dict: "an object", list: "a list", str: "a string", bool: "a boolean",
        type(None): "null", int: "a number", float: "a number",
    }.get(type(raw), type(raw).__name__)
