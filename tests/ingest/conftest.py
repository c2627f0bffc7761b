"""Fixtures for ingestion tests: both Chroma modes, with one real server on loopback per session."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from ingest.pipeline import Ingestor
from reportqa import offline
from reportqa.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server on a free loopback port, stopped at the end of the session."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    # The `chroma` console script's own code, run by this interpreter: found in any venv.
    chroma = [sys.executable, "-c", "from chromadb.cli.cli import app; app()"]
    env = offline.child_env()
    proc = subprocess.Popen(
        [*chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(params=["embedded", "server"])
def mode_settings(request, tmp_path):
    if request.param == "server":
        url = request.getfixturevalue("chroma_server")
        # One collection per test: the server is shared across the session.
        return Settings(data_dir=tmp_path / "data", chroma_url=url, collection=f"t{abs(hash(tmp_path)) % 10**9}")
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def mode_ingestor(mode_settings, embedder):
    return Ingestor(mode_settings, embedder=embedder)


