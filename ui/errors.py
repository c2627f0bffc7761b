"""Turning any error raised in a handler into a message a person can read."""

from __future__ import annotations

import logging
from typing import NoReturn

import gradio as gr

from reportqa.errors import ReportQAError

log = logging.getLogger("ui")

INTERNAL_ERROR = "Something went wrong on the server; the details are in its log. Please try again."


def raise_clean(e: Exception) -> NoReturn:
    """Re-raise `e` as gr.Error: a ReportQAError keeps its message, anything else is logged
    and replaced by a generic one (a traceback helps nobody in a browser and may leak paths)."""
    if isinstance(e, gr.Error):
        raise e
    if isinstance(e, ReportQAError):
        raise gr.Error(str(e), print_exception=False) from e
    log.exception("unexpected error in a UI handler")
    raise gr.Error(INTERNAL_ERROR, print_exception=False) from e
