"""Shared fixtures: a clean environment per test, the project's paths, vcr settings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmextract.call.cassette import vcr_config as _vcr_config

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"
ANSWERS = ROOT / "tests" / "answers"
CASSETTES = ROOT / "cassettes"
SEED = ROOT / "seeds" / "000_de53d78b7fab1b14.txt"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "LLMEXTRACT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LLMEXTRACT_CACHE_DIR", str(tmp_path / "cache"))  # never ~/.cache
    yield


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    return _vcr_config()


@pytest.fixture(scope="session")
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "tests")


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m llmextract ARGS` as a user runs it: from the project root, with no key or
    endpoint from this environment and a fresh cache folder (unless `env` sets one)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    base["LLMEXTRACT_CACHE_DIR"] = tempfile.mkdtemp(prefix="llmextract-test-cache-")
    return subprocess.run([sys.executable, "-m", "llmextract", *args], capture_output=True,
                          text=True, env={**base, **(env or {})}, input=stdin, cwd=ROOT,
                          timeout=timeout)


def records(out: str) -> list[dict[str, Any]]:
    """The JSON records of a JSONL output."""
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def interruptible() -> None:
    """`preexec_fn` for a child the test interrupts with SIGINT: a shell that starts the
    suite in the background hands its children SIGINT ignored, and a Python started that
    way never turns Ctrl-C into KeyboardInterrupt; the child gets the default back."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
