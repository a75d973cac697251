"""One article's section of the report: metadata, summary, item tables, the marked-up text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import urlsplit

from llmextract.report.data import (
    KINDS,
    Record,
    int_of,
    items_of,
    mapping,
    row_attrs,
    source_key,
    status_key,
    text_of,
    valid_span,
)
from llmextract.report.highlight import Mark, render_text
from llmextract.report.userdata import evidence_marks, user_data_html

__all__ = ["badge", "render_article", "review_of", "title_of", "trust_text"]

# (column heading, item key) per table; the words column comes first and links to the text.
_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "figures": (("text", "text"), ("value", "value"), ("unit", "unit"),
                ("qualifier", "qualifier"), ("describes", "describes"),
                ("attributed to", "attributed_to")),
    "quotes": (("text", "text"), ("speaker", "speaker")),
    "entities": (("name", "name"), ("type", "type")),
}
_TABLE_ORDER = ("figures", "quotes", "entities")


def esc(value: object, limit: int = 2000) -> str:
    return escape(text_of(value, limit), quote=True)


def badge(status: str) -> str:
    """A status badge; `status` is one of the known keys (never raw record text)."""
    return f'<span class="badge st-{status}">{escape(status)}</span>'


def title_of(record: Record) -> str:
    """Plain (unescaped) heading for a record: its title, else its id."""
    title = mapping(record.get("summary")).get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return text_of(record.get("id"), 200) or "(no id)"


def _url_html(url: object) -> str:
    if not isinstance(url, str) or not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        linkable = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    except ValueError:
        linkable = False
    shown = esc(url, 500)
    if not linkable:
        return shown
    return (f'<a href="{escape(url.strip(), quote=True)}" rel="noopener noreferrer" '
            f'target="_blank">{shown}</a>')


def _value_text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return text_of(value, 100)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return f"{value:,}"


def _meta(record: Record, summary: Mapping[str, Any]) -> str:
    authors = [text_of(a, 200) for a in items_of(summary.get("authors"))]
    usage = mapping(record.get("usage"))
    rows: list[tuple[str, str]] = [
        ("Published", esc(summary.get("published"))),
        ("Publisher", esc(summary.get("publisher"))),
        ("Authors", escape(", ".join(authors), quote=True)),
        ("URL", _url_html(summary.get("url"))),
        ("Status", badge(status_key(record)) + (
            "" if status_key(record) != "other" else " " + esc(record.get("status"), 100))),
        ("Engine", esc(record.get("engine"))),
        ("Model", esc(record.get("model"))),
        ("Prompt", esc(record.get("prompt_version"))),
        ("Input", esc(record.get("input"), 500)),
        ("Usage", (f"{int_of(usage.get('requests'))} req, {int_of(usage.get('prompt_tokens')):,}"
                   f" + {int_of(usage.get('completion_tokens')):,} tokens"
                   + (" (cached)" if record.get("cached") is True else ""))),
        ("Review", esc(review_of(record), 500)),
        ("Trust", escape(trust_text(record), quote=True)),
        ("Topics", escape(", ".join(text_of(t, 100) for t in items_of(summary.get("topics"))),
                          quote=True)),
    ]
    cells = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows if value)
    return f'<dl class="meta">{cells}</dl>'


def review_of(record: Record) -> str:
    """The record's review reason ("" when none)."""
    review = record.get("review")
    return review.strip() if isinstance(review, str) else ""


def trust_text(record: Record) -> str:
    """The trust counts in words (plain text; "" for a record without them)."""
    t = mapping(record.get("trust"))
    if not t:
        return ""
    n = {k: int_of(t.get(k)) for k in ("model_items", "kept", "dropped", "confirmed_by_rules",
                                        "added_by_rules", "prose_kept", "prose_dropped")}
    return (f"model items kept {n['kept']} of {n['model_items']} ({n['dropped']} dropped, "
            f"{n['confirmed_by_rules']} confirmed by the rules); {n['added_by_rules']} added "
            f"by the rules; prose sentences kept {n['prose_kept']}, dropped "
            f"{n['prose_dropped']}")


def _prose_marks(prefix: str, record: Record, text: str | None) -> dict[str, Mark]:
    """Element id -> Mark for the article sentences supporting each kept prose sentence
    (several spans share one id: the first piece carries it)."""
    marks: dict[str, Mark] = {}
    if text is None:
        return marks
    for k, raw in enumerate(items_of(record.get("summary_support"))):
        entry = mapping(raw)
        target = f"{prefix}-p{k}"
        title = (f"supports {text_of(entry.get('field'), 40)} {int_of(entry.get('index')) + 1}"
                 f": {text_of(entry.get('text'), 120)}")
        for span in items_of(entry.get("spans")):
            ok = valid_span(span, len(text))
            if ok is not None:
                marks[f"{target}:{ok[0]}"] = Mark(ok[0], ok[1], "p", target, title)
    return marks


def _prose_table(prefix: str, record: Record, marks: Mapping[str, Mark]) -> str:
    rows = []
    located = {m.target for m in marks.values()}
    for k, raw in enumerate(items_of(record.get("summary_support"))):
        entry = mapping(raw)
        target = f"{prefix}-p{k}"
        attrs = row_attrs(target, dict.fromkeys(located))
        words = esc(entry.get("text"), 1000)
        if target in located:
            words = f'<a href="#{target}">{words}</a>'
        rows.append(f"<tr{attrs}><td>{esc(entry.get('field'), 60)}</td>"
                    f'<td class="n">{int_of(entry.get("index")) + 1}</td><td>{words}</td>'
                    f"<td>{len(items_of(entry.get('spans')))}</td></tr>")
    if not rows:
        return ""
    return ('<table class="items t-p"><caption><span class="key k-p"></span>Prose support ('
            f"{len(rows)})</caption><thead><tr><th>field</th><th>#</th><th>sentence</th>"
            f'<th>spans</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _error_box(record: Record) -> str:
    error = record.get("error")
    if error is None:
        return ""
    info = mapping(error)
    kind = esc(info.get("type"), 200) if info else "error"
    message = esc(info.get("message") if info else error, 2000)
    return f'<p class="error"><strong>{kind}</strong>: {message}</p>'


def _item_marks(prefix: str, summary: Mapping[str, Any], text: str | None) -> dict[str, Mark]:
    """Element id -> Mark for every item whose span is valid in `text`."""
    marks: dict[str, Mark] = {}
    if text is None:
        return marks
    for name, (code, label, key) in KINDS.items():
        for i, item in enumerate(items_of(summary.get(name))):
            item = mapping(item)
            span = valid_span(item.get("span"), len(text))
            if span is None:
                continue
            target = f"{prefix}-{code}{i}"
            title = f"{label} {i + 1} ({source_key(item)}): {text_of(item.get(key), 120)}"
            marks[target] = Mark(span[0], span[1], code, target, title)
    return marks


def _table(prefix: str, name: str, items: Sequence[Any], marks: Mapping[str, Mark]) -> str:
    code = KINDS[name][0]
    columns = _COLUMNS[name]
    head = "".join(f"<th>{h}</th>" for h, _ in columns)
    rows: list[str] = []
    for i, raw in enumerate(items):
        item = mapping(raw)
        target = f"{prefix}-{code}{i}"
        source = source_key(item)
        cells: list[str] = []
        for col, (_, key) in enumerate(columns):
            value = _value_text(item.get(key)) if key == "value" else text_of(item.get(key), 1000)
            shown = escape(value, quote=True)
            if col == 0 and target in marks:
                shown = f'<a href="#{target}">{shown}</a>'
            cells.append(f"<td>{shown}</td>")
        located = target in marks
        rows.append(f'<tr class="src-{source}{"" if located else " unlocated"}"'
                    f'{row_attrs(target, marks)}>'
                    f'<td class="n">{i + 1}</td>{"".join(cells)}'
                    f'<td><span class="src src-{source}">{source}</span></td></tr>')
    if not rows:
        return f'<p class="none">No {name}.</p>'
    return (f'<table class="items t-{code}"><caption><span class="key k-{code}"></span>'
            f"{name.capitalize()} ({len(rows)})</caption><thead><tr><th>#</th>{head}"
            f'<th>source</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _dropped(record: Record) -> str:
    rows = []
    for raw in items_of(record.get("dropped")):
        drop = mapping(raw)
        item = mapping(drop.get("item"))
        words = next((item[k] for k in ("text", "name") if isinstance(item.get(k), str)), None)
        shown = text_of(words if words is not None else (item or drop.get("item")), 600)
        rows.append(f"<tr><td>{esc(drop.get('field'), 60)}</td><td>{escape(shown, quote=True)}"
                    f"</td><td>{esc(drop.get('reason'), 600)}</td></tr>")
    if not rows:
        return ""
    return ('<table class="dropped"><caption>Dropped items (' + str(len(rows)) +
            ")</caption><thead><tr><th>field</th><th>item</th><th>reason</th></tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table>')


def _text_panel(text: str | None, note: str, marks: Mapping[str, Mark], summary: Mapping[
        str, Any], extra: Mapping[str, Mark]) -> str:
    if text is None:
        why = escape(note or "the article text is not available", quote=True)
        return (f'<div class="notext"><p><strong>Article text not available</strong> '
                f"({why}). Spans are not highlighted; the tables show every item.</p></div>")
    total = sum(len(items_of(summary.get(name))) for name in KINDS)
    skipped = sum(1 for name in KINDS for it in items_of(summary.get(name))
                  if mapping(it).get("span") is not None) - len(marks)
    warn = f'<p class="warn">{escape(note, quote=True)}</p>' if note else ""
    if skipped > 0:
        warn += (f'<p class="warn">{skipped} of {total} spans are not valid for this text and '
                "are not highlighted (was the file changed since the run?)</p>")
    shown = [*marks.values(), *extra.values()]
    return f'{warn}<div class="text">{render_text(text, shown)}</div>'


def render_article(number: int, record: Record, text: str | None, note: str,
                   open_: bool) -> str:
    """The `<section>` for the `number`th record (1-based); `note` says why `text` is None
    (or, with a text, what to be wary of)."""
    prefix = f"a{number}"
    summary = mapping(record.get("summary"))
    status = status_key(record)
    user = isinstance(record.get("data"), Mapping) and not summary
    marks = evidence_marks(prefix, record, text) if user else _item_marks(prefix, summary, text)
    prose_marks = {} if user else _prose_marks(prefix, record, text)
    review = review_of(record)
    points = "".join(f"<li>{esc(p, 1000)}</li>" for p in items_of(summary.get("key_points")))
    body = [
        f'<p class="review"><strong>Review:</strong> {esc(review, 500)}</p>' if review else "",
        _meta(record, summary),
        _error_box(record),
        f'<p class="summary">{esc(summary.get("summary"), 5000)}</p>'
        if summary.get("summary") else "",
        f'<ul class="points">{points}</ul>' if points else "",
        '<div class="cols"><div class="tables">',
        *([user_data_html(prefix, record, marks)] if user else
          (_table(prefix, name, items_of(summary.get(name)), marks) for name in _TABLE_ORDER)),
        _prose_table(prefix, record, prose_marks),
        _dropped(record),
        '</div><div class="textcol"><h3>Article text</h3>',
        _text_panel(text, note, marks, summary, prose_marks),
        "</div></div>",
    ]
    counts = " · ".join(f"{len(items_of(summary.get(n)))} {n}" for n in _TABLE_ORDER)
    return (f'<section class="article" id="{prefix}" data-status="{status}" '
            f'data-review="{1 if review else 0}">'
            f'<details{" open" if open_ else ""}><summary><span class="num">{number}</span>'
            f'{badge(status)}<span class="ttl">{escape(title_of(record), quote=True)}</span>'
            f'<span class="aid">{esc(record.get("id"), 200)} · {counts}</span></summary>'
            f'<div class="body">{"".join(body)}</div></details></section>')
