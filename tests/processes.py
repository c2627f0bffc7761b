"""Helpers for tests that start real processes: wait for a server, race two writers."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest


def wait_until_serving(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    """Return once `url` answers 200; fail with the end of `log` if `proc` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the server did not answer within {timeout:.0f}s:\n{log.read_text()[-3000:]}")


@dataclass
class Race:
    """What happened when a second writer started while the first held the store."""

    second: subprocess.CompletedProcess
    elapsed: float  # seconds the second writer took to be refused
    first_was_running: bool  # the first writer was still at work when the second ended
    first_returncode: int
    first_stderr: str


def race_second_writer(first: subprocess.Popen, first_holds: Callable[[], None],
                       run_second: Callable[[], subprocess.CompletedProcess]) -> Race:
    """Once `first_holds()` returns, run the second writer; then let the first finish.
    The first is killed if anything goes wrong, so no process outlives the test."""
    try:
        first_holds()
        started = time.monotonic()
        second = run_second()
        elapsed = time.monotonic() - started
        running = first.poll() is None
        _, err = first.communicate(timeout=900)
    finally:
        if first.poll() is None:
            first.kill()
    return Race(second, elapsed, running, first.returncode, err or "")


def assert_refused_busy(race: Race, expected: str, busy_seconds: float) -> None:
    """The second writer stopped at once (exit 2) with `expected` in its message, while
    the first kept going and then finished cleanly."""
    assert race.second.returncode == 2, race.second.stdout + race.second.stderr
    assert expected in " ".join(race.second.stderr.split())
    assert race.elapsed < busy_seconds, f"the busy store took {race.elapsed:.1f}s to refuse"
    assert race.first_was_running, "the first ingest finished while the second ran: the race was not tested"
    assert race.first_returncode == 0, race.first_stderr[-2000:]
