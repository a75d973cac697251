"""A user schema's answers for the chunks of a long document, merged into one (see
docs/long-documents.md and llmextract.check.chunked for the news summary's).

Each chunk's answer is grounded on its own (`ground_model` with a `ChunkLocator`: global
spans); then, field by field of the schema:

- a list field gathers the items of every chunk, in text order; an item found by two chunks
  (the same located values at the same spans, or, with nothing located, the same value) is
  kept once;
- any other field takes the first chunk's grounded value (chunks in text order; a chunk
  whose required value failed does not count), or what the field's `Merge` rule says:

      total: Annotated[int | None, Stated, Merge("max")] = None

  `Merge("first" | "last" | "max" | "min" | "longest")`, or `Merge(fn)` where `fn` takes
  the chunks' values (in text order, nulls left out) and returns the value.

Evidence and support paths are renumbered to the merged lists; refusals two chunks made alike
are listed once. Pure and deterministic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from llmextract.check.fields import Grounding, item_model
from llmextract.schemas.record import Dropped, Evidence, Support

__all__ = ["Merge", "merge_groundings"]

_RULES: dict[str, Callable[[list[Any]], Any]] = {
    "first": lambda values: values[0],
    "last": lambda values: values[-1],
    "max": max,
    "min": min,
    "longest": lambda values: max(values, key=lambda v: len(str(v))),
}


class Merge:
    """How a long document's chunks' values of one (non-list) field become one: a rule
    name ("first", the default, "last", "max", "min", "longest") or a function of the list
    of values."""

    def __init__(self, rule: str | Callable[[list[Any]], Any] = "first") -> None:
        if isinstance(rule, str) and rule not in _RULES:
            raise ValueError(f"unknown merge rule {rule!r}: choose one of {', '.join(_RULES)}"
                             " or give a function")
        self.rule = rule

    def pick(self, values: list[Any]) -> Any:
        fn = _RULES[self.rule] if isinstance(self.rule, str) else self.rule
        return fn(values)

    def __repr__(self) -> str:
        return f"Merge({self.rule!r})"


def _rule(metadata: Sequence[Any]) -> Merge:
    return next((m for m in metadata if isinstance(m, Merge)), Merge())


def _under(path: str, name: str) -> bool:
    return path == name or path.startswith(name + ".")


def _moved(path: str, name: str, old: int, new: int) -> str:
    """`name.OLD...` -> `name.NEW...`."""
    return re.sub(rf"^{re.escape(name)}\.{old}(?=\.|$)", f"{name}.{new}", path)


class _Merger:
    def __init__(self, parts: Sequence[Grounding]) -> None:
        self.parts = parts
        self.out = Grounding(data={})
        self.merged = 0

    def _carry(self, part: Grounding, name: str, old: int | None = None,
               new: int | None = None) -> None:
        """`part`'s evidence and support under field `name` (item `old` renumbered)."""
        def keep(path: str) -> str | None:
            if old is None:
                return path if _under(path, name) else None
            prefix = f"{name}.{old}"
            return _moved(path, name, old, new or 0) if _under(path, prefix) else None

        for ev in part.evidence:
            if (path := keep(ev.path)) is not None:
                self.out.evidence.append(Evidence(path=path, kind=ev.kind, span=ev.span,
                                                  text=ev.text))
        for sup in part.support:
            if (path := keep(sup.field)) is not None:
                self.out.support.append(Support(field=path, index=sup.index, text=sup.text,
                                                spans=sup.spans))

    def items(self, name: str) -> None:
        """A list field: every chunk's items, each found once."""
        merged: list[Any] = []
        seen: set[str] = set()
        for part in self.parts:
            for old, item in enumerate(part.data.get(name) or []):
                prefix = f"{name}.{old}"
                spans = sorted((e.path[len(prefix):], e.span) for e in part.evidence
                               if _under(e.path, prefix))
                key = json.dumps(spans) if spans else json.dumps(item, sort_keys=True,
                                                                  default=str)
                if key in seen:
                    self.merged += 1
                    continue
                seen.add(key)
                self._carry(part, name, old, len(merged))
                merged.append(item)
        self.out.data[name] = merged

    def value(self, name: str, rule: Merge) -> None:
        """Any other field: the chunks' usable values, one picked by `rule` (a required
        value no chunk gave usably fails as it would in one answer)."""
        usable = [p for p in self.parts if p.data.get(name) is not None
                  and not any(_under(f, name) for f in p.failed_required)]
        if not usable:
            self.out.data[name] = None
            self.out.failed_required.extend(sorted({
                f for p in self.parts for f in p.failed_required if _under(f, name)}))
            return
        value = rule.pick([p.data[name] for p in usable])
        source = next((p for p in usable if p.data[name] == value), None)
        self.out.data[name] = value
        if source is not None:
            self._carry(source, name)

    def refusals(self) -> None:
        seen: set[str] = set()
        dropped: list[Dropped] = []
        for d in (d for p in self.parts for d in p.dropped):
            key = json.dumps([d.field, d.item, d.reason], sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                dropped.append(d)
        self.out.dropped = dropped
        for attr in ("values_kept", "values_dropped", "prose_kept", "prose_dropped"):
            setattr(self.out, attr, sum(getattr(p, attr) for p in self.parts))


def merge_groundings(schema: type[BaseModel], parts: Sequence[Grounding]
                     ) -> tuple[Grounding, int]:
    """The chunks' groundings (in text order) as one, and how many items were merged."""
    merger = _Merger(parts)
    for name, info in schema.model_fields.items():
        is_list = item_model(info.annotation) is not None or any(
            isinstance(p.data.get(name), list) for p in parts)
        if is_list:
            merger.items(name)
        else:
            merger.value(name, _rule(info.metadata))
    merger.refusals()
    return merger.out, merger.merged
