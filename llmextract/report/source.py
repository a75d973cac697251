"""Finding the article text a record's spans point into, without trusting the record.

A results file is data from outside: its `input` may name any file on this machine. So a
file is only ever shown when it is provably the article the record was made from:

- the record's own `"text"` (written by `summarize --include-text`) is shown; when it does
  not match the record's `text_sha256` it is shown with a warning (no file is read);
- else the file its `input` names (a `FILE.jsonl:LINE` input: that line's article) is read
  exactly as `llmextract summarize` reads it (same decoding, same HTML extraction, regular
  files only, a size limit), and shown only when its text has the record's `text_sha256`.
  A missing or changed file gives "file missing or changed" and nothing of it reaches the
  page;
- a web page's record (its `input` an http(s) URL) gets its text from the page store
  (`CACHE_DIR/pages/text/`, see llmextract.read.web.store), content-addressed by `text_sha256`
  and checked against it;
- a record without `text_sha256` (written by an older llmextract: the field is not among the
  record's `model_fields_set`, which llmextract.schemas.reader leaves as the line had it) is
  shown without text, unless an `articles` folder is given and the input's real path
  (symbolic links and `..` resolved) lies inside it. A record that has the field, null, was
  written by a version that fingerprints texts and could not read its input.

Nothing here ever raises: a text that cannot be shown comes back as None with the reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llmextract.read.article import ARTICLE_SUFFIXES, Article, text_sha256
from llmextract.read.inputs import jsonl_article, read_text_article
from llmextract.schemas.reader import RecordError, record_from_dict
from llmextract.schemas.record import Result

MAX_BYTES = 32 * 1024 * 1024
_MAX_CHARS = MAX_BYTES // 4  # read_text_article's byte limit is 4 bytes a character
_JSONL_LINE = re.compile(r"^(?P<path>.+\.jsonl):(?P<line>\d+)$", re.I | re.S)
_FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{64}$")
MISSING_OR_CHANGED = "file missing or changed"
NO_FINGERPRINT = ("the record has no text_sha256 (written by an older llmextract): its input "
                  "file is not read unless it lies inside the folder given with --articles DIR")
OUTSIDE = "the input file does not lie inside the --articles folder"

__all__ = ["MISSING_OR_CHANGED", "TextFinder"]


class TextFinder:
    """Finds article texts; relative inputs start from `base_dir` (default: the current
    directory). `articles`: the folder inside which the inputs of records without
    `text_sha256` may be read (none by default).

    Call it with a record for the text or None; `find` also says why a text is missing.
    JSONL input files are read once and kept while the finder lives.
    """

    def __init__(self, base_dir: Path | None = None, articles: Path | None = None,
                 pages: Path | None = None) -> None:
        self.base_dir = base_dir if base_dir is not None else Path.cwd()
        self.pages = pages  # the page store folder (default: CACHE_DIR/pages)
        self.articles = Path(os.path.realpath(articles)) if articles is not None else None
        self._jsonl: dict[Path, list[str] | None] = {}

    def __call__(self, record: Result | Mapping[str, Any]) -> str | None:
        return self.find(record)[0]

    def find(self, record: Result | Mapping[str, Any]) -> tuple[str | None, str]:
        """(text, "") or (text, a warning) or (None, why the text is not available).

        `record`: a `Result`, or a dict read as llmextract.schemas.reader reads a line."""
        if not isinstance(record, Result):
            try:
                record = record_from_dict(record)
            except RecordError as exc:
                return None, f"not a result record: {exc}"
        fingerprint = record.text_sha256
        if fingerprint is not None and not _FINGERPRINT.match(fingerprint):
            fingerprint = ""  # present but unusable: matches no text
        if record.text is not None:
            if fingerprint is not None and text_sha256(record.text) != fingerprint:
                return record.text, ("this text, kept in the record, does not match the "
                                     "record's text_sha256: the record was edited, its "
                                     "highlights may be misplaced")
            return record.text, ""
        source = record.input
        if not source:
            return None, "the record names no input file"
        if source.startswith(("http://", "https://")):
            return self._page_text(fingerprint)
        if source.startswith("<"):
            return None, (f"the article came from {source}; run summarize with --include-text "
                          "to keep its text")
        if fingerprint == "":
            return None, "the record's text_sha256 is not a sha256 fingerprint"
        written_now = "text_sha256" in record.model_fields_set
        if fingerprint is None and written_now:  # it fingerprints texts: nothing was read
            return None, "summarize could not read this input"
        match = _JSONL_LINE.match(source)
        path = self._allowed(match["path"] if match else source, fingerprint is None)
        if isinstance(path, str):
            return None, path
        article = (self._jsonl_article(path, int(match["line"]), match["path"]) if match
                   else read_text_article(path, _MAX_CHARS))
        text = article.text
        if text is None or (fingerprint is not None and article.text_sha256 != fingerprint):
            return None, MISSING_OR_CHANGED
        return text, ""

    def _page_text(self, fingerprint: str | None) -> tuple[str | None, str]:
        """A web page's text from the page store, when it has the record's fingerprint."""
        from llmextract.read.web.store import text_path

        if not fingerprint:
            return None, "summarize could not read this page"
        if self.pages is None:
            from llmextract.config import default_cache_dir

            self.pages = default_cache_dir(os.environ) / "pages"
        path = text_path(self.pages, fingerprint)
        try:
            if path is not None and path.is_file() and path.stat().st_size <= MAX_BYTES:
                text = path.read_bytes().decode("utf-8", "surrogatepass")
                if text_sha256(text) == fingerprint:
                    return text, ""
        except (OSError, UnicodeDecodeError):
            pass
        return None, (f"the page's text is not in the page store {self.pages} (run summarize "
                      "with --include-text, or --cache-dir for the store it used)")

    def _allowed(self, name: str, unfingerprinted: bool) -> Path | str:
        """The path to read for input `name`, or why none may be read."""
        path = Path(name)
        if not path.is_absolute():
            path = self.base_dir / path
        if not unfingerprinted:
            return path  # what is read is shown only when it has the record's fingerprint
        if self.articles is None:
            return NO_FINGERPRINT
        real = Path(os.path.realpath(path))  # symbolic links followed, ".." resolved
        if not real.is_relative_to(self.articles) or (
                real.suffix.lower() not in ARTICLE_SUFFIXES | {".jsonl"}):
            return OUTSIDE
        return real

    def _jsonl_article(self, path: Path, number: int, shown: str) -> Article:
        """Line `number` of a JSONL input, read as `summarize` reads it (text mode, universal
        newlines, invalid UTF-8 replaced)."""
        if path not in self._jsonl:
            lines = None
            try:
                if path.is_file() and path.stat().st_size <= MAX_BYTES:
                    text = path.read_bytes().decode("utf-8", errors="replace")
                    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            except OSError:
                pass
            self._jsonl[path] = lines
        lines = self._jsonl[path]
        if lines is None or not 1 <= number <= len(lines) or not lines[number - 1].strip():
            return Article("", None, error="no such line")
        return jsonl_article(lines[number - 1], number, shown, _MAX_CHARS)
