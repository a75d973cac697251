"""Reading articles: files, folders (recursively), JSONL files of {"id", "text"} lines,
standard input, and texts given from Python. Enumeration is lazy: a folder of 100,000 files
or a huge JSONL file is never held in memory at once.

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
from pathlib import Path

from llmextract.errors import UsageError

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
STDIN = "-"

__all__ = ["Article", "check_paths", "iter_articles", "read_text_article", "text_id"]


@dataclass(frozen=True)
class Article:
    id: str
    input: str | None
    text: str | None = None
    error: str | None = None
    error_type: str = "InputError"
    warnings: tuple[str, ...] = field(default_factory=tuple)


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


def read_text_article(path: Path, max_chars: int, display: str | None = None) -> Article:
    """Read one file into an Article (never raises for I/O or decoding problems)."""
    shown = display or str(path)
    art_id = path.stem
    if path.suffix.lower() in HTML_SUFFIXES:
        return Article(art_id, shown, error="HTML input is not supported yet: convert the page "
                       "to text first")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            return Article(art_id, shown, error="not a regular file (a pipe, socket or device)")
        size = info.st_size
        if size > max_chars * 4 + 4:
            return Article(art_id, shown, error=(
                f"file is {size:,} bytes, over the limit of {max_chars:,} characters; raise it "
                "with --max-chars"))
        data = path.read_bytes()
    except FileNotFoundError:
        return Article(art_id, shown, error="file not found (a broken symbolic link?)")
    except PermissionError:
        return Article(art_id, shown, error="permission denied: the file cannot be read")
    except IsADirectoryError:
        return Article(art_id, shown, error="is a directory")
    except OSError as exc:
        return Article(art_id, shown, error=f"cannot read the file: {exc.strerror or exc}")
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


def _iter_jsonl(lines: Iterable[str], source: str, max_chars: int) -> Iterator[Article]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Article(f"line{number}", where, error=f"not valid JSON: {exc.msg}")
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            yield Article(str(obj.get("id", f"line{number}")) if isinstance(obj, dict)
                          else f"line{number}", where,
                          error='expected an object with a string "text" (and an "id")')
            continue
        text = obj["text"]
        art_id = str(obj.get("id") or text_id(text))
        checked, error, warnings = _check_text(text, max_chars)
        yield Article(art_id, where, text=checked, error=error, warnings=warnings)


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
