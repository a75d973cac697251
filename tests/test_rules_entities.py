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


def test_places_named_by_context() -> None:
    text = ("Snow closed Interstate 80 and Highway 12 in Northern Nevada on Monday. The "
            "provincial capital, Tarnow, was cut off. Velm Gov. Anton Kessler said flights on "
            "the Tarnow-Ostrava-Zell route were cancelled. Ballots were cast in Abra, Benton, "
            "Lagos, Cimmel and Doro. Doctors treated Lassa fever cases, and U.S. District "
            "Judge Ann Cole ruled. The Nerva State Governor, Ike Obi, met his Ekiti State "
            "counterpart.")
    got = _ents(text)
    for place in ("Interstate 80", "Highway 12", "Northern Nevada", "Tarnow", "Velm", "Ostrava",
                  "Zell", "Abra", "Benton", "Lagos", "Cimmel", "Doro", "Nerva", "Ekiti"):
        assert got.get(place) == "location", place
    assert got["Anton Kessler"] == "person"
    for junk in ("Lassa", "U.S. District", "Monday", "Nevada", "Ballots", "Doctors"):
        assert junk not in got


def test_lists_need_a_known_place() -> None:
    got = _ents("Among those honoured were Abbott, Costello, Marley, Hendrix and Joplin.")
    assert all(got.get(n) != "location" for n in ("Abbott", "Costello", "Marley", "Joplin"))
    got = _ents("In Paris, Smith and Jones met reporters.")
    assert "Smith" not in got or got["Smith"] != "location"


def test_organisations_named_by_context() -> None:
    text = ("Data from the European Centre for Disease Prevention and Control and the "
            "International Organization for Migration showed it. The Biden administration "
            "and the NDA government disagreed, while the Green Future party and the Free and "
            "Fair party abstained. Democrats and Republicans argued. The figures came from the "
            "tracking website Quakewatch. Lena Voss, chief executive of Orvato, said sales fell. "
            "Mara Quinn of the NUJ spoke. The ruling nationalist Front won.")
    got = _ents(text)
    for org in ("European Centre for Disease Prevention and Control",
                "International Organization for Migration", "Biden administration",
                "NDA government", "Green Future", "Free and Fair", "Democrats", "Republicans",
                "Quakewatch", "Orvato", "NUJ", "Front"):
        assert got.get(org) == "organization", org
    assert got["Lena Voss"] == "person"
    assert got["Mara Quinn"] == "person"
    for junk in ("Biden", "NDA", "Mara Quinn of the NUJ", "Fair"):
        assert junk not in got


def test_domains_are_organisations_but_urls_are_not() -> None:
    text = ("The group runs Phonezone.com, cheapcalls.co.uk and Gadgetry.net. Write to "
            "press@newsdesk.org or see https://example.com/a for details.")
    got = _ents(text)
    for org in ("Phonezone.com", "cheapcalls.co.uk", "Gadgetry.net"):
        assert got.get(org) == "organization", org
    assert not any("example" in n or "newsdesk" in n for n in got)
    assert "Phonezone" not in got


def test_acronyms_take_the_type_of_their_expansion() -> None:
    text = ("Flights left Harwell Regional Airport (HRA) late. HRA said traffic rose, and "
            "passengers at HRA waited. The HRA Marshall Terminal was shut. The Baltimore/"
            "Washington Airport reopened. Officials of the Tarn Valley Authority (TVA) agreed.")
    got = _ents(text)
    assert got["Harwell Regional Airport"] == "location"
    assert got["HRA"] == "location"
    assert got["TVA"] == "organization"
    assert got["Baltimore/Washington Airport"] == "location"
    got = _ents("ISTANBUL (AA) - Rescuers worked overnight.")
    assert got.get("AA") != "location"


def test_names_in_titles_and_appositions() -> None:
    text = ('The painting - "Three Sketches of Maria Callas" - sold in New York. The "Silver '
            'Swan" sculpture also sold. Cyclone Marva hit the coast. Millions of Orvato '
            "customers were affected. New York's mayor spoke. Analysts polled by FactSet "
            "expected a loss.")
    got = _ents(text)
    assert got["Maria Callas"] == "person"
    assert got["New York"] == "location"
    assert got["FactSet"] == "organization"
    for junk in ("Sketches of Maria Callas", "Silver Swan", "Cyclone Marva", "Millions",
                 "of Orvato", "Millions of Orvato", "York"):
        assert junk not in got, junk


def test_regional_article() -> None:
    got = _ents((DATA / "wire_regional.txt").read_text())
    want = {"Southern Oregon": "location", "Interstate 5": "location", "Highway 97": "location",
            "Roadwatch": "organization", "Kelloway": "location", "Marsden": "location",
            "Pine Bluff": "location", "Harlan": "location", "Dana Whitlow": "person",
            "Oregon Department of Transportation": "organization", "ODOT": "organization",
            "Salem": "location", "Tillford": "location", "Rita Okafor": "person",
            "OEA": "organization", "Democrats": "organization",
            "Biden administration": "organization", "Pacificpower.com": "organization",
            "Mark Delaney": "person", "Cascadia Grid": "organization"}
    for name, typ in want.items():
        assert got.get(name) == typ, name


def test_accented_names_titles_and_place_lists() -> None:
    got = _ents("Midfielder Joaquín Ibáñez scored late, and Cllr Ana Núñez presented the cup. "
                "Fans came from the towns of Arvel, Brisk and Colden.")
    assert got["Joaquín Ibáñez"] == "person" and got["Ana Núñez"] == "person"
    assert got["Arvel"] == got["Brisk"] == got["Colden"] == "location"


def test_us_agency_with_plural_head_and_and() -> None:
    got = _ents("Cases rose, according to the U.S. Centers for Disease Control and Prevention "
                "(CDC), which tracks them.")
    assert got["U.S. Centers for Disease Control and Prevention"] == "organization"


def test_a_place_after_on_along_or_through_is_a_location() -> None:
    text = ("More than 80mm of rain fell on Porthwenna in three hours, and the water ran "
            "along Tregarrick before it reached the sea.\n")
    found = {(e.name, e.type) for e in find_entities(text)}
    assert ("Porthwenna", "location") in found and ("Tregarrick", "location") in found


def test_a_british_road_number_is_a_place_only_in_a_clause_about_roads() -> None:
    got = _ents("Around 900 homes lost power, and the B3263 was closed in both directions. "
                "Police said the M5 northbound reopened at junction 23 by morning.")
    assert got.get("B3263") == "location" and got.get("M5") == "location"
    # aircraft, rifles and paper sizes written the same way are not roads
    got = _ents("Troops carried the M16 on patrol, and the gate was closed behind them.")
    assert "M16" not in got


def test_a_chancellery_is_an_institution() -> None:
    got = _ents("Final results were published by the Federal Chancellery on Sunday.")
    assert got.get("Federal Chancellery") == "organization"


def test_a_commission_on_its_subject_is_one_organisation() -> None:
    got = _ents("The Texas Commission on Environmental Quality reviewed it, and she spoke to "
                "the Council on Foreign Relations. The Committee on Monday voted.")
    assert got.get("Texas Commission on Environmental Quality") == "organization"
    assert got.get("Council on Foreign Relations") == "organization"
    assert "Environmental Quality" not in got and "Monday" not in got


def test_run_spans_are_segments_less_leading_words() -> None:
    # run_spans() works on the run alone (and is cached per run): it must give what
    # segments() and trim_leading() give on the whole text, at a sentence start or not
    from llmextract.rules.entity_spans import (
        SEQ_RE,
        is_sentence_start,
        run_spans,
        segments,
        trim_leading,
    )

    text = (DATA / "wire_flood.txt").read_text() + (
        " President Kim Jong Un's aides and Russia's envoy met. The Velm Centre for Disease "
        "Control and Prevention said so. \"Northern Nevada\" Officials, Reuters and "
        "U.S. Sen. Ann Cole of the NUJ. Monday Interstate 80 Harwell/Dunmore Airport. "
        "And Tarnow-Ostrava Ministers' Minister. Rev. Smith Jr. Ukraine. The North")
    for m in SEQ_RE.finditer(text):
        want = [(*trim_leading(text, a, b), t) for a, b, t in segments(text, m.start(), m.end())]
        s = m.start()
        got = [(s + a, s + b, t) for a, b, t in run_spans(m.group(0), is_sentence_start(text, s))]
        assert got == want, m.group(0)


def test_cached_names_are_typed_by_their_own_context() -> None:
    # what a name alone tells is cached; what its context tells is read every time
    assert _ents("Officials met in the provincial capital, Tarnow, on Monday.") == {
        "Tarnow": "location"}
    assert _ents("Officials met on Monday, Tarnow said.") == {"Tarnow": "person"}
    assert _ents("Talks in Tarnow ended.") == {"Tarnow": "location"}
