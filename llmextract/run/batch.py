"""Running `llmextract summarize` over many articles: output file, resume, progress,
interruption and the closing report. The CLI parses options and calls `run_batch`.

Interruption (Ctrl-C or SIGTERM): no new article starts, requests in flight are cancelled,
every line written is whole, the report is printed and the exit status is 130. Records are
written one whole line at a time between awaits, so cancellation cannot tear a line.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from llmextract.config import Settings
from llmextract.errors import UsageError
from llmextract.run.progress import Progress
from llmextract.schemas.record import Result

if TYPE_CHECKING:
    from llmextract.run.output import Writer

EXIT_OK, EXIT_ERRORS, EXIT_INTERRUPTED = 0, 1, 130

__all__ = ["BatchOptions", "run_batch"]


@dataclass(frozen=True)
class BatchOptions:
    paths: list[str]
    output: Path | None = None
    fmt: str = "jsonl"
    resume: bool = False
    price: tuple[float, float] | None = None


async def _consume(settings: Settings, opts: BatchOptions, stream: IO[str],
                   skip: set[str], progress: Progress) -> None:
    import asyncio

    from llmextract.extractor import Extractor
    from llmextract.read.inputs import iter_articles
    from llmextract.run.output import Writer
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
    writer = Writer(stream, opts.fmt)  # type: ignore[arg-type]
    web = _WebOnDemand(settings)  # pages, feeds, sitemaps: one pool, closed here
    articles = iter_articles(opts.paths, settings.max_chars, skip=skip, web=web)
    try:
        async with Extractor(settings=settings) as extractor:
            async for result in extractor.asummarize_many(articles):
                progress.pace = extractor.pace
                _emit(result, writer, progress)
    finally:
        writer.close()
        await web.aclose()


class _WebOnDemand:
    """The batch's `WebSession`, made when an input first needs it (a URL, a page in a
    JSONL file, a feed): a run over files never imports the fetcher."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.opts = settings.web
        self._session: Any = None

    def __getattr__(self, name: str) -> Any:  # only names this object lacks
        if self._session is None:
            from llmextract.read.web.fetch import WebSession

            self._session = WebSession(self.settings, managed=True)
        return getattr(self._session, name)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.aclose()


def _emit(result: Result, writer: Writer, progress: Progress) -> None:
    """One record out: written whole, counted, and an error named on standard error."""
    writer.write(result)
    progress.update(result)
    if result.status == "error" and result.error is not None:
        progress.note(f"llmextract: {result.input or result.id}: {result.error.message}")


def _open_output(opts: BatchOptions) -> tuple[IO[str], set[str]]:
    if opts.output is None:
        if opts.resume:
            raise UsageError("--resume needs -o OUT: the file whose records are skipped")
        return sys.stdout, set()
    if not opts.resume:
        return open(opts.output, "w", encoding="utf-8"), set()
    if opts.fmt != "jsonl":
        raise UsageError("--resume works with --format jsonl only")
    from llmextract.run.resume import done_ids

    skip = done_ids(opts.output)
    return open(opts.output, "a", encoding="utf-8"), skip


def _count_in_background(paths: list[str], skip: set[str], progress: Progress) -> None:
    from llmextract.run.progress import count_in_background

    def done(total: int | None) -> None:
        if total is not None:
            progress.set_total(max(0, total - len(skip)))

    count_in_background(paths, done)


def _run(settings: Settings, opts: BatchOptions, stream: IO[str], skip: set[str],
         progress: Progress) -> bool:
    """Every article into the output; True when interrupted. A run without a model over
    local files needs no event loop (llmextract.run.local); any other runs on one."""
    from llmextract.run.local import local_only

    if local_only(settings, opts.paths):
        return _run_local(settings, opts, stream, skip, progress)
    import asyncio

    try:
        asyncio.run(_consume(settings, opts, stream, skip, progress))
    except asyncio.CancelledError:
        return True
    return False


def _run_local(settings: Settings, opts: BatchOptions, stream: IO[str], skip: set[str],
               progress: Progress) -> bool:
    from llmextract.run.local import summarize_local
    from llmextract.run.output import Writer

    writer = Writer(stream, opts.fmt)  # type: ignore[arg-type]
    try:
        return summarize_local(settings, opts.paths, skip,
                               lambda result: _emit(result, writer, progress))
    finally:
        writer.close()


def run_batch(settings: Settings, opts: BatchOptions) -> int:
    """Summarise every input into the output; returns the exit status."""
    stream, skip = _open_output(opts)
    progress = Progress(sys.stderr)
    if settings.engine == "auto" and not settings.use_model:
        progress.note("llmextract: no model configured (no OPENAI_API_KEY, --base-url or "
                      "--replay): using the rule-based engine only")
    if skip:
        progress.note(f"llmextract: resuming: {len(skip)} article"
                      f"{'s' if len(skip) != 1 else ''} already in {opts.output}")
    if progress.enabled and not (settings.web.feeds or settings.web.sitemaps):
        _count_in_background(opts.paths, skip, progress)
    interrupted = False
    try:
        interrupted = _run(settings, opts, stream, skip, progress)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if stream is not sys.stdout:
            stream.close()
        progress.close()
    stats = progress.stats
    model = settings.model if settings.use_model else None
    print(stats.report(model, opts.price, replayed=settings.replay is not None),
          file=sys.stderr)
    pace_line = progress.pace.report() if progress.pace is not None else None
    if pace_line:
        print(pace_line, file=sys.stderr)
    if stats.total == 0 and not interrupted and not skip:
        print("llmextract: no articles found in " + ", ".join(opts.paths)
              + " (looked for .txt, .md and .jsonl files)", file=sys.stderr)
    if interrupted:
        print("llmextract: interrupted: rerun the same command with --resume to finish",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_ERRORS if stats.counts.get("error") else EXIT_OK
