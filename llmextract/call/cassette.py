"""Recording and replaying HTTP exchanges with vcrpy.

`--record C` writes every exchange of a run into cassette `C` (to `C.partial`, renamed when
the run finishes, so a failed run never leaves a half cassette in place). `--replay C`
serves them back with no network and no key; a request the cassette does not hold fails at
once (see `llmextract.call.retry.cassette_miss`). Requests match on method, path and JSON body,
not host or port, so a cassette recorded against a local server replays under any
`--base-url`. Secrets are removed before anything is written.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from llmextract.errors import CassetteError

SECRET_HEADERS = (
    "authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
    "x-stainless-raw-response",
)
MATCH_ON = ("method", "path", "body")
# What `--record`/`--replay` match on: also the host, port and query of GET requests (web
# pages, feeds, robots.txt: two sites serve "/" and "/robots.txt"); model calls (POST) still
# match on method, path and body only, so they replay under any --base-url.
RUN_MATCH_ON = (*MATCH_ON, "page_target")

__all__ = ["MATCH_ON", "RUN_MATCH_ON", "SECRET_HEADERS", "page_target", "use_cassette",
           "vcr_config"]


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if name.lower() in SECRET_HEADERS or name.lower().startswith("x-stainless"):
            del request.headers[name]
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
    return response


def _from_openai_client(request: Any) -> bool:
    """A request the openai client sent (the model endpoint: chat, files, batches), known by
    its User-Agent ("AsyncOpenAI/Python ...", "OpenAI/Python ...")."""
    agent = str(request.headers.get("User-Agent") or request.headers.get("user-agent") or "")
    return agent.startswith(("AsyncOpenAI/", "OpenAI/"))


def page_target(r1: Any, r2: Any) -> None:
    """vcrpy matcher: two GET requests for pages are the same page only on the same host,
    port and query. Requests to the model endpoint (POSTs, and the Batch API's GETs, sent by
    the openai client) pass: their host is not compared, so a cassette replays under any
    `--base-url`."""
    if _from_openai_client(r1) or _from_openai_client(r2):
        return
    if r1.method.upper() in ("GET", "HEAD") or r2.method.upper() in ("GET", "HEAD"):
        assert (r1.host, r1.port, r1.query) == (r2.host, r2.port, r2.query)


def vcr_config() -> dict[str, Any]:
    """Keyword arguments for `use_cassette` (shared by the CLI and pytest-recording)."""
    return {
        "match_on": MATCH_ON,
        "filter_headers": list(SECRET_HEADERS),
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": True,
    }


def _multipart_body(request: Any) -> bytes | None:
    """A multipart body with its boundary replaced by a fixed word (None: not multipart).
    Uploads (the Batch API's files) get a random boundary per request."""
    ctype = str(request.headers.get("content-type") or request.headers.get("Content-Type")
                or "")
    if not ctype.lower().startswith("multipart/"):
        return None
    boundary = ctype.partition("boundary=")[2].split(";")[0].strip().strip('"')
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogateescape")
    return body.replace(boundary.encode("latin-1"), b"BOUNDARY") if boundary else body


@lru_cache(maxsize=512)
def _json(body: bytes) -> Any:
    """A JSON body parsed (None when it is not JSON); each body once per cassette."""
    try:
        return json.loads(body)
    except ValueError:
        return None


def _body(r1: Any, r2: Any) -> None:
    """vcrpy's body matcher, made blind to multipart boundaries. JSON bodies are compared
    parsed, as vcrpy does, but without its diff of every pair that differs: a request is
    matched against each recorded one, and a long document's cassette holds dozens of
    bodies of 10-25 kB (its diffs took 3 s a replay; the miss message is our own)."""
    from vcr import matchers
    from vcr.util import read_body

    m1, m2 = _multipart_body(r1), _multipart_body(r2)
    if m1 is None and m2 is None:
        b1, b2 = read_body(r1), read_body(r2)
        if isinstance(b1, bytes) and isinstance(b2, bytes):
            if b1 == b2:
                return
            p1, p2 = _json(b1), _json(b2)
            if p1 is not None and p2 is not None:
                if p1 != p2:
                    raise AssertionError("the JSON bodies differ")
                return
        matchers.body(r1, r2)
    elif m1 != m2:
        raise AssertionError("the multipart bodies differ")


def _vcr() -> Any:
    import vcr

    v = vcr.VCR()
    v.register_matcher("body", _body)
    v.register_matcher("page_target", page_target)
    return v


def _gets_in_order(cassette: Any) -> None:
    """A GET asked again (a batch's status, polled) replays its recorded answers in order,
    then the last one again; vcrpy's repeats would give the first answer forever."""
    original = cassette.play_response

    def play_response(request: Any) -> Any:
        if request.method == "GET":
            found = list(cassette._responses(request))
            for index, response in found:
                if cassette.play_counts[index] == 0:
                    cassette.play_counts[index] += 1
                    return response
            if found:
                index, response = found[-1]
                cassette.play_counts[index] += 1
                return response
        return original(request)

    cassette.play_response = play_response


def _check_replayable(path: Path) -> None:
    if not path.is_file():
        raise CassetteError(f"cassette {path} not found: record it first with --record {path}")
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CassetteError(f"cassette {path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"cassette {path} is not a vcrpy cassette (no 'interactions' list)")


@contextlib.contextmanager
def use_cassette(*, record: Path | None = None, replay: Path | None = None) -> Iterator[None]:
    """Record into or replay from a cassette for the duration of the block (or do nothing)."""
    if record is None and replay is None:
        yield
        return
    config = {**vcr_config(), "match_on": RUN_MATCH_ON}
    if replay is not None:
        _check_replayable(replay)
        with _vcr().use_cassette(str(replay), record_mode="none", **config) as cassette:
            _gets_in_order(cassette)
            yield
        return
    assert record is not None
    partial = record.with_name(record.name + ".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.unlink(missing_ok=True)
    with _vcr().use_cassette(str(partial), record_mode="all", **config):
        yield
    if partial.exists():
        partial.replace(record)
    else:  # no request was made: leave a valid empty cassette
        record.write_text(json.dumps({"interactions": [], "version": 1}) + "\n")
