"""The one way a `Result` is built: the article's record fields (id, input, hashes, schema,
model, warnings, web fields) are given once, then `error`, `fallback` or `ok` adds what the
outcome says."""

from __future__ import annotations

from typing import Any

from llmextract.schemas.record import Engine, ErrorInfo, Result

__all__ = ["ResultBuilder"]


class ResultBuilder:
    """Builds one article's records from its shared fields (`base`)."""

    def __init__(self, **base: Any) -> None:
        self.base = base

    def _build(self, **fields: Any) -> Result:
        base = dict(self.base)
        if "warnings" in base:  # each record its own list (records extend theirs)
            base["warnings"] = list(base["warnings"])
        return Result(**base, **fields)

    def error(self, type: str, message: str, **fields: Any) -> Result:
        """Status "error": no usable answer, and why (`type`, `message`)."""
        return self._build(status="error", error=ErrorInfo(type=type, message=message),
                           **fields)

    def fallback(self, **fields: Any) -> Result:
        """Status "fallback": the rule engine's answer stands in for the model's."""
        return self._build(status="fallback", engine="rules", **fields)

    def ok(self, engine: Engine, **fields: Any) -> Result:
        """Status "ok": the model's answer, checked (`engine` says who contributed)."""
        return self._build(status="ok", engine=engine, **fields)
