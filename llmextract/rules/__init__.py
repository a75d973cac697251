"""The rule-based engine: a full summary of an article without a language model.

`extract(text)` is deterministic and pure; every figure, quote and entity it returns carries
`source="rules"` and a `span` such that `text[start:end]` is the item's text (or name).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from llmextract.rules.entities import EntityHit, find_entities
from llmextract.rules.figures import find_figures
from llmextract.rules.lead import body_sentences, is_boilerplate, key_points, lead_summary, topics
from llmextract.rules.meta import Meta, parse_meta
from llmextract.rules.quote_marks import curl_single
from llmextract.rules.quotes import QuoteHit, find_quotes
from llmextract.rules.sentences import Block, lines, sentences
from llmextract.schemas.record import GroundedEntity, GroundedFigure, GroundedQuote, Summary
from llmextract.text.langs import conventions, detect_language
from llmextract.text.numbers import NumberMatch, find_numbers

__all__ = ["RulesOutput", "digest", "extract"]

MAX_CHARS = 2_000_000


@dataclass(frozen=True)
class RulesOutput:
    summary: Summary
    figure_confidence: list[float]
    quote_confidence: list[float]
    entity_confidence: list[float]
    # the article's sentences and number phrases, for grounding the model's prose
    # (None when the rules did not read the whole text)
    sentences: list[Block] | None = None
    numbers: list[NumberMatch] | None = None
    language: str = "en"  # the ISO 639-1 code the text was read as


def _title_case(s: str) -> bool:
    words = [w for w in s.split() if w[:1].isalpha() and len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _skips(
    text: str, meta: Meta, ls: list[Block]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(spans skipped for figures and quotes, spans skipped for entities); `ls`: the text's
    lines."""
    skip = list(meta.skip)
    for ln in ls:
        if ln.text.lstrip().startswith(("Related", "Read more", "READ MORE", "http", "Tags:")):
            skip.append((ln.start, ln.end))
    if ls and len(ls[-1].text.split()) <= 8 and not ls[-1].text.rstrip().endswith((".", '"', "”")):
        skip.append((ls[-1].start, ls[-1].end))  # a trailing credit line "mkg/hc (Reuters, AFP)"
    ent_skip = [s for s in skip if not (meta.title and text[s[0] : s[1]].strip().lstrip("# ")
                                        == meta.title and not _title_case(meta.title))]
    return skip, ent_skip


def _extra_entities(text: str, meta: Meta) -> list[tuple[int, int, str]]:
    extra: list[tuple[int, int, str]] = []
    if meta.dateline_place is not None:
        extra.append((meta.dateline_place[0], meta.dateline_place[1], "location"))
    for name, typ in [(a, "person") for a in meta.authors] + [(meta.publisher, "organization")]:
        if name and "/" not in name:
            i = text.find(name)
            if i >= 0:
                extra.append((i, i + len(name), typ))
    return extra


def _dateline_city(text: str, meta: Meta, ents: list[EntityHit]) -> list[EntityHit]:
    """A dateline "SPRINGFIELD, Ill." names its city on its own too."""
    if meta.dateline_place is None:
        return ents
    a, b = meta.dateline_place
    k = text.find(",", a, b)
    name = text[a:k].strip() if k > a else ""
    if not name or any(e.name.lower() == name.lower() for e in ents):
        return ents
    out = [*ents, EntityHit(a, a + len(name), name, "location", 0.7)]
    return sorted(out, key=lambda e: e.start)


def _english_quotes(text: str, skip: list[tuple[int, int]]) -> list[QuoteHit]:
    """Quotations of English text; ASCII single marks read as British quotation marks."""
    curled = curl_single(text)
    if curled is None:
        return find_quotes(text, skip)
    return [dataclasses.replace(q, text=text[q.start:q.end])
            for q in find_quotes(curled, skip)]


def _extract(text: str, digest: bool, lang: str) -> RulesOutput:
    ls = lines(text)  # read once for the header, the footer and the skipped lines
    meta = parse_meta(text, lang, ls)
    skip, ent_skip = _skips(text, meta, ls)
    sents = sentences(text)
    numbers = find_numbers(text, lang)
    figs = find_figures(text, sents, skip, numbers)
    conv = conventions(lang)
    if conv is None:
        quotes = _english_quotes(text, skip)
        ents = _dateline_city(text, meta,
                              find_entities(text, ent_skip, _extra_entities(text, meta)))
    else:  # the other languages' rules are imported with their first article
        from llmextract.rules.intl_entities import find_entities_intl
        from llmextract.rules.intl_quotes import find_quotes_intl

        quotes = find_quotes_intl(text, conv, skip)
        # header lines (byline, dateline) name people and places too: only the title and
        # the footer stay skipped
        head_end = text.find("\n\n", text.find("\n\n") + 2) if meta.title else -1
        body_skip = [sp for sp in ent_skip if sp[0] > head_end] if head_end > 0 else ent_skip
        ents = find_entities_intl(text, conv, body_skip, _extra_entities(text, meta))
    lead, points, labels = _digest(sents, skip, [f.match.start for f in figs], text) if \
        digest else ("", [], [])
    summary = Summary(
        title=meta.title,
        publisher=meta.publisher,
        authors=meta.authors,
        published=meta.published,
        url=meta.url,
        summary=lead,
        key_points=points,
        figures=[
            GroundedFigure(text=f.match.text, value=f.match.value, unit=f.match.unit,
                           describes=f.describes, qualifier=f.match.qualifier,  # type: ignore[arg-type]
                           attributed_to=f.attributed_to, span=(f.match.start, f.match.end),
                           source="rules")
            for f in figs
        ],
        quotes=[GroundedQuote(text=q.text, speaker=q.speaker, span=(q.start, q.end),
                              source="rules") for q in quotes],
        entities=[GroundedEntity(name=e.name, type=e.type, span=(e.start, e.end),  # type: ignore[arg-type]
                                 source="rules") for e in ents],
        topics=labels,
    )
    return RulesOutput(summary, [f.confidence for f in figs], [q.confidence for q in quotes],
                       [e.confidence for e in ents], sents, numbers, lang)


def _digest(sents: list[Block], skip: list[tuple[int, int]], figure_starts: list[int],
            text: str) -> tuple[str, list[str], list[str]]:
    body = body_sentences(sents, skip)
    lead = lead_summary(body)
    return lead, key_points(body, figure_starts, lead), topics(text)


def digest(text: str) -> tuple[str, list[str], list[str]]:
    """Only the prose part of the rules' summary: (lead summary, key points, topics)."""
    out = extract(text)
    return out.summary.summary, out.summary.key_points, out.summary.topics


def extract(text: str, *, digest: bool = True, lang: str | None = None) -> RulesOutput:
    """A full rule-based summary of `text`. Never raises on any str.

    `digest=False` leaves out the lead summary, key points and topics (about a tenth of
    the work), for callers that have the model's and only need the evidence. `lang` (an
    ISO 639-1 code) says how to read the text; None: detected."""
    if not isinstance(text, str):
        text = str(text)
    lang = lang or detect_language(text)
    try:
        out = _extract(text[:MAX_CHARS], digest, lang)
        if len(text) > MAX_CHARS:
            return RulesOutput(out.summary, out.figure_confidence, out.quote_confidence,
                               out.entity_confidence, language=lang)
        return out
    except Exception:
        return RulesOutput(Summary(summary=""), [], [], [], language=lang)


__all__ += ["is_boilerplate"]
