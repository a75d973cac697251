"""Reconciliation of a grounded model answer with the rule engine (pure units)."""

from __future__ import annotations

import datetime as dt

from llmextract.check.grounding import Locator, ground
from llmextract.check.reconcile import reconcile
from llmextract.rules import extract
from llmextract.schemas.news import ArticleSummary, Entity, Figure, Quote

ARTICLE = (
    "## Dam repairs to cost $2.4 billion, agency says\n\n"
    "By Mara Quint\n\n"
    "Published March 14, 2025\n\n"
    "WELLINGTON (Reuters) - Repairs to the Kaitoa dam will cost $2.4 billion and take "
    "more than 6 years, the national water agency said on Friday.\n\n"
    "\u201cThe dam is safe today, but it will not stay safe without this work,\u201d agency "
    "chief Hemi Walker told reporters.\n\n"
    "\u201cWe are asking for patience,\u201d Walker added. About 30,000 residents live "
    "downstream.\n\n"
    "Source: https://news.example.org/dam-repairs\n"
)


def model_answer(**kw: object) -> ArticleSummary:
    base: dict[str, object] = {
        "title": "Dam repairs to cost $2.4 billion, agency says",
        "summary": "Repairs to the Kaitoa dam will cost $2.4 billion.",
        "figures": [Figure(text="$2.4 billion", value=2.4e9, describes="repair cost")],
        "quotes": [Quote(text="The dam is safe today, but it will not stay safe without "
                              "this work", speaker="Hemi Walker")],
        "entities": [Entity(name="Hemi Walker", type="person")],
    }
    base.update(kw)
    return ArticleSummary.model_validate(base)


def run(answer: ArticleSummary) -> tuple[object, list[object], str]:
    loc = Locator(ARTICLE)
    rules = extract(ARTICLE)
    grounded = ground(answer, ARTICLE, loc,
                      quote_regions=[q.span for q in rules.summary.quotes if q.span],
                      figure_regions=[f.span for f in rules.summary.figures if f.span])
    summary, dropped, engine = reconcile(answer, grounded, rules, loc)
    return summary, dropped, engine  # type: ignore[return-value]


def test_items_found_by_both_engines_are_marked_both() -> None:
    summary, _, _ = run(model_answer())
    fig = summary.figures[0]  # type: ignore[attr-defined]
    assert fig.text == "$2.4 billion" and fig.source == "both"
    assert summary.quotes[0].source == "both"  # type: ignore[attr-defined]


def test_confident_rule_items_the_model_missed_are_added() -> None:
    summary, _, engine = run(model_answer())
    added = [q for q in summary.quotes if q.source == "rules"]  # type: ignore[attr-defined]
    assert [q.text for q in added] == ["We are asking for patience"]
    assert engine == "llm+rules"
    for item in [*summary.figures, *summary.quotes]:  # type: ignore[attr-defined]
        assert ARTICLE[item.span[0]:item.span[1]] == item.text


def test_items_are_in_article_order() -> None:
    summary, _, _ = run(model_answer())
    starts = [q.span[0] for q in summary.quotes]  # type: ignore[attr-defined]
    assert starts == sorted(starts)


def test_stated_date_and_url_win_over_the_model() -> None:
    summary, dropped, _ = run(model_answer(published="2025-03-15",
                                           url="https://example.com/invented"))
    assert summary.published == dt.date(2025, 3, 14)  # type: ignore[attr-defined]
    assert summary.url == "https://news.example.org/dam-repairs"  # type: ignore[attr-defined]
    fields = {d.field: d.reason for d in dropped}  # type: ignore[attr-defined]
    assert "2025-03-14" in fields["published"] and fields["url"] == "not in the article"


def test_model_metadata_the_text_does_not_support_is_dropped() -> None:
    answer = model_answer(authors=["Mara Quint", "John Invented"], publisher="BBC")
    summary, dropped, _ = run(answer)
    assert summary.authors == ["Mara Quint"]  # type: ignore[attr-defined]
    assert summary.publisher == "Reuters"  # type: ignore[attr-defined]
    assert {(d.field, d.reason) for d in dropped} >= {  # type: ignore[attr-defined]
        ("authors", "not in the article"), ("publisher", "not in the article")}


def test_quote_without_grounded_speaker_takes_the_rules_speaker() -> None:
    answer = model_answer(quotes=[Quote(text="We are asking for patience", speaker="Bob Nobody")])
    summary, dropped, _ = run(answer)
    q = next(q for q in summary.quotes if q.text == "We are asking for patience")  # type: ignore[attr-defined]
    assert q.speaker and "Walker" in q.speaker
    assert any(d.field == "quotes.speaker" for d in dropped)  # type: ignore[attr-defined]


def test_reconciliation_is_deterministic() -> None:
    first = run(model_answer())
    second = run(model_answer())
    assert first[0].model_dump_json() == second[0].model_dump_json()  # type: ignore[attr-defined]
    assert first[1] == second[1] and first[2] == second[2]


def test_prose_the_model_left_out_comes_from_the_rules() -> None:
    answer = model_answer(summary=" ", key_points=[], topics=[])
    loc = Locator(ARTICLE)
    rules = extract(ARTICLE, digest=False)  # as the pipeline calls it on the model path
    grounded = ground(answer, ARTICLE, loc)
    summary, _, _ = reconcile(answer, grounded, rules, loc)
    assert "Kaitoa dam" in summary.summary
    assert summary.key_points and summary.topics
