"""Fetching benchmark (llmextract.read.web): 500 pages over 5 local hosts, 100 ms a response.

Prints, against the per-host ideal ceil(pages_per_host / per_host) x latency:
- the fetch layer alone (`WebSession.fetch` for every URL at once, in-process);
- the whole command (`llmextract summarize LIST.urls --engine rules --per-host 4`), start-up,
  extraction and the rule engine included;
- a rerun (conditional requests: downloads must be 0, answers 304) and an `--offline` rerun
  (requests must be 0).

    python bench/web.py [--pages 500] [--hosts 5] [--latency 0.1] [--per-host 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llmextract.config import Settings, WebOptions  # noqa: E402
from llmextract.read.web.fetch import WebSession  # noqa: E402
from tests.webserver import Reply, Site, article_html  # noqa: E402

BODY = ("The council approved a budget of $42 million on Tuesday, officials said.\n\n"
        '"We cannot keep patching the bridge," said Mayor Anna Berg. About 85,000 vehicles '
        "cross it every day.")


def _stats(site: Site) -> Reply:
    reqs = [h for _, p, h in site.log if p.startswith("/news/")]
    body = {"pages": len(reqs), "full": sum(1 for h in reqs if "If-None-Match" not in h),
            "total": sum(1 for _, p, _ in site.log if not p.startswith("/__")),
            "peak": site.peak}
    return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def _clear(site: Site) -> Reply:
    site.log.clear()
    site.peak = 0
    return Reply(200, b"{}", {"Content-Type": "application/json"})


def serve(hosts: int, pages: int, latency: float) -> tuple[list[Site], list[str]]:
    sites = [Site(latency=latency) for _ in range(hosts)]
    urls = []
    for n in range(pages):
        site = sites[n % hosts]
        path = f"/news/{n}"
        site.route(path, Reply(200, article_html(f"Story {n}", BODY).encode(),
                               {"Content-Type": "text/html; charset=utf-8"}, etag=f'"e{n}"'))
        urls.append(site.url(path))
    for site in sites:
        site.route("/robots.txt", Reply(200, b"User-agent: *\nAllow: /\n"))
        site.route("/__stats", lambda _h, site=site: _stats(site))  # type: ignore[misc]
        site.route("/__clear", lambda _h, site=site: _clear(site))  # type: ignore[misc]
    return sites, urls


class Servers:
    """The hosts, served by a child process (so the client measured has the CPU to itself)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--pages", str(args.pages), "--hosts",
             str(args.hosts), "--latency", str(args.latency)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        got = json.loads(self.proc.stdout.readline())
        self.bases: list[str] = got["bases"]
        self.urls: list[str] = got["urls"]

    def _get(self, path: str) -> list[dict[str, int]]:
        out = []
        for base in self.bases:
            with urllib.request.urlopen(base + path) as r:
                out.append(json.loads(r.read()))
        return out

    def stats(self) -> dict[str, int]:
        rows = self._get("/__stats")
        return {k: (max if k == "peak" else sum)(r[k] for r in rows) for k in rows[0]}

    def clear(self) -> None:
        self._get("/__clear")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


def serve_main(args: argparse.Namespace) -> int:
    sites, urls = serve(args.hosts, args.pages, args.latency)
    print(json.dumps({"bases": [s.base for s in sites], "urls": urls}), flush=True)
    sys.stdin.read()
    for s in sites:
        s.close()
    return 0


async def fetch_all(urls: list[str], per_host: int, cache: Path) -> float:
    settings = Settings(cache_dir=cache, use_cache=False,
                        web=WebOptions(per_host=per_host, host_delay=0.0))
    session = WebSession(settings, managed=True)
    started = time.perf_counter()
    pages = await asyncio.gather(*(session.fetch(u) for u in urls))
    wall = time.perf_counter() - started
    await session.aclose()
    bad = [p.error for p in pages if p.error]
    assert not bad, bad[:3]
    return wall


def cli(list_file: Path, out: Path, cache: Path, per_host: int, *extra: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LLMEXTRACT_CACHE_DIR": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "llmextract", "summarize", str(list_file),
                    "--engine", "rules", "--per-host", str(per_host), "--host-delay", "0",
                    "-j", "32", "-o", str(out), *extra], check=False, env=env,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--hosts", type=int, default=5)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--per-host", type=int, default=4)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve_main(args)
    servers = Servers(args)
    urls = servers.urls
    ideal = math.ceil(args.pages / args.hosts / args.per_host) * args.latency
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "list.urls").write_text("\n".join(urls) + "\n")
        wall = asyncio.run(fetch_all(urls, args.per_host, work / "c0"))
        st = servers.stats()
        rows.append((f"fetch layer, {args.pages} pages", wall, wall / ideal,
                     f"{st['pages']} page requests, peak per host {st['peak']}"))
        servers.clear()
        out = work / "out.jsonl"
        # robots.txt is one more round trip per host before its first page
        wall = cli(work / "list.urls", out, work / "cache", args.per_host)
        recs = [json.loads(line) for line in out.read_text().splitlines()]
        ok = sum(r["status"] != "error" for r in recs)
        st = servers.stats()
        rows.append(("summarize, first run", wall, wall / (ideal + args.latency),
                     f"{ok}/{len(recs)} summarised, {st['full']} downloads, peak per host "
                     f"{st['peak']}"))
        servers.clear()
        wall = cli(work / "list.urls", out, work / "cache", args.per_host)
        st = servers.stats()
        sources = {r["fetch"]["source"] for r in map(json.loads, out.read_text().splitlines())}
        rows.append(("summarize, rerun", wall, None,
                     f"{st['pages']} conditional requests, {st['full']} downloads, sources "
                     f"{sorted(sources)}"))
        servers.clear()
        wall = cli(work / "list.urls", out, work / "cache", args.per_host, "--offline")
        rows.append(("summarize --offline", wall, None,
                     f"{servers.stats()['total']} requests"))
    servers.close()
    print(f"{args.pages} pages, {args.hosts} hosts, {args.latency * 1000:.0f} ms a response, "
          f"--per-host {args.per_host}: per-host ideal {ideal:.2f} s (target: within 1.3x)")
    for name, wall, ratio, note in rows:
        r = f"{ratio:.2f}x ideal" if ratio is not None else ""
        print(f"  {name:<24} {wall:6.2f} s  {r:<12} {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
