"""Is it a URL, is it a file of URLs: the tests every input goes through, kept apart from
the fetcher so that a run over files never imports it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["URL_LIST_SUFFIXES", "is_url", "looks_like_url_list"]

URL_LIST_SUFFIXES = {".urls", ".csv"}
_SNIFF_BYTES = 65_536


def is_url(raw: object) -> bool:
    """An http(s) URL given where a path may be."""
    if not isinstance(raw, str) or not raw.startswith(("http://", "https://")):
        return False
    return not any(c.isspace() for c in raw) and bool(urlsplit(raw).hostname)


def looks_like_url_list(path: Path) -> bool:
    """`.urls` and `.csv` files are URL lists; a `.txt` file is one when every non-blank,
    non-comment line of its start is a single URL."""
    suffix = path.suffix.lower()
    if suffix in URL_LIST_SUFFIXES:
        return True
    if suffix != ".txt":
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError:
        return False
    lines = [ln.strip() for ln in head.decode("utf-8", "replace").splitlines()]
    if len(head) == _SNIFF_BYTES and lines:
        lines.pop()  # maybe cut short
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    return bool(lines) and all(is_url(ln) for ln in lines)
