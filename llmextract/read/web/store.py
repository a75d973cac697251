"""The page store: fetched bodies and extracted texts, content-addressed, beside the cache.

Layout under `CACHE_DIR/pages/`:

- `body/ab/abcdef...`: a response body, named by the hex sha256 of its bytes;
- `text/ab/abcdef....txt`: an article text as read from a page, named by the hex sha256 of
  its UTF-8 bytes, the record's `text_sha256` (so `llmextract report` can show it);
- `index.sqlite3`: url -> final URL, status, content type, ETag, Last-Modified, body sha256.

A rerun sends the stored ETag/Last-Modified (`If-None-Match`/`If-Modified-Since`); a 304
serves the stored body. With `--offline` stored pages are served with no request at all.
Files are written to a temporary name and renamed, so a crash never leaves half a file; a
body whose bytes no longer have their name's sha256 is treated as missing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PageStore", "StoredPage", "text_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    final_url TEXT,
    status INTEGER,
    content_type TEXT,
    etag TEXT,
    last_modified TEXT,
    sha TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    fetched REAL NOT NULL
)
"""


@dataclass(frozen=True)
class StoredPage:
    url: str
    final_url: str | None
    status: int | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    sha: str


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def text_path(folder: Path, fingerprint: str) -> Path | None:
    """Where the page store keeps the text with this `text_sha256` ("sha256:<hex>")."""
    hexdigest = fingerprint.removeprefix("sha256:")
    if len(hexdigest) != 64 or any(c not in "0123456789abcdef" for c in hexdigest):
        return None
    return folder / "text" / hexdigest[:2] / f"{hexdigest}.txt"


class PageStore:
    """One folder (`CACHE_DIR/pages`). Used from the event loop's thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / "index.sqlite3", timeout=30.0,
                                   isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)

    def _body_path(self, sha: str) -> Path:
        return self.folder / "body" / sha[:2] / sha

    def lookup(self, url: str) -> StoredPage | None:
        row = self._db.execute(
            "SELECT url, final_url, status, content_type, etag, last_modified, sha "
            "FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None or not self._body_path(row[6]).is_file():
            return None
        return StoredPage(*row)

    def body(self, page: StoredPage) -> bytes | None:
        """The stored body, or None when it is gone or no longer has its sha256."""
        try:
            data = self._body_path(page.sha).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == page.sha else None

    def put(self, url: str, body: bytes, *, final_url: str | None, status: int | None,
            content_type: str | None, etag: str | None, last_modified: str | None) -> str:
        """Store a body fetched from `url`; returns its sha256 (hex)."""
        sha = hashlib.sha256(body).hexdigest()
        path = self._body_path(sha)
        if not path.is_file():
            _atomic_write(path, body)
        self._db.execute(
            "INSERT OR REPLACE INTO pages (url, final_url, status, content_type, etag, "
            "last_modified, sha, bytes, fetched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, final_url, status, content_type, etag, last_modified, sha, len(body),
             time.time()))
        return sha

    def put_text(self, fingerprint: str, text: str) -> None:
        """Keep an article text under its `text_sha256`, for `llmextract report`."""
        path = text_path(self.folder, fingerprint)
        if path is not None and not path.is_file():
            _atomic_write(path, text.encode("utf-8", "surrogatepass"))

    def close(self) -> None:
        self._db.close()
