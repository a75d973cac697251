"""Configuration, resolved once into a frozen `Settings` before any work starts.

The environment is read in exactly one place, `Settings.resolve`. Nothing here builds a client.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from llmextract import __version__
from llmextract.errors import UsageError
from llmextract.text.langs import detect_language

Mode = Literal["auto", "tools", "json_schema", "json", "md_json"]
EngineChoice = Literal["auto", "llm", "rules"]
OnUngrounded = Literal["drop", "reask", "fail"]

MODES: tuple[Mode, ...] = ("auto", "tools", "json_schema", "json", "md_json")
ENGINES: tuple[EngineChoice, ...] = ("auto", "llm", "rules")
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_MAX_CHARS = 400_000
MIN_INPUT_TOKENS = 256  # the smallest --max-input-tokens (see llmextract.call.context)
AUTO_MAX = 64  # `-j auto`: at most this many requests in flight (llmextract.call.pace)
REPLAY_PLACEHOLDER_KEY = "sk-replay-no-key"  # sent nowhere: replayed requests never leave

def default_cache_dir(env: Mapping[str, str]) -> Path:
    """`$LLMEXTRACT_CACHE_DIR`, else `$XDG_CACHE_HOME/llmextract`, else `~/.cache/llmextract`."""
    if env.get("LLMEXTRACT_CACHE_DIR"):
        return Path(env["LLMEXTRACT_CACHE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llmextract"

_LANG_RE = re.compile(r"[a-z]{2}")


__all__ = ["DEFAULT_MODEL", "DEFAULT_USER_AGENT", "ENGINES", "MODES", "EngineChoice", "Mode",
           "Settings", "WebOptions", "is_local_url", "parse_since"]


@lru_cache(maxsize=64)  # asked for every article's model call: parse a URL once
def is_local_url(url: str | None) -> bool:
    """True for a URL whose host is loopback, private or link-local, `localhost`, or a
    `.local`/`.localhost`/`.internal` name (None, the hosted OpenAI API, is not local)."""
    if not url:
        return False
    import ipaddress
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if host in ("localhost", "host.docker.internal") or host.endswith(
            (".local", ".localhost", ".internal")):
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    return addr.is_loopback or addr.is_private or addr.is_link_local


# -- page fetching (llmextract.read.web): decided once, before any request --------------
PROJECT_URL = "https://github.com/llmextract/llmextract"
DEFAULT_USER_AGENT = f"llmextract/{__version__} (+{PROJECT_URL})"
ROBOTS_TOKEN = "llmextract"  # the name robots.txt rules are matched against


@dataclass(frozen=True)
class WebOptions:
    """How pages, feeds and sitemaps are fetched (see docs/web.md)."""

    user_agent: str = DEFAULT_USER_AGENT
    per_host: int = 2  # requests in flight at once per host (host:port)
    host_delay: float = 0.25  # seconds between the starts of two requests to one host
    ignore_robots: bool = False
    offline: bool = False  # serve pages from the page store only, never the network
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_redirects: int = 10
    max_bytes: int = 10_000_000  # a body over this is not read further
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    since: dt.datetime | None = None  # keep only feed/sitemap items at or after this (UTC)
    max_crawl_delay: float = 10.0  # a robots.txt Crawl-delay is honoured up to this

    def __post_init__(self) -> None:
        from llmextract.errors import UsageError

        if self.per_host < 1:
            raise UsageError("--per-host must be at least 1")
        if self.host_delay < 0 or self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise UsageError("--host-delay cannot be negative and timeouts must be positive")
        if self.max_bytes < 1 or self.max_redirects < 0:
            raise UsageError("--max-page-bytes must be positive")


def parse_since(raw: str) -> dt.datetime:
    """`--since`: an ISO date (`2025-03-01`) or date and time; naive times are UTC."""
    from llmextract.errors import UsageError

    try:
        value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--since: not an ISO date: {raw!r} (e.g. 2025-03-01)") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, decided once.

    `api_key` is never shown by `repr()` and never written anywhere.
    """

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    mode: Mode = "auto"  # see docs/modes.md and llmextract.call.modes
    engine: EngineChoice = "auto"
    concurrency: int | Literal["auto"] = "auto"  # -j: auto, or at most N (docs/concurrency.md)
    max_reasks: int = 2
    max_transport_retries: int = 4
    timeout: float = 60.0
    timeout_floor: float = 10.0  # the shortest adaptive timeout (llmextract/call/pace.py)
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    retry_after_cap: float = 60.0
    max_tokens: int | None = None  # None: sized to the schema (call.modes.max_tokens_for)
    # article tokens per request; longer articles are split (None: from the model's context,
    # see llmextract.call.context and docs/long-documents.md)
    max_input_tokens: int | None = None
    # extra requests per article against a local endpoint, whatever the reason (a timeout,
    # a truncated or an invalid answer): see llmextract.call.retry.CallBudget
    local_retries: int = 1
    record: Path | None = None
    replay: Path | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    temperature: float | None = 0.0
    use_cache: bool = True
    cache_dir: Path | None = None
    rpm: float | None = None
    tpm: float | None = None
    include_text: bool = False
    schema: type[BaseModel] | None = None  # a user schema (None: the news ArticleSummary)
    on_ungrounded: OnUngrounded = "drop"
    rules_fn: Callable[[str], Any] | None = field(default=None, repr=False)
    web: WebOptions = field(default_factory=WebOptions)  # pages, feeds, sitemaps
    lang: str | None = None  # --lang: the articles' ISO 639-1 code (None: detected per article)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UsageError(f"unknown mode {self.mode!r}: choose one of {', '.join(MODES)}")
        if self.engine not in ENGINES:
            raise UsageError(f"unknown engine {self.engine!r}: choose one of {', '.join(ENGINES)}")
        if self.concurrency != "auto" and (
                not isinstance(self.concurrency, int) or self.concurrency < 1):
            raise UsageError("concurrency (-j) must be auto or at least 1")
        if self.max_reasks < 0 or self.max_transport_retries < 0 or (
                self.local_retries < 0):
            raise UsageError("retry counts cannot be negative")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise UsageError("--max-tokens must be at least 1")
        if self.max_input_tokens is not None and (
                not isinstance(self.max_input_tokens, int)
                or self.max_input_tokens < MIN_INPUT_TOKENS):
            raise UsageError(f"--max-input-tokens must be at least {MIN_INPUT_TOKENS} (tokens "
                             "of article text per request; longer articles are split)")
        if self.timeout <= 0:
            raise UsageError("timeout must be positive")
        if self.on_ungrounded not in ("drop", "reask", "fail"):
            raise UsageError("--on-ungrounded must be drop, reask or fail")
        if (self.rpm is not None and self.rpm <= 0) or (self.tpm is not None and self.tpm <= 0):
            raise UsageError("--rpm and --tpm must be positive")
        if self.lang is not None and not _LANG_RE.fullmatch(self.lang):
            raise UsageError(f"--lang: {self.lang!r} is not an ISO 639-1 code (two lower-case "
                             f"letters, e.g. en, de, fr, es, it, pt)")
        if self.record is not None and self.replay is not None:
            raise UsageError("--record and --replay cannot be used together")
        if self.engine == "llm" and not self.has_model:
            raise UsageError(
                "--engine llm needs a model: set OPENAI_API_KEY, pass --base-url for an "
                "OpenAI-compatible server, or --replay a cassette"
            )

    def language_of(self, text: str) -> str:
        """The language an article is read in: `lang` when given, else detected."""
        return self.lang or detect_language(text)

    @property
    def max_in_flight(self) -> int:
        """The most articles in flight at once: -j N, or the ceiling of -j auto."""
        if self.concurrency == "auto":
            return AUTO_MAX
        return self.concurrency

    @property
    def has_model(self) -> bool:
        """A model can be reached: a key, an endpoint or a cassette to replay."""
        return bool(self.api_key or self.base_url or self.replay)

    @property
    def use_model(self) -> bool:
        """Whether this run calls the model (with `engine="auto"`, only when one is reachable)."""
        return self.engine != "rules" and self.has_model

    @property
    def custom_schema(self) -> bool:
        """A user schema runs instead of the news ArticleSummary."""
        from llmextract.schemas.news import ArticleSummary

        return self.schema is not None and self.schema is not ArticleSummary

    @property
    def cache_enabled(self) -> bool:
        """The result cache serves and stores model results; never while recording (every
        request must reach the cassette) or replaying (a cassette run stays hermetic)."""
        return self.use_cache and self.use_model and self.record is None and self.replay is None

    @property
    def local_endpoint(self) -> bool:
        """The endpoint is on this machine or a private network (loopback, private or
        link-local address, `localhost`, a `.local`/`.localhost`/`.internal` name)."""
        return is_local_url(self.base_url)

    @property
    def client_key(self) -> str:
        """The key handed to the openai client (a placeholder for keyless local servers)."""
        return self.api_key or REPLAY_PLACEHOLDER_KEY

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **options: object) -> Settings:
        """Build settings from explicit options, then the environment, then defaults.

        Options set to None fall through to the environment: `OPENAI_API_KEY`,
        `OPENAI_BASE_URL`, `LLMEXTRACT_MODEL`, `LLMEXTRACT_CACHE_DIR` (else
        `$XDG_CACHE_HOME/llmextract`, else `~/.cache/llmextract`).
        """
        env = os.environ if env is None else env
        given = {k: v for k, v in options.items() if v is not None}
        if "api_key" not in given and env.get("OPENAI_API_KEY"):
            given["api_key"] = env["OPENAI_API_KEY"]
        if "base_url" not in given and env.get("OPENAI_BASE_URL"):
            given["base_url"] = env["OPENAI_BASE_URL"]
        if "model" not in given and env.get("LLMEXTRACT_MODEL"):
            given["model"] = env["LLMEXTRACT_MODEL"]
        if "cache_dir" not in given:
            given["cache_dir"] = default_cache_dir(env)
        for key in ("record", "replay", "cache_dir"):
            if key in given and not isinstance(given[key], Path):
                given[key] = Path(str(given[key]))
        try:
            return cls(**given)  # type: ignore[arg-type]
        except TypeError as exc:
            raise UsageError(f"unknown setting: {exc}") from None

