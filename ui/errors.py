"""Turning any error raised in a handler into a message a person can read."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import gradio as gr

from reportqa.errors import ReportQAError

log = logging.getLogger("ui")

P = ParamSpec("P")
R = TypeVar("R")

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


def clean_errors(handler: Callable[P, R]) -> Callable[P, R]:
    """Decorate a Gradio handler so that every error leaves it through `raise_clean`.
    The signature is kept (functools.wraps), so Gradio still sees gr.Progress parameters."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - the one place UI errors are translated
            raise_clean(e)

    return wrapper
