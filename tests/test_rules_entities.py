"""Rule engine entities."""

from __future__ import annotations

from pathlib import Path

from llmextract.rules.entities import find_entities

DATA = Path(__file__).parent / "data" / "rules"


def _ents(text: str) -> dict[str, str]:
    hits = find_entities(text)
    for h in hits:
        assert text[h.start : h.end] == h.name
    return {h.name: h.type for h in hits}


def test_types_and_cues() -> None:
    text = ("North Korea sent troops to Russia, the Ministry of Defence said. "
            "President Kim Jong Un visited Pyongyang on Monday. Kim later met officials "
            "from the World Bank and the Bank of Korea. Maria Gomez, a nurse, said the "
            "Red River had flooded.")
    got = _ents(text)
    assert got["North Korea"] == "location"
    assert got["Russia"] == "location"
    assert got["Ministry of Defence"] == "organization"
    assert got["Kim Jong Un"] == "person"
    assert "Kim" not in got  # folded into the full name
    assert got["Pyongyang"] == "location"
    assert got["World Bank"] == "organization"
    assert got["Bank of Korea"] == "organization"
    assert got["Maria Gomez"] == "person"
    assert got["Red River"] == "location"
    for junk in ("President", "Monday", "The", "He", "North Korean"):
        assert junk not in got


def test_no_sentence_initial_common_words_or_months() -> None:
    got = _ents("However, the talks failed. In March officials met. The Council met in Paris.")
    assert "However" not in got and "In March" not in got and "March" not in got
    assert got.get("Paris") == "location"


def test_possessive_split_and_state_list() -> None:
    text = ("South Korea's Joint Chiefs of Staff said so. Cases were found in Ondo, Bauchi, "
            "Edo and Taraba states.")
    got = _ents(text)
    assert got["South Korea"] == "location"
    assert got["Joint Chiefs of Staff"] == "organization"
    for s in ("Ondo", "Bauchi", "Edo", "Taraba"):
        assert got[s] == "location"


def test_article_entities() -> None:
    got = _ents((DATA / "wire_flood.txt").read_text())
    assert got["Philippines"] == "location"
    assert got["Mark Timbal"] == "person"
    assert got["Elena Reyes"] == "person"
    assert got["National Disaster Risk Reduction and Management Council"] == "organization"


def test_empty() -> None:
    assert find_entities("") == []
    assert find_entities("lowercase only text.") == []
