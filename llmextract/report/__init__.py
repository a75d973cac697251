"""`llmextract report`: one self-contained HTML page to read a run's results.

    from llmextract.report import build_report, write_report
    html = build_report(records)                       # dicts or Result objects
    stats = write_report(Path("out.jsonl"), Path("report.html"), base_dir=Path("."))

The page loads nothing from the network (inline CSS and script, allowed by hash in its
Content-Security-Policy); every piece of record or article text is HTML-escaped.
"""

from __future__ import annotations

from llmextract.report.page import ReportStats, TextFor, build_report, read_results, write_report
from llmextract.report.source import TextFinder

__all__ = ["ReportStats", "TextFinder", "TextFor", "build_report", "read_results",
           "write_report"]
