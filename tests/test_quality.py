"""The rule engine against the held-out gold (tests/data/holdout: articles and gold written
by someone who never saw the engine), at the issue's targets. A regression guard: a change
that costs quality on real-looking news fails here."""

from __future__ import annotations

from llmextract import Extractor, evaluate

from .conftest import ROOT

HOLDOUT = ROOT / "tests" / "data" / "holdout"


def test_rule_engine_meets_the_quality_targets_on_held_out_articles() -> None:
    ex = Extractor(engine="rules", concurrency=4)
    records = list(ex.summarize_many(sorted((HOLDOUT / "articles").glob("*.txt"))))
    report = evaluate(records, HOLDOUT / "gold.jsonl")
    totals, acc = report.totals(), report.accuracies()
    assert len(records) == 8 and report.missing == []
    assert (totals["figures"].f1 or 0) >= 0.80
    assert (totals["quotes"].f1 or 0) >= 0.95
    assert (acc["speaker"].value or 0) >= 0.85
    assert (totals["entities"].recall or 0) >= 0.85
    assert (totals["entities"].precision or 0) >= 0.60
    assert acc["published"].value == 1.0
