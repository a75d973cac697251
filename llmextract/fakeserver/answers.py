"""Authored answers: which article a request is about and what the fake model says.

An answers directory holds JSON files (read in file-name order), each::

    {"match": "<distinctive substring of the article, e.g. its headline>",
     "answers": [<ArticleSummary-shaped object or verbatim string>, ...],
     "faults": ["429", "500", null],            # optional script
     "schema": "CasualtyReport"}                # optional: the schema (tool name) answered

The first file whose `match` occurs in the article wins. `answers[k]` answers re-ask number
k (k = assistant messages already in the request); past the end the last one is used. A
string answer is sent verbatim (so authors can write invalid JSON). With no matching file
the server echoes the rule-based engine (`llmextract.rules.extract`); a `DocumentSummary`
request (llmextract's final request over a long document's chunk summaries) gets the echo's
summary, key points and topics.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmextract.fakeserver.faults import check_kinds

__all__ = [
    "MINIMAL_MATCH",
    "RULES_MATCH",
    "AnswerBook",
    "AnswerFile",
    "Selection",
    "article_text",
    "message_text",
    "minimal_answer",
    "requested_schema",
    "rules_answer",
]

NEWS_SCHEMA = "ArticleSummary"
"""The schema of answer files that name none."""
PROSE_SCHEMA = "DocumentSummary"
"""Echoed like the news schema, its prose fields only (`summary`, `key_points`, `topics`)."""

RULES_MATCH = "<rules>"
"""The match name of requests answered by the rules echo (no authored answer matched)."""
MINIMAL_MATCH = "<minimal>"
"""The match name when the rules engine was unavailable or failed: a minimal valid answer."""

_ARTICLE_RE = re.compile(r"<article>\s*\n?(.*?)\n?\s*</article>", re.DOTALL)
_INSTRUCTOR_SUFFIXES = (
    "Return the correct JSON response within a ```json codeblock. not the JSON_SCHEMA",
)
_GROUNDING_KEYS = ("span", "source")


@dataclass(frozen=True)
class AnswerFile:
    """One authored answer file."""

    name: str
    match: str
    answers: tuple[Any, ...]
    faults: tuple[str | None, ...] = ()
    schema: str = NEWS_SCHEMA


@dataclass(frozen=True)
class Selection:
    """What the server answers for one request."""

    match_name: str
    answer: Any
    faults: tuple[str | None, ...] = field(default=())


def _load_file(path: Path) -> AnswerFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable JSON file: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the top level must be an object")
    match, answers, faults = data.get("match"), data.get("answers"), data.get("faults", [])
    if not isinstance(match, str) or not match:
        raise ValueError(f"{path}: 'match' must be a non-empty string")
    if not isinstance(answers, list) or not answers:
        raise ValueError(f"{path}: 'answers' must be a non-empty list")
    for answer in answers:
        if not isinstance(answer, dict | str):
            raise ValueError(f"{path}: each answer must be an object or a string")
    if not isinstance(faults, list):
        raise ValueError(f"{path}: 'faults' must be a list of fault kinds or nulls")
    try:
        check_kinds(faults)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    schema = data.get("schema", NEWS_SCHEMA)
    if not isinstance(schema, str) or not schema:
        raise ValueError(f"{path}: 'schema' must be the name of the schema it answers")
    return AnswerFile(path.stem, match, tuple(answers), tuple(faults), schema)


class AnswerBook:
    """The authored answers of a directory (or none), plus the rules echo."""

    def __init__(self, answers_dir: str | Path | None = None) -> None:
        self.files: list[AnswerFile] = []
        if answers_dir is not None:
            root = Path(answers_dir)
            if not root.is_dir():
                raise ValueError(f"answers directory not found: {root}")
            self.files = [_load_file(p) for p in sorted(root.glob("*.json"))]

    def find(self, article: str, schema: str = NEWS_SCHEMA) -> AnswerFile | None:
        """The first answer file for this schema whose `match` occurs in the article."""
        for entry in self.files:
            if entry.schema == schema and entry.match in article:
                return entry
        return None

    def select(self, messages: Sequence[Any], schema: str | None = None) -> Selection:
        """Pick the answer for a chat request's messages (and the schema it asks for: the
        tool or response-format name; files without a "schema" key answer ArticleSummary)."""
        article = article_text(messages)
        reask = sum(1 for m in messages if isinstance(m, Mapping) and m.get("role") == "assistant")
        schema = schema or NEWS_SCHEMA
        entry = self.find(article, schema)
        if entry is None and schema == PROSE_SCHEMA:
            prose = rules_answer(article) or minimal_answer(article)
            return Selection(RULES_MATCH, {k: prose[k] for k in ("summary", "key_points",
                                                                 "topics")})
        if entry is None and schema != NEWS_SCHEMA:
            return Selection(MINIMAL_MATCH, {})  # no authored answer for a user schema
        if entry is None:
            echo = rules_answer(article)
            return Selection(
                RULES_MATCH if echo else MINIMAL_MATCH, echo or minimal_answer(article)
            )
        answer = entry.answers[min(reask, len(entry.answers) - 1)]
        return Selection(entry.name, answer, entry.faults)


def message_text(message: Any) -> str:
    """The text of a message whose content is a string or a list of text parts."""
    if not isinstance(message, Mapping):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, Mapping)]
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def article_text(messages: Sequence[Any]) -> str:
    """The article a request is about.

    The text between `<article>` and `</article>` in the last user message that has them;
    without tags, the last user message before the first assistant message (re-asks append
    correction messages after it), minus instructor's own appended MD_JSON instruction.
    """
    users = [m for m in messages if isinstance(m, Mapping) and m.get("role") == "user"]
    for message in reversed(users):
        found = _ARTICLE_RE.search(message_text(message))
        if found:
            return found.group(1)
    original = ""
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        if message.get("role") == "assistant":
            break
        if message.get("role") == "user":
            original = message_text(message)
    for suffix in _INSTRUCTOR_SUFFIXES:
        original = original.replace(suffix, "")
    return original.strip()


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    if not flat:
        return "The article is empty."
    found = re.match(r"(.+?[.!?])(?:\s|$)", flat)
    sentence = found.group(1) if found else flat
    return sentence[:500]


def minimal_answer(article: str) -> dict[str, Any]:
    """A minimal valid ArticleSummary object: the first sentence as summary, nothing else."""
    return {
        "title": None,
        "publisher": None,
        "authors": [],
        "published": None,
        "url": None,
        "summary": _first_sentence(article),
        "key_points": [],
        "figures": [],
        "quotes": [],
        "entities": [],
        "topics": [],
    }


def rules_answer(article: str) -> dict[str, Any] | None:
    """The rule engine's summary as the model would send it (no span/source keys).

    None when `llmextract.rules` is missing or fails (see `minimal_answer`).
    """
    try:
        rules = importlib.import_module("llmextract.rules")
        summary = rules.extract(article).summary
        data = summary.model_dump(mode="json")
    except Exception:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("summary"), str):
        return None
    for key in ("figures", "quotes", "entities"):
        items = data.get(key)
        if isinstance(items, list):
            data[key] = [
                {k: v for k, v in item.items() if k not in _GROUNDING_KEYS}
                if isinstance(item, dict)
                else item
                for item in items
            ]
    return data


def requested_schema(request: dict[str, Any]) -> str | None:
    """The schema a request asks for: its tool's name, or its response format's name."""
    tools = request.get("tools")
    if isinstance(tools, list) and tools and isinstance(tools[0], dict):
        name = (tools[0].get("function") or {}).get("name")
        if isinstance(name, str):
            return name
    fmt = request.get("response_format")
    if isinstance(fmt, dict) and isinstance(fmt.get("json_schema"), dict):
        name = fmt["json_schema"].get("name")
        if isinstance(name, str):
            return name
    if isinstance(fmt, dict) and isinstance(fmt.get("schema"), dict):  # llama.cpp's form
        title = fmt["schema"].get("title")
        if isinstance(title, str):
            return title
    return None
