"""Numbers for people: the one formatter answers, the UI and reports use."""

from __future__ import annotations

import math


def format_number(x: float) -> str:
    """Thousands separators and at most 2 decimals: 1234.5 -> "1,234.5", 358.0 -> "358"."""
    if not math.isfinite(x):
        return str(x)
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):,}"
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
