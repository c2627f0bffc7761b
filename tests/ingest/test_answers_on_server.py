"""The answer tests over the example reports (tests/qa/test_answers.py), run again with the
store on a Chroma server: the same questions must give the same answers and exact offsets
when manifest, document records and vectors come over HTTP and BM25 is built by the reader.

The tests are taken from that module as they are (new ones join automatically); only the
`examples_qa` fixture differs. Left out: tests that do not use the store, and the CLI test,
which passes only `--data-dir` (the CLI against a server is tested in test_replicas.py).
"""

from __future__ import annotations

import inspect

import pytest

from qa.service import QA
from reportqa.settings import Settings
from tests.conftest import EXAMPLES
from tests.qa import test_answers as embedded

NOT_HERE = {"test_cli_ask_json_has_offsets"}

for _name, _test in vars(embedded).items():
    if (_name.startswith("test_") and _name not in NOT_HERE and callable(_test)
            and "examples_qa" in inspect.signature(_test).parameters):
        globals()[_name] = _test


@pytest.fixture(scope="module")
def examples_qa(request, tmp_path_factory, embedder):
    """The example reports ingested into a collection of their own on the session's Chroma server."""
    from ingest.pipeline import Ingestor

    url = request.getfixturevalue("chroma_server")
    settings = Settings(data_dir=tmp_path_factory.mktemp("examples-server") / "data", chroma_url=url,
                        collection="examples_answers")
    results = Ingestor(settings, embedder=embedder).ingest([EXAMPLES])
    assert results and all(r.status == "new" for r in results)
    assert not settings.data_dir.exists() or not any(settings.data_dir.rglob("*.json"))
    return QA(settings, embedder=embedder)


def test_the_server_store_holds_what_the_embedded_one_would(examples_qa):
    """Not vacuous: the reader built its snapshot from the server's records."""
    snap = examples_qa.reader.snapshot()
    assert examples_qa.settings.chroma_url and snap.documents
    assert len(snap.lexical.ids) == sum(d.sentences for d in snap.manifest.documents.values())
