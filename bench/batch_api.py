"""Batch API benchmark: N articles through `llmextract batch submit / status / collect`
against the project's fake server, beside the online path on the same answers.

    python bench/batch_api.py -n 10000 [--kills 3] [--seed 0] [--keep DIR]

Checks and figures:
- records: collect's records equal summarize's (`--mode tools`, same server, same answers),
  ignoring `elapsed_ms`;
- kill -9: submit is killed at random points and rerun until it finishes, then collect is
  killed at random points and rerun with --resume: every article exactly once in the output,
  every article submitted exactly once (the server's uploaded files are read back);
- CPU: user+sys seconds of the collect process per article (one clean, uninterrupted
  collect) against the online summarize process's (both whole processes, start-up
  included). The fake server runs in this process, so its work is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_articles import write_articles  # noqa: E402

from llmextract.fakeserver import FakeServer  # noqa: E402

KEY = "sk-bench-not-a-key"


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    env.update(OPENAI_API_KEY=KEY, LLMEXTRACT_CACHE_DIR=str(cache),
               PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    return env


def run(args: list[str], cache: Path, kill_after: float | None = None
        ) -> tuple[int, float, float]:
    """(exit status, CPU seconds, wall seconds) of `llmextract ARGS`; killed with SIGKILL
    after `kill_after` seconds when given (status -9)."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "llmextract", *args], cwd=ROOT,
                            env=_env(cache), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = None if kill_after is None else start + kill_after
    while True:  # reaped here only, so its resource usage is ours to read
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.monotonic() >= deadline:
            proc.send_signal(9)
            deadline = None
        time.sleep(0.01)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, -9):
        print(err, file=sys.stderr)
    return proc.returncode, usage.ru_utime + usage.ru_stime, time.monotonic() - start


def records(path: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record.pop("elapsed_ms", None)
        out[record["id"]] = record
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=10_000)
    p.add_argument("--kills", type=int, default=3, help="kill -9 of submit and of collect")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=16, help="-j of the online run")
    p.add_argument("--keep", type=Path, help="work in this folder (kept) instead of a temp")
    a = p.parse_args(argv)
    rng = random.Random(a.seed)
    work = a.keep or Path(tempfile.mkdtemp(prefix="llmextract-batch-api-"))
    work.mkdir(parents=True, exist_ok=True)
    articles, job, cache = work / "articles", work / "job", work / "cache"
    write_articles(articles, a.n, seed=a.seed)
    part_size = max(1, a.n // 4)  # several parts, so kills land between them too
    with FakeServer() as srv:
        srv.batches.plan.step_polls = 1
        base = ["--base-url", srv.base_url]
        code, online_cpu, online_wall = run(
            ["summarize", str(articles), *base, "--mode", "tools", "-j", str(a.jobs),
             "--no-cache", "-o", str(work / "online.jsonl")], cache)
        assert code == 0, "the online run failed"
        print(f"online: {a.n} articles, {online_wall:.1f} s wall, "
              f"{online_cpu / a.n * 1000:.2f} ms CPU per article")

        submit = ["batch", "submit", str(articles), "--dir", str(job), *base,
                  "--max-file-requests", str(part_size)]
        _, _, full = run(["batch", "submit", str(articles), "--dir", str(work / "probe"),
                          "--export-only", "--max-file-requests", str(part_size)], cache)
        kills = 0
        for _ in range(a.kills):
            code, _, _ = run(submit, cache, kill_after=rng.uniform(0.3, max(0.4, full)))
            kills += code == -9
        code, _, submit_wall = run(submit, cache)
        assert code == 0, "submit did not finish"
        sent = Counter()
        with srv.batches.lock:
            for batch in srv.batches.batches.values():
                for line in srv.batches.files[batch.input_file_id].data.splitlines():
                    sent[json.loads(line)["custom_id"]] += 1
        doubled = sum(1 for n in sent.values() if n > 1)
        print(f"submit: {kills} of {a.kills} runs killed (kill -9), then finished: "
              f"{len(srv.batches.batches)} batches, {sum(sent.values())} requests "
              f"({len(sent)} distinct, {doubled} submitted twice), {len(srv.batches.files)} "
              f"files; last run {submit_wall:.1f} s")

        code, _, wait_wall = run(["batch", "status", str(job), "--wait", "--poll", "0.2"],
                                 cache)
        assert code == 0
        print(f"status --wait: {wait_wall:.1f} s")

        out = work / "out.jsonl"
        collect = ["batch", "collect", str(job), "-o", str(out), "--no-cache"]
        _, clean_cpu, clean_wall = run([*collect[:3], "-o", str(work / "clean.jsonl"),
                                        "--no-cache"], cache)
        kills = 0
        for n in range(a.kills):
            args = collect + (["--resume"] if n else [])
            code, _, _ = run(args, cache, kill_after=rng.uniform(1.0, max(1.1, clean_wall)))
            kills += code == -9
        code, _, _ = run([*collect, "--resume"], cache)
        assert code == 0, "collect did not finish"
        lines = out.read_text(encoding="utf-8").splitlines()
        ids = Counter(json.loads(line)["id"] for line in lines)
        lost = a.n - len(ids)
        twice = sum(1 for n in ids.values() if n > 1)
        print(f"collect: {kills} of {a.kills} runs killed (kill -9), then --resume: "
              f"{len(lines)} records, {lost} lost, {twice} doubled")

        online, batch = records(work / "online.jsonl"), records(work / "clean.jsonl")
        differ = [k for k in online if online[k] != batch.get(k)]
        print(f"records: {len(batch)} from collect, {len(online)} online; "
              f"{len(differ)} differ (ignoring elapsed_ms)" + (
                  f", e.g. {differ[:3]}" if differ else ""))
        print(f"collect CPU: {clean_cpu / a.n * 1000:.2f} ms per article ({clean_wall:.1f} s "
              f"wall) vs online {online_cpu / a.n * 1000:.2f} ms per article")
        ok = not lost and not twice and not doubled and not differ and (
            clean_cpu <= online_cpu)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
