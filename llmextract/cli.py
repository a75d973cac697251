"""The `llmextract` command: a thin layer over the Python API.

Results go to standard output (or -o), messages to standard error. Exit status: 0 every
article has a summary (ok or fallback), 1 some article ended in error, 2 usage error,
130 interrupted. Heavy modules are imported only once a command runs, so --help is fast.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


def _jobs(raw: str) -> int | str:
    return "auto" if raw == "auto" else _positive_int(raw)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llmextract", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true",
                        help="show tracebacks and debug logging on standard error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    summarize = _add_summarize(sub)
    _add_other_commands(sub)
    from llmextract.jobs.cli import add_batch_command

    add_batch_command(sub, summarize)
    return parser


def _add_summarize(sub: Any) -> argparse.ArgumentParser:
    s = sub.add_parser("summarize", help="summarise articles (JSONL records on stdout)",
                       description="Summarise articles into one JSON record each.",
                       epilog=SUMMARIZE_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_input_arguments(s)
    _add_model_arguments(s)
    _add_schema_and_cache_arguments(s)
    from llmextract.read.web.cli import add_web_arguments

    add_web_arguments(s)
    group = s.add_mutually_exclusive_group()
    group.add_argument("--record", metavar="CASSETTE", type=Path,
                       help="record every HTTP exchange of the run into this cassette")
    group.add_argument("--replay", metavar="CASSETTE", type=Path,
                       help="replay a recorded cassette: no network, no key needed")
    return s  # type: ignore[no-any-return]


def _add_input_arguments(s: argparse.ArgumentParser) -> None:
    """summarize: what is read and where the records go."""
    s.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks and debug logging on standard error")
    s.add_argument("paths", nargs="*", metavar="PATH", help="articles to read (default: -)")
    s.add_argument("-o", "--output", metavar="OUT", help="write results here (default: stdout)")
    s.add_argument("--format", choices=("jsonl", "json", "csv", "md", "parquet"),
                   default="jsonl",
                   help="jsonl: one record per line (default); json: one array; csv: one "
                        "flattened row per article; md: a readable digest; parquet (with "
                        "--ray -o DIR): parts with columns id, status, record")
    s.add_argument("--resume", action="store_true",
                   help="skip the articles already in -o OUT and append the rest (after a "
                        "crash, kill or Ctrl-C, rerun the same command with --resume)")
    s.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="run on Ray Data (the ray extra): a new local cluster, or the one at "
                        "ADDRESS (auto, ray://HOST:10001; an existing file or folder there "
                        "is read as a PATH); -o then names a folder of parts (docs/ray.md)")
    s.add_argument("--workers", type=_positive_int, metavar="N",
                   help="with --ray: workers, each with its own client, cache and -j/--rpm "
                        "limits, so the totals are N x limit (default: 2)")


def _add_model_arguments(s: argparse.ArgumentParser) -> None:
    """summarize: the model, its endpoint, the form and budget, pace and retries."""
    s.add_argument("--engine", choices=("auto", "llm", "rules"), default="auto",
                   help="auto (default): the model when one is reachable, else rules; "
                        "llm: insist on a model; rules: never call a model")
    s.add_argument("--model", metavar="M", help="model name (default: gpt-4o-mini, or "
                   "LLMEXTRACT_MODEL)")
    s.add_argument("--base-url", metavar="URL", help="OpenAI-compatible endpoint, e.g. "
                   "http://localhost:8000/v1 (default: OPENAI_BASE_URL or OpenAI)")
    s.add_argument("--mode", choices=("auto", "tools", "json_schema", "json", "md_json"),
                   default="auto",
                   help="how the schema is sent to the model: auto (default) starts with "
                        "tools and learns what the endpoint takes (json_schema, json_object "
                        "with a schema as llama.cpp takes it, markdown JSON), remembered "
                        "beside the cache; the others use that one form only (see "
                        "docs/modes.md)")
    s.add_argument("--max-tokens", type=_positive_int, metavar="N",
                   help="output budget sent with every request (default: sized to the "
                        "schema, 3072 for the news summary); a truncated answer is asked "
                        "once more with twice the budget")
    s.add_argument("--lang", metavar="CODE",
                   help="the articles' language as an ISO 639-1 code (en, de, fr, es, it, "
                        "pt, ...): how numbers, quotation marks and dates are read (default: "
                        "detected per article and written to each record's `language`)")
    s.add_argument("--max-input-tokens", type=int, metavar="N",
                   help="most estimated tokens of article text per request (at least 256); "
                        "a longer article is split into overlapping chunks, extracted "
                        "concurrently and merged (default: from the model's context window, "
                        "6144 at most; see docs/long-documents.md)")
    s.add_argument("-j", "--jobs", type=_jobs, default="auto", metavar="auto|N",
                   help="model requests in flight at once: auto (default) starts at 1 and "
                        "finds the server's pace (grows while latency stays flat, shrinks on "
                        "a queue, a timeout, 429 or 503); N: the same, never above N "
                        "(see docs/concurrency.md)")
    s.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="the longest wait for one HTTP answer before it is retried "
                        "(default: 60); once answers are seen, a request is given about 4 "
                        "times the model's median time (at least 10 s), never more than S")
    s.add_argument("--local-retries", type=int, default=1, metavar="N",
                   help="against a local endpoint (localhost, a private address), extra "
                        "requests per article whatever the reason (a timeout, a truncated "
                        "or an invalid answer): a slow local model is not sent the same "
                        "work again and again (default: 1)")
    s.add_argument("--max-reasks", type=int, default=2, metavar="N",
                   help="re-asks after an answer fails validation (default: 2)")
    s.add_argument("--retries", type=int, default=4, metavar="N",
                   help="retries after 429/5xx/timeouts/connection errors (default: 4)")
    s.add_argument("--max-chars", type=_positive_int, default=400_000, metavar="N",
                   help="longest article accepted, in characters (default: 400000)")


def _add_schema_and_cache_arguments(s: argparse.ArgumentParser) -> None:
    """summarize: your own schema, the record's text, the cache, rate limits and prices."""
    s.add_argument("--schema", metavar="MODULE:CLASS",
                   help="extract your own Pydantic model instead of the news summary: "
                        "package.module:Class or path/to/file.py:Class (see README, "
                        "'Your own schema')")
    s.add_argument("--on-ungrounded", choices=("drop", "reask", "fail"), default="drop",
                   help="with --schema, values the article does not support: drop them "
                        "(default; a required one makes the record a fallback), reask the "
                        "model, or fail the whole answer")
    s.add_argument("--include-text", action="store_true",
                   help="put the article text into each record (for `llmextract report` when "
                        "the input files will not be at hand)")
    s.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the result cache")
    s.add_argument("--cache-dir", metavar="DIR", type=Path,
                   help="result cache folder (default: LLMEXTRACT_CACHE_DIR, else "
                        "~/.cache/llmextract)")
    s.add_argument("--rpm", type=float, metavar="N",
                   help="at most N requests per minute, spaced out evenly")
    s.add_argument("--tpm", type=float, metavar="N",
                   help="at most about N tokens per minute (estimated from request size)")
    s.add_argument("--price", metavar="IN,OUT",
                   help="USD per million prompt and completion tokens, for the cost estimate "
                        "(default: a built-in table of known models)")


def _add_other_commands(sub: Any) -> None:
    sc = sub.add_parser("schema", help="print the JSON Schema of ArticleSummary",
                        description="Print the JSON Schema of the ArticleSummary the model "
                        "fills (or, with --result, of the result record).")
    sc.add_argument("--result", action="store_true",
                    help="the schema of the result record instead")
    sc.add_argument("--schema", metavar="MODULE:CLASS",
                    help="print this user schema (package.module:Class or file.py:Class)")

    ev = sub.add_parser("eval", help="score result records against a gold file",
                        description="Score result records (JSONL or a JSON array; - for "
                        "standard input) against a gold JSONL file: precision, recall and F1 "
                        "of figures, quotes and entities; accuracy of speakers, dates, "
                        "publishers and titles. Records and gold lines are joined by id.")
    ev.add_argument("pred", metavar="PRED", help="result records (llmextract summarize output)")
    ev.add_argument("gold", metavar="GOLD", help="gold file (JSONL, see shared/corpus)")
    ev.add_argument("--details", action="store_true",
                    help="also one row per article, with its misses")
    ev.add_argument("--json", action="store_true", help="print one JSON object instead")

    rp = sub.add_parser("report", help="a self-contained HTML report of result records",
                        description="Write one self-contained HTML file (no network) showing "
                        "each article with its figures, quotes and entities highlighted in the "
                        "text, the dropped items and their reasons, and a run overview. The "
                        "article text comes from the record itself (summarize --include-text), "
                        "or from the file its input names only when that file's text still has "
                        "the record's text_sha256; otherwise the article is shown without text "
                        "and nothing of the file is read into the page. Records without "
                        "text_sha256 (older versions) get their text only with --articles DIR, "
                        "from files inside DIR.")
    rp.add_argument("results", metavar="RESULTS", type=Path,
                    help="result records (JSONL or a JSON array)")
    rp.add_argument("-o", "--output", metavar="OUT", type=Path, default=Path("report.html"),
                    help="the HTML file to write (default: report.html)")
    rp.add_argument("--base-dir", metavar="DIR", type=Path,
                    help="folder the records' relative input paths start from (default: the "
                         "current folder)")
    rp.add_argument("--articles", metavar="DIR", type=Path,
                    help="for records without text_sha256 (written by an older llmextract): "
                         "show the text of input files whose real path lies inside DIR")
    rp.add_argument("--title", default="llmextract report", help="the page title")


def _settings(args: argparse.Namespace) -> Settings:
    from llmextract.config import Settings

    extra: dict[str, object] = {}
    if args.schema:
        from llmextract.schemas.user import load_schema, rules_for

        schema = load_schema(args.schema)
        extra = {"schema": schema, "rules_fn": rules_for(schema)}
    return Settings.resolve(
        None, on_ungrounded=args.on_ungrounded, **extra,
        model=args.model, base_url=args.base_url, mode=args.mode, engine=args.engine,
        concurrency=args.jobs, timeout=args.timeout, max_reasks=args.max_reasks,
        max_tokens=args.max_tokens, max_input_tokens=args.max_input_tokens,
        local_retries=args.local_retries,
        max_transport_retries=args.retries, max_chars=args.max_chars,
        record=args.record, replay=args.replay, use_cache=not args.no_cache,
        cache_dir=args.cache_dir, rpm=args.rpm, tpm=args.tpm, include_text=args.include_text,
        lang=args.lang, web=_web_options(args))


def _web_options(args: argparse.Namespace) -> Any:
    from llmextract.read.web.cli import web_options

    return web_options(args)


def _summarize(args: argparse.Namespace) -> int:
    from llmextract.read.inputs import check_paths
    from llmextract.run.batch import BatchOptions, run_batch

    settings = _settings(args)
    if args.ray and os.path.exists(args.ray):  # `--ray DIR`: DIR is a PATH, not an ADDRESS
        args.paths, args.ray = [args.ray, *args.paths], ""
    paths = args.paths or ([] if args.feed or args.sitemap else ["-"])
    check_paths(paths)
    from llmextract.run.costs import price_option

    price = price_option(args.price)
    output = Path(args.output) if args.output else None
    if args.ray is not None:
        return _summarize_on_ray(settings, args, paths)
    if args.workers is not None or args.format == "parquet":
        from llmextract.errors import UsageError

        raise UsageError(("--workers" if args.workers is not None else "--format parquet")
                         + " needs --ray")
    return run_batch(settings, BatchOptions(paths=paths, output=output, fmt=args.format,
                                            resume=args.resume, price=price))


def _summarize_on_ray(settings: Settings, args: argparse.Namespace, paths: list[str]) -> int:
    from llmextract.run.ray_batch import RayOptions, run_ray

    opts = RayOptions(paths=paths, address=args.ray or None, workers=args.workers or 2,
                      output=args.output, fmt=args.format)
    return run_ray(settings, opts, resume=args.resume)


def _schema(args: argparse.Namespace) -> int:
    from llmextract.run.output import dumps_schema

    model = None
    if args.schema:
        from llmextract.schemas.user import load_schema

        model = load_schema(args.schema)
    sys.stdout.write(dumps_schema(result=args.result, model=model))
    return EXIT_OK


def _eval(args: argparse.Namespace) -> int:
    from llmextract.evaluation import evaluate

    report = evaluate(args.pred, args.gold)
    sys.stdout.write(report.to_json() if args.json else report.format(details=args.details))
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from llmextract.errors import UsageError
    from llmextract.report import write_report

    if not args.results.is_file():
        raise UsageError(f"no such results file: {args.results}")
    if args.articles is not None and not args.articles.is_dir():
        raise UsageError(f"--articles: no such folder: {args.articles}")
    stats = write_report(args.results, args.output, base_dir=args.base_dir, title=args.title,
                         articles=args.articles)
    print(f"llmextract: wrote {stats.out} ({stats.articles} articles, {stats.bytes:,} bytes"
          + (f"; {stats.text_missing} without their text" if stats.text_missing else "")
          + (f"; {len(stats.bad_lines)} unreadable lines" if stats.bad_lines else "") + ")",
          file=sys.stderr)
    return EXIT_OK


def run() -> None:
    """The console entry point: `main()`, then a fast exit.

    Everything is written, flushed and closed by then; skipping the interpreter's teardown
    (thousands of openai/pydantic objects and modules) saves ~0.2 s of CPU per run. Where no
    installed package offers a pydantic plugin, pydantic's plugin search is spared
    (run/pydantic_plugins.py: ~17 ms of start-up).
    """
    # A batch allocates many short-lived objects that reference counting frees; the cyclic
    # collector's default gen-0 threshold (700) makes it scan them over and over (~4% of the
    # CPU of a batch). Scan less often; memory stays flat (see bench/batch.py, memory).
    gc.set_threshold(100_000, 50, 100)
    from llmextract.run.pydantic_plugins import spare_plugin_search

    spare_plugin_search()  # before any pydantic model is built
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    logging.shutdown()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="llmextract: %(levelname)s %(name)s: %(message)s")
    # instructor logs every failed attempt at ERROR, model output included; the records
    # say what failed instead. The application's choice, so the CLI's (not the library's).
    if not args.debug:
        logging.getLogger("instructor").setLevel(logging.CRITICAL)
    from llmextract.errors import CassetteError, CassetteMissError, LLMExtractError, UsageError

    try:
        if args.command == "summarize":
            return _summarize(args)
        if args.command == "schema":
            return _schema(args)
        if args.command == "eval":
            return _eval(args)
        if args.command == "report":
            return _report(args)
        if args.command == "batch":
            from llmextract.jobs.cli import run_batch_command

            return run_batch_command(args, _settings)
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
        unusable_cassette = isinstance(exc, CassetteError) and not isinstance(
            exc, CassetteMissError)
        return EXIT_USAGE if unusable_cassette else EXIT_ERRORS
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: one clear line, the traceback only with --debug
        if args.debug:
            raise
        print(f"llmextract: internal error: {type(exc).__name__}: {exc} (run with --debug "
              "for the traceback, and please report it)", file=sys.stderr)
        return EXIT_ERRORS
