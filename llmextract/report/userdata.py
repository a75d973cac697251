"""A user-schema record's part of an article section: the grounded data, its evidence
table, and marks for the evidence spans (see llmextract.check.fields)."""

from __future__ import annotations

import json
from html import escape

from llmextract.report.data import row_attrs, text_of, valid_span
from llmextract.report.highlight import Mark
from llmextract.schemas.record import Result

_CODES = {"verbatim": "q", "stated": "f", "name": "e", "supported": "p"}

__all__ = ["evidence_marks", "user_data_html"]


def evidence_marks(prefix: str, record: Result, text: str | None) -> dict[str, Mark]:
    """Element id -> Mark for every evidence item whose span is valid in `text`."""
    marks: dict[str, Mark] = {}
    if text is None:
        return marks
    for i, ev in enumerate(record.evidence):
        span = valid_span(ev.span, len(text))
        if span is None:
            continue
        target = f"{prefix}-v{i}"
        marks[target] = Mark(span[0], span[1], _CODES.get(ev.kind, "q"), target,
                             f"{text_of(ev.path, 120)}: {text_of(ev.text, 120)}")
    return marks


def user_data_html(prefix: str, record: Result, marks: dict[str, Mark]) -> str:
    """The schema name, the grounded data as JSON, and the evidence table."""
    data = json.dumps(record.data, indent=2, ensure_ascii=False, default=str)
    rows = []
    for i, ev in enumerate(record.evidence):
        target = f"{prefix}-v{i}"
        rows.append(f"<tr{row_attrs(target, marks)}>"
                    f"<td>{escape(text_of(ev.path, 200), quote=True)}</td>"
                    f"<td>{escape(text_of(ev.kind, 20), quote=True)}</td>"
                    f"<td>{escape(text_of(ev.text, 1000), quote=True)}</td></tr>")
    table = ('<table class="items t-q"><caption>Evidence (' + str(len(rows)) +
             ")</caption><thead><tr><th>field</th><th>kind</th><th>article words</th></tr>"
             f'</thead><tbody>{"".join(rows)}</tbody></table>') if rows else (
        '<p class="none">No evidence fields.</p>')
    name = escape(text_of(record.schema_name, 200), quote=True)
    return (f'<p class="summary">Schema <strong>{name}</strong></p>'
            f'<pre class="data">{escape(data[:20000], quote=True)}</pre>{table}')
