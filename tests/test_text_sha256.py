"""`text_sha256` (CONTRACT section 6): every record fingerprints the text it summarised, and
`llmextract report` shows a file a record names only when the file's text has that
fingerprint (a results file is data from outside: it must not make the report read and
embed arbitrary local files)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llmextract import Extractor
from llmextract.read.inputs import read_text_article, text_sha256
from llmextract.report import TextFinder, build_report, write_report
from llmextract.schemas.user import load_schema

from .conftest import ARTICLES, ROOT, cli, records
from .test_report import ARTICLE, Page, assert_safe, record

SECRET = "SECRET-TOKEN-7f3a9c-do-not-share"
MISSING = "Article text not available (file missing or changed)"


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A token file outside the article folder: its content must never reach a page."""
    path = tmp_path / "private" / "token.txt"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The article folder: copies of the test articles."""
    dest = tmp_path / "articles"
    shutil.copytree(ARTICLES, dest)
    return dest


def report_of(tmp_path: Path, recs: list[dict[str, Any]], *args: str) -> tuple[str, Page]:
    """`llmextract report` over `recs` through the CLI: (the page's HTML, parsed)."""
    results, out = tmp_path / "results.jsonl", tmp_path / "report.html"
    results.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    proc = cli("report", str(results), "-o", str(out), *args)
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    return html, assert_safe(html)


def bare(rid: str, input: str, **extra: Any) -> dict[str, Any]:
    """A record without its own text, naming `input`."""
    rec = record(rid, input=input, **extra)
    del rec["text"]
    return rec


# -- writing the fingerprint ----------------------------------------------------------------

def test_the_fingerprint_format() -> None:
    assert text_sha256("abc") == sha("abc")
    assert text_sha256("\ud800") == "sha256:" + hashlib.sha256(b"\xed\xa0\x80").hexdigest()


def test_summarize_fingerprints_every_article_as_read(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode())
    (tmp_path / "bad.txt").write_bytes(ARTICLE.encode() + b" \xff caf\xe9.")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    jsonl = tmp_path / "lines.jsonl"
    jsonl.write_text(json.dumps({"id": "j1", "text": ARTICLE + " J"}) + "\n", encoding="utf-8")
    proc = cli("summarize", str(tmp_path), str(jsonl), str(ARTICLES), "--engine", "rules",
               stdin=None)
    by_id = {r["id"]: r for r in records(proc.stdout)}
    assert by_id["bom"]["text_sha256"] == sha(ARTICLE)  # the text as read: BOM dropped
    assert by_id["bad"]["text_sha256"] == sha(
        read_text_article(tmp_path / "bad.txt", 10**6).text or "")
    assert by_id["j1"]["text_sha256"] == sha(ARTICLE + " J")
    assert by_id["empty"]["status"] == "error" and by_id["empty"]["text_sha256"] is None
    for path in ARTICLES.glob("*.txt"):
        assert by_id[path.stem]["text_sha256"] == sha(path.read_text(encoding="utf-8"))
    stdin = cli("summarize", "-", "--engine", "rules", stdin=ARTICLE)
    assert records(stdin.stdout)[0]["text_sha256"] == sha(ARTICLE)


def test_html_and_user_schema_records_carry_it() -> None:
    page = ROOT / "tests" / "data" / "html" / "article.html"
    result = Extractor(engine="rules").summarize(page)
    assert result.text_sha256 == read_text_article(page, 10**6).text_sha256
    assert result.text_sha256 is not None
    quake = ARTICLES / "quake_wire.txt"
    custom = Extractor(engine="rules", schema=load_schema(
        "schemas/examples/casualty.py:CasualtyReport")).summarize(quake)
    assert custom.data is not None and custom.text_sha256 == sha(quake.read_text())


def test_a_cached_rerun_carries_the_current_text_hash(tmp_path: Path) -> None:
    from llmextract.fakeserver import FakeServer

    quake = ARTICLES / "quake_wire.txt"
    with FakeServer(answers_dir=ROOT / "tests" / "answers") as srv:
        kw: dict[str, Any] = {"base_url": srv.base_url, "api_key": "sk-t",
                              "cache_dir": tmp_path / "cache"}
        first = Extractor(**kw).summarize(quake)
        again = Extractor(**kw).summarize(quake)
    assert first.status == "ok" and not first.cached and again.cached
    assert first.text_sha256 == again.text_sha256 == sha(quake.read_text())


def test_a_cache_hit_stored_without_a_hash_gets_this_text_hash() -> None:
    from llmextract.pipeline.cache import as_cached
    from llmextract.schemas.record import Result

    old = Result(id="x", status="ok")  # stored by a version that wrote no hash
    hit = as_cached(old, id="y", input="y.txt", warnings=[], text_sha256=sha("now"))
    assert hit.text_sha256 == sha("now") and hit.cached


# -- the report: the normal case --------------------------------------------------------------

def test_summarize_then_report_shows_every_text_with_its_highlights(tmp_path: Path) -> None:
    results, out = tmp_path / "r.jsonl", tmp_path / "r.html"
    proc = cli("summarize", "tests/articles", "--engine", "rules", "-o", str(results))
    assert proc.returncode == 0, proc.stderr
    recs = records(results.read_text(encoding="utf-8"))
    assert all("text" not in r and r["text_sha256"] for r in recs)
    proc = cli("report", str(results), "-o", str(out))
    assert proc.returncode == 0 and "without their text" not in proc.stderr, proc.stderr
    page = assert_safe(out.read_text(encoding="utf-8"))
    texts = sorted(p.read_text(encoding="utf-8") for p in ARTICLES.glob("*.txt"))
    assert sorted(page.panels) == texts
    assert "not available" not in page.all_text()
    marked = {m["data-target"].split("-")[0] for m in page.marks}
    assert marked == {f"a{n}" for n in range(1, len(recs) + 1)}  # every article highlighted


def test_included_text_is_used_and_checked_against_the_fingerprint(tmp_path: Path) -> None:
    good = record("good", text_sha256=sha(ARTICLE))
    edited = record("edited", text_sha256=sha(ARTICLE + " (original)"))
    html, page = report_of(tmp_path, [good, edited])
    assert page.panels == [ARTICLE, ARTICLE]
    assert html.count("does not match the record&#x27;s text_sha256") == 1


def test_old_records_get_text_only_from_inside_articles_dir(tmp_path: Path,
                                                           folder: Path) -> None:
    text = (folder / "quake_wire.txt").read_text(encoding="utf-8")
    old = bare("quake", str(folder / "quake_wire.txt"))
    _, page = report_of(tmp_path, [old])
    assert page.panels == [] and "no text_sha256" in page.all_text()
    _, page = report_of(tmp_path, [old], "--articles", str(folder))
    assert page.panels == [text]
    rel = bare("quake", "articles/quake_wire.txt")  # relative: from --base-dir
    _, page = report_of(tmp_path, [rel], "--articles", str(folder), "--base-dir",
                           str(tmp_path))
    assert page.panels == [text]
    unread = bare("quake", str(folder / "quake_wire.txt"), text_sha256=None, status="error")
    _, page = report_of(tmp_path, [unread], "--articles", str(folder))
    assert page.panels == [] and "summarize could not read this input" in page.all_text()
    proc = cli("report", str(tmp_path / "results.jsonl"), "--articles", str(tmp_path / "no"))
    assert proc.returncode == 2 and "--articles" in proc.stderr


# -- the report: files a record merely names ---------------------------------------------------

def test_a_file_outside_the_article_folder_is_never_read_into_the_page(
        tmp_path: Path, folder: Path, secret: Path) -> None:
    recs = [
        bare("plain", str(secret)),  # no fingerprint
        bare("guessed", str(secret), text_sha256=sha(ARTICLE)),  # a fingerprint of another
        bare("junk", str(secret), text_sha256="not a hash"),
        bare("line", f"{secret.parent / 'x.jsonl'}:1", text_sha256=sha(ARTICLE)),
    ]
    (secret.parent / "x.jsonl").write_text(json.dumps({"text": SECRET}) + "\n")
    for args in ((), ("--articles", str(folder))):
        html, page = report_of(tmp_path, recs, *args)
        assert SECRET not in html and page.panels == [], args
    html, page = report_of(tmp_path, recs[1:2])
    assert MISSING in page.all_text()


def test_a_file_changed_since_the_run_is_not_shown(tmp_path: Path, folder: Path) -> None:
    results = tmp_path / "r.jsonl"
    assert cli("summarize", str(folder), "--engine", "rules", "-o", str(results)).returncode == 0
    (folder / "quake_wire.txt").write_text(f"Quake article, now: {SECRET}\n", encoding="utf-8")
    (folder / "earnings_ap.txt").unlink()
    out = tmp_path / "r.html"
    for args in ((), ("--articles", str(folder))):
        proc = cli("report", str(results), "-o", str(out), *args)
        assert proc.returncode == 0 and "2 without their text" in proc.stderr
        html = out.read_text(encoding="utf-8")
        page = assert_safe(html)
        assert SECRET not in html and page.all_text().count(MISSING) == 2
        assert len(page.panels) == len(list(ARTICLES.glob("*.txt"))) - 2


def test_a_symlink_out_of_the_articles_dir_is_not_followed(tmp_path: Path, folder: Path,
                                                           secret: Path) -> None:
    (folder / "link.txt").symlink_to(secret)
    (folder / "sub").symlink_to(secret.parent, target_is_directory=True)
    recs = [bare("link", str(folder / "link.txt")), bare("sub", str(folder / "sub/token.txt"))]
    html, page = report_of(tmp_path, recs, "--articles", str(folder))
    assert SECRET not in html and page.panels == []
    assert "does not lie inside the --articles folder" in page.all_text()


def test_a_path_with_dotdot_is_resolved_before_the_check(tmp_path: Path, folder: Path,
                                                         secret: Path) -> None:
    recs = [bare("up", f"{folder}/../private/token.txt"),
            bare("rel", "articles/../private/token.txt")]
    html, page = report_of(tmp_path, recs, "--articles", str(folder), "--base-dir",
                           str(tmp_path))
    assert SECRET not in html and page.panels == []


def test_non_article_files_inside_the_folder_are_not_read_for_old_records(
        tmp_path: Path, folder: Path) -> None:
    (folder / ".env").write_text(SECRET)
    (folder / "notes.log").write_text(SECRET)
    recs = [bare("env", str(folder / ".env")), bare("log", str(folder / "notes.log"))]
    html, _ = report_of(tmp_path, recs, "--articles", str(folder))
    assert SECRET not in html


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_never_opened(tmp_path: Path, folder: Path) -> None:
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    finder = TextFinder(articles=folder)
    assert finder(bare("a", str(fifo))) is None  # would block if it were opened
    assert finder(bare("b", str(fifo), text_sha256=sha(ARTICLE))) is None
    os.mkfifo(folder / "pipe.jsonl")
    assert finder(bare("c", f"{folder / 'pipe.jsonl'}:1")) is None
    assert finder(bare("d", f"{folder / 'pipe.jsonl'}:1", text_sha256=sha(ARTICLE))) is None


def test_library_default_reads_nothing_for_old_records(tmp_path: Path, secret: Path) -> None:
    page = Page(build_report([bare("a", str(secret))]))
    assert page.panels == [] and SECRET not in page.all_text()
    out, results = tmp_path / "r.html", tmp_path / "r.jsonl"
    results.write_text(json.dumps(bare("a", str(secret))) + "\n")
    assert write_report(results, out).text_missing == 1
    assert SECRET not in out.read_text(encoding="utf-8")


# -- eval and resume open no path a record names -----------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_eval_and_resume_do_not_open_a_record_input(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would hang (the run would time out)
    rec = bare("quake_wire", str(fifo), text_sha256=sha(ARTICLE))
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps(rec) + "\n")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "quake_wire", "figures": [], "quotes": [],
                                "entities": []}) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    ev = subprocess.run([sys.executable, "-m", "llmextract", "eval", str(pred), str(gold)],
                        capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    assert ev.returncode == 0, ev.stderr
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps(rec) + "\n")
    proc = cli("summarize", str(ARTICLES), "--engine", "rules", "-o", str(out), "--resume",
               timeout=120)
    assert proc.returncode == 0, proc.stderr
    done = records(out.read_text())
    assert len(done) == len(list(ARTICLES.glob("*.txt")))
    assert [r["id"] for r in done].count("quake_wire") == 1
