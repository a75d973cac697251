"""Write the documentation that is generated from the code.

    python docs/generate.py          # rewrite README.md's sample record and docs/fields.md
    python docs/generate.py --check  # exit 1 (and say what) when either has drifted

1. README.md's sample record, between `<!-- sample-record:start -->` and
   `<!-- sample-record:end -->`: the record that the README's first command prints (the seed
   article replayed from `cassettes/seeds.yaml`), shortened by `shorten`.
2. docs/fields.md: every field of the result record and of the models inside it, walked from
   `llmextract.Result`, with its type and meaning. A meaning is the field's own
   `description` in the Pydantic model when it has one, else the entry in `MEANINGS` below;
   a field with neither, or an entry for a field that no longer exists or already has a
   description, is an error.

tests/test_docs_drift.py runs both in memory and fails when the files differ.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FIELDS = ROOT / "docs" / "fields.md"
START, END = "<!-- sample-record:start -->", "<!-- sample-record:end -->"
SAMPLE_COMMAND = ["summarize", "seeds/", "--replay", "cassettes/seeds.yaml"]

# The shortening rule of the README's sample record.
OMIT = ("elapsed_ms", "schema_name", "data", "evidence")  # volatile, or for user schemas
OBJECTS_KEPT = 1  # a list of objects shows its first item
WORDS_KEPT = 2  # a list of strings shows its first two
STRING_CUT = 80  # longer strings are cut to this many characters and "..."
WIDTH = 92  # a list or object that fits on one line within this width is written on one

# Meanings of fields whose Pydantic model has no `description` (Model.field).
MEANINGS = {
    "Result.fetch": "how a web page was fetched (URL inputs only; see docs/web.md), or null",
    "FetchInfo.status": "HTTP status of the last response (304: not modified, the stored "
                        "page was used)",
    "FetchInfo.source": "`network`, `not_modified` (the stored page after a 304) or "
                        "`page_store` (`--offline`)",
    "FetchInfo.content_type": "the response's content type",
    "FetchInfo.bytes": "the body's size in bytes",
    "FetchInfo.requests": "HTTP requests made for the page (robots.txt, redirects, retries "
                          "included)",
    "Result.id": "the input file's stem, or the `id` of a JSONL line; a hash-based "
                 "`text_...` id for raw texts",
    "Result.input": "where the article came from (path, `file.jsonl:LINE`, `<stdin>`), or null",
    "Result.status": "`ok`: the model's answer validated and was grounded; `fallback`: the "
                     "model could not be used or failed after retries, the summary is the rule "
                     "engine's; `error`: no summary (unreadable input, a request missing from a "
                     "replayed cassette)",
    "Result.engine": "which engines contributed items: `llm`, `rules` or `llm+rules`",
    "Result.summary": "the grounded summary (below), or null on `error` and for user schemas",
    "Result.dropped": "every item of the model's answer that was refused, and why: nothing is "
                      "dropped silently",
    "Result.model": "the model asked, or null when none was",
    "Result.prompt_version": "the prompt file used, e.g. `summarize/1`",
    "Result.schema_hash": "sha256 of the schema's JSON Schema (ArticleSummary or a user schema)",
    "Result.cached": "whether the record came from the result cache",
    "Result.usage": "what the article cost (below)",
    "Result.error": "null, or why the article is `error`, or why the model was not used for a "
                    "`fallback`",
    "Result.warnings": "things worth knowing that did not stop the article (e.g. invalid "
                       "UTF-8 replaced)",
    "Result.elapsed_ms": "wall time spent on the article, in milliseconds",
    "Result.schema_name": "`ArticleSummary`, or the class name of a user schema "
                          "([custom-schema.md](custom-schema.md))",
    "Result.data": "a user schema's grounded answer (a dict); null for the news summary",
    "Result.evidence": "where each checked value of a user schema stands in the article",
    "Result.summary_support": "one entry per kept summary sentence and key point, with the "
                              "article sentences that support it ([grounding.md](grounding.md))",
    "Result.trust": "what the model gave and what survived; null without a model answer",
    "Result.review": "null, or why a person should look at this record "
                     "([grounding.md](grounding.md))",
    "Summary.figures": "every newsworthy number the article states, located in it",
    "Summary.quotes": "every direct quotation of the article, located in it",
    "Summary.entities": "the main people, organisations and places, each once, located in it",
    "GroundedFigure.span": "`[start, end]` character offsets into the article text as read: "
                           "`text[start:end]` is the figure's `text`; null if not located",
    "GroundedFigure.source": "`llm` (the model found it), `rules` (only the rule engine did) or "
                             "`both`",
    "GroundedQuote.span": "`[start, end]`: `text[start:end]` is the quote's `text`",
    "GroundedQuote.source": "`llm`, `rules` or `both`",
    "GroundedEntity.span": "`[start, end]`: `text[start:end]` is the entity's `name`",
    "GroundedEntity.source": "`llm`, `rules` or `both`",
    "Dropped.field": "the field the item came from (`figures`, `quotes`, `entities`, "
                     "`summary`, `key_points`, metadata fields, or a user schema's field path)",
    "Dropped.item": "the item as the model gave it",
    "Dropped.reason": "why it was refused: not found in the article, value contradicts its own "
                      "text, not verbatim (with the best match score), duplicate, date not "
                      "stated...",
    "Usage.requests": "HTTP requests to the model, retries and re-asks included",
    "Usage.prompt_tokens": "prompt tokens over all attempts",
    "Usage.completion_tokens": "completion tokens over all attempts",
    "Usage.cached_prompt_tokens": "of the prompt tokens, those the provider served from its "
                                  "prompt cache (billed lower)",
    "ErrorInfo.type": "the error's class, e.g. `InputError`, `ModelUnavailableError`, "
                      "`CassetteMissError`",
    "ErrorInfo.message": "what happened, in one line; never an API key or the prompt",
    "Evidence.path": "the field path in `data`, e.g. `counts.0.text`",
    "Evidence.kind": "`verbatim`, `stated` or `name`: the marker that was checked",
    "Evidence.span": "`[start, end]` in the article text as read",
    "Evidence.text": "the article's words at that span",
    "Support.field": "`summary`, `key_points`, or a user schema's `Supported` field path",
    "Support.index": "which sentence of the summary, or which key point",
    "Support.text": "the kept sentence",
    "Support.spans": "the supporting article sentences, `[start, end]` each",
    "Trust.model_items": "figures, quotes and entities (or checked values) the model gave",
    "Trust.kept": "of those, kept (source `llm` or `both`)",
    "Trust.dropped": "of those, refused (listed in `dropped`)",
    "Trust.confirmed_by_rules": "kept items the rules found too (source `both`)",
    "Trust.added_by_rules": "items only the rules found (source `rules`)",
    "Trust.prose_kept": "the model's summary sentences and key points kept",
    "Trust.prose_dropped": "... refused (listed in `dropped`)",
    "Trust.prose_from_rules": "prose fields (summary, key points) that the rules' digest filled",
}


# -- the sample record ------------------------------------------------------------------

def seed_record() -> dict[str, Any]:
    """The record the README's first command prints, run as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLMEXTRACT_"))}
    with tempfile.TemporaryDirectory(prefix="llmextract-docs-") as cache:
        env["LLMEXTRACT_CACHE_DIR"] = cache
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        done = subprocess.run([sys.executable, "-m", "llmextract", *SAMPLE_COMMAND], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=300, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or len(lines) != 1:
        raise SystemExit(f"the sample command failed ({done.returncode}): {done.stderr[-2000:]}")
    record: dict[str, Any] = json.loads(lines[0])
    return record


def shorten(value: Any) -> Any:
    """The README's rule: keys in OMIT left out, lists of objects cut to their first item,
    lists of strings to their first two, strings over STRING_CUT characters cut."""
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items() if k not in OMIT}
    if isinstance(value, list):
        objects = any(isinstance(item, dict) for item in value)
        return [shorten(item) for item in value[: OBJECTS_KEPT if objects else WORDS_KEPT]]
    if isinstance(value, str) and len(value) > STRING_CUT:
        return value[:STRING_CUT].rstrip() + "..."
    return value


def to_json(value: Any, indent: int = 0, lead: int = 0) -> str:
    """JSON indented by two; a list or object that fits in WIDTH (after `lead` characters
    of key) is written on one line, and one whose members each fit is packed line by line."""
    flat = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(value, (dict, list)) or not value or indent + lead + len(flat) <= WIDTH:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        parts = [(f"{json.dumps(k)}: ", v) for k, v in value.items()]
        opened, closed = "{", "}"
    else:
        parts = [("", v) for v in value]
        opened, closed = "[", "]"
    members = [key + to_json(v, indent + 2, len(key)) for key, v in parts]
    lines: list[str] = []
    for member in members:
        if "\n" not in member and lines and "\n" not in lines[-1] and (
                len(lines[-1]) + len(member) + 2 <= WIDTH):
            lines[-1] += ", " + member
        else:
            lines.append(pad + member)
    return opened + "\n" + ",\n".join(lines) + "\n" + " " * indent + closed


def sample_block(record: dict[str, Any]) -> str:
    """The text between the README's markers."""
    summary = record["summary"]
    counts = ", ".join(f"{len(summary[k])} {k}" for k in ("key_points", "figures", "quotes",
                                                            "entities"))
    body = to_json(shorten(record))
    note = (f"Shortened by [docs/generate.py](docs/generate.py): the seed's record holds "
            f"{counts}, {len(record['dropped'])} dropped items and "
            f"{len(record['summary_support'])} `summary_support` entries; lists show their "
            f"first {OBJECTS_KEPT} object or first {WORDS_KEPT} strings, long strings are cut, "
            f"and {', '.join(f'`{k}`' for k in OMIT)} are left out. "
            "Every field: [docs/fields.md](docs/fields.md).")
    return f"\n```json\n{body}\n```\n\n" + textwrap.fill(note, 92) + "\n"


def readme_with_sample(readme: str, record: dict[str, Any]) -> str:
    head, sep, rest = readme.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"README.md lacks the markers {START} ... {END}")
    return head + START + sample_block(record) + END + tail


# -- the field reference ----------------------------------------------------------------

def _models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """`model` and every model its fields hold, in first-seen order."""
    seen: list[type[BaseModel]] = []

    def visit(m: type[BaseModel]) -> None:
        if m in seen:
            return
        seen.append(m)
        for info in m.model_fields.values():
            for inner in _inner_models(info.annotation):
                visit(inner)

    visit(model)
    yield from seen


def _inner_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _inner_models(arg)


def type_name(annotation: Any) -> str:
    """A short, JSON-minded name of a field's type."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        names = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" or null" if type(None) in args else "")
    if origin is typing.Literal:
        return " \\| ".join(f'`"{a}"`' for a in args)
    if origin is list:
        return f"list of {type_name(args[0])}"
    if origin is dict:
        return "object"
    if origin is tuple:
        return "[" + ", ".join(type_name(a) for a in args) + "]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {str: "string", int: "integer", float: "number", bool: "boolean",
            dt.date: "date (`YYYY-MM-DD`)"}.get(annotation, getattr(annotation, "__name__",
                                                                   str(annotation)))


def meaning(model: type[BaseModel], name: str) -> str:
    key = f"{model.__name__}.{name}"
    info = model.model_fields[name]
    if info.description:
        if key in MEANINGS:
            raise SystemExit(f"{key} has a description in the code: remove it from MEANINGS")
        return " ".join(info.description.split())
    if key in MEANINGS:
        return MEANINGS[key]
    raise SystemExit(f"{key} has no description: add Field(description=...) or a MEANINGS entry")


def fields_page() -> str:
    from llmextract import Result

    models = list(_models(Result))
    known = {f"{m.__name__}.{n}" for m in models for n in m.model_fields}
    stale = sorted(set(MEANINGS) - known)
    if stale:
        raise SystemExit(f"MEANINGS names fields that do not exist: {', '.join(stale)}")
    out = ["# The result record, field by field", "",
           "<!-- generated by docs/generate.py from the Pydantic models: do not edit -->", "",
           "One JSON object per article (`llmextract.Result`; JSON Schema in "
           "[`schemas/result.schema.json`](../schemas/result.schema.json)). The meanings of "
           "the summary's fields are the descriptions the model is given. What the pipeline "
           "does with each: [grounding.md](grounding.md). In `summary`, `summary` and "
           "`key_points` are the model's words checked sentence by sentence (unsupported "
           "ones are dropped; on `fallback`, or when none is left, the rule engine's lead "
           "sentences); a date or URL stated in the text wins over the model's, and "
           "metadata the text does not support is dropped.", ""]
    for model in models:
        doc = " ".join((model.__doc__ or "").split())
        out += [f"## {model.__name__}", ""]
        if doc and model is not Result:  # its docstring points here
            out += [doc, ""]
        out += ["| field | type | meaning |", "|---|---|---|"]
        for name, info in model.model_fields.items():
            text = meaning(model, name).replace("|", "\\|")
            out.append(f"| `{name}` | {type_name(info.annotation)} | {text} |")
        out.append("")
    return "\n".join(out)


# -- main -------------------------------------------------------------------------------

def generated() -> dict[Path, str]:
    """Each generated file's new content."""
    readme = README.read_text(encoding="utf-8")
    return {README: readme_with_sample(readme, seed_record()), FIELDS: fields_page()}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    drifted = []
    for path, text in generated().items():
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        drifted.append(path.relative_to(ROOT))
        if not check:
            path.write_text(text, encoding="utf-8")
    if check and drifted:
        print(f"out of date: {', '.join(map(str, drifted))}: run python docs/generate.py")
        return 1
    print(("rewrote " + ", ".join(map(str, drifted))) if drifted else "up to date")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
