"""A memo for instructor's async-validator check, scoped to our own model calls (see
`ModelCheckMemo`); `OUR_CALL` says a request is ours."""

from __future__ import annotations

import contextvars
import threading
import weakref
from typing import Any, ClassVar

OUR_CALL: contextvars.ContextVar[bool] = contextvars.ContextVar("llmextract_call",
                                                                  default=False)


class ModelCheckMemo:
    """instructor walks the whole response model looking for async validators on every call
    (about 1 ms per article here, ~385 node visits, twice per call). The answer never
    changes for a class, so our calls remember the classes that passed.

    Scoped to our own calls: the memo is installed only while a `ModelClient` is open
    (counted, so concurrent clients share it), is used only inside our requests (a context
    variable says so; anyone else's call goes straight to instructor's function), and the
    original is put back when the last client closes. Skipped if instructor moves it."""

    _lock = threading.Lock()
    _users = 0
    _original: Any = None
    _passed: ClassVar[weakref.WeakSet[type]] = weakref.WeakSet()

    @classmethod
    def _memo(cls, response_model: Any) -> None:
        original = cls._original
        if not OUR_CALL.get() or original is None:
            return (original or _instructor_check())(response_model)  # type: ignore[no-any-return]
        if isinstance(response_model, type) and response_model in cls._passed:
            return None
        original(response_model)
        if isinstance(response_model, type):
            cls._passed.add(response_model)
        return None

    @classmethod
    def acquire(cls) -> None:
        module = _validators_module()
        if module is None:  # pragma: no cover - another instructor layout
            return
        with cls._lock:
            if cls._users == 0:
                cls._original = module.reject_async_validators
                module.reject_async_validators = cls._memo
            cls._users += 1

    @classmethod
    def release(cls) -> None:
        module = _validators_module()
        if module is None:  # pragma: no cover
            return
        with cls._lock:
            cls._users = max(0, cls._users - 1)
            if cls._users == 0 and cls._original is not None:
                if module.reject_async_validators == cls._memo:  # a bound method: not `is`
                    module.reject_async_validators = cls._original
                cls._original = None


def _validators_module() -> Any:
    try:
        from instructor.v2.validation import async_validators
    except ImportError:  # pragma: no cover - another instructor layout
        return None
    return async_validators


def _instructor_check() -> Any:
    return _validators_module().reject_async_validators
