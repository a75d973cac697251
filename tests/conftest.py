"""Shared fixtures: a clean environment per test, the project's paths, vcr settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmextract.cassette import vcr_config as _vcr_config

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
