"""Quality and CPU of the rule-based engine alone, against a gold corpus.

    .venv/bin/python bench/rules_quality.py [--corpus ../shared/corpus] [--reps 20]

1. runs the real CLI, ``llmextract summarize CORPUS/articles --engine rules --no-cache``, into
   a temporary folder, then ``llmextract eval`` of its output against ``CORPUS/gold.jsonl``
   and prints the eval table (``--details``);
2. prints the headline numbers beside the issue's targets;
3. times ``llmextract.rules.extract`` in process over the corpus (``--reps`` repetitions,
   median of the per-repetition CPU), per article and per 600 words.

The articles are third-party texts: they are read at run time and never copied (the CLI
reads them where they are; only its output goes to the temporary folder). Exit status is
always 0 (a benchmark, not a test); the result column compares each number with its target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"

# (label, where `llmextract eval --json` holds it, target: at least)
TARGETS: list[tuple[str, tuple[str, str], float]] = [
    ("figures F1", ("figures", "f1"), 0.80),
    ("quotes F1", ("quotes", "f1"), 0.95),
    ("speaker accuracy (matched quotes)", ("speaker", "accuracy"), 0.85),
    ("entity recall", ("entities", "recall"), 0.85),
    ("entity precision", ("entities", "precision"), 0.60),
    ("dates stated in gold", ("published", "accuracy"), 1.0),
]
CPU_TARGET_MS = 5.0  # per 600-word article


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    return subprocess.run([sys.executable, "-m", "llmextract", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600)


def run_eval(corpus: Path, tmp: Path) -> dict[str, Any]:
    out = tmp / "rules.jsonl"
    cmd = ("summarize", str(corpus / "articles"), "--engine", "rules", "--no-cache",
           "-o", str(out))
    print("$ llmextract " + " ".join(cmd), flush=True)
    proc = cli(*cmd)
    if proc.returncode not in (0, 1):
        sys.exit(f"summarize failed ({proc.returncode}): {proc.stderr.strip()}")
    gold = str(corpus / "gold.jsonl")
    print(f"$ llmextract eval {out} {gold} --details\n", flush=True)
    table = cli("eval", str(out), gold, "--details")
    if table.returncode != 0:
        sys.exit(f"eval failed ({table.returncode}): {table.stderr.strip()}")
    print(table.stdout)
    data: dict[str, Any] = json.loads(cli("eval", str(out), gold, "--json").stdout)
    return data


def time_rules(corpus: Path, reps: int) -> tuple[float, float, int, int]:
    """(median CPU ms per article, per 600 words, articles, words) of rules.extract."""
    from llmextract.rules import extract

    texts = [p.read_text(encoding="utf-8") for p in sorted((corpus / "articles").glob("*.txt"))]
    n_words = sum(len(t.split()) for t in texts)
    for t in texts:  # warm-up: imports, regex compilation, caches
        extract(t)
    per_rep = []
    for _ in range(reps):
        t0 = time.process_time()
        for t in texts:
            extract(t)
        per_rep.append(time.process_time() - t0)
    total_ms = statistics.median(per_rep) * 1000
    return total_ms / len(texts), total_ms / n_words * 600, len(texts), n_words


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_targets(data: dict[str, Any], cpu: tuple[float, float, int, int]) -> None:
    rows = []
    for label, (group, key), target in TARGETS:
        value = data[group][key]
        ok = value is not None and value >= target - 1e-12
        rows.append((label, _fmt(value), f">= {target:.2f}", "PASS" if ok else "FAIL"))
    per_article, per_600, n, words = cpu
    rows.append((f"rules CPU per article (ms; {n} articles, {words / n:.0f} words avg)",
                 f"{per_article:.2f}", "(info)", ""))
    rows.append(("rules CPU per 600 words (ms)", f"{per_600:.2f}", f"<= {CPU_TARGET_MS:.1f}",
                 "PASS" if per_600 <= CPU_TARGET_MS else "FAIL"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>7}  {'target':>8}  result")
    for label, value, target, result in rows:
        print(f"{label:<{width}}  {value:>7}  {target:>8}  {result}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder with articles/*.txt and gold.jsonl (default: %(default)s)")
    parser.add_argument("--reps", type=int, default=20, help="timing repetitions (median)")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if not (corpus / "gold.jsonl").is_file() or not (corpus / "articles").is_dir():
        parser.error(f"{corpus} has no gold.jsonl and articles/")
    with tempfile.TemporaryDirectory(prefix="llmextract-rules-quality-") as tmp:
        data = run_eval(corpus, Path(tmp))
    cpu = time_rules(corpus, args.reps)
    print_targets(data, cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
