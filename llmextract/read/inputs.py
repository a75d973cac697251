"""Reading articles: files, folders (recursively), JSONL files of {"id", "text"} lines (or
{"id", "html", "url"}), standard input, and texts given from Python. HTML pages (`.html`,
`.htm`) are read to their main text and metadata (`llmextract.read.html`, the `html` extra).
Enumeration is lazy: a folder of 100,000 files or a huge JSONL file is never held in memory
at once.

An unusable input never raises out of the iterator: it becomes an `Article` with `error`
set, which the pipeline turns into a record with status "error". Only a path that does not
exist is a usage error (raised by `check_paths`, before any work starts).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from llmextract.errors import InputError, UsageError

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
HTML_MIN_BYTES = 10_000_000  # pages carry scripts and markup: the byte limit is looser
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
STDIN = "-"

__all__ = ["Article", "check_paths", "html_article", "iter_articles", "jsonl_article",
           "read_text_article", "text_article", "text_id", "text_sha256"]


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


def _decode(data: bytes, max_chars: int) -> tuple[str | None, str | None, tuple[str, ...]]:
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
    return _check_text(text, max_chars, warnings)


def _check_text(text: str, max_chars: int,
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
    text, error, warns = _check_text(doc.text, max_chars, (*warnings, *doc.warnings))
    return Article(art_id, shown, text=text, error=error, warnings=warns,
                   meta=doc.meta() or None)


def text_article(text: str, max_chars: int, *, id: object = None,
                 input: str | None = None) -> Article:
    """An Article for a text given directly (a JSONL line, a Python string); the id is a
    hash of the text unless one is given."""
    checked, error, warnings = _check_text(text, max_chars)
    return Article(str(id or text_id(text)), input, text=checked, error=error,
                   warnings=warnings)


def read_text_article(path: Path, max_chars: int, display: str | None = None) -> Article:
    """Read one file into an Article (never raises for I/O or decoding problems)."""
    shown = display or str(path)
    art_id = path.stem
    is_html = path.suffix.lower() in HTML_SUFFIXES
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            return Article(art_id, shown, error="not a regular file (a pipe, socket or device)")
        size = info.st_size
        limit = max(max_chars * 4 + 4, HTML_MIN_BYTES) if is_html else max_chars * 4 + 4
        if size > limit:
            return Article(art_id, shown, error=(
                f"file is {size:,} bytes, over the limit of {limit:,} bytes for "
                f"{max_chars:,} characters; raise it with --max-chars"))
        data = path.read_bytes()
    except FileNotFoundError:
        return Article(art_id, shown, error="file not found (a broken symbolic link?)")
    except PermissionError:
        return Article(art_id, shown, error="permission denied: the file cannot be read")
    except IsADirectoryError:
        return Article(art_id, shown, error="is a directory")
    except OSError as exc:
        return Article(art_id, shown, error=f"cannot read the file: {exc.strerror or exc}")
    if is_html:
        return html_article(art_id, shown, data, max_chars)
    text, error, warnings = _decode(data, max_chars)
    return Article(art_id, shown, text=text, error=error, warnings=warnings)


def _iter_folder(folder: Path) -> Iterator[Path]:
    """Article files under `folder`, depth first, in name order, hidden entries skipped."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in ARTICLE_SUFFIXES:
                yield Path(root) / name


def jsonl_article(line: str, number: int, source: str, max_chars: int) -> Article:
    """The Article of line `number` (1-based) of the JSONL file `source`."""
    where = f"{source}:{number}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Article(f"line{number}", where, error=f"not valid JSON: {exc.msg}")
    if isinstance(obj, dict) and "text" not in obj and isinstance(obj.get("html"), str):
        url = obj.get("url")
        return html_article(str(obj.get("id") or text_id(obj["html"])), where, obj["html"],
                            max_chars, url=url if isinstance(url, str) else None)
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return Article(str(obj.get("id", f"line{number}")) if isinstance(obj, dict)
                       else f"line{number}", where,
                       error='expected an object with a string "text" or "html" (and an "id")')
    return text_article(obj["text"], max_chars, id=obj.get("id"), input=where)


def _iter_jsonl(lines: Iterable[str], source: str, max_chars: int) -> Iterator[Article]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield jsonl_article(line, number, source, max_chars)


def _iter_jsonl_file(path: Path, max_chars: int) -> Iterator[Article]:
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            yield from _iter_jsonl(fh, str(path), max_chars)
    except OSError as exc:
        yield Article(path.stem, str(path), error=f"cannot read the file: {exc.strerror or exc}")


def _read_stdin(max_chars: int) -> Iterator[Article]:
    data = sys.stdin.buffer.read()
    head = data.lstrip()[:1]
    if head == b"{":  # JSONL on standard input
        text = data.decode("utf-8", errors="replace")
        yield from _iter_jsonl(text.splitlines(), "<stdin>", max_chars)
        return
    text, error, warnings = _decode(data, max_chars)
    yield Article(text_id(text) if text else "stdin", "<stdin>", text=text, error=error,
                  warnings=warnings)


def check_paths(paths: Iterable[str]) -> None:
    """Fail before any work when a named path does not exist (CLI exit status 2)."""
    for raw in paths:
        if raw != STDIN and not os.path.lexists(raw):
            raise UsageError(f"no such file or folder: {raw}")


def iter_articles(paths: Iterable[str | Path], max_chars: int,
                  skip: Container[str] = frozenset()) -> Iterator[Article]:
    """Every article named by `paths`, lazily, in order. Ids in `skip` (already done, for
    --resume) are left out; files are skipped by name, without being read."""
    for raw in paths:
        text = str(raw)
        if text == STDIN:
            yield from (a for a in _read_stdin(max_chars) if a.id not in skip)
            continue
        path = Path(text)
        if path.is_dir():
            yield from (read_text_article(p, max_chars) for p in _iter_folder(path)
                        if p.stem not in skip)
        elif path.suffix.lower() == ".jsonl":
            yield from (a for a in _iter_jsonl_file(path, max_chars) if a.id not in skip)
        elif path.stem not in skip:
            yield read_text_article(path, max_chars)
