"""Re-record the shipped cassettes against the project's fake server (authored answers).

    python tests/record_cassettes.py            # cassettes/seeds.yaml and cassettes/tests/
    python tests/record_cassettes.py --long     # only cassettes/long_*.yaml (the 60,000-
                                                # word document, tests/test_long_documents)

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


LONG_MODELS = ("smollm2", "gpt-4o-mini")  # a small local model's budget and a large one's


def long_cassette(model: str) -> Path:
    return ROOT / "cassettes" / f"long_{model}.yaml"


def record_long_cassettes() -> None:
    """The 60,000-word document of tests/longdoc.py, summarised under the default input
    budget of each of `LONG_MODELS`, against the fake server's rules echo."""
    from llmextract import Extractor
    from llmextract.fakeserver import FakeServer
    from tests.longdoc import long_document

    text, _ = long_document()
    with FakeServer() as srv:
        for model in LONG_MODELS:
            with Extractor(model=model, base_url=srv.base_url, api_key="sk-recording",
                           record=long_cassette(model), use_cache=False) as ex:
                result = ex.summarize(text, id="harbour_report")
            print(f"{model}: {result.status}, {result.chunks}, {result.usage}")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["--long"]:
        record_long_cassettes()
        return 0
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
    record_long_cassettes()  # cassettes/long_*.yaml: the 60,000-word document
    for old in (ROOT / "cassettes" / "tests").glob("*.yaml"):
        old.unlink()
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/test_articles.py",
                            "--record-mode=rewrite", "-p", "no:cacheprovider"], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main())
