"""Articles in other languages: detection, numbers read by the article's conventions,
grounding that never refuses a correct value for the English reading, quotation marks,
speakers and dates of German, French, Spanish, Italian and Portuguese news; text without
spaces located by characters. The texts here are written for these tests."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llmextract.check.grounding import Locator, ground
from llmextract.rules import extract
from llmextract.schemas.news import ArticleSummary
from llmextract.text.dates import parse_date
from llmextract.text.intl_numbers import read_digits
from llmextract.text.langs import conventions, detect_language
from llmextract.text.numbers import find_numbers, values_in

ROOT = Path(__file__).resolve().parent.parent

DE = (
    "Hochwasser in Passau: Stadt zählt die Schäden\n\n"
    "PASSAU, 14.05.2024 (dpa) – Nach dem Hochwasser an der Donau beziffert die Stadt die "
    "Schäden auf rund 1,5 Millionen Euro. In den Notunterkünften wurden 1.100 Menschen "
    "versorgt, drei Feuerwehrleute wurden leicht verletzt.\n\n"
    "„Wir haben so etwas seit Jahrzehnten nicht erlebt“, sagte Oberbürgermeister Jürgen "
    "Dupper am Dienstag. Der Pegel lag zeitweise bei 9,35 Metern.\n\n"
    "Die Versicherer rechnen mit einer Quote von 61,9 Prozent gedeckter Schäden. "
    "»Die Hilfe kommt an«, betonte Landrat Raimund Kneidinger.\n"
)
FR = (
    "Grève à la SNCF : 400 000 voyageurs touchés\n\n"
    "PARIS, 3 décembre 2024 (AFP) - Plus de 400\u202f000 voyageurs ont été touchés mardi par "
    "la grève, qui coûte 2 milliards d'euros selon la direction.\n\n"
    "« Nous ne céderons pas », a déclaré Marie Lefèvre, secrétaire du syndicat. Le trafic a "
    "baissé de 12,5 % et deux trains sur trois ont été annulés.\n"
)
ES = (
    "El Gobierno aprueba un plan de 1.200 millones de euros\n\n"
    "MADRID, 23 de diciembre de 2024 (EFE) - El Consejo de Ministros aprobó el lunes un plan "
    "de 1.200 millones de euros para reconstruir las zonas afectadas, donde murieron cinco "
    "personas.\n\n"
    "«Nadie se quedará atrás», dijo la ministra Carmen Ruiz. La inflación bajó al 3,5%.\n"
)


def _answer(**kw: Any) -> ArticleSummary:
    return ArticleSummary(summary="s", **kw)


# -- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "code"), [
    (DE, "de"), (FR, "fr"), (ES, "es"),
    ("Il governo ha approvato giovedì un piano da 3,2 miliardi di euro, secondo il "
     "ministro. I sindacati sono contrari e hanno annunciato uno sciopero.", "it"),
    ("O governo aprovou na quinta-feira um plano de 4,2 bilhões de reais, segundo o "
     "ministro. Os sindicatos são contra e anunciaram uma greve.", "pt"),
    ("The council voted on Tuesday to close the library, the mayor said.", "en"),
    ("东京电力公司周四表示，核电站的冷却系统已经恢复正常。", "zh"),
    ("東京電力は木曜日、原発の冷却システムが正常に戻ったと発表した。", "ja"),
    ("", "en"), ("12 345 678", "en"),
])
def test_language_is_detected(text: str, code: str) -> None:
    assert detect_language(text) == code


# -- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "phrase", "value", "unit"), [
    ("de", "rund 1,5 Millionen Euro", 1_500_000, "EUR"),
    ("de", "46.221 Besucher", 46_221, "besucher"),
    ("de", "1'100 Franken", 1_100, "CHF"),
    ("de", "12,5 Mio. Fr.", 12_500_000, "CHF"),
    ("de", "drei Verletzte", 3, "verletzte"),
    ("de", "61,9 Prozent", 61.9, "percent"),
    ("fr", "400 000 habitants", 400_000, "habitants"),
    ("fr", "400\u00a0000 habitants", 400_000, "habitants"),
    ("fr", "400\u202f000 habitants", 400_000, "habitants"),
    ("fr", "2 milliards d'euros", 2e9, "EUR"),
    ("fr", "12,5 %", 12.5, "percent"),
    ("es", "1.200 millones de euros", 1.2e9, "EUR"),
    ("es", "cinco muertos", 5, "muertos"),
    ("it", "3,2 miliardi di euro", 3.2e9, "EUR"),
    ("it", "dieci persone", 10, "persone"),
    ("pt", "US$ 4,2 bilhões", 4.2e9, "USD"),
    ("pt", "R$ 250", 250, "BRL"),
    ("pt", "1,5 milhão de pessoas", 1.5e6, "pessoas"),
])
def test_numbers_are_read_the_article_s_way(lang: str, phrase: str, value: float,
                                            unit: str) -> None:
    found = find_numbers(f"Es hieß: {phrase} am Ende." if lang == "de" else f"— {phrase}.",
                         lang)
    assert len(found) == 1, found
    assert found[0].value == pytest.approx(value)
    assert found[0].unit == unit
    assert phrase.split()[-1] in found[0].text


@pytest.mark.parametrize(("lang", "text"), [
    ("de", "Am 22.06.2008 um 14.30 Uhr begann im Jahr 2008 das Spiel, Bayern gewann 2:1."),
    ("fr", "Le 3 décembre 2024 à 14h30, en 2024."),
    ("es", "El 23 de diciembre de 2024, a las 14:30."),
])
def test_dates_times_and_years_are_not_figures(lang: str, text: str) -> None:
    values = [n.value for n in find_numbers(text, lang)]
    assert all(v is None for v in values), values  # only the score, with no single value


def test_ambiguous_separators_list_every_reading_the_likely_one_first() -> None:
    assert read_digits("1.100") == [1100, 1.1]
    assert read_digits("61,9") == [61.9]
    assert read_digits("1,500") == [1.5, 1500]
    assert read_digits("22.06.2008") == []
    assert values_in("1,5 Millionen Euro", "de")[:2] == [1_500_000, 1.5]
    assert values_in("1,100 people") == [1100]  # English stays English


# -- grounding ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "lang", "figures"), [
    (DE, "de", [("rund 1,5 Millionen Euro", 1_500_000), ("1.100 Menschen", 1100),
                ("drei Feuerwehrleute", 3), ("61,9 Prozent", 61.9), ("9,35 Metern", 9.35)]),
    (FR, "fr", [("Plus de 400\u202f000 voyageurs", 400_000), ("2 milliards d'euros", 2e9),
                ("12,5 %", 12.5), ("deux trains", 2)]),
    (ES, "es", [("1.200 millones de euros", 1.2e9), ("cinco personas", 5), ("3,5%", 3.5)]),
])
def test_true_model_figures_are_kept(text: str, lang: str,
                                     figures: list[tuple[str, float]]) -> None:
    answer = _answer(figures=[{"text": t, "value": v, "describes": "x"} for t, v in figures])
    grounded = ground(answer, text, Locator(text, lang))
    assert not grounded.dropped, grounded.dropped
    assert [f.value for f in grounded.figures] == pytest.approx([v for _, v in figures])
    for f in grounded.figures:
        assert text[f.span[0]:f.span[1]] == f.text


def test_a_wrong_value_is_still_refused() -> None:
    answer = _answer(figures=[{"text": "1.100 Menschen", "value": 1.1, "describes": "x"}])
    grounded = ground(answer, DE, Locator(DE, "de"))
    assert grounded.figures == [] or grounded.figures[0].value == 1100


def test_model_s_english_number_format_is_matched_to_the_article_s_words() -> None:
    answer = _answer(figures=[{"text": "1,100 Menschen", "value": 1100, "describes": "x"},
                              {"text": "400,000 voyageurs", "value": 400_000, "describes": "x"}])
    text = DE + FR
    grounded = ground(answer, text, Locator(text, "de"))
    # the article's own characters (the French headline writes "400 000" with a plain space)
    assert [f.text for f in grounded.figures] == ["1.100 Menschen", "400 000 voyageurs"]
    assert [f.value for f in grounded.figures] == [1100, 400_000]


def test_model_s_straight_quotes_find_the_article_s_national_marks() -> None:
    answer = _answer(quotes=[
        {"text": '"Wir haben so etwas seit Jahrzehnten nicht erlebt"',
         "speaker": "Jürgen Dupper"},
        {"text": "Die Hilfe kommt an", "speaker": "Raimund Kneidinger"}])
    grounded = ground(answer, DE, Locator(DE, "de"))
    assert not grounded.dropped
    assert [q.text for q in grounded.quotes] == [
        "Wir haben so etwas seit Jahrzehnten nicht erlebt", "Die Hilfe kommt an"]


def test_text_without_spaces_is_located_by_characters() -> None:
    text = "东京电力公司周四表示，核电站的冷却系统已经恢复正常。公司发言人说，三名工人受伤。"
    answer = _answer(entities=[{"name": "东京电力公司", "type": "organization"}],
                     quotes=[])
    grounded = ground(answer, text, Locator(text, "zh"))
    assert [(e.name, e.span) for e in grounded.entities] == [("东京电力公司", (0, 6))]
    out = extract(text)  # never crashes; says which language it read
    assert out.language == "zh"


# -- the rule engine ------------------------------------------------------------------------


def test_rules_read_german_quotes_speakers_figures_and_dateline_date() -> None:
    out = extract(DE)
    s = out.summary
    assert out.language == "de"
    assert s.published == dt.date(2024, 5, 14)
    assert {(q.text, (q.speaker or "").split()[-1]) for q in s.quotes} == {
        ("Wir haben so etwas seit Jahrzehnten nicht erlebt", "Dupper"),
        ("Die Hilfe kommt an", "Kneidinger")}
    values = {f.value for f in s.figures}
    assert {1_500_000, 1100, 3, 61.9} <= values
    assert 2024 not in values and 14 not in values
    names = {e.name for e in s.entities}
    assert "PASSAU" in names or "Passau" in names
    assert not names & {"Millionen Euro", "Schäden", "Menschen", "Stadt", "Pegel"}


def test_rules_read_french_and_spanish_quotes_and_dates() -> None:
    fr, es = extract(FR).summary, extract(ES).summary
    assert fr.published == dt.date(2024, 12, 3)
    assert es.published == dt.date(2024, 12, 23)
    assert [(q.text, q.speaker) for q in fr.quotes] == [("Nous ne céderons pas",
                                                         "Marie Lefèvre")]
    assert [(q.text, q.speaker) for q in es.quotes] == [("Nadie se quedará atrás",
                                                         "Carmen Ruiz")]
    assert {400_000, 2e9, 12.5} <= {f.value for f in fr.figures}
    assert {1.2e9, 5, 3.5} <= {f.value for f in es.figures}


def test_dialogue_dashes_open_quotations() -> None:
    text = ("El alcalde habló con los vecinos.\n\n"
            "—Vamos a reconstruir cada casa del barrio —dijo el alcalde Pedro Gómez.\n")
    quotes = extract(text, lang="es").summary.quotes
    assert [(q.text, q.speaker) for q in quotes] == [
        ("Vamos a reconstruir cada casa del barrio", "Pedro Gómez")]


@pytest.mark.parametrize(("s", "lang", "date"), [
    ("3. März 2025", "de", dt.date(2025, 3, 3)),
    ("3 décembre 2024", "fr", dt.date(2024, 12, 3)),
    ("23 de diciembre de 2024", "es", dt.date(2024, 12, 23)),
    ("5 maggio 2024", "it", dt.date(2024, 5, 5)),
    ("12 de março de 2025", "pt", dt.date(2025, 3, 12)),
    ("LONDON, 22.06.2008 -", None, dt.date(2008, 6, 22)),
])
def test_national_dates(s: str, lang: str | None, date: dt.date) -> None:
    found = parse_date(s, lang)
    assert found is not None and found[0] == date


def test_every_supported_language_has_conventions() -> None:
    for code in ("de", "fr", "es", "it", "pt"):
        conv = conventions(code)
        assert conv is not None and conv.speech_verbs and conv.months and conv.scales
    assert conventions("en") is None and conventions("xx") is None


# -- the command line -----------------------------------------------------------------------


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "llmextract", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_records_say_the_language_and_lang_overrides_detection(tmp_path: Path) -> None:
    (tmp_path / "de.txt").write_text(DE, encoding="utf-8")
    (tmp_path / "fr.txt").write_text(FR, encoding="utf-8")
    proc = _cli("summarize", str(tmp_path), "--engine", "rules", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    recs = {r["id"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert recs["de"]["language"] == "de" and recs["fr"]["language"] == "fr"
    forced = _cli("summarize", str(tmp_path / "de.txt"), "--engine", "rules", "--no-cache",
                  "--lang", "en", cwd=tmp_path)
    assert json.loads(forced.stdout)["language"] == "en"


def test_a_bad_lang_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text here.", encoding="utf-8")
    proc = _cli("summarize", str(tmp_path / "a.txt"), "--engine", "rules", "--lang",
                "German", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--lang" in proc.stderr and "ISO 639-1" in proc.stderr


# -- English copy the engine had not seen (issue 13, part 3) --------------------------------


def test_british_ascii_single_quotes_short_phrases_and_apposed_speakers() -> None:
    text = ("Floods hit harbour town\n\n"
            "PORTLEVEN, 22.06.2008 - Coastguards described the sea as 'extremely rough' and "
            "closed the harbour.\n\n"
            "'We will rebuild,' the harbour master, Tamsin Rowe, said. 'This town always "
            "comes back.'\n\n"
            "'It's heartbreaking, we've lost everything,' said shop owner Ben Carey.\n")
    s = extract(text, lang="en").summary
    assert s.published == dt.date(2008, 6, 22)
    got = {(q.text, q.speaker) for q in s.quotes}
    assert ("We will rebuild", "Tamsin Rowe") in got
    assert ("This town always comes back.", "Tamsin Rowe") in got
    assert ("It's heartbreaking, we've lost everything", "Ben Carey") in got
    assert "extremely rough" in {q.text for q in s.quotes}
    for q in s.quotes:
        assert q.span is not None and text[q.span[0]:q.span[1]] == q.text


def test_ascii_apostrophes_alone_are_not_quotations() -> None:
    text = "The council's plan, which residents' groups opposed, passed on Tuesday.\n"
    assert extract(text, lang="en").summary.quotes == []


def test_a_language_the_rules_do_not_read_is_said_plainly(tmp_path: Path) -> None:
    (tmp_path / "zh.txt").write_text(
        "东京电力公司周四表示，核电站的冷却系统已经恢复正常。公司发言人说，三名工人受伤。\n",
        encoding="utf-8")
    (tmp_path / "de.txt").write_text(DE, encoding="utf-8")
    proc = _cli("summarize", str(tmp_path), "--engine", "rules", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    recs = {r["id"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert recs["zh"]["language"] == "zh" and recs["zh"]["status"] == "fallback"
    assert any("rule engine reads" in w and "'zh'" in w for w in recs["zh"]["warnings"])
    assert not any("rule engine reads" in w for w in recs["de"]["warnings"])


def test_institutions_with_a_lower_case_head_are_entities() -> None:
    text = ("Le tribunal correctionnel de Nantes a jugé le dossier jeudi. Au stade "
            "Pierre-Mauroy, Lille a gagné. Selon le ministère de la Culture, rien ne change.\n")
    names = {e.name for e in extract(text, lang="fr").summary.entities}
    assert {"tribunal correctionnel de Nantes", "stade Pierre-Mauroy",
            "ministère de la Culture"} <= names
    it = "Il consiglio comunale si è riunito allo stadio Renato Dall'Ara di Bologna.\n"
    assert "stadio Renato Dall'Ara" in {e.name for e in extract(it, lang="it").summary.entities}


def _de_names(text: str) -> set[str]:
    return {e.name for e in extract(text, lang="de").summary.entities}


def test_german_acronym_before_a_hyphen_is_an_organisation() -> None:
    names = _de_names("Die CDU-Fraktion stimmte dagegen. Der TV-Sender zeigte die Debatte.")
    assert "CDU" in names
    assert not names & {"TV", "CDU-Fraktion", "TV-Sender"}


def test_german_party_in_parentheses_after_a_name() -> None:
    names = _de_names("Landrätin Maria Huber (Freie Wähler) kündigte Hilfen an. "
                      "Der Pegel stieg (Messstelle) weiter.")
    assert "Freie Wähler" in names and "Messstelle" not in names


def test_german_numbered_roads_are_places() -> None:
    names = _de_names("Die Bundesstraße 12 ist gesperrt. Die B 12 bleibt bis Montag zu. "
                      "Es fielen 12 Liter Regen.")
    assert "Bundesstraße 12" in names and "B 12" not in names  # one road


def test_german_institution_head_with_its_proper_name() -> None:
    names = _de_names("Laut der Bank Hafenberg sinken die Zinsen. Die Bank selbst schweigt. "
                      "Der Stadtrat von Luzern berät am Montag.")
    assert {"Bank Hafenberg", "Stadtrat von Luzern"} <= names
    assert "Bank" not in names


def test_german_capitalised_adjective_names_mid_sentence_only() -> None:
    names = _de_names("Auch die Deutsche Bahn meldete Ausfälle. Heftige Gewitter zogen auf. "
                      "Neue Regeln gelten ab Mai.")
    assert "Deutsche Bahn" in names
    assert not names & {"Heftige Gewitter", "Neue Regeln"}


def test_german_place_adjective_before_an_institution() -> None:
    names = _de_names("An der Wiener Börse fiel die Aktie. Ein Grazer Erfolg blieb aus.")
    assert "Wiener Börse" in names and "Grazer Erfolg" not in names


def test_german_region_after_a_place_preposition() -> None:
    names = _de_names("Gewitter zogen über das Land, vor allem im Zillertal. Im Vorjahresquartal "
                      "lag der Umsatz höher, im Ausland auch.")
    assert "Zillertal" in names
    assert not names & {"Vorjahresquartal", "Ausland"}


def test_german_coordinated_places_and_frequent_nouns() -> None:
    names = _de_names("Die Züge standen in Thüringen und Gotha still. Nach Angaben der Polizei "
                      "kamen in Höhe von Jena viele Menschen in Schulen unter.")
    assert {"Thüringen", "Gotha"} <= names
    assert not names & {"Angaben", "Höhe", "Schulen", "Polizei"}


def test_german_name_after_article_and_adjective_and_genitive() -> None:
    names = _de_names("Der eingewechselte Tim Berger traf doppelt. Nach Angaben des "
                      "Umweltministeriums sinken die Werte. Es spielt beim VfL Bochum.")
    assert {"Tim Berger", "Umweltministerium", "VfL Bochum"} <= names
    assert "Umweltministeriums" not in names


def _speakers(text: str, lang: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in extract(text, lang=lang).summary.quotes]


@pytest.mark.parametrize(("text", "lang", "speaker"), [
    # a role, its complement (an organisation), then the person in apposition
    ("Las obras empezarán en marzo.\n\n«El agua llegará a todos los barrios antes del "
     "verano», ha explicado durante la visita el director del Servicio de Aguas de Cádiz "
     "(SAC), Marta Ruiz, en rueda de prensa.\n", "es", "Marta Ruiz"),
    # a lower-case clause after the quotation, then the person it describes
    ("Le projet divise le conseil.\n\n« Nous ne reculerons pas sur les horaires », a "
     "défendu l'adjointe aux Sports, Claire Dubois (PS), devant les élus.\n", "fr",
     "Claire Dubois"),
    # before the quotation: a role of a place, the person between commas, the verb
    ("La piscine fermera en juin.\n\nLa directrice de Médiathèque Sud, Anne Morel, dit "
     "redouter une « fermeture définitive » du quartier.\n", "fr", "Anne Morel"),
    # "Para + role + name,": whose view it is
    ("A empresa comprou a rival.\n\nPara o economista Paulo Reis, da consultora Atlas "
     "Dados, o valor é “preocupante para o setor”.\n", "pt", "Paulo Reis"),
    # a speech verb with no subject: the subject named before, not the court he appeals to
    ("O advogado de Silva, Rui Costa, anunciou que vai recorrer para o Supremo Tribunal de "
     "Justiça. «Vamos levar este caso até ao fim», disse aos jornalistas.\n", "pt",
     "Rui Costa"),
    ("I prezzi salgono.\n\n«Così non reggiamo più», ammette il presidente, Luca Bianchi.\n",
     "it", "Luca Bianchi"),
])
def test_speakers_in_apposition_and_after_roles(text: str, lang: str, speaker: str) -> None:
    assert [s for _, s in _speakers(text, lang)] == [speaker]


def test_segundo_as_an_ordinal_is_not_according_to() -> None:
    text = ("O técnico, Paulo Dias, reclamou e disse que o segundo lance deveria ter sido "
            "anulado pelo VAR. “Foi impedimento claro.” A federação não comentou.\n")
    assert [s for _, s in _speakers(text, "pt")] != ["VAR"]


def _entity_names(text: str, lang: str) -> dict[str, str]:
    return {e.name: e.type for e in extract(text, lang=lang).summary.entities}


def test_a_french_demonym_before_a_name_is_not_part_of_it() -> None:
    got = _entity_names("La course est finie.\n\nLe Danois Anders Holmgaard termine deuxième, "
                        "devant l'Espagnol Xabier Etxeberria.\n", "fr")
    assert "Anders Holmgaard" in got and "Xabier Etxeberria" in got
    assert not any(n.startswith(("Danois", "Espagnol")) for n in got)
    # an institution keeps its head: "la Banque Populaire Rives de Loire" is no demonym
    got = _entity_names("Le prêt vient de la Banque Populaire Rives de Loire.\n", "fr")
    assert not any(n.startswith("Populaire") for n in got)


@pytest.mark.parametrize(("text", "lang", "name"), [
    ("Les travaux bloquent la rue de Vaugirard jusqu'en mai.\n", "fr", "rue de Vaugirard"),
    ("El fuego avanza por la sierra de Francia desde el lunes.\n", "es", "sierra de Francia"),
    ("Il corteo è partito da piazza Castello alle dieci.\n", "it", "piazza Castello"),
    ("O trânsito foi cortado na rua Augusta durante a manhã.\n", "pt", "rua Augusta"),
])
def test_a_street_square_or_mountain_with_its_lower_case_head(text: str, lang: str,
                                                               name: str) -> None:
    assert _entity_names(text, lang).get(name) == "location"


def test_a_byline_date_label_is_not_an_entity() -> None:
    text = ("La cooperativa cierra\n\nPor Ana Gil | Diario del Norte | Actualizado: 09/08/2025\n\n"
            "La cooperativa anunció el cierre de su planta en Lugo.\n")
    assert "Actualizado" not in _entity_names(text, "es")


@pytest.mark.parametrize(("phrase", "lang", "value"), [
    ("plus de septante commerçants", "fr", 70),  # Belgian and Swiss French
    ("nonante-deux sièges", "fr", 90),
    ("en 3 min 12 s", "fr", 192),  # one duration in two units, as seconds
    ("tras 2 h 15 de reunión", "es", 135),  # and as minutes
    ("el millón de espectadores", "es", 1e6),  # an article and a scale: one of it
    ("il miliardo di euro", "it", 1e9),
])
def test_a_model_value_the_text_states_in_other_words(phrase: str, lang: str,
                                                      value: float) -> None:
    assert value in values_in(phrase, lang)


def test_french_incises_cut_quotations() -> None:
    """An incise with an inverted pronoun splits a quotation ("a-t-il ajouté en souriant")
    and ends a dialogue line ("? lui a-t-on demandé")."""
    text = ("Le coureur a gagné.\n\n« Je ne pensais pas, a-t-il ajouté en souriant, gagner "
            "un jour ici. »\n\n— Et la suite ? lui demande-t-on.\n— On verra demain.\n")
    got = [q for q, _ in _speakers(text, "fr")]
    assert got == ["Je ne pensais pas", "gagner un jour ici.", "Et la suite ?",
                   "On verra demain"]


@pytest.mark.parametrize(("text", "lang", "name"), [
    ("«Servono investimenti», avverte la presidente, Maria Grazia Quarta.\n", "it",
     "Maria Grazia Quarta"),  # Portuguese "quarta(-feira)" is no Italian weekday
    ("ROMA (ANSA) - La Dinamo Sassari ha vinto in Serie A.\n", "it", "Dinamo Sassari"),
    ("ROMA (ANSA) - La Dinamo Sassari ha vinto in Serie A.\n", "it", "Serie A"),
])
def test_names_weekdays_datelines_and_a_final_capital(text: str, lang: str, name: str) -> None:
    assert name in _entity_names(text, lang)


def test_a_currency_sign_is_no_name() -> None:
    assert "US" not in _entity_names("La película costó US$ 1,1 millones en Rafaela.\n", "es")
    assert "R" not in _entity_names("As ações subiram a R$ 14,62 na B3.\n", "pt")


def test_a_headline_s_first_word_does_not_run_on_as_an_institution() -> None:
    got = _entity_names("Câmara aprova programa de renegociação de dívidas rurais\n\nA votação "
                        "terminou na quarta-feira.\n", "pt")
    assert not any(n.startswith("Câmara aprova") for n in got)
    # mid-sentence the run-on stays: "la Protezione civile"
    assert "Protezione civile" in _entity_names(
        "I volontari della Protezione civile sono arrivati ieri.\n", "it")


@pytest.mark.parametrize(("phrase", "lang", "value"), [
    ("two and a half tonnes", "en", 2.5),
    ("risen by a quarter", "en", 25),  # a fraction word is its percentage too
    ("more than 3.6m hours", "en", 3.6e6),  # a scale suffix
    ("une quarantaine de plaintes", "fr", 40),  # number nouns
    ("un centinaio di persone", "it", 100),
    ("al menos mil 870 viviendas", "es", 1870),  # Mexican thousands in a word
    ("2 mil 300 millones de pesos", "es", 2.3e9),
    ("verlor aber einen Sitz", "de", 1),  # German "einen" is one
    ("die siebenköpfige Exekutive", "de", 7),  # a number word opening a compound
])
def test_values_said_in_words_a_model_may_give_as_numbers(phrase: str, lang: str,
                                                           value: float) -> None:
    assert value in values_in(phrase, lang)


def test_a_per_cent_figure_is_not_also_its_hundredfold() -> None:
    assert 40 not in values_in("up 0.4 per cent", "en")
    assert values_in("Zweifel an der Zahl", "de") == []  # "zwei" + "fel" is no compound


def test_a_role_noun_stands_for_the_person_named_with_it() -> None:
    text = ("Os dados surpreenderam.\n\n«A água nunca esteve tão quente», explica a bióloga "
            "Rita Campos Lobo, investigadora do Instituto do Mar da Universidade do Minho.\n\n"
            "Segundo a investigadora, o vento explica parte do fenómeno. «O que nos preocupa "
            "é a frequência», acrescenta.\n")
    assert [s for _, s in _speakers(text, "pt")] == ["Rita Campos Lobo", "Rita Campos Lobo"]


def test_german_words_of_a_person_in_the_genitive() -> None:
    text = ("Die Firma spart.\n\nKonzernchefin Anna Berger kündigte Einschnitte an. Kündigungen "
            "sollen nach Bergers Worten „so weit wie möglich“ vermieden werden.\n")
    assert [s for _, s in _speakers(text, "de")] == ["Anna Berger"]


@pytest.mark.parametrize(("phrase", "lang", "value"), [
    ("fast die Hälfte", "de", 0.5), ("fast doppelt so viel", "de", 2),
    ("eine Dreiviertelstunde", "de", 0.75), ("zweieinhalb Stunden", "de", 2.5),
    ("près d'un ménage sur trois", "fr", 1 / 3), ("casi la mitad", "es", 0.5),
    ("una tercera parte", "es", 1 / 3), ("il doppio", "it", 2),
    ("un secondo e mezzo", "it", 1.5), ("quasi tre passeggeri su quattro", "it", 0.75),
    ("5'48\"31", "it", 348.31), ("quase dois terços", "pt", 2 / 3), ("quase o triplo", "pt", 3),
    ("a fifth straight day", "en", 5),  # a rank, not a fifth of something
    ("more than doubled", "en", 2), ("one in three households", "en", 1 / 3),
    ("three out of four voters", "en", 0.75),
])
def test_shares_multiples_and_times_said_in_words(phrase: str, lang: str, value: float) -> None:
    assert any(abs(v - value) < 1e-9 for v in values_in(phrase, lang))


def test_a_share_word_inside_another_noun_is_no_share() -> None:
    assert values_in("das Viertelfinale", "de") == []
