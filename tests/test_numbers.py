"""Number parsing: values, qualifiers, units, ranges and what is skipped."""

from __future__ import annotations

import itertools

import pytest

from llmextract.text.numbers import find_numbers, parse_value, values_in


def _one(text: str) -> tuple[str, float | None, str | None, str]:
    found = find_numbers(text)
    assert len(found) == 1, found
    m = found[0]
    assert text[m.start : m.end] == m.text
    return m.text, m.value, m.unit, m.qualifier


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("suffered around 1,100 casualties.", ("around 1,100 casualties", 1100, "casualties",
                                               "approximately")),
        ("More than 1,000 North Korean soldiers died", ("More than 1,000 North Korean soldiers",
                                                         1000, "soldiers", "more_than")),
        ("at least 100 people", ("at least 100 people", 100, "people", "at_least")),
        ("up to 2.4 million customers", ("up to 2.4 million customers", 2.4e6, "customers",
                                         "up_to")),
        ("fewer than 50 people", ("fewer than 50 people", 50, "people", "less_than")),
        ("nearly $120 million", ("nearly $120 million", 1.2e8, "USD", "approximately")),
        ("it cost $41.1 billion.", ("$41.1 billion", 41.1e9, "USD", "exact")),
        ("profit of €2.78 billion.", ("€2.78 billion", 2.78e9, "EUR", "exact")),
        ("profit of 2.78 billion euros.", ("2.78 billion euros", 2.78e9, "EUR", "exact")),
        ("a £12m deal", ("£12m", 12e6, "GBP", "exact")),
        ("rose 7 percent.", ("7 percent", 7, "percent", "exact")),
        ("rose 7%.", ("7%", 7, "percent", "exact")),
        ("rose 18.7 per cent.", ("18.7 per cent", 18.7, "percent", "exact")),
        ("jailed for seven years.", ("seven years", 7, "years", "exact")),
        ("two people died", ("two people", 2, "people", "exact")),
        ("a dozen pigs", ("a dozen pigs", 12, "pigs", "exact")),
        ("Twenty-three bodies were found", ("Twenty-three bodies", 23, "bodies", "exact")),
        ("earned 96 cents a share.", ("96 cents a share", 0.96, "USD", "exact")),
        ("by 2 1/2 minutes", ("2 1/2 minutes", 2.5, "minutes", "exact")),
        ("5 crore workers", ("5 crore workers", 5e7, "workers", "exact")),
    ],
)
def test_figure_phrases(text: str, expected: tuple[str, float, str | None, str]) -> None:
    got = _one(text)
    assert got[0] == expected[0]
    assert got[1] == pytest.approx(expected[1])
    assert got[2:] == expected[2:]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a range of 1.50 percent to 1.75 percent.", "1.50 percent to 1.75 percent"),
        ("growth of 5 to 7 percent", "5 to 7 percent"),
        ("10-12 people", "10-12"),
        ("Stephens beat Novak 6-1 6-2 in the final", "6-1 6-2"),
        ("paid Rs3,000-Rs 3,500 a month", "Rs3,000-Rs 3,500 a month"),
    ],
)
def test_ranges_and_scores_have_no_value(text: str, phrase: str) -> None:
    found = find_numbers(text)
    assert [m.text for m in found] == [phrase]
    assert found[0].value is None


@pytest.mark.parametrize(
    "text",
    [
        "It happened in 2014, not in December 2024.",
        "published December 23, 2024 at 3:39 a.m.",
        "on 23 December",
        "the 21st century and the 1990s",
        "240mm rocket launchers",
        "along Interstate 5 and aboard an An-24",
        "Covid-19 spread",
        "call 555-123-4567",
        "one of the most famous",
        "no one knows",
        "see https://example.com/2024/12/23/story-1100",
    ],
)
def test_skipped(text: str) -> None:
    assert find_numbers(text) == []


def test_rose_to_is_not_a_range() -> None:
    found = find_numbers("Sales grew 12 percent to $1.165 billion from $1.04 billion.")
    assert [m.value for m in found] == [12, 1.165e9, 1.04e9]


def test_values_in_lists_mantissa() -> None:
    assert values_in("$1.7 billion") == [1.7e9, 1.7]
    assert 1.1e6 in values_in("1.1 million")
    assert values_in("96 cents") == [0.96, 96]
    assert values_in("no number here") == []


def test_parse_value() -> None:
    assert parse_value("seven") == 7
    assert parse_value("7 percent") == 7
    assert parse_value("around 1,100 casualties") == 1100
    assert parse_value("1.50 percent to 1.75 percent") is None
    assert parse_value("nothing") is None


def test_non_overlapping_in_order() -> None:
    text = "At least 42 people died and more than 15,000 families fled; $12.5 million was sent."
    found = find_numbers(text)
    assert [m.value for m in found] == [42, 15000, 12.5e6]
    for a, b in itertools.pairwise(found):
        assert a.end <= b.start


def test_fractions_of_a_unit() -> None:
    assert _one("rates rose by a quarter of a percentage point") == (
        "a quarter of a percentage point", 0.25, "percentage points", "exact")
    assert values_in("half") == [0.5, 50]  # a share is its percentage too
    assert values_in("a third of voters")[0] == 1 / 3
    assert 25 not in values_in("a quarter of a percentage point")
    assert find_numbers("for a third time") == []  # an ordinal use, not a share


def test_clock_times_and_durations_found_without_value() -> None:
    found = find_numbers("He won in 2:02:57, beating the record by 2 hours, 25 seconds.")
    assert [(m.text, m.value) for m in found] == [("2:02:57", None),
                                                 ("2 hours, 25 seconds", None)]


def test_ranks_after_a_verb_of_standing() -> None:
    found = find_numbers("She is ranked 35th, while her rival is 40th. It opens on the 21st.")
    assert [(m.text, m.value) for m in found] == [("35th", 35.0), ("40th", 40.0)]


def test_spelled_number_before_a_capitalised_plural_name() -> None:
    assert _one("Ten National Rapid Response Teams have been deployed") == (
        "Ten National Rapid Response Teams", 10.0, "teams", "exact")


def test_change_to_a_new_level_is_not_a_range() -> None:
    found = find_numbers("Oil fell 35 cents per barrel to $26.59 on Monday")
    assert [(m.text, m.value) for m in found] == [("35 cents per barrel", 0.35),
                                                 ("$26.59", 26.59)]


def test_hyphenated_scale_words_and_ordinal_words() -> None:
    assert values_in("a Rs 1,200-crore grant")[0] == 1.2e10
    assert values_in("finished sixth place") == [6.0]
    assert values_in("the 14th stop") == [14.0]


def test_ignorecase_extra_letters_are_all_the_letters_ignorecase_adds() -> None:
    # `cased` spells a letter as the class IGNORECASE matches: every code point, checked
    import re
    import string
    import sys

    from llmextract.text.numpatterns import IGNORECASE_EXTRA

    any_letter = re.compile("[a-z]", re.IGNORECASE)
    found: dict[str, str] = {}
    for ch in map(chr, range(sys.maxunicode + 1)):
        if not ch.isascii() and any_letter.fullmatch(ch):
            for c in string.ascii_lowercase:
                if re.fullmatch(c, ch, re.IGNORECASE):
                    found[c] = found.get(c, "") + ch
    assert found == IGNORECASE_EXTRA
    assert all(re.fullmatch(c, c.upper(), re.IGNORECASE) for c in string.ascii_lowercase)


@pytest.mark.parametrize("text", ["ſix", "SİX", "sıx", "Fourteen", "twenty-one", "xone",
                                  "a third", "thirds", "tent", "nin", "DOZEN", "quarte"])
def test_opens_with_matches_as_an_ignorecase_list_of_the_words(text: str) -> None:
    import re

    from llmextract.text.numpatterns import opens_with

    words = {"six", "fourteen", "four", "twenty", "one", "third", "thirds", "ten", "nine",
             "dozen", "quarter"}
    plain = re.compile("(?:" + "|".join(words) + ")", re.IGNORECASE)
    assert bool(re.compile(opens_with(words)).match(text)) == bool(plain.match(text))
