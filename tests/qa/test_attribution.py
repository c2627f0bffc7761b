"""Who a figure is attributed to in its own sentence (qa/attribution.py)."""

from __future__ import annotations

import pytest

from qa.attribution import same_source, source_of
from qa.candidates import Candidate
from reportqa.models import Sentence
from reportqa.quantities import extract_quantities


def sources(text: str) -> list[tuple[float, str | None]]:
    qs = extract_quantities(text)
    s = Sentence(doc_id="d", index=0, start=0, end=len(text), text=text, search_text=text)
    return [(q.value, source_of(Candidate(quantity=q, sentence=s, rank=0, retrieval=0.0, sentence_quantities=qs)))
            for q in qs]


@pytest.mark.parametrize("text, expected", [
    ("According to the Ministry of Labour, 96 employers were fined; the inspectorate's own count was 88.",
     [(96, "Ministry of Labour"), (88, "inspectorate")]),
    # A range's second end is attributed with its first.
    ("The Port Authority estimates 300 to 350 boats, but the Coastal Fishers Union puts the number at 500 to 600.",
     [(300, "Port Authority"), (350, "Port Authority"), (500, "Coastal Fishers Union"), (600, "Coastal Fishers Union")]),
    # Bands and places of one sentence name no source.
    ("Among them, 124 victims were under 15, 31 were between 15 and 17, and 70 were over 18.",
     [(124, None), (15, None), (31, None), (15, None), (17, None), (70, None), (18, None)]),
    ("In Kampot province, inspectors found 38 workers owed back pay, while in Kep province they found 21.",
     [(38, None), (21, None)]),
])
def test_the_source_of_each_figure(text, expected):
    assert sources(text) == expected


def test_one_body_whatever_its_case():
    assert same_source("Ministry of Labour", "ministry of labour")
    assert not same_source("Ministry of Labour", None) and not same_source(None, None)
