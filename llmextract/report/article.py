"""One article's section of the report: metadata, summary, item tables, the marked-up text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from urllib.parse import urlsplit

from llmextract.report.data import KINDS, count_of, review_of, row_attrs, text_of, valid_span
from llmextract.report.highlight import Mark, render_text
from llmextract.report.userdata import evidence_marks, user_data_html
from llmextract.schemas.record import (
    GroundedEntity,
    GroundedFigure,
    GroundedQuote,
    Result,
    Summary,
)

__all__ = ["badge", "render_article", "review_of", "title_of", "trust_text"]

Item = GroundedFigure | GroundedQuote | GroundedEntity

# the column headings per table; the words column comes first and links to the text.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "figures": ("text", "value", "unit", "qualifier", "describes", "attributed to"),
    "quotes": ("text", "speaker"),
    "entities": ("name", "type"),
}
_TABLE_ORDER = ("figures", "quotes", "entities")


def esc(value: object, limit: int = 2000) -> str:
    return escape(text_of(value, limit), quote=True)


def badge(status: str) -> str:
    """A status badge; `status` is one of the known keys (never raw record text)."""
    return f'<span class="badge st-{status}">{escape(status)}</span>'


def items_of(summary: Summary | None, name: str) -> Sequence[Item]:
    """The summary's `name` list ("figures", "quotes" or "entities"); none without one."""
    if summary is None:
        return ()
    if name == "figures":
        return summary.figures
    return summary.quotes if name == "quotes" else summary.entities


def _words(item: Item) -> str:
    return item.name if isinstance(item, GroundedEntity) else item.text


def _cells(item: Item) -> list[str]:
    """The item's table cells (plain text), in `_COLUMNS` order."""
    if isinstance(item, GroundedFigure):
        return [text_of(item.text, 1000), _value_text(item.value), text_of(item.unit, 1000),
                item.qualifier, text_of(item.describes, 1000),
                text_of(item.attributed_to, 1000)]
    if isinstance(item, GroundedQuote):
        return [text_of(item.text, 1000), text_of(item.speaker, 1000)]
    return [text_of(item.name, 1000), item.type]


def title_of(record: Result) -> str:
    """Plain (unescaped) heading for a record: its title, else its id."""
    title = record.summary.title if record.summary is not None else None
    if title and title.strip():
        return title.strip()
    return text_of(record.id, 200) or "(no id)"


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


def _value_text(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return f"{value:,}"


def _meta(record: Result) -> str:
    summary = record.summary
    usage = record.usage
    published = summary.published if summary is not None else None
    rows: list[tuple[str, str]] = [
        ("Published", esc(published.isoformat() if published is not None else None)),
        ("Publisher", esc(summary.publisher if summary is not None else None)),
        ("Authors", escape(", ".join(text_of(a, 200) for a in summary.authors)
                           if summary is not None else "", quote=True)),
        ("URL", _url_html(summary.url if summary is not None else None)),
        ("Status", badge(record.status)),
        ("Engine", esc(record.engine)),
        ("Model", esc(record.model)),
        ("Prompt", esc(record.prompt_version)),
        ("Input", esc(record.input, 500)),
        ("Usage", (f"{count_of(usage.requests)} req, {count_of(usage.prompt_tokens):,}"
                   f" + {count_of(usage.completion_tokens):,} tokens"
                   + (" (cached)" if record.cached else ""))),
        ("Review", esc(review_of(record), 500)),
        ("Trust", escape(trust_text(record), quote=True)),
        ("Topics", escape(", ".join(text_of(t, 100) for t in summary.topics)
                          if summary is not None else "", quote=True)),
    ]
    cells = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows if value)
    return f'<dl class="meta">{cells}</dl>'


def trust_text(record: Result) -> str:
    """The trust counts in words (plain text; "" for a record without them)."""
    t = record.trust
    if t is None:
        return ""
    return (f"model items kept {count_of(t.kept)} of {count_of(t.model_items)} "
            f"({count_of(t.dropped)} dropped, {count_of(t.confirmed_by_rules)} confirmed by the "
            f"rules); {count_of(t.added_by_rules)} added by the rules; prose sentences kept "
            f"{count_of(t.prose_kept)}, dropped {count_of(t.prose_dropped)}")


def _prose_marks(prefix: str, record: Result, text: str | None) -> dict[str, Mark]:
    """Element id -> Mark for the article sentences supporting each kept prose sentence
    (several spans share one id: the first piece carries it)."""
    marks: dict[str, Mark] = {}
    if text is None:
        return marks
    for k, entry in enumerate(record.summary_support):
        target = f"{prefix}-p{k}"
        title = (f"supports {text_of(entry.field, 40)} {count_of(entry.index) + 1}"
                 f": {text_of(entry.text, 120)}")
        for span in entry.spans:
            ok = valid_span(span, len(text))
            if ok is not None:
                marks[f"{target}:{ok[0]}"] = Mark(ok[0], ok[1], "p", target, title)
    return marks


def _prose_table(prefix: str, record: Result, marks: Mapping[str, Mark]) -> str:
    rows = []
    located = {m.target for m in marks.values()}
    for k, entry in enumerate(record.summary_support):
        target = f"{prefix}-p{k}"
        attrs = row_attrs(target, dict.fromkeys(located))
        words = esc(entry.text, 1000)
        if target in located:
            words = f'<a href="#{target}">{words}</a>'
        rows.append(f"<tr{attrs}><td>{esc(entry.field, 60)}</td>"
                    f'<td class="n">{count_of(entry.index) + 1}</td><td>{words}</td>'
                    f"<td>{len(entry.spans)}</td></tr>")
    if not rows:
        return ""
    return ('<table class="items t-p"><caption><span class="key k-p"></span>Prose support ('
            f"{len(rows)})</caption><thead><tr><th>field</th><th>#</th><th>sentence</th>"
            f'<th>spans</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _error_box(record: Result) -> str:
    error = record.error
    if error is None:
        return ""
    return (f'<p class="error"><strong>{esc(error.type, 200)}</strong>: '
            f"{esc(error.message, 2000)}</p>")


def _item_marks(prefix: str, summary: Summary | None, text: str | None) -> dict[str, Mark]:
    """Element id -> Mark for every item whose span is valid in `text`."""
    marks: dict[str, Mark] = {}
    if text is None:
        return marks
    for name, (code, label) in KINDS.items():
        for i, item in enumerate(items_of(summary, name)):
            span = valid_span(item.span, len(text))
            if span is None:
                continue
            target = f"{prefix}-{code}{i}"
            title = f"{label} {i + 1} ({item.source}): {text_of(_words(item), 120)}"
            marks[target] = Mark(span[0], span[1], code, target, title)
    return marks


def _table(prefix: str, name: str, items: Sequence[Item], marks: Mapping[str, Mark]) -> str:
    code = KINDS[name][0]
    head = "".join(f"<th>{h}</th>" for h in _COLUMNS[name])
    rows: list[str] = []
    for i, item in enumerate(items):
        target = f"{prefix}-{code}{i}"
        source = item.source
        cells: list[str] = []
        for col, value in enumerate(_cells(item)):
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


def _dropped(record: Result) -> str:
    rows = []
    for drop in record.dropped:
        item = drop.item  # the model's refused item: free-form, as it gave it
        words = next((item[k] for k in ("text", "name") if isinstance(item.get(k), str)), None)
        shown = text_of(words if words is not None else item, 600)
        rows.append(f"<tr><td>{esc(drop.field, 60)}</td><td>{escape(shown, quote=True)}"
                    f"</td><td>{esc(drop.reason, 600)}</td></tr>")
    if not rows:
        return ""
    return ('<table class="dropped"><caption>Dropped items (' + str(len(rows)) +
            ")</caption><thead><tr><th>field</th><th>item</th><th>reason</th></tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table>')


def _text_panel(text: str | None, note: str, marks: Mapping[str, Mark],
                summary: Summary | None, extra: Mapping[str, Mark]) -> str:
    if text is None:
        why = escape(note or "the article text is not available", quote=True)
        return (f'<div class="notext"><p><strong>Article text not available</strong> '
                f"({why}). Spans are not highlighted; the tables show every item.</p></div>")
    items = [it for name in KINDS for it in items_of(summary, name)]
    skipped = sum(1 for it in items if it.span is not None) - len(marks)
    warn = f'<p class="warn">{escape(note, quote=True)}</p>' if note else ""
    if skipped > 0:
        warn += (f'<p class="warn">{skipped} of {len(items)} spans are not valid for this text '
                 "and are not highlighted (was the file changed since the run?)</p>")
    shown = [*marks.values(), *extra.values()]
    return f'{warn}<div class="text">{render_text(text, shown)}</div>'


def render_article(number: int, record: Result, text: str | None, note: str,
                   open_: bool) -> str:
    """The `<section>` for the `number`th record (1-based); `note` says why `text` is None
    (or, with a text, what to be wary of)."""
    prefix = f"a{number}"
    summary = record.summary
    status = record.status
    user = record.data is not None and summary is None
    marks = evidence_marks(prefix, record, text) if user else _item_marks(prefix, summary, text)
    prose_marks = {} if user else _prose_marks(prefix, record, text)
    review = review_of(record)
    points = "".join(f"<li>{esc(p, 1000)}</li>"
                     for p in (summary.key_points if summary is not None else ()))
    body = [
        f'<p class="review"><strong>Review:</strong> {esc(review, 500)}</p>' if review else "",
        _meta(record),
        _error_box(record),
        f'<p class="summary">{esc(summary.summary, 5000)}</p>'
        if summary is not None and summary.summary else "",
        f'<ul class="points">{points}</ul>' if points else "",
        '<div class="cols"><div class="tables">',
        *([user_data_html(prefix, record, marks)] if user else
          (_table(prefix, name, items_of(summary, name), marks) for name in _TABLE_ORDER)),
        _prose_table(prefix, record, prose_marks),
        _dropped(record),
        '</div><div class="textcol"><h3>Article text</h3>',
        _text_panel(text, note, marks, summary, prose_marks),
        "</div></div>",
    ]
    counts = " · ".join(f"{len(items_of(summary, n))} {n}" for n in _TABLE_ORDER)
    return (f'<section class="article" id="{prefix}" data-status="{status}" '
            f'data-review="{1 if review else 0}">'
            f'<details{" open" if open_ else ""}><summary><span class="num">{number}</span>'
            f'{badge(status)}<span class="ttl">{escape(title_of(record), quote=True)}</span>'
            f'<span class="aid">{esc(record.id, 200)} · {counts}</span></summary>'
            f'<div class="body">{"".join(body)}</div></details></section>')
