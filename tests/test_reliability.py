"""Reliability as a hostile user tries it: every fault kind, bad inputs, secrets, -j 64.
Real subprocesses and the project's fake server; articles written for the tests."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from llmextract import Extractor
from llmextract.fakeserver import FakeServer, FaultPlan

from .conftest import ARTICLES, ROOT, SEED, cli, records

CANARY = "sk-canary-7d1e0b9c44a2f6e8b3a5"
ARTICLE = SEED.read_text(encoding="utf-8")


# -- one test per fault: the record's status and the HTTP calls it cost -------------------

@pytest.mark.parametrize(("fault", "status", "calls"), [
    ("429", "ok", 2),        # waited Retry-After, then answered
    ("500", "ok", 2),
    ("503", "ok", 2),
    ("timeout", "ok", 2),    # the client gave up after --timeout, then retried
    ("reset", "ok", 2),
    ("malformed", "ok", 2),  # a body that is not JSON: asked again
    # schema-invalid on every body: re-asked with the validation error, then the rules'
    # summary (the script faults each new body, and each re-ask is a new body); the fake
    # server is a local endpoint, which gets one extra request per article (--local-retries)
    ("invalid", "fallback", 2),
    # truncated: asked once more with twice the budget (a new body, truncated again by
    # the script), then the rules' summary
    ("length", "fallback", 2),
    ("refusal", "fallback", 1),
    ("empty", "fallback", 1),    # no choices at all
    # the answer in the message content instead of a tool call (servers that ignore
    # tool_choice): read from the content, no re-ask
    ("notool", "ok", 1),
])
def test_each_fault(fault: str, status: str, calls: int, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({
        "match": "Joint Chiefs of Staff said on Monday", "faults": [fault],
        "answers": json.loads((ROOT / "tests" / "answers" / "seed.json").read_text())[
            "answers"]}))
    plan = FaultPlan(retry_after=1, retry_after_ms=50, slow_seconds=3)
    with FakeServer(answers_dir=tmp_path, faults=plan) as srv:
        result = Extractor(base_url=srv.base_url, api_key="sk-test", timeout=0.5,
                           backoff_base=0.01, use_cache=False).summarize(ARTICLE)
        assert srv.stats["completions"] == calls
    assert result.status == status and result.usage.requests == calls
    assert result.summary is not None and result.summary.figures
    if status == "fallback":
        assert result.error is not None and result.engine == "rules"


# -- bad inputs --------------------------------------------------------------------------

def test_a_folder_of_bad_inputs(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(ARTICLE)
    (d / "empty.txt").write_text("")
    (d / "blank.md").write_text(" \n\n\t ")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (d / "latin1.txt").write_bytes("Le caf\xe9 a ferm\xe9 12 boutiques, a dit Mme Dupont."
                                   .encode("latin-1"))
    (d / "huge.txt").write_bytes(b"word " * (4 * 1024 * 1024))  # 20 MB
    (d / "broken.txt").symlink_to(d / "nowhere.txt")
    os.mkfifo(d / "pipe.txt")  # would block a naive reader forever
    (d / "notes.csv").write_text("ignored,1\n")
    proc = cli("summarize", str(d), "--engine", "rules")
    assert proc.returncode == 1, proc.stderr
    by_id = {r["id"]: r for r in records(proc.stdout)}
    assert set(by_id) == {"good", "empty", "blank", "binary", "latin1", "huge", "broken",
                          "pipe"}
    for bad in ("empty", "blank", "binary", "huge", "broken", "pipe"):
        assert by_id[bad]["status"] == "error" and by_id[bad]["error"]["message"], bad
    assert "--max-chars" in by_id["huge"]["error"]["message"]
    assert by_id["good"]["status"] == "fallback"
    assert by_id["latin1"]["status"] == "fallback"
    assert "UTF-8" in by_id["latin1"]["warnings"][0]
    assert "Traceback" not in proc.stderr


def test_max_chars_raises_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(ARTICLE + "\n\nMore text. " * 40_000)
    assert cli("summarize", str(big), "--engine", "rules").returncode == 1
    proc = cli("summarize", str(big), "--engine", "rules", "--max-chars", "2000000")
    assert proc.returncode == 0 and records(proc.stdout)[0]["status"] == "fallback"


def test_jsonl_input_with_broken_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "one", "text": ARTICLE}),
        '{"id": "two", "text": "unterminated',
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "four"}),
        "",
        json.dumps({"id": "five", "text": "Five ducks crossed the road, 3 of them late."}),
    ]) + "\n")
    proc = cli("summarize", str(src), "--engine", "rules")
    recs = records(proc.stdout)
    assert [r["status"] for r in recs] == ["fallback", "error", "error", "error", "fallback"]
    assert recs[1]["input"].endswith("in.jsonl:2") and "JSON" in recs[1]["error"]["message"]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_missing_path_exits_2_naming_it(tmp_path: Path) -> None:
    proc = cli("summarize", str(ARTICLES), str(tmp_path / "nope.txt"), "--engine", "rules")
    assert proc.returncode == 2 and "nope.txt" in proc.stderr and proc.stdout == ""


def test_internal_errors_show_no_traceback_without_debug(tmp_path: Path) -> None:
    bad = tmp_path / "cache-is-a-file"
    bad.write_text("x")
    proc = cli("summarize", str(SEED), "--base-url", "http://127.0.0.1:9/v1",
               "--cache-dir", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


# -- secrets -------------------------------------------------------------------------------

def test_canary_key_reaches_no_output_log_error_cassette_or_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"OPENAI_API_KEY": CANARY, "LLMEXTRACT_CACHE_DIR": str(cache)}
    plan = FaultPlan(rate=0.5, kinds=["500", "429", "invalid"], retry_after_ms=10)
    with FakeServer(answers_dir=ROOT / "tests" / "answers", faults=plan) as srv:
        runs = [cli("summarize", str(ARTICLES), "--base-url", srv.base_url, "--debug",
                    "-o", str(tmp_path / "out.jsonl"), env=env),
                cli("summarize", str(SEED), "--base-url", srv.base_url, "--record",
                    str(tmp_path / "c.yaml"), env=env)]
        # an endpoint that refuses the key: the error message must not echo it
        runs.append(cli("summarize", str(SEED), "--base-url", srv.base_url + "/nothing-here",
                        "--retries", "0", env=env))
    for proc in runs:
        assert CANARY not in proc.stdout and CANARY not in proc.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert list(cache.glob("*.sqlite3"))
    replay = cli("summarize", str(SEED), "--replay", str(tmp_path / "c.yaml"))
    assert replay.returncode == 0 and records(replay.stdout)[0]["status"] == "ok"


def test_cassettes_are_loaded_with_safe_yaml_only(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f'interactions: !!python/object/apply:os.system ["touch {marker}"]\n'
                    "version: 1\n")
    proc = cli("summarize", str(SEED), "--replay", str(evil))
    assert proc.returncode == 2 and not marker.exists()
    assert "cannot be read" in proc.stderr


# -- concurrency ---------------------------------------------------------------------------

def test_sixty_four_in_flight_write_each_record_once_and_fill_the_cache(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    for i in range(96):
        (d / f"n{i:03d}.txt").write_text(f"{ARTICLE}\n\nCorrection {i}: a typo was fixed.\n")
    cache = tmp_path / "cache"
    with FakeServer(latency=0.05) as srv:
        proc = cli("summarize", str(d), "--base-url", srv.base_url, "-j", "64",
                   env={"OPENAI_API_KEY": "sk-test", "LLMEXTRACT_CACHE_DIR": str(cache)})
    assert proc.returncode == 0, proc.stderr
    ids = [r["id"] for r in records(proc.stdout)]
    assert sorted(ids) == [f"n{i:03d}" for i in range(96)]
    with sqlite3.connect(cache / "results.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 96
