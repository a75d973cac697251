"""The library's edges: importing and using llmextract changes nothing outside it, and an
`Extractor` owns one client and one cache for its lifetime."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from llmextract import Extractor, UsageError
from llmextract.fakeserver import FakeServer

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "tests" / "answers"
ARTICLE = (ROOT / "tests" / "articles" / "markets_afp.txt").read_text(encoding="utf-8")


def test_importing_and_summarising_leaves_instructor_untouched() -> None:
    """As `python -c "import llmextract, instructor, logging; ..."` shows it: instructor's
    functions and its logger's level are the same before and after a summary."""
    code = textwrap.dedent("""
        import logging, sys
        import instructor
        from instructor.v2.validation import async_validators as av
        import llmextract
        from pathlib import Path
        from llmextract.fakeserver import FakeServer
        before = (av.reject_async_validators, logging.getLogger("instructor").level,
                  logging.getLogger().level)
        text = open(sys.argv[1], encoding="utf-8").read()
        with FakeServer(answers_dir=Path(sys.argv[2])) as srv:
            result = llmextract.summarize(text, base_url=srv.base_url, api_key="sk-test",
                                          use_cache=False)
            assert result.status == "ok", result.error
            with llmextract.Extractor(base_url=srv.base_url, api_key="sk-test",
                                      use_cache=False) as ex:
                ex.summarize(text)
        after = (av.reject_async_validators, logging.getLogger("instructor").level,
                 logging.getLogger().level)
        assert before == after, (before, after)
        print("untouched")
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "tests" / "articles" /
                                                          "markets_afp.txt"), str(ANSWERS)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "untouched"


def test_other_callers_of_instructor_get_its_own_check_while_a_client_is_open() -> None:
    from instructor.v2.validation import async_validators as av

    from llmextract.call import memo as memo_mod

    with FakeServer(answers_dir=ANSWERS) as srv, Extractor(base_url=srv.base_url, api_key="sk-test",
                                        use_cache=False) as ex:
        assert ex.summarize(ARTICLE).status == "ok"

        class Bad:  # not ours: the check runs (no memo), and nothing is remembered
            pass

        calls: list[object] = []
        original = memo_mod.ModelCheckMemo._original
        assert original is not None  # installed while our client is open
        memo_mod.ModelCheckMemo._original = lambda model: calls.append(model)
        try:
            av.reject_async_validators(Bad)
            av.reject_async_validators(Bad)
        finally:
            memo_mod.ModelCheckMemo._original = original
        assert calls == [Bad, Bad]
    assert av.reject_async_validators is original  # put back when the last client closed


def test_extractor_owns_one_client_and_one_cache(tmp_path: Path) -> None:
    with FakeServer(answers_dir=ANSWERS) as srv:
        with Extractor(base_url=srv.base_url, api_key="sk-test",
                       cache_dir=tmp_path / "cache") as ex:
            first = ex.summarize(ARTICLE)
            client, cache = ex._owned.client, ex._owned.cache
            again = ex.summarize(ARTICLE + "\nMore.\n")
            assert all(r.cached for r in ex.summarize_many([ARTICLE]))
            assert ex._owned.client is client and ex._owned.cache is cache
        assert first.status == again.status == "ok"
        assert ex._owned.client is None and ex._owned.cache is None
        with pytest.raises(UsageError):
            ex.summarize(ARTICLE)


def test_extractor_as_an_async_context_manager() -> None:
    async def main() -> list[str]:
        with FakeServer(answers_dir=ANSWERS) as srv:
            async with Extractor(base_url=srv.base_url, api_key="sk-test",
                                 use_cache=False) as ex:
                one = await ex.asummarize(ARTICLE)
                client = ex._owned.client
                many = [r async for r in ex.asummarize_many([ARTICLE, ARTICLE + "\nX.\n"])]
                assert ex._owned.client is client
            assert ex._owned.client is None
            return [one.status, *(r.status for r in many)]

    assert asyncio.run(main()) == ["ok", "ok", "ok"]


def test_close_is_idempotent_and_default_concurrency_is_auto() -> None:
    ex = Extractor(engine="rules")
    assert ex.settings.concurrency == "auto"
    assert ex.summarize(ARTICLE).status == "fallback"
    ex.close()
    ex.close()
