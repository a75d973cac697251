"""How the schema reaches the model (`--mode`), the output budget, and what auto learns.

Forms (the wire shape of one request):

    tools               `tools` + a forced `tool_choice` (instructor TOOLS)
    json_schema         `response_format: {"type": "json_schema", ...}` (instructor JSON_SCHEMA)
    json_object_schema  `response_format: {"type": "json_object", "schema": {...}}`: the form
                        llama-cpp-python (and llama.cpp's server) constrain with a grammar;
                        the schema is also in the system message (instructor JSON)
    json                `response_format: {"type": "json_object"}`, the schema only in the
                        system message (instructor JSON)
    md_json             no response_format: JSON in a ```json block (instructor MD_JSON)

An explicit `--mode` is exactly one form and never switches. `--mode auto` (the default)
walks `LADDER`, learning from the server's answers:

- it starts with tools (what OpenAI, vLLM, Ollama and llama.cpp with a function-calling
  chat format honour);
- an answer in the message content instead of a tool call (the server ignored
  `tool_choice`) is still used, and the next article tries the next form: json_schema
  (the standard structured-output form: Ollama, vLLM, llama.cpp's server), then
  json_object_schema (llama-cpp-python, which rejects json_schema), then json, then md_json;
- a deterministic rejection of a form (`llmextract.call.retry.is_rejection`) moves to the next
  form at once, within the same article; it stops when two forms are refused for the same
  reason (then the form is not the problem: a context limit, a wrong model name...);
- the first form that gives an answer (valid or not: the server took the request) is kept
  for the rest of the run. Until then one article at a time probes; the others wait, so a
  run never sends a burst of requests that all fail the same way.

What was learned is remembered per endpoint and model in `endpoints.json` beside the
result cache (written atomically), so later runs start from it; it is neither read nor
written with `--no-cache`, `--record` or `--replay` (a replay must send the same requests
as the recording). Delete the file (or one entry) to learn again. One line on standard
error says what auto settled on when it is not plain tools.

Output budget: `max_tokens` is always sent: `--max-tokens N`, else `max_tokens_for(schema)`
(see there). A truncated answer (`finish_reason: length`) is asked once more with twice
the budget and an instruction to be brief; truncated again, the article falls back with
"truncated at N tokens".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from llmextract.config import Settings, default_cache_dir

__all__ = [
    "FORM_WORDS",
    "LADDER",
    "MAX_TOKENS_CAP",
    "EndpointMemory",
    "Form",
    "FormChooser",
    "endpoint_label",
    "max_tokens_for",
]

Form = Literal["tools", "json_schema", "json_object_schema", "json", "md_json"]
LADDER: tuple[Form, ...] = ("tools", "json_schema", "json_object_schema", "json", "md_json")
FORM_WORDS: dict[Form, str] = {
    "tools": "tools",
    "json_schema": "json_schema",
    "json_object_schema": "json_object with a schema",
    "json": "json_object",
    "md_json": "markdown JSON",
}
INSTRUCTOR_MODES: dict[Form, str] = {
    "tools": "TOOLS", "json_schema": "JSON_SCHEMA", "json_object_schema": "JSON",
    "json": "JSON", "md_json": "MD_JSON",
}
OPENAI_URL = "https://api.openai.com/v1"  # the endpoint when no --base-url is given
MEMORY_FILE = "endpoints.json"

# -- the output budget -------------------------------------------------------------------

MAX_TOKENS_MIN = 1024
MAX_TOKENS_CAP = 16384
_ITEMS = 8  # list items allowed for
_STRING, _SCALAR, _KEY = 24, 6, 4  # tokens per string value, other scalar, property name
_BASE = 256  # the JSON skeleton and a little slack
_REASONING = 8192  # reasoning models spend output tokens before the answer


def _cost(schema: Any, defs: dict[str, Any], depth: int = 0) -> int:
    if not isinstance(schema, dict) or depth > 12:
        return _SCALAR
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return _cost(defs.get(name, {}), defs, depth + 1)
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return max((_cost(s, defs, depth + 1) for s in schema[key]), default=_SCALAR)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return 8 + sum(_KEY + _cost(p, defs, depth + 1) for p in props.values())
    if kind == "array":
        return _ITEMS * _cost(schema.get("items", {}), defs, depth + 1)
    if kind == "string" and "enum" not in schema and schema.get("format") not in (
            "date", "date-time"):
        return _STRING
    return _SCALAR


def max_tokens_for(schema: type[BaseModel], model: str = "") -> int:
    """The output budget for one answer of `schema`, from its shape.

    256 tokens of skeleton, then per property 4 for its name and 24 per free string, 6 per
    number, date or enum, and room for 8 items per list; rounded up to 256 and kept within
    1,024..16,384. ArticleSummary gets 3,072: about three times the seed's answer (3
    figures, 8 quotes, 11 entities: ~950 tokens), enough for a long article's 8 figures, 8
    quotes and 8 entities, and small enough that a model that runs on (a small local model
    repeating itself) stops within a minute or two instead of at the timeout. Reasoning
    models (o1/o3/o4, gpt-5) get 8,192 more: they spend output tokens before answering.
    """
    full = schema.model_json_schema()
    tokens = _BASE + _cost(full, full.get("$defs") or {})
    tokens = min(MAX_TOKENS_CAP, max(MAX_TOKENS_MIN, -(-tokens // 256) * 256))
    if is_reasoning_model(model):
        tokens += _REASONING
    return tokens


def is_reasoning_model(model: str) -> bool:
    name = model.strip().lower().rsplit("/", 1)[-1]
    return name.startswith(("o1", "o3", "o4", "gpt-5"))


def budget_parameter(settings: Settings) -> str:
    """`max_completion_tokens` for reasoning models (OpenAI refuses `max_tokens` for them),
    `max_tokens` for every other (what every OpenAI-compatible server reads). Decided by
    the model name alone, so a replay sends what the recording sent."""
    return "max_completion_tokens" if is_reasoning_model(settings.model) else "max_tokens"


# -- what auto learned, per endpoint and model --------------------------------------------

def endpoint_label(settings: Settings) -> str:
    return f"{(settings.base_url or OPENAI_URL).rstrip('/')} ({settings.model})"


class EndpointMemory:
    """`endpoints.json` in the cache folder: {"URL (model)": {"form", "ignored", "rejected",
    "confirmed", "learned"}}. Read once; written atomically after each change."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MEMORY_FILE

    def read(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        entry = data.get(key) if isinstance(data, dict) else None
        if not isinstance(entry, dict) or entry.get("form") not in LADDER:
            return None
        return entry

    def write(self, key: str, entry: dict[str, Any]) -> None:
        """Merge one entry into the file (write to a temporary file, then rename); a folder
        that cannot be written only costs the memory, never the run."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if not isinstance(data, dict):
                data = {}
            data[key] = entry
            fd, tmp = tempfile.mkstemp(prefix=".endpoints.", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.write("\n")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)


_SAID: set[str] = set()  # lines already printed by this process


def _say(line: str) -> None:
    """Print `line` on standard error, once per process (a program calling `summarize()`
    in a loop makes a client per call: it hears about its endpoint once)."""
    if line in _SAID:
        return
    _SAID.add(line)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


class FormChooser:
    """Which form the next request uses; one per run, shared by every article in flight.

    Everything runs on the event loop's thread: plain attributes, plus one lock that lets a
    single article probe while no form is settled.
    """

    def __init__(self, settings: Settings, say: Callable[[str], None] = _say) -> None:
        self.auto = settings.mode == "auto"
        self.current: Form = "tools" if self.auto else settings.mode  # type: ignore[assignment]
        self.settled = not self.auto
        self.ignored: list[Form] = []
        self.rejected: dict[Form, str] = {}
        self.label = endpoint_label(settings)
        self._say = say
        self._said = False
        self._changed = False
        self._from_memory = False
        self._lock: asyncio.Lock | None = None
        self.memory: EndpointMemory | None = None
        if self.auto and settings.cache_enabled:
            self.memory = EndpointMemory(settings.cache_dir or default_cache_dir(os.environ))
            entry = self.memory.read(self.label)
            if entry is not None:
                self.current = entry["form"]
                self.settled = bool(entry.get("confirmed"))
                self.ignored = [f for f in entry.get("ignored", []) if f in LADDER]
                self.rejected = {f: str(r) for f, r in (entry.get("rejected") or {}).items()
                                 if f in LADDER}
                self._from_memory = True

    @property
    def lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def next_after(self, form: Form) -> Form | None:
        later = LADDER[LADDER.index(form) + 1:]
        return next((f for f in later if f not in self.rejected and f not in self.ignored),
                    None)

    # -- what happened ---------------------------------------------------------------------
    def worked(self, form: Form) -> None:
        """The server took `form` and answered in it."""
        if not self.auto or (self.settled and self.current == form):
            self._announce_memory()
            return
        self.current, self.settled = form, True
        self._save()
        self._announce()

    def tools_ignored(self) -> Form | None:
        """The answer came in the content although tools were asked for."""
        if not self.auto:
            return None
        if "tools" not in self.ignored:
            self.ignored.append("tools")
            self._changed = True
        if self.current == "tools":
            nxt = self.next_after("tools")
            if nxt is not None:
                self.current, self.settled = nxt, False
            self._save()
        return self.current if self.current != "tools" else None

    def refused(self, form: Form, reason: str) -> Form | None:
        """The server rejected `form`; the form to try next (None: none left)."""
        if not self.auto:
            return None
        self.rejected[form] = reason
        self._changed = True
        if self.current == form:
            nxt = self.next_after(form)
            if nxt is None:
                return None
            self.current, self.settled = nxt, False
        self._save()
        return self.current

    def forget(self, reason: str) -> None:
        """Forms refused for `reason` were refused for something else (the same words came
        back for another form): they are candidates again."""
        if not any(r == reason for r in self.rejected.values()):
            return
        self.rejected = {f: r for f, r in self.rejected.items() if r != reason}
        self.current = next(f for f in LADDER if f not in self.ignored and (
            f not in self.rejected)) if len(self.ignored) + len(self.rejected) < len(
            LADDER) else self.current
        self.settled = False
        self._save()

    # -- memory and the one line ------------------------------------------------------------
    def _save(self) -> None:
        if self.memory is None:
            return
        self.memory.write(self.label, {
            "form": self.current, "confirmed": self.settled, "ignored": self.ignored,
            "rejected": self.rejected,
            "learned": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    def history(self) -> str:
        parts = []
        for forms, what in ((self.ignored, "ignored"), (list(self.rejected), "rejected")):
            if forms:
                plural = len(forms) > 1 or forms == ["tools"]
                parts.append(" and ".join(FORM_WORDS[f] for f in forms)
                             + (" were " if plural else " was ") + what)
        return "; ".join(parts)

    def _where(self) -> str:
        return f" (remembered in {self.memory.path})" if self.memory is not None else ""

    def _announce(self) -> None:
        if self._said or (self.current == "tools" and not self.ignored and not self.rejected):
            return
        self._said = True
        history = self.history()
        self._say(f"llmextract: {self.label} takes {FORM_WORDS[self.current]}"
                  + (f"; {history}" if history else "") + self._where())

    def _announce_memory(self) -> None:
        if self._said or not self._from_memory or self.current == "tools":
            return
        self._said = True
        self._say(f"llmextract: {self.label}: using {FORM_WORDS[self.current]}, learned in "
                  f"an earlier run" + self._where())

    def close(self) -> None:
        """At the end of the run: say what was learned if nothing was said yet."""
        if self._said or not self._changed:
            return
        self._said = True
        self._say(f"llmextract: {self.label}: {self.history()}; next: "
                  f"{FORM_WORDS[self.current]}" + self._where())
