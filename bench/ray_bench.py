"""Ray Data against one process: `llmextract summarize --ray local --workers W` and the
single-process CLI, on the same machine, the same fake server and the same articles.

    python bench/ray_bench.py [--n 1000] [--small 100] [--latency 0 0.2] [-j 8]
                              [--workers 2] [--words 600] [-v]

For each latency: the single process runs with `-j W*J`, Ray with W workers of `-j J` each
(the same requests in flight). Figures per run: wall time, articles per second, the CPU of
every process of the run (the CLI and, with Ray, its own local cluster: GCS, raylet,
workers...; sampled from /proc every 50 ms, so a process's last 50 ms can be missed) and
the completions the server saw. CPU per article is the marginal cost (cpu_N - cpu_small) /
(N - small), so start-up (a Ray cluster, the imports in every worker) is left out and given
apart; "Ray stage overhead per article" is Ray's marginal minus the single process's.

The fake server (`python -m llmextract.fakeserver`, rules echo) runs as a child process on
127.0.0.1; its CPU per completion is shown for information. Every child gets a dummy key
and runs with --no-cache. Needs the ray extra; always exits 0 (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import DUMMY_KEY, Bench, FakeServer, NotAvailable, check_records

TICK = os.sysconf("SC_CLK_TCK")
POLL_S = 0.05


@dataclass
class Run:
    label: str
    n: int
    rc: int
    wall_s: float
    cpu_s: float
    cpu_by_kind: dict[str, float]
    processes: int
    completions: int
    server_cpu_s: float
    check: str


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (field 3 onwards), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _session_cpu(session: int, seen: dict[int, float], names: dict[int, str]) -> None:
    """Record the CPU seconds (user + sys) of every live process of `session`."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[3]) == session:  # field 6: session id
                seen[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
                name = _name(int(entry))  # a worker takes its title late; a zombie has none
                if name != "?" or int(entry) not in names:
                    names[int(entry)] = name


def _name(pid: int) -> str:
    """What a process is: Ray's title (ray::MapWorker(...), ray::IDLE...) or its program."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    first = argv[0].decode("utf-8", "replace")
    if first.startswith("ray::"):
        return first.split()[0].split("(")[0]
    prog = Path(first.split()[0]).name if first else "?"
    if prog.startswith("python") and len(argv) > 2 and argv[1] == b"-m":
        return f"python -m {argv[2].decode()}"
    if prog.startswith("python") and len(argv) > 1:
        return f"python {Path(argv[1].decode('utf-8', 'replace')).name}"
    return prog


def run_tree(cmd: list[str], env: dict[str, str], timeout: float = 900
             ) -> tuple[int, float, dict[str, float], int]:
    """Run `cmd` in a new session; (exit status, wall s, CPU s of the session's processes by
    kind, how many processes)."""
    seen: dict[int, float] = {}
    names: dict[int, str] = {}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)
    stderr: list[bytes] = []
    reader = _drain(proc, stderr)
    while True:
        _session_cpu(proc.pid, seen, names)  # the root's last sample is taken while it is a zombie
        fields = _stat(proc.pid)
        if fields is None or fields[0] == "Z":
            break
        if time.perf_counter() - start > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(POLL_S)
    proc.wait()
    wall = time.perf_counter() - start
    deadline = time.monotonic() + 15  # the cluster's processes wind down after the CLI
    while time.monotonic() < deadline and _alive_in(proc.pid):
        _session_cpu(proc.pid, seen, names)
        time.sleep(POLL_S)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of this run's own session
    reader.join(timeout=5)
    if proc.returncode:
        print(b"".join(stderr).decode("utf-8", "replace")[-1500:], file=sys.stderr)
    by_kind: dict[str, float] = {}
    counts: dict[str, int] = {}
    for pid, cpu in seen.items():
        kind = "the CLI (driver)" if pid == proc.pid else names.get(pid, "?")
        counts[kind] = counts.get(kind, 0) + 1
        by_kind[kind] = by_kind.get(kind, 0.0) + cpu
    by_kind = {f"{kind} x{counts[kind]}": cpu for kind, cpu in by_kind.items()}
    return proc.returncode, wall, by_kind, len(seen)


def _alive_in(session: int) -> bool:
    probe: dict[int, float] = {}
    _session_cpu(session, probe, {})
    return bool(probe)


def _drain(proc: subprocess.Popen[bytes], into: list[bytes]) -> threading.Thread:
    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            into.append(line)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


def one_run(bench: Bench, server: FakeServer, label: str, n: int, extra: list[str]) -> Run:
    folder = bench.articles(n, bench.args.words)
    out = bench.fresh(label.replace(" ", "-"))
    target = out / ("parts" if "--ray" in extra else "out.jsonl")
    cmd = [*bench.cli, "summarize", str(folder), "--base-url", server.base_url + "/v1",
           "--no-cache", "-o", str(target), *extra]
    bench.log(cmd)
    env = bench.env()
    server.reset()
    server_cpu = server.cpu_now()
    rc, wall, by_kind, procs = run_tree(cmd, env)
    if target.is_dir():
        joined = out / "joined.jsonl"
        joined.write_text("".join(p.read_text(encoding="utf-8")
                                  for p in sorted(target.glob("*.jsonl"))), encoding="utf-8")
        target = joined
    check, _ = check_records(target, n)
    return Run(label, n, rc, wall, sum(by_kind.values()), by_kind, procs, server.completions(),
               server.cpu_now() - server_cpu, check)


def scenario(bench: Bench, latency: float) -> list[Run]:
    a = bench.args
    single = ["-j", str(a.workers * a.jobs)]
    ray = ["--ray", "local", "--workers", str(a.workers), "-j", str(a.jobs)]
    runs = []
    with FakeServer(bench, latency) as server:
        for n in (a.small, a.n):
            runs.append(one_run(bench, server, f"1 process -j {a.workers * a.jobs}", n, single))
            runs.append(one_run(bench, server, f"ray {a.workers}x-j {a.jobs}", n, ray))
    return runs


def report(latency: float, runs: list[Run]) -> None:
    print(f"\n## latency {latency:g} s")
    print(f"{'run':<22}{'N':>6}{'rc':>4}{'wall s':>9}{'art/s':>8}{'CPU s':>8}{'procs':>7}"
          f"{'server calls':>14}{'server CPU ms/call':>20}  records")
    for r in runs:
        per_call = 1000 * r.server_cpu_s / r.completions if r.completions else float("nan")
        print(f"{r.label:<22}{r.n:>6}{r.rc:>4}{r.wall_s:>9.2f}{r.n / r.wall_s:>8.1f}"
              f"{r.cpu_s:>8.2f}{r.processes:>7}{r.completions:>14}{per_call:>20.2f}  {r.check}")
    by = {(r.label.split()[0], r.n): r for r in runs}
    small, big = min(r.n for r in runs), max(r.n for r in runs)
    marginal = {}
    for kind in ("1", "ray"):
        lo, hi = by[(kind, small)], by[(kind, big)]
        marginal[kind] = 1000 * (hi.cpu_s - lo.cpu_s) / (big - small)
        rate = (big - small) / (hi.wall_s - lo.wall_s) if hi.wall_s > lo.wall_s else float("nan")
        fixed = lo.cpu_s - lo.n * marginal[kind] / 1000
        name = "1 process" if kind == "1" else "ray"
        print(f"{name}: marginal CPU {marginal[kind]:.2f} ms/article, start-up CPU "
              f"{fixed:.2f} s; marginal throughput {rate:.1f} articles/s (N={small}->{big})")
    print(f"Ray stage overhead per article: {marginal['ray'] - marginal['1']:+.2f} ms of CPU")
    lo, hi = by[("ray", small)], by[("ray", big)]
    print(f"ray CPU s by kind of process x how many (N={small} | N={big}):")
    for which in (lo, hi):
        print("  " + "; ".join(f"{kind} {cpu:.2f}" for kind, cpu in
                               sorted(which.cpu_by_kind.items(), key=lambda kv: -kv[1])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.2])
    parser.add_argument("-j", "--jobs", type=int, default=8, help="per worker")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    print(f"# ray_bench: {os.cpu_count()} CPUs, N={args.n} (small {args.small}), "
          f"{args.workers} workers x -j {args.jobs}, {args.words}-word articles, "
          f"key {DUMMY_KEY[:7]}...")
    with tempfile.TemporaryDirectory(prefix="llmextract-ray-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        for latency in args.latency:
            try:
                report(latency, scenario(bench, latency))
            except NotAvailable as exc:
                print(f"\n## latency {latency:g} s: n/a: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
