"""Web pages, feeds and sitemaps (llmextract.read.web) against a local server (127.0.0.1 only):
every case of the issue, with the exact requests the server saw."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmextract.cli import main

from .test_html_input import needs_trafilatura
from .webserver import Reply, Site, article_html

pytestmark = needs_trafilatura

BODY_A = ("The city council approved a budget of $42 million on Tuesday, officials said.\n\n"
          '"We cannot keep patching the bridge," said Mayor Anna Berg. About 85,000 vehicles '
          "cross it every day, and repairs will take at least 18 months.")
BODY_B = ("Storms cut power to about 12,000 homes on Sunday, the utility said.\n\n"
          "Crews from three counties worked through the night to restore the lines, and the "
          "company said most customers would be back online by Monday evening.")
ROBOTS = b"User-agent: *\nDisallow: /private\n"


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    s.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
    s.page("/a", article_html("Bridge repairs approved", BODY_A, date="2025-03-14",
                              author="Maria Lind"))
    s.page("/b", article_html("Storms cut power", BODY_B))
    yield s
    s.close()


def run(tmp_path: Path, *args: str, cache: str = "cache") -> tuple[int, list[dict[str, Any]]]:
    out = tmp_path / "out.jsonl"
    code = main(["summarize", *args, "--engine", "rules", "-o", str(out), "--host-delay", "0",
                 "--cache-dir", str(tmp_path / cache)])
    recs = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return code, recs


def by_url(recs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in recs}


# -- pages -----------------------------------------------------------------------------------
def test_urls_are_fetched_once_with_robots_and_our_user_agent(site: Site, tmp_path: Path) -> None:
    code, recs = run(tmp_path, site.url("/a"), site.url("/b"))
    assert code == 0
    assert sorted(site.paths()) == ["/a", "/b", "/robots.txt"]
    assert site.paths()[0] == "/robots.txt"  # asked first, once for the host
    for _, _, headers in site.log:
        assert headers["User-Agent"].startswith("llmextract/0.")
    rec = by_url(recs)[site.url("/a")]
    assert rec["input"] == site.url("/a") and rec["final_url"] == site.url("/a")
    assert rec["status"] == "fallback" and rec["error"] is None
    assert rec["fetch"] == {"status": 200, "source": "network", "content_type": "text/html",
                            "bytes": rec["fetch"]["bytes"], "requests": 1}
    summary = rec["summary"]
    assert summary["title"] == "Bridge repairs approved"
    assert summary["published"] == "2025-03-14" and summary["authors"] == ["Maria Lind"]
    assert "$42 million" in {f["text"] for f in summary["figures"]}
    assert "Markets fall" not in json.dumps(summary)  # page chrome left out
    assert rec["id"].startswith("127-0-0-1-a_")


def test_user_agent_override(site: Site, tmp_path: Path) -> None:
    run(tmp_path, site.url("/a"), "--user-agent", "NewsLab/2 (+mailto:lab@example.org)")
    assert {h["User-Agent"] for _, _, h in site.log} == {"NewsLab/2 (+mailto:lab@example.org)"}


def test_files_of_urls_txt_csv_jsonl(site: Site, tmp_path: Path) -> None:
    (tmp_path / "list.txt").write_text(f"# my links\n{site.url('/a')}\n\n{site.url('/b')}\n")
    (tmp_path / "list.csv").write_text(f"id,url,note\nfirst,{site.url('/a')},x\n")
    (tmp_path / "list.jsonl").write_text(json.dumps({"id": "j1", "url": site.url("/b")}) + "\n")
    code, recs = run(tmp_path, str(tmp_path / "list.txt"), str(tmp_path / "list.csv"),
                     str(tmp_path / "list.jsonl"))
    assert code == 0
    assert len(recs) == 4
    ids = {r["id"] for r in recs}
    assert {"first", "j1"} <= ids
    assert {r["input"] for r in recs} == {site.url("/a"), site.url("/b")}
    assert all(r["status"] == "fallback" for r in recs)


def test_404_and_login_wall_and_no_text_are_error_records(site: Site, tmp_path: Path) -> None:
    site.route("/login", Reply(403, b"<html><body>Log in</body></html>",
                               {"Content-Type": "text/html"}))
    site.page("/form", "<html><body><form><input name=user><input type=password></form>"
              "</body></html>")
    code, recs = run(tmp_path, site.url("/missing"), site.url("/login"), site.url("/form"))
    assert code == 1
    got = {r["url"].rsplit("/", 1)[1]: r for r in recs}
    assert got["missing"]["error"] == {"type": "FetchError", "message": "HTTP 404 Not Found"}
    assert got["missing"]["fetch"]["status"] == 404 and got["missing"]["summary"] is None
    assert "HTTP 403 Forbidden (a login wall" in got["login"]["error"]["message"]
    assert got["form"]["error"]["message"] == "no article text found in the HTML page"
    assert sorted(site.paths()) == ["/form", "/login", "/missing", "/robots.txt"]


def test_non_html_content_types_are_refused(site: Site, tmp_path: Path) -> None:
    site.route("/doc.pdf", Reply(200, b"%PDF-1.7" + b"\0" * 1000,
                                 {"Content-Type": "application/pdf"}))
    site.route("/pic", Reply(200, b"\x89PNG" + b"\0" * 100, {"Content-Type": "image/png"}))
    site.route("/plain", Reply(200, BODY_B.encode(), {"Content-Type": "text/plain"}))
    code, recs = run(tmp_path, site.url("/doc.pdf"), site.url("/pic"), site.url("/plain"))
    got = {r["url"].rsplit("/", 1)[1]: r for r in recs}
    assert got["doc.pdf"]["error"] == {"type": "NotAnArticle", "message": (
        "not an article: the server sent application/pdf (a PDF document), not an HTML page")}
    assert "image/png (an image)" in got["pic"]["error"]["message"]
    assert got["plain"]["status"] == "fallback"  # plain text is an article
    assert code == 1


def test_charset_from_header_and_wrong_declarations(site: Site, tmp_path: Path) -> None:
    text = "Le café a coûté 5 millions d'euros, a déclaré le maire. " * 3
    # The header names the right charset and the page's meta a wrong one: the header wins.
    site.route("/latin", Reply(200, article_html("Café", text, charset="utf-8")
                               .encode("latin-1"),
                               {"Content-Type": "text/html; charset=iso-8859-1"}))
    # The header is wrong (utf-8) for windows-1252 bytes: the page's meta is used, and said.
    site.route("/cp", Reply(200, article_html("Café", text, charset="windows-1252")
                            .encode("cp1252"), {"Content-Type": "text/html; charset=utf-8"}))
    _, recs = run(tmp_path, site.url("/latin"), site.url("/cp"), "--include-text")
    got = {r["url"].rsplit("/", 1)[1]: r for r in recs}
    for name in ("latin", "cp"):
        assert "café a coûté" in got[name]["text"] and "\ufffd" not in got[name]["text"]
    assert got["latin"]["warnings"] == []
    assert any("not valid utf-8 as the Content-Type header says" in w
               for w in got["cp"]["warnings"])


# -- retries, timeouts, redirects, sizes -------------------------------------------------------
def test_500_then_200_is_retried(site: Site, tmp_path: Path) -> None:
    site.route("/flaky", [Reply(500, b"oops"), Reply(200, article_html("Storms", BODY_B)
                                                     .encode(), {"Content-Type": "text/html"})])
    code, recs = run(tmp_path, site.url("/flaky"))
    assert code == 0 and recs[0]["fetch"]["requests"] == 2
    assert site.paths() == ["/robots.txt", "/flaky", "/flaky"]


def test_429_retry_after_is_honoured(site: Site, tmp_path: Path) -> None:
    site.route("/busy", [Reply(429, b"slow down", {"Retry-After": "1"}),
                         Reply(200, article_html("Storms", BODY_B).encode(),
                               {"Content-Type": "text/html"})])
    code, _recs = run(tmp_path, site.url("/busy"))
    assert code == 0
    assert site.paths() == ["/robots.txt", "/busy", "/busy"]
    assert site.stamps[2] - site.stamps[1] >= 0.95


def test_500_forever_gives_up_after_the_retries(site: Site, tmp_path: Path) -> None:
    site.route("/down", Reply(503, b"down"))
    code, recs = run(tmp_path, site.url("/down"), "--retries", "2")
    assert code == 1
    assert recs[0]["error"]["message"] == "HTTP 503 Service Unavailable after 3 attempts"
    assert site.paths().count("/down") == 3


def test_slow_host_times_out(site: Site, tmp_path: Path) -> None:
    site.route("/slow", Reply(200, b"<p>late</p>", {"Content-Type": "text/html"}, delay=3))
    started = time.monotonic()
    code, recs = run(tmp_path, site.url("/slow"), "--fetch-timeout", "0.4", "--retries", "1")
    assert time.monotonic() - started < 3
    assert code == 1
    assert "timed out" in recs[0]["error"]["message"] and "after 2 attempts" in \
        recs[0]["error"]["message"]
    assert site.paths().count("/slow") == 2


def test_redirects_followed_and_loops_stopped(site: Site, tmp_path: Path) -> None:
    site.route("/old", Reply(301, b"", {"Location": "/a"}))
    site.route("/loop1", Reply(302, b"", {"Location": site.url("/loop2")}))
    site.route("/loop2", Reply(302, b"", {"Location": "/loop1"}))
    _code, recs = run(tmp_path, site.url("/old"), site.url("/loop1"))
    got = by_url(recs)
    assert got[site.url("/old")]["final_url"] == site.url("/a")
    assert got[site.url("/old")]["status"] == "fallback"
    loop = got[site.url("/loop1")]["error"]["message"]
    assert loop == (f"redirect loop: {site.url('/loop1')} -> {site.url('/loop2')} -> "
                    f"{site.url('/loop1')}")
    assert site.paths().count("/loop1") == 1 and site.paths().count("/loop2") == 1


def test_redirect_limit(site: Site, tmp_path: Path) -> None:
    for i in range(12):
        site.route(f"/r{i}", Reply(302, b"", {"Location": f"/r{i + 1}"}))
    site.page("/r12", article_html("Storms", BODY_B))
    code, recs = run(tmp_path, site.url("/r0"))
    assert code == 1
    assert recs[0]["error"]["message"] == (f"too many redirects (more than 10); stopped "
                                           f"before {site.url('/r11')}")
    assert site.paths() == ["/robots.txt", *[f"/r{i}" for i in range(11)]]


def test_50_mb_body_is_not_read_past_the_limit(site: Site, tmp_path: Path) -> None:
    big = 50 * 1024 * 1024
    site.route("/huge", Reply(200, b"", {"Content-Type": "text/html"}, chunked_bytes=big))
    site.route("/declared", Reply(200, b"", {"Content-Type": "text/html",
                                             "Content-Length": str(big)}, chunked_bytes=big))
    _code, recs = run(tmp_path, site.url("/huge"), site.url("/declared"),
                     "--max-page-bytes", "1000000")
    got = {r["url"].rsplit("/", 1)[1]: r for r in recs}
    assert got["huge"]["error"]["type"] == "PageTooLarge"
    assert "over the limit of 1,000,000 bytes" in got["huge"]["error"]["message"]
    assert got["declared"]["error"]["message"].startswith("page is 52,428,800 bytes, over")
    time.sleep(0.3)
    assert site.bytes_sent < 20 * 1024 * 1024  # the server was cut off, far from 2 x 50 MB


# -- robots.txt and per-host limits --------------------------------------------------------------
def test_robots_disallowed_path_is_never_requested(site: Site, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    site.page("/private/x", article_html("Secret", BODY_B))
    code, recs = run(tmp_path, site.url("/private/x"), site.url("/a"))
    assert code == 1
    assert "/private/x" not in site.paths()
    rec = by_url(recs)[site.url("/private/x")]
    assert rec["error"]["type"] == "RobotsDisallowed"
    assert "--ignore-robots" in rec["error"]["message"]
    site.log.clear()
    code, recs = run(tmp_path, site.url("/private/x"), "--ignore-robots", cache="c2")
    assert code == 0 and site.paths() == ["/private/x"]  # no robots.txt asked at all
    assert "WARNING: --ignore-robots" in capsys.readouterr().err


def test_robots_unreachable_blocks_the_host_and_404_allows(tmp_path: Path) -> None:
    down, open_ = Site(), Site()
    try:
        down.route("/robots.txt", Reply(500, b"err"))
        down.page("/a", article_html("A", BODY_A))
        open_.page("/a", article_html("A", BODY_A))  # no robots.txt: a 404, everything allowed
        _code, recs = run(tmp_path, down.url("/a"), open_.url("/a"), "--retries", "0")
        got = by_url(recs)
        assert got[down.url("/a")]["error"]["type"] == "RobotsDisallowed"
        assert down.paths() == ["/robots.txt"]
        assert got[open_.url("/a")]["status"] == "fallback"
        assert open_.paths() == ["/robots.txt", "/a"]
    finally:
        down.close()
        open_.close()


def test_per_host_limit_and_delay_are_held(tmp_path: Path) -> None:
    one, two = Site(latency=0.2), Site(latency=0.2)
    try:
        urls = []
        for s in (one, two):
            for i in range(6):
                s.page(f"/p{i}", article_html(f"Story {i}", BODY_B))
                urls.append(s.url(f"/p{i}"))
        (tmp_path / "l.urls").write_text("\n".join(urls) + "\n")
        started = time.monotonic()
        code, recs = run(tmp_path, str(tmp_path / "l.urls"), "--per-host", "2", "-j", "16")
        wall = time.monotonic() - started
        assert code == 0 and len(recs) == 12
        assert one.peak == 2 and two.peak == 2  # never more, and the limit was used
        assert wall < 3.0  # both hosts at once: ~ (1 + 3) x 0.2 s, not 12 x 0.2 s
        # --host-delay spaces the starts of requests to one host
        one.log.clear()
        one.stamps.clear()
        main(["summarize", *[one.url(f"/p{i}") for i in range(3)], "--engine", "rules",
              "-o", str(tmp_path / "o.jsonl"), "--host-delay", "0.3", "--per-host", "4",
              "--cache-dir", str(tmp_path / "c3")])
        gaps = [b - a for a, b in zip(one.stamps, one.stamps[1:], strict=False)]
        assert len(gaps) == 3 and min(gaps) >= 0.28
    finally:
        one.close()
        two.close()


def test_crawl_delay_of_robots_txt(tmp_path: Path) -> None:
    s = Site()
    try:
        s.route("/robots.txt", Reply(200, b"User-agent: llmextract\nCrawl-delay: 1\n"))
        for i in range(3):
            s.page(f"/p{i}", article_html(f"Story {i}", BODY_B))
        run(tmp_path, *[s.url(f"/p{i}") for i in range(3)], "--per-host", "4")
        gaps = [b - a for a, b in zip(s.stamps[1:], s.stamps[2:], strict=False)]
        assert len(gaps) == 2 and min(gaps) >= 0.95
    finally:
        s.close()


# -- the page store: conditional requests, offline ---------------------------------------------
def test_rerun_asks_not_modified_and_offline_asks_nothing(site: Site, tmp_path: Path) -> None:
    site.route("/a", Reply(200, article_html("Bridge", BODY_A).encode(),
                           {"Content-Type": "text/html"}, etag='"v1"'))
    site.page("/b", article_html("Storms", BODY_B), **{
        "Last-Modified": "Mon, 03 Mar 2025 10:00:00 GMT"})
    _, first = run(tmp_path, site.url("/a"), site.url("/b"))
    sent = site.bytes_sent
    site.log.clear()
    _, second = run(tmp_path, site.url("/a"), site.url("/b"))
    heads = {p: h for _, p, h in site.log}
    assert heads["/a"]["If-None-Match"] == '"v1"'
    assert heads["/b"]["If-Modified-Since"] == "Mon, 03 Mar 2025 10:00:00 GMT"
    assert by_url(second)[site.url("/a")]["fetch"]["source"] == "not_modified"
    assert by_url(second)[site.url("/a")]["fetch"]["status"] == 304
    # /b's server ignores If-Modified-Since: downloaded again, as it must be
    assert site.bytes_sent - sent == len(ROBOTS) + len(article_html("Storms", BODY_B).encode())
    assert ({r["url"]: r["text_sha256"] for r in first}
            == {r["url"]: r["text_sha256"] for r in second})
    site.log.clear()
    _code, third = run(tmp_path, site.url("/a"), site.url("/b"), site.url("/never"),
                      "--offline")
    assert site.log == []
    got = by_url(third)
    assert got[site.url("/a")]["fetch"]["source"] == "page_store"
    assert got[site.url("/a")]["text_sha256"] == by_url(first)[site.url("/a")]["text_sha256"]
    assert "not in the page store" in got[site.url("/never")]["error"]["message"]


def test_report_finds_page_text_in_the_store(site: Site, tmp_path: Path) -> None:
    from llmextract.report.source import TextFinder

    _, recs = run(tmp_path, site.url("/a"))
    finder = TextFinder(pages=tmp_path / "cache" / "pages")
    text, why = finder.find(recs[0])
    assert why == "" and text is not None and "$42 million" in text
    text, why = TextFinder(pages=tmp_path / "elsewhere").find(recs[0])
    assert text is None and "not in the page store" in why


# -- feeds and sitemaps -----------------------------------------------------------------------
RSS = """<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>The Courier</title>
<item><title>Storms cut power</title><link>{b}</link><dc:creator>Jane Roe</dc:creator>
<pubDate>Fri, 14 Mar 2025 08:00:00 GMT</pubDate></item>
<item><title>Bridge</title><link>{a}</link><pubDate>Thu, 13 Mar 2025 08:00:00 GMT</pubDate></item>
<item><title>Old news</title><link>{old}</link>
<pubDate>Mon, 01 Jan 2024 08:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom Courier</title>
<entry><title>Storms cut power</title><link rel="alternate" href="{b}"/>
<author><name>Ann Atom</name></author><published>2025-03-14T08:00:00Z</published></entry>
<entry><title>Old</title><link href="{old}"/><updated>2024-01-01T00:00:00Z</updated></entry>
</feed>"""


def test_rss_feed_items_with_feed_metadata_and_since(site: Site, tmp_path: Path) -> None:
    site.route("/feed.xml", Reply(200, RSS.format(a=site.url("/a"), b=site.url("/b"),
                                                  old=site.url("/old")).encode(),
                                  {"Content-Type": "application/rss+xml"}))
    code, recs = run(tmp_path, "--feed", site.url("/feed.xml"), "--since", "2025-01-01")
    assert code == 0
    assert sorted(site.paths()) == ["/a", "/b", "/feed.xml", "/robots.txt"]  # not /old
    b = by_url(recs)[site.url("/b")]
    assert b["summary"]["published"] == "2025-03-14"  # the page says no date: the feed's
    assert b["summary"]["authors"] == ["Jane Roe"]
    a = by_url(recs)[site.url("/a")]
    assert a["summary"]["published"] == "2025-03-14"  # the page's own date wins


def test_atom_feed_from_a_file(site: Site, tmp_path: Path) -> None:
    feed = tmp_path / "feed.atom"
    feed.write_text(ATOM.format(b=site.url("/b"), old=site.url("/old")))
    code, recs = run(tmp_path, "--feed", str(feed))
    assert sorted(site.paths()) == ["/b", "/old", "/robots.txt"]
    b = by_url(recs)[site.url("/b")]
    assert b["summary"]["authors"] == ["Ann Atom"]
    assert by_url(recs)[site.url("/old")]["error"]["message"] == "HTTP 404 Not Found"
    assert code == 1


def test_sitemap_index_with_news_sitemap(site: Site, tmp_path: Path) -> None:
    index = f"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{site.url('/sm1.xml')}</loc><lastmod>2025-03-14</lastmod></sitemap>
<sitemap><loc>{site.url('/news.xml')}</loc></sitemap>
<sitemap><loc>{site.url('/archive.xml')}</loc><lastmod>2019-01-01</lastmod></sitemap>
</sitemapindex>"""
    sm1 = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{site.url('/a')}</loc><lastmod>2025-03-14</lastmod></url>
<url><loc>{site.url('/b')}</loc></url></urlset>"""
    news = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{site.url('/b')}</loc></url>
<url><loc>{site.url('/n')}</loc><news:news><news:publication><news:name>Harbour Times
</news:name></news:publication><news:publication_date>2025-03-15T09:00:00Z
</news:publication_date><news:title>Ferry strike ends</news:title></news:news></url>
</urlset>"""
    for path, xml in (("/index.xml", index), ("/sm1.xml", sm1), ("/news.xml", news)):
        site.route(path, Reply(200, xml.encode(), {"Content-Type": "application/xml"}))
    site.page("/n", "<html><body><article><p>" + BODY_B + "</p></article></body></html>")
    code, recs = run(tmp_path, "--sitemap", site.url("/index.xml"), "--since", "2025-01-01")
    assert code == 0
    assert sorted(site.paths()) == ["/a", "/b", "/index.xml", "/n", "/news.xml",
                                    "/robots.txt", "/sm1.xml"]  # no /archive.xml, /b once
    n = by_url(recs)[site.url("/n")]["summary"]
    assert n["published"] == "2025-03-15" and n["publisher"] == "Harbour Times"
    assert n["title"] == "Ferry strike ends"


def test_unreadable_feed_is_one_error_record(site: Site, tmp_path: Path) -> None:
    site.route("/bad.xml", Reply(200, b"<html>not a feed</html>", {"Content-Type": "text/html"}))
    code, recs = run(tmp_path, "--feed", site.url("/bad.xml"), "--feed", site.url("/gone.xml"))
    assert code == 1 and len(recs) == 2
    msgs = sorted(r["error"]["message"] for r in recs)
    assert "neither a feed nor a sitemap" in msgs[0] + msgs[1]
    assert any("HTTP 404" in m for m in msgs)


# -- cassettes --------------------------------------------------------------------------------
def test_record_and_replay_pages_from_two_hosts_with_the_same_paths(tmp_path: Path) -> None:
    one, two = Site(), Site()
    one.page("/", article_html("Bridge", BODY_A))
    two.page("/", article_html("Storms", BODY_B))
    feed = tmp_path / "feed.rss"
    feed.write_text(RSS.replace("{old}", two.url("/gone")).format(a=one.url("/"),
                                                                  b=two.url("/")))
    cassette = tmp_path / "pages.yaml"
    try:
        code, recorded = run(tmp_path, "--feed", str(feed), "--record", str(cassette))
    finally:
        one.close()
        two.close()
    assert code == 1  # /gone is a 404, recorded too
    assert cassette.is_file()
    code, replayed = run(tmp_path, "--feed", str(feed), "--replay", str(cassette),
                         cache="cache2")
    assert code == 1
    key = [(r["url"], r["status"], r["text_sha256"], (r["error"] or {}).get("message"))
           for r in recorded]
    assert sorted(key) == sorted((r["url"], r["status"], r["text_sha256"],
                                  (r["error"] or {}).get("message")) for r in replayed)
    assert by_url(replayed)[one.url("/")]["summary"]["figures"]  # host one's page, not two's


def test_replay_miss_is_an_error_record(site: Site, tmp_path: Path) -> None:
    cassette = tmp_path / "c.yaml"
    run(tmp_path, site.url("/a"), "--record", str(cassette))
    code, recs = run(tmp_path, site.url("/b"), "--replay", str(cassette), cache="c2")
    assert code == 1
    assert recs[0]["error"]["type"] == "CassetteMissError"


def test_python_api_takes_urls(site: Site, tmp_path: Path) -> None:
    from llmextract import Extractor

    ex = Extractor(engine="rules", cache_dir=tmp_path / "api")
    result = ex.summarize(site.url("/a"))
    assert result.status == "fallback" and result.url == site.url("/a")
    assert result.fetch is not None and result.fetch.status == 200
    assert result.summary is not None and result.summary.title == "Bridge repairs approved"
    many = list(ex.summarize_many([site.url("/a"), site.url("/b")]))
    assert {r.url for r in many} == {site.url("/a"), site.url("/b")}


def test_progress_counts_a_url_list(site: Site, tmp_path: Path) -> None:
    from llmextract.run.progress import count_inputs

    (tmp_path / "l.urls").write_text(f"{site.url('/a')}\n{site.url('/b')}\n")
    assert count_inputs([str(tmp_path / "l.urls"), site.url("/a")]) == 3


def test_resume_skips_done_pages_without_fetching_them(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    common = ["--engine", "rules", "-o", str(out), "--host-delay", "0", "--cache-dir",
              str(tmp_path / "cache")]
    assert main(["summarize", site.url("/a"), *common]) == 0
    site.log.clear()
    assert main(["summarize", site.url("/a"), site.url("/b"), "--resume", *common]) == 0
    assert site.paths() == ["/robots.txt", "/b"]  # /a is done: not even asked "not modified"
    assert [json.loads(line)["url"] for line in out.read_text().splitlines()] == [
        site.url("/a"), site.url("/b")]
