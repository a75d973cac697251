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


@pytest.mark.parametrize(("line", "day"), [
    ("MONDAY, Feb. 5, 2024 (HealthDay News) -- Older adults who sleep well live longer, "
     "a new study of more than forty thousand people in three countries suggests.",
     dt.date(2024, 2, 5)),
    ("Wednesday 3 July 2024 09:05 BST", dt.date(2024, 7, 3)),
    ("Published 2 Oct 2023 - 11:40 GMT", dt.date(2023, 10, 2)),
    ("June 9, 2024 4:15 PM GMT+2", dt.date(2024, 6, 9)),
])
def test_dateline_and_timestamp_dates(line: str, day: dt.date) -> None:
    meta = parse_meta(f"Sleep study links rest to longer life\n\n{line}\n\nBody text here.")
    assert meta.published == day
    assert meta.dateline_place is None  # a weekday is not a place


def test_wire_news_suffix_and_desk_initials() -> None:
    text = ("Sleep study links rest to longer life\n\nBy Mara Quint HealthDay Reporter\n\n"
            "MONDAY, Feb. 5, 2024 (HealthDay News) -- Older adults who sleep well live longer.")
    meta = parse_meta(text)
    assert meta.publisher == "HealthDay" and meta.authors == ["Mara Quint"]
    # without a byline naming the wire by the short name, the dateline's name stands
    assert parse_meta(text.replace("HealthDay Reporter", "")).publisher == "HealthDay News"
    text = ("State approves new bridge\n\nPune, Mar 4 (PTI) The state cabinet on Monday "
            "approved a bridge over the river.\n\nWork will start in May. PTI ABC XYZ")
    meta = parse_meta(text)
    assert meta.publisher == "PTI"
    assert text[slice(*meta.dateline_place)] == "Pune"  # type: ignore[misc]
    assert parse_meta(text.replace("Pune, Mar 4 (PTI) ", "")).publisher == "PTI"


def test_byline_with_role_after_bar_or_comma() -> None:
    meta = parse_meta("Council backs new park\n\nBy Ruth Calder | Staff Writer\n\nBody.")
    assert meta.authors == ["Ruth Calder"]
    meta = parse_meta("Council backs new park\n\nBy Ruth Calder, Senior Political Correspondent"
                      "\n\nBody.")
    assert meta.authors == ["Ruth Calder"]


def test_a_date_in_one_part_of_a_pipe_separated_byline() -> None:
    text = ("Une coopérative ferme son usine\n\nPar Anne Kerhervé | La Gazette d'Armor | Publié "
            "le 18 mars 2025 à 07h45, mis à jour à 09h10\n\nLa coopérative a annoncé mardi la "
            "fermeture de son site.\n")
    assert parse_meta(text, "fr").published == dt.date(2025, 3, 18)


def test_the_publisher_in_a_pipe_separated_byline_and_a_role_is_none() -> None:
    text = ("Harbour fees rise\n\nBy Owen Trask | The Porthleven Packet | Published 3 March "
            "2025\n\nFees at the harbour will rise next month.\n")
    meta = parse_meta(text, "en")
    assert meta.publisher == "The Porthleven Packet" and meta.authors == ["Owen Trask"]
    assert meta.published == dt.date(2025, 3, 3)
    role = parse_meta("Fees rise\n\nBy Owen Trask | Staff Writer\n\nFees will rise.\n", "en")
    assert role.publisher is None and role.authors == ["Owen Trask"]
