"""Answers in a peer's own output format: google/langextract's (checked against 1.7.1).

langextract's OpenAI provider sends one chat request per chunk of a document: a system
message "You are a helpful assistant that responds in JSON format." (or "YAML format."),
and one user message rendered from its question-answer template::

    <prompt description>

    Examples
    Q: <example text>
    A: <example answer: {"extractions": [...]}, fenced as ```json when fences are on>

    Q: <the chunk, verbatim>
    A: <- the prompt ends here

with `response_format` a strict `json_schema` named "langextract_extractions" built from
the examples (schema constraints on, the default) or `{"type": "json_object"}` (off).

Recognised by shape, no flag: no `tools`, the last user message ends with "\\nA: " and
has a "Q: ", and either the schema is named "langextract_extractions" or the system
message is langextract's. llmextract's and instructor's requests never look like that
(tools, or an `<article>` in llmextract's own prompt), so one server can serve both
systems of a benchmark with the same latency, counters and rules.

The answer is about the chunk, not the whole article: the server finds the chunk after
the last example answer (each example answer decoded as JSON; without decodable
examples, after the last blank line before "Q: "), runs the same rules echo it gives
llmextract (`answers.rules_answer`) on that text, and answers its figures, quotes and
entities as langextract extractions::

    {"extractions": [
      {"figure": "<text>", "figure_attributes": {"value", "unit", "describes",
                                                 "qualifier", "attributed_to"}},
      {"quote": "<text>", "quote_attributes": {"speaker"}},
      {"entity": "<name>", "entity_attributes": {"type"}}]}

in reading order (as a model copying the examples would write them). With a schema, each
class gets exactly the attributes its schema variant lists (missing ones null, a value
of a type the schema does not allow turned into a string or null) and classes the schema
does not name are left out, as strict structured output would force. The echo's prose
(summary, key points, topics) and metadata have no place in langextract's format and are
not sent. Fenced (```json, or ```yaml) when the examples' answers are fenced; a YAML
request gets JSON, which is YAML too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmextract.fakeserver.answers import Selection, message_text, rules_answer

__all__ = [
    "LANGEXTRACT_MATCH",
    "LANGEXTRACT_SCHEMA",
    "langextract_chunk",
    "langextract_extractions",
    "peer_selection",
]

LANGEXTRACT_MATCH = "<langextract>"
"""The match name (in /_stats by_match) of requests answered in langextract's format."""
LANGEXTRACT_SCHEMA = "langextract_extractions"
"""The `json_schema` name langextract's OpenAI provider sends (DEFAULT_SCHEMA_NAME)."""

_SYSTEM_PREFIX = "You are a helpful assistant that responds in "
_QUESTION = "Q: "
_END = "\nA: "
_NEXT_QUESTION = "\n\n" + _QUESTION
_SUFFIX = "_attributes"
# langextract class <- (rules echo list, the key holding the extraction text)
_CLASSES = {"figure": ("figures", "text"), "quote": ("quotes", "text"),
            "entity": ("entities", "name")}
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"))


def peer_selection(request: Mapping[str, Any]) -> Selection | None:
    """The answer for a peer's request (langextract), or None for every other request."""
    prompt = _langextract_prompt(request)
    if prompt is None:
        return None
    chunk = langextract_chunk(prompt)
    echo = rules_answer(chunk) or {}
    items = langextract_extractions(chunk, echo, _schema_classes(request))
    fence = "yaml" if _system_text(request).endswith("YAML format.") else "json"
    text = json.dumps({"extractions": items}, ensure_ascii=False)
    if f"{_END}```" in prompt:  # the examples' answers are fenced: so is the answer
        text = f"```{fence}\n{text}\n```"
    return Selection(LANGEXTRACT_MATCH, text)


def _system_text(request: Mapping[str, Any]) -> str:
    messages = request.get("messages") or []
    first = messages[0] if messages else None
    if isinstance(first, Mapping) and first.get("role") == "system":
        return message_text(first).strip()
    return ""


def _langextract_prompt(request: Mapping[str, Any]) -> str | None:
    """The user message of a langextract request, or None when it is not one."""
    if request.get("tools"):
        return None
    users = [m for m in request.get("messages") or []
             if isinstance(m, Mapping) and m.get("role") == "user"]
    if not users:
        return None
    prompt = message_text(users[-1])
    if not prompt.endswith(_END) or _QUESTION not in prompt:
        return None
    fmt = request.get("response_format")
    named = isinstance(fmt, Mapping) and isinstance(fmt.get("json_schema"), Mapping) and (
        fmt["json_schema"].get("name") == LANGEXTRACT_SCHEMA)
    if named or _system_text(request).startswith(_SYSTEM_PREFIX):
        return prompt
    return None


def langextract_chunk(prompt: str) -> str:
    """The chunk a langextract prompt asks about: the text between the "Q: " after the
    last example answer and the closing "\\nA: "."""
    end = len(prompt) - len(_END)
    decoder = json.JSONDecoder()
    start, pos = -1, 0
    while (found := prompt.find(_END, pos, end)) >= 0:
        after = _after_answer(prompt, found + len(_END), decoder)
        if after >= 0 and prompt.startswith(_NEXT_QUESTION, after):
            start = pos = after + len(_NEXT_QUESTION)
        else:
            pos = found + 1
    if start < 0:  # no example answer decoded (none given, or YAML): the last blank line
        found = prompt.rfind(_NEXT_QUESTION, 0, end)
        start = found + len(_NEXT_QUESTION) if found >= 0 else (
            len(_QUESTION) if prompt.startswith(_QUESTION) else 0)
    return prompt[start:end]


def _after_answer(prompt: str, at: int, decoder: json.JSONDecoder) -> int:
    """The index after an example answer (JSON, maybe fenced) starting at `at`; -1 if
    none decodes there."""
    fenced = prompt.startswith("```", at)
    if fenced:
        line_end = prompt.find("\n", at)
        if line_end < 0:
            return -1
        at = line_end + 1
    try:
        _, at = decoder.raw_decode(prompt, at)
    except ValueError:
        return -1
    if fenced:
        if not prompt.startswith("\n```", at):
            return -1
        at += len("\n```")
    return at


def _schema_classes(request: Mapping[str, Any]) -> dict[str, dict[str, set[str]]] | None:
    """class -> attribute -> JSON types the request's schema allows; None without one."""
    fmt = request.get("response_format")
    if not isinstance(fmt, Mapping) or not isinstance(fmt.get("json_schema"), Mapping):
        return None
    schema = fmt["json_schema"].get("schema")
    try:
        items = schema["properties"]["extractions"]["items"]
    except (KeyError, TypeError):
        return None
    variants = items.get("anyOf", [items]) if isinstance(items, Mapping) else []
    classes: dict[str, dict[str, set[str]]] = {}
    for variant in variants:
        props = variant.get("properties") if isinstance(variant, Mapping) else None
        if not isinstance(props, Mapping):
            continue
        for name in props:
            if not name.endswith(_SUFFIX) and f"{name}{_SUFFIX}" in props:
                classes[name] = _attribute_types(props[f"{name}{_SUFFIX}"])
    return classes


def _attribute_types(spec: Any) -> dict[str, set[str]]:
    """attribute -> allowed JSON types, from `{"anyOf": [{"type": "object", ...}, null]}`."""
    options = spec.get("anyOf", [spec]) if isinstance(spec, Mapping) else []
    for option in options:
        if isinstance(option, Mapping) and isinstance(option.get("properties"), Mapping):
            return {name: _types(sub) for name, sub in option["properties"].items()}
    return {}


def _types(spec: Any) -> set[str]:
    if not isinstance(spec, Mapping):
        return set()
    options = spec.get("anyOf", [spec])
    return {str(o.get("type")) for o in options if isinstance(o, Mapping)}


def langextract_extractions(
    chunk: str, echo: Mapping[str, Any], schema: dict[str, dict[str, set[str]]] | None
) -> list[dict[str, Any]]:
    """The echo's figures, quotes and entities as langextract extractions, in reading
    order; shaped by `schema` (class -> attribute -> types) when the request had one."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    for name, (field, text_key) in _CLASSES.items():
        if schema is not None and name not in schema:
            continue
        for item in echo.get(field) or []:
            if not isinstance(item, Mapping) or not isinstance(item.get(text_key), str):
                continue
            text = item[text_key]
            attrs = {k: _plain(v) for k, v in item.items() if k != text_key}
            if schema is not None:
                allowed = schema[name]
                attrs = {k: _fit(attrs.get(k), types) for k, types in allowed.items()}
            where = chunk.find(text)
            found.append((where if where >= 0 else len(chunk), len(found),
                          {name: text, f"{name}{_SUFFIX}": attrs}))
    return [extraction for _, _, extraction in sorted(found, key=lambda t: t[:2])]


def _plain(value: Any) -> Any:
    """A whole float as an int, as a model writes it ("12000", not "12000.0")."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fit(value: Any, types: set[str]) -> Any:
    """The value as a strict schema lets it be: kept, as a string, or null."""
    if value is None or not types:
        return value
    kind = next((name for cls, name in _JSON_TYPES if isinstance(value, cls)), "object")
    if kind in types or (kind == "integer" and "number" in types):
        return value
    if "string" in types:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return None
