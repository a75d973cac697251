"""CPU of the rule engine alone per article: `rules.extract(text, digest=False)`, as the
model path runs it.

    python bench/rules_cpu.py [FOLDER] [--passes 5]

FOLDER: *.txt articles (default: 480 synthetic ~260-word articles from bench/make_articles.py,
as bench/vs_bare.py uses). Prints the median over passes of CPU ms per article, after one
warm-up pass over the first 20 (patterns compiled, caches filled).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from llmextract.rules import extract

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", type=Path)
    ap.add_argument("--passes", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder
        if folder is None:
            folder = Path(tmp) / "articles"
            subprocess.run([sys.executable, str(HERE / "make_articles.py"), "-n", "480",
                            "--words", "260", str(folder)], check=True, capture_output=True)
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"no *.txt articles in {folder}")
    for text in texts[:20]:
        extract(text, digest=False)
    runs = []
    for _ in range(args.passes):
        t0 = time.process_time()
        for text in texts:
            extract(text, digest=False)
        runs.append((time.process_time() - t0) / len(texts) * 1000)
    print(f"rules CPU: {statistics.median(runs):.2f} ms per article "
          f"(median of {args.passes} passes over {len(texts)} articles)")


if __name__ == "__main__":
    main()
