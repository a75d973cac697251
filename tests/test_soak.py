"""Soak: many articles against a server that fails 30% of requests in every way it knows.
Every input must come out exactly once, none as "error".

CI runs it at LLMEXTRACT_SOAK_N (default 300); `python bench/soak.py` runs 2,000.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from llmextract.fakeserver import FAULT_KINDS, FakeServer, FaultPlan

from .conftest import ARTICLES, ROOT, SEED

pytestmark = pytest.mark.slow


def write_articles(folder: Path, n: int) -> list[str]:
    sources = [p.read_text(encoding="utf-8") for p in [*sorted(ARTICLES.glob("*.txt")), SEED]]
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(n):
        ids.append(f"s{i:05d}")
        (folder / f"{ids[-1]}.txt").write_text(
            f"{sources[i % len(sources)]}\n\nUpdate {i}: this story was updated.\n")
    return ids


def test_soak_with_mixed_faults(tmp_path: Path) -> None:
    n = int(os.environ.get("LLMEXTRACT_SOAK_N", "300"))
    ids = write_articles(tmp_path / "in", n)
    plan = FaultPlan(rate=0.3, kinds=FAULT_KINDS, seed=7, max_consecutive=2,
                     retry_after=1, retry_after_ms=20, slow_seconds=3)
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    env.update(OPENAI_API_KEY="sk-soak-test", LLMEXTRACT_CACHE_DIR=tempfile.mkdtemp())
    start = time.monotonic()
    with FakeServer(latency=0.02, faults=plan) as srv:
        proc = subprocess.run(
            [sys.executable, "-m", "llmextract", "summarize", str(tmp_path / "in"),
             "--base-url", srv.base_url, "-j", "32", "--timeout", "1", "-o", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        served = srv.stats
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in records) == ids  # each input exactly once
    status = collections.Counter(r["status"] for r in records)
    print(f"\nsoak: {n} articles in {time.monotonic() - start:.1f} s; records by status "
          f"{dict(status)}; requests {served['completions']}; faults served "
          f"{dict(served['by_fault'])}")
    assert status["error"] == 0
    assert sum(served["by_fault"].values()) > 0.2 * n  # the faults really happened
