"""Long documents: the 60,000-word document of tests/longdoc.py through the fake server.

    .venv/bin/python bench/long_docs.py                  # latency 0.5 s, -j 8
    .venv/bin/python bench/long_docs.py --latency 0 -j 4

Runs the real CLI as a child process, `llmextract summarize DOC --model M --base-url URL -j N
--no-cache`, against the fake server (in this process: the rules echo, `--latency` seconds
an answer), under three budgets: the default input budget of a small local model (smollm2,
8,192 tokens of context), of a large one (gpt-4o-mini), and the whole document in one
request (`--max-input-tokens 200000`, what llmextract did before chunking; a real model
could not take it). Prints per run: the input budget, chunks, requests, prompt tokens,
the final summary request's share of them, the planted figures and quotes found (of how
many) and found twice, and the wall and CPU (user+sys) of the llmextract process alone.
Exits 0 (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llmextract.fakeserver import FakeServer  # noqa: E402
from tests.longdoc import Planted, long_document  # noqa: E402

RUNS = (("smollm2", None), ("gpt-4o-mini", None), ("gpt-4o-mini", 200_000))


def _child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall s, CPU s, stdout) of `python -m llmextract ARGS` (its own rusage)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "llmextract", *args], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, out.read().decode()


def _found(record: dict[str, Any], planted: list[Planted]) -> tuple[int, int]:
    """(planted facts found at their span, planted facts found more than once)."""
    summary = record["summary"] or {}
    found = twice = 0
    for fact in planted:
        items = summary.get("figures" if fact.kind == "figure" else "quotes") or []
        at = [i for i in items if i["span"] and i["span"][0] < fact.span[1]
              and fact.span[0] < i["span"][1]]
        found += any(tuple(i["span"]) == fact.span for i in at)
        twice += len(at) > 1
    return found, twice


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("-j", type=int, default=8)
    opts = parser.parse_args()
    text, planted = long_document()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    env.update(OPENAI_API_KEY="sk-bench-not-a-key", PYTHONPATH=str(ROOT))
    print(f"document: {len(text.split()):,} words, {len(text):,} characters, "
          f"{len(planted)} planted figures and quotes; fake server latency {opts.latency} s, "
          f"-j {opts.j}")
    print(f"{'model':12} {'budget':>7} {'chunks':>6} {'requests':>8} {'prompt tok':>10} "
          f"{'summary req':>11} {'found':>9} {'twice':>5} {'wall s':>7} {'CPU s':>6}")
    with tempfile.TemporaryDirectory() as tmp, FakeServer(latency=opts.latency) as srv:
        doc = Path(tmp) / "harbour_report.txt"
        doc.write_text(text, encoding="utf-8")
        env["LLMEXTRACT_CACHE_DIR"] = str(Path(tmp) / "cache")
        for model, budget in RUNS:
            srv.reset_stats()
            args = ["summarize", str(doc), "--model", model, "--base-url", srv.base_url,
                    "-j", str(opts.j), "--no-cache"]
            if budget:
                args += ["--max-input-tokens", str(budget)]
            wall, cpu, out = _child(args, env)
            record = json.loads(out)
            chunks = record["chunks"] or {}
            usage = record["usage"]
            last = srv.requests[-1] if chunks.get("summary_request") else None
            share = (len(json.dumps(last["messages"])) // 4 / usage["prompt_tokens"]
                     if last else 0.0)
            found, twice = _found(record, planted)
            print(f"{model:12} {chunks.get('max_input_tokens', budget) or '':>7} "
                  f"{chunks.get('count', 1):>6} {usage['requests']:>8} "
                  f"{usage['prompt_tokens']:>10,} {share:>10.1%} "
                  f"{found:>4}/{len(planted):<4} {twice:>5} {wall:>7.2f} {cpu:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
