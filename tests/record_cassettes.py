"""Re-record the shipped cassettes against the project's fake server (authored answers).

    python tests/record_cassettes.py            # cassettes/seeds.yaml and cassettes/tests/

To record the seed cassette against a real endpoint instead, one command is enough:

    OPENAI_API_KEY=sk-... llmextract summarize seeds/ --record cassettes/seeds.yaml
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CUSTOM = [  # user-schema examples: (schema, article, cassette)
    ("schemas/examples/casualty.py:CasualtyReport", "tests/articles/quake_wire.txt",
     "cassettes/custom_casualty.yaml"),
    ("schemas/examples/earnings.py:EarningsSummary", "tests/articles/earnings_ap.txt",
     "cassettes/custom_earnings.yaml"),
]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from llmextract.fakeserver import FakeServer

    with FakeServer(answers_dir=ROOT / "tests" / "answers") as srv:
        cmd = [sys.executable, "-m", "llmextract", "summarize", "seeds/", "--base-url",
               srv.base_url, "--record", "cassettes/seeds.yaml", "-o", "/dev/null"]
        env = {"OPENAI_API_KEY": "sk-recording-placeholder", "PATH": "/usr/bin:/bin"}
        code = subprocess.call(cmd, cwd=ROOT, env=env)
        if code != 0:
            return code
        for schema, article, cassette in CUSTOM:
            code = subprocess.call(
                [sys.executable, "-m", "llmextract", "summarize", article, "--schema", schema,
                 "--base-url", srv.base_url, "--record", cassette, "-o", "/dev/null"],
                cwd=ROOT, env=env)
            if code != 0:
                return code
    # a CasualtyReport answer that omits items the registered rules find (reconciliation)
    with FakeServer(answers_dir=ROOT / "tests" / "data" / "answers_recover") as srv:
        code = subprocess.call(
            [sys.executable, "-m", "llmextract", "summarize", "tests/articles/quake_wire.txt",
             "--schema", "schemas/examples/casualty.py:CasualtyReport", "--base-url",
             srv.base_url, "--record", "cassettes/custom_casualty_recover.yaml", "-o",
             "/dev/null"], cwd=ROOT, env=env)
        if code != 0:
            return code
    from tests.test_jobs import record_batch_cassette

    record_batch_cassette()  # cassettes/batch_cycle.yaml: one batch job, submit to collect
    for old in (ROOT / "cassettes" / "tests").glob("*.yaml"):
        old.unlink()
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/test_articles.py",
                            "--record-mode=rewrite", "-p", "no:cacheprovider"], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main())
