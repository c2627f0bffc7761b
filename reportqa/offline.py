"""The process-wide switches that keep every library off the network, in one place.

Importing this module changes nothing: the entry points (the `reportqa` command, the web
server, evaluation, the bench, the test suite) call `apply()` before any model, hub or UI
library is imported, and `child_env()` gives a subprocess the same switches.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TQDM_DISABLE": "1",
}


def apply() -> None:
    """Set the offline variables in this process (huggingface_hub reads them when imported)."""
    os.environ.update(OFFLINE_ENV)


def child_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """An environment for a child process: `base` (default: ours), offline, plus `extra`."""
    return {**(os.environ if base is None else base), **OFFLINE_ENV, **extra}


def is_applied(env: Mapping[str, str] | None = None) -> bool:
    """True when every offline variable has its offline value in `env` (default: ours)."""
    env = os.environ if env is None else env
    return all(env.get(k) == v for k, v in OFFLINE_ENV.items())
