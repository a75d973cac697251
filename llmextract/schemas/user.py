"""Loading a user's schema (`--schema package.module:Class` or `--schema path/file.py:Class`)
and the rule-based fallbacks users register for their schemas."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from llmextract.errors import UsageError

RulesFn = Callable[[str], "BaseModel | dict[str, Any]"]

__all__ = ["ARTICLE_SUMMARY_HASH", "RulesFn", "computed_schema_hash", "load_schema",
           "register_rules", "rules_for", "schema_hash_of"]

_RULES: dict[type[BaseModel], RulesFn] = {}


def register_rules(schema: type[BaseModel]) -> Callable[[RulesFn], RulesFn]:
    """Decorator: `fn(text) -> schema instance or dict` fills `schema` when the model cannot
    be used (status "fallback"). Without one, such an article ends in status "error"."""

    def decorate(fn: RulesFn) -> RulesFn:
        _RULES[schema] = fn
        return fn

    return decorate


def rules_for(schema: type[BaseModel]) -> RulesFn | None:
    return _RULES.get(schema)


# `schema_hash_of(ArticleSummary)`, known beforehand: every run names it in its records, and
# building the JSON Schema to hash it is ~3 ms of each run's start-up.
# tests/test_schema_and_prompt.py computes it again and gives the new value when it changes.
ARTICLE_SUMMARY_HASH = "sha256:c07f6721da3985ddaf427baaa3b9336cac31930501b9996e89a01987dc8f3fbd"


@lru_cache(maxsize=64)
def schema_hash_of(model: type[BaseModel]) -> str:
    """sha256 of the model's canonical JSON Schema."""
    from llmextract.schemas.news import ArticleSummary

    if model is ArticleSummary:  # the class itself: a subclass is hashed as any schema is
        return ARTICLE_SUMMARY_HASH
    return computed_schema_hash(model)


def computed_schema_hash(model: type[BaseModel]) -> str:
    """sha256 of the model's canonical JSON Schema, computed."""
    blob = json.dumps(model.model_json_schema(), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def _import_file(path: Path) -> Any:
    name = "llmextract_user_schema_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[
        :12]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"--schema: cannot load {path} as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise UsageError(f"--schema: importing {path} failed: {type(exc).__name__}: {exc}"
                         ) from None
    return module


def load_schema(spec: str) -> type[BaseModel]:
    """`package.module:Class` (importable) or `path/to/file.py:Class` -> the model class."""
    target, sep, attr = spec.rpartition(":")
    if not sep or not target or not attr:
        raise UsageError(f"--schema {spec!r}: expected MODULE:CLASS or FILE.py:CLASS, e.g. "
                         "schemas/examples/casualty.py:CasualtyReport")
    if target.endswith(".py") or "/" in target or "\\" in target:
        path = Path(target)
        if not path.is_file():
            raise UsageError(f"--schema: no such file {target}")
        module = _import_file(path)
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as exc:
            raise UsageError(f"--schema: cannot import module {target!r}: {exc}") from None
        except Exception as exc:
            raise UsageError(f"--schema: importing {target!r} failed: {type(exc).__name__}: "
                             f"{exc}") from None
    model = getattr(module, attr, None)
    if model is None:
        names = sorted(n for n, v in vars(module).items()
                       if isinstance(v, type) and issubclass(v, BaseModel) and v is not BaseModel)
        raise UsageError(f"--schema: {target} has no {attr!r}"
                         + (f" (its models: {', '.join(names)})" if names else ""))
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise UsageError(f"--schema: {spec} is not a Pydantic model class")
    return model
