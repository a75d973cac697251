"""Rule engine metadata: headline, byline, publisher, date, URL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from llmextract.rules.meta import parse_date, parse_meta

DATA = Path(__file__).parent / "data" / "rules"


def test_markdown_headline_byline_date_url() -> None:
    meta = parse_meta((DATA / "wire_flood.txt").read_text())
    assert meta.title == "Floods Leave Dozens Dead in Northern Province"
    assert meta.authors == ["Maria Lopez", "David Chen"]
    assert meta.publisher == "Reuters"
    assert meta.published == dt.date(2023, 3, 4)
    assert meta.url == "https://example.com/news/2023/03/04/philippines-floods"


def test_plain_headline_and_dateline_without_year() -> None:
    meta = parse_meta((DATA / "business_plain.txt").read_text())
    assert meta.title == "Acme Corp profit jumps on strong demand"
    assert meta.publisher == "AP"
    assert meta.published is None  # "Oct. 12" gives no year
    assert meta.url is None


@pytest.mark.parametrize(
    ("text", "publisher"),
    [
        ("By AFP\n\nSomething happened today in the city.", "AFP"),
        ("LONDON (Reuters) - Something happened.", "Reuters"),
        ("BEIJING, Aug. 3 (Xinhua) -- Something happened.", "Xinhua"),
        ("MONZA, Italy (AP) — Something happened.", "AP"),
        ("Body text here.\n— Reuters", "Reuters"),
        ("Body text.\nCopyright 2020 The Associated Press. All rights reserved.",
         "Associated Press"),
    ],
)
def test_publisher(text: str, publisher: str) -> None:
    assert parse_meta(text).publisher == publisher


@pytest.mark.parametrize(
    ("s", "date"),
    [
        ("December 23, 2024", dt.date(2024, 12, 23)),
        ("23 December 2024", dt.date(2024, 12, 23)),
        ("2024-12-23", dt.date(2024, 12, 23)),
        ("Dec. 23, 2024", dt.date(2024, 12, 23)),
        ("Sept. 5, 2019", dt.date(2019, 9, 5)),
        ("Aug. 3", None),
        ("February 30, 2024", None),
    ],
)
def test_parse_date(s: str, date: dt.date | None) -> None:
    got = parse_date(s)
    assert (got[0] if got else None) == date


def test_byline_with_wire_and_date() -> None:
    meta = parse_meta("Title of the story here\n\nBy: The Associated Press July 27, 2018\n\nText.")
    assert meta.publisher == "The Associated Press"
    assert meta.authors == []
    assert meta.published == dt.date(2018, 7, 27)


def test_no_meta() -> None:
    meta = parse_meta("")
    assert meta.title is None and meta.publisher is None and meta.published is None
