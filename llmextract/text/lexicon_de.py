"""German word lists the rule engine reads names with (German capitalises every noun).

Hand-compiled for this project from general knowledge of German news copy: the determiners
and contractions of the grammar, the most frequent common nouns of news text (singular and
plural, including those that stand without an article after a preposition: "nach Angaben",
"in Höhe von", "in Kraft"), the most frequent given names of Germany, Austria and
Switzerland, and capitalised acronyms that name no organisation. Written out by hand from
general knowledge of the language (no word list or corpus was copied); a noun is here because
it is frequent in news copy, never because a test article has it, though frequent words
naturally occur in the test articles too.
"""

from __future__ import annotations

__all__ = ["ACRONYM_STOP", "COMMON_NOUNS", "DETERMINERS", "GIVEN_NAMES", "INDEFINITE",
           "PLACES"]


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


# articles, contractions of preposition + article, demonstratives and possessives
DETERMINERS = _words(
    "der die das den dem des ein eine einen einem einer eines kein keine keinen keinem "
    "keiner im am zum zur vom beim ins ans aufs diese dieser diesen diesem dieses jede "
    "jeder jedes jeden jedem seine seiner seinen seinem ihre ihrer ihren ihrem unsere unser "
    "unseren unserem")

# frequent common nouns of news copy (lower case; singular and plural forms)
# the indefinite article, which is also the number one ("einen Sitz")
INDEFINITE = _words("ein eine einen einem einer eines")
COMMON_NOUNS = _words("""
    abend abende abgeordnete abgeordneten abschluss absicht alter altersgruppe amt ämter
    analyse anfang anfrage angabe angaben angebot angebote angriff angriffe angst anlage
    anlagen anleger ansicht anspruch anteil antrag anträge antwort anwohner arbeit arbeiten
    arbeitnehmer arbeitsplätze art arten arzt ärzte aufgabe aufgaben auffassung auftrag
    augen ausland ausnahme aussage aussagen aussicht auto autos bahn bank banken basis bau
    bedarf bedeutung beginn behörde behörden beispiel beitrag bereich bereiche bericht
    berichte beruf betrieb betriebe betroffene bevölkerung bewohner bild bilder bildung
    bitte blick boden branche brief bund bürger bürgerinnen büro chance chancen chef chefin
    dach daten debatte dorf druck ebene ecke eltern ende energie entscheidung entwicklung
    erfahrung erfolg ergebnis ergebnisse ermittlungen euro experten fachleute fahrt fall
    fälle familie familien farbe feld fenster feuer feuerwehr firma firmen fläche flächen
    folge folgen form forderung forderungen frage fragen frau frauen freiheit freitag
    freunde frieden frühjahr führung gebäude gebiet gebiete gefahr gegner geld gelder
    gemeinde gemeinden gericht geschichte gesellschaft gesetz gesetze gespräch gespräche
    gesundheit gewalt glück grenze grenzen grund gründe gruppe gruppen haus häuser hälfte
    hand handel haushalt haushalte heimat herbst hilfe hinweis hinweise hoffnung höhe
    idee informationen inland interesse interessen jahr jahre jahren jahrzehnt
    jahrhundert jugend jugendliche kampf kampagne kapital karte kinder kind kirche klasse
    klima kollegen kommune kommunen konflikt kontakt kontrolle kopf kosten kraft krankheit
    krieg krise kritik kultur kunden kunst kurs land länder lage leben lehrer leistung
    leistungen leitung leute licht liste luft macht mal mann männer mannschaft markt
    maßnahme maßnahmen medien mehrheit meinung menge mensch menschen millionen minute
    minuten mitarbeiter mitglied mitglieder mittel mitte moment monat monate morgen
    mutter nacht nachbarn nachfrage nähe name natur netz norden not ort orte osten paar
    partei parteien person personen plan pläne platz plätze politik polizei position
    praxis preis preise problem probleme produktion projekt projekte prozess punkt punkte
    rahmen rat raum recht rechte rede regel regeln region regierung reihe rente richtung
    risiko rolle ruhe runde sache sachen satz schaden schäden schritt schule schulen
    schüler schutz seite seiten sicherheit sieg sinn situation sohn sommer sorge sorgen
    spiel spiele spieler sprache staat städte stadt stand stelle stellen stimme stimmen
    straße straßen strecke streit stück stunde stunden süden summe system tag tage tat
    team teil teile thema themen tochter tod tor tore umfrage umgebung umwelt unterstützung
    ursache urteil vater verbindung verfahren verfügung vergleich verhandlungen verkehr
    verletzte version vertrag vertrauen verwaltung vorfeld vorjahr vorschlag vorwurf
    vorwürfe wahl wahlen wald wasser weg wege welt werk wert westen wetter wirtschaft woche
    wochen wohnung wohnungen wort worte worten zahl zahlen zeit zeiten zeitung zentrum
    ziel ziele zukunft zusammenarbeit zuschauer zweifel stadtteil ortsteil quartier viertel
    aufsichtsrat vorstand landesregierung bundesregierung stadtverwaltung gewerkschaft
""")

# given names frequent in Germany, Austria and Switzerland (both sexes)
GIVEN_NAMES = _words("""
    alexander andreas anna andrea angelika anja annette antje barbara bernd birgit brigitte
    carsten christian christina christine claudia daniel daniela dennis dieter dirk doris
    elke elisabeth emma erik eva fabian felix florian frank franz georg gerhard gisela
    hannah hans harald heike heinz helga helmut horst ingrid jan jana jens joachim johanna
    johannes jonas julia jürgen karin karl katharina katrin kerstin klaus kristina lara
    lea lena leon lisa lukas luca manfred marc marco maria marie markus martin martina
    matthias max maximilian melanie michael michaela mia moritz monika nadine niklas
    nicole nina noah olaf oliver patrick paul peter petra philipp rainer ralf regina
    reinhard renate robert sabine sandra sarah sebastian silke simon sophie stefan stefanie
    steffen susanne sven thomas tim timo tobias torsten ulrich ulrike ursula ute uwe
    werner wolfgang yvonne urs reto jürg ruedi heidi
""")

# capitalised abbreviations that name no organisation, person or place
ACRONYM_STOP = _words("""
    tv pc pkw lkw wm em ice ic ki it pr dna co2 sms usb gps ps kw mw gw kwh bip ok ceo cfo
    coo cto faq hiv led lng nr mwst öpnv wlan pdf ii iii iv vi vii viii ix xi xii abc gmbh
    ag se kg ev cd dvd mrd mio tsd uhr sek std km kg min max vip ard-morgenmagazin
""")

# the states of Germany and Austria, the cantons of Switzerland and the neighbouring
# countries, in German (a closed class; cities are found by their prepositions)
PLACES = frozenset(w.strip().lower() for w in """
    Baden-Württemberg|Bayern|Berlin|Brandenburg|Bremen|Hamburg|Hessen|
    Mecklenburg-Vorpommern|Niedersachsen|Nordrhein-Westfalen|Rheinland-Pfalz|Saarland|
    Sachsen|Sachsen-Anhalt|Schleswig-Holstein|Thüringen|Burgenland|Kärnten|Niederösterreich|
    Oberösterreich|Salzburg|Steiermark|Tirol|Vorarlberg|Wien|Aargau|Appenzell|Basel-Stadt|
    Basel-Landschaft|Bern|Freiburg|Genf|Glarus|Graubünden|Jura|Luzern|Neuenburg|Nidwalden|
    Obwalden|Schaffhausen|Schwyz|Solothurn|St. Gallen|Tessin|Thurgau|Uri|Waadt|Wallis|Zug|
    Zürich|Deutschland|Österreich|Schweiz|Liechtenstein|Frankreich|Italien|Polen|Tschechien|
    Dänemark|Niederlande|Belgien|Luxemburg|Ungarn|Slowenien|Kroatien|Spanien|Europa
""".split("|") if w.strip())
