"""Grounding: every kept item is located in the article; everything else is dropped with a
reason. Articles here are written for the tests."""

from __future__ import annotations

import pytest

from llmextract.check.grounding import Locator, ground
from llmextract.schemas.news import ArticleSummary, Entity, Figure, Quote

ARTICLE = (
    "LISBON, May 4 (Reuters) - Storms flooded more than 2,000 homes in northern Portugal, "
    "officials said on Sunday, and around 1,100 people spent the night in shelters.\n\n"
    "\u201cWe have never seen water rise this fast,\u201d said Mayor Ana  Ribeiro of Braga. "
    "The government released $41.1 billion in emergency credit lines, up 7 percent.\n\n"
    "The Civil Protection Authority said seven rivers had burst their banks. "
    "\"Stay away from the riverbanks,\" it said."
)


def fig(text: str, value: float | None, **kw: object) -> Figure:
    return Figure(text=text, value=value, describes=kw.pop("describes", "x"), **kw)  # type: ignore[arg-type]


def answer(**kw: object) -> ArticleSummary:
    return ArticleSummary(summary="s", **kw)  # type: ignore[arg-type]


def check_spans(result: object, text: str) -> None:
    for f in result.figures:  # type: ignore[attr-defined]
        assert text[f.span[0]:f.span[1]] == f.text
    for q in result.quotes:  # type: ignore[attr-defined]
        assert text[q.span[0]:q.span[1]] == q.text
    for e in result.entities:  # type: ignore[attr-defined]
        assert text[e.span[0]:e.span[1]] == e.name


def test_exact_figure_kept_with_span_and_normalised_value() -> None:
    got = ground(answer(figures=[fig("around 1,100 people", 1100)]), ARTICLE)
    assert [f.value for f in got.figures] == [1100]
    assert isinstance(got.figures[0].value, int)
    check_spans(got, ARTICLE)
    assert got.dropped == []


def test_contradicted_value_is_dropped_with_reason() -> None:
    got = ground(answer(figures=[fig("around 1,100 people", 1200)]), ARTICLE)
    assert got.figures == []
    assert got.dropped[0].field == "figures"
    assert "contradicts" in got.dropped[0].reason and "1100" in got.dropped[0].reason


def test_invented_figure_is_dropped() -> None:
    got = ground(answer(figures=[fig("about 12,000 troops", 12000)]), ARTICLE)
    assert got.figures == [] and got.dropped[0].reason == "not found in the article"


def test_money_mantissa_is_normalised_to_the_stated_value() -> None:
    got = ground(answer(figures=[fig("$41.1 billion", 41.1, unit="USD")]), ARTICLE)
    assert got.figures[0].value == 41_100_000_000


def test_percentage_given_as_fraction_is_normalised() -> None:
    got = ground(answer(figures=[fig("7 percent", 0.07)]), ARTICLE)
    assert got.figures[0].value == 7


def test_spelled_out_number() -> None:
    got = ground(answer(figures=[fig("seven rivers", 7)]), ARTICLE)
    assert got.figures[0].value == 7


def test_rephrased_figure_snaps_to_the_article_phrase() -> None:
    got = ground(answer(figures=[fig("2,000 flooded homes", 2000)]), ARTICLE)
    assert len(got.figures) == 1
    assert "2,000" in got.figures[0].text
    check_spans(got, ARTICLE)


def test_curly_quote_given_with_straight_marks_becomes_verbatim() -> None:
    q = Quote(text="We have never seen water rise this fast,", speaker="Ana Ribeiro")
    got = ground(answer(quotes=[q]), ARTICLE)
    assert got.quotes[0].text == "We have never seen water rise this fast"
    assert got.quotes[0].speaker == "Ana Ribeiro"
    check_spans(got, ARTICLE)


def test_whitespace_and_case_differences_are_folded() -> None:
    got = ground(answer(entities=[Entity(name="mayor ana ribeiro", type="person")]), ARTICLE)
    assert got.entities[0].name == "Mayor Ana  Ribeiro"
    check_spans(got, ARTICLE)


def test_near_verbatim_quote_snaps_to_article_words() -> None:
    q = Quote(text="We have never seen the water rise this fast", speaker=None)
    got = ground(answer(quotes=[q]), ARTICLE)
    assert got.quotes and got.quotes[0].text.startswith("We have never seen water")
    check_spans(got, ARTICLE)


def test_paraphrased_and_fabricated_quotes_are_dropped() -> None:
    quotes = [
        Quote(text="Water has never risen so quickly here", speaker="Ana Ribeiro"),
        Quote(text="The army will rebuild every home by June", speaker="Mayor Ana Ribeiro"),
    ]
    got = ground(answer(quotes=quotes), ARTICLE)
    assert got.quotes == []
    assert [d.field for d in got.dropped] == ["quotes", "quotes"]


def test_speaker_not_in_article_is_removed_and_reported() -> None:
    q = Quote(text="Stay away from the riverbanks", speaker="Prime Minister Costa")
    got = ground(answer(quotes=[q]), ARTICLE)
    assert got.quotes[0].speaker is None
    assert got.dropped[0].field == "quotes.speaker"


@pytest.mark.parametrize("name", ["Portugal", "Braga", "the Civil Protection Authority"])
def test_entities_found(name: str) -> None:
    got = ground(answer(entities=[Entity(name=name, type="location")]), ARTICLE)
    assert len(got.entities) == 1
    check_spans(got, ARTICLE)


def test_invented_entity_and_partial_word_are_dropped() -> None:
    ents = [Entity(name="Antonio Costa", type="person"), Entity(name="Lis", type="location")]
    got = ground(answer(entities=ents), ARTICLE)
    assert got.entities == [] and len(got.dropped) == 2


def test_duplicates_are_dropped_not_silently_merged() -> None:
    got = ground(answer(
        figures=[fig("around 1,100 people", 1100), fig("around 1,100 people", 1100)],
        entities=[Entity(name="Portugal", type="location"),
                  Entity(name="portugal", type="location")]), ARTICLE)
    assert len(got.figures) == 1 and len(got.entities) == 1
    assert sorted(d.reason for d in got.dropped) == [
        "duplicate of an earlier entity", "duplicate of an earlier figure"]


def test_locator_fuzzy_reports_score_below_threshold() -> None:
    span, score = Locator(ARTICLE).fuzzy("completely unrelated words here", 0.86)
    assert span is None and score < 0.5


def test_template_syntax_in_article_is_plain_text() -> None:
    text = "The page showed {{ budget }} and {% raw %} markers. \u201cIt was a bug,\u201d Lee said."
    got = ground(answer(quotes=[Quote(text="It was a bug", speaker="Lee")]), text)
    assert got.quotes[0].span is not None
    check_spans(got, text)


def test_narrative_text_passed_off_as_a_quote_is_dropped() -> None:
    q = Quote(text="Storms flooded more than 2,000 homes in northern Portugal", speaker="x")
    got = ground(answer(quotes=[q]), ARTICLE)
    assert got.quotes == [] and "not a quotation" in got.dropped[0].reason


def test_partial_quote_inside_marks_is_kept() -> None:
    q = Quote(text="never seen water rise", speaker=None)
    got = ground(answer(quotes=[q]), ARTICLE)
    assert got.quotes and got.quotes[0].text == "never seen water rise"


def test_value_is_not_rescaled_to_an_unrelated_number() -> None:
    text = "Shares closed up 76 cents, or 2.1 percent, at $37.10."
    got = ground(answer(figures=[fig("up 76 cents, or 2.1 percent", 2.1)]), text)
    assert got.figures[0].value == 2.1


def test_quote_with_ellipsis_is_kept_as_the_article_words() -> None:
    text = ('"We have never seen water rise this fast, and we have lived here all our lives, '
            'every one of us," said Ana Ribeiro.')
    q = Quote(text="We have never seen water rise this fast ... every one of us", speaker=None)
    got = ground(answer(quotes=[q]), text)
    assert got.quotes[0].text.startswith("We have never") and got.quotes[0].text.endswith("us")
    check_spans(got, text)


def test_entity_with_other_separators() -> None:
    text = "Leader Kim Jong-un met officials in Pyongyang."
    got = ground(answer(entities=[Entity(name="Kim Jong Un", type="person")]), text)
    assert got.entities[0].name == "Kim Jong-un"


@pytest.mark.parametrize("text", [
    "  He said: \u201cHello\u2014World\u2026\u201d\n\n  \u201cOk.\u201d ",
    "\u0130stanbul \u00a0 caf\u00e9\u00ad \ufeffX\t\ty",
    "ABC  \n def\u2019s \u2013 1,100",
])
def test_fast_fold_equals_the_character_loop(text: str) -> None:
    from llmextract.text.fold import _fold_slow, fold

    folded = fold(text)
    slow_text, slow_origin = _fold_slow(text)
    assert folded.text == slow_text and folded.origin == slow_origin


def test_numbers_and_dates_written_in_words_are_read_not_reasked() -> None:
    assert Figure(text="x", value="1,100", describes="d").value == 1100  # type: ignore[arg-type]
    assert Figure(text="x", value="$1.7 billion", describes="d").value == 1_700_000_000  # type: ignore[arg-type]
    assert str(ArticleSummary(summary="s", published="December 23, 2024").published) == (  # type: ignore[arg-type]
        "2024-12-23")
    with pytest.raises(ValueError):
        Figure(text="x", value="a great many", describes="d")  # type: ignore[arg-type]
    strict = ArticleSummary.model_validate_json('{"summary": "s", "published": "2024-12-23"}',
                                                strict=True)
    assert str(strict.published) == "2024-12-23"
