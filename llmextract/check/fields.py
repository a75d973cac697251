"""Your own schema: grounding markers for any Pydantic model, and the walker that checks an
answer against the article.

    from typing import Annotated
    from pydantic import BaseModel
    from llmextract import Verbatim, Stated, Name

    class Casualty(BaseModel):
        quote: Annotated[str, Verbatim]      # words that must appear in the article
        killed: Annotated[int, Stated]       # a number the article must state
        place: Annotated[str, Name]          # a name found as whole words
        overview: Annotated[str, Supported]  # prose whose every sentence the article supports

Checks, like the built-in fields': `Verbatim` text is located exactly, then after folding,
then fuzzily (and replaced by the article's own words); a `Stated` number must be stated in
the `Verbatim` text of the same object when it has one, else anywhere in the article; a
`Name` is found as whole words; each sentence of a `Supported` text is checked like the
summary's (numbers, names, quoted words, support: see llmextract.check.prose), refused sentences
are dropped one by one and the kept ones carry their support spans. Every string of the
answer is first cleaned of markup and HTML entities. Failures are reported with their field path
(`casualties.1.killed`): list items are dropped one by one, optional fields set to null, and a
required field that fails makes the answer unusable (see `OnUngrounded`).
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Union

from pydantic import BaseModel

from llmextract.check.clean import clean_model, clean_text
from llmextract.check.grounding import QUOTE_THRESHOLD, Locator
from llmextract.check.prose import ArticleIndex, check_sentence, split_prose
from llmextract.config import OnUngrounded
from llmextract.schemas.record import Dropped, Evidence, Support
from llmextract.text.numbers import find_numbers, values_in

__all__ = ["Evidence", "Name", "OnUngrounded", "Stated", "Supported", "Verbatim",
           "ground_model", "has_markers", "item_model", "located_kinds"]


class _Marker:
    kind = ""

    def __repr__(self) -> str:
        return self.kind


class Verbatim(_Marker):
    """Text that must appear in the article (output: the article's own words)."""

    kind = "verbatim"


class Stated(_Marker):
    """A number the article must state."""

    kind = "stated"


class Name(_Marker):
    """A name (person, organisation, place) found in the article as whole words."""

    kind = "name"


class Supported(_Marker):
    """Prose (a str) whose every sentence the article must support (see llmextract.check.prose)."""

    kind = "supported"


@dataclass
class Grounding:
    data: dict[str, Any]
    dropped: list[Dropped] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    failed_required: list[str] = field(default_factory=list)
    support: list[Support] = field(default_factory=list)
    values_kept: int = 0  # checked values (Verbatim, Stated, Name) kept
    values_dropped: int = 0
    prose_kept: int = 0  # sentences of Supported texts kept
    prose_dropped: int = 0


def _marker(metadata: tuple[Any, ...]) -> str | None:
    for m in metadata:
        if isinstance(m, type) and issubclass(m, _Marker) and m is not _Marker:
            return m.kind
        if isinstance(m, _Marker):
            return m.kind
    return None


def _split(annotation: Any) -> tuple[Any, str | None]:
    """(inner type, marker kind) of `Annotated[T, Marker]`, else (annotation, None)."""
    if typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        return args[0], _marker(args[1:])
    return annotation, None


def _optional(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        return type(None) in typing.get_args(annotation)
    return False


def _list_item(annotation: Any) -> Any | None:
    inner = annotation
    if _optional(inner):
        inner = next(a for a in typing.get_args(inner) if a is not type(None))
    if typing.get_origin(inner) in (list, tuple, set, frozenset):
        args = typing.get_args(inner)
        return args[0] if args else Any
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    inner = annotation
    if _optional(inner):
        inner = next(a for a in typing.get_args(inner) if a is not type(None))
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return inner
    return None


def has_markers(model: type[BaseModel], _seen: set[type] | None = None) -> bool:
    """Does the model (or a nested one) mark any field for grounding?"""
    seen = _seen or set()
    if model in seen:
        return False
    seen.add(model)
    for info in model.model_fields.values():
        if _marker(tuple(info.metadata)) is not None:
            return True
        for ann in (info.annotation, _list_item(info.annotation)):
            if ann is None:
                continue
            inner, kind = _split(ann)
            nested = _model_of(inner)
            if kind is not None or (nested is not None and has_markers(nested, seen)):
                return True
    return False


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


class _Walker:
    def __init__(self, loc: Locator) -> None:
        self.loc = loc
        self.out = Grounding(data={})
        self._stated: list[float] | None = None
        self._index: ArticleIndex | None = None

    @property
    def stated_anywhere(self) -> list[float]:
        if self._stated is None:
            vals: list[float] = []
            for m in find_numbers(self.loc.text, self.loc.lang):
                vals.extend(values_in(m.text, self.loc.lang))
            self._stated = vals
        return self._stated

    def check(self, kind: str, value: Any, path: str, context: str | None) -> tuple[bool, Any,
                                                                                  str]:
        """(ok, value to keep, reason) for one marked value."""
        if value is None:
            return True, None, ""
        if kind == "supported":
            return self.supported(value, path)
        got = self._check(kind, value, path, context)
        if got[0]:
            self.out.values_kept += 1
        else:
            self.out.values_dropped += 1
        return got

    def supported(self, value: Any, path: str) -> tuple[bool, Any, str]:
        """Keep the sentences of `value` the article supports; drop the others one by one."""
        if self._index is None:
            self._index = ArticleIndex(self.loc)
        kept: list[str] = []
        for i, unit in enumerate(split_prose(clean_text(str(value)))):
            c = check_sentence(unit, self._index)
            if c.reason is not None:
                self.out.prose_dropped += 1
                self.out.dropped.append(Dropped(field=path, item={"text": unit, "index": i},
                                                reason=c.reason))
                continue
            self.out.support.append(Support(field=path, index=len(kept), text=unit,
                                            spans=c.spans))
            self.out.evidence.extend(Evidence(path=path, kind="supported", span=span,
                                              text=self.loc.text[span[0]:span[1]])
                                     for span in c.spans)
            kept.append(unit)
        self.out.prose_kept += len(kept)
        if not kept:
            return False, value, "no sentence is supported by the article"
        return True, " ".join(kept), ""

    def _check(self, kind: str, value: Any, path: str, context: str | None) -> tuple[bool, Any,
                                                                                   str]:
        if kind == "stated":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return False, value, "not a number"
            pool = values_in(context, self.loc.lang) if context else []
            if any(_close(float(value), v) for v in pool or self.stated_anywhere):
                return True, value, ""
            where = f"its text {context!r}" if context else "the article"
            return False, value, f"value {value} is not stated in {where}"
        text = str(value)
        if kind == "name":
            span = self.loc.name(text)
        else:
            span = self.loc.find(text, whole_words=False)
            if span is None:
                span, _ = self.loc.fuzzy(text, QUOTE_THRESHOLD)
        if span is None:
            return False, value, "not found in the article"
        words = self.loc.text[span[0]:span[1]]
        self.out.evidence.append(Evidence(path=path, kind=kind, span=span, text=words))
        return True, words, ""

    def walk(self, obj: BaseModel, prefix: str) -> tuple[dict[str, Any], list[str]]:
        """The object's data after grounding, and the paths of required fields that failed."""
        data: dict[str, Any] = {}
        failed: list[str] = []
        fields = type(obj).model_fields
        verbatim = [n for n, f in fields.items() if _marker(tuple(f.metadata)) == "verbatim"]
        context = getattr(obj, verbatim[0], None) if verbatim else None
        # check the verbatim text first: a number is then looked for in the article's words
        order = verbatim + [n for n in fields if n not in verbatim]
        for name in order:
            info = fields[name]
            value = getattr(obj, name)
            path = f"{prefix}{name}"
            kind = _marker(tuple(info.metadata))
            if kind is not None:
                ok, kept, reason = self.check(kind, value, path, context if kind == "stated"
                                              else None)
                if name in verbatim and ok and kept is not None:
                    context = kept
                if ok:
                    data[name] = kept
                    continue
                self.out.dropped.append(Dropped(field=path, item={name: value}, reason=reason))
                if info.is_required() and not _optional(info.annotation):
                    failed.append(path)
                data[name] = None
                continue
            data[name] = self.value(value, info.annotation, path)
        return {n: data[n] for n in fields}, failed

    def value(self, value: Any, annotation: Any, path: str) -> Any:
        item_ann = _list_item(annotation)
        if item_ann is not None and isinstance(value, (list, tuple)):
            return self.items(list(value), item_ann, path)
        if isinstance(value, BaseModel):
            data, failed = self.walk(value, f"{path}.")
            if failed:
                self.out.failed_required.extend(failed)
            return data
        return value.model_dump(mode="json") if isinstance(value, BaseModel) else value

    def items(self, values: list[Any], annotation: Any, path: str) -> list[Any]:
        _, kind = _split(annotation)
        kept: list[Any] = []
        for i, item in enumerate(values):
            where = f"{path}.{i}"
            if kind is not None:
                ok, value, reason = self.check(kind, item, where, None)
                if ok:
                    kept.append(value)
                else:
                    self.out.dropped.append(Dropped(field=where, item={"value": item},
                                                    reason=reason))
            elif isinstance(item, BaseModel):
                data, failed = self.walk(item, f"{where}.")
                if not failed:
                    kept.append(data)
                    continue
                # a required field failed: the whole item goes, said on each failed field
                for d in self.out.dropped:
                    if d.field in failed:
                        d.reason += f" (so item {where} is dropped)"
                        d.item = item.model_dump(mode="json")
            else:
                kept.append(item)
        return kept


def ground_model(answer: BaseModel, text: str, locator: Locator | None = None) -> Grounding:
    """Check every marked field of `answer` against `text` (pure, deterministic); its
    strings are cleaned of markup and HTML entities first."""
    answer = clean_model(answer)
    walker = _Walker(locator or Locator(text))
    data, failed = walker.walk(answer, "")
    walker.out.data = data
    walker.out.failed_required.extend(failed)
    return walker.out


def item_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a `list[Model]` field's items (None for any other field)."""
    item = _list_item(annotation)
    return None if item is None else _model_of(_split(item)[0])


def located_kinds(model: type[BaseModel]) -> list[str]:
    """The fields of `model` located in the article by span (`Verbatim` and `Name`)."""
    return [name for name, info in model.model_fields.items()
            if _marker(tuple(info.metadata)) in ("verbatim", "name")]
