"""Ray Data (`summarize --ray`, llmextract.run.ray_stage): the same records as the
single-process CLI, a worker killed mid-run, the optional import. One local cluster
(`ray.init(num_cpus=2)`) for the module; the project's fake server with no latency.
The Ray tests skip when Ray is not installed (`pip install 'llmextract[ray]'`)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmextract.cli import main
from llmextract.config import Settings
from llmextract.fakeserver import FakeServer

from .conftest import ROOT, cli, records

HAS_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(
    not HAS_RAY, reason="Ray is not installed: pip install 'llmextract[ray]'")
# Ray's own per-dataset log files are closed by Ray's threads whenever they get to it; a
# garbage collection in between reports them as unclosed (not llmextract's files).
pytestmark = [
    pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
N = 1000
WORKER_TITLE = b"ray::MapWorker(MapBatches(SummarizeBatch))"
CITIES = ("PARIS", "LIMA", "NAIROBI", "OSLO", "HANOI")


def tiny_article(i: int) -> str:
    """A short article the rule engine (and so the fake server's echo) reads fully; its id
    is in its text, so the server's requests can be counted per article."""
    return (f"{CITIES[i % 5]}, March {i % 28 + 1} (AFP) - Article a{i:04d}: the city council "
            f"approved {i + 12} new homes on Tuesday, officials said. \"We are pleased with "
            f"plan number {i},\" said Mayor Jean Dupont. The plan costs about ${i % 9 + 1}.5 "
            "million and more than 300 families applied.\n")


def write_articles(folder: Path, n: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i:04d}.txt").write_text(tiny_article(i), encoding="utf-8")
    return [f"a{i:04d}" for i in range(n)]


def without_timings(recs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records by id (each id once), `elapsed_ms` left out."""
    out = {}
    for rec in recs:
        assert rec["id"] not in out, f"{rec['id']} written twice"
        out[rec["id"]] = {k: v for k, v in rec.items() if k != "elapsed_ms"}
    return out


def part_records(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for part in sorted(folder.glob("*.jsonl"))
            for line in part.read_text(encoding="utf-8").splitlines()]


# -- without a cluster ---------------------------------------------------------------------


def test_importing_llmextract_and_help_never_import_ray() -> None:
    code = ("import sys, llmextract, llmextract.run.ray_stage\n"
            "from llmextract.cli import build_parser\n"
            "build_parser().parse_known_args(['summarize', 'x'])\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'ray', 'pyarrow', "
            "'pandas'})\n"
            "assert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr


def test_ray_missing_is_a_usage_error_naming_the_extra(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails
    write_articles(tmp_path / "in", 1)
    assert main(["summarize", str(tmp_path / "in"), "--ray", "--engine", "rules"]) == 2
    assert "pip install 'llmextract[ray]'" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (["--workers", "2"], "--workers needs --ray"),
    (["--format", "parquet", "-o", "out"], "--format parquet needs --ray"),
])
def test_ray_options_without_ray_are_usage_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    write_articles(tmp_path / "in", 1)
    assert main(["summarize", str(tmp_path / "in"), "--engine", "rules", *args]) == 2
    assert message in capsys.readouterr().err


@needs_ray
@pytest.mark.parametrize(("args", "message"), [
    (["-", "--ray"], "--ray reads files, folders and JSONL files"),
    (["IN", "--ray", "--resume", "-o", "out"], "--resume does not work with --ray"),
    (["IN", "--ray", "--format", "csv"], "jsonl or parquet"),
    (["IN", "--ray", "--format", "parquet"], "needs -o DIR"),
])
def test_what_ray_cannot_do_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    write_articles(tmp_path / "in", 1)
    args = [str(tmp_path / "in") if a == "IN" else a for a in args]
    assert main(["summarize", *args, "--engine", "rules"]) == 2
    assert message in capsys.readouterr().err


@needs_ray
def test_the_cli_on_its_own_local_cluster_writes_records_only_to_stdout(tmp_path: Path) -> None:
    """The real command, as a user runs it: its own cluster (`--ray local`), records on
    standard output, Ray's progress and the report on standard error."""
    write_articles(tmp_path / "in", 12)
    (tmp_path / "in" / "more.jsonl").write_text(
        json.dumps({"id": "j1", "text": tiny_article(7)}) + "\nnot json\n", encoding="utf-8")
    with FakeServer() as srv:
        done = cli("summarize", str(tmp_path / "in"), str(tmp_path / "in" / "more.jsonl"),
                   "--ray", "local", "--workers", "2", "--base-url", srv.base_url, "-j", "4",
                   timeout=180)
    recs = records(done.stdout)
    assert done.returncode == 1, done.stderr[-2000:]  # the line that is not JSON: "error"
    assert sorted(r["id"] for r in recs) == sorted(
        [f"a{i:04d}" for i in range(12)] + ["j1", "line2"])
    assert Counter(r["status"] for r in recs) == {"ok": 13, "error": 1}
    assert "llmextract: ray: 14 records (error 1, ok 13) from 2 workers" in done.stderr


# -- on one local cluster ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ray") / "articles"
    write_articles(folder, N)
    return folder


@needs_ray
def test_a_thousand_articles_give_the_single_process_records(
        ray_cluster: Any, corpus: Path, tmp_path: Path) -> None:
    with FakeServer() as srv:
        single = cli("summarize", str(corpus), "--base-url", srv.base_url, "-j", "8",
                     "--no-cache")
        assert single.returncode == 0, single.stderr[-2000:]
        srv.reset_stats()
        out = tmp_path / "parts"
        code = main(["summarize", str(corpus), "--ray", "--workers", "2", "--base-url",
                     srv.base_url, "-j", "8", "--no-cache", "-o", str(out)])
        assert code == 0
        assert srv.stats["completions"] == N  # one model call per article
    by_ray = without_timings(part_records(out))
    assert len(by_ray) == N
    assert by_ray == without_timings(records(single.stdout))
    assert all(r["status"] == "ok" for r in by_ray.values())


@needs_ray
def test_parquet_parts_and_the_python_stage(ray_cluster: Any, tmp_path: Path) -> None:
    """JSONL input to Parquet parts; the stage over `{"id", "text"}` rows from Python."""
    from llmextract.run.ray_stage import summarize_dataset

    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"j{i}", "text": tiny_article(i)}) + "\n"
                              for i in range(30)), encoding="utf-8")
    with FakeServer() as srv:
        single = cli("summarize", str(source), "--base-url", srv.base_url, "--no-cache")
        code = main(["summarize", str(source), "--ray", "--workers", "2", "--base-url",
                     srv.base_url, "--no-cache", "--format", "parquet", "-o",
                     str(tmp_path / "pq")])
        assert code == 0
        import pyarrow.parquet as pq

        table = pq.read_table(tmp_path / "pq")
        assert table.column_names == ["id", "status", "record"]
        from_parquet = [json.loads(r) for r in table.column("record").to_pylist()]
        assert without_timings(from_parquet) == without_timings(records(single.stdout))

        rows = [{"id": f"j{i}", "text": tiny_article(i)} for i in range(30)]
        settings = Settings.resolve(base_url=srv.base_url, use_cache=False)
        ds = summarize_dataset(ray_cluster.data.from_items(rows, override_num_blocks=2),
                               settings, workers=2, batch_size=15)
        got = ds.take_all()
    # every row once (Ray hands back blocks in the order they finish, not the input's)
    assert sorted(r["id"] for r in got) == sorted(r["id"] for r in rows)
    from_rows = without_timings([json.loads(r["record"]) for r in got])
    expected = without_timings(records(single.stdout))
    for rec in (*from_rows.values(), *expected.values()):
        rec.pop("input")  # "in.jsonl:3" from the file, none from a Python row
    assert from_rows == expected


def _children_named(title: bytes) -> list[int]:
    """Processes of this test's own cluster (descendants of this process) whose command
    line starts with `title`."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if cmdline.startswith(title) and _descends_from(int(entry), me):
            found.append(int(entry))
    return found


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])  # field 4: the parent's pid
        if pid == ancestor:
            return True
    return False


def _article_of(request: Any) -> str:
    found = re.search(r"Article (a\d{4})", json.dumps(request))
    assert found is not None
    return found.group(1)


def _kill_workers_at(srv: FakeServer, article: str, killed: list[int]) -> None:
    """SIGKILL every SummarizeBatch worker once the server is asked about `article`."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(article in json.dumps(body) for body in srv.requests[-32:]):
            break
        time.sleep(0.005)
    for pid in _children_named(WORKER_TITLE):
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)


@needs_ray
def test_workers_killed_mid_run_lose_and_double_nothing(
        ray_cluster: Any, corpus: Path, tmp_path: Path) -> None:
    """Ray runs a dead worker's batch again on a new worker: every article is written once,
    and with the shared cache, those it had finished make no second model call.

    The 1,000 articles are 8 blocks of 125 in order (one batch each), read in order: when
    the server is asked about a0310, the worker on block 2 (a0250-a0374) has finished
    about 60 of its batch. Both workers are killed then."""
    with FakeServer(latency=0.01) as srv:
        killed: list[int] = []
        killer = threading.Thread(target=_kill_workers_at, args=(srv, "a0310", killed))
        killer.start()
        code = main(["summarize", str(corpus), "--ray", "--workers", "2", "--base-url",
                     srv.base_url, "-j", "4", "--cache-dir", str(tmp_path / "cache"), "-o",
                     str(tmp_path / "parts")])
        killer.join()
        calls = Counter(_article_of(body) for body in srv.requests)
    assert len(killed) == 2, killed
    assert code == 0
    recs = without_timings(part_records(tmp_path / "parts"))  # each id once
    assert sorted(recs) == [f"a{i:04d}" for i in range(N)]
    assert all(r["status"] == "ok" for r in recs.values())
    served_from_cache = [i for i, r in recs.items() if r["cached"]]
    assert len(served_from_cache) >= 30, "the retried batches made their calls again"
    assert all(calls[i] == 1 for i in served_from_cache)
    assert set(calls) == set(recs)
    # made twice: only what a dead worker had asked and not yet finished into the cache,
    # at most -j requests in flight plus 2 x -j answers queued for its finisher, plus one
    assert sum(calls.values()) - N <= 2 * (3 * 4 + 1), sum(calls.values())
