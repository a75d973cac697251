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

__all__ = ["MATCH_ON", "SECRET_HEADERS", "use_cassette", "vcr_config"]


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
    import vcr

    config = vcr_config()
    if replay is not None:
        _check_replayable(replay)
        with vcr.VCR().use_cassette(str(replay), record_mode="none", **config):
            yield
        return
    assert record is not None
    partial = record.with_name(record.name + ".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.unlink(missing_ok=True)
    with vcr.VCR().use_cassette(str(partial), record_mode="all", **config):
        yield
    if partial.exists():
        partial.replace(record)
    else:  # no request was made: leave a valid empty cassette
        record.write_text(json.dumps({"interactions": [], "version": 1}) + "\n")
