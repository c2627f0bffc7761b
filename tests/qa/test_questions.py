"""Hostile questions: refused with a clear message, or answered, never an exception or a hang.

Unusable questions (empty, blank, too long, no words) raise BadInput saying what is
wrong. Odd but usable ones (other scripts, regex and SQL metacharacters, a bare
number) get an answer (or a clean message). None of them changes the store.
"""

from __future__ import annotations


import pytest

from qa.question import parse_question
from qa.service import QA, clean_question
from reportqa.errors import BadInput
from reportqa.settings import Settings

REPORT = (
    "# Shelter figures 2022\n\n"
    "In 2022 the shelter took in 358 people, including 97 children.\n\n"
    "Staff answered 1,250 hotline calls. Police arrested 149 suspects.\n"
)


@pytest.fixture(scope="module")
def qa(tmp_path_factory, embedder):
    from ingest.pipeline import Ingestor

    root = tmp_path_factory.mktemp("questions")
    (root / "shelter.md").write_text(REPORT, encoding="utf-8")
    settings = Settings(data_dir=root / "data")
    (result,) = Ingestor(settings, embedder=embedder).ingest([root / "shelter.md"])
    assert result.status == "new"
    return QA(settings, embedder=embedder)


@pytest.fixture
def intact(qa):
    """Asserts after the test that the store is exactly as before."""
    store = qa.reader.store
    manifest, count = store.read_manifest(), store.count()
    yield
    assert store.read_manifest() == manifest
    assert store.count() == count


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "question, message",
    [
        ("", "the question is empty"),
        (None, "the question is empty"),
        ("   \n\t  ", "the question is empty"),
        ("\u3000\u2003", "the question is empty"),  # ideographic and em spaces
        ("x" * 100_000, "the question is 100,000 characters long; the limit is 1,000"),
        ("?!...;:--()[]{}", "the question has no words or numbers in it"),
        (".*[(", "the question has no words or numbers in it"),  # a bare regex is only punctuation
        ("\x00\x00\x00", "the question has no words or numbers in it"),
        ("🤔🤔?", "the question has no words or numbers in it"),
    ],
    ids=["empty", "none", "whitespace", "unicode-spaces", "100k-chars", "punctuation", "bare-regex", "nul", "emoji"],
)
def test_unusable_questions_get_a_clean_message(qa, intact, question, message):
    with pytest.raises(BadInput) as exc:
        qa.answer(question)
    assert str(exc.value).startswith(message)
    assert "Traceback" not in str(exc.value) and len(str(exc.value)) < 200
    with pytest.raises(BadInput):
        clean_question(question, 1000)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "question",
    [
        "¿Cuántas personas acogió el refugio en 2022?",
        "2022年收容所接收了多少人？",
        "كم عدد الأشخاص الذين استقبلهم الملجأ في عام 2022؟",
        "Сколько людей приняло убежище?",
        "How many .*[( people were taken in?",
        "shelter.*[(",
        "'; DROP TABLE x; --",
        "\" OR 1=1 --",
        "$(rm -rf /) `id` ${HOME}",
        "<script>alert(1)</script> how many children?",
        "358",
        "How many people did the shelter take in?" + " " * 500,
        "how many " * 100,
    ],
    ids=["spanish", "chinese", "arabic", "russian", "regex", "regex-glued", "sql", "sql-or", "shell", "html", "number-only",
         "trailing-spaces", "repeated-words"],
)
def test_odd_questions_get_an_answer(qa, intact, question):
    answer = qa.answer(question)
    assert answer.question == clean_question(question, 1000)  # NFKC, spaces collapsed
    assert answer.text.strip()
    # An answer either cites what it says or says the reports do not tell.
    assert answer.citations or answer.kind == "not_found", answer
    for c in answer.citations:  # whatever was found is quoted exactly
        text = qa.reader.snapshot().documents[c.doc_id].text
        assert text[c.start:c.end] == c.text


@pytest.mark.timeout(60)
def test_number_only_question_finds_its_sentence(qa, intact):
    answer = qa.answer("358")
    assert answer.citations and "358" in answer.citations[0].text


def test_question_at_the_limit_is_accepted_one_more_is_not():
    assert len(clean_question("a" * 1000, 1000)) == 1000
    with pytest.raises(BadInput, match="1,001 characters"):
        clean_question("a" * 1001, 1000)


def test_shared_answerer_is_keyed_on_every_setting(tmp_path):
    class Probe(QA):
        def __init__(self, settings):  # no model or store: only the cache key is under test
            self.settings = settings

    base = Settings(data_dir=tmp_path / "data")
    same = Settings(data_dir=tmp_path / "data")
    other_k = Settings(data_dir=tmp_path / "data", top_k=base.top_k + 5)
    assert Probe.shared(base) is Probe.shared(same)
    assert Probe.shared(other_k) is not Probe.shared(base)
    assert Probe.shared(other_k).settings.top_k == base.top_k + 5


@pytest.mark.parametrize("text, source", [
    ("What is UNICEF's upper estimate of the number of restavek children?", ["unicef"]),
    ("What was the Ministry of Labour's count of inspections?", ["ministri", "labour"]),
    ("How many employers were fined according to the inspectorate?", ["inspector"]),
    ("How many of the company's shares were sold?", []),  # not a name: lower case
    ("Oxfam's estimate of the displaced?", []),  # a question's first word is capitalised anyway
])
def test_the_source_a_question_names(text, source):
    assert parse_question(text).source == source
