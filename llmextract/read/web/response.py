"""What a fetch gives and how it is read: `PageResponse`, content types (`media_type`,
`charset_of`, `refusal`), the host a limit applies to (`host_key`), one exchange with a
server, robots.txt rules, and the error line for an HTTP status (used by `fetch`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

__all__ = ["PageResponse", "charset_of", "host_key", "media_type", "refusal"]

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
ROBOTS_MAX_BYTES = 512_000
_KINDS = {"application/pdf": "a PDF document", "image/": "an image", "video/": "a video",
          "audio/": "audio", "application/zip": "a zip archive",
          "application/octet-stream": "binary data", "application/json": "JSON data"}


def host_key(url: str) -> str:
    """The host a per-host limit applies to: host:port (the default port filled in)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset_of(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def refusal(content_type: str | None) -> str | None:
    """Why a response of this content type cannot be an article (None: it may be)."""
    media = media_type(content_type)
    if not media or media in HTML_TYPES or media in TEXT_TYPES:
        return None
    what = next((v for k, v in _KINDS.items() if media.startswith(k)), None)
    return (f"not an article: the server sent {media}" + (f" ({what})" if what else "")
            + ", not an HTML page")


@dataclass
class PageResponse:
    """What fetching one URL gave: a body, or an error (never an exception)."""

    url: str
    final_url: str | None = None
    status: int | None = None
    source: str = "network"  # network | not_modified | page_store
    content_type: str | None = None
    body: bytes | None = None
    error: str | None = None
    error_type: str = "FetchError"
    requests: int = 0
    redirects: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        """The record's `fetch` object."""
        return {"status": self.status, "source": self.source,
                "content_type": media_type(self.content_type) or None,
                "bytes": len(self.body) if self.body is not None else None,
                "requests": self.requests}


@dataclass
class Exchange:
    status: int | None
    headers: dict[str, str]
    body: bytes | None = None
    error: str | None = None
    error_type: str = "FetchError"
    attempts: int = 1


class RetryHeaders(Exception):
    """Stands in for an HTTP error with `.response.headers` (retry.retry_after_seconds)."""

    def __init__(self, headers: Any) -> None:
        super().__init__("retry")
        self.response = self
        self.headers = headers


@dataclass
class Robots:
    parser: RobotFileParser | None  # None: no rules (everything allowed)
    blocked: str | None = None  # every path refused, and why (robots.txt unreachable)


def status_error(status: int | None, retries: int) -> str:
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status or 0).phrase
    except ValueError:
        phrase = ""
    text = f"HTTP {status} {phrase}".rstrip()
    if status in (401, 403):
        return text + " (a login wall, or the site refuses crawlers)"
    if status in RETRY_STATUSES:
        return text + f" after {retries + 1} attempts"
    return text
