"""A casualty report: who was killed or hurt where, each number backed by the article.

    llmextract summarize articles/ --schema schemas/examples/casualty.py:CasualtyReport
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from llmextract import Name, Stated, Verbatim, register_rules
from llmextract.rules import extract


class CasualtyCount(BaseModel):
    """One casualty figure the article states."""

    text: Annotated[str, Verbatim] = Field(
        description="The article's exact phrase stating the number, e.g. 'at least 87 people'.")
    count: Annotated[int, Stated] = Field(description="The number as a plain integer.")
    kind: str = Field(description="killed, injured, missing or displaced.")


class Witness(BaseModel):
    """A direct quotation from someone at the scene or in charge."""

    quote: Annotated[str, Verbatim] = Field(
        description="The quoted words exactly as printed, without quotation marks.")
    speaker: str | None = Field(default=None, description="Who said it, as named.")


class CasualtyReport(BaseModel):
    """The human toll of an event reported in a news article, using only what it states."""

    event: str = Field(description="What happened, in a few words (e.g. 'earthquake').")
    place: Annotated[str, Name] = Field(description="Where it happened, as written.")
    counts: list[CasualtyCount] = Field(default_factory=list,
                                        description="Every casualty figure stated.")
    witnesses: list[Witness] = Field(default_factory=list,
                                     description="Direct quotations about the event.")


_KINDS = (
    ("killed", ("kill", "dead", "died", "death", "bodies")),
    ("injured", ("injur", "wounded", "hurt")),
    ("missing", ("missing",)),
    ("displaced", ("displaced", "homeless", "evacuat", "shelter", "tents", "fled", "flee")),
)


_NOT_PEOPLE = ("village", "house", "home", "building", "km", "mile", "hour", "day", "year",
               "percent", "usd", "eur", "gbp", "aftershock", "helicopter", "road")


def _kind(sentence: str, offset: int) -> str | None:
    """The casualty word nearest to the figure (at `offset` in the sentence); a word after
    the figure ("400 people were injured") counts as four times nearer than one before it."""
    best: tuple[int, str] | None = None
    for kind, stems in _KINDS:
        for stem in stems:
            at = sentence.find(stem)
            while at >= 0:
                distance = at - offset if at >= offset else 4 * (offset - at)
                if best is None or distance < best[0]:
                    best = (distance, kind)
                at = sentence.find(stem, at + 1)
    return best[1] if best else None


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right = min((i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0),
                default=len(text))
    return text[left + 1:right].lower()


@register_rules(CasualtyReport)
def casualty_rules(text: str) -> CasualtyReport:
    """The stand-in when no model can be used: casualty figures, places and quotations
    found by llmextract's rule engine (whole-number figures about people, typed by the
    words around them)."""
    summary = extract(text).summary
    counts = []
    for fig in summary.figures:
        if fig.span is None or fig.value is None or not float(fig.value).is_integer():
            continue
        if any(word in (fig.unit or "").lower() for word in _NOT_PEOPLE):
            continue
        around = _sentence(text, *fig.span)
        kind = _kind(around, around.find(fig.text.lower()))
        if kind is not None:
            counts.append(CasualtyCount(text=fig.text, count=int(fig.value), kind=kind))
    places = [e.name for e in summary.entities if e.type == "location"]
    return CasualtyReport(
        event=summary.title or "event",
        place=places[0] if places else "unknown",
        counts=counts,
        witnesses=[Witness(quote=q.text, speaker=q.speaker) for q in summary.quotes],
    )
