"""Where a run's CPU goes: a py-spy profile split by package and pipeline stage.

    pip install py-spy          # in any environment; it samples another process
    py-spy record -r 500 -f raw -o /tmp/spy.txt -- \\
        python -m llmextract summarize ARTICLES --base-url URL -j 8 --no-cache -o OUT
    python bench/cpu_split.py /tmp/spy.txt

Each sample goes to the innermost frame that names a known stage (the rule engine, the
prose check, grounding, ...) or library (httpx, openai, instructor, pydantic, asyncio);
samples under an import are "import" (start-up). py-spy also samples threads that only
wait (a thread pool's idle worker): those are left out of the shares.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

STAGES = [
    ("rules", r"llmextract/rules/"),
    ("prose check", r"llmextract/check/(?:prose|article_index)"),
    ("grounding", r"llmextract/check/grounding"),
    ("reconcile", r"llmextract/check/reconcile"),
    ("clean", r"llmextract/check/clean"),
    ("numbers", r"llmextract/text/(?:num|intl_numbers)"),
    ("languages", r"llmextract/text/langs"),
    ("record/output", r"llmextract/(?:pipeline/result|schemas/record|run/output|run/progress)"),
    ("pace", r"llmextract/call/pace"),
    ("httpx/httpcore", r"httpx2/|httpcore2/|anyio/|h11/"),
    ("openai", r"openai/"),
    ("instructor", r"instructor/|tenacity/"),
    ("pydantic", r"pydantic"),
    ("json", r"json/"),
    ("model call", r"llmextract/call/"),
    ("pipeline", r"llmextract/(?:pipeline|extractor|run)/?"),
    ("asyncio", r"asyncio/|selectors"),
    ("llmextract, other", r"llmextract/"),
]
_IMPORT_RE = re.compile(r"<module>|_find_and_load")
_IDLE_RE = re.compile(r"concurrent/futures/thread\.py")


def split(lines: list[str]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    for line in lines:
        stack, _, n = line.rstrip().rpartition(" ")
        frames = stack.split(";")
        if _IDLE_RE.search(frames[-1]) or not n.isdigit():
            continue
        if any(_IMPORT_RE.search(f) for f in frames[3:]):  # the first frames run the CLI
            counts["import (start-up)"] += int(n)
            continue
        counts[_stage(frames)] += int(n)
    return counts, sum(counts.values())


def _stage(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, pattern in STAGES:
            if re.search(pattern, frame):
                return name
    return "other"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with open(sys.argv[1], encoding="utf-8") as fh:
        counts, total = split(fh.readlines())
    print(f"{total} samples")
    for name, n in counts.most_common():
        print(f"{name:22} {n:7d} {n / total:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
