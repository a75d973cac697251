"""Patterns compiled on first use, not at import.

`re.compile` runs Python code: the rule engine's few hundred patterns take ~35 ms to compile,
most of a run's start-up after the interpreter and pydantic. Many serve rare forms (a
quotation attributed by a role noun, a clause apposition) that a run may never meet.
`lazy(pattern)` stands for `re.compile(pattern)`: it compiles on its first call, and from then
on its methods are the compiled pattern's own (bound in the instance), so a hot loop pays no
more than it would on a `re.Pattern`.
"""

from __future__ import annotations

import re
from typing import Any, cast

__all__ = ["lazy"]

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class _Lazy:
    def __init__(self, pattern: str, flags: int) -> None:
        self._source = pattern
        self._flags = flags

    def _compile(self) -> re.Pattern[str]:
        compiled = re.compile(self._source, self._flags)
        for name in _METHODS:  # instance attributes: later calls skip this object's methods
            setattr(self, name, getattr(compiled, name))
        self.__dict__["_compiled"] = compiled
        return compiled

    def __getattr__(self, name: str) -> Any:  # any other attribute of a Pattern
        compiled = self.__dict__.get("_compiled") or self._compile()
        return getattr(compiled, name)

    def search(self, *args: Any) -> Any:
        return self._compile().search(*args)

    def match(self, *args: Any) -> Any:
        return self._compile().match(*args)

    def fullmatch(self, *args: Any) -> Any:
        return self._compile().fullmatch(*args)

    def finditer(self, *args: Any) -> Any:
        return self._compile().finditer(*args)

    def findall(self, *args: Any) -> Any:
        return self._compile().findall(*args)

    def sub(self, *args: Any, **kwargs: Any) -> Any:
        return self._compile().sub(*args, **kwargs)

    def subn(self, *args: Any, **kwargs: Any) -> Any:
        return self._compile().subn(*args, **kwargs)

    def split(self, *args: Any, **kwargs: Any) -> Any:
        return self._compile().split(*args, **kwargs)


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled when first used."""
    return cast("re.Pattern[str]", _Lazy(pattern, flags))
