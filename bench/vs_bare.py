"""llmextract against a bare instructor loop: CPU per article, wall time, start-up.

    python bench/vs_bare.py [--n 480] [--words 260] [-j 8] [--wall-jobs 32] [--latency 0.5]
                            [--only cpu wall startup] [--repeat R] [--importtime]
                            [--peers langextract [--lx-chars 4000 1000]] [--keep] [-v]

Every system runs as its own child process on the same N synthetic articles
(bench/make_articles.py, --words ~260 like the real articles of issue 16) against the same
fake server (`python -m llmextract.fakeserver`, rules echo, a child on 127.0.0.1):

  (a) bare    bench/bare_loop.py: `instructor.from_openai(AsyncOpenAI(...))` mode TOOLS,
              `create(response_model=ArticleSummary)` per article, asyncio.gather under a
              semaphore of -j, nothing else; llmextract's own prompt text
  (b) wrapped the same loop with `instructor.openai_schema(ArticleSummary)` wrapped once
  (c) llmextract  `llmextract summarize DIR --base-url URL -j J --no-cache -o OUT` (the console
              script's code from this checkout: VsBare.llmextract)
  (c')            a later run with the cache folder on, as a user's second run is: without
              --no-cache, after a 1-article run (an article outside the set) in the same
              cache folder, so `--mode auto` knows the endpoint's form (endpoints.json) and
              sends no probe first; the result cache has no hit and stores every record.
              (c) probes: with --no-cache the cache folder, endpoints.json included, is
              neither read nor written, so the first request goes alone (docs/modes.md)

--peers langextract adds google's langextract 1.7.1 (bench/peers.py installs it in its own
venv, bench/.venvs/, with the openai of this environment; skipped with pip's reason when it
cannot be installed), run by bench/peer_langextract.py, once per --lx-chars value:
  (d) max_char_buffer 4000: a ~260-word article (1,500-1,800 characters) is one request
  (e) max_char_buffer 1000, langextract's default: two requests per article
with max_workers = batch_length = the scenario's -j, everything else at langextract's
defaults (strict json_schema from the examples, raw JSON, one pass). The fake server
answers it in its own {"extractions": [...]} format with the figures, quotes and entities
of the same rules echo it sends llmextract, run on the chunk langextract sent
(llmextract/fakeserver/peer_formats.py): with one chunk per article both systems receive
the same items, which the "items per article" rows show. langextract is asked for no
summary, key points, topics or metadata (its format holds extracted spans), so it does
less than (c).

Scenarios:
  cpu      instant server (--latency 0), -j 8: user+sys CPU of each child (os.wait4) per
           article; target (c) <= 0.6x (a)
  wall     server --latency S (0.5), -j --wall-jobs (32): wall time of each child (start to
           exit, imports included); target (c) <= 0.95x (a)
  startup  CPU of `summarize one.txt --engine rules -o /dev/null` (median of 5; target
           < 0.15 s), of `python -c "import instructor, openai"`, `import llmextract`,
           `python -c pass` (medians of 5), of a 1-article model run (median of 3) and its
           share of the N-article run of `cpu`; which heavy packages the rules run imports

Per system the table gives requests/article and prompt chars/article (messages only, as
the fake server counts them) and request bytes/article (the whole JSON body: messages +
tool schema + parameters), from the server's /_requests; CPU ms/article; wall s; ratios to
(a) and (b). --repeat R runs every scenario's systems R times, interleaved, and reports
medians. --importtime prints the top 15 imports (`python -X importtime`) of the 1-article
model run and of the rules run. The children get a dummy OPENAI_API_KEY, a private cache
folder and PYTHONPATH=<this checkout>, so they measure the code beside this script. The
machine is shared and noisy: read ratios from one run. Exit status: always 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers
from batch import (
    DUMMY_KEY,
    ROOT,
    Bench,
    Child,
    FakeServer,
    NotAvailable,
    Row,
    check_records,
    print_table,
    workdir,
)
from make_articles import write_articles

sys.path.insert(0, str(ROOT))
from llmextract.call.prompts import load_prompt
from llmextract.fakeserver.completions import prompt_chars

SCENARIOS = ("cpu", "wall", "startup")
CPU_RATIO_MAX = 0.6  # llmextract CPU per article / the bare loop's
WALL_RATIO_MAX = 0.95  # llmextract wall / the bare loop's, -j 32, 500 ms per answer
RULES_STARTUP_MAX_S = 0.15
HEAVY = ("pydantic", "openai", "instructor", "httpx", "httpx2", "yaml", "jinja2", "tenacity",
         "docstring_parser", "rich", "typer", "jiter", "anyio", "trafilatura", "lxml")
SYSTEMS = ("bare", "wrapped", "llmextract", "remembered")
LABEL = {"bare": "(a) bare instructor loop", "wrapped": "(b) loop, schema wrapped once",
         "llmextract": "(c) llmextract summarize",
         "remembered": "(c') a later run, cache on: form known"}


@dataclass
class Measured:
    system: str
    child: Child
    requests: int
    prompt_chars: int
    body_bytes: int
    server_cpu_s: float
    records: str = ""
    records_ok: bool = True
    items: dict[str, float] = field(default_factory=dict)  # figure/quote/entity per article


@dataclass
class VsBare(Bench):
    """batch.py's plumbing; children run llmextract from this checkout."""

    results: dict[str, dict[str, Measured]] = field(default_factory=dict)
    peer_systems: dict[str, peers.Peer] = field(default_factory=dict)
    grids: list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]] = field(
        default_factory=list)

    def env(self) -> dict[str, str]:
        env = super().env()
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        return env

    def llmextract(self) -> list[str]:
        """The `llmextract` command as its console script runs it (`from llmextract.cli
        import run; run()` at the top level of `__main__`), from this checkout. Not
        `python -m llmextract`: on CPython 3.11 runpy's extra frames put the rule modules'
        regex compiling on a boundary of the interpreter's 16 KiB frame-stack chunks, which
        then costs one mmap/munmap pair per call (~11,600 pairs, +70-80 ms of CPU; the
        startup table shows both)."""
        return [self.python, "-c", "from llmextract.cli import run; run()"]

    def prompt_file(self) -> Path:
        path = self.tmp / "prompt.json"
        if not path.exists():
            prompt = load_prompt()
            path.write_text(json.dumps({"system": prompt.system, "user": prompt.user}),
                            encoding="utf-8")
        return path

    def articles(self, n: int, words: int = 0) -> Path:
        return super().articles(n, words or self.args.words)


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=120) as resp:
        return json.loads(resp.read())


def run_system(bench: VsBare, server: FakeServer, system: str, folder: Path, jobs: int,
               n: int) -> Measured:
    """One child run of `system` on folder; the server's counts are reset before it.
    "remembered": a later run with the cache folder on (no --no-cache, which neither reads
    nor writes endpoints.json): after a one-article run on an article outside the set, in
    the same cache folder, its `--mode auto` knows the endpoint's form and sends no probe
    first; the result cache has no hit and stores every record, as a default run does."""
    url = server.base_url + "/v1"
    env = bench.env()
    cache = ["--no-cache"]
    if system == "remembered":
        other = bench.fresh("other-article")
        write_articles(other, 1, seed=bench.args.seed + 1, words=bench.args.words)
        bench.run([*bench.llmextract(), "summarize", str(other), "--base-url", url,
                   "-o", os.devnull], env)
        cache = []
    server.reset()
    cpu0 = server.cpu_now()
    out = None
    peer = bench.peer_systems.get(system)
    if peer is not None:
        out = bench.fresh(f"{system}-j{jobs}") / "summary.json"
        cmd, env = peers.command(peer, folder, url, jobs, out), peers.env(bench)
    elif system in ("llmextract", "remembered"):
        out = bench.fresh(f"{system}-j{jobs}") / "out.jsonl"
        cmd = [*bench.llmextract(), "summarize", str(folder), "--base-url", url,
               "-j", str(jobs), *cache, "-o", str(out)]
    else:
        cmd = [bench.python, str(ROOT / "bench" / "bare_loop.py"), str(folder),
               "--base-url", url, "--prompt", str(bench.prompt_file()), "-j", str(jobs)]
        if system == "wrapped":
            cmd.append("--wrap")
    child = bench.run(cmd, env, env_note=f"OPENAI_API_KEY={DUMMY_KEY}")
    server_cpu = server.cpu_now() - cpu0
    if child.rc != 0:
        raise NotAvailable(f"{system} exited {child.rc}: {child.tail()}")
    bodies = _get(server.base_url + "/_requests")
    assert isinstance(bodies, list)
    chars = sum(prompt_chars(b) for b in bodies)
    size = sum(len(json.dumps(b, separators=(",", ":"))) for b in bodies)
    measured = Measured(system, child, len(bodies), chars, size, server_cpu)
    if peer is not None and out is not None:
        measured.records, measured.records_ok, measured.items = peers.summary(out, n)
    elif out is not None:
        measured.records, measured.records_ok = check_records(out, n)
        measured.items = peers.llmextract_items(out, n)
    return measured


def _median_run(runs: list[Measured]) -> Measured:
    """The run with the median CPU (a real run, so its figures agree with each other)."""
    ordered = sorted(runs, key=lambda m: m.child.cpu_s)
    return ordered[(len(ordered) - 1) // 2]


def compare(bench: VsBare, scenario: str, latency: float, jobs: int) -> list[Row]:
    n = bench.args.n
    folder = bench.articles(n)
    runs: dict[str, list[Measured]] = defaultdict(list)
    failed: dict[str, str] = {}  # a peer that failed: its reason (the scenario goes on)
    with FakeServer(bench, latency) as server:
        for _ in range(bench.args.repeat):
            for system in (*SYSTEMS, *bench.peer_systems):
                if system in failed:
                    continue
                try:
                    runs[system].append(run_system(bench, server, system, folder, jobs, n))
                except NotAvailable as exc:
                    if system not in bench.peer_systems:
                        raise
                    failed[system] = str(exc)
    systems = [s for s in (*SYSTEMS, *bench.peer_systems) if s not in failed]
    chosen = {s: _median_run(r) for s, r in runs.items()}
    walls = {s: statistics.median(m.child.wall_s for m in r) for s, r in runs.items()}
    cpus = {s: m.child.cpu_s for s, m in chosen.items()}
    figure = cpus if scenario == "cpu" else walls
    header = ("system", "req/art", "prompt chars/art", "body bytes/art", "CPU ms/art",
              "user+sys s", "wall s", "x(a)", "x(b)", "server ms/req")
    cells = []
    for system in systems:
        m = chosen[system]
        peer = bench.peer_systems.get(system)
        label = peer.label if peer is not None else LABEL[system]
        cells.append((label, f"{m.requests / n:.2f}", f"{m.prompt_chars / n:,.0f}",
                      f"{m.body_bytes / n:,.0f}", f"{cpus[system] / n * 1000:.2f}",
                      f"{m.child.user_s:.2f}+{m.child.sys_s:.2f}", f"{walls[system]:.2f}",
                      f"{figure[system] / figure['bare']:.2f}",
                      f"{figure[system] / figure['wrapped']:.2f}",
                      f"{m.server_cpu_s / max(m.requests, 1) * 1000:.2f}"))
    what = "CPU" if scenario == "cpu" else "wall"
    bench.grids.append((f"{scenario}: {n} articles, -j {jobs}, server latency {latency:g} s; "
                        f"x(a), x(b): {what} over (a), (b)", header, cells))
    ratio = figure["llmextract"] / figure["bare"]
    limit = CPU_RATIO_MAX if scenario == "cpu" else WALL_RATIO_MAX
    rows = [Row(scenario, f"llmextract {what} / bare loop (a), {n} articles, -j {jobs}",
                f"{ratio:.2f} ({figure['llmextract']:.2f} / {figure['bare']:.2f} s)",
                f"<= {limit:g}", ratio <= limit),
            Row(scenario, f"llmextract {what} / wrapped loop (b)",
                f"{figure['llmextract'] / figure['wrapped']:.2f}"),
            Row(scenario, f"(c') a later run, form known, cache on: {what} / bare loop (a)",
                f"{figure['remembered'] / figure['bare']:.2f}"),
            Row(scenario, "llmextract records", chosen["llmextract"].records, f"{n} ok",
                chosen["llmextract"].records_ok)]
    rows.extend(peer_rows(bench, scenario, chosen, figure, n))
    rows.extend(Row(scenario, f"{s}: (not measured)", f"n/a: {why}") for s, why in failed.items())
    if bench.args.repeat > 1:
        for system in systems:
            rows.append(Row(scenario, f"{system}: CPU / wall s of the {bench.args.repeat} runs",
                            ", ".join(f"{m.child.cpu_s:.2f} / {m.child.wall_s:.2f}"
                                      for m in runs[system])))
    bench.results[scenario] = chosen
    return rows


def peer_rows(bench: VsBare, scenario: str, chosen: dict[str, Measured],
              figure: dict[str, float], n: int) -> list[Row]:
    """Each peer's figure over llmextract's, its run's summary, and the items per article
    each system ended with (the same rules echo behind both answers)."""
    if not bench.peer_systems:
        return []
    what = "CPU" if scenario == "cpu" else "wall"
    rows = [Row(scenario, "items per article, figures / quotes / entities: llmextract",
                peers.items_text(chosen["llmextract"].items))]
    for key, peer in bench.peer_systems.items():
        if key not in chosen:
            continue
        m = chosen[key]
        rows += [Row(scenario, f"{peer.label.split(')')[0]}): {what} / llmextract",
                     f"{figure[key] / figure['llmextract']:.2f} ({figure[key]:.2f} / "
                     f"{figure['llmextract']:.2f} s)"),
                 Row(scenario, f"  {key}: documents back, chunks dropped", m.records,
                     f"{n}, 0", m.records_ok),
                 Row(scenario, f"  {key}: extractions per article", peers.items_text(m.items))]
    return rows


def table_cpu(bench: VsBare) -> list[Row]:
    return compare(bench, "cpu", 0.0, bench.args.jobs)


def table_wall(bench: VsBare) -> list[Row]:
    return compare(bench, "wall", bench.args.latency, bench.args.wall_jobs)


def _medians(bench: VsBare, cmd: list[str], times: int) -> tuple[float, list[Child]]:
    children = []
    for _ in range(times):
        child = bench.run(cmd, bench.env())
        if child.rc != 0:
            raise NotAvailable(f"{' '.join(cmd[-3:])} exited {child.rc}: {child.tail()}")
        children.append(child)
    return statistics.median(c.cpu_s for c in children), children


def imports_of(bench: VsBare, cmd: list[str]) -> list[tuple[int, int, int, str]]:
    """`python -X importtime` of cmd: (depth, self us, cumulative us, module) per import."""
    env = bench.env()
    bench.log(cmd, "(-X importtime)")
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], env=env, text=True,
                          capture_output=True, timeout=600, check=False)
    found = []
    for line in proc.stderr.splitlines():
        hit = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if hit:
            found.append((len(hit.group(3)) // 2, int(hit.group(1)), int(hit.group(2)),
                          hit.group(4)))
    return found


def table_startup(bench: VsBare) -> list[Row]:
    py = bench.python
    folder = bench.articles(bench.args.n)
    one = bench.fresh("one-article")
    shutil.copy(folder / "00000.txt", one / "one.txt")
    rules_cmd = [*bench.llmextract(), "summarize", str(one / "one.txt"), "--engine", "rules",
                 "-o", os.devnull]
    dash_m_cpu, _ = _medians(bench, [py, "-m", "llmextract", *rules_cmd[3:]], 5)
    rules_cpu, rules_runs = _medians(bench, rules_cmd, 5)
    base_cpu, _ = _medians(bench, [py, "-c", "pass"], 5)
    io_cpu, _ = _medians(bench, [py, "-c", "import instructor, openai"], 5)
    pkg_cpu, _ = _medians(bench, [py, "-c", "import llmextract"], 5)
    rules_imports = imports_of(bench, rules_cmd)
    heavy = sorted({name.split(".")[0] for _, _, _, name in rules_imports} & set(HEAVY))
    with FakeServer(bench, 0.0) as server:
        model_cmd = [*bench.llmextract(), "summarize", str(one / "one.txt"), "--base-url",
                     server.base_url + "/v1", "--no-cache", "-o", os.devnull]
        model_cpu, _ = _medians(bench, model_cmd, 3)
        bare_cmd = [py, str(ROOT / "bench" / "bare_loop.py"), str(one), "--base-url",
                    server.base_url + "/v1", "--prompt", str(bench.prompt_file())]
        bare_cpu, _ = _medians(bench, bare_cmd, 3)
        wrapped_cpu, _ = _medians(bench, [*bare_cmd, "--wrap"], 3)
        model_imports = imports_of(bench, model_cmd) if bench.args.importtime else []
    rows = [
        Row("startup", "`summarize one.txt --engine rules` CPU, median of 5",
            f"{rules_cpu * 1000:.0f} ms (wall {statistics.median(c.wall_s for c in rules_runs):.2f}"
            " s)", f"< {RULES_STARTUP_MAX_S * 1000:.0f} ms", rules_cpu < RULES_STARTUP_MAX_S),
        Row("startup", "  the same as `python -m llmextract ...` (see llmextract())",
            f"{dash_m_cpu * 1000:.0f} ms"),
        Row("startup", "  heavy packages the rules run imports", ", ".join(heavy) or "none"),
        Row("startup", "`python -c pass` CPU, median of 5", f"{base_cpu * 1000:.0f} ms"),
        Row("startup", "`python -c 'import llmextract'` CPU, median of 5",
            f"{pkg_cpu * 1000:.0f} ms"),
        Row("startup", "`python -c 'import instructor, openai'` CPU, median of 5",
            f"{io_cpu * 1000:.0f} ms"),
        Row("startup", "1-article run CPU, median of 3: llmextract / (a) / (b)",
            f"{model_cpu * 1000:.0f} / {bare_cpu * 1000:.0f} / {wrapped_cpu * 1000:.0f} ms"),
    ]
    done = bench.results.get("cpu")
    if done:
        n = bench.args.n
        for system, one_cpu in (("llmextract", model_cpu), ("bare", bare_cpu),
                                ("wrapped", wrapped_cpu)):
            total = done[system].child.cpu_s
            rows.append(Row("startup", f"  share of the {n}-article cpu run: {system}",
                            f"{one_cpu / total:.0%} ({one_cpu:.2f} of {total:.2f} s); "
                            f"marginal {(total - one_cpu) / (n - 1) * 1000:.2f} ms/article"))
    shown = [("model run", model_imports), ("rules run", rules_imports)]
    for what, found in shown if bench.args.importtime else []:
        total = sum(s for _, s, _, _ in found)
        by_pkg: dict[str, int] = defaultdict(int)
        for _, self_us, _, name in found:
            by_pkg[name.split(".")[0]] += self_us
        top = sorted(by_pkg.items(), key=lambda kv: -kv[1])[:15]
        rows.append(Row("imports", f"{what}: self time of all imports",
                        f"{total / 1000:.0f} ms (import time, wall), {len(found)} modules"))
        rows.append(Row("imports", f"{what}: top 15 packages by self time",
                        ", ".join(f"{k} {v / 1000:.0f}" for k, v in top) + " (ms)"))
        cum = sorted((t for t in found if t[0] <= 1), key=lambda t: -t[2])[:15]
        for depth, _, cum_us, name in cum:
            rows.append(Row("imports", f"{what}: top 15 cumulative (depth <= 1)",
                            f"{cum_us / 1000:7.1f} ms  {'  ' * depth}{name}"))
    return rows


def print_grid(title: str, header: tuple[str, ...], cells: list[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    print(title)
    print("  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(
        header, widths, strict=True))))
    for c in cells:
        print("  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(
            c, widths, strict=True))))


RUNNERS: dict[str, Callable[[VsBare], list[Row]]] = {
    "cpu": table_cpu, "wall": table_wall, "startup": table_startup,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=480, help="articles (480; try 4800)")
    parser.add_argument("--words", type=int, default=260, help="words per article (260)")
    parser.add_argument("-j", "--jobs", type=int, default=8, help="-j of the cpu scenario (8)")
    parser.add_argument("--wall-jobs", type=int, default=32,
                        help="-j of the wall scenario (32)")
    parser.add_argument("--latency", type=float, default=0.5,
                        help="server latency of the wall scenario (0.5 s)")
    parser.add_argument("--seed", type=int, default=0, help="article generator seed (0)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each system per scenario, interleaved; medians (1)")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, metavar="NAME",
                        help=f"run only these scenarios ({', '.join(SCENARIOS)})")
    parser.add_argument("--peers", nargs="+", choices=peers.PEER_NAMES, default=[],
                        metavar="NAME", help="also run these systems on the same articles "
                        "and server: langextract (in its own venv, bench/peers.py)")
    parser.add_argument("--lx-chars", nargs="+", type=int, default=list(peers.DEFAULT_CHARS),
                        metavar="N", help="langextract max_char_buffer, one row each "
                        "(4000: one chunk per article; 1000: its default)")
    parser.add_argument("--importtime", action="store_true",
                        help="top 15 imports of a 1-article model run and of the rules run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print each command as it runs")
    args = parser.parse_args(argv)
    args.n = max(args.n, 2)
    args.repeat = max(args.repeat, 1)
    chosen = [s for s in SCENARIOS if not args.only or s in args.only]
    # Time the package as an installed one runs: compiled once (see batch.py).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "llmextract")],
                   check=False, stdout=subprocess.DEVNULL)
    rows: list[Row] = []
    started = time.perf_counter()
    with workdir(args.keep) as tmp:
        bench = VsBare(args, tmp)
        found, skipped = peers.prepare(bench, args.peers, args.lx_chars)
        bench.peer_systems = {p.key: p for p in found}
        rows.extend(Row("peers", "(not measured)", note) for note in skipped)
        for name in chosen:
            if args.verbose:
                print(f"[{name}]", file=sys.stderr, flush=True)
            try:
                rows.extend(RUNNERS[name](bench))
            except NotAvailable as exc:
                rows.append(Row(name, "(not measured)", f"n/a: {exc}"))
            except Exception as exc:
                rows.append(Row(name, "(not measured)", f"n/a: {type(exc).__name__}: {exc}"))
    print(f"llmextract vs a bare instructor loop: n={args.n} (~{args.words} words), cpu -j "
          f"{args.jobs} instant server, wall -j {args.wall_jobs} latency {args.latency:g} s, "
          f"repeat {args.repeat}; python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
          f"{time.perf_counter() - started:.0f} s in all")
    for title, header, cells in bench.grids:
        print()
        print_grid(title, header, cells)
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
