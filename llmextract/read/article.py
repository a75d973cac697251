"""One article as read: the `Article` record every reader yields, its id and fingerprint,
and the checks every text passes (empty, too long), for files, JSONL lines, texts given
from Python, HTML pages and web pages alike (llmextract.read.inputs, llmextract.read.web).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from llmextract.errors import InputError

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
HTML_MIN_BYTES = 10_000_000  # pages carry scripts and markup: the byte limit is looser
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
STDIN = "-"

__all__ = ["ARTICLE_SUFFIXES", "HTML_MIN_BYTES", "HTML_SUFFIXES", "STDIN", "TEXT_SUFFIXES",
           "Article", "check_text", "decode", "html_article", "text_article", "text_id",
           "text_sha256"]


@dataclass(frozen=True)
class Article:
    id: str
    input: str | None
    text: str | None = None
    error: str | None = None
    error_type: str = "InputError"
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # From an HTML page: title, authors ("; "-separated), published (YYYY-MM-DD), publisher
    # (the site name) and url. The pipeline uses them where the text itself is silent.
    meta: dict[str, str] | None = field(default=None, hash=False)
    # A web page (llmextract.read.web.sources.PageRef): pending (to fetch, no text and no error
    # yet) until the pipeline fetches it; then the record's url, final_url and fetch.
    web: Any = field(default=None, hash=False, compare=False)

    @cached_property
    def text_sha256(self) -> str | None:
        """The fingerprint of the text as read (None when there is no text); computed once."""
        return text_sha256(self.text) if self.text is not None else None


def text_sha256(text: str) -> str:
    """A record's `text_sha256`: "sha256:" and the hex sha256 of the text's UTF-8 bytes (the
    text as read: decoded, a BOM dropped, an HTML page's extracted text)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def text_id(text: str) -> str:
    """A stable id for a text given without a name."""
    return "text_" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def decode(data: bytes, max_chars: int) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(text, error, warnings) for raw bytes."""
    if b"\x00" in data[:8192]:
        return None, "binary file (contains NUL bytes), not an article", ()
    warnings: tuple[str, ...] = ()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        warnings = (f"not valid UTF-8 (first bad byte at offset {exc.start}): "
                    "decoded with U+FFFD replacement characters",)
    return check_text(text, max_chars, warnings)


def check_text(text: str, max_chars: int,
                warnings: tuple[str, ...] = ()) -> tuple[str | None, str | None, tuple[str, ...]]:
    if not text.strip():
        return None, "empty article (no text)", warnings
    if len(text) > max_chars:
        return None, (f"article is {len(text):,} characters, over the limit of {max_chars:,}; "
                      "raise it with --max-chars"), warnings
    return text, None, warnings


def html_article(art_id: str, shown: str | None, data: bytes | str, max_chars: int,
                 url: str | None = None, warnings: tuple[str, ...] = ()) -> Article:
    """An HTML page as an Article: its main text, with the page's metadata in `meta`."""
    if isinstance(data, bytes) and b"\x00" in data[:8192]:
        return Article(art_id, shown, error="binary file (contains NUL bytes), not an article")
    from llmextract.read.html import read_html  # trafilatura only loads for HTML inputs

    try:
        doc = read_html(data, url=url)
    except InputError as exc:
        return Article(art_id, shown, error=str(exc), warnings=warnings)
    text, error, warns = check_text(doc.text, max_chars, (*warnings, *doc.warnings))
    return Article(art_id, shown, text=text, error=error, warnings=warns,
                   meta=doc.meta() or None)


def text_article(text: str, max_chars: int, *, id: object = None,
                 input: str | None = None) -> Article:
    """An Article for a text given directly (a JSONL line, a Python string); the id is a
    hash of the text unless one is given."""
    checked, error, warnings = check_text(text, max_chars)
    return Article(str(id or text_id(text)), input, text=checked, error=error,
                   warnings=warnings)
