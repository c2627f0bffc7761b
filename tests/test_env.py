"""The suite's own guarantees: default settings in every test, and the offline switches."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reportqa import offline
from reportqa.settings import Settings


@pytest.mark.parametrize("turn", ["sets", "sees"])
def test_reportqa_variables_do_not_leak_between_tests(turn):
    # The first case sets a variable without cleaning up; the second must not see it.
    assert not [k for k in os.environ if k.startswith("REPORTQA_")]
    assert Settings().top_k == Settings.model_fields["top_k"].default
    if turn == "sets":
        os.environ["REPORTQA_TOP_K"] = "3"
        assert Settings().top_k == 3


def test_offline_switches_are_applied_and_given_to_children():
    assert offline.is_applied()
    env = offline.child_env({"PATH": "/bin", "HF_HUB_OFFLINE": "0"}, REPORTQA_DATA_DIR="/tmp/x")
    assert env["PATH"] == "/bin" and env["REPORTQA_DATA_DIR"] == "/tmp/x"
    assert offline.is_applied(env)  # the offline value wins over the caller's
    assert not offline.is_applied({"PATH": "/bin"})


def test_importing_offline_sets_nothing():
    code = "import os, reportqa.offline as o; print(any(os.environ.get(k) == v for k, v in o.OFFLINE_ENV.items()))"
    env = {k: v for k, v in os.environ.items() if k not in offline.OFFLINE_ENV}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
