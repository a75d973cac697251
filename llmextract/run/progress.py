"""Run statistics, the live progress line and the end-of-run report (all on standard error).

- `RunStats` counts records as they complete and writes the end-of-run summary.
- `Progress` keeps one line on a terminal up to date (`\\r` redraws, at most ~5 a second),
  and stays silent when the stream is not a terminal.
- `count_inputs` counts the articles a run will read, cheaply, for the ETA; it is meant to
  run in a background thread (`count_in_background`) while the run starts.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from llmextract.read.article import STDIN
from llmextract.read.inputs import _iter_folder
from llmextract.run.costs import estimate_cost, lookup_price
from llmextract.schemas.record import Result

if TYPE_CHECKING:
    from llmextract.call.pace import Pace

__all__ = ["Progress", "RunStats", "count_in_background", "count_inputs"]

PREFIX = "llmextract: "


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _format_cost(cost: float) -> str:
    if cost == 0:
        return "$0.00"
    if cost < 0.0001:
        return "<$0.0001"
    return f"${cost:,.2f}" if cost >= 100 else f"${cost:.4f}"


def _format_duration(seconds: float) -> str:
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class RunStats:
    """Counts of a run's records: by status, cached, requests and tokens, and the time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.start = clock()
        self.counts: Counter[str] = Counter()  # by status: ok, fallback, error
        self.cached = 0
        self.requests = 0
        self.prompt_tokens = 0
        self.cached_prompt_tokens = 0
        self.completion_tokens = 0

    @property
    def ok(self) -> int:
        return self.counts["ok"]

    @property
    def fallback(self) -> int:
        return self.counts["fallback"]

    @property
    def error(self) -> int:
        return self.counts["error"]

    @property
    def done(self) -> int:
        """Records counted so far (all statuses)."""
        return self.ok + self.fallback + self.error

    total = done  # alias: the number of records seen

    @property
    def elapsed(self) -> float:
        """Seconds since the stats were created."""
        return max(0.0, self._clock() - self.start)

    def add(self, result: Result) -> None:
        self.counts[result.status] += 1
        if result.cached:
            self.cached += 1
        usage = result.usage
        self.requests += usage.requests
        self.prompt_tokens += usage.prompt_tokens
        self.cached_prompt_tokens += usage.cached_prompt_tokens
        self.completion_tokens += usage.completion_tokens

    def rate(self) -> float | None:
        """Articles per second so far (None before any time has passed)."""
        elapsed = self.elapsed
        return self.done / elapsed if elapsed > 0 else None

    def counts_text(self) -> str:
        """'470 ok, 8 fallback, 2 error (12 cached)': the non-zero counts."""
        parts = [f"{n:,} {label}" for label, n in
                 (("ok", self.ok), ("fallback", self.fallback), ("error", self.error)) if n]
        text = ", ".join(parts)
        if self.cached:
            text += f" ({self.cached:,} cached)"
        return text

    def cost(self, model: str | None,
             price: tuple[float, float] | None = None) -> float | None:
        """Estimated USD for the tokens so far; None when the model's price is unknown."""
        return estimate_cost(model, self.prompt_tokens, self.completion_tokens, price,
                             cached_tokens=self.cached_prompt_tokens)

    def report(self, model: str | None, price: tuple[float, float] | None = None, *,
               replayed: bool = False) -> str:
        """The end-of-run summary: one or two lines (no trailing newline). `replayed`: the
        requests came from a cassette, so they cost nothing now."""
        elapsed = self.elapsed
        head = f"{PREFIX}{_plural(self.done, 'article')} in {elapsed:.1f} s"
        rate = self.rate()
        if rate is not None and self.done:
            head += f" ({rate:,.1f}/s)"
        counts = self.counts_text()
        lines = [head + (f": {counts}" if counts else "")]
        if self.requests:
            cached = (f" ({self.cached_prompt_tokens:,} cached)"
                      if self.cached_prompt_tokens else "")
            tokens = (f"{PREFIX}{_plural(self.requests, 'request')}, "
                      f"{self.prompt_tokens:,} prompt{cached} + {self.completion_tokens:,} "
                      "completion tokens, ")
            cost = self.cost(model, price)
            if replayed:
                tokens += "replayed from a cassette: no cost"
            elif cost is None:
                name = model or "(none given)"
                tokens += f"cost unknown for model {name}: pass --price IN,OUT"
            else:
                label = model or "--price"
                if price is not None and model and lookup_price(model) != price:
                    label += " at --price"
                tokens += f"est. {_format_cost(cost)} ({label})"
            lines.append(tokens)
        return "\n".join(lines)


class Progress:
    """A live one-line progress display on a terminal.

    `update(result)` after each record; `set_total(n)` once the input count is known (it
    may come from another thread); `note(message)` prints a whole line above the progress
    line; `close()` clears it. With `enabled=None` the display is on only when `stream` is a
    terminal; when off, nothing is ever written. Redraws happen at most every `interval`
    seconds, and nothing is formatted between them.
    """

    def __init__(self, stream: IO[str] | None = None, *, total: int | None = None,
                 enabled: bool | None = None, interval: float = 0.2,
                 stats: RunStats | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream: IO[str] = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.total = total
        self.interval = interval
        self.stats = stats if stats is not None else RunStats(clock)
        self._clock = clock
        self._last_draw = -float("inf")
        self._shown = 0  # length of the line now on screen (0: none)
        self._width = shutil.get_terminal_size((80, 24)).columns if enabled else 80
        self._lock = threading.Lock()
        self.pace: Pace | None = None  # the run's concurrency controller, once it has one

    def set_total(self, total: int | None) -> None:
        """The number of articles expected (None: unknown). Safe from any thread."""
        self.total = total

    def update(self, result: Result) -> None:
        """Count one record, and redraw when the last redraw is old enough."""
        self.stats.add(result)
        if self.enabled and self._clock() - self._last_draw >= self.interval:
            self.refresh()

    def line(self) -> str:
        """The progress line as it would be drawn now."""
        stats = self.stats
        done, total = stats.done, self.total
        parts = [f"{done:,}/{total:,}" if total is not None else f"{done:,}"]
        if total and total >= done:
            parts[0] += f" ({100 * done // total}%)"
        rate = stats.rate()
        if rate is not None and done:
            parts.append(f"{rate:,.1f}/s")
            if total is not None and total > done:
                parts.append(f"ETA {_format_duration((total - done) / rate)}")
        counts = [f"{stats.ok} ok", f"{stats.fallback} fallback", f"{stats.error} error"]
        if stats.cached:
            counts.append(f"{stats.cached} cached")
        parts.append(", ".join(counts))
        if self.pace is not None and self.pace.stats.sent:
            parts.append(f"j={self.pace.limit}")
        return PREFIX + " · ".join(parts)

    def refresh(self) -> None:
        """Redraw the line now (no-op when disabled)."""
        if not self.enabled:
            return
        with self._lock:
            self._last_draw = self._clock()
            text = self.line()[: max(10, self._width - 1)]  # never wrap: \r must reach it
            pad = " " * max(0, self._shown - len(text))
            self._write("\r" + text + pad)
            self._shown = len(text)

    def note(self, message: str) -> None:
        """Print `message` as a line of its own, keeping the progress line below it.

        When the display is off, the message is still printed (it is not progress)."""
        if not self.enabled:
            self._write(message.rstrip("\n") + "\n")
            return
        with self._lock:
            self._write(self._clear_text() + message.rstrip("\n") + "\n")
            self._shown = 0
        if self.stats.done or self.total is not None:
            self.refresh()

    def close(self) -> None:
        """Clear the progress line (the terminal is left as before it was drawn)."""
        if not self.enabled:
            return
        with self._lock:
            if self._shown:
                self._write(self._clear_text())
                self._shown = 0

    def _clear_text(self) -> str:
        return "\r" + " " * self._shown + "\r" if self._shown else ""

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not stop the run
            self.enabled = False


def _count_jsonl(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return 1  # the reader yields one error record for it


def count_inputs(paths: list[str]) -> int | None:
    """How many articles `inputs.iter_articles(paths)` will yield; None when unknowable
    (standard input). Reads no article: folders are walked with the same filter, JSONL
    files have their non-blank lines counted."""
    count = 0
    for raw in paths:
        if raw == STDIN:
            return None
        path = Path(raw)
        if path.is_dir():
            count += sum(1 for _ in _iter_folder(path))
        elif path.suffix.lower() == ".jsonl":
            count += _count_jsonl(path)
        elif path.suffix.lower() in (".urls", ".csv", ".txt") and _url_list(path):
            count += _count_jsonl(path)  # non-blank lines (less a CSV header: near enough)
        else:
            count += 1
    return count


def _url_list(path: Path) -> bool:
    from llmextract.read.web.urls import looks_like_url_list

    return looks_like_url_list(path)


def count_in_background(paths: list[str],
                        callback: Callable[[int | None], None]) -> threading.Thread:
    """Start a daemon thread that calls `callback(count_inputs(paths))` when done
    (with None if counting fails). Typically `callback` is `Progress.set_total`."""

    def work() -> None:
        try:
            total = count_inputs(paths)
        except (OSError, RecursionError):
            total = None
        callback(total)

    thread = threading.Thread(target=work, name="llmextract-count", daemon=True)
    thread.start()
    return thread

