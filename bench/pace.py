"""`-j auto` against servers with their own pace (issue 15): the real CLI, the fake server.

    python bench/pace.py [--only NAME ...] [--before CHECKOUT] [-v]

Scenarios (each runs `llmextract summarize DIR --base-url ... --no-cache -o OUT` once, as a
child process, on synthetic articles from bench/make_articles.py; the fake server runs in
this process on 127.0.0.1):

  one-slot     --slots 1, 0.2 s an answer, 100 articles, default options: wall vs the ideal
               100 x 0.2 s (target <= 1.2), 100 completions, no timeout
  one-slot-60  the issue's case in miniature: --slots 1, 0.2 s an answer, --timeout 0.3
               (a 40 s model under the default 60 s timeout), 30 articles: every article ok,
               one request each
  slow-model   --slots 1, 0.05 s per 1,000 prompt characters (~0.2 s each, varying), 40
               articles: wall vs the sum of the server's service times (target <= 1.2)
  16-slots     --slots 16, 0.2 s, 200 articles: seconds until 12 requests were in flight at
               once (target <= 5), the most in flight, wall vs 200/16 x 0.2 s
  no-limit     no slot limit, 0.5 s +/- 0.2 s (a hosted API), 300 articles: wall vs the
               ideal at -j 64, and at the old default -j 8

--before CHECKOUT also runs each scenario with the llmextract of another checkout (e.g.
the main branch, fixed -j 8) for comparison. Exit status 0 (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_articles import write_articles  # noqa: E402

from llmextract.fakeserver import FakeServer  # noqa: E402


@dataclass
class Scenario:
    name: str
    n: int
    latency: float
    slots: int | None
    args: tuple[str, ...] = ()
    per_kchar: float = 0.0
    jitter: float = 0.0
    ideal: str = "serial"  # serial: sum of service times; slots: n / slots x latency


SCENARIOS = [
    Scenario("one-slot", 100, 0.2, 1),
    Scenario("one-slot-60", 30, 0.2, 1, ("--timeout", "0.3")),
    Scenario("slow-model", 40, 0.0, 1, per_kchar=0.05),
    Scenario("16-slots", 200, 0.2, 16, ideal="slots"),
    Scenario("no-limit", 300, 0.5, None, jitter=0.2, ideal="slots"),
    Scenario("no-limit", 300, 0.5, None, ("-j", "8"), jitter=0.2, ideal="slots"),
]


def service_times(srv: FakeServer, sc: Scenario) -> float:
    """The server's time for one request per article (resends of a body not counted)."""
    total, seen = 0.0, set()
    for body in srv.requests:
        key = json.dumps(body["messages"], sort_keys=True)
        if key not in seen:
            seen.add(key)
            total += sc.latency + srv.size_delay(body)
    return total


def run(sc: Scenario, checkout: Path, folder: Path, verbose: bool,
        default_jobs: int = 64) -> dict[str, Any]:
    out = folder / f"out-{sc.name}.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    env.update(OPENAI_API_KEY="sk-bench-not-a-key", LLMEXTRACT_CACHE_DIR=str(folder / "cache"),
               PYTHONPATH=str(checkout))
    with FakeServer(latency=sc.latency, slots=sc.slots, seconds_per_kchar=sc.per_kchar,
                    jitter=sc.jitter) as srv:
        cmd = [sys.executable, "-m", "llmextract", "summarize", str(folder / f"in{sc.n}"),
               "--base-url", srv.base_url, "--no-cache", "-o", str(out), *sc.args]
        if verbose:
            print("$", " ".join(cmd), file=sys.stderr)
        started = time.monotonic()
        proc = subprocess.run(cmd, env=env, cwd=folder, capture_output=True, text=True,
                              timeout=900)
        wall = time.monotonic() - started
        stats = srv.stats
        serial = service_times(srv, sc)
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    statuses: dict[str, int] = {}
    for r in records:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    timeouts = sum(1 for r in records if "timed out" in json.dumps(r.get("error")))
    if sc.ideal == "serial":
        ideal = serial / (sc.slots or 1)
    else:
        jobs = int(sc.args[sc.args.index("-j") + 1]) if "-j" in sc.args else default_jobs
        width = min(jobs, sc.slots or jobs)
        ideal = -(-sc.n // width) * sc.latency
    pace = next((ln for ln in proc.stderr.splitlines() if "concurrency" in ln), "")
    retried = re.search(r"(\d+) requests? retried", pace)
    reached = stats["reached_at"].get("12")
    return {
        "scenario": sc.name, "args": " ".join(sc.args) or "(defaults)",
        "rc": proc.returncode, "wall": wall, "ideal": ideal, "ratio": wall / ideal,
        "records": statuses, "completions": stats["completions"], "timeouts": timeouts,
        "max_in_flight": stats["max_in_flight"], "reached_12": reached,
        "retried": int(retried.group(1)) if retried else 0, "pace": pace.removeprefix(
            "llmextract: "), "by_status": stats["by_status"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="scenario names")
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--before-jobs", type=int, default=8,
                        help="the default -j of the --before checkout (8), for its ideal")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="llmextract-pace-"))
    for n in sorted({sc.n for sc in SCENARIOS}):
        write_articles(folder / f"in{n}", n)
    checkouts = [("this", ROOT)] + ([("before", args.before.resolve())] if args.before else [])
    rows = []
    for sc in SCENARIOS:
        if args.only and sc.name not in args.only:
            continue
        for label, checkout in checkouts:
            row = run(sc, checkout, folder, args.verbose,
                      default_jobs=args.before_jobs if label == "before" else 64)
            row["code"] = label
            rows.append(row)
            print(f"{label:6} {sc.name:12} {row['args']:18} wall {row['wall']:6.2f} s  "
                  f"ideal {row['ideal']:6.2f} s  ratio {row['ratio']:5.2f}  "
                  f"requests {row['completions']:4}  records {row['records']}  timeouts "
                  f"{row['timeouts']}  max in flight {row['max_in_flight']}  12 in flight at "
                  f"{row['reached_12']}", file=sys.stderr, flush=True)
    print("\n| code | scenario | options | articles | wall s | ideal s | ratio | requests | "
          "records | timed-out records | max in flight | 12 in flight at s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        recs = ", ".join(f"{v} {k}" for k, v in sorted(r["records"].items()))
        print(f"| {r['code']} | {r['scenario']} | {r['args']} | {sum(r['records'].values())} "
              f"| {r['wall']:.2f} | {r['ideal']:.2f} | {r['ratio']:.2f} | {r['completions']} "
              f"| {recs} | {r['timeouts']} | {r['max_in_flight']} | "
              f"{'-' if r['reached_12'] is None else format(r['reached_12'], '.2f')} |")
    print()
    for r in rows:
        if r["pace"]:
            print(f"- {r['code']} {r['scenario']} {r['args']}: {r['pace']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
