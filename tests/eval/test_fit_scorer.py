"""The fitted scorer: the fit learns what separates right figures from wrong ones, and the
committed qa/scorer_fitted.json is what `python -m eval.fit_scorer` writes from the dev sets."""

from __future__ import annotations

import json
import random

import pytest

from eval.fit_scorer import Rows, fit, main
from qa.features import FEATURES, scorer_weights
from tests.conftest import REPO, SHARED

FITTED = REPO / "qa" / "scorer_fitted.json"
BENCH = SHARED / "benchmarks"


def _synthetic(n_questions: int = 120) -> Rows:
    """Questions whose right figure is the one with `year_hit`; the hand score is noise."""
    rng = random.Random(7)
    rows = Rows()
    for q in range(n_questions):
        right = rng.randrange(5)
        for i in range(5):
            f = dict.fromkeys(FEATURES, 0.0)
            f["match"] = rng.random()
            f["year_hit"] = float(i == right)
            rows.x.append([f[k] for k in FEATURES])
            rows.y.append(int(i == right))
            rows.hand.append(rng.random())
            rows.question.append(q)
            rows.group.append(f"doc{q % 10}")
    rows.questions = rows.choosable = n_questions
    return rows


def test_the_fit_learns_the_feature_that_tells_right_from_wrong():
    result = fit(_synthetic(), c=1.0)
    w = result["weights"]
    assert w["year_hit"] > 0 and w["year_hit"] > 5 * abs(w["match"])
    assert result["cv"]["fitted_top1"] == 1.0 and result["cv"]["hand_top1"] < 0.5


def test_a_test_split_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([str(BENCH / "tatqa" / "tatqa_text.test.jsonl") + f"@{tmp_path}", "--out", str(tmp_path / "w.json")])
    assert "dev splits only" in capsys.readouterr().err


def test_the_committed_weights_name_only_known_features():
    assert set(scorer_weights("fitted")) <= set(FEATURES)
    assert set(scorer_weights("hand")) <= set(FEATURES)


@pytest.mark.shared
def test_the_script_reproduces_the_committed_fitted_weights(bench_store, embedder, tmp_path):
    """The same dev sets over the same stores give the committed weights and CV figures."""
    from eval.fit_scorer import collect
    from ingest.pipeline import Ingestor
    from reportqa.settings import Settings

    realworld = Settings(data_dir=tmp_path / "realworld")
    assert Ingestor(realworld, embedder=embedder).ingest([BENCH / "realworld_dev" / "docs"])
    committed = json.loads(FITTED.read_text(encoding="utf-8"))
    assert committed["sets"] == ["realworld.dev.jsonl", "tatqa_text.dev.jsonl", "tatqa_table.dev.jsonl",
                                 "drop_num.dev.jsonl", "sar_kheng.jsonl"]
    sets = [(BENCH / "realworld_dev" / "realworld.dev.jsonl", realworld.data_dir),
            (BENCH / "tatqa" / "tatqa_text.dev.jsonl", bench_store.data_dir),
            (BENCH / "tatqa" / "tatqa_table.dev.jsonl", bench_store.data_dir),
            (BENCH / "drop" / "drop_num.dev.jsonl", bench_store.data_dir),
            (REPO / "eval" / "gold" / "sar_kheng.jsonl", bench_store.data_dir)]
    rows = collect(sets, embedder=embedder)
    result = fit(rows)
    # Chroma's nearest-neighbour graph is built differently by each build, so a few questions
    # retrieve other ties. Measured over four builds of the same stores (2026-12-03): rows
    # 8013 to 8147, fitted CV top-1 0.679 to 0.693, single weights up to 0.19 apart, and the
    # fitted weights of two builds pick the same top figure for 96.4 % to 98.5 % of the
    # questions. The fit before the frame features agreed with the committed one on 94.5 %.
    assert result["rows"] == pytest.approx(committed["rows"], rel=0.03)
    for key in ("fitted_top1", "hand_top1"):
        assert result["cv"][key] == pytest.approx(committed["cv"][key], abs=0.02), key
    agree = _same_top_choice(rows, committed["weights"], result["weights"])
    print(f"same top figure as the committed weights: {agree:.3f}")
    assert agree >= 0.955


def _same_top_choice(rows: Rows, a: dict[str, float], b: dict[str, float]) -> float:
    """Share of the rows' questions whose best-scored candidate is the same under weights a and b."""
    def best(weights):
        top: dict[int, tuple[float, int]] = {}
        for i, (x, q) in enumerate(zip(rows.x, rows.question)):
            score = sum(weights.get(k, 0.0) * v for k, v in zip(FEATURES, x))
            if q not in top or score > top[q][0]:
                top[q] = (score, i)
        return {q: i for q, (_, i) in top.items()}
    ta, tb = best(a), best(b)
    return sum(ta[q] == tb[q] for q in ta) / max(len(ta), 1)
