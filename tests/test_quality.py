"""The rule engine against the held-out gold (tests/data/holdout: articles and gold written
by someone who never saw the engine), at the issue's targets. A regression guard: a change
that costs quality on real-looking news fails here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llmextract import Extractor, evaluate

from .conftest import ROOT

HOLDOUT = ROOT / "tests" / "data" / "holdout"


def test_rule_engine_meets_the_quality_targets_on_held_out_articles() -> None:
    totals, acc = _measure(HOLDOUT)
    assert (totals["figures"].f1 or 0) >= 0.80
    assert (totals["quotes"].f1 or 0) >= 0.95
    assert (acc["speaker"].value or 0) >= 0.85
    assert (totals["entities"].recall or 0) >= 0.85
    assert (totals["entities"].precision or 0) >= 0.60
    assert acc["published"].value == 1.0


def _measure(folder: Path) -> tuple[Any, Any]:
    with Extractor(engine="rules", concurrency=4) as ex:
        records = list(ex.summarize_many(sorted((folder / "articles").glob("*.txt"))))
    report = evaluate(records, folder / "gold.jsonl")
    assert report.missing == [] and len(records) == len(list((folder / "articles").iterdir()))
    return report.totals(), report.accuracies()


def test_second_english_held_out_set_written_for_issue_13() -> None:
    """British ASCII quotes, short quoted phrases, numeric dates (tests/data/holdout2).
    Floors at what the engine reached (the issue's targets: quotes F1 0.95, every date,
    entity precision 0.75 and recall 0.85; recall stands at 0.87)."""
    totals, acc = _measure(ROOT / "tests" / "data" / "holdout2")
    assert (totals["figures"].f1 or 0) >= 0.85
    assert (totals["quotes"].f1 or 0) >= 0.95
    assert (acc["speaker"].value or 0) >= 0.85
    assert (totals["entities"].precision or 0) >= 0.75
    assert (totals["entities"].recall or 0) >= 0.85
    assert acc["published"].value == 1.0


@pytest.mark.parametrize("lang", ["de", "fr", "es", "it", "pt"])
def test_other_languages_floors(lang: str) -> None:
    """Five articles per language (tests/data/lang): floors a little under what the engine
    reaches today, so a change that costs quality in a language fails here."""
    totals, acc = _measure(ROOT / "tests" / "data" / "lang" / lang)
    assert (totals["figures"].f1 or 0) >= 0.90
    assert (totals["quotes"].f1 or 0) >= 0.95
    assert (acc["speaker"].value or 0) >= 0.85
    recall, precision = _ENTITY_FLOORS.get(lang, (0.50, 0.50))
    assert (totals["entities"].recall or 0) >= recall
    assert (totals["entities"].precision or 0) >= precision
    assert acc["published"].value == 1.0


# German entities measured at recall 0.892, precision 0.866 (de_entities' rules)
_ENTITY_FLOORS = {"de": (0.86, 0.83)}


@pytest.mark.parametrize(("lang", "fig", "quo", "spk", "rec", "prec"), [
    ("en", 0.90, 0.95, 0.80, 0.80, 0.80),
    ("fr", 0.88, 0.95, 0.60, 0.75, 0.70),
    ("es", 0.93, 0.95, 0.95, 0.82, 0.74),
    ("it", 0.92, 0.95, 0.95, 0.80, 0.78),
    ("pt", 0.87, 0.95, 0.65, 0.85, 0.70),
])
def test_third_held_out_set_per_language(lang: str, fig: float, quo: float, spk: float,
                                         rec: float, prec: float) -> None:
    """tests/data/holdout3: written by someone who never opened the engine; floors a little
    under what the engine reaches now (docs/languages.md gives the held-out and the current
    figures; several of issue 13's targets are not met here)."""
    totals, acc = _measure(ROOT / "tests" / "data" / "holdout3" / lang)
    assert (totals["figures"].f1 or 0) >= fig
    assert (totals["quotes"].f1 or 0) >= quo
    assert (acc["speaker"].value or 0) >= spk
    assert (totals["entities"].recall or 0) >= rec
    assert (totals["entities"].precision or 0) >= prec


@pytest.mark.parametrize(("folder", "lang", "fig", "quo", "rec"), [
    ("holdout4", "en", 0.88, 0.95, 0.80), ("holdout4", "de", 0.80, 0.95, 0.75),
    ("holdout4", "fr", 0.80, 0.95, 0.78), ("holdout4", "es", 0.78, 0.95, 0.68),
    ("holdout4", "it", 0.87, 0.93, 0.82), ("holdout4", "pt", 0.79, 0.95, 0.78),
    ("holdout5", "en", 0.88, 0.95, 0.75), ("holdout5", "de", 0.84, 0.95, 0.60),
    ("holdout5", "fr", 0.88, 0.95, 0.72), ("holdout5", "es", 0.75, 0.95, 0.72),
    ("holdout5", "it", 0.66, 0.95, 0.82), ("holdout5", "pt", 0.84, 0.95, 0.82),
])
def test_held_out_sets(folder: str, lang: str, fig: float, quo: float, rec: float) -> None:
    """tests/data/holdout4 and holdout5: never tuned on; floors under their held-out figures
    (docs/languages.md), so a change that loses ground on unseen text shows."""
    totals, _ = _measure(ROOT / "tests" / "data" / folder / lang)
    assert (totals["figures"].f1 or 0) >= fig
    assert (totals["quotes"].f1 or 0) >= quo
    assert (totals["entities"].recall or 0) >= rec
