"""A pytest plugin: recorded model runs in your own test suite.

    def test_headline(llmextract_extractor):
        result = llmextract_extractor.summarize("tests/data/article.txt")
        assert result.status == "ok"

`llmextract_extractor` is an `Extractor` bound to a cassette named after the test, beside
the test file: `<test dir>/cassettes/<test module>/<test name>.yaml`. By default it replays
(no network, no key) and fails the test on a missing cassette or on a request the cassette
does not hold; `pytest --llmextract-record` records it against the endpoint of
`OPENAI_BASE_URL`/`OPENAI_API_KEY` (model: `LLMEXTRACT_MODEL`, else `OPENAI_MODEL`, else
the default). Matching and scrubbing are the command line's (`llmextract.call.cassette`): method,
path and JSON body; keys and cookies never written. The result cache is never used.

Installed as a `pytest11` entry point, it adds the option, the `llmextract` marker and the
fixtures, and does nothing until a test asks for a fixture. `-p llmextract.pytest_plugin`
loads it explicitly. `@pytest.mark.llmextract(schema=MyModel, mode="tools", ...)` passes
keywords on to `Extractor`. Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from llmextract import Extractor, Result

__all__ = ["cassette_path", "llmextract_cassette", "llmextract_extractor"]

RECORD_OPTION = "--llmextract-record"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("llmextract", "llmextract recorded model runs")
    group.addoption(
        RECORD_OPTION, action="store_true", default=False,
        help="record the cassettes of tests that use llmextract_extractor against the "
             "endpoint of OPENAI_BASE_URL / OPENAI_API_KEY (default: replay them)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "llmextract(**options): keywords for the llmextract_extractor's Extractor")


def cassette_path(node: pytest.Item) -> Path:
    """`<test dir>/cassettes/<module>/<Class.test[params]>.yaml`, unsafe characters as `_`."""
    path = Path(node.path)
    name = ".".join(part for part in node.nodeid.split("::")[1:]) or node.name
    safe = _UNSAFE.sub("_", name).strip("._") or "test"
    return path.parent / "cassettes" / _UNSAFE.sub("_", path.stem) / f"{safe}.yaml"


@pytest.fixture
def llmextract_cassette(request: pytest.FixtureRequest) -> Path:
    """The cassette file of this test (it may not exist yet)."""
    assert isinstance(request.node, pytest.Item)
    return cassette_path(request.node)


def _recorded_endpoint(cassette: Path) -> tuple[str | None, str | None]:
    """The model and base URL of the cassette's first chat request, so that a replay sends
    what the recording sent whatever this machine's environment says."""
    import yaml

    try:
        data = yaml.safe_load(cassette.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        pytest.fail(f"llmextract: cassette {_shown(cassette)} cannot be read: {exc}", pytrace=False)
    for interaction in (data or {}).get("interactions") or []:
        request = interaction.get("request") or {}
        uri = str(request.get("uri", ""))
        if not uri.endswith("/chat/completions"):
            continue
        try:
            model = json.loads(request.get("body") or "{}").get("model")
        except (TypeError, ValueError, AttributeError):
            model = None
        return (model if isinstance(model, str) else None,
                uri[: -len("/chat/completions")] or None)
    return None, None


def _shown(path: Path) -> str:
    """The path relative to the working folder when it lies inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _miss_message(cassette: Path, nodeid: str, detail: str) -> str:
    return (f"llmextract: a request of this test is not in cassette {_shown(cassette)} "
            f"({detail}).\n"
            "The article, the settings or llmextract's prompt changed since it was recorded; "
            f"re-record it with:\n    pytest {RECORD_OPTION} '{nodeid}'\n"
            "(with OPENAI_API_KEY and/or OPENAI_BASE_URL set)")


def _bind(base: type[Extractor], cassette: Path, nodeid: str) -> type[Extractor]:
    """A subclass of `Extractor` that fails the test at once when a result shows that a
    request was missing from the replayed cassette (instead of an "error" record that the
    test may not look at)."""

    def check(result: Result) -> Result:
        error = result.error
        if error is not None and error.type == "CassetteMissError":
            pytest.fail(_miss_message(cassette, nodeid, f"article {result.id}"), pytrace=False)
        return result

    class CassetteExtractor(base):  # type: ignore[valid-type,misc]
        __qualname__ = "Extractor"

        def summarize(self, text: Any, **kwargs: Any) -> Result:
            return check(super().summarize(text, **kwargs))

        async def asummarize(self, text: Any, **kwargs: Any) -> Result:
            return check(await super().asummarize(text, **kwargs))

        def summarize_many(self, items: Iterable[Any]) -> Iterator[Result]:
            for result in super().summarize_many(items):
                yield check(result)

        async def asummarize_many(self, items: Iterable[Any]) -> AsyncIterator[Result]:
            async for result in super().asummarize_many(items):
                yield check(result)

    return CassetteExtractor


def _record_settings(options: dict[str, Any]) -> dict[str, Any]:
    env = os.environ
    if not (env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL")
            or options.get("api_key") or options.get("base_url")):
        pytest.fail(f"llmextract: {RECORD_OPTION} needs a model endpoint: set OPENAI_API_KEY "
                    "(OpenAI) and/or OPENAI_BASE_URL (an OpenAI-compatible server)",
                    pytrace=False)
    model = env.get("LLMEXTRACT_MODEL") or env.get("OPENAI_MODEL")
    if model:
        options.setdefault("model", model)
    return options


@pytest.fixture
def llmextract_extractor(request: pytest.FixtureRequest,
                         llmextract_cassette: Path) -> Iterator[Extractor]:
    """An `Extractor` that replays this test's cassette, or records it with
    `--llmextract-record`; fails the test on a missing cassette or a request it lacks."""
    from llmextract import Extractor
    from llmextract.call.cassette import use_cassette

    cassette = llmextract_cassette
    nodeid = request.node.nodeid
    marker = request.node.get_closest_marker("llmextract")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    options["use_cache"] = False  # a replay must send its requests; a recording must make them
    cls = _bind(Extractor, cassette, nodeid)
    if request.config.getoption(RECORD_OPTION):
        extractor = cls(**_record_settings(options))
        # One cassette for the whole test, however many calls it makes.
        with use_cassette(record=cassette):
            yield extractor
            _close(extractor)
        return
    if not cassette.is_file():
        pytest.fail(f"llmextract: no cassette {_shown(cassette)} for this test; record it with:\n"
                    f"    pytest {RECORD_OPTION} '{nodeid}'\n"
                    "(with OPENAI_API_KEY and/or OPENAI_BASE_URL set)", pytrace=False)
    model, base_url = _recorded_endpoint(cassette)
    if model is not None:
        options.setdefault("model", model)
    if base_url is not None:
        options.setdefault("base_url", base_url)
    extractor = cls(replay=cassette, **options)
    yield extractor
    _close(extractor)


def _close(extractor: Any) -> None:
    close = getattr(extractor, "close", None)  # the Extractor owns a client once it has one
    if callable(close):
        close()
