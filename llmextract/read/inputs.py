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

import json
import os
import stat
import sys
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Any

from llmextract.errors import UsageError
from llmextract.read.article import (
    ARTICLE_SUFFIXES,
    HTML_MIN_BYTES,
    HTML_SUFFIXES,
    STDIN,
    Article,
    decode,
    html_article,
    text_article,
    text_id,
    text_sha256,
)

__all__ = ["Article", "check_paths", "html_article", "iter_articles", "jsonl_article",
           "read_text_article", "text_article", "text_id", "text_sha256"]


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
    text, error, warnings = decode(data, max_chars)
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


def jsonl_article(line: str, number: int, source: str, max_chars: int,
                  web: Any = None) -> Article:
    """The Article of line `number` (1-based) of the JSONL file `source`."""
    where = f"{source}:{number}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Article(f"line{number}", where, error=f"not valid JSON: {exc.msg}")
    if isinstance(obj, dict) and "url" in obj and "text" not in obj and "html" not in obj:
        from llmextract.read.web.sources import jsonl_page  # a page to fetch

        return jsonl_page(obj, where, _web(web))
    if isinstance(obj, dict) and "text" not in obj and isinstance(obj.get("html"), str):
        url = obj.get("url")
        return html_article(str(obj.get("id") or text_id(obj["html"])), where, obj["html"],
                            max_chars, url=url if isinstance(url, str) else None)
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return Article(str(obj.get("id", f"line{number}")) if isinstance(obj, dict)
                       else f"line{number}", where,
                       error='expected an object with a string "text" or "html" (and an "id")')
    return text_article(obj["text"], max_chars, id=obj.get("id"), input=where)


def _iter_jsonl(lines: Iterable[str], source: str, max_chars: int,
                web: Any = None) -> Iterator[Article]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield jsonl_article(line, number, source, max_chars, web)


def _iter_jsonl_file(path: Path, max_chars: int, web: Any = None) -> Iterator[Article]:
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            yield from _iter_jsonl(fh, str(path), max_chars, web)
    except OSError as exc:
        yield Article(path.stem, str(path), error=f"cannot read the file: {exc.strerror or exc}")


def _read_stdin(max_chars: int) -> Iterator[Article]:
    data = sys.stdin.buffer.read()
    head = data.lstrip()[:1]
    if head == b"{":  # JSONL on standard input
        text = data.decode("utf-8", errors="replace")
        yield from _iter_jsonl(text.splitlines(), "<stdin>", max_chars)
        return
    text, error, warnings = decode(data, max_chars)
    yield Article(text_id(text) if text else "stdin", "<stdin>", text=text, error=error,
                  warnings=warnings)


def check_paths(paths: Iterable[str]) -> None:
    """Fail before any work when a named path does not exist (CLI exit status 2)."""
    for raw in paths:
        if raw != STDIN and not os.path.lexists(raw) and not _is_url(raw):
            raise UsageError(f"no such file or folder: {raw}")


def _is_url(raw: str) -> bool:
    return raw.startswith(("http://", "https://"))


_DEFAULT_WEB: list[Any] = []


def _web(web: Any) -> Any:
    """The web session for pages met without one (the Python API): a default one."""
    if web is not None:
        return web
    if not _DEFAULT_WEB:
        from llmextract.config import Settings
        from llmextract.read.web.fetch import WebSession

        _DEFAULT_WEB.append(WebSession(Settings.resolve()))
    return _DEFAULT_WEB[0]


def iter_articles(paths: Iterable[str | Path], max_chars: int,
                  skip: Container[str] = frozenset(), web: Any = None) -> Iterator[Article]:
    """Every article named by `paths`, lazily, in order. Ids in `skip` (already done, for
    --resume) are left out; files are skipped by name, without being read. URLs, files of
    URLs and (with `web`, a `llmextract.read.web.fetch.WebSession`) its feeds and sitemaps give
    pending pages, fetched by the pipeline."""
    for raw in paths:
        text = str(raw)
        if text == STDIN:
            yield from (a for a in _read_stdin(max_chars) if a.id not in skip)
            continue
        if _is_url(text) and not os.path.lexists(text):
            from llmextract.read.web.sources import url_articles

            yield from url_articles(text, _web(web), skip, text, None)
            continue
        path = Path(text)
        if path.is_dir():
            yield from (read_text_article(p, max_chars) for p in _iter_folder(path)
                        if p.stem not in skip)
        elif path.suffix.lower() == ".jsonl":
            yield from (a for a in _iter_jsonl_file(path, max_chars, web) if a.id not in skip)
        elif path.suffix.lower() in (".urls", ".csv", ".txt") and _url_list(path):
            from llmextract.read.web.sources import iter_url_file

            yield from iter_url_file(path, _web(web), skip)
        elif path.stem not in skip:
            yield read_text_article(path, max_chars)
    if web is not None and (web.opts.feeds or web.opts.sitemaps):
        from llmextract.read.web.sources import iter_sources

        yield from iter_sources(web, skip)


def may_name_web_pages(raw: str) -> bool:
    """Whether the input `raw` can give web pages in `iter_articles` (standard input, a URL,
    a JSONL file, a file of URLs): a folder or an article file cannot."""
    if raw == STDIN or _is_url(raw):
        return True
    path = Path(raw)
    if path.is_dir():
        return False
    suffix = path.suffix.lower()
    return suffix == ".jsonl" or (suffix in (".urls", ".csv", ".txt") and path.is_file()
                                  and _url_list(path))


def _url_list(path: Path) -> bool:
    from llmextract.read.web.urls import looks_like_url_list

    return looks_like_url_list(path)
