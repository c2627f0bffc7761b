"""A real `reportqa serve` for the UI integration tests, started once per session.

The store is a temp folder into which the fixture first ingests two reports of its
own (with the `reportqa ingest` CLI): a seed report with a known figure, a helpline report
for the conversation tests, and a hostile
one whose text and title hold HTML that would run if it were not escaped.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportqa import offline
from tests.processes import wait_until_serving
from tests.ui.reports import CHAT_REPORT, HOSTILE_REPORT, SEED_REPORT

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 120


@dataclass
class Server:
    url: str
    data_dir: Path
    work: Path


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(data_dir: Path) -> dict[str, str]:
    env = offline.child_env(REPORTQA_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    env.pop("GRADIO_TEMP_DIR", None)  # the server keeps its upload cache in the data folder
    return env


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory) -> Server:
    """Ingest the two reports, start `reportqa serve` on a free loopback port, stop it at the end."""
    work = tmp_path_factory.mktemp("ui-server")
    data_dir = work / "data"
    reports = work / "reports"
    reports.mkdir()
    (reports / "seed-report.md").write_text(SEED_REPORT, encoding="utf-8")
    (reports / "hostile-report.txt").write_text(HOSTILE_REPORT, encoding="utf-8")
    (reports / "coastal-helpline.md").write_text(CHAT_REPORT, encoding="utf-8")  # conversation tests
    env = server_env(data_dir)
    ingest = subprocess.run([str(BIN / "reportqa"), "ingest", "--json", str(reports)], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert ingest.returncode == 0, ingest.stdout[-2000:] + ingest.stderr[-2000:]

    port = free_port()
    log = work / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(BIN / "reportqa"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, cwd=work, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, proc, log, STARTUP_TIMEOUT)
        yield Server(url=url, data_dir=data_dir, work=work)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
