"""Model strings without markup: HTML entities decoded, HTML tags, Markdown emphasis, links,
code and heading marks removed (their words stay). Runs on every string of a model's answer
before it is grounded."""

from __future__ import annotations

import html
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

__all__ = ["clean_model", "clean_obj", "clean_text"]

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.M)
_BLANKS = re.compile(r"[ \t\r\f\v]+")
_MARKUP_CHARS = re.compile(r"[&<*_\[`#]")  # a cheap test before the substitutions
_HARD_MARKUP = re.compile(r"[&<*\[`#]")
# A string whose only markup characters are single "_" (as in "more_than") goes through the
# substitutions: an "_" after a word character opens no emphasis, so it changes only by an
# "_" opening one, or by its blanks and outer whitespace being normalised.
_UNDERSCORE_CHANGE = re.compile(r"(?<!\w)_|[\t\r\f\v]|  |^\s|\s$")


def clean_text(value: str) -> str:
    """A model string without HTML entities, HTML tags and Markdown emphasis, links, code
    marks or heading marks (their words stay); runs of spaces become one."""
    if not _MARKUP_CHARS.search(value):
        return value
    for _ in range(2):  # "&amp;#34;" was escaped twice
        unescaped = html.unescape(value)
        if unescaped == value:
            break
        value = unescaped
    value = _TAG.sub(lambda m: " " if m.group(0).lower().startswith("<br") else "", value)
    value = _LINK.sub(r"\1", value)
    value = _STRONG.sub(r"\2", value)
    value = _EM_STAR.sub(r"\1", value)
    value = _EM_UNDER.sub(r"\1", value)
    value = _CODE.sub(r"\1", value)
    value = _HEADING.sub("", value)
    return _BLANKS.sub(" ", value).strip()


def clean_obj(value: Any) -> Any:
    """`clean_text` applied to every string of a JSON-like value (dicts, lists)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: clean_obj(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_obj(v) for v in value]
    return value



M = TypeVar("M", bound=BaseModel)


def clean_model(obj: M) -> M:
    """A copy of a model answer with `clean_text` applied to every string (the object
    itself when nothing changes or the cleaned data no longer validates)."""
    data = obj.model_dump()
    if _unchanged(_strings(data)):
        return obj  # most answers: no string clean_text would change
    cleaned = clean_obj(data)
    if cleaned == data:
        return obj
    try:
        return type(obj).model_validate(cleaned)
    except ValidationError:
        return obj


def _unchanged(strings: list[str]) -> bool:
    """True when clean_text would return every one of `strings` as it is (a quick test:
    False may still mean unchanged)."""
    joined = "\n".join(strings)
    if not _MARKUP_CHARS.search(joined):
        return True
    if _HARD_MARKUP.search(joined) or "__" in joined:
        return False
    return not any(_UNDERSCORE_CHANGE.search(s) for s in strings if "_" in s)


def _strings(data: Any) -> list[str]:
    """Every string `clean_obj` would clean in `data` (dicts, lists), in one list."""
    found: list[str] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found
