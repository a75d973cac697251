"""Batch benchmarks of the `llmextract summarize` CLI against the project's fake server.

    python bench/batch.py [--n 480] [-j 32] [--latency 0.5] [--quick] [--only NAME ...]
                          [--keep] [-v]

Scenarios (each runs the real CLI as a child process, once, on synthetic articles from
bench/make_articles.py):

  latency  fake server answering after --latency s; wall time of `summarize -j J --no-cache`
           over N articles vs the ideal ceil(N/J)*latency (target ratio <= 1.25); every
           record "ok" and the server saw exactly N completions
  cpu      instant server (--latency 0); user+sys CPU of the llmextract process per article
           (target <= 10 ms), with the fixed start-up CPU (1 article, median of 3) and the
           marginal cost (cpu_N - cpu_1)/(N - 1)
  cached   fill a fresh --cache-dir, rerun the same command: rerun wall time (target <= 2 s)
           and completions the server saw during the rerun (target 0)
  memory   `--engine rules -o /dev/null` over 1,000 and 8,000 articles: peak RSS of each
           child (os.wait4), ratio (target <= 1.5) and 8,000 < 300 MB
  startup  `llmextract --help` wall time, median of 5 (target <= 0.5 s)

--quick: n=64, memory over 200 and 800 articles (a smoke run). The fake server listens on
127.0.0.1 only (a free port) and is always stopped. Every child runs with
LLMEXTRACT_CACHE_DIR/XDG_CACHE_HOME in the temporary folder, so no run reads or writes the
user's cache. A scenario that cannot run shows "n/a: reason"; the exit status is always 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_articles import write_articles

ROOT = Path(__file__).resolve().parent.parent
DUMMY_KEY = "sk-bench-not-a-key"
CHILD_TIMEOUT_S = 900
SERVER_START_S = 60
SCENARIOS = ("latency", "cpu", "cached", "memory", "startup")

# targets
LATENCY_RATIO_MAX = 1.25
CPU_MS_MAX = 10.0
CACHED_WALL_MAX_S = 2.0
MEMORY_RATIO_MAX = 1.5
MEMORY_BIG_MAX_MB = 300.0
STARTUP_MAX_S = 0.5


def _venv_python() -> str:
    exe = ROOT / ".venv" / "bin" / "python"
    return str(exe) if exe.exists() else sys.executable


def _llmextract() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "llmextract"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("llmextract")
    return [found] if found else [_venv_python(), "-m", "llmextract"]


# --------------------------------------------------------------------------- plumbing

class NotAvailable(Exception):
    """A scenario (or one of its figures) cannot be measured; the message says why."""


@dataclass
class Row:
    scenario: str
    measure: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: no target (information only)


@dataclass
class Child:
    cmd: list[str]
    rc: int
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_mb: float
    stderr: str

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def tail(self, lines: int = 3) -> str:
        return " | ".join(self.stderr.strip().splitlines()[-lines:])[-300:]


@dataclass
class Bench:
    args: argparse.Namespace
    tmp: Path
    python: str = field(default_factory=_venv_python)
    cli: list[str] = field(default_factory=_llmextract)
    commands: list[str] = field(default_factory=list)
    _dirs: dict[tuple[int, int], Path] = field(default_factory=dict)
    _flags: set[str] | None = None
    _serial: int = 0

    def log(self, cmd: Sequence[str], env_note: str = "") -> None:
        line = " ".join(_quote(c) for c in cmd)
        if env_note:
            line = f"{env_note} {line}"
        self.commands.append(line)
        if self.args.verbose:
            print(f"  $ {line}", file=sys.stderr, flush=True)

    def fresh(self, name: str) -> Path:
        self._serial += 1
        path = self.tmp / f"{self._serial:02d}-{name}"
        path.mkdir(parents=True)
        return path

    def env(self) -> dict[str, str]:
        """The child's environment: a dummy key and a private, empty cache location."""
        env = dict(os.environ)
        env.pop("OPENAI_BASE_URL", None)
        env["OPENAI_API_KEY"] = DUMMY_KEY
        cache_home = self.fresh("xdg-cache")
        env["XDG_CACHE_HOME"] = str(cache_home)
        env["LLMEXTRACT_CACHE_DIR"] = str(cache_home / "llmextract")
        return env

    def articles(self, n: int, words: int = 600) -> Path:
        key = (n, words)
        if key not in self._dirs:
            folder = self.tmp / f"articles-{n}"
            start = time.perf_counter()
            write_articles(folder, n, seed=self.args.seed, words=words)
            if self.args.verbose:
                print(f"  (generated {n} articles in {time.perf_counter() - start:.2f} s: "
                      f"{folder})", file=sys.stderr, flush=True)
            self._dirs[key] = folder
        return self._dirs[key]

    def flags(self) -> set[str]:
        """The long options `llmextract summarize` accepts right now."""
        if self._flags is None:
            out = subprocess.run([*self.cli, "summarize", "--help"], capture_output=True,
                                 text=True, timeout=120, check=False)
            self._flags = set(re.findall(r"(--[a-z][a-z0-9-]*)", out.stdout))
        return self._flags

    def run(self, cmd: list[str], env: dict[str, str] | None = None,
            timeout: float = CHILD_TIMEOUT_S, env_note: str = "") -> Child:
        self.log(cmd, env_note)
        return run_child(cmd, env, timeout)


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def run_child(cmd: list[str], env: dict[str, str] | None = None,
              timeout: float = CHILD_TIMEOUT_S) -> Child:
    """Run cmd; its own wall time, CPU (user, sys) and peak RSS via os.wait4."""
    with tempfile.TemporaryFile("w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, env=env)
        timer = threading.Timer(timeout, _kill, (proc,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if proc.returncode in (-signal.SIGKILL, -signal.SIGTERM):
        text += f"\n(killed after {timeout:.0f} s)"
    return Child(cmd, proc.returncode, wall, usage.ru_utime, usage.ru_stime,
                 usage.ru_maxrss / 1024, text)  # ru_maxrss: KiB on Linux


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        proc.kill()


class FakeServer:
    """`python -m llmextract.fakeserver` as a child process on 127.0.0.1, a free port."""

    def __init__(self, bench: Bench, latency: float) -> None:
        self.bench = bench
        self.latency = latency
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []

    def __enter__(self) -> FakeServer:
        cmd = [self.bench.python, "-m", "llmextract.fakeserver", "--port", "0",
               "--latency", f"{self.latency:g}"]
        self.bench.log(cmd)
        env = dict(os.environ)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        threading.Thread(target=self._pump, daemon=True).start()
        try:
            deadline = time.monotonic() + SERVER_START_S
            while not self.base_url:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NotAvailable(f"fake server did not start in {SERVER_START_S} s")
                try:
                    line = self.lines.get(timeout=left)
                except queue.Empty:
                    continue
                if line is None:
                    raise NotAvailable("fake server exited: " + " | ".join(self.stderr[-3:]))
                found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
                if found:
                    self.base_url = found.group(1)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip())
            self.lines.put(line)
        self.lines.put(None)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                _kill(proc)
                deadline = time.monotonic() + 10
            time.sleep(0.05)

    def cpu_now(self) -> float:
        """CPU seconds the server has used so far (Linux /proc; NaN elsewhere)."""
        try:
            assert self.proc is not None
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AssertionError):
            return float("nan")

    def _call(self, method: str, path: str) -> dict[str, object]:
        req = urllib.request.Request(self.base_url + path, method=method,
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return dict(json.loads(resp.read()))

    def stats(self) -> dict[str, object]:
        return self._call("GET", "/_stats")

    def completions(self) -> int:
        return int(self.stats()["completions"])  # type: ignore[call-overload]

    def reset(self) -> None:
        self._call("POST", "/_reset")


def read_records(path: Path) -> list[dict[str, object]]:
    records = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
    return records


def check_records(path: Path, n: int) -> tuple[str, bool]:
    try:
        records = read_records(path)
    except (OSError, ValueError) as exc:
        return f"unreadable output: {exc}", False
    statuses: dict[str, int] = {}
    for rec in records:
        key = str(rec.get("status"))
        statuses[key] = statuses.get(key, 0) + 1
    ok = statuses.get("ok", 0)
    shown = ", ".join(f"{v} {k}" for k, v in sorted(statuses.items()))
    return f"{len(records)} lines: {shown or 'none'}", len(records) == n and ok == n


def _no_cache(bench: Bench) -> tuple[list[str], str]:
    """Flags that turn the result cache off, and a note when the CLI has none yet."""
    if "--no-cache" in bench.flags():
        return ["--no-cache"], ""
    return [], "no --no-cache in the CLI yet: ran with an empty private cache instead"


def _failed(child: Child, what: str) -> NotAvailable:
    return NotAvailable(f"{what} exited {child.rc}: {child.tail()}")


# --------------------------------------------------------------------------- scenarios

def scenario_latency(bench: Bench) -> list[Row]:
    n, jobs, latency = bench.args.n, bench.args.jobs, bench.args.latency
    folder = bench.articles(n)
    extra, note = _no_cache(bench)
    out = bench.fresh("latency") / "out.jsonl"
    with FakeServer(bench, latency) as server:
        cmd = [*bench.cli, "summarize", str(folder), "--base-url", server.base_url + "/v1",
               "-j", str(jobs), *extra, "-o", str(out)]
        child = bench.run(cmd, bench.env(), env_note=f"OPENAI_API_KEY={DUMMY_KEY}")
        completions = server.completions()
    if child.rc != 0:
        raise _failed(child, "summarize")
    ideal = math.ceil(n / jobs) * latency
    ratio = child.wall_s / ideal if ideal else float("nan")
    shown, records_ok = check_records(out, n)
    rows = [
        Row("latency", f"wall, {n} articles, -j {jobs}, latency {latency:g} s",
            f"{child.wall_s:.2f} s"),
        Row("latency", f"ideal ceil(N/j)*latency = {math.ceil(n / jobs)} x {latency:g} s",
            f"{ideal:.2f} s"),
        Row("latency", "wall / ideal", f"{ratio:.3f}", f"<= {LATENCY_RATIO_MAX}",
            ratio <= LATENCY_RATIO_MAX),
        Row("latency", "records (all status ok)", shown, f"{n} ok", records_ok),
        Row("latency", "server completions", str(completions), f"== {n}", completions == n),
    ]
    if note:
        rows.append(Row("latency", "note", note))
    return rows


def scenario_cpu(bench: Bench) -> list[Row]:
    n, jobs = bench.args.n, bench.args.jobs
    folder = bench.articles(n)
    one = bench.fresh("one-article")
    shutil.copy(folder / "00000.txt", one / "00000.txt")
    extra, note = _no_cache(bench)
    with FakeServer(bench, 0.0) as server:
        def summarize(target: Path, tag: str) -> tuple[Child, Path]:
            out = bench.fresh(tag) / "out.jsonl"
            cmd = [*bench.cli, "summarize", str(target), "--base-url", server.base_url + "/v1",
                   "-j", str(jobs), *extra, "-o", str(out)]
            child = bench.run(cmd, bench.env(), env_note=f"OPENAI_API_KEY={DUMMY_KEY}")
            if child.rc != 0:
                raise _failed(child, "summarize")
            return child, out

        ones = [summarize(one, "cpu-1")[0] for _ in range(3)]
        server.reset()
        server_cpu0 = server.cpu_now()
        big, out = summarize(folder, "cpu-n")
        server_cpu = server.cpu_now() - server_cpu0
        completions = server.completions()
    cpu1 = statistics.median(c.cpu_s for c in ones)
    per = big.cpu_s / n * 1000
    marginal = (big.cpu_s - cpu1) / (n - 1) * 1000 if n > 1 else float("nan")
    shown, records_ok = check_records(out, n)
    rows = [
        Row("cpu", f"CPU of llmextract, {n} articles (user+sys)",
            f"{big.cpu_s:.2f} s ({big.user_s:.2f}+{big.sys_s:.2f}); wall {big.wall_s:.2f} s"),
        Row("cpu", "CPU per article (total / N)", f"{per:.2f} ms", f"<= {CPU_MS_MAX:g} ms",
            per <= CPU_MS_MAX),
        Row("cpu", "start-up CPU: 1 article (median of 3)", f"{cpu1 * 1000:.0f} ms"),
        Row("cpu", "marginal CPU per article (cpu_N - cpu_1)/(N - 1)", f"{marginal:.2f} ms",
            f"(aim {6:g} ms)"),
        Row("cpu", "fake server CPU per completion (rules echo)",
            f"{server_cpu / max(completions, 1) * 1000:.2f} ms ({completions} completions)"),
        Row("cpu", "records (all status ok)", shown, f"{n} ok", records_ok),
    ]
    if note:
        rows.append(Row("cpu", "note", note))
    return rows


def scenario_cached(bench: Bench) -> list[Row]:
    n, jobs = bench.args.n, bench.args.jobs
    folder = bench.articles(n)
    cache_dir = bench.fresh("cache")
    env = bench.env()
    flags = bench.flags()
    if "--cache-dir" in flags:
        extra, note = ["--cache-dir", str(cache_dir)], ""
        env_note = f"OPENAI_API_KEY={DUMMY_KEY}"
    else:
        # The CLI has no --cache-dir yet; the settings read LLMEXTRACT_CACHE_DIR.
        extra, note = [], "no --cache-dir in the CLI yet: cache set with LLMEXTRACT_CACHE_DIR"
        env["LLMEXTRACT_CACHE_DIR"] = str(cache_dir)
        env_note = f"OPENAI_API_KEY={DUMMY_KEY} LLMEXTRACT_CACHE_DIR={cache_dir}"
    with FakeServer(bench, 0.0) as server:
        def summarize(tag: str) -> tuple[Child, Path]:
            out = bench.fresh(tag) / "out.jsonl"
            cmd = [*bench.cli, "summarize", str(folder), "--base-url", server.base_url + "/v1",
                   "-j", str(jobs), *extra, "-o", str(out)]
            child = bench.run(cmd, env, env_note=env_note)
            if child.rc != 0:
                raise _failed(child, "summarize")
            return child, out

        fill, _ = summarize("cache-fill")
        filled = server.completions()
        server.reset()
        rerun, out = summarize("cache-rerun")
        during = server.completions()
    try:
        records = read_records(out)
    except (OSError, ValueError):
        records = []
    cached = sum(1 for r in records if r.get("cached") is True)
    rows = [
        Row("cached", f"fill run, {n} articles (completions {filled})",
            f"{fill.wall_s:.2f} s wall, {fill.cpu_s:.2f} s CPU"),
        Row("cached", "rerun wall time", f"{rerun.wall_s:.2f} s", f"<= {CACHED_WALL_MAX_S:g} s",
            rerun.wall_s <= CACHED_WALL_MAX_S),
        Row("cached", "rerun CPU (user+sys)", f"{rerun.cpu_s:.2f} s"),
        Row("cached", "server completions during rerun", str(during), "== 0", during == 0),
        Row("cached", "rerun records marked cached", f"{cached}/{len(records)}", f"{n}/{n}",
            cached == n == len(records)),
    ]
    if note:
        rows.append(Row("cached", "note", note))
    return rows


def scenario_memory(bench: Bench) -> list[Row]:
    small, big = (200, 800) if bench.args.quick else (1000, 8000)
    results = {}
    for count in (small, big):
        folder = bench.articles(count)
        cmd = [*bench.cli, "summarize", str(folder), "--engine", "rules", "-o", os.devnull]
        child = bench.run(cmd, bench.env())
        if child.rc != 0:
            raise _failed(child, "summarize --engine rules")
        results[count] = child
    ratio = results[big].maxrss_mb / results[small].maxrss_mb
    big_max = MEMORY_BIG_MAX_MB
    rows = [Row("memory", f"peak RSS, {count:,} articles (rules)", f"{c.maxrss_mb:.1f} MB",
                f"< {big_max:g} MB" if count == big else "",
                c.maxrss_mb < big_max if count == big else None)
            for count, c in results.items()]
    rows.append(Row("memory", f"RSS ratio {big:,} / {small:,}", f"{ratio:.3f}",
                    f"<= {MEMORY_RATIO_MAX}", ratio <= MEMORY_RATIO_MAX))
    for count, c in results.items():
        rows.append(Row("memory", f"rules engine, {count:,} articles",
                        f"{c.wall_s:.2f} s wall, {c.cpu_s / count * 1000:.2f} ms CPU/article"))
    return rows


def scenario_startup(bench: Bench) -> list[Row]:
    cmd = [*bench.cli, "--help"]
    walls = []
    for _ in range(5):
        child = bench.run(cmd)
        if child.rc != 0:
            raise _failed(child, "llmextract --help")
        walls.append(child.wall_s)
    med = statistics.median(walls)
    return [Row("startup", "`llmextract --help` wall, median of 5", f"{med:.3f} s",
                f"<= {STARTUP_MAX_S:g} s", med <= STARTUP_MAX_S),
            Row("startup", "the 5 runs", ", ".join(f"{w:.3f}" for w in walls))]


RUNNERS: dict[str, Callable[[Bench], list[Row]]] = {
    "latency": scenario_latency, "cpu": scenario_cpu, "cached": scenario_cached,
    "memory": scenario_memory, "startup": scenario_startup,
}


# --------------------------------------------------------------------------- output

def print_table(rows: list[Row]) -> None:
    header = ("scenario", "measure", "value", "target", "result")
    cells = [(r.scenario, r.measure, r.value, r.target,
              "-" if r.ok is None else ("PASS" if r.ok else "FAIL")) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, h in enumerate(header)]
    widths[2] = min(widths[2], 60)

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()

    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    last = None
    for c in cells:
        if last is not None and c[0] != last:
            print()
        print(fmt(c))
        last = c[0]


@contextlib.contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="llmextract-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None, help="articles (default 480; 64 quick)")
    parser.add_argument("-j", "--jobs", type=int, default=32, help="-j of summarize (32)")
    parser.add_argument("--latency", type=float, default=0.5,
                        help="fake server latency of the latency scenario (0.5 s)")
    parser.add_argument("--seed", type=int, default=0, help="article generator seed (0)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: n=64, memory over 200 and 800 articles")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, metavar="NAME",
                        help=f"run only these scenarios ({', '.join(SCENARIOS)})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print each command as it runs")
    args = parser.parse_args(argv)
    if args.n is None:
        args.n = 64 if args.quick else 480
    args.n = max(args.n, 2)
    chosen = [s for s in SCENARIOS if not args.only or s in args.only]
    # Time the package as an installed one runs: compiled once. (An editable install in an
    # environment with PYTHONDONTWRITEBYTECODE set would otherwise recompile changed modules
    # on every run and charge that to each scenario.)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "llmextract")],
                   check=False, stdout=subprocess.DEVNULL)
    rows: list[Row] = []
    started = time.perf_counter()
    with workdir(args.keep) as tmp:
        bench = Bench(args, tmp)
        for name in chosen:
            if args.verbose:
                print(f"[{name}]", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                rows.extend(RUNNERS[name](bench))
            except NotAvailable as exc:
                rows.append(Row(name, "(not measured)", f"n/a: {exc}"))
            except Exception as exc:
                rows.append(Row(name, "(not measured)", f"n/a: {type(exc).__name__}: {exc}"))
            if args.verbose:
                print(f"  ({name}: {time.perf_counter() - t0:.1f} s)", file=sys.stderr,
                      flush=True)
    print(f"llmextract batch benchmarks: n={args.n} -j {args.jobs} latency={args.latency:g} s"
          f"{' (quick)' if args.quick else ''}; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; {time.perf_counter() - started:.0f} s in all")
    print()
    print_table(rows)
    if args.verbose and bench.commands:
        print("\ncommands:")
        for line in bench.commands:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
