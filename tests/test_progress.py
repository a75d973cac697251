"""Run statistics, the end-of-run report, cost estimates, the progress line, input counting."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from llmextract.read.inputs import iter_articles
from llmextract.run.costs import PRICES, estimate_cost, lookup_price, parse_price
from llmextract.run.progress import Progress, RunStats, count_in_background, count_inputs
from llmextract.schemas.record import ErrorInfo, Result, Usage


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def result(status: str = "ok", *, cached: bool = False, requests: int = 1,
           prompt: int = 800, completion: int = 400) -> Result:
    usage = Usage() if cached else Usage(requests=requests, prompt_tokens=prompt,
                                         completion_tokens=completion)
    error = ErrorInfo(type="InputError", message="x") if status == "error" else None
    return Result(id="a", status=status, cached=cached, usage=usage,  # type: ignore[arg-type]
                  error=error)


# --- costs ---


def test_prices_table_and_prefix_matching() -> None:
    assert PRICES["gpt-4o-mini"] == (0.15, 0.60)
    assert lookup_price("gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert lookup_price("gpt-4o-2024-08-06") == (2.50, 10.00)
    assert lookup_price("gpt-4o-2024-05-13") == (5.00, 15.00)
    assert lookup_price("GPT-4.1-mini") == (0.40, 1.60)
    assert lookup_price("gpt-4.1-nano-2025-04-14") == (0.10, 0.40)
    assert lookup_price("openai/gpt-4o") == (2.50, 10.00)
    assert lookup_price("o3-mini-2025-01-31") == (1.10, 4.40)
    assert lookup_price("o1-pro") == (150.00, 600.00)
    assert lookup_price("gpt-4.5-preview") is None  # no "-" boundary: not priced as gpt-4
    assert lookup_price("gpt-4omni") is None
    assert lookup_price("llama3.1") is None
    assert lookup_price(None) is None
    assert lookup_price("") is None


def test_estimate_cost() -> None:
    assert estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert estimate_cost("gpt-4o-mini", 401_220, 190_443) == pytest.approx(
        401_220 * 0.15e-6 + 190_443 * 0.60e-6)
    assert estimate_cost("llama3.1", 1000, 1000) is None
    assert estimate_cost("llama3.1", 2_000_000, 0, override=(1.0, 2.0)) == pytest.approx(2.0)
    assert estimate_cost("gpt-4o", 1_000_000, 0, override=(0.0, 0.0)) == 0.0


@pytest.mark.parametrize(("text", "expected"), [
    ("0.15,0.60", (0.15, 0.60)),
    (" 2.5 , 10 ", (2.5, 10.0)),
    ("$1,$2", (1.0, 2.0)),
    ("0,0", (0.0, 0.0)),
])
def test_parse_price(text: str, expected: tuple[float, float]) -> None:
    assert parse_price(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("", "expected IN,OUT"),
    ("0.15", "expected IN,OUT"),
    ("1,2,3", "expected IN,OUT"),
    ("1,", "expected IN,OUT"),
    ("abc,1", "input price 'abc' is not a number"),
    ("1,x", "output price 'x' is not a number"),
    ("-1,2", "input price must be a non-negative number"),
    ("1,nan", "output price must be a non-negative number"),
    ("inf,1", "input price must be a non-negative number"),
])
def test_parse_price_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_price(text)


# --- RunStats ---


def test_runstats_counts_and_report() -> None:
    clock = FakeClock()
    stats = RunStats(clock)
    for _ in range(470):
        stats.add(result("ok", requests=1, prompt=800, completion=400))
    for _ in range(8):
        stats.add(result("fallback", requests=3, prompt=100, completion=0))
    for _ in range(2):
        stats.add(result("error", requests=0, prompt=0, completion=0))
    for _ in range(12):  # cached ok records: no request now
        stats.add(result("ok", cached=True))
    clock.now += 8.0
    assert (stats.ok, stats.fallback, stats.error, stats.cached) == (482, 8, 2, 12)
    assert stats.done == stats.total == 492
    assert stats.counts["error"] == 2
    assert stats.requests == 470 + 24
    assert stats.elapsed == pytest.approx(8.0)
    lines = stats.report("gpt-4o-mini", None).splitlines()
    assert lines[0] == ("llmextract: 492 articles in 8.0 s (61.5/s): 482 ok, 8 fallback, "
                        "2 error (12 cached)")
    cost = (470 * 800 + 8 * 100) * 0.15e-6 + 470 * 400 * 0.60e-6
    assert lines[1] == (f"llmextract: 494 requests, 376,800 prompt + 188,000 completion "
                        f"tokens, est. ${cost:.4f} (gpt-4o-mini)")


def test_report_singular_and_no_requests() -> None:
    clock = FakeClock()
    stats = RunStats(clock)
    stats.add(result("ok", requests=0, prompt=0, completion=0))
    clock.now += 0.5
    assert stats.report(None, None) == "llmextract: 1 article in 0.5 s (2.0/s): 1 ok"
    stats.add(result("ok", requests=1, prompt=10, completion=5))
    lines = stats.report("gpt-4o", None).splitlines()
    assert lines[1].startswith("llmextract: 1 request, 10 prompt + 5 completion tokens")


def test_report_unknown_cost_and_override() -> None:
    stats = RunStats(FakeClock())
    stats.add(result("ok", requests=2, prompt=1_000_000, completion=500_000))
    unknown = stats.report("llama3.1", None).splitlines()[1]
    assert unknown.endswith("cost unknown for model llama3.1: pass --price IN,OUT")
    priced = stats.report("llama3.1", (1.0, 2.0)).splitlines()[1]
    assert "est. $2.0000 (llama3.1 at --price)" in priced
    assert "est. $0.4500 (gpt-4o-mini)" in stats.report("gpt-4o-mini", None)


def test_report_empty_run() -> None:
    assert RunStats(FakeClock()).report(None, None) == "llmextract: 0 articles in 0.0 s"


# --- Progress ---


def test_progress_silent_when_not_a_tty() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    assert not progress.enabled
    progress.set_total(10)
    for _ in range(5):
        progress.update(result())
    progress.refresh()
    progress.close()
    assert stream.getvalue() == ""
    assert progress.stats.done == 5


def test_progress_draws_on_tty() -> None:
    stream, clock = FakeTTY(), FakeClock()
    progress = Progress(stream, clock=clock, stats=RunStats(clock))
    assert progress.enabled
    progress.update(result("ok"))
    first = stream.getvalue()
    assert first.startswith("\r")
    assert "1 ok, 0 fallback, 0 error" in first
    assert "/" not in first.split("·")[0]  # total unknown: "1", not "1/N"
    progress.update(result("error"))  # within the interval: no redraw
    assert stream.getvalue() == first
    progress.set_total(4)
    clock.now += 1.0
    progress.update(result("fallback", cached=True))
    drawn = stream.getvalue()[len(first):]
    assert drawn.startswith("\r")
    assert "3/4 (75%)" in drawn
    assert "3.0/s" in drawn
    assert "ETA 0:00" in drawn
    assert "1 ok, 1 fallback, 1 error, 1 cached" in drawn
    progress.close()
    tail = stream.getvalue().rsplit("\r", 2)
    assert tail[-1] == "" and tail[-2].strip() == ""  # the line is blanked out


def test_progress_auto_detects_tty_and_can_be_forced() -> None:
    assert Progress(FakeTTY()).enabled
    assert not Progress(FakeTTY(), enabled=False).enabled
    stream = FakeTTY()
    progress = Progress(stream, enabled=False)
    progress.update(result())
    progress.close()
    assert stream.getvalue() == ""


def test_progress_note_keeps_line_intact() -> None:
    stream, clock = FakeTTY(), FakeClock()
    progress = Progress(stream, clock=clock, stats=RunStats(clock))
    progress.update(result())
    shown = len(stream.getvalue()) - 1
    progress.note("llmextract: a.txt: empty article")
    text = stream.getvalue()
    assert ("\r" + " " * shown + "\rllmextract: a.txt: empty article\n\r") in text
    assert text.endswith("1 ok, 0 fallback, 0 error")


def test_progress_note_without_tty_prints_the_message_only() -> None:
    stream = io.StringIO()
    Progress(stream).note("llmextract: hello")
    assert stream.getvalue() == "llmextract: hello\n"


def test_progress_line_never_wider_than_terminal() -> None:
    stream, clock = FakeTTY(), FakeClock()
    progress = Progress(stream, clock=clock, stats=RunStats(clock))
    progress._width = 30
    progress.update(result())
    assert all(len(part) <= 29 for part in stream.getvalue().split("\r"))


# --- count_inputs ---


def make_tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    for name in ("a.txt", "b.md", "c.TXT", "sub/d.markdown", "sub/deeper/e.text",
                 "sub/page.html", ".hidden/x.txt", ".secret.txt", "notes.pdf", "data.csv",
                 "sub/image.png", "README"):
        (root / name).write_text("Some article text.\n", encoding="utf-8")


def test_count_inputs_matches_iter_articles(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    make_tree(folder)
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_text('{"id": "1", "text": "a"}\n\n   \n{"id": "2", "text": "b"}\nnot json\n',
                     encoding="utf-8")
    single = tmp_path / "one.txt"
    single.write_text("x", encoding="utf-8")
    paths = [str(folder), str(jsonl), str(single)]
    expected = sum(1 for _ in iter_articles(paths, 1000))
    assert count_inputs(paths) == expected == 6 + 3 + 1
    assert count_inputs([str(folder)]) == 6
    assert count_inputs([]) == 0


def test_count_inputs_stdin_is_unknown(tmp_path: Path) -> None:
    assert count_inputs(["-"]) is None
    assert count_inputs([str(tmp_path), "-"]) is None


def test_count_in_background_feeds_progress(tmp_path: Path) -> None:
    make_tree(tmp_path)
    progress = Progress(io.StringIO())
    thread = count_in_background([str(tmp_path)], progress.set_total)
    assert isinstance(thread, threading.Thread)
    thread.join(timeout=10)
    assert progress.total == 6


def test_a_replayed_run_reports_no_cost() -> None:
    from llmextract.schemas.record import Result, Usage

    stats = RunStats()
    stats.add(Result(id="a", status="ok", usage=Usage(requests=1, prompt_tokens=10,
                                                        completion_tokens=5)))
    assert "no cost" in stats.report("gpt-4o-mini", replayed=True)
    assert "$" in stats.report("gpt-4o-mini")
