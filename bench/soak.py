"""The soak test at full size: 2,000 articles, 30% of requests failing in all ten ways.

    python bench/soak.py [--n 2000]

Runs tests/test_soak.py with LLMEXTRACT_SOAK_N set, and prints its summary line (records
by status, requests, faults served).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    env = {**os.environ, "LLMEXTRACT_SOAK_N": str(args.n)}
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-s", "-p",
                            "no:cacheprovider", "tests/test_soak.py"], cwd=ROOT, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
