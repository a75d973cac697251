"""A run without a model over local files, without an event loop.

Such a run has nothing to wait for: every article is read from disk and goes through the rule
engine. It gives the records the batch's event loop would give, in input order, without
importing asyncio (with the ssl and socket modules it loads, ~17 ms of a rules run's ~150 ms
start-up; issue 16). `run_batch` uses it when no model is configured and no input can name
a web page: no URL, URL list, JSONL file or standard input, no feeds or sitemaps.

Ctrl-C and SIGTERM stop it as they stop the event loop: the record being made is finished
and written whole, then the run ends as interrupted; a second Ctrl-C stops at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Container, Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmextract.config import Settings
    from llmextract.schemas.record import Result

__all__ = ["local_only", "summarize_local"]


def local_only(settings: Settings, paths: list[str]) -> bool:
    """True when the run calls no model and no input can name a web page."""
    from llmextract.read.inputs import may_name_web_pages

    if settings.use_model or settings.web.feeds or settings.web.sitemaps:
        return False
    return not any(may_name_web_pages(raw) for raw in paths)


def summarize_local(settings: Settings, paths: list[str], skip: Container[str],
                    emit: Callable[[Result], None]) -> bool:
    """Summarise every article of `paths` with the rule engine, handing each record to
    `emit` as it is made; True when a signal stopped the run before its end."""
    from llmextract.call.prompts import prompt_id
    from llmextract.pipeline.article import Pipeline
    from llmextract.read.inputs import iter_articles

    pipeline = Pipeline(settings, prompt_id("extract" if settings.custom_schema
                                            else "summarize"), None)
    stop = _Stop()
    with stop.installed():
        for article in iter_articles(paths, settings.max_chars, skip=skip):
            emit(pipeline.finish(pipeline.fetch_local(article)))
            if stop.asked:
                return True
    return False


class _Stop:
    """The signal handler of a local run: the first Ctrl-C or SIGTERM asks the run to stop
    after the record being made; a second one raises KeyboardInterrupt at once."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum: int, frame: FrameType | None) -> Any:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals reach the main thread only: its own handlers stand
            return
        previous: dict[int, Any] = {}
        # as asyncio does: Ctrl-C is taken over only where Python's default handler is in
        # place (a process started with SIGINT ignored keeps ignoring it)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            previous[signal.SIGINT] = signal.signal(signal.SIGINT, self)
        previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, self)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
