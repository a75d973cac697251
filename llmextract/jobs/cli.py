"""`llmextract batch submit|status|collect|cancel` (wired into llmextract.cli)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmextract.config import Settings

__all__ = ["add_batch_command", "run_batch_command"]

EXIT_OK, EXIT_ERRORS = 0, 1

BATCH_EPILOG = """\
a job, start to end:
  llmextract batch submit articles/ --dir jobs/nightly --model gpt-4o-mini
  llmextract batch status jobs/nightly --wait
  llmextract batch collect jobs/nightly -o results.jsonl

for engines that take the Batch API's format offline (vLLM's run-batch, gateways):
  llmextract batch submit articles/ --dir jobs/x --export-only --base-url http://...
  vllm run-batch -i jobs/x/part-0001.requests.jsonl -o out.jsonl --model ...
  llmextract batch collect jobs/x --from out.jsonl -o results.jsonl

status, collect and cancel use the endpoint and model recorded in JOBDIR (the key still
comes from OPENAI_API_KEY; --base-url overrides the endpoint). See docs/batch-jobs.md.

exit status: 0 done (every collected article ok or fallback), 1 some article ended in
"error" or a remote step failed (the message names the part and the next step), 2 usage
error, 130 interrupted.
"""

# summarize's options that make no sense for submit (it writes no records)
_NOT_FOR_SUBMIT = {"help", "paths", "output", "format", "resume", "debug"}


def add_batch_command(sub: Any, summarize: argparse.ArgumentParser) -> None:
    """Add `batch` to the subcommands; submit takes `summarize`'s model options."""
    b = sub.add_parser("batch", help="summarise through a provider's Batch API (half price)",
                       description="Summarise many articles through the Batch API of "
                       "OpenAI (or a compatible endpoint): submit, follow, collect, cancel.",
                       epilog=BATCH_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    bsub = b.add_subparsers(dest="batch_command", metavar="STEP")

    shared = argparse.ArgumentParser(add_help=False)
    for action in summarize._actions:
        if action.dest not in _NOT_FOR_SUBMIT:
            shared._add_action(action)
    s = bsub.add_parser("submit", parents=[shared], help="write request files, upload them "
                        "and create the batches",
                        description="Write the requests the online path would send (one "
                        "per article, split at --max-file-requests or --max-file-mb), upload "
                        "them and create one batch per file. Articles in the result cache are "
                        "not submitted; a rerun with the same inputs submits only new ones.")
    s.add_argument("paths", nargs="+", metavar="PATH", help="articles to read")
    s.add_argument("--dir", required=True, type=Path, metavar="JOBDIR",
                   help="the job folder (new or empty, or an earlier job's to add to it)")
    s.add_argument("--export-only", action="store_true",
                   help="write the request files and stop (no key needed); collect with "
                        "--from FILE")
    s.add_argument("--max-file-requests", type=int, default=50_000, metavar="N",
                   help="requests per file (default: 50000, OpenAI's limit)")
    s.add_argument("--max-file-mb", type=float, default=200.0, metavar="MB",
                   help="megabytes per file (default: 200, OpenAI's limit)")

    st = bsub.add_parser("status", help="each batch's state and request counts")
    _job_options(st)
    st.add_argument("--wait", action="store_true",
                    help="poll (with backoff) until every batch is finished")
    st.add_argument("--poll", type=float, default=10.0, metavar="S",
                    help="seconds before the first poll with --wait (default: 10; grows to "
                         "60)")

    _add_collect_step(bsub)

    x = bsub.add_parser("cancel", help="cancel every batch not finished")
    _job_options(x)


def _add_collect_step(bsub: Any) -> None:
    c = bsub.add_parser("collect", help="download the answers and write the records",
                        description="Download each finished batch's output and error files "
                        "and write one record per article, as summarize would: validated, "
                        "grounded, reconciled and cached. Safe to run again.")
    _job_options(c)
    c.add_argument("-o", "--output", metavar="OUT", help="write results here (default: "
                   "stdout)")
    c.add_argument("--resume", action="store_true",
                   help="skip the articles already in -o OUT and append the rest")
    c.add_argument("--reask", choices=("online", "none"), default="online",
                   help="answers that fail validation: ask again online (default), or leave "
                        "them to the rules (status fallback)")
    c.add_argument("--from", dest="sources", action="append", type=Path, metavar="FILE",
                   help="read answers from this Batch API output file instead of the server "
                        "(repeat for several)")
    c.add_argument("--price", metavar="IN,OUT",
                   help="USD per million prompt and completion tokens at the batch rate "
                        "(default: half the model's list price)")
    c.add_argument("-j", "--jobs", type=int, default=8, metavar="N",
                   help="online re-asks in flight at once (default: 8)")
    c.add_argument("--no-cache", action="store_true", help="do not write the result cache")
    c.add_argument("--cache-dir", metavar="DIR", type=Path, help="result cache folder")


def _job_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("jobdir", type=Path, metavar="JOBDIR", help="the job folder")
    p.add_argument("--base-url", metavar="URL",
                   help="use this endpoint instead of the one recorded in JOBDIR")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--record", metavar="CASSETTE", type=Path, help=argparse.SUPPRESS)
    group.add_argument("--replay", metavar="CASSETTE", type=Path, help=argparse.SUPPRESS)


def run_batch_command(args: argparse.Namespace,
                      settings_of: Callable[[argparse.Namespace], Settings]) -> int:
    """`settings_of`: how the CLI turns summarize's options into Settings (passed in, so
    this layer does not import the CLI above it)."""
    from llmextract.errors import UsageError

    step = getattr(args, "batch_command", None)
    if step == "submit":
        return _submit(args, settings_of(args))
    if step is None:
        raise UsageError("batch needs a step: submit, status, collect or cancel (see "
                         "`llmextract batch --help`)")
    job = _open(args)
    if step == "status":
        return _status(job, args)
    if step == "collect":
        return _collect(job, args)
    return _cancel(job)


def _open(args: argparse.Namespace) -> Any:
    from llmextract.jobs.job import BatchJob

    options: dict[str, Any] = {"record": args.record, "replay": args.replay}
    if getattr(args, "no_cache", False):
        options["use_cache"] = False
    if getattr(args, "cache_dir", None) is not None:
        options["cache_dir"] = args.cache_dir
    if getattr(args, "jobs", None):
        options["concurrency"] = args.jobs
    return BatchJob.open(args.jobdir, base_url=args.base_url, **options)


def _submit(args: argparse.Namespace, settings: Settings) -> int:
    from llmextract.errors import UsageError
    from llmextract.jobs.job import BatchJob
    from llmextract.read.inputs import check_paths, iter_articles

    if args.max_file_requests < 1 or args.max_file_mb <= 0:
        raise UsageError("--max-file-requests and --max-file-mb must be positive")
    check_paths(args.paths)
    job = BatchJob.submit(iter_articles(args.paths, settings.max_chars), args.dir,
                          settings=settings, export_only=args.export_only,
                          max_requests=args.max_file_requests,
                          max_bytes=int(args.max_file_mb * 1024 * 1024))
    parts = [p for p in job.manifest.parts if not p.local]
    if args.export_only:
        files = ", ".join(str(args.dir / p.requests) for p in parts) or "none"
        print(f"llmextract: request files: {files}\nllmextract: next: run them, then "
              f"`llmextract batch collect {args.dir} --from OUTPUT.jsonl -o results.jsonl`",
              file=sys.stderr)
    else:
        print(f"llmextract: next: `llmextract batch status {args.dir} --wait`, then "
              f"`llmextract batch collect {args.dir} -o results.jsonl`", file=sys.stderr)
    return EXIT_OK


def _print_status(states: list[Any], stream: Any) -> None:
    for state in states:
        print(state.line(), file=stream)


def _status(job: Any, args: argparse.Namespace) -> int:
    if job.manifest.export_only:
        print(f"llmextract: {args.jobdir} was written with --export-only: nothing was "
              "submitted (collect with --from FILE)", file=sys.stderr)
        _print_status(job.status(refresh=False), sys.stdout)
        return EXIT_OK
    if not args.wait:
        _print_status(job.status(), sys.stdout)
        return EXIT_OK
    tty = sys.stderr.isatty()

    def progress(states: list[Any]) -> None:
        total = sum((s.counts or {}).get("total", s.requests) for s in states)
        done = sum((s.counts or {}).get("completed", 0) for s in states)
        failed = sum((s.counts or {}).get("failed", 0) for s in states)
        by: dict[str, int] = {}
        for s in states:
            by[s.status or s.state] = by.get(s.status or s.state, 0) + 1
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(by.items()))
        line = f"llmextract: {len(states)} batches ({kinds}): {done}/{total} requests done" + (
            f", {failed} failed" if failed else "")
        print(("\r\x1b[K" if tty else "") + line, end="" if tty else "\n", file=sys.stderr,
              flush=True)

    states = job.wait(poll=args.poll, on_status=progress)
    if tty:
        print(file=sys.stderr)
    _print_status(states, sys.stdout)
    return EXIT_OK


def _collect(job: Any, args: argparse.Namespace) -> int:
    from llmextract.errors import UsageError
    from llmextract.run.costs import batch_price, price_option
    from llmextract.run.progress import Progress

    price = price_option(args.price)
    if job.manifest.export_only and not args.sources:
        raise UsageError(f"{args.jobdir} was written with --export-only: collect its answers "
                         "with --from OUTPUT.jsonl (or submit it first)")
    output = Path(args.output) if args.output else None
    if args.resume and output is None:
        raise UsageError("--resume needs -o OUT: the file whose records are skipped")
    progress = Progress(sys.stderr)

    def seen(result: Any) -> None:
        progress.update(result)
        if result.status == "error" and result.error is not None:
            progress.note(f"llmextract: {result.input or result.id}: {result.error.message}")

    try:
        report = job.collect(output if output is not None else sys.stdout,
                             resume=args.resume, reask=args.reask, sources=args.sources,
                             on_result=seen)
    finally:
        progress.close()
    model = job.settings.model
    rate = price or batch_price(model)
    text = report.stats.report(model, rate, replayed=job.settings.replay is not None)
    if price is None:  # the batch rate is no --price of the user's
        text = text.replace(" at --price)", " at the batch rate: half the list price)")
    print(text, file=sys.stderr)
    if report.skipped:
        print(f"llmextract: {report.skipped} articles already in {output}: skipped",
              file=sys.stderr)
    if report.reasked:
        print(f"llmextract: {report.reasked} batch answers failed validation: re-asked "
              "online", file=sys.stderr)
    if report.unknown:
        shown = ", ".join(report.unknown[:3]) + (" ..." if len(report.unknown) > 3 else "")
        print(f"llmextract: warning: {len(report.unknown)} output lines name a custom_id no "
              f"part of {args.jobdir} holds ({shown}): ignored; are they from another job?",
              file=sys.stderr)
    if report.pending:
        print(f"llmextract: {len(report.pending)} batches not finished yet "
              f"({', '.join(report.pending[:5])}): their articles are not written; run "
              f"`llmextract batch collect {args.jobdir} -o OUT --resume` once "
              "`batch status` shows them finished", file=sys.stderr)
    if report.missing:
        print(f"llmextract: {report.missing} requests have no answer in "
              f"{', '.join(map(str, args.sources or []))}: not written; collect again with "
              "--resume and the file that holds them", file=sys.stderr)
    return EXIT_ERRORS if report.stats.counts.get("error") else EXIT_OK


def _cancel(job: Any) -> int:
    states = job.cancel()
    _print_status(states, sys.stdout)
    return EXIT_OK
