"""Batch jobs (`llmextract batch ...`, `BatchJob`) against the fake server's Batch API: the
full cycle, records equal to the online path's, reruns, crashes between steps, partial
failures and expiry, and the bad inputs, with their messages and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmextract.call.cassette import use_cassette
from llmextract.extractor import Extractor
from llmextract.fakeserver import FakeServer
from llmextract.jobs import BatchJob, JobError
from llmextract.jobs.manifest import Manifest

from .conftest import ANSWERS, ARTICLES, CASSETTES, ROOT

KEY = "sk-test-jobs-not-a-key"
CYCLE = CASSETTES / "batch_cycle.yaml"


@pytest.fixture
def srv() -> Iterator[FakeServer]:
    with FakeServer(answers_dir=ANSWERS) as server:
        yield server


def run(*args: str, cache: Path | None = None, key: str | None = KEY
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    if key:
        env["OPENAI_API_KEY"] = key
    if cache is not None:
        env["LLMEXTRACT_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-m", "llmextract", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("elapsed_ms",)}


def submit(srv: FakeServer, folder: Path, paths: list[str] | None = None,
           **options: Any) -> BatchJob:
    options.setdefault("use_cache", False)
    return BatchJob.submit(paths or [str(ARTICLES)], folder, base_url=srv.base_url,
                           api_key=KEY, on_note=lambda _line: None, **options)


def online(srv: FakeServer, paths: list[str] | None = None) -> dict[str, dict[str, Any]]:
    ex = Extractor(base_url=srv.base_url, api_key=KEY, use_cache=False, mode="tools")
    return {r.id: comparable(json.loads(r.to_json()))
            for r in ex.summarize_many(paths or [str(ARTICLES)])}


# -- the cycle --------------------------------------------------------------------------

def test_cli_full_cycle_rerun_and_resume(srv: FakeServer, tmp_path: Path) -> None:
    job, out, cache = tmp_path / "job", tmp_path / "out.jsonl", tmp_path / "cache"
    done = run("batch", "submit", str(ARTICLES), "--dir", str(job), "--base-url",
               srv.base_url, "--max-file-requests", "3", cache=cache)
    assert done.returncode == 0, done.stderr
    manifest = Manifest.load(job)
    assert [p.count for p in manifest.parts] == [3, 3, 1]
    assert all(p.state == "submitted" and p.batch_id for p in manifest.parts)
    uploads = len(srv.batches.files)
    again = run("batch", "submit", str(ARTICLES), "--dir", str(job), "--base-url",
                srv.base_url, cache=cache)
    assert again.returncode == 0 and "no new articles" in again.stderr
    assert len(srv.batches.files) == uploads and len(srv.batches.batches) == 3
    status = run("batch", "status", str(job), "--wait", "--poll", "0.01", cache=cache)
    assert status.returncode == 0, status.stderr
    assert status.stdout.count("completed") == 3
    collect = run("batch", "collect", str(job), "-o", str(out), cache=cache)
    assert collect.returncode == 0, collect.stderr
    records = lines(out)
    assert len(records) == 7 and len({r["id"] for r in records}) == 7
    assert all(r["status"] == "ok" for r in records)
    assert "batch rate" in collect.stderr
    resumed = run("batch", "collect", str(job), "-o", str(out), "--resume", cache=cache)
    assert resumed.returncode == 0 and len(lines(out)) == 7
    rewritten = run("batch", "collect", str(job), "-o", str(out), cache=cache)
    assert rewritten.returncode == 0 and len(lines(out)) == 7


def test_records_equal_the_online_path(srv: FakeServer, tmp_path: Path) -> None:
    want = online(srv)
    job = submit(srv, tmp_path / "job")
    job.wait(poll=0.01)
    got: dict[str, dict[str, Any]] = {}
    report = job.collect(None, on_result=lambda r: got.setdefault(
        r.id, comparable(json.loads(r.to_json()))))
    assert report.reasked == 1  # court_curly's first answer fails validation
    assert got == want


def test_the_batch_body_is_the_online_request(srv: FakeServer, tmp_path: Path) -> None:
    article = str(ARTICLES / "quake_wire.txt")
    Extractor(base_url=srv.base_url, api_key=KEY, use_cache=False, mode="tools",
              concurrency=1).summarize(Path(article))
    sent = srv.requests[0]
    submit(srv, tmp_path / "job", [article], export_only=True)
    raw = (tmp_path / "job" / "part-0001.requests.jsonl").read_text(encoding="utf-8")
    line = json.loads(raw)
    assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
    # same keys in the same order, same values: the same bytes once serialised
    assert json.dumps(line["body"]) == json.dumps(sent)
    assert line["body"]["max_tokens"] == 3072 and line["body"]["tools"]


def test_json_schema_form_and_auto_means_tools(srv: FakeServer, tmp_path: Path) -> None:
    job = submit(srv, tmp_path / "a", [str(ARTICLES / "quake_wire.txt")], export_only=True,
                 mode="json_schema")
    body = json.loads((tmp_path / "a" / "part-0001.requests.jsonl").read_text())["body"]
    assert body["response_format"]["type"] == "json_schema" and job.manifest.mode == \
        "json_schema"
    auto = submit(srv, tmp_path / "b", [str(ARTICLES / "quake_wire.txt")], export_only=True)
    assert auto.manifest.mode == "tools"
    bad = run("batch", "submit", str(ARTICLES), "--dir", str(tmp_path / "c"), "--mode",
              "md_json", "--export-only")
    assert bad.returncode == 2 and "tools" in bad.stderr


def test_cached_articles_are_not_submitted(srv: FakeServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ex = Extractor(base_url=srv.base_url, api_key=KEY, cache_dir=cache, mode="tools")
    ex.summarize(ARTICLES / "quake_wire.txt")
    job = submit(srv, tmp_path / "job", use_cache=True, cache_dir=cache)
    requests = sum(p.count for p in job.manifest.parts if not p.local)
    local = [p for p in job.manifest.parts if p.local]
    assert requests == 6 and len(local) == 1 and local[0].count == 1
    job.wait(poll=0.01)
    got = []
    job.collect(None, on_result=got.append)
    assert len(got) == 7 and sum(r.cached for r in got) == 1


# -- crashes between steps ----------------------------------------------------------------

def test_create_fails_then_rerun_creates_without_uploading_again(srv: FakeServer,
                                                                  tmp_path: Path) -> None:
    srv.batches.plan.fail_creates = 10
    with pytest.raises(JobError, match=r"part-0001 \(file file-\d+\): creating its batch"):
        submit(srv, tmp_path / "job")
    part = Manifest.load(tmp_path / "job").parts[0]
    assert part.state == "creating" and part.file_id and part.batch_id is None
    srv.batches.plan.fail_creates = 0
    job = submit(srv, tmp_path / "job")
    assert len(srv.batches.files) == 1 and len(srv.batches.batches) == 1
    assert job.manifest.parts[0].state == "submitted"


def test_a_batch_created_but_not_recorded_is_found_not_made_twice(srv: FakeServer,
                                                                   tmp_path: Path) -> None:
    srv.batches.plan.lose_creates = 1  # made, then HTTP 500: the id never reaches us
    job = submit(srv, tmp_path / "job")
    assert len(srv.batches.batches) == 1
    assert job.manifest.parts[0].batch_id == next(iter(srv.batches.batches))


def test_a_lost_batch_is_found_beyond_the_first_page_of_the_list(srv: FakeServer,
                                                                 tmp_path: Path) -> None:
    """Other jobs made 120 batches since: the lost one is on the list's second page."""
    srv.batches.plan.fail_creates, srv.batches.plan.lose_creates = 10, 0
    with pytest.raises(JobError):
        submit(srv, tmp_path / "job")  # uploaded, never created
    srv.batches.plan.fail_creates, srv.batches.plan.lose_creates = 0, 1
    job = submit(srv, tmp_path / "job")  # created, then the 500: its id never reached us
    lost = next(iter(srv.batches.batches))
    part = job.manifest.parts[0]
    part.state, part.batch_id = "creating", None  # as the crash left it
    job.manifest.save()
    from llmextract.jobs.remote import Remote

    remote = Remote(job.settings)
    data = (tmp_path / "job" / part.requests).read_bytes()
    for k in range(120):
        other = remote.upload(f"other-{k}.jsonl", data)
        remote.create(other, {"job": "other"})
    remote.close()
    again = submit(srv, tmp_path / "job")
    assert again.manifest.parts[0].batch_id == lost
    assert len(srv.batches.batches) == 121  # nothing made twice


def test_an_upload_in_flight_at_a_crash_is_found_by_name(srv: FakeServer,
                                                          tmp_path: Path) -> None:
    job = submit(srv, tmp_path / "job", export_only=True)
    part = job.manifest.parts[0]
    data = (tmp_path / "job" / part.requests).read_bytes()
    from llmextract.jobs.remote import Remote

    remote = Remote(job.settings)
    remote.upload(part.upload_name, data)  # uploaded, then "killed" before the record
    remote.close()
    part.state = "uploading"
    job.manifest.save()
    again = submit(srv, tmp_path / "job")
    assert len(srv.batches.files) == 1 and again.manifest.parts[0].state == "submitted"


# -- faults of the batch ------------------------------------------------------------------

def test_failed_lines_and_an_expired_batch_get_the_rules(srv: FakeServer,
                                                         tmp_path: Path) -> None:
    srv.batches.plan.error_rate = 0.5
    job = submit(srv, tmp_path / "a")
    job.wait(poll=0.01)
    got = []
    job.collect(None, on_result=got.append)
    failed = [r for r in got if r.status == "fallback"]
    assert len(got) == 7 and failed and len(failed) < 7
    assert all(r.engine == "rules" and r.error and "batch batch_" in r.error.message
               for r in failed)
    srv.batches.plan.error_rate, srv.batches.plan.expire = 0.0, True
    job = submit(srv, tmp_path / "b")
    states = job.wait(poll=0.01)
    assert states[0].status == "expired"
    got = []
    job.collect(None, on_result=got.append)
    expired = [r for r in got if r.status == "fallback"]
    assert len(got) == 7 and expired
    assert all(r.error and "expired" in r.error.message for r in expired)


def test_cancel_then_collect_gives_every_article_once(srv: FakeServer, tmp_path: Path) -> None:
    srv.batches.plan.step_polls = 0  # never moves on by itself
    job = submit(srv, tmp_path / "job")
    done = run("batch", "cancel", str(tmp_path / "job"))
    assert done.returncode == 0, done.stderr
    srv.batches.plan.step_polls = 1
    job = BatchJob.open(tmp_path / "job", api_key=KEY, use_cache=False)
    job.wait(poll=0.01)
    got = []
    job.collect(None, on_result=got.append)
    assert len(got) == 7 and all(r.status == "fallback" for r in got)
    assert all(r.error and "cancelled" in r.error.message for r in got)


def test_reask_none_leaves_an_invalid_answer_to_the_rules(srv: FakeServer,
                                                          tmp_path: Path) -> None:
    job = submit(srv, tmp_path / "job", [str(ARTICLES / "court_curly.txt")])
    job.wait(poll=0.01)
    got = []
    job.collect(None, reask="none", on_result=got.append)
    assert got[0].status == "fallback" and got[0].error
    assert "not re-asked" in got[0].error.message
    completions = srv.stats["completions"]
    job.collect(None, on_result=got.append)
    assert got[1].status == "ok" and srv.stats["completions"] == completions + 1


def _engine(srv: FakeServer, requests: Path, out: Path, extra: list[str]) -> None:
    """What vLLM's run-batch does: each request's body to the chat endpoint, one output line
    each (in reverse order: order is not guaranteed)."""
    import urllib.request

    rows = []
    for raw in requests.read_text(encoding="utf-8").splitlines():
        line = json.loads(raw)
        req = urllib.request.Request(srv.base_url + "/chat/completions",
                                     data=json.dumps(line["body"]).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as answer:
            body = json.loads(answer.read())
        rows.append({"id": "vllm-1", "custom_id": line["custom_id"],
                     "response": {"status_code": 200, "body": body}, "error": None})
    rows.reverse()
    out.write_text("".join(json.dumps(r) + "\n" for r in rows) + "".join(extra))


def test_export_only_then_collect_from_a_local_file(srv: FakeServer, tmp_path: Path) -> None:
    job, out = tmp_path / "job", tmp_path / "out.jsonl"
    done = run("batch", "submit", str(ARTICLES), "--dir", str(job), "--export-only", key=None)
    assert done.returncode == 0, done.stderr
    assert "--from" in done.stderr and not srv.batches.files
    stray = json.dumps({"custom_id": "someone-else~1234", "response": None,
                        "error": {"message": "x"}}) + "\n"
    _engine(srv, job / "part-0001.requests.jsonl", tmp_path / "vllm.jsonl", [stray])
    collect = run("batch", "collect", str(job), "--from", str(tmp_path / "vllm.jsonl"), "-o",
                  str(out), "--base-url", srv.base_url)
    assert collect.returncode == 0, collect.stderr
    assert len(lines(out)) == 7 and "someone-else~1234" in collect.stderr
    nofrom = run("batch", "collect", str(job), "-o", str(out))
    assert nofrom.returncode == 2 and "--from" in nofrom.stderr


# -- bad input ----------------------------------------------------------------------------

def test_unknown_foreign_and_other_version_folders(tmp_path: Path) -> None:
    missing = run("batch", "status", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no such job folder" in missing.stderr
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    for step in ("status", "collect", "cancel"):
        done = run("batch", step, str(foreign))
        assert done.returncode == 2 and "not a batch job folder" in done.stderr
    into = run("batch", "submit", str(ARTICLES), "--dir", str(foreign), "--export-only")
    assert into.returncode == 2 and "not empty" in into.stderr
    (foreign / "manifest.json").write_text('{"something": "else"}')
    done = run("batch", "status", str(foreign))
    assert done.returncode == 2 and "not an llmextract batch job manifest" in done.stderr
    old = tmp_path / "old"
    old.mkdir()
    (old / "manifest.json").write_text(json.dumps({
        "format": "llmextract-batch-job", "version": 99, "llmextract_version": "9.9.9"}))
    done = run("batch", "collect", str(old), "-o", str(tmp_path / "o.jsonl"))
    assert done.returncode == 2 and "version 99" in done.stderr and "9.9.9" in done.stderr


def test_other_options_into_the_same_folder_are_refused(srv: FakeServer,
                                                        tmp_path: Path) -> None:
    submit(srv, tmp_path / "job", export_only=True)
    done = run("batch", "submit", str(ARTICLES), "--dir", str(tmp_path / "job"),
               "--export-only", "--model", "gpt-4.1", "--base-url", srv.base_url)
    assert done.returncode == 2 and "other options" in done.stderr and "model" in done.stderr


def test_upload_refused_as_too_large(srv: FakeServer, tmp_path: Path) -> None:
    srv.batches.plan.max_file_bytes = 10_000
    done = run("batch", "submit", str(ARTICLES), "--dir", str(tmp_path / "job"),
               "--base-url", srv.base_url)
    assert done.returncode == 1
    assert "part-0001" in done.stderr and "part-0001.requests.jsonl" in done.stderr
    assert "HTTP 413" in done.stderr and "--max-file-mb" in done.stderr
    assert Manifest.load(tmp_path / "job").parts[0].state == "written"
    srv.batches.plan.max_file_bytes = 10**9
    again = run("batch", "submit", str(ARTICLES), "--dir", str(tmp_path / "job"),
                "--base-url", srv.base_url)
    assert again.returncode == 0, again.stderr
    assert Manifest.load(tmp_path / "job").parts[0].state == "submitted"


def test_missing_key(tmp_path: Path) -> None:
    done = run("batch", "submit", str(ARTICLES), "--dir", str(tmp_path / "job"), key=None)
    assert done.returncode == 2 and "OPENAI_API_KEY" in done.stderr
    assert not (tmp_path / "job").exists()
    run("batch", "submit", str(ARTICLES), "--dir", str(tmp_path / "job"), "--export-only",
        key=None)
    manifest = Manifest.load(tmp_path / "job")
    manifest.export_only = False
    for part in manifest.parts:  # as if submitted to OpenAI itself
        part.state, part.batch_id, part.file_id = "submitted", "batch_x", "file-x"
    manifest.save()
    done = run("batch", "status", str(tmp_path / "job"), key=None)
    assert done.returncode == 2 and "OPENAI_API_KEY" in done.stderr


# -- cassettes ------------------------------------------------------------------------------

def _cycle(base_url: str, folder: Path) -> list[dict[str, Any]]:
    job = BatchJob.submit([str(ARTICLES)], folder, base_url=base_url, api_key=KEY,
                          use_cache=False, on_note=lambda _line: None)
    job.wait(poll=0.001)
    got: list[dict[str, Any]] = []
    job.collect(None, on_result=lambda r: got.append(comparable(json.loads(r.to_json()))))
    return sorted(got, key=lambda r: r["id"])


def test_a_recorded_cycle_replays(srv: FakeServer, tmp_path: Path) -> None:
    cassette = tmp_path / "cycle.yaml"
    with use_cassette(record=cassette):
        recorded = _cycle(srv.base_url, tmp_path / "a")
    assert "multipart/form-data" in cassette.read_text(encoding="utf-8")
    with use_cassette(replay=cassette):
        replayed = _cycle("http://127.0.0.1:9/v1", tmp_path / "b")
    assert replayed == recorded


def test_the_shipped_batch_cassette_replays(tmp_path: Path) -> None:
    """cassettes/batch_cycle.yaml: one full cycle over tests/articles (re-record it with
    `python tests/record_cassettes.py`)."""
    with use_cassette(replay=CYCLE):
        got = _cycle("http://127.0.0.1:9/v1", tmp_path / "job")
    assert len(got) == 7 and all(r["status"] == "ok" for r in got)


def record_batch_cassette() -> None:
    """Write cassettes/batch_cycle.yaml against the fake server (tests/record_cassettes.py)."""
    import tempfile

    with FakeServer(answers_dir=ANSWERS) as server, tempfile.TemporaryDirectory() as tmp, \
            use_cassette(record=CYCLE):
        _cycle(server.base_url, Path(tmp) / "job")


def test_the_python_api(srv: FakeServer, tmp_path: Path) -> None:
    from llmextract import BatchJob

    settings = Extractor(base_url=srv.base_url, api_key=KEY, use_cache=False).settings
    job = BatchJob.submit([{"id": "one", "text": (ARTICLES / "quake_wire.txt").read_text()}],
                          tmp_path / "job", settings=settings, on_note=lambda _line: None)
    job.wait(poll=0.01)
    report = BatchJob.open(tmp_path / "job", settings=settings).collect(tmp_path / "out.jsonl")
    assert report.written == 1 and lines(tmp_path / "out.jsonl")[0]["id"] == "one"
