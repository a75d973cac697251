"""The one typed reader of result records (llmextract.schemas.reader): lenient about
records from older versions, a broken line reported with its number, never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmextract.schemas.reader import BadLine, RecordError, read_records, record_from_dict
from llmextract.schemas.record import Result

ARTICLE = "Acme Corp said profit rose 7 percent. \"We did well,\" Wile Coyote said."


def old_record(rid: str = "old") -> dict[str, Any]:
    """A record as an older llmextract wrote it: no text_sha256, summary_support, trust or
    review, and a key this version does not know."""
    return {
        "id": rid, "input": "art.txt", "status": "ok", "engine": "llm",
        "summary": {"title": "Acme profit", "summary": "Profit rose.", "key_points": [],
                    "figures": [{"text": "7 percent", "value": 7, "unit": "percent",
                                 "describes": "profit growth", "span": [27, 36],
                                 "source": "llm"}],
                    "quotes": [{"text": "We did well", "speaker": "Wile Coyote",
                                "span": [39, 50], "source": "llm"}],
                    "entities": [{"name": "Acme Corp", "type": "organization",
                                  "span": [0, 9], "source": "both"}],
                    "topics": ["business"]},
        "dropped": [], "model": "gpt-4o-mini", "cached": False,
        "usage": {"requests": 1, "prompt_tokens": 10, "completion_tokens": 5},
        "error": None, "elapsed_ms": 3.0, "legacy_score": 0.9,
    }


def test_old_record_loads_with_defaults_and_a_note() -> None:
    notes: list[str] = []
    result = record_from_dict(old_record(), notes)
    assert isinstance(result, Result)
    assert result.text_sha256 is None and result.summary_support == []
    assert result.trust is None and result.review is None
    assert result.summary is not None and result.summary.figures[0].span == (27, 36)
    assert notes == ["record 'old': unknown field(s) ignored: legacy_score"]


def test_invalid_records_name_the_place() -> None:
    rec = old_record()
    rec["summary"]["figures"][0]["value"] = "many"
    with pytest.raises(RecordError, match=r"^figure 1 of the summary: value"):
        record_from_dict(rec)
    with pytest.raises(RecordError, match=r"^status: "):
        record_from_dict({"id": "x", "status": "weird"})
    with pytest.raises(RecordError, match=r"^id: Field required"):
        record_from_dict({"status": "ok"})


def test_broken_lines_are_reported_with_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    lines = [json.dumps(old_record("a")), '{"id": "broken', "", json.dumps([1, 2]),
             json.dumps({"id": "b", "status": "nope"}), json.dumps(old_record("c"))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    notes: list[str] = []
    got = list(read_records(path, notes))
    assert [r.id for r in got if isinstance(r, Result)] == ["a", "c"]
    bad = [b for b in got if isinstance(b, BadLine)]
    assert [b.line for b in bad] == [2, 4, 5]
    assert bad[0].reason.startswith("not valid JSON")
    assert bad[1].reason == "not a JSON object (list)"
    assert bad[2].reason.startswith("status: ")
    assert len(notes) == 2
    # lines of text and a JSON array read the same way
    assert [type(r) for r in read_records(lines)] == [type(r) for r in got]
    path.write_text(json.dumps([old_record("a"), "junk"]), encoding="utf-8")
    assert [getattr(r, "line", None) for r in read_records(str(path))] == [None, 2]


def test_written_records_read_back_unchanged() -> None:
    from llmextract import Extractor

    result = Extractor(engine="rules").summarize(ARTICLE, id="acme")
    (back,) = read_records([result.to_json()])
    assert back == result


def test_report_renders_old_records_and_names_broken_lines(tmp_path: Path) -> None:
    from llmextract.report import write_report

    (tmp_path / "art.txt").write_text(ARTICLE, encoding="utf-8")
    results = tmp_path / "out.jsonl"
    results.write_text("\n".join([json.dumps(old_record("a")), "{oops",
                                  json.dumps({"id": "b", "status": "nope"})]) + "\n",
                       encoding="utf-8")
    out = tmp_path / "r.html"
    stats = write_report(results, out, base_dir=tmp_path, articles=tmp_path)
    html = out.read_text(encoding="utf-8")
    assert stats.articles == 1 and stats.bad_lines == [2, 3] and stats.text_missing == 0
    assert "line 2: not valid JSON" in html and "line 3: status: " in html
    assert "unknown field(s) ignored: legacy_score" in html
    assert html.count("<mark") == 3 and "Acme profit" in html


def test_eval_scores_old_records_and_names_invalid_ones(tmp_path: Path) -> None:
    from llmextract.evaluation import EvalInputError, evaluate

    gold = {"id": "old", "figures": [{"text": "7 percent", "value": 7}],
            "quotes": [{"text": "We did well", "speaker": "Wile Coyote"}],
            "entities": [{"name": "Acme Corp", "type": "organization"}]}
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps(old_record()) + "\n", encoding="utf-8")
    report = evaluate(pred, [gold])
    assert {k: v.f1 for k, v in report.totals().items()} == {
        "figures": 1.0, "quotes": 1.0, "entities": 1.0}
    bad = old_record()
    bad["summary"]["quotes"][0]["speaker"] = 7
    pred.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"pred\.jsonl:1: quote 1 of the summary: speaker"):
        evaluate(pred, [gold])


def test_a_renamed_field_fails_loudly() -> None:
    """Readers use typed attributes: a record field under another name is refused, not
    read as missing."""
    rec = old_record()
    rec["summary"]["figures"][0]["figure_text"] = rec["summary"]["figures"][0].pop("text")
    with pytest.raises(RecordError, match=r"figure 1 of the summary: text: Field required"):
        record_from_dict(rec)
