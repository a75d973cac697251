"""Finding the article text a record's spans point into.

In order: the record's own `"text"` (written by `summarize --include-text`), else the file named
by its `input` read exactly as `llmextract summarize` reads it (bytes decoded as UTF-8, a BOM
dropped, no newline translation), so that the spans land on the same characters. A
`FILE.jsonl:LINE` input is that line's `"text"`. Only text inputs are read (an HTML page's spans
point into the extracted text, not into the page), and nothing ever raises: a text that
cannot be found comes back as None with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from llmextract.inputs import TEXT_SUFFIXES
from llmextract.report.data import Record

MAX_BYTES = 32 * 1024 * 1024
_JSONL_LINE = re.compile(r"^(?P<path>.+\.jsonl):(?P<line>\d+)$", re.I | re.S)

__all__ = ["TextFinder"]


class TextFinder:
    """Finds article texts relative to `base_dir` (default: the current directory).

    Call it with a record for the text or None; `find` also says why a text is missing.
    JSONL input files are read once and kept while the finder lives.
    """

    def __init__(self, base_dir: Path | None = None) -> None:
        self.base_dir = base_dir if base_dir is not None else Path.cwd()
        self._jsonl: dict[Path, list[str] | str] = {}

    def __call__(self, record: Record) -> str | None:
        return self.find(record)[0]

    def find(self, record: Record) -> tuple[str | None, str]:
        """(text, "") or (None, why the text is not available)."""
        if "text" in record:
            own = record["text"]
            if isinstance(own, str):
                return own, ""
            if own is not None:
                return None, "the record's \"text\" is not a string"
        source = record.get("input")
        if not isinstance(source, str) or not source:
            return None, "the record names no input file"
        if source.startswith("<"):
            return None, (f"the article came from {source}; run summarize with --include-text "
                          "to keep its text")
        match = _JSONL_LINE.match(source)
        if match:
            return self._jsonl_text(self._resolve(match["path"]), int(match["line"]), source)
        return self._file_text(self._resolve(source), source)

    def _resolve(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else self.base_dir / path

    @staticmethod
    def _read(path: Path, shown: str) -> tuple[bytes | None, str]:
        try:
            if not path.is_file():
                return None, f"the input file {shown} is not found"
            if path.stat().st_size > MAX_BYTES:
                return None, f"the input file {shown} is too large to show"
            return path.read_bytes(), ""
        except OSError as exc:
            return None, f"the input file {shown} cannot be read ({exc.strerror or exc})"

    def _file_text(self, path: Path, shown: str) -> tuple[str | None, str]:
        if path.suffix.lower() not in TEXT_SUFFIXES:
            return None, (f"the input {shown} is not a plain-text file; run summarize with "
                          "--include-text to keep the text its spans point into")
        data, why = self._read(path, shown)
        if data is None:
            return None, why
        try:
            return data.decode("utf-8-sig"), ""
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace"), ""

    def _jsonl_text(self, path: Path, number: int, shown: str) -> tuple[str | None, str]:
        lines = self._jsonl.get(path)
        if lines is None:
            data, why = self._read(path, shown.rsplit(":", 1)[0])
            if data is None:
                lines = why
            else:  # as `summarize` reads it: text mode, universal newlines
                text = data.decode("utf-8", errors="replace")
                lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            self._jsonl[path] = lines
        if isinstance(lines, str):
            return None, lines
        if not 1 <= number <= len(lines):
            return None, f"{shown}: the file has no such line"
        try:
            obj = json.loads(lines[number - 1])
        except ValueError:
            return None, f"{shown} is not valid JSON"
        found = obj.get("text") if isinstance(obj, dict) else None
        if not isinstance(found, str):
            return None, f"{shown} holds no \"text\""
        return found, ""
