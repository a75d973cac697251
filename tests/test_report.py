"""The HTML report (llmextract.report): structure, escaping, robustness, speed."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from llmextract.read.inputs import text_sha256
from llmextract.report import TextFinder, build_report, write_report
from llmextract.report.data import reason_category
from llmextract.run.costs import estimate_cost

HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><b>bold</b>',
           "&amp;", "' onmouseover='alert(2)"]

ARTICLE = (
    "Acme Corp said on Monday that profit rose 7 percent to $1.7 billion. "
    '"We sold more than 1,000 rockets this year," chief executive Wile Coyote said in Phoenix. '
    "Analysts at Roadrunner Research expected growth of about 5 percent."
)


class Page(HTMLParser):
    """Every start tag with its attributes, the text outside scripts, and the text panels."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.marks: list[dict[str, str | None]] = []
        self.mark_text: dict[str, str] = {}
        self.panels: list[str] = []  # the text inside each div.text, marks included
        self._stack: list[str] = []
        self._open_marks: list[str] = []
        self._panel: list[str] | None = None
        self._panel_depth = 0
        self._in_script = False
        self.feed(source)
        self.close()
        assert not self._open_marks, "unclosed <mark>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self._in_script = True
        if tag == "div":
            if self._panel is not None:
                self._panel_depth += 1
            elif "text" in (a.get("class") or "").split():
                self._panel, self._panel_depth = [], 1
        if tag == "mark":
            self.marks.append(a)
            self._open_marks.append(a.get("data-target") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "div" and self._panel is not None:
            self._panel_depth -= 1
            if self._panel_depth == 0:
                self.panels.append("".join(self._panel))
                self._panel = None
        if tag == "mark":
            assert self._open_marks, "</mark> without <mark>"
            self._open_marks.pop()

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
            return
        self.text.append(data)
        if self._panel is not None:
            self._panel.append(data)
        for target in self._open_marks:
            self.mark_text[target] = self.mark_text.get(target, "") + data

    def all_text(self) -> str:
        return "".join(self.text)

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and (
            cls is None or cls in (a.get("class") or "").split())]


def span_of(text: str, words: str, start: int = 0) -> list[int]:
    at = text.index(words, start)
    return [at, at + len(words)]


def record(rid: str = "acme", text: str = ARTICLE, **extra: Any) -> dict[str, Any]:
    """A record over `text` with a figure nested in a quote and an overlapping entity."""
    figures: list[dict[str, Any]] = [
        {"text": "7 percent", "value": 7, "unit": "percent", "describes": "profit growth",
         "qualifier": "exact", "attributed_to": "Acme Corp", "source": "both"},
        {"text": "$1.7 billion", "value": 1.7e9, "unit": "USD", "describes": "profit",
         "qualifier": "exact", "attributed_to": None, "source": "llm"},
        {"text": "more than 1,000 rockets", "value": 1000, "unit": "rockets",
         "describes": "rockets sold", "qualifier": "more_than", "attributed_to": "Wile Coyote",
         "source": "rules"},
    ]
    quotes: list[dict[str, Any]] = [
        {"text": "We sold more than 1,000 rockets this year", "speaker": "Wile Coyote",
         "source": "both"}]
    entities: list[dict[str, Any]] = [
        {"name": "Acme Corp", "type": "organization", "source": "both"},
        {"name": "Wile Coyote", "type": "person", "source": "llm"},
        {"name": "Phoenix", "type": "location", "source": "rules"},
        {"name": "Roadrunner Research", "type": "organization", "source": "both"}]
    for item in figures + quotes:
        item["span"] = span_of(text, item["text"]) if item["text"] in text else None
    for item in entities:
        item["span"] = span_of(text, item["name"]) if item["name"] in text else None
    rec: dict[str, Any] = {
        "id": rid, "input": None, "status": "ok", "engine": "llm+rules",
        "summary": {"title": "Acme profit rises", "publisher": "Wire", "authors": ["A. Writer"],
                    "published": "2024-05-06", "url": "https://example.com/acme?a=1&b=2",
                    "summary": "Acme's profit rose.", "key_points": ["Profit rose 7 percent."],
                    "figures": figures, "quotes": quotes, "entities": entities,
                    "topics": ["business"]},
        "dropped": [{"field": "figures", "item": {"text": "12 rockets", "value": 12},
                     "reason": "not found in the article"},
                    {"field": "quotes", "item": {"text": "We sold rockets"},
                     "reason": "not verbatim: closest article words match only 64%"}],
        "model": "gpt-4o-mini", "prompt_version": "summarize/1", "cached": False,
        "usage": {"requests": 1, "prompt_tokens": 800, "completion_tokens": 600},
        "error": None, "elapsed_ms": 12.5, "text": text,
    }
    rec.update(extra)
    return rec


def items_with_spans(rec: dict[str, Any]) -> int:
    s = rec["summary"]
    return sum(1 for k in ("figures", "quotes", "entities") for it in s[k] if it["span"])


# -- structure -------------------------------------------------------------------------------

def test_structure_sections_tables_marks_and_legend() -> None:
    recs = [record("one"), record("two", status="fallback", engine="rules")]
    page = Page(build_report(recs))
    sections = page.find("section", "article")
    assert [s["id"] for s in sections] == ["a1", "a2"]
    assert [s["data-status"] for s in sections] == ["ok", "fallback"]
    assert len(page.find("details")) == 2
    assert all("open" in d for d in page.find("details"))  # few articles: open
    # one row per item in each table (thead rows are separate)
    html = build_report([record("one")])
    for cls, n in (("t-f", 3), ("t-q", 1), ("t-e", 4)):
        table = re.search(rf'<table class="items {cls}">.*?</table>', html, re.S)
        assert table is not None
        assert table.group(0).count("<tr") - 1 == n
    # every located item has exactly one mark (no crossing spans here), ids a1-f0 ...
    one = Page(html)
    assert len(one.marks) == items_with_spans(record()) == 8
    ids = {m["id"] for m in one.marks}
    assert ids == {"a1-f0", "a1-f1", "a1-f2", "a1-q0", "a1-e0", "a1-e1", "a1-e2", "a1-e3"}
    # each mark holds exactly the item's words, the panel holds exactly the article text
    assert one.mark_text["a1-f2"] == "more than 1,000 rockets"
    assert one.mark_text["a1-q0"] == "We sold more than 1,000 rockets this year"
    assert one.panels == [ARTICLE]
    # rows point at their marks
    rows = [a for t, a in one.tags if t == "tr" and a.get("data-target")]
    assert {r["data-target"] for r in rows} == ids
    assert {m["data-target"] for m in one.marks} == ids
    # legends: kinds and sources
    legend = re.search(r'<div class="legend">.*?</div>', html, re.S)
    assert legend is not None
    for word in ("figure", "quote", "entity", "llm", "rules", "both"):
        assert word in legend.group(0)
    assert {"k-f", "k-q", "k-e"} <= {c for m in one.marks for c in (m["class"] or "").split()}
    assert one.find("tr", "src-rules") and one.find("tr", "src-llm") and one.find("tr", "src-both")


def test_crossing_spans_stay_well_formed() -> None:
    text = "alpha beta gamma delta"
    rec = record(text=text)
    rec["summary"]["quotes"] = [{"text": "alpha beta gamma", "speaker": None, "source": "llm",
                                 "span": [0, 16]}]
    rec["summary"]["entities"] = [{"name": "gamma delta", "type": "other", "source": "rules",
                                   "span": [11, 22]},
                                  {"name": "beta", "type": "other", "source": "both",
                                   "span": [6, 10]}]
    rec["summary"]["figures"] = [{"text": "alpha beta gamma", "value": None, "describes": "x",
                                  "source": "llm", "span": [0, 16]}]
    page = Page(build_report([rec]))  # Page asserts that marks nest properly
    assert page.panels == [text]
    assert page.mark_text["a1-e0"] == "gamma delta"  # split in two pieces, same target
    assert len([m for m in page.marks if m["data-target"] == "a1-e0"]) == 2
    assert len([m for m in page.marks if m.get("id") == "a1-e0"]) == 1
    assert page.mark_text["a1-q0"] == page.mark_text["a1-f0"] == "alpha beta gamma"


def test_overview_numbers() -> None:
    recs = [record("a"), record("b", cached=True, usage={"requests": 0}),
            record("c", status="error", summary=None, engine=None,
                   error={"type": "InputError", "message": "empty article"}, dropped=[]),
            record("d", model="my-local-model")]
    page = Page(build_report(recs))
    stats = {}
    for m in re.finditer(r'<div class="stat"><b>([^<]*)</b><span>([^<]*)</span>',
                         build_report(recs)):
        stats[m.group(2)] = m.group(1)
    assert stats["articles"] == "4"
    assert stats["ok"] == "3" and stats["error"] == "1" and stats["fallback"] == "0"
    assert stats["cached"] == "1"
    assert stats["requests"] == "3"
    assert stats["prompt tokens"] == "2,400" and stats["completion tokens"] == "1,800"
    cost = estimate_cost("gpt-4o-mini", 1600, 1200)
    assert cost is not None
    assert stats["estimated cost (partial)"] == f"${cost:,.4f}"
    text = page.all_text()
    assert "unknown price" in text and "my-local-model" in text
    assert "figures — not found in the article" in text
    assert "quotes — not verbatim" in text
    assert "empty article" in text  # the error message
    assert "llm+rules" in text


def test_reason_categories() -> None:
    assert reason_category("not verbatim: closest article words match only 64%") == "not verbatim"
    assert reason_category("value 1.2e+09 contradicts its text '$1.7 billion' (which states "
                           "1700000000)") == "value N contradicts its text"
    assert reason_category(None) == "no reason given"


# -- safety ----------------------------------------------------------------------------------

def hostile_record() -> dict[str, Any]:
    """A valid record with hostile words in every free-text field (the typed ones, such as
    status, source or a figure's value, are checked when the record is read)."""
    evil = " ".join(HOSTILE)
    text = f"Headline {evil}\n\nThe mayor said \"{HOSTILE[0]} is fine\" at City Hall {HOSTILE[1]}."
    rec = record(f"id-{HOSTILE[2]}", text=text)
    s = rec["summary"]
    s.update(title=f"T {HOSTILE[0]}", publisher=HOSTILE[1], authors=[HOSTILE[2]],
             published=None, url=f"javascript:alert(1)//{HOSTILE[4]}",
             summary=evil, key_points=HOSTILE, topics=HOSTILE)
    s["quotes"] = [{"text": f"{HOSTILE[0]} is fine", "speaker": HOSTILE[1], "source": "llm",
                    "span": span_of(text, f"{HOSTILE[0]} is fine")}]
    s["entities"] = [{"name": HOSTILE[1], "type": "other", "source": "rules",
                      "span": span_of(text, HOSTILE[1], 20)}]
    s["figures"] = [{"text": HOSTILE[2], "value": 3, "unit": HOSTILE[4],
                     "describes": HOSTILE[0], "qualifier": "exact",
                     "attributed_to": HOSTILE[2], "source": "both", "span": [0, 8]}]
    rec.update(status="fallback", engine="rules", model=HOSTILE[2], input=HOSTILE[4],
               prompt_version=HOSTILE[3], review=HOSTILE[1],
               error={"type": HOSTILE[0], "message": HOSTILE[1]},
               dropped=[{"field": HOSTILE[0], "item": {"text": HOSTILE[1]},
                         "reason": HOSTILE[2]}],
               summary_support=[{"field": HOSTILE[0], "index": 0, "text": HOSTILE[1],
                                 "spans": [[0, 8]]}])
    return rec


def assert_safe(html: str) -> Page:
    page = Page(html)
    scripts = page.find("script")
    assert len(scripts) == 1 and scripts[0] == {}
    for tag, attrs in page.tags:
        assert tag not in ("img", "iframe", "object", "embed", "base", "link"), tag
        for name in attrs:
            assert not name.startswith("on"), (tag, attrs)
            assert name != "style", (tag, attrs)
        href = attrs.get("href") or ""
        assert not href.lower().startswith("javascript"), href
    return page


def test_hostile_text_is_shown_not_run() -> None:
    html = build_report([hostile_record()], title=f"Report {HOSTILE[0]}")
    page = assert_safe(html)
    text = page.all_text()
    for evil in HOSTILE:
        assert evil in text
    assert "javascript:alert(1)" in text  # the URL is shown as text, not linked
    assert page.panels[0].startswith("Headline <script>")
    assert page.mark_text["a1-q0"] == f"{HOSTILE[0]} is fine"
    # the record's text never lands in the script block
    assert "alert" not in "".join(page.scripts)
    assert "<b>bold" not in html and "<img" not in html
    section = page.find("section", "article")[0]
    assert section["data-status"] == "fallback"


def test_hostile_typed_fields_are_refused_when_read(tmp_path: Path) -> None:
    """A status, source or entity type that is not one of the known words never reaches
    the page as a class or attribute: the record is skipped, and its reason shown as text."""
    recs = []
    for change in ({"status": HOSTILE[0]}, {"engine": HOSTILE[1]}):
        rec = hostile_record()
        rec.update(change)
        recs.append(rec)
    for key, value in (("source", HOSTILE[4]), ("type", HOSTILE[2])):
        rec = hostile_record()
        rec["summary"]["entities"][0][key] = value
        recs.append(rec)
    page = assert_safe(build_report([*recs, hostile_record()]))
    assert [s["data-status"] for s in page.find("section", "article")] == ["fallback"]
    text = page.all_text()
    for n in (1, 2, 3, 4):
        assert f"record {n} is not a result record and was skipped" in text
    assert HOSTILE[0] in text  # the refused value, quoted in the reason, as text
    results = tmp_path / "out.jsonl"
    results.write_text("\n".join(json.dumps(r) for r in [*recs, hostile_record()]) + "\n",
                       encoding="utf-8")
    stats = write_report(results, tmp_path / "r.html")
    assert stats.articles == 1 and stats.bad_lines == [1, 2, 3, 4]
    page = assert_safe((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "4 line(s)" in page.all_text() and "line 1: status" in page.all_text()


def test_csp_allows_only_the_page_own_style_and_script() -> None:
    html = build_report([record()])
    page = Page(html)
    metas = [a for a in page.find("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = metas[0]["content"] or ""
    assert "default-src 'none'" in policy and "http" not in policy
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert script is not None and style is not None
    for block in (script.group(1), style.group(1)):
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    # nothing loads from anywhere: no src attributes, only the article URL as an http link
    assert not [a for _, a in page.tags if "src" in a]
    links = [a for _, a in page.tags if (a.get("href") or "").startswith("http")]
    assert [a["href"] for a in links] == ["https://example.com/acme?a=1&b=2"]
    assert links[0]["rel"] == "noopener noreferrer"


# -- robustness ------------------------------------------------------------------------------

def test_missing_text_says_so_and_keeps_tables(tmp_path: Path) -> None:
    rec = record()
    del rec["text"]
    rec["input"], rec["text_sha256"] = "gone/away.txt", text_sha256(ARTICLE)
    html = build_report([rec], text_for=TextFinder(tmp_path))
    page = assert_safe(html)
    assert "Article text not available (file missing or changed)" in page.all_text()
    assert page.marks == []
    assert len(page.find("tr", "unlocated")) == 8
    assert not [a for t, a in page.tags if t == "tr" and a.get("data-target")]


def test_text_from_input_file_and_jsonl_line(tmp_path: Path) -> None:
    (tmp_path / "art.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode())  # BOM dropped
    (tmp_path / "arts.jsonl").write_text(
        "\n" + json.dumps({"id": "x", "text": ARTICLE}) + "\n", encoding="utf-8")
    a, b, c = record("a"), record("b"), record("c")
    for rec in (a, b, c):
        del rec["text"]
        rec["text_sha256"] = text_sha256(ARTICLE)
    a["input"], b["input"], c["input"] = "art.txt", "arts.jsonl:2", "arts.jsonl:9"
    finder = TextFinder(tmp_path)
    assert finder(a) == ARTICLE and finder(b) == ARTICLE
    assert finder(c) is None
    page = Page(build_report([a, b, c], text_for=finder))
    assert page.panels == [ARTICLE, ARTICLE]
    assert "file missing or changed" in page.all_text()


def test_spans_out_of_range_are_ignored_when_highlighting() -> None:
    rec = record()
    out_of_range: list[Any] = [[5, 2], [-1, 3], [0, 10**9], [4, 4], None]
    rec["summary"]["figures"] = [
        {"text": "t", "value": None, "describes": "x", "source": "llm", "span": span}
        for span in out_of_range]
    rec["summary"]["quotes"] = []
    rec["summary"]["entities"] = [{"name": "Acme", "type": "other", "span": [0, 4]}]
    rec["summary_support"] = [{"field": "summary", "index": -3, "text": "s",
                               "spans": [[9, 2], [0, 10**9]]}]
    rec.update(usage={"requests": -1, "prompt_tokens": -5}, cached="yes")
    page = assert_safe(build_report([rec]))
    assert len(page.find("section", "article")) == 1
    assert [m["data-target"] for m in page.marks] == ["a1-e0"]  # the only valid span
    assert "4 of 6 spans are not valid for this text" in page.all_text()
    assert "0 req, 0 + 0 tokens (cached)" in page.all_text()


MALFORMED: list[Any] = [
    *({"summary": {"summary": "s", "figures": [
        {"text": "t", "value": 1, "describes": "x", "span": span}]}} for span in
      ("x", [1.5, 3], [1, 2, 3], {}, [0])),
    {"summary": {"summary": "s", "figures": [{"text": "t", "describes": "x",
                                              "value": "not a number"}]}},
    {"summary": {"summary": "s", "quotes": "not a list"}},
    {"summary": {"summary": "s", "entities": [None, 7, {"name": None, "span": [0, 4]}]}},
    {"summary": [1, 2]},
    {"usage": {"requests": "many"}},
    {"dropped": "nope"},
    {"error": "plain string"},
    {"evidence": [{"path": "p", "kind": "name", "span": "x", "text": "t"}]},
    {"summary_support": [{"field": "summary", "index": 0, "text": "s", "spans": [[1]]}]},
    {"id": 3},
    {"status": None},
]


def test_malformed_records_are_refused_when_read_never_crash(tmp_path: Path) -> None:
    """A record whose fields have the wrong shape is refused by the reader, with its line
    number and reason, and the rest of the report is drawn."""
    odd = [{**record(f"m{i}"), **change} for i, change in enumerate(MALFORMED)]
    odd += [{}, "not a record", 42, None]
    page = assert_safe(build_report([record("good"), *odd]))
    assert [s["id"] for s in page.find("section", "article")] == ["a1"]
    text = page.all_text()
    for n in range(2, len(odd) + 2):
        assert f"record {n} is not a result record and was skipped" in text
    assert "not a JSON object (str)" in text
    results = tmp_path / "out.jsonl"
    results.write_text("\n".join(json.dumps(r) for r in [record("good"), *odd]) + "\n",
                       encoding="utf-8")
    stats = write_report(results, tmp_path / "r.html")
    assert stats.articles == 1 and stats.bad_lines == list(range(2, len(odd) + 2))
    assert "figure 1 of the summary: span" in (tmp_path / "r.html").read_text("utf-8")


def test_text_for_may_fail() -> None:
    def boom(rec: Any) -> str | None:
        raise RuntimeError("disk on fire")
    page = Page(build_report([record()], text_for=boom))
    assert "looking up the text failed (RuntimeError)" in page.all_text()


def test_result_objects_are_accepted() -> None:
    from llmextract import Extractor

    result = Extractor(engine="rules").summarize(ARTICLE, id="acme")
    page = assert_safe(build_report([result], text_for=lambda r: ARTICLE))
    assert result.summary is not None
    located = sum(1 for items in (result.summary.figures, result.summary.quotes,
                                  result.summary.entities) for it in items if it.span is not None)
    assert located > 3
    assert len({m["data-target"] for m in page.marks}) == located


# -- scale -----------------------------------------------------------------------------------

def test_hundred_records_fast_closed_and_linear() -> None:
    recs = [record(f"r{i}", status=("ok", "fallback", "error")[i % 3]) for i in range(100)]
    start = time.perf_counter()
    html = build_report(recs)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, elapsed
    page = Page(html)
    assert len(page.find("section", "article")) == 100
    assert not [d for d in page.find("details") if "open" in d]  # many articles: closed
    assert len(page.marks) == 800
    index_rows = [a for t, a in page.tags if t == "tr" and a.get("data-status")]
    assert len(index_rows) == 100
    assert len(page.find("input")) == 3  # one filter checkbox per status present
    half = len(build_report(recs[:50]))
    assert 1.85 < len(html) / half < 2.1


def test_write_report_skips_broken_lines(tmp_path: Path) -> None:
    results = tmp_path / "out.jsonl"
    good = [record("a"), record("b")]
    del good[1]["text"]
    good[1]["input"], good[1]["text_sha256"] = "b.txt", text_sha256(ARTICLE)
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    lines = [json.dumps(good[0]), '{"id": "broken', "", json.dumps([1, 2]), json.dumps(good[1])]
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "sub" / "report.html"
    stats = write_report(results, out, base_dir=tmp_path)
    assert stats.articles == 2 and stats.bad_lines == [2, 4] and stats.text_missing == 0
    html = out.read_text(encoding="utf-8")
    assert stats.bytes == len(html.encode())
    page = assert_safe(html)
    assert len(page.find("section", "article")) == 2
    assert page.panels == [ARTICLE, ARTICLE]
    assert "2 line(s)" in page.all_text() and "line 2, 4" in page.all_text()
    assert not list(out.parent.glob("*.tmp"))


def test_write_report_reads_a_json_array(tmp_path: Path) -> None:
    results = tmp_path / "out.json"
    results.write_text(json.dumps([record("a"), "junk"]), encoding="utf-8")
    stats = write_report(results, tmp_path / "r.html")
    assert stats.articles == 1 and stats.bad_lines == [2]


@pytest.mark.parametrize("url", ["ftp://x/y", "javascript:alert(1)", "data:text/html,x", "//x"])
def test_only_http_urls_are_links(url: str) -> None:
    rec = record()
    rec["summary"]["url"] = url
    page = Page(build_report([rec]))
    assert not [a for t, a in page.tags if t == "a" and not (a.get("href") or "#").startswith(
        "#")]
    assert url in page.all_text()


def test_user_schema_records_show_data_and_evidence(tmp_path: Path) -> None:
    from llmextract.report import build_report

    text = 'Floods hit Porto Alegre. "<script>x</script> came at night," she said.'
    start = text.index("<script>")
    record = {
        "id": "u1", "status": "ok", "engine": "llm", "summary": None,
        "schema_name": "FloodReport", "text": text,
        "data": {"place": "Porto Alegre", "quote": text[start:start + 32]},
        "evidence": [
            {"path": "place", "kind": "name", "span": [11, 23], "text": "Porto Alegre"},
            {"path": "quote", "kind": "verbatim", "span": [start, start + 32],
             "text": text[start:start + 32]},
            {"path": "bad", "kind": "verbatim", "span": [5, 999], "text": "x"},
        ],
    }
    page = build_report([record])
    assert page.count("<mark") == 2 and "FloodReport" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and page.count("<script") == 1
    assert 'id="a1-v0-row"' in page and 'id="a1-v2-row"' not in page


def test_a_record_without_text_sha256_is_told_from_one_with_null(tmp_path: Path) -> None:
    """Typed records default a missing `text_sha256` to None: whether the line had the field
    (written now, the input unread) or not (an older llmextract) is `model_fields_set`."""
    from llmextract.report.source import NO_FINGERPRINT
    from llmextract.schemas.reader import read_records
    from llmextract.schemas.record import Result

    (tmp_path / "art.txt").write_text(ARTICLE, encoding="utf-8")
    old, unread = record("old", input="art.txt"), record("unread", input="art.txt")
    del old["text"], unread["text"]
    unread["text_sha256"] = None
    results = tmp_path / "out.jsonl"
    results.write_text(f"{json.dumps(old)}\n{json.dumps(unread)}\n", encoding="utf-8")
    typed = [r for r in read_records(results) if isinstance(r, Result)]
    assert [r.text_sha256 for r in typed] == [None, None]
    assert ["text_sha256" in r.model_fields_set for r in typed] == [False, True]
    finder = TextFinder(tmp_path)
    assert finder.find(typed[0]) == (None, NO_FINGERPRINT)
    assert finder.find(typed[1]) == (None, "summarize could not read this input")
    assert TextFinder(tmp_path, articles=tmp_path).find(typed[0]) == (ARTICLE, "")
    assert TextFinder(tmp_path, articles=tmp_path).find(typed[1])[0] is None
