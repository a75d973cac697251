"""The result cache: finished records in SQLite (standard library), keyed by everything that
decides them.

Key = sha256 over the article text, model, base URL, mode, prompt id and hash, schema hash and
the llmextract version (so a new release re-grounds). Only records the model produced with
status "ok" are stored: a fallback after an outage is retried on the next run. The database
runs in WAL mode with a busy timeout, so many concurrent tasks of one process (all on the
event loop's thread) and several processes can share one folder. No key or header is stored.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from llmextract.errors import UsageError
from llmextract.schemas.record import Result, Usage

if TYPE_CHECKING:
    import sqlite3

__all__ = ["ResultCache", "as_cached", "cache_key", "key_parts"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def cache_key(text: str, *parts: str) -> str:
    h = hashlib.sha256()
    for part in (*parts, text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


class ResultCache:
    """One SQLite file, `results.sqlite3`, in `folder`."""

    def __init__(self, folder: Path) -> None:
        import sqlite3  # a run without a model has no cache: it never loads SQLite

        self.path = folder / "results.sqlite3"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(f"cannot use the cache folder {folder}: {exc} "
                             "(choose another with --cache-dir, or --no-cache)") from None

    def _open(self, attempts: int = 60) -> sqlite3.Connection:
        """Connect and set up, waiting out another process doing the same: switching to WAL
        takes a lock that SQLite reports as "locked" at once instead of waiting for it."""
        import sqlite3

        for attempt in range(attempts):
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                 check_same_thread=False)
            try:
                db.execute("PRAGMA busy_timeout=30000")
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(_SCHEMA)
                return db
            except sqlite3.OperationalError as exc:
                db.close()
                if not _busy(exc):
                    raise
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 + 0.05 * (attempt % 4))
        raise AssertionError("unreachable")

    def get(self, key: str) -> Result | None:
        row = self._db.execute("SELECT record FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return Result.model_validate_json(row[0])
        except ValueError:  # written by an incompatible version: ignore, it will be replaced
            return None

    def put(self, key: str, result: Result) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO results (key, record, created) VALUES (?, ?, ?)",
            (key, result.model_dump_json(), time.time()))

    def close(self) -> None:
        self._db.close()


def as_cached(stored: Result, *, id: str, input: str | None, warnings: list[str],
              text_sha256: str | None = None) -> Result:
    """A stored record served again: this input's id and text fingerprint, no request made
    now."""
    return stored.model_copy(update={
        "id": id, "input": input, "text_sha256": text_sha256, "warnings": warnings,
        "cached": True, "usage": Usage()})


def key_parts(**parts: object) -> tuple[str, ...]:
    return (json.dumps(parts, sort_keys=True, default=str),)


def _busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (extended codes included); Python 3.10 has no error
    codes on the exception, only its message says it."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return "locked" in str(exc) or "busy" in str(exc)
    return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
