"""`llmextract eval` and `llmextract.evaluate`: matching rules, joining by id, the CLI.

Every text here is invented for the tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from llmextract.evaluation import (
    EvalInputError,
    entity_key,
    evaluate,
    figure_overlap,
    quote_overlap,
    surname,
)
from llmextract.schemas.record import Result, Summary

from .conftest import ROOT

GOLD: list[dict[str, Any]] = [
    {"id": "a1", "title": "Flood waters rise in Lowtown", "published": "2031-04-02",
     "publisher": "The Valley Wire",
     "figures": [{"text": "at least 42 homes", "value": 42, "what": "homes flooded"},
                 {"text": "between 3 and 5 metres", "value": None, "what": "water depth"}],
     "quotes": [{"text": "We moved everyone to the school gym before midnight",
                 "speaker": "Mayor Ilse Brandvold"},
                {"text": "The river has never been this high", "speaker": None}],
     "entities": [{"name": "Lowtown", "type": "location"},
                  {"name": "Ilse Brandvold", "type": "person"},
                  {"name": "Valley Rescue Service", "type": "organization"}],
     "key_facts": ["Floods hit Lowtown."]},
    {"id": "a2", "title": "Ferry line adds routes", "published": None, "publisher": None,
     "figures": [{"text": "$1.5 million", "value": 1500000, "what": "cost"}],
     "quotes": [{"text": "Demand doubled in a single summer", "speaker": "Dr. Omar Quint"}],
     "entities": [{"name": "Northsound Ferries", "type": "organization"}],
     "key_facts": []},
]


def record(key: str, *, figures: Sequence[Any] = (), quotes: Sequence[Any] = (),
           entities: Sequence[Any] = (), status: str = "ok", **meta: Any) -> dict[str, Any]:
    summary = {"summary": "", "figures": [{"text": t, "value": v, "describes": "x"}
                                          for t, v in figures],
               "quotes": [{"text": t, "speaker": s} for t, s in quotes],
               "entities": [{"name": n, "type": ty} for n, ty in entities], **meta}
    return {"id": key, "status": status, "summary": summary}


def from_gold(line: dict[str, Any]) -> dict[str, Any]:
    return record(line["id"], figures=[(f["text"], f["value"]) for f in line["figures"]],
                  quotes=[(q["text"], q["speaker"]) for q in line["quotes"]],
                  entities=[(e["name"], e["type"]) for e in line["entities"]],
                  title=line["title"], published=line["published"],
                  publisher=line["publisher"])


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def one(pred: dict[str, Any], gold: dict[str, Any]) -> Any:
    (article,) = evaluate([pred], [gold]).articles
    return article


# ---- the whole gold against itself -------------------------------------------------------

def test_gold_against_records_built_from_it_scores_one(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    pred = write_jsonl(tmp_path / "pred.jsonl", [from_gold(g) for g in reversed(GOLD)])
    report = evaluate(pred, gold)
    for score in report.totals().values():
        assert (score.precision, score.recall, score.f1, score.fp, score.fn) == (1, 1, 1, 0, 0)
    for name, acc in report.accuracies().items():
        assert acc.value == 1.0, name
    assert report.accuracies()["published"].total == 1  # a2's null date is not scored
    assert not report.missing and not report.extra and not report.duplicates


def test_result_objects_and_gold_shaped_pred_are_accepted(tmp_path: Path) -> None:
    results = [Result(id=g["id"], status="ok", summary=Summary.model_validate(
        {**from_gold(g)["summary"]})) for g in GOLD]
    assert evaluate(results, GOLD).totals()["quotes"].f1 == 1.0
    gold = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    assert evaluate(gold, gold).totals()["figures"].f1 == 1.0


def test_json_array_file(tmp_path: Path) -> None:
    pred = tmp_path / "pred.json"
    pred.write_text(json.dumps([from_gold(g) for g in GOLD], indent=2), encoding="utf-8")
    assert evaluate(pred, GOLD).totals()["entities"].recall == 1.0


# ---- figures -----------------------------------------------------------------------------

def test_figure_value_mismatch_is_no_match() -> None:
    a = one(record("a2", figures=[("$1.5 million", 1_600_000)]), GOLD[1])
    assert (a.fields["figures"].tp, a.fields["figures"].fp, a.fields["figures"].fn) == (0, 1, 1)
    assert a.misses["figures"] == ["$1.5 million"]


def test_figure_value_tolerance_and_missing_value() -> None:
    assert one(record("a2", figures=[("1.5 million", 1_500_000.0000001)]),
               GOLD[1]).fields["figures"].tp == 1
    assert one(record("a2", figures=[("$1.5 million", 1_500_001)]),  # 6.7e-7 relative
               GOLD[1]).fields["figures"].tp == 1
    assert one(record("a2", figures=[("$1.5 million", 1_500_002)]),  # 1.3e-6 relative
               GOLD[1]).fields["figures"].tp == 0
    assert one(record("a2", figures=[("$1.5 million", None)]), GOLD[1]).fields["figures"].tp == 0


def test_gold_null_value_matches_any_value() -> None:
    a = one(record("a1", figures=[("3 and 5 metres", 3)]), GOLD[0])
    assert a.fields["figures"].tp == 1 and a.misses["figures"] == ["at least 42 homes"]


def test_figure_half_word_overlap_boundary() -> None:
    # "at least 42 homes" (4 words) vs "42 cars" (2 words): 1 shared / 2 = 0.5 -> match
    assert figure_overlap("42 cars", "at least 42 homes") == 0.5
    assert one(record("a1", figures=[("42 cars", 42)]), GOLD[0]).fields["figures"].tp == 1
    # "42 flooded cars" (3 words): 1 / 3 < 0.5 -> no match
    assert one(record("a1", figures=[("42 flooded cars", 42)]), GOLD[0]).fields["figures"].tp == 0


def test_figure_normalises_case_quotes_and_punctuation() -> None:
    assert figure_overlap("AT LEAST 42 “homes”,", "at least 42 homes") == 1.0
    assert figure_overlap("1,100", "1100 people") == 1.0


# ---- quotes and speakers -----------------------------------------------------------------

def test_quote_overlap_is_shared_over_longer() -> None:
    gold = "one two three four five six seven eight nine ten"
    assert quote_overlap("one two three four five six", gold) == 0.6
    assert quote_overlap("one two three four five", gold) == 0.5
    g = {**GOLD[1], "quotes": [{"text": gold, "speaker": None}]}
    assert one(record("a2", quotes=[("One two three four five six", None)]),
               g).fields["quotes"].tp == 1
    assert one(record("a2", quotes=[("one two three four five", None)]),
               g).fields["quotes"].tp == 0


def test_speaker_surname_with_title_and_possessive() -> None:
    assert surname("Mayor Ilse Brandvold") == surname("Brandvold") == "brandvold"
    assert surname("Dr. Omar Quint, the line's chief economist") == "quint"
    assert surname("Quint's") == "quint"
    a = one(record("a2", quotes=[("Demand doubled in a single summer", "Omar Quint")]), GOLD[1])
    assert a.accuracy["speaker"].value == 1.0
    b = one(record("a2", quotes=[("Demand doubled in a single summer", "Anna Quist")]), GOLD[1])
    assert b.accuracy["speaker"].value == 0.0 and "Anna Quist" in b.wrong[0]


def test_null_speakers() -> None:
    q = "The river has never been this high"
    assert one(record("a1", quotes=[(q, None)]), GOLD[0]).accuracy["speaker"].value == 1.0
    assert one(record("a1", quotes=[(q, "Ilse Brandvold")]),
               GOLD[0]).accuracy["speaker"].value == 0.0
    q2 = "We moved everyone to the school gym before midnight"
    assert one(record("a1", quotes=[(q2, None)]), GOLD[0]).accuracy["speaker"].value == 0.0


def test_matching_is_one_to_one() -> None:
    q = "Demand doubled in a single summer"
    a = one(record("a2", quotes=[(q, "Quint"), (q, "Quint")]), GOLD[1])
    assert (a.fields["quotes"].tp, a.fields["quotes"].fp) == (1, 1)


# ---- entities ----------------------------------------------------------------------------

def test_entity_normalisation() -> None:
    assert entity_key("President Ilse Brandvold's") == entity_key("ilse brandvold")
    assert entity_key("the U.S.") == entity_key("US") == "us"
    assert entity_key("Valley Rescue-Service") == "valley rescue service"
    assert entity_key("The President") == "president"
    a = one(record("a1", entities=[("the Valley Rescue Service", "other"),
                                   ("Mayor Ilse Brandvold", "person"), ("Highville", "location")]),
            GOLD[0])
    s = a.fields["entities"]
    assert (s.tp, s.fp, s.fn) == (2, 1, 1)
    assert a.accuracy["entity_type"].to_dict() == {"correct": 1, "total": 2, "accuracy": 0.5}


# ---- metadata ----------------------------------------------------------------------------

def test_dates_publisher_title() -> None:
    a = one(record("a1", published="2031-04-03", publisher="valley wire",
                   title="Flood Waters Rise in Lowtown!"), GOLD[0])
    assert a.accuracy["published"].value == 0.0
    assert a.accuracy["publisher"].value == 1.0 and a.accuracy["title"].value == 1.0
    b = one(record("a2", published="2031-01-01"), GOLD[1])  # gold states no date: not scored
    assert b.accuracy["published"].total == 0 and b.accuracy["title"].value == 0.0


# ---- joining, errors, empty files --------------------------------------------------------

def test_missing_ids_both_ways_and_duplicates() -> None:
    report = evaluate([from_gold(GOLD[0]), record("zz"), from_gold(GOLD[0])], GOLD)
    assert report.missing == ["a2"] and report.extra == ["zz"]
    assert report.duplicates == ["pred a1"]
    (a2,) = [a for a in report.articles if a.id == "a2"]
    assert a2.status == "missing" and a2.fields["figures"].fn == 1
    assert report.totals()["figures"].recall == pytest.approx(2 / 3)
    text = report.format()
    assert "zz" in text and "a2" in text


def test_error_record_predicts_nothing() -> None:
    err = {"id": "a1", "status": "error", "summary": None,
           "error": {"type": "InputError", "message": "unreadable"}}
    a = one(err, GOLD[0])
    assert a.status == "error"
    assert all(s.tp == 0 and s.fp == 0 for s in a.fields.values())
    assert a.accuracy["published"].value == 0.0


def test_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    report = evaluate(empty, empty)
    assert report.articles == [] and report.totals()["figures"].f1 is None
    assert "0 articles scored" in report.format(details=True)
    only_gold = evaluate(empty, GOLD)
    assert only_gold.missing == ["a1", "a2"] and only_gold.totals()["quotes"].recall == 0.0


def test_bad_lines_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(GOLD[0]) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"bad\.jsonl:3: not valid JSON"):
        evaluate(bad, GOLD)
    bad.write_text(json.dumps({"title": "no id"}) + "\n", encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"bad\.jsonl:1: no 'id'"):
        evaluate(GOLD, bad)
    bad.write_text(json.dumps(record("a1", figures=[("42 homes", "many")])) + "\n",
                   encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"bad\.jsonl:1: figure"):
        evaluate(bad, GOLD)
    with pytest.raises(EvalInputError, match=r"nope\.jsonl: cannot read"):
        evaluate(tmp_path / "nope.jsonl", GOLD)


def test_package_export() -> None:
    import llmextract.evaluation  # importing the module first must not shadow the function
    from llmextract import __all__
    from llmextract import evaluate as fn

    assert "evaluate" in __all__ and callable(fn) and fn is llmextract.evaluation.evaluate
    assert fn(GOLD, GOLD).totals()["quotes"].f1 == 1.0


# ---- the command line --------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "llmextract", "eval", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_cli_table_details_and_json(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    pred = write_jsonl(tmp_path / "pred.jsonl",
                       [record("a1", figures=[("at least 42 homes", 42)]), record("zz")])
    proc = run_cli(str(pred), str(gold))
    assert proc.returncode == 0, proc.stderr
    assert "figures" in proc.stdout and "records without gold (not scored): zz" in proc.stdout
    assert "a1 " not in proc.stdout
    proc = run_cli(str(pred), str(gold), "--details")
    assert proc.returncode == 0
    rows = [ln.split()[0] for ln in proc.stdout.splitlines() if ln.startswith(("a1", "a2"))]
    assert rows == ["a1", "a2"]
    assert "missed quotes: We moved everyone" in proc.stdout
    proc = run_cli(str(pred), str(gold), "--json")
    data = json.loads(proc.stdout)
    assert data["figures"]["tp"] == 1 and data["figures"]["gold"] == 3
    assert data["gold_without_record"] == ["a2"] and data["records_without_gold"] == ["zz"]
    assert [a["id"] for a in data["articles"]] == ["a1", "a2"]


def test_cli_unreadable_file_exits_2(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    bad = tmp_path / "pred.jsonl"
    bad.write_text('{"id": "a1", "status": "ok", "summary": null}\n[1, 2\n', encoding="utf-8")
    proc = run_cli(str(bad), str(gold))
    assert proc.returncode == 2 and "pred.jsonl:2" in proc.stderr and not proc.stdout
    proc = run_cli(str(tmp_path / "missing.jsonl"), str(gold))
    assert proc.returncode == 2 and "missing.jsonl" in proc.stderr
