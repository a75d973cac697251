"""The command line, as a user runs it: real subprocesses, exit codes, stdout vs stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmextract.fakeserver import FakeServer, FaultPlan

from .conftest import ANSWERS, ARTICLES, CASSETTES, SEED, cli, records

CANARY = "sk-canary-3f9a1c7e5b2d4a6f8e0c"


def test_readme_command_replays_the_seed() -> None:
    proc = cli("summarize", "seeds/", "--replay", "cassettes/seeds.yaml")
    assert proc.returncode == 0, proc.stderr
    (rec,) = records(proc.stdout)
    assert rec["status"] == "ok" and rec["id"] == SEED.stem
    text = SEED.read_text(encoding="utf-8")
    summary = rec["summary"]
    assert isinstance(summary, dict)
    fig = next(f for f in summary["figures"] if f["value"] == 1100)
    assert "1,100" in text[fig["span"][0]:fig["span"][1]]
    jcs = ("Through various sources of information and intelligence, we assess that North "
           "Korean troops who have recently engaged in combat with Ukrainian forces have "
           "suffered around 1,100 casualties")
    assert any(q["text"] == jcs for q in summary["quotes"])
    names = {e["name"] for e in summary["entities"]}
    assert {"North Korea", "South Korea", "Russia", "Ukraine"} <= names
    assert summary["published"] == "2024-12-23"
    assert proc.stderr.strip() and not proc.stderr.lstrip().startswith("{")


def test_python_api_replays_the_seed() -> None:
    from llmextract import Extractor

    result = Extractor(replay=CASSETTES / "seeds.yaml").summarize(SEED)
    assert result.status == "ok" and result.summary is not None
    assert any(d.reason == "not found in the article" for d in result.dropped)


def test_request_missing_from_cassette_fails_fast_naming_it(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("A different article about 12 ducks. \u201cQuack,\u201d said Ann Lee.\n")
    proc = cli("summarize", str(other), "--replay", "cassettes/seeds.yaml")
    assert proc.returncode == 1
    (rec,) = records(proc.stdout)
    assert rec["status"] == "error" and "cassettes/seeds.yaml" in rec["error"]["message"]
    assert rec["usage"]["requests"] == 0 or rec["error"]["type"] == "CassetteMissError"


def test_missing_cassette_file_is_a_usage_error() -> None:
    proc = cli("summarize", "seeds/", "--replay", "cassettes/nope.yaml")
    assert proc.returncode == 2 and "cassettes/nope.yaml" in proc.stderr


def test_missing_path_is_a_usage_error_naming_it() -> None:
    proc = cli("summarize", "no/such/dir")
    assert proc.returncode == 2 and "no/such/dir" in proc.stderr and not proc.stdout


def test_engine_llm_without_a_model_is_a_usage_error() -> None:
    proc = cli("summarize", "seeds/", "--engine", "llm")
    assert proc.returncode == 2 and "OPENAI_API_KEY" in proc.stderr


def test_no_model_uses_rules_and_says_so_once() -> None:
    proc = cli("summarize", str(SEED))
    assert proc.returncode == 0
    (rec,) = records(proc.stdout)
    assert rec["status"] == "fallback" and rec["engine"] == "rules" and rec["model"] is None
    assert proc.stderr.count("rule-based engine only") == 1


def test_stdin_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = cli("summarize", "-", "-o", str(out), "--engine", "rules",
               stdin=SEED.read_text(encoding="utf-8"))
    assert proc.returncode == 0 and proc.stdout == ""
    assert records(out.read_text())[0]["status"] == "fallback"


def test_json_format_is_one_array(tmp_path: Path) -> None:
    proc = cli("summarize", str(ARTICLES), "--engine", "rules", "--format", "json")
    data = json.loads(proc.stdout)
    assert isinstance(data, list) and len(data) == len(list(ARTICLES.glob("*.txt")))


def test_unusable_inputs_get_error_records_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("  \n\t\n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 owners said 12 shops closed.".encode(
        "latin-1"))
    (tmp_path / "good.txt").write_text(SEED.read_text(encoding="utf-8"))
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing-target.txt")
    proc = cli("summarize", str(tmp_path), "--engine", "rules")
    assert proc.returncode == 1
    by_id = {r["id"]: r for r in records(proc.stdout)}
    assert {by_id[k]["status"] for k in ("empty", "blank", "binary", "broken")} == {"error"}
    assert by_id["good"]["status"] == "fallback"
    assert by_id["latin1"]["status"] == "fallback" and by_id["latin1"]["warnings"]
    assert "Traceback" not in proc.stderr


def test_every_answer_failing_gives_fallback_and_exit_0(tmp_path: Path) -> None:
    plan = FaultPlan(rate=1.0, kinds=["500"], max_consecutive=None)
    with FakeServer(answers_dir=ANSWERS, faults=plan) as srv:
        proc = cli("summarize", str(ARTICLES), "--base-url", srv.base_url, "--retries", "1",
                   env={"OPENAI_API_KEY": CANARY})
    assert proc.returncode == 0, proc.stderr
    recs = records(proc.stdout)
    assert recs and all(r["status"] == "fallback" and r["summary"] for r in recs)
    assert CANARY not in proc.stdout + proc.stderr


def test_canary_key_never_written(tmp_path: Path) -> None:
    cassette = tmp_path / "c.yaml"
    with FakeServer(answers_dir=ANSWERS) as srv:
        proc = cli("summarize", str(SEED), "--base-url", srv.base_url, "--record",
                   str(cassette), "--debug", env={"OPENAI_API_KEY": CANARY})
        assert proc.returncode == 0, proc.stderr
    body = cassette.read_text()
    assert "interactions" in body
    for leak in (CANARY, "Bearer", "authorization"):
        assert leak not in body and leak not in proc.stdout and leak not in proc.stderr
    replay = cli("summarize", str(SEED), "--replay", str(cassette))
    assert replay.returncode == 0 and records(replay.stdout)[0]["status"] == "ok"


@pytest.mark.parametrize("args", [["--help"], ["summarize", "--help"], ["schema", "--help"]])
def test_help_teaches(args: list[str]) -> None:
    proc = cli(*args)
    assert proc.returncode == 0 and "usage:" in proc.stdout


def test_schema_command_prints_json_schema() -> None:
    proc = cli("schema")
    assert json.loads(proc.stdout)["title"] == "ArticleSummary"


def test_csv_and_markdown_outputs(tmp_path: Path) -> None:
    import csv
    import io

    proc = cli("summarize", str(ARTICLES), "--engine", "rules", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert proc.returncode == 0 and len(rows) == len(list(ARTICLES.glob("*.txt")))
    assert {"id", "status", "summary", "n_figures"} <= set(rows[0])
    md = cli("summarize", str(SEED), "--engine", "rules", "--format", "md")
    assert md.stdout.startswith("# llmextract digest") and "## " in md.stdout


def test_report_from_the_cli_with_and_without_included_text(tmp_path: Path) -> None:
    with_text = cli("summarize", str(ARTICLES), "--engine", "rules", "--include-text")
    recs = records(with_text.stdout)
    assert all(isinstance(r["text"], str) and r["text"] for r in recs)
    plain = cli("summarize", str(SEED), "--engine", "rules")
    assert "text" not in records(plain.stdout)[0]
    results = tmp_path / "r.jsonl"
    results.write_text(with_text.stdout)
    out = tmp_path / "r.html"
    proc = cli("report", str(results), "-o", str(out))
    assert proc.returncode == 0 and "7 articles" in proc.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<mark") >= 20 and "http://" not in page.split("<body")[0]
    assert cli("report", str(tmp_path / "nope.jsonl")).returncode == 2


def test_a_bad_price_is_a_usage_error_naming_the_option() -> None:
    proc = cli("summarize", str(SEED), "--engine", "rules", "--price", "cheap")
    assert proc.returncode == 2, proc.stderr
    assert "--price:" in proc.stderr and proc.stdout == ""
