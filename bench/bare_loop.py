"""The bare instructor loop that `bench/vs_bare.py` compares llmextract with.

    python bench/bare_loop.py DIR --base-url URL --prompt PROMPT.json [-j 8] [--wrap]

Sends every DIR/*.txt article once through
`instructor.from_openai(AsyncOpenAI(base_url=..., api_key=...)).chat.completions.create(
response_model=ArticleSummary)` (mode TOOLS, instructor's default retries), `asyncio.gather`
under a semaphore of -j, and validates the answer: nothing else (no rules, grounding, cache
or output). `--wrap` passes `instructor.openai_schema(ArticleSummary)`, wrapped once, instead
of the plain model. The messages are llmextract's: PROMPT.json holds the `system` and `user`
texts of its prompt file, the article put in place of `{article}` by plain replacement.
Prints one line of counts to stdout; the exit status is 1 when an article failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import instructor
from openai import AsyncOpenAI

from llmextract.schemas.news import ArticleSummary


async def run(args: argparse.Namespace) -> int:
    prompt = json.loads(Path(args.prompt).read_text(encoding="utf-8"))
    system = prompt["system"].strip()
    head, tail = prompt["user"].split("{article}")
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.dir).glob("*.txt"))]
    model = instructor.openai_schema(ArticleSummary) if args.wrap else ArticleSummary
    client = instructor.from_openai(
        AsyncOpenAI(base_url=args.base_url, api_key=os.environ.get("OPENAI_API_KEY", "sk-x")),
        mode=instructor.Mode.TOOLS)
    gate = asyncio.Semaphore(args.jobs)

    async def one(text: str) -> bool:
        async with gate:
            try:
                await client.chat.completions.create(
                    model="gpt-4o-mini", response_model=model,
                    messages=[{"role": "system", "content": system},
                              {"role": "user", "content": head + text + tail}])
            except Exception as exc:  # counted, the loop goes on
                print(f"failed: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
                return False
            return True

    results = await asyncio.gather(*(one(t) for t in texts))
    ok = sum(results)
    print(json.dumps({"articles": len(texts), "ok": ok}))
    return 0 if ok == len(texts) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--prompt", required=True, help="JSON file: {system, user}")
    parser.add_argument("-j", "--jobs", type=int, default=8)
    parser.add_argument("--wrap", action="store_true",
                        help="pass instructor.openai_schema(ArticleSummary), wrapped once")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
