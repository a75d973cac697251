"""The `llmextract` command: a thin layer over the Python API.

Results go to standard output (or -o), messages to standard error. Exit status: 0 every
article has a summary (ok or fallback), 1 some article ended in error, 2 usage error,
130 interrupted. Heavy modules are imported only once a command runs, so --help is fast.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from llmextract.config import Settings

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

DESCRIPTION = """\
Turn news articles into grounded, structured summaries with a language model.

Every figure, quote and entity the model gives is located in the article's own words (or
dropped, with the reason, under "dropped"), and reconciled with a rule-based engine that
also stands in alone when no model can be used.
"""

SUMMARIZE_EPILOG = """\
examples:
  llmextract summarize seeds/ --replay cassettes/seeds.yaml     replay a recorded run offline
  OPENAI_API_KEY=sk-... llmextract summarize articles/ -o out.jsonl -j 16
  llmextract summarize a.txt --base-url http://localhost:11434/v1 --model llama3.1
  llmextract summarize articles/ --engine rules                 no model at all
  cat article.txt | llmextract summarize -

PATH may be a .txt/.md file, a folder (searched recursively), a JSONL file of
{"id": ..., "text": ...} lines, or - for standard input (the default).

The key is read from OPENAI_API_KEY, the endpoint from --base-url or OPENAI_BASE_URL.
With --engine auto (default) the model is used when a key, an endpoint or --replay is given;
otherwise the rule-based engine runs alone. An article whose model call fails after retries
gets the rule engine's summary (status "fallback").

exit status: 0 all articles summarised (ok or fallback), 1 some ended in "error",
2 usage error, 130 interrupted.
"""


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llmextract", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true",
                        help="show tracebacks and debug logging on standard error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("summarize", help="summarise articles (JSONL records on stdout)",
                       description="Summarise articles into one JSON record each.",
                       epilog=SUMMARIZE_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks and debug logging on standard error")
    s.add_argument("paths", nargs="*", metavar="PATH", help="articles to read (default: -)")
    s.add_argument("-o", "--output", metavar="OUT", help="write results here (default: stdout)")
    s.add_argument("--format", choices=("jsonl", "json"), default="jsonl",
                   help="jsonl: one record per line (default); json: one array")
    s.add_argument("--engine", choices=("auto", "llm", "rules"), default="auto",
                   help="auto (default): the model when one is reachable, else rules; "
                        "llm: insist on a model; rules: never call a model")
    s.add_argument("--model", metavar="M", help="model name (default: gpt-4o-mini, or "
                   "LLMEXTRACT_MODEL)")
    s.add_argument("--base-url", metavar="URL", help="OpenAI-compatible endpoint, e.g. "
                   "http://localhost:8000/v1 (default: OPENAI_BASE_URL or OpenAI)")
    s.add_argument("--mode", choices=("tools", "json_schema", "json", "md_json"),
                   default="tools", help="how the schema is sent to the model (default: tools)")
    s.add_argument("-j", "--jobs", type=_positive_int, default=8, metavar="N",
                   help="articles in flight at once (default: 8)")
    s.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="seconds per HTTP request before it is retried (default: 60)")
    s.add_argument("--max-reasks", type=int, default=2, metavar="N",
                   help="re-asks after an answer fails validation (default: 2)")
    s.add_argument("--retries", type=int, default=4, metavar="N",
                   help="retries after 429/5xx/timeouts/connection errors (default: 4)")
    s.add_argument("--max-chars", type=_positive_int, default=400_000, metavar="N",
                   help="longest article accepted, in characters (default: 400000)")
    group = s.add_mutually_exclusive_group()
    group.add_argument("--record", metavar="CASSETTE", type=Path,
                       help="record every HTTP exchange of the run into this cassette")
    group.add_argument("--replay", metavar="CASSETTE", type=Path,
                       help="replay a recorded cassette: no network, no key needed")

    sc = sub.add_parser("schema", help="print the JSON Schema of ArticleSummary",
                        description="Print the JSON Schema of the ArticleSummary the model "
                        "fills (or, with --result, of the result record).")
    sc.add_argument("--result", action="store_true",
                    help="the schema of the result record instead")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    from llmextract.config import Settings

    return Settings.resolve(
        model=args.model, base_url=args.base_url, mode=args.mode, engine=args.engine,
        concurrency=args.jobs, timeout=args.timeout, max_reasks=args.max_reasks,
        max_transport_retries=args.retries, max_chars=args.max_chars,
        record=args.record, replay=args.replay)


async def _run(settings: Settings, paths: list[str], writer_stream: IO[str], fmt: str,
               counts: Counter[str]) -> None:
    from llmextract.extractor import Extractor
    from llmextract.inputs import iter_articles
    from llmextract.output import Writer

    extractor = Extractor(settings=settings)
    writer = Writer(writer_stream, fmt)  # type: ignore[arg-type]
    try:
        async for result in extractor.asummarize_many(iter_articles(paths, settings.max_chars)):
            writer.write(result)
            counts[result.status] += 1
            if result.status == "error" and result.error is not None:
                print(f"llmextract: {result.input or result.id}: {result.error.message}",
                      file=sys.stderr)
    finally:
        writer.close()


def _summarize(args: argparse.Namespace) -> int:
    from llmextract.inputs import check_paths

    settings = _settings(args)
    paths = args.paths or ["-"]
    check_paths(paths)
    if settings.engine == "auto" and not settings.use_model:
        print("llmextract: no model configured (no OPENAI_API_KEY, --base-url or --replay): "
              "using the rule-based engine only", file=sys.stderr)
    counts: Counter[str] = Counter()
    stream: IO[str] = sys.stdout
    if args.output:
        stream = open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        asyncio.run(_run(settings, paths, stream, args.format, counts))
    finally:
        if stream is not sys.stdout:
            stream.close()
    total = sum(counts.values())
    summary = ", ".join(f"{counts[k]} {k}" for k in ("ok", "fallback", "error") if counts[k])
    print(f"llmextract: {total} article{'s' if total != 1 else ''}"
          + (f": {summary}" if summary else ""), file=sys.stderr)
    return EXIT_ERRORS if counts["error"] else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="llmextract: %(levelname)s %(name)s: %(message)s")
    from llmextract.errors import LLMExtractError, UsageError

    try:
        if args.command == "summarize":
            return _summarize(args)
        if args.command == "schema":
            from llmextract.output import dumps_schema

            sys.stdout.write(dumps_schema(result=args.result))
            return EXIT_OK
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("llmextract: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as exc:
        print(f"llmextract: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LLMExtractError as exc:
        if args.debug:
            raise
        print(f"llmextract: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if type(exc).__name__ == "CassetteError" else EXIT_ERRORS
    except BrokenPipeError:
        return EXIT_OK
