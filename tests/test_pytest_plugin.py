"""The pytest plugin as a user's suite uses it: a test file that asks for
`llmextract_extractor`, recorded against a local OpenAI-compatible server with
`--llmextract-record`, then replayed with no server, no key and no endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llmextract.fakeserver import FakeServer

pytest_plugins = ["pytester"]

CANARY = "sk-canary-plugin-7f3a9c1e55d2"
ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "LLMEXTRACT_MODEL")

USER_TEST = '''
import pytest

ARTICLE = """Flood waters rose in Valencia on Tuesday.

More than 200 people were evacuated from the old town, the regional government said.
"We are doing everything we can," said mayor Maria Jose Catala.
"""


def test_flood(llmextract_extractor):
    result = llmextract_extractor.summarize(ARTICLE, id="flood")
    assert result.status == "ok", result.error
    assert result.usage.requests >= 1


@pytest.mark.parametrize("n", [1, 2])
def test_many(llmextract_extractor, n):
    texts = [ARTICLE + "Update %d." % i for i in range(n)]
    results = list(llmextract_extractor.summarize_many(texts))
    assert len(results) == n and all(r.status == "ok" for r in results)
'''


@pytest.fixture
def user_suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(test_news=USER_TEST)
    return pytester


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:  # answers with the rule engine's output
        yield srv


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "llmextract.pytest_plugin", "-p", "no:cacheprovider",
                                         *args)


def record(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
           server: FakeServer) -> pytest.RunResult:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("LLMEXTRACT_MODEL", "local-model")
    result = run(pytester, "--llmextract-record")
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return result


def cassettes(pytester: pytest.Pytester) -> list[Path]:
    return sorted((pytester.path / "cassettes" / "test_news").glob("*"))


@pytest.mark.slow
def test_record_then_replay_offline(user_suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                    server: FakeServer) -> None:
    recorded = record(user_suite, monkeypatch, server)
    recorded.assert_outcomes(passed=3)
    names = [p.name for p in cassettes(user_suite)]
    assert names == ["test_flood.yaml", "test_many_1.yaml", "test_many_2.yaml"]
    text = "".join(p.read_text() for p in cassettes(user_suite))
    assert CANARY not in text and "authorization" not in text.lower()
    assert "local-model" in text  # the model of the recording
    assert server.ledger.completions == 4  # 1 + 1 + 2 articles, no cache between them
    assert text.count("/chat/completions") == 4

    server.stop()  # nothing to talk to; no key, no endpoint, no model in the environment
    replayed = run(user_suite)
    replayed.assert_outcomes(passed=3)


@pytest.mark.slow
def test_missing_cassette_fails_naming_file_and_flag(user_suite: pytest.Pytester) -> None:
    result = run(user_suite, "-k", "test_flood")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*llmextract: no cassette *cassettes/test_news/test_flood.yaml for this test*",
        "*pytest --llmextract-record 'test_news.py::test_flood'*",
    ])


@pytest.mark.slow
def test_changed_article_fails_naming_cassette(user_suite: pytest.Pytester,
                                               monkeypatch: pytest.MonkeyPatch,
                                               server: FakeServer) -> None:
    record(user_suite, monkeypatch, server).assert_outcomes(passed=3)
    changed = USER_TEST.replace("More than 200 people", "More than 300 people")
    user_suite.makepyfile(test_news=changed)
    result = run(user_suite, "-k", "test_flood")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*llmextract: a request of this test is not in cassette *test_flood.yaml*",
        "*pytest --llmextract-record 'test_news.py::test_flood'*",
    ])
    assert "assert result.status" not in result.stdout.str()  # failed before the assertion


@pytest.mark.slow
def test_record_needs_an_endpoint(user_suite: pytest.Pytester) -> None:
    result = run(user_suite, "--llmextract-record", "-k", "test_flood")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--llmextract-record needs a model endpoint*"])
    assert cassettes(user_suite) == []


def test_plugin_is_inert_until_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pytester.runpytest_inprocess("-p", "llmextract.pytest_plugin",
                                          "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "cassettes").exists()
    help_text = pytester.runpytest_inprocess("-p", "llmextract.pytest_plugin", "--help")
    help_text.stdout.fnmatch_lines(["*--llmextract-record*"])


def test_cassette_names_are_sanitised(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_names='''
import pytest
from llmextract.pytest_plugin import cassette_path

class TestA:
    @pytest.mark.parametrize("x", ["a b/c"])
    def test_it(self, request, x):
        p = cassette_path(request.node)
        assert p.parent.name == "test_names" and p.parent.parent.name == "cassettes"
        assert p.name == "TestA.test_it_a_b_c.yaml", p.name
''')
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
