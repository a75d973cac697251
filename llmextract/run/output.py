"""Writing results: one whole, flushed line (or row/section) per record as it completes.

Formats (`FORMATS`):

- `jsonl`: one JSON record per line (CONTRACT section 2).
- `json`: one JSON array of records, written as records arrive ("[", "," and "]" around them).
- `csv`: one flattened row per article under a header row (`CSV_COLUMNS`); lists are joined.
  A user schema's record (`--schema`) carries its `schema_name` and its `data` (compact JSON).
- `md`: a readable Markdown digest, one `##` section per article (a user schema's record:
  its data and the evidence of its checked values).

Every format streams: nothing is held beyond the record being written, and each record is
written with a single `write` followed by `flush`, so a reader never sees half a record.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import IO, Any, Literal

from pydantic import BaseModel

from llmextract.schemas.record import Dropped, GroundedFigure, Result, Summary

Format = Literal["jsonl", "json", "csv", "md"]
FORMATS: tuple[Format, ...] = ("jsonl", "json", "csv", "md")

CSV_COLUMNS: tuple[str, ...] = (
    "id", "input", "status", "engine", "title", "publisher", "authors", "published", "url",
    "summary", "key_points", "n_figures", "n_quotes", "n_entities", "n_dropped", "topics",
    "model", "cached", "requests", "prompt_tokens", "completion_tokens", "error_type",
    "error_message", "elapsed_ms", "review", "model_items", "items_kept", "items_dropped",
    "confirmed_by_rules", "added_by_rules", "prose_kept", "prose_dropped", "schema_name",
    "data",
)
LIST_SEP = "; "
KEY_POINT_SEP = " | "
MD_TITLE = "# llmextract digest\n\n"

__all__ = ["CSV_COLUMNS", "FORMATS", "Format", "Writer", "csv_row", "dumps_schema",
           "md_section"]


class Writer:
    """Writes records to a text stream in one of `FORMATS`; `close()` finishes the document.

    Whatever precedes the first record (the CSV header, the Markdown title, "[") is written
    together with it, or by `close()` when there was none, so an empty run still yields a
    complete document.
    """

    def __init__(self, stream: IO[str], fmt: Format = "jsonl") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r}: expected one of "
                             + ", ".join(FORMATS))
        self.stream = stream
        self.fmt = fmt
        self.count = 0

    def write(self, result: Result) -> None:
        first = self.count == 0
        if self.fmt == "json":
            text = ("[\n" if first else ",\n") + result.to_json()
        elif self.fmt == "csv":
            text = (_csv_line(CSV_COLUMNS) if first else "") + _csv_line(csv_row(result))
        elif self.fmt == "md":
            text = (MD_TITLE if first else "\n") + md_section(result)
        else:
            text = result.to_json() + "\n"
        self.stream.write(text)  # one write per record: a record is never split
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        """Finish the document (does not close the stream)."""
        tail = ""
        if self.fmt == "json":
            tail = "[]\n" if self.count == 0 else "\n]\n"
        elif self.count == 0 and self.fmt == "csv":
            tail = _csv_line(CSV_COLUMNS)
        elif self.count == 0 and self.fmt == "md":
            tail = MD_TITLE + "_No articles._\n"
        if tail:
            self.stream.write(tail)
            self.stream.flush()


# --- CSV ---------------------------------------------------------------------------------


def _csv_line(values: Iterable[object]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def csv_row(result: Result) -> list[str]:
    """The `CSV_COLUMNS` values of one record, as strings (empty for missing values)."""
    s = result.summary
    err = result.error
    return [
        result.id, _text(result.input), result.status, _text(result.engine),
        _text(s and s.title), _text(s and s.publisher),
        LIST_SEP.join(s.authors) if s else "",
        s.published.isoformat() if s and s.published else "",
        _text(s and s.url), s.summary if s else "",
        KEY_POINT_SEP.join(s.key_points) if s else "",
        str(len(s.figures)) if s else "0", str(len(s.quotes)) if s else "0",
        str(len(s.entities)) if s else "0", str(len(result.dropped)),
        LIST_SEP.join(s.topics) if s else "",
        _text(result.model), "true" if result.cached else "false",
        str(result.usage.requests), str(result.usage.prompt_tokens),
        str(result.usage.completion_tokens),
        err.type if err else "", err.message if err else "",
        f"{result.elapsed_ms:.1f}", _text(result.review), *_trust_cells(result),
        result.schema_name, _data_json(result.data),
    ]


def _data_json(data: dict[str, Any] | None) -> str:
    """A user schema's data as compact JSON ("" for a news record)."""
    if data is None:
        return ""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def _trust_cells(result: Result) -> list[str]:
    t = result.trust
    if t is None:
        return [""] * 7
    return [str(n) for n in (t.model_items, t.kept, t.dropped, t.confirmed_by_rules,
                             t.added_by_rules, t.prose_kept, t.prose_dropped)]


# --- Markdown ----------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
# What could start a block at the beginning of a line: ATX headings, block quotes, list
# markers, setext underlines, thematic breaks, code fences, tables, HTML blocks.
_BLOCK_START = re.compile(r"^(?:[#>+*=\-_`~|<]|\d+[.)])")
# `<` could open inline HTML; `$` pairs become maths on GitHub ("$1.7 billion ... $5").
_INLINE_SPECIAL = re.compile(r"([<$])")


def _md(value: object, *, cell: bool = False) -> str:
    """Article text made safe to place in one Markdown line (or table cell).

    Line breaks are folded into spaces so no field can start a line of its own, and a
    character that would start a block (a heading's `#`, `>`, a list marker...) is escaped.
    """
    text = _SPACE.sub(" ", _text(value)).strip().replace("\\", "\\\\")
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    if cell:
        text = text.replace("|", r"\|")
    match = _BLOCK_START.match(text)
    if match:
        start = match.end() - 1
        text = text[:start] + "\\" + text[start:]
    return text


def _heading(result: Result) -> str:
    title = result.summary.title if result.summary and result.summary.title else None
    text = _md(title or result.id)
    # A run of `#` at the end of a heading line would be read as a closing sequence.
    return "## " + re.sub(r"(#+)$", lambda m: "\\" + m.group(1), text)


def _meta_line(result: Result) -> str:
    s = result.summary
    parts = [f"status: **{result.status}**"]
    if result.engine:
        parts.append(f"engine: {result.engine}")
    if s and s.published:
        parts.append(f"published: {s.published.isoformat()}")
    if s and s.publisher:
        parts.append(f"publisher: {_md(s.publisher)}")
    if result.cached:
        parts.append("cached")
    line = " · ".join(parts)
    extra = [f"id: {_md(result.id)}"]
    if s and s.authors:
        extra.append("by " + _md(", ".join(s.authors)))
    if s and s.url:
        extra.append(_md(s.url))
    return line + "  \n" + " · ".join(extra)


def _figure_value(fig: GroundedFigure) -> str:
    if fig.value is None:
        return ""
    number = fig.value
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e18:
        number = int(number)  # 1.7e9 reads 1,700,000,000, not 1,700,000,000.0
    value = f"{number:,}"
    return f"{value} {fig.unit}" if fig.unit else value


def _figures_table(summary: Summary) -> list[str]:
    lines = ["**Figures**", "", "| text | value | qualifier | source |", "|---|---|---|---|"]
    for fig in summary.figures:
        cells = (fig.text, _figure_value(fig), fig.qualifier, fig.source)
        lines.append("| " + " | ".join(_md(c, cell=True) for c in cells) + " |")
    return lines


def _summary_blocks(summary: Summary) -> list[list[str]]:
    blocks: list[list[str]] = [[_md(summary.summary)]]
    if summary.key_points:
        blocks.append(["**Key points**", ""] + [f"- {_md(p)}" for p in summary.key_points])
    if summary.figures:
        blocks.append(_figures_table(summary))
    if summary.quotes:
        quotes = ["**Quotes**"]
        for q in summary.quotes:
            who = f" — {_md(q.speaker)}" if q.speaker else ""
            quotes += ["", f"> “{_md(q.text)}”{who}"]
        blocks.append(quotes)
    if summary.entities:
        names = ", ".join(f"{_md(e.name)} ({e.type})" for e in summary.entities)
        blocks.append([f"**Entities:** {names}"])
    if summary.topics:
        blocks.append(["**Topics:** " + _md(", ".join(summary.topics))])
    return blocks


def _user_blocks(result: Result) -> list[list[str]]:
    """A user schema's record: its schema, its data (a JSON code block) and its evidence."""
    data = json.dumps(result.data, indent=2, ensure_ascii=False, default=str)
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", data)), default=0) + 1)
    blocks = [[f"**Schema:** {_md(result.schema_name)}"], [fence + "json", data, fence]]
    if result.evidence:
        rows = ["**Evidence**", "", "| field | kind | article words |", "|---|---|---|"]
        for ev in result.evidence:
            rows.append("| " + " | ".join(_md(c, cell=True) for c in (ev.path, ev.kind, ev.text))
                        + " |")
        blocks.append(rows)
    return blocks


def _dropped_text(drop: Dropped) -> str:
    item: dict[str, Any] = drop.item
    shown = item.get("text") or item.get("name")
    if not isinstance(shown, str):
        shown = json.dumps(item, ensure_ascii=False, default=str)
    if len(shown) > 200:
        shown = shown[:199] + "…"
    return f"- {_md(drop.field)}: “{_md(shown)}” — {_md(drop.reason)}"


def md_section(result: Result) -> str:
    """One article's Markdown section: `## title`, facts, summary, items, drops, errors."""
    blocks: list[list[str]] = [[_heading(result)], [_meta_line(result)]]
    if result.review:
        blocks.append([f"**Review:** {_md(result.review)}"])
    if result.trust is not None:
        t = result.trust
        blocks.append([f"Model items kept {t.kept} of {t.model_items} ({t.confirmed_by_rules} "
                       f"confirmed by the rules, {t.added_by_rules} added by them); prose "
                       f"sentences kept {t.prose_kept}, dropped {t.prose_dropped}"])
    if result.error is not None:
        blocks.append([f"**Error** ({_md(result.error.type)}): {_md(result.error.message)}"])
    if result.summary is not None:
        blocks.extend(_summary_blocks(result.summary))
    if result.data is not None:
        blocks.extend(_user_blocks(result))
    if result.dropped:
        blocks.append(["**Dropped**", ""] + [_dropped_text(d) for d in result.dropped])
    if result.warnings:
        blocks.append(["**Warnings**", ""] + [f"- {_md(w)}" for w in result.warnings])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def dumps_schema(*, result: bool = False, model: type[BaseModel] | None = None) -> str:
    """The JSON Schema of ArticleSummary, of the result record, or of `model` (a user
    schema), as `schemas/` holds them."""
    from llmextract.schemas.news import ArticleSummary

    chosen = model or (Result if result else ArticleSummary)
    return json.dumps(chosen.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
