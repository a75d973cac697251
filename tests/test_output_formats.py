"""Output formats: jsonl, json, csv and md, streamed one record at a time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest

from llmextract.run.output import CSV_COLUMNS, FORMATS, Writer, csv_row, md_section
from llmextract.schemas.record import (
    Dropped,
    ErrorInfo,
    GroundedEntity,
    GroundedFigure,
    GroundedQuote,
    Result,
    Summary,
    Usage,
)

TRICKY_SUMMARY = 'Officials said "at least 1,100" were hurt, in Kursk.\nA second line, too.'


def ok_result(rid: str = "a1", **summary_changes: object) -> Result:
    fields: dict[str, object] = dict(
        title="Troops suffer losses",
        publisher="AFP",
        authors=["Jane Roe", "John Doe"],
        published=dt.date(2024, 11, 5),
        url="https://example.com/a1",
        summary=TRICKY_SUMMARY,
        key_points=["First point", "Second | point"],
        figures=[GroundedFigure(text="around 1,100 casualties", value=1100, unit="people",
                                describes="casualties", qualifier="approximately",
                                span=(10, 33), source="both"),
                 GroundedFigure(text="$1.7 billion", value=1.7e9, unit="USD",
                                describes="aid", source="rules")],
        quotes=[GroundedQuote(text="We will respond", speaker="A. Minister", span=(1, 16))],
        entities=[GroundedEntity(name="Kursk", type="location"),
                  GroundedEntity(name="AFP", type="organization", source="rules")],
        topics=["war", "russia"],
    )
    fields.update(summary_changes)
    return Result(
        id=rid, input=f"articles/{rid}.txt", status="ok", engine="llm+rules",
        summary=Summary(**fields),  # type: ignore[arg-type]
        dropped=[Dropped(field="quotes", item={"text": "made up", "speaker": "X"},
                         reason="not found in the article")],
        model="gpt-4o-mini", cached=False,
        usage=Usage(requests=2, prompt_tokens=812, completion_tokens=640), elapsed_ms=1840.25)


def error_result(rid: str = "bad") -> Result:
    return Result(id=rid, input=f"articles/{rid}.txt", status="error",
                  error=ErrorInfo(type="InputError", message="empty article (no text)"))


def render(fmt: str, results: list[Result]) -> str:
    buf = io.StringIO()
    writer = Writer(buf, fmt)  # type: ignore[arg-type]
    for r in results:
        writer.write(r)
    writer.close()
    return buf.getvalue()


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []
        self.flushes = 0

    def write(self, s: str) -> int:
        self.writes.append(s)
        return super().write(s)

    def flush(self) -> None:
        self.flushes += 1


def test_formats_listed() -> None:
    assert FORMATS == ("jsonl", "json", "csv", "md")
    with pytest.raises(ValueError, match="unknown output format"):
        Writer(io.StringIO(), "xml")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_write_and_flush_per_record(fmt: str) -> None:
    stream = CountingStream()
    writer = Writer(stream, fmt)  # type: ignore[arg-type]
    for i in range(3):
        writer.write(ok_result(f"a{i}"))
        assert len(stream.writes) == i + 1
        assert stream.flushes == i + 1
    writer.close()


# --- json / jsonl ---


@pytest.mark.parametrize("n", [0, 1, 5])
def test_json_is_valid_for_any_count(n: int) -> None:
    results = [ok_result(f"a{i}") for i in range(n)]
    data = json.loads(render("json", results))
    assert [d["id"] for d in data] == [f"a{i}" for i in range(n)]


def test_jsonl_one_record_per_line() -> None:
    text = render("jsonl", [ok_result("a"), error_result("b")])
    lines = text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a", "b"]
    assert render("jsonl", []) == ""


# --- csv ---


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_round_trips_commas_quotes_newlines() -> None:
    rows = parse_csv(render("csv", [ok_result("a"), error_result("b")]))
    assert len(rows) == 2
    row = rows[0]
    assert list(row) == list(CSV_COLUMNS)
    assert row["summary"] == TRICKY_SUMMARY
    assert row["authors"] == "Jane Roe; John Doe"
    assert row["key_points"] == "First point | Second | point"
    assert row["topics"] == "war; russia"
    assert row["published"] == "2024-11-05"
    assert (row["n_figures"], row["n_quotes"], row["n_entities"], row["n_dropped"]) == (
        "2", "1", "2", "1")
    assert (row["requests"], row["prompt_tokens"], row["completion_tokens"]) == (
        "2", "812", "640")
    assert row["cached"] == "false"
    assert row["elapsed_ms"] == "1840.2" or row["elapsed_ms"] == "1840.3"
    assert row["error_type"] == row["error_message"] == ""


def test_csv_error_record() -> None:
    row = parse_csv(render("csv", [error_result()]))[0]
    assert row["status"] == "error"
    assert row["title"] == row["summary"] == row["engine"] == ""
    assert row["n_figures"] == "0"
    assert row["error_type"] == "InputError"
    assert row["error_message"] == "empty article (no text)"


def test_csv_header_only_when_empty() -> None:
    text = render("csv", [])
    assert text == ",".join(CSV_COLUMNS) + "\n"
    assert parse_csv(text) == []


def test_csv_header_written_once() -> None:
    text = render("csv", [ok_result(f"a{i}") for i in range(3)])
    assert text.count("id,input,status") == 1
    assert [r["id"] for r in parse_csv(text)] == ["a0", "a1", "a2"]


def test_csv_row_length_matches_header() -> None:
    assert len(csv_row(ok_result())) == len(CSV_COLUMNS)
    assert len(csv_row(error_result())) == len(CSV_COLUMNS)


# --- md ---


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("#")]


def test_md_structure() -> None:
    text = render("md", [ok_result("a"), error_result("bad")])
    assert headings(text) == ["# llmextract digest", "## Troops suffer losses", "## bad"]
    assert "status: **ok** · engine: llm+rules · published: 2024-11-05 · publisher: AFP" in text
    assert "- First point" in text
    assert "| text | value | qualifier | source |" in text
    assert "| around 1,100 casualties | 1,100 people | approximately | both |" in text
    assert r"| \$1.7 billion | 1,700,000,000 USD | exact | rules |" in text
    assert "> “We will respond” — A. Minister" in text
    assert "**Entities:** Kursk (location), AFP (organization)" in text
    assert "- quotes: “made up” — not found in the article" in text
    assert "**Error** (InputError): empty article (no text)" in text
    # the summary's newline is folded into the paragraph
    assert "in Kursk. A second line, too." in text


def test_md_escapes_pipes_in_table_cells() -> None:
    fig = GroundedFigure(text="a | b", value=1, describes="x")
    text = md_section(ok_result(figures=[fig]))
    row = next(line for line in text.splitlines() if line.startswith("| a"))
    assert row == r"| a \| b | 1 | exact | llm |"
    assert len(re.findall(r"(?<!\\)\|", row)) == 5  # four cells, five unescaped bars


def test_md_article_text_cannot_make_headings() -> None:
    nasty = "# Injected\n## Also injected\n===\n> quote"
    result = ok_result(title="# Title #", summary=nasty, key_points=["# point", "x\n# y"],
                       topics=["#tag"], quotes=[GroundedQuote(text="# q", speaker="# s")],
                       entities=[GroundedEntity(name="# e", type="other")])
    result.dropped.append(Dropped(field="quotes", item={"text": "# d\n# e"}, reason="# r"))
    result.warnings.append("# warning\n# more")
    text = render("md", [result, error_result("# bad")])
    assert headings(text) == ["# llmextract digest", r"## \# Title \#", r"## \# bad"]
    assert not any(line.startswith(("=", ">", "<")) and "quote" in line
                   for line in text.splitlines())
    assert r"\# Injected ## Also injected === > quote" in text
    assert r"- \# point" in text


def test_md_escapes_html_and_block_starts() -> None:
    text = md_section(ok_result(summary="<script>alert(1)</script>", key_points=["1. one"]))
    assert re.search(r"(?<!\\)<", text) is None
    assert r"\<script>" in text
    assert r"- 1\. one" in text


def test_md_empty_digest() -> None:
    text = render("md", [])
    assert text.startswith("# llmextract digest\n")
    assert headings(text) == ["# llmextract digest"]


def test_md_title_once_for_many_records() -> None:
    text = render("md", [ok_result(f"a{i}", title=None) for i in range(3)])
    assert headings(text) == ["# llmextract digest", "## a0", "## a1", "## a2"]


# -- user schemas (--schema) carry their data in every format ------------------------------

def _casualty_run(fmt: str) -> str:
    from .conftest import ARTICLES, CASSETTES, cli

    proc = cli("summarize", str(ARTICLES / "quake_wire.txt"), "--schema",
               "schemas/examples/casualty.py:CasualtyReport", "--replay",
               str(CASSETTES / "custom_casualty.yaml"), "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_csv_of_a_user_schema_run_carries_its_data() -> None:
    jsonl = json.loads(_casualty_run("jsonl"))
    rows = list(csv.DictReader(io.StringIO(_casualty_run("csv"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["schema_name"] == "CasualtyReport"
    assert json.loads(row["data"]) == jsonl["data"]
    assert "\n" not in row["data"]  # compact JSON
    assert [c["count"] for c in json.loads(row["data"])["counts"]] == [87, 12000, 400]


def test_md_of_a_user_schema_run_carries_its_data_and_evidence() -> None:
    jsonl = json.loads(_casualty_run("jsonl"))
    md = _casualty_run("md")
    assert "**Schema:** CasualtyReport" in md
    block = re.search(r"```json\n(.*?)\n```", md, re.S)
    assert block is not None and json.loads(block.group(1)) == jsonl["data"]
    assert "**Evidence**" in md and "| place | name | Central Sulawesi |" in md
    assert md.count("\n| ") == len(jsonl["evidence"]) + 1  # header + one row each


def test_news_records_have_an_empty_data_cell() -> None:
    row = dict(zip(CSV_COLUMNS, csv_row(ok_result()), strict=True))
    assert row["schema_name"] == "ArticleSummary" and row["data"] == ""
