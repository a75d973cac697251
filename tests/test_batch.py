"""Batch runs as users run them: the cache, --resume after Ctrl-C and kill -9, signals.
Real subprocesses against the project's fake server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmextract.fakeserver import FakeServer
from llmextract.run.resume import done_ids

from .conftest import ARTICLES, ROOT, interruptible

KEY = "sk-test-batch-not-a-key"


def make_articles(folder: Path, n: int) -> list[str]:
    sources = sorted(ARTICLES.glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(n):
        text = sources[i % len(sources)].read_text(encoding="utf-8")
        (folder / f"a{i:03d}.txt").write_text(f"{text}\n\nEditor's note: item {i}.\n")
        ids.append(f"a{i:03d}")
    return ids


def start(args: list[str], cache: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    env.update(OPENAI_API_KEY=KEY, LLMEXTRACT_CACHE_DIR=str(cache))
    return subprocess.Popen([sys.executable, "-m", "llmextract", "summarize", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=interruptible)


def finish(proc: subprocess.Popen[str]) -> int:
    proc.communicate(timeout=90)
    return proc.returncode


def lines_of(path: Path) -> list[dict[str, object]]:
    raw = path.read_text(encoding="utf-8") if path.exists() else ""
    assert raw == "" or raw.endswith("\n")
    return [json.loads(line) for line in raw.splitlines()]


def wait_for_lines(path: Path, n: int, proc: subprocess.Popen[str], limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.read_text(encoding="utf-8").count("\n") >= n:
            return
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} lines in {path} before the deadline")


@pytest.fixture
def slow_server() -> Iterator[FakeServer]:
    with FakeServer(latency=0.25) as srv:
        yield srv


@pytest.mark.parametrize("how", ["sigint", "sigterm", "kill9"])
def test_interrupt_then_resume_yields_every_input_once(tmp_path: Path, slow_server: FakeServer,
                                                       how: str) -> None:
    ids = make_articles(tmp_path / "in", 24)
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache"
    args = [str(tmp_path / "in"), "--base-url", slow_server.base_url, "-j", "2", "-o", str(out)]
    proc = start(args, cache)
    wait_for_lines(out, 3, proc)
    proc.send_signal({"sigint": signal.SIGINT, "sigterm": signal.SIGTERM,
                      "kill9": signal.SIGKILL}[how])
    _, err = proc.communicate(timeout=30)
    first = lines_of(out)  # every line whole JSON
    assert 3 <= len(first) < len(ids)
    if how != "kill9":
        assert proc.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
    again = start([*args, "--resume"], cache)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    records = lines_of(out)
    assert sorted(str(r["id"]) for r in records) == ids  # each exactly once
    assert all(r["status"] == "ok" for r in records)


def test_cached_rerun_makes_no_request(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 6)
    cache = tmp_path / "cache"
    with FakeServer() as srv:
        args = [str(tmp_path / "in"), "--base-url", srv.base_url, "-o", str(tmp_path / "1.jsonl")]
        assert finish(start(args, cache)) == 0
        assert srv.stats["completions"] == 6
        srv.reset_stats()
        args[-1] = str(tmp_path / "2.jsonl")
        proc = start(args, cache)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert srv.stats["completions"] == 0
    second = lines_of(tmp_path / "2.jsonl")
    assert all(r["cached"] is True and r["usage"] == {
        "requests": 0, "prompt_tokens": 0, "completion_tokens": 0, "cached_prompt_tokens": 0}
        for r in second)
    first = {r["id"]: r["summary"] for r in lines_of(tmp_path / "1.jsonl")}
    assert all(first[r["id"]] == r["summary"] for r in second)
    nocache = start([*args[:-1], str(tmp_path / "3.jsonl"), "--no-cache"], cache)
    assert finish(nocache) == 0


def test_two_processes_share_one_cache_folder(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 16)
    cache = tmp_path / "cache"
    with FakeServer(latency=0.02) as srv:
        procs = [start([str(tmp_path / "in"), "--base-url", srv.base_url, "-j", "8", "-o",
                        str(tmp_path / f"{i}.jsonl")], cache) for i in range(2)]
        for p in procs:
            _, err = p.communicate(timeout=90)
            assert p.returncode == 0, err
    for i in range(2):
        assert len(lines_of(tmp_path / f"{i}.jsonl")) == 16


def test_resume_trims_a_torn_last_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "status": "ok"}\n{"id": "b", "status": "ok"}\n{"id": "c", "sta')
    assert done_ids(out) == {"a", "b"}
    assert out.read_text().endswith('"ok"}\n')


def test_resume_without_output_is_a_usage_error(tmp_path: Path) -> None:
    proc = start([str(ARTICLES), "--resume", "--engine", "rules"], tmp_path / "c")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "--resume needs -o" in err


def test_without_resume_the_output_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "stale"}\n')
    proc = start([str(ARTICLES), "--engine", "rules", "-o", str(out)], tmp_path / "c")
    assert finish(proc) == 0
    assert "stale" not in out.read_text()


def test_empty_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = start([str(tmp_path / "empty"), "--engine", "rules"], tmp_path / "c")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "no articles found" in err


def test_cache_folder_that_cannot_be_created_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with tempfile.TemporaryDirectory() as _, FakeServer() as srv:
        proc = start([str(ARTICLES), "--base-url", srv.base_url, "--cache-dir",
                      str(blocker / "sub")], tmp_path / "c")
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "--cache-dir" in err


def test_many_processes_opening_a_new_cache_at_once(tmp_path: Path) -> None:
    """Eight processes opening and writing one new cache at once all succeed. (The bug: a
    process switching a new cache to WAL while another did got "database is locked" at once,
    since SQLite does not wait for that lock, and the run stopped with exit 2; it showed in
    about one run in three of test_two_processes_share_one_cache_folder.)"""
    code = ("import sys; from pathlib import Path; "
            "from llmextract.pipeline.cache import ResultCache; "
            "from llmextract.schemas.record import Result\n"
            "for i in range(5):\n"
            "    c = ResultCache(Path(sys.argv[1]))\n"
            "    c.put(f'{sys.argv[2]}-{i}', Result(id='x', status='ok')); c.close()\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "cache"), str(n)],
                              stderr=subprocess.PIPE, text=True) for n in range(8)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err


@pytest.mark.parametrize("how", ["sigint", "sigterm"])
def test_a_local_rules_run_stops_on_a_whole_record_and_resumes(tmp_path: Path,
                                                                how: str) -> None:
    """A run without a model over files has no event loop (llmextract.run.local): a signal
    lets the record being made finish, then the run ends as interrupted."""
    ids = make_articles(tmp_path / "in", 1500)
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache"
    args = [str(tmp_path / "in"), "--engine", "rules", "-o", str(out)]
    proc = start(args, cache)
    wait_for_lines(out, 20, proc)
    proc.send_signal(signal.SIGINT if how == "sigint" else signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    first = lines_of(out)  # every line whole JSON
    assert 20 <= len(first) < len(ids)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    again = start([*args, "--resume"], cache)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert sorted(str(r["id"]) for r in lines_of(out)) == sorted(ids)  # each exactly once


def test_a_local_rules_run_gives_the_event_loops_records(tmp_path: Path) -> None:
    """The same records, in input order, as the Python API's run (on its event loop); and
    the command never imports asyncio for it."""
    from llmextract import Extractor

    make_articles(tmp_path / "in", 12)
    out = tmp_path / "out.jsonl"
    code = ("import sys\nfrom llmextract.cli import main\n"
            f"code = main(['summarize', {str(tmp_path / 'in')!r}, '--engine', 'rules', '-o',"
            f" {str(out)!r}])\nprint(code, 'asyncio' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.stdout.split() == ["0", "False"], done.stderr
    paths = sorted((tmp_path / "in").glob("*.txt"))
    with Extractor(engine="rules") as extractor:
        expected = [json.loads(r.to_json()) for r in extractor.summarize_many(paths)]
    got = lines_of(out)
    for record in (*got, *expected):
        record.pop("elapsed_ms")
    assert [r["id"] for r in got] == [p.stem for p in paths]
    assert sorted(got, key=lambda r: str(r["id"])) == sorted(expected,
                                                               key=lambda r: str(r["id"]))
