"""Did a change alter what llmextract says? Records of every test article, before and after.

    python bench/same_output.py save DIR      # records of this checkout into DIR
    python bench/same_output.py check DIR     # this checkout's records against DIR's

A speed change must leave every record as it was. This runs `llmextract summarize` over
every folder of articles the project measures with (tests/articles, tests/data/**/articles,
tests/data/rules, the shared corpus when it is there, and 480 synthetic articles from
bench/make_articles.py) twice: with the rule engine alone, and against the fake server
(rules echo, the model path: grounding, reconciliation, the prose check). Records are
compared whole, less the fields that measure time (elapsed_ms). `check` prints the first
differences and exits 1 when any record differs, 0 when all are the same.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus" / "articles"
VOLATILE = ("elapsed_ms",)


def folders(tmp: Path) -> dict[str, Path]:
    found = {"articles": ROOT / "tests" / "articles", "rules": ROOT / "tests" / "data" / "rules"}
    for path in sorted((ROOT / "tests" / "data").glob("**/articles")):
        found[str(path.parent.relative_to(ROOT / "tests" / "data")).replace("/", "_")] = path
    if SHARED.is_dir():
        found["shared"] = SHARED
    synthetic = tmp / "synthetic"
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_articles.py"), "-n", "480",
                    str(synthetic)], check=True, capture_output=True)
    found["synthetic"] = synthetic
    return found


def _server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "llmextract.fakeserver", "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    assert proc.stderr is not None
    for line in proc.stderr:
        hit = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if hit:
            return proc, hit.group(1) + "/v1"
    raise SystemExit("fake server did not start")


def records(tmp: Path) -> dict[str, list[dict[str, object]]]:
    env = {**os.environ, "OPENAI_API_KEY": "sk-same-output", "PYTHONPATH": str(ROOT),
           "LLMEXTRACT_CACHE_DIR": str(tmp / "cache")}
    proc, url = _server()
    out: dict[str, list[dict[str, object]]] = {}
    try:
        for name, folder in folders(tmp).items():
            for engine, extra in (("rules", ["--engine", "rules"]),
                                  ("model", ["--base-url", url, "--no-cache", "-j", "4"])):
                dest = tmp / f"{name}-{engine}.jsonl"
                run = subprocess.run([sys.executable, "-m", "llmextract", "summarize",
                                      str(folder), *extra, "-o", str(dest)],
                                     env=env, capture_output=True, text=True, cwd=tmp)
                if run.returncode not in (0, 3):
                    raise SystemExit(f"{name}/{engine}: exit {run.returncode}: "
                                     f"{run.stderr[-500:]}")
                text = dest.read_text().replace(str(tmp), "<tmp>")  # the synthetic folder
                rows = [json.loads(line) for line in text.splitlines()]
                for row in rows:
                    for key in VOLATILE:
                        row.pop(key, None)
                out[f"{name}/{engine}"] = sorted(rows, key=lambda r: str(r.get("input")))
                print(f"  {name}/{engine}: {len(rows)} records", file=sys.stderr)
    finally:
        proc.kill()
    return out


def _diff(a: object, b: object, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b)):
            found += _diff(a.get(key), b.get(key), f"{path}.{key}")
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [d for i, (x, y) in pairs for d in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {json.dumps(a)[:200]} -> {json.dumps(b)[:200]}"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["save", "check"])
    ap.add_argument("dir", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        now = records(Path(tmp))
    if args.action == "save":
        args.dir.mkdir(parents=True, exist_ok=True)
        (args.dir / "records.json").write_text(json.dumps(now, sort_keys=True))
        print(f"saved {sum(map(len, now.values()))} records to {args.dir}")
        return 0
    before = json.loads((args.dir / "records.json").read_text())
    differs = 0
    for key in sorted(set(before) | set(now)):
        a, b = before.get(key, []), now.get(key, [])
        for x, y in zip(a, b, strict=False):  # a difference in length is reported below
            lines = _diff(x, y)
            if lines:
                differs += 1
                if differs <= 10:
                    print(f"{key} {x.get('input')}:\n  " + "\n  ".join(lines[:6]))
        if len(a) != len(b):
            differs += 1
            print(f"{key}: {len(a)} records before, {len(b)} now")
    total = sum(map(len, now.values()))
    print(f"{differs} of {total} records differ" if differs else f"all {total} records the same")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
