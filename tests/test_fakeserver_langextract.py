"""The fake server answering google/langextract's requests in langextract's own format
(llmextract/fakeserver/peer_formats.py), over real HTTP with the openai client, as
langextract 1.7.1's OpenAI provider sends them: its system message, its question-answer
prompt (description, examples, "Q: <chunk>", "A: ") and its strict json_schema built from
the examples. The article texts are invented for these tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import instructor
import openai
import pytest

from llmextract.fakeserver import RULES_MATCH, FakeServer
from llmextract.fakeserver.peer_formats import LANGEXTRACT_MATCH, langextract_chunk
from llmextract.schemas.news import ArticleSummary

pytestmark = pytest.mark.block_network(allowed_hosts=["127\\.0\\.0\\.1"])

SYSTEM_JSON = "You are a helpful assistant that responds in JSON format."
SYSTEM_YAML = "You are a helpful assistant that responds in YAML format."
DESCRIPTION = "Extract figures, quotes and entities, in order, with the article's words."
EXAMPLE_TEXT = 'About 1,200 residents left. "We will be back," said Mara Quill, the mayor.'
EXAMPLE = {"extractions": [
    {"figure": "About 1,200 residents", "figure_attributes": {
        "value": 1200, "unit": "people", "describes": "residents who left",
        "qualifier": "approximately", "attributed_to": None}},
    {"quote": "We will be back,", "quote_attributes": {"speaker": "Mara Quill"}},
    {"entity": "Mara Quill", "entity_attributes": {"type": "person"}},
]}
FIRST = (
    "Ferry line adds night crossings after record summer\n\n"
    "PORTMERE, August 14 (Shoreline News) - The Portmere Ferry Company said on Tuesday it "
    "would add 12 night crossings a week after carrying more than 40,000 passengers in July.")
SECOND = (
    '"We have never seen demand like this," said Tomas Brenner, the operations director.\n\n'
    "The town council approved a $2.5 million grant for a new pier in Kellby.")
INTERVIEW = (
    "Q: How many boats came in?\nA: About 30 boats, the harbour master Ines Valdo said.\n\n"
    "Q: And next year?\nA: The port expects 45 boats.\n\n"
    "The harbour authority will spend $4 million on moorings.")
ATTRIBUTES = {"figure": ("value", "unit", "describes", "qualifier", "attributed_to"),
              "quote": ("speaker",), "entity": ("type",)}


def variant(name: str, attributes: dict[str, list[str]]) -> dict[str, Any]:
    """One extraction class as langextract's OpenAISchema.from_examples builds it."""
    attrs = {k: {"anyOf": [{"type": t} for t in types]} for k, types in attributes.items()}
    return {"type": "object", "properties": {
        name: {"type": "string"},
        f"{name}_attributes": {"anyOf": [{"type": "object", "properties": attrs,
                                          "required": list(attrs),
                                          "additionalProperties": False},
                                         {"type": "null"}]}},
            "required": [name, f"{name}_attributes"], "additionalProperties": False}


def schema_of(classes: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    return {"type": "object", "properties": {"extractions": {"type": "array", "items": {
        "anyOf": [variant(k, v) for k, v in classes.items()]}}},
            "required": ["extractions"], "additionalProperties": False}


FULL_SCHEMA = schema_of({
    "figure": {"value": ["integer", "number", "null"], "unit": ["string", "null"],
               "describes": ["string", "null"], "qualifier": ["string", "null"],
               "attributed_to": ["string", "null"]},
    "quote": {"speaker": ["string", "null"]},
    "entity": {"type": ["string", "null"]}})


def prompt(chunk: str, fenced: bool = False, example: str | None = None) -> str:
    """langextract's QAPromptGenerator.render: description, examples, question, "A: "."""
    answer = example if example is not None else json.dumps(EXAMPLE, indent=2)
    if fenced:
        answer = f"```{'yaml' if example else 'json'}\n{answer}\n```"
    return "\n".join([f"{DESCRIPTION}\n", "Examples", f"Q: {EXAMPLE_TEXT}\nA: {answer}\n",
                      f"Q: {chunk}", "A: "])


def ask(server: FakeServer, text: str, schema: dict[str, Any] | None = FULL_SCHEMA,
        system: str = SYSTEM_JSON) -> str:
    """One request as langextract's OpenAI provider sends it; the answer's content."""
    fmt: dict[str, Any] = {"type": "json_object"} if schema is None else {
        "type": "json_schema",
        "json_schema": {"name": "langextract_extractions", "schema": schema, "strict": True}}
    with openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0) as client:
        done = client.chat.completions.create(  # type: ignore[call-overload]
            model="gpt-4o-mini", n=1, response_format=fmt,
            messages=[{"role": "system", "content": system},
                      {"role": "user", "content": text}])
    content = done.choices[0].message.content
    assert isinstance(content, str) and done.choices[0].finish_reason == "stop"
    return content


def extractions(content: str) -> list[dict[str, Any]]:
    """What langextract's FormatHandler.parse_output returns (JSON, fences off)."""
    parsed = json.loads(content.strip())
    assert isinstance(parsed, dict) and isinstance(parsed["extractions"], list)
    for item in parsed["extractions"]:
        assert isinstance(item, dict) and all(isinstance(k, str) for k in item)
    return list(parsed["extractions"])


def conforms(value: Any, schema: dict[str, Any]) -> bool:
    """Whether value fits the strict JSON Schema subset langextract sends."""
    if "anyOf" in schema:
        return any(conforms(value, option) for option in schema["anyOf"])
    kind = schema.get("type")
    if kind == "object":
        props = schema["properties"]
        return (isinstance(value, dict) and set(value) == set(schema["required"]) == set(props)
                and all(conforms(v, props[k]) for k, v in value.items()))
    if kind == "array":
        return isinstance(value, list) and all(conforms(v, schema["items"]) for v in value)
    checks = {"string": lambda v: isinstance(v, str), "null": lambda v: v is None,
              "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool)}
    return bool(checks[str(kind)](value))


def by_class(items: list[dict[str, Any]]) -> dict[str, list[tuple[str, Any]]]:
    """class -> [(text, attributes)] of langextract extractions."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for item in items:
        name = next(k for k in item if not k.endswith("_attributes"))
        found.setdefault(name, []).append((item[name], item.get(f"{name}_attributes")))
    return found


@pytest.fixture
def srv() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


def test_answer_carries_the_items_llmextract_gets_for_the_same_text(srv: FakeServer) -> None:
    article = f"{FIRST}\n\n{SECOND}"
    content = ask(srv, prompt(article))
    assert not content.startswith("```")  # schema constraints on, fences off: raw JSON
    items = extractions(content)
    assert conforms({"extractions": items}, FULL_SCHEMA)
    client = instructor.from_openai(openai.OpenAI(base_url=srv.base_url, api_key="t"))
    echo = client.chat.completions.create(
        model="gpt-4o-mini", response_model=ArticleSummary, max_retries=0,
        messages=[{"role": "user", "content": f"Summarise.\n<article>\n{article}\n</article>"}])
    got = by_class(items)
    assert [t for t, _ in got["figure"]] == [f.text for f in echo.figures]
    assert [(t, a["speaker"]) for t, a in got["quote"]] == [
        (q.text, q.speaker) for q in echo.quotes]
    assert sorted((t, a["type"]) for t, a in got["entity"]) == sorted(
        (e.name, e.type) for e in echo.entities)
    assert {f.text: f.value for f in echo.figures} == {t: a["value"] for t, a in got["figure"]}
    assert len(items) >= 5 and srv.stats["by_match"] == {LANGEXTRACT_MATCH: 1, RULES_MATCH: 1}
    starts = [article.find(next(iter(i.values()))) for i in items]
    assert starts == sorted(starts)  # reading order, as a model copying the example writes


def test_answer_is_about_the_chunk_not_the_article(srv: FakeServer) -> None:
    first = {t for t, _ in by_class(extractions(ask(srv, prompt(FIRST))))["figure"]}
    second = by_class(extractions(ask(srv, prompt(SECOND))))
    assert any("40,000" in t for t in first)
    assert [t for t, _ in second["figure"]] == ["$2.5 million"]
    assert all(t in SECOND for items in second.values() for t, _ in items)


def test_a_chunk_with_its_own_q_and_a_lines_is_read_whole(srv: FakeServer) -> None:
    assert langextract_chunk(prompt(INTERVIEW)) == INTERVIEW
    figures = [t for t, _ in by_class(extractions(ask(srv, prompt(INTERVIEW))))["figure"]]
    assert any("30 boats" in t for t in figures) and any("$4 million" in t for t in figures)


def test_fenced_examples_get_a_fenced_answer_json_and_yaml(srv: FakeServer) -> None:
    content = ask(srv, prompt(SECOND, fenced=True), schema=None)
    assert content.startswith("```json\n") and content.endswith("\n```")
    assert by_class(extractions(content[len("```json\n"):-len("```")]))["figure"]
    yaml_example = "extractions:\n- figure: About 1,200 residents\n  figure_attributes: {}\n"
    content = ask(srv, prompt(SECOND, fenced=True, example=yaml_example), schema=None,
                  system=SYSTEM_YAML)
    assert content.startswith("```yaml\n") and content.endswith("\n```")
    [(text, attrs)] = by_class(extractions(content[len("```yaml\n"):-len("```")]))["figure"]
    assert text == "$2.5 million" and attrs["value"] == 2500000  # a whole number: no ".0"
    assert set(attrs) == set(ATTRIBUTES["figure"])


def test_without_a_schema_every_attribute_is_sent(srv: FakeServer) -> None:
    got = by_class(extractions(ask(srv, prompt(f"{FIRST}\n\n{SECOND}"), schema=None)))
    assert set(got) == set(ATTRIBUTES)
    for name, items in got.items():
        assert all(set(attrs) == set(ATTRIBUTES[name]) for _, attrs in items)


def test_a_narrower_schema_shapes_the_answer(srv: FakeServer) -> None:
    schema = schema_of({"figure": {"value": ["string", "null"]}})
    items = extractions(ask(srv, prompt(f"{FIRST}\n\n{SECOND}"), schema=schema))
    assert items and conforms({"extractions": items}, schema)
    assert {"figure_attributes": {"value": "2500000"}, "figure": "$2.5 million"} in items


def test_other_requests_are_not_taken_for_langextract(srv: FakeServer) -> None:
    text = prompt(SECOND)
    ask(srv, text, schema=None, system="You summarise news articles.")
    assert LANGEXTRACT_MATCH not in srv.stats["by_match"]
    ask(srv, text, schema=None)
    assert srv.stats["by_match"][LANGEXTRACT_MATCH] == 1


@pytest.mark.parametrize(("text", "chunk"), [
    (f"{DESCRIPTION}\n\nQ: {SECOND}\nA: ", SECOND),  # no examples
    (f"Q: {SECOND}\nA: ", SECOND),
    (prompt(SECOND, example="extractions: []"), SECOND),  # YAML examples: the blank line
])
def test_chunk_found_without_json_examples(text: str, chunk: str) -> None:
    assert langextract_chunk(text) == chunk
