"""Grounded prose (llmextract.check.prose) and the review rule (llmextract.check.review), on short
articles written for these tests."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel

from llmextract import Extractor, Supported
from llmextract.check.clean import _unchanged, clean_model, clean_text
from llmextract.check.fields import ground_model
from llmextract.check.grounding import Locator
from llmextract.check.prose import ArticleIndex, check_sentence
from llmextract.check.review import review_reason
from llmextract.fakeserver import FakeServer
from llmextract.report import build_report
from llmextract.run.output import CSV_COLUMNS, csv_row, md_section
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import ErrorInfo, Result, Summary, Trust

ARTICLE = """Harbor bridge to close for repairs

MILLBROOK (Tidewater News) - The Millbrook harbor bridge will close for 14 weeks from
March 3 so crews can replace corroded cables, city engineer Olufemi Adeyemi said on Tuesday.

The repairs will cost $8.4 million, of which the state will pay about 60 percent. Some
21,500 vehicles cross the bridge each day, and a free ferry will run every 20 minutes
while it is closed.

"We cannot keep patching cables that were installed in 1987," Adeyemi said. Shop owners on
Quay Street said they feared losing customers during the closure.

Mayor Dana Whitfield's office said the work should be finished before the summer season.
"""


@pytest.fixture(scope="module")
def idx() -> ArticleIndex:
    return ArticleIndex(Locator(ARTICLE))


def check(sentence: str, idx: ArticleIndex) -> str | None:
    return check_sentence(clean_text(sentence), idx).reason


def test_true_paraphrase_is_kept_with_spans_inside_the_article(idx: ArticleIndex) -> None:
    c = check_sentence("Millbrook's harbor bridge closes for fourteen weeks while crews "
                       "replace corroded cables.", idx)
    assert c.reason is None
    assert 1 <= len(c.spans) <= 3
    for a, b in c.spans:
        assert 0 <= a < b <= len(ARTICLE)
    assert any("corroded cables" in ARTICLE[a:b] for a, b in c.spans)


@pytest.mark.parametrize("sentence", [
    "The state will pay about 60 percent of the $8.4 million repairs.",
    "About 21,500 vehicles cross the bridge daily; a free ferry runs every 20 minutes.",
    "Adeyemi said the cables were installed in 1987.",
    "Mayor Whitfield's office expects the work to end before the summer season.",
    "Shop owners on Quay Street fear losing customers.",
    "The U.S. city of Millbrook will close its bridge on March 3.",
])
def test_true_sentences_are_kept(sentence: str, idx: ArticleIndex) -> None:
    assert check(sentence, idx) is None


@pytest.mark.parametrize(("sentence", "reason"), [
    ("The repairs will cost $12.5 million.", "number '$12.5 million' not stated"),
    ("About 30,000 vehicles cross the bridge each day.", "not stated in the article"),
    ("The bridge opened in 1962.", "number 1962 not stated"),
    ("Engineer Marta Kowalczyk said the cables were corroded.", "name Marta, Kowalczyk"),
    ("Governor Lindqvist approved the repairs.", "name Governor, Lindqvist"),
    ("Adeyemi called the bridge \"a disaster waiting to happen\".", "quoted words"),
    ("This reflects growing national concern about infrastructure investment.",
     "not supported"),
])
def test_invented_sentences_are_refused_with_a_reason(sentence: str, reason: str,
                                                      idx: ArticleIndex) -> None:
    got = check(sentence, idx)
    assert got is not None and reason in got, got


def test_acronym_spelled_out_in_the_article_is_a_name_it_states() -> None:
    text = "The Environmental Protection Agency lent the town $3 million for a new plant."
    idx = ArticleIndex(Locator(text))
    assert check("The EPA lent the town $3 million.", idx) is None
    assert check("The FDA lent the town $3 million.", idx) is not None


@pytest.mark.parametrize(("raw", "clean"), [
    ("He said &#34;no&#34; &amp; left.", 'He said "no" & left.'),
    ("A <b>bold</b> move<br>today", "A bold move today"),
    ("**Strong** and *mild* and _soft_ words", "Strong and mild and soft words"),
    ("See [the report](https://example.com/x) now", "See the report now"),
    ("&amp;#34;twice&amp;#34;", '"twice"'),
    ("snake_case_name and 3 * 4", "snake_case_name and 3 * 4"),
    ("plain text", "plain text"),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_clean_model_cleans_every_string() -> None:
    answer = ArticleSummary(summary="The &quot;harbor&quot; bridge", key_points=["**Shut**"],
                            topics=["<i>transport</i>"], entities=[
                                {"name": "AT&amp;T", "type": "organization"}])
    got = clean_model(answer)
    assert got.summary == 'The "harbor" bridge'
    assert got.key_points == ["Shut"] and got.topics == ["transport"]
    assert got.entities[0].name == "AT&T"
    untouched = ArticleSummary(summary="Plain.")
    assert clean_model(untouched) is untouched


def test_clean_model_finds_markup_in_any_nested_string() -> None:
    """The quick test before the dump-and-compare path looks at every string: a figure's
    field, a quote's speaker; an answer with none is returned as is."""
    base = {"summary": "Plain.", "figures": [{"text": "9 km", "value": 9, "describes": "x"}],
            "quotes": [{"text": "We close.", "speaker": "Ana Ruiz"}]}
    plain = ArticleSummary.model_validate(base)
    assert clean_model(plain) is plain
    marked = ArticleSummary.model_validate({**base, "quotes": [
        {"text": "We close.", "speaker": "Ana  <b>Ruiz</b>"}]})
    assert clean_model(marked).quotes[0].speaker == "Ana Ruiz"
    marked = ArticleSummary.model_validate({**base, "figures": [
        {"text": "9 km", "value": 9, "describes": "the `span`"}]})
    assert clean_model(marked).figures[0].describes == "the span"
    qualified = ArticleSummary.model_validate({**base, "figures": [
        {"text": "over 9 km", "value": 9, "describes": "x", "qualifier": "more_than"}]})
    assert clean_model(qualified) is qualified  # a lone "_" inside a word is no markup


def test_the_quick_markup_test_never_passes_a_string_clean_text_changes() -> None:
    """clean_model's quick test (clean._unchanged) against clean_text itself, on random
    strings of markup characters, underscores in and out of words, and blanks."""
    rng = random.Random(11)
    pieces = [*"ab_ *&<[]()`#\t\n\r x1é.", "more_than", "**", "__", "&amp;", "<b>", "](u)", "_a"]
    passed = 0
    for _ in range(20_000):
        strings = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
                   for _ in range(rng.randint(1, 3))]
        if _unchanged(strings):
            passed += 1
            assert all(clean_text(s) == s for s in strings), strings
    assert passed > 1_000  # the test does pass strings, so the check above means something


# --- user schema: Supported ---------------------------------------------------------------


class Brief(BaseModel):
    overview: Annotated[str, Supported]
    note: Annotated[str | None, Supported] = None


def test_supported_field_keeps_supported_sentences_and_drops_the_rest() -> None:
    answer = Brief(overview="The harbor bridge closes for 14 weeks. Engineer Marta Kowalczyk "
                   "approved 9,900 new cables.",
                   note="This reflects growing national concern about infrastructure.")
    g = ground_model(answer, ARTICLE)
    assert g.data["overview"] == "The harbor bridge closes for 14 weeks."
    assert g.data["note"] is None
    assert not g.failed_required
    fields = {d.field for d in g.dropped}
    assert fields == {"overview", "note"}
    assert any("9,900" in d.reason for d in g.dropped if d.field == "overview")
    support = [e for e in g.evidence if e.kind == "supported"]
    assert support and all(ARTICLE[e.span[0]:e.span[1]] == e.text for e in support)
    assert [s.field for s in g.support] == ["overview"]


def test_supported_required_field_with_nothing_supported_fails() -> None:
    g = ground_model(Brief(overview="Engineer Marta Kowalczyk approved 9,900 new cables."),
                     ARTICLE)
    assert g.failed_required == ["overview"]


# --- the review rule ----------------------------------------------------------------------


def _ok(**counts: int) -> Result:
    return Result(id="x", status="ok", summary=Summary(summary="s"), trust=Trust(**counts))


def test_review_rule_cases() -> None:
    assert review_reason(_ok(model_items=10, kept=8, dropped=2, prose_kept=5)) is None
    assert "most of the model's items" in (review_reason(_ok(model_items=4, kept=1,
                                                              dropped=3)) or "")
    assert "only prose" in (review_reason(_ok(prose_kept=3)) or "")
    assert "digest stands in" in (review_reason(_ok(model_items=3, kept=3,
                                                    prose_from_rules=1)) or "")
    assert "3 of 5 sentences" in (review_reason(_ok(model_items=3, kept=3, prose_kept=2,
                                                    prose_dropped=3)) or "")
    failed = Result(id="x", status="fallback", engine="rules",
                    error=ErrorInfo(type="RateLimited", message="429"))
    assert "RateLimited" in (review_reason(failed) or "")
    assert review_reason(Result(id="x", status="fallback", engine="rules")) is None
    assert "no summary" in (review_reason(Result(id="x", status="error")) or "")


def test_old_records_load_without_the_new_fields() -> None:
    old = '{"id": "a", "status": "ok", "summary": {"summary": "s"}}'
    r = Result.model_validate_json(old)
    assert r.summary_support == [] and r.trust is None and r.review is None


# --- end to end: the pipeline, csv, md and the report -------------------------------------


def _answer(**over: object) -> dict[str, object]:
    answer: dict[str, object] = {
        "title": "Harbor bridge to close for repairs", "publisher": "Tidewater News",
        "authors": [], "published": None, "url": None,
        "summary": ("The Millbrook harbor bridge will close for 14 weeks from March 3 to "
                    "replace corroded cables. The repairs cost $8.4 million, and the state "
                    "pays about 60 percent. Engineer Marta Kowalczyk said 12,000 drivers "
                    "signed a petition &#34;against&#34; the plan."),
        "key_points": ["<b>The bridge closes for 14 weeks.</b>",
                       "A free ferry will run every 20 minutes.",
                       "Governor Henrik Lindqvist pledged $3.1 million more."],
        "figures": [{"text": "$8.4 million", "value": 8400000, "unit": "USD",
                     "describes": "cost of the repairs", "qualifier": "exact",
                     "attributed_to": None}],
        "quotes": [], "entities": [{"name": "Olufemi Adeyemi", "type": "person"}],
        "topics": ["transport"],
    }
    answer.update(over)
    return answer


def _summarize(tmp_path: Path, answer: dict[str, object]) -> Result:
    (tmp_path / "bridge.json").write_text(json.dumps({
        "match": "replace corroded cables", "answers": [answer]}))
    with FakeServer(answers_dir=tmp_path) as srv:
        return Extractor(base_url=srv.base_url, api_key="sk-test",
                         use_cache=False).summarize(ARTICLE)


def test_pipeline_drops_invented_prose_and_keeps_the_truth(tmp_path: Path) -> None:
    r = _summarize(tmp_path, _answer())
    assert r.status == "ok" and r.summary is not None
    assert "Kowalczyk" not in r.summary.summary and "&#34;" not in r.summary.summary
    assert r.summary.summary.startswith("The Millbrook harbor bridge will close")
    assert r.summary.key_points == ["The bridge closes for 14 weeks.",
                                    "A free ferry will run every 20 minutes."]
    prose_drops = {d.field: d for d in r.dropped if d.field in ("summary", "key_points")}
    assert "12,000" in prose_drops["summary"].reason
    assert prose_drops["summary"].item["index"] == 2
    assert "3.1 million" in prose_drops["key_points"].reason
    assert [(s.field, s.index) for s in r.summary_support] == [
        ("summary", 0), ("summary", 1), ("key_points", 0), ("key_points", 1)]
    for s in r.summary_support:
        assert s.spans and all(0 <= a < b <= len(ARTICLE) for a, b in s.spans)
    assert r.trust is not None
    assert (r.trust.prose_kept, r.trust.prose_dropped, r.trust.prose_from_rules) == (4, 2, 0)
    assert (r.trust.model_items, r.trust.kept) == (2, 2)
    assert r.review is None
    row = dict(zip(CSV_COLUMNS, csv_row(r), strict=True))
    assert row["review"] == "" and row["prose_dropped"] == "2"


def test_all_prose_dropped_the_digest_stands_in_and_says_so(tmp_path: Path) -> None:
    r = _summarize(tmp_path, _answer(
        summary="Engineer Marta Kowalczyk said 12,000 drivers objected.",
        key_points=["Governor Henrik Lindqvist pledged $3.1 million more."]))
    assert r.status == "ok" and r.summary is not None
    assert r.summary.summary and "Kowalczyk" not in r.summary.summary
    assert r.summary.summary.split()[0] in ARTICLE and r.summary.key_points
    assert any("rules' lead sentences stand in" in w for w in r.warnings)
    assert any("rules' key points stand in" in w for w in r.warnings)
    assert r.trust is not None and r.trust.prose_from_rules == 2
    assert r.review and "digest stands in" in r.review
    for s in r.summary_support:
        assert all(0 <= a < b <= len(ARTICLE) for a, b in s.spans)
    row = dict(zip(CSV_COLUMNS, csv_row(r), strict=True))
    assert "digest stands in" in row["review"]
    assert "**Review:**" in md_section(r)


def test_report_highlights_prose_support(tmp_path: Path) -> None:
    r = _summarize(tmp_path, _answer())
    page = build_report([r], text_for=lambda _rec: ARTICLE)
    assert 'class="hl k-p"' in page and 'data-target="a1-p0"' in page
    assert "Prose support" in page
    flagged = r.model_copy(update={"review": "look at me"})
    page = build_report([flagged, r], text_for=lambda _rec: ARTICLE)
    assert "look at me" in page and 'data-review="1"' in page and 'data-review="0"' in page


@pytest.mark.parametrize(("sentence", "names"), [
    # the names the tokenisation of CAP_WORD.finditer gave before (a token ends at its second
    # apostrophe; "iPhone" is one lowercase token; a word after an opener starts a clause)
    ("The iPhone maker and eBay met Marta Kowalczyk in O'Brien's café.", ["Marta", "Kowalczyk",
                                                                         "O'Brien"]),
    ("rock'n'Roll and 3D Films, said Über.", ["Films", "Über"]),
    ("Marta Kowalczyk said so; “Harbor Bridge” closes.", ["Marta", "Kowalczyk", "Harbor",
                                                          "Bridge"]),
    ("The bridge closes.  Dana Whitfield agreed.", ["Dana", "Whitfield"]),
])
def test_names_skip_lowercase_words_but_split_tokens_as_before(sentence: str,
                                                                names: list[str]) -> None:
    from llmextract.check.prose import _names

    assert _names(sentence) == names
