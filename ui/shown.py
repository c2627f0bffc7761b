"""Text from files and the store made safe to print through rich.

A title, file name, sentence or error message comes from a report or a user, so it may
hold rich markup ("[/red]" ends a style that was never opened: a MarkupError) or terminal
escape codes (ESC [ ... rewrites the screen). Every such value printed by the CLI goes
through `shown`, which blanks control characters and escapes markup.
"""

from __future__ import annotations

import re

from rich.markup import escape

# C0 and C1 controls and DEL, except tab and newline (kept: a message may span lines).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(value: object) -> str:
    """The value as text with control characters (escape codes among them) shown as '?'."""
    return _CONTROLS.sub("?", str(value))


def shown(value: object) -> str:
    """The value as text safe to pass to a rich print or table cell with markup on."""
    return escape(plain(value))
