"""The whole report: overview, index, filter, one section per article; and writing it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from llmextract.report.article import badge, items_of, render_article, title_of
from llmextract.report.assets import CSS, JS, csp
from llmextract.report.data import KINDS, STATUSES, Overview, count_of, review_of, text_of
from llmextract.report.source import TextFinder
from llmextract.schemas.reader import BadLine, RecordError, read_records, record_from_dict
from llmextract.schemas.record import Result

TextFor = Callable[[Result], "str | None"]
Lookup = Callable[[Result], "tuple[str | None, str]"]
OPEN_BELOW = 10  # sections start open when the report has fewer articles than this

__all__ = ["ReportStats", "TextFor", "build_report", "read_results", "write_report"]


@dataclass
class ReportStats:
    """What `write_report` did."""

    out: Path
    articles: int = 0
    bad_lines: list[int] = field(default_factory=list)  # line numbers that were not records
    text_missing: int = 0  # articles shown without their text
    bytes: int = 0


def _stat(value: str, label: str) -> str:
    return f'<div class="stat"><b>{value}</b><span>{escape(label)}</span></div>'


def _counts_table(title: str, rows: Iterable[tuple[str, int]]) -> str:
    body = "".join(f"<tr><td>{cell}</td><td>{n:,}</td></tr>" for cell, n in rows)
    if not body:
        body = '<tr><td colspan="2">none</td></tr>'
    return (f'<table class="small"><caption>{escape(title)}</caption><tbody>{body}</tbody>'
            "</table>")


def _overview_html(total: Overview, notes: Sequence[str]) -> str:
    cost = f"${total.cost:,.4f}" if total.cost else "$0"
    unpriced = sum(total.unpriced.values())
    if unpriced:
        models = ", ".join(text_of(m, 80) for m in sorted(total.unpriced))
        cost_note = f"{unpriced} article(s) at an unknown price (model {models}): not counted"
        notes = [*notes, cost_note]
        if not total.cost:
            cost = "unknown"
    stats = [
        _stat(f"{total.articles:,}", "articles"),
        *(_stat(f"{total.by_status[s]:,}", s) for s in STATUSES),
        _stat(f"{total.to_review:,}", "to review"),
        _stat(f"{total.cached:,}", "cached"),
        _stat(f"{total.requests:,}", "requests"),
        _stat(f"{total.prompt_tokens:,}", "prompt tokens"),
        _stat(f"{total.completion_tokens:,}", "completion tokens"),
        _stat(escape(cost), "estimated cost" + (" (partial)" if unpriced and total.cost else "")),
        _stat(f"{total.text_missing:,}", "without text"),
    ]
    engines = _counts_table("By engine", ((escape(e), n) for e, n in
                                          sorted(total.by_engine.items())))
    dropped = _counts_table("Dropped items by field and reason", (
        (f"{escape(f)} — {escape(r)}", n) for (f, r), n in
        sorted(total.dropped.items(), key=lambda kv: (-kv[1], kv[0]))))
    note_html = "".join(f"<li>{escape(n, quote=True)}</li>" for n in notes)
    return (f'<h2>Run overview</h2><div class="stats">{"".join(stats)}</div>'
            f'<div class="grid2">{engines}{dropped}</div>'
            + (f'<ul class="notes">{note_html}</ul>' if note_html else ""))


_LEGEND = (
    '<div class="legend"><strong>In the text:</strong>'
    '<span><span class="key k-f"></span>figure</span>'
    '<span><span class="key k-q"></span>quote</span>'
    '<span><span class="key k-e"></span>entity</span>'
    '<span><span class="key k-p"></span>supports a summary sentence</span>'
    '<strong>Found by:</strong><span class="src src-llm">llm</span>'
    '<span class="src src-rules">rules</span><span class="src src-both">both</span>'
    "<span>(hover or click a row to find its words; click marked words to find the row)</span>"
    "</div>")


def _index_html(records: Sequence[Result]) -> str:
    rows = []
    for n, record in enumerate(records, start=1):
        counts = "".join(f"<td>{len(items_of(record.summary, k))}</td>" for k in KINDS)
        review = review_of(record)
        trust = record.trust
        kept = (f"{count_of(trust.kept)}/{count_of(trust.model_items)}"
                if trust is not None else "")
        prose = (f"{count_of(trust.prose_kept)}/"
                 f"{count_of(trust.prose_kept) + count_of(trust.prose_dropped)}"
                 if trust is not None else "")
        rows.append(
            f'<tr data-status="{record.status}" data-review="{1 if review else 0}">'
            f'<td class="n">{n}</td><td>{badge(record.status)}</td>'
            f'<td class="ttl"><a href="#a{n}">{escape(title_of(record), quote=True)}</a></td>'
            f"<td>{escape(text_of(record.id, 200), quote=True)}</td>{counts}"
            f"<td>{len(record.dropped)}</td><td>{kept}</td><td>{prose}</td>"
            f'<td class="rv" title="{escape(review, quote=True)}">{escape(review)}</td></tr>')
    heads = "".join(f"<th>{k}</th>" for k in KINDS)
    return ('<h2>Articles</h2><table class="index"><thead><tr><th>#</th><th>status</th>'
            f"<th>title</th><th>id</th>{heads}<th>dropped</th>"
            '<th title="model items kept / given">kept</th>'
            '<th title="prose sentences kept / given">prose</th><th>review</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _filter_html(total: Overview, to_review: int) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" checked data-status="{s}"> {badge(s)} '
        f"({total.by_status[s]})</label>" for s in STATUSES if total.by_status[s])
    if to_review:
        boxes += (f'<label><input type="checkbox" data-review="1"> only those to review '
                  f"({to_review})</label>")
    return (f'<div class="filter" id="filter" hidden><strong>Show:</strong>{boxes}'
            '<button type="button" data-open="1">expand all</button>'
            '<button type="button" data-open="0">collapse all</button></div>')


def build_report(records: Iterable[Result | Mapping[str, Any]], *,
                 text_for: TextFor | None = None, title: str = "llmextract report",
                 notes: Sequence[str] = ()) -> str:
    """One self-contained HTML page (no network loads) for `records` (`Result`s, or dicts
    read as llmextract.schemas.reader reads a results line).

    A dict that is not a valid result record is skipped and named in the overview (as
    `write_report` does with a broken line). `text_for(record)` gives the article text a
    record's spans point into, or None; it is passed the `Result`. By default the text is the
    record's `text`, else the file named by its `input`, relative to the current directory,
    when its text has the record's `text_sha256` (see `TextFinder`). `notes` are listed in
    the overview.
    """
    lookup: Lookup
    if text_for is None or isinstance(text_for, TextFinder):
        lookup = (text_for or TextFinder()).find
    else:
        lookup = _guarded(text_for)
    rows, skipped = _typed(records)
    return _render(rows, lookup, title, [*notes, *skipped])[0]


def _typed(records: Iterable[Result | Mapping[str, Any]]) -> tuple[list[Result], list[str]]:
    """The records as `Result`s, and a note per one that is not a result record."""
    rows: list[Result] = []
    notes: list[str] = []
    for n, obj in enumerate(records, start=1):
        if isinstance(obj, Result):
            rows.append(obj)
            continue
        try:
            rows.append(record_from_dict(obj, notes))
        except RecordError as exc:
            notes.append(f"record {n} is not a result record and was skipped: {exc}")
    return rows, notes


def _guarded(text_for: TextFor) -> Lookup:
    def lookup(record: Result) -> tuple[str | None, str]:
        try:
            text = text_for(record)
        except Exception as exc:  # a failing lookup must not stop the report
            return None, f"looking up the text failed ({type(exc).__name__})"
        return (text, "") if isinstance(text, str) else (None, "the article text was not found")
    return lookup


def _render(rows: Sequence[Result], lookup: Lookup, title: str,
            notes: Sequence[str]) -> tuple[str, Overview]:
    total = Overview()
    sections: list[str] = []
    open_ = len(rows) < OPEN_BELOW
    for n, record in enumerate(rows, start=1):
        total.add(record)
        text, note = lookup(record)
        if text is None:
            total.text_missing += 1
        sections.append(render_article(n, record, text, note, open_))
    safe_title = escape(title, quote=True)
    head = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp()}">'
            '<meta name="referrer" content="no-referrer">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{safe_title}</title><style>{CSS}</style></head>")
    page = "".join([
        head, f"<body><h1>{safe_title}</h1>",
        _overview_html(total, notes), _LEGEND, _index_html(rows),
        _filter_html(total, sum(1 for r in rows if review_of(r))),
        '<div id="articles">', *sections, f"</div><script>{JS}</script></body></html>\n",
    ])
    return page, total


def read_results(path: Path, notes: list[str] | None = None) -> tuple[
        list[Result], list[int]]:
    """(records, numbers of the lines that are not result records) of a JSONL results file
    (or one JSON array, `--format json`), read by llmextract.schemas.reader: every record
    validated as a `Result`, lenient about older versions (unknown fields dropped and named
    in `notes`, missing fields defaulted and left out of the record's `model_fields_set`)."""
    return _read(path, notes if notes is not None else [])[:2]


def _read(path: Path, notes: list[str]) -> tuple[list[Result], list[int], list[str]]:
    records: list[Result] = []
    bad: list[BadLine] = []
    for item in read_records(path, notes):
        if isinstance(item, BadLine):
            bad.append(item)
        else:
            records.append(item)
    reasons = [f"line {b.line}: {b.reason}" for b in bad[:5]]
    return records, [b.line for b in bad], reasons


def write_report(results_path: Path, out: Path, *, base_dir: Path | None = None,
                 title: str = "llmextract report", articles: Path | None = None) -> ReportStats:
    """Read a results file and write its report to `out` (atomically).

    Article texts are found as `TextFinder(base_dir, articles)` finds them: a file a record
    names is shown only when its text has the record's `text_sha256`. Lines that are not JSON
    objects are skipped and listed in the report and in the returned stats. OSError from
    reading `results_path` or writing `out` propagates.
    """
    lenient: list[str] = []
    records, bad, reasons = _read(Path(results_path), lenient)
    notes = []
    if bad:
        shown = ", ".join(str(n) for n in bad[:20]) + (" …" if len(bad) > 20 else "")
        notes.append(f"{len(bad)} line(s) of {results_path} are not result records and were "
                     f"skipped: line {shown}")
        notes.extend(reasons)
    notes.extend(lenient[:20])
    html, total = _render(records, TextFinder(base_dir, articles).find, title, notes)
    stats = ReportStats(out=Path(out), articles=len(records), bad_lines=bad,
                        text_missing=total.text_missing)
    data = html.encode("utf-8")
    stats.bytes = len(data)
    _write_atomic(Path(out), data)
    return stats


def _write_atomic(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
