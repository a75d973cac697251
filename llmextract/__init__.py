"""llmextract: grounded, structured summaries of news articles.

    from llmextract import summarize, asummarize, Extractor
    result = summarize(text)            # -> Result (see llmextract.schemas.record)

Names are imported lazily so that `import llmextract` (and the CLI's --help) stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.3.0"

__all__ = [
    "ArticleSummary",
    "BatchJob",
    "CassetteError",
    "CassetteMissError",
    "Entity",
    "Extractor",
    "Figure",
    "InputError",
    "LLMExtractError",
    "Merge",
    "ModelError",
    "ModelOutputError",
    "ModelUnavailableError",
    "Name",
    "Quote",
    "Result",
    "Settings",
    "Stated",
    "Summary",
    "Supported",
    "UsageError",
    "Verbatim",
    "__version__",
    "asummarize",
    "evaluate",
    "register_rules",
    "summarize",
]

_WHERE = {
    "ArticleSummary": "llmextract.schemas.news",
    "Entity": "llmextract.schemas.news",
    "Figure": "llmextract.schemas.news",
    "Quote": "llmextract.schemas.news",
    "Result": "llmextract.schemas.record",
    "Summary": "llmextract.schemas.record",
    "Settings": "llmextract.config",
    "Extractor": "llmextract.extractor",
    "summarize": "llmextract.extractor",
    "asummarize": "llmextract.extractor",
    "Verbatim": "llmextract.check.fields",
    "Stated": "llmextract.check.fields",
    "Name": "llmextract.check.fields",
    "Supported": "llmextract.check.fields",
    "Merge": "llmextract.check.chunked_fields",
    "register_rules": "llmextract.schemas.user",
    "evaluate": "llmextract.evaluation",
    "BatchJob": "llmextract.jobs",
    **{name: "llmextract.errors" for name in (
        "CassetteError", "CassetteMissError", "InputError", "LLMExtractError", "ModelError",
        "ModelOutputError", "ModelUnavailableError", "UsageError")},
}

if TYPE_CHECKING:
    from llmextract.check.chunked_fields import Merge
    from llmextract.check.fields import Name, Stated, Supported, Verbatim
    from llmextract.config import Settings
    from llmextract.errors import (
        CassetteError,
        CassetteMissError,
        InputError,
        LLMExtractError,
        ModelError,
        ModelOutputError,
        ModelUnavailableError,
        UsageError,
    )
    from llmextract.evaluation import evaluate
    from llmextract.extractor import Extractor, asummarize, summarize
    from llmextract.jobs import BatchJob
    from llmextract.schemas.news import ArticleSummary, Entity, Figure, Quote
    from llmextract.schemas.record import Result, Summary
    from llmextract.schemas.user import register_rules


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'llmextract' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
