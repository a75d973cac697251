"""Which language an article is written in, and what each language's news copy looks like.

`detect_language(text)` gives an ISO 639-1 code from the article's function words (and its
script, for text without spaces); `conventions(code)` the words and marks that reading its
numbers, quotations and dates needs. Data and one small scorer; no model, no network.

English is read by llmextract.text.numbers and the English rule engine; the languages in
`CONVENTIONS` by llmextract.text.intl_numbers and the rules' language-aware paths. Any other
language is located and grounded character by character, with English number reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from llmextract.text import lexicon_de
from llmextract.text.lazy_re import lazy

__all__ = ["CONVENTIONS", "SUPPORTED", "Conventions", "conventions", "detect_language"]


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per language
class Conventions:
    """One language's number words, scales, currencies, speech verbs and months."""

    code: str
    units: dict[str, int]  # spelled numbers (no words that are also articles: "ein", "un")
    scales: dict[str, float]  # scale words and abbreviations, lower case
    percent: tuple[str, ...]  # words for per cent
    currencies: dict[str, str]  # currency words and abbreviations -> ISO code
    speech_verbs: tuple[str, ...]  # said, told, ... in the forms news copy uses
    according: tuple[str, ...]  # "according to": the phrase before a source
    months: dict[str, int]  # month names and abbreviations, lower case
    stopwords: frozenset[str] = frozenset()
    ordinals: dict[str, int] | None = None  # "dixième", "quinto", "fünfter": ranks
    link: tuple[str, ...] = ()  # words between a scale and its noun ("de", "d'")
    determiners: frozenset[str] = frozenset()  # articles, contractions, demonstratives
    # German names (German capitalises every noun): frequent common nouns, given names,
    # states and countries, acronyms that name nothing (llmextract.text.lexicon_de)
    common_nouns: frozenset[str] = frozenset()
    given_names: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    acronym_stop: frozenset[str] = frozenset()


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


def _ordinals(s: str) -> dict[str, int]:
    """Ranks 1-10 with their inflected forms ("fünfte", "fünfter", "quinta", "première")."""
    out: dict[str, int] = {}
    for rank, word in enumerate(s.split(), 1):
        stem = word[:-1] if word[-1] in "eoa" else word
        for form in (word, stem + "e", stem + "er", stem + "en", stem + "es", stem + "em",
                     stem + "a", stem + "o", stem + "os", stem + "as", word + "s"):
            out.setdefault(form, rank)
    out.update({"première": 1, "second": 2, "seconde": 2, "1er": 1, "1re": 1})
    return out


_DE = Conventions(
    code="de",
    units={w: i for i, w in enumerate(
        "null _ zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn "
        "fünfzehn sechzehn siebzehn achtzehn neunzehn".split()) if w != "_"}
    | {"einmal": 1, "zweimal": 2, "dreimal": 3, "viermal": 4, "fünfmal": 5, "sechsmal": 6,
       "siebenmal": 7, "achtmal": 8, "neunmal": 9, "zehnmal": 10,
       "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60,
       "siebzig": 70, "achtzig": 80, "neunzig": 90, "hundert": 100, "tausend": 1000,
       "dutzend": 12},
    scales={"tausend": 1e3, "tsd.": 1e3, "tsd": 1e3, "million": 1e6, "millionen": 1e6,
            "mio.": 1e6, "mio": 1e6, "milliarde": 1e9, "milliarden": 1e9, "mrd.": 1e9,
            "mrd": 1e9, "billion": 1e12, "billionen": 1e12, "bio.": 1e12},
    percent=("prozent", "prozentpunkte", "prozentpunkten"),
    currencies={"euro": "EUR", "eur": "EUR", "dollar": "USD", "us-dollar": "USD",
                "usd": "USD", "franken": "CHF", "fr.": "CHF", "chf": "CHF", "pfund": "GBP",
                "yen": "JPY", "yuan": "CNY", "rubel": "RUB", "cent": "EUR", "kronen": "SEK"},
    speech_verbs=("sagte", "sagt", "sagten", "erklärte", "erklärt", "betonte", "betont",
                  "sagte am", "teilte mit", "teilte", "meinte", "fügte hinzu", "fügte",
                  "warnte", "kritisierte", "berichtete", "ergänzte", "so", "meint",
                  "räumte ein", "räumte", "versprach", "forderte", "schrieb", "erläuterte",
                  "bestätigte", "kündigte an", "kündigte", "hieß es", "sagte der", "sagte die"),
    according=("laut", "nach angaben von", "nach angaben des", "nach angaben der", "zufolge"),
    months={"januar": 1, "jänner": 1, "jan.": 1, "februar": 2, "feb.": 2, "märz": 3,
            "april": 4, "apr.": 4, "mai": 5, "juni": 6, "juli": 7, "august": 8, "aug.": 8,
            "september": 9, "sept.": 9, "sep.": 9, "oktober": 10, "okt.": 10,
            "november": 11, "nov.": 11, "dezember": 12, "dez.": 12},
    ordinals=_ordinals("erste zweite dritte vierte fünfte sechste siebte achte neunte zehnte"),
    stopwords=_words(
        "der die das und ist nicht mit von den dem des ein eine einer eines einem auf für "
        "sich auch wurde wurden sagte im zu bei nach wie aus hat haben werden sind war noch "
        "nur über unter vor seit am um als oder aber wenn dass durch gegen ihre ihr sein "
        "seine diese dieser dieses man wir sie er es zum zur vom beim mehr"),
    determiners=lexicon_de.DETERMINERS,
    common_nouns=lexicon_de.COMMON_NOUNS,
    given_names=lexicon_de.GIVEN_NAMES,
    places=lexicon_de.PLACES,
    acronym_stop=lexicon_de.ACRONYM_STOP,
)

_FR = Conventions(
    code="fr",
    units={w: i for i, w in enumerate(
        "zéro _ deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze "
        "quinze seize".split()) if w != "_"}
    | {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
       "septante": 70, "huitante": 80, "octante": 80, "nonante": 90,  # Belgium, Switzerland
       "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19, "cent": 100, "mille": 1000,
       "douzaine": 12, "dizaine": 10, "centaine": 100, "quinzaine": 15, "vingtaine": 20,
       "trentaine": 30, "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60,
       "millier": 1000},
    scales={"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
            "md": 1e9, "mds": 1e9, "mrd": 1e9, "billion": 1e12, "billions": 1e12, "m": 1e6},
    percent=("pour cent", "pourcent", "points de pourcentage", "points"),
    currencies={"euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD",
                "francs": "CHF", "franc": "CHF", "livres": "GBP", "livre": "GBP",
                "yens": "JPY", "yuans": "CNY", "eur": "EUR", "usd": "USD", "chf": "CHF",
                "centimes": "EUR", "fcfa": "XOF"},
    speech_verbs=("a déclaré", "a dit", "a affirmé", "a expliqué", "a souligné", "a ajouté",
                  "a indiqué", "a précisé", "a estimé", "a assuré", "a averti", "a reconnu",
                  "a confié", "a lancé", "a martelé", "a annoncé", "a répondu", "a jugé",
                  "déclare", "dit", "explique", "souligne", "ajoute", "indique", "précise",
                  "estime", "assure", "affirme", "confie", "lance", "reconnaît", "a-t-il dit",
                  "a-t-elle dit", "a-t-il déclaré", "a-t-elle déclaré", "a-t-il ajouté",
                  "a-t-elle ajouté", "a-t-il expliqué", "a-t-elle expliqué", "a-t-il précisé",
                  "a défendu", "défend", "a raconté", "raconte", "a dénoncé", "dénonce",
                  "a rappelé", "rappelle", "a insisté", "insiste", "a regretté", "regrette",
                  "a admis", "admet", "a avoué", "avoue", "a prévenu", "prévient",
                  "a poursuivi", "poursuit", "a résumé", "résume", "a commenté", "commente",
                  "a plaidé", "plaide", "a témoigné", "témoigne", "a répété", "répète",
                  "a confirmé", "confirme", "a déploré", "déplore", "a réagi", "réagit",
                  "a promis", "promet", "a-t-il poursuivi", "a-t-elle poursuivi",
                  "a-t-il estimé", "a-t-elle estimé", "a-t-il assuré", "a-t-elle assuré",
                  "a-t-il confié", "a-t-elle confié", "a-t-il reconnu", "a-t-elle reconnu",
                  "a-t-il raconté", "a-t-elle raconté", "a-t-il lancé", "a-t-elle lancé",
                  "a-t-elle précisé", "a-t-il souligné", "a-t-elle souligné", "selon"),
    according=("selon", "d'après", "d’après"),
    months={"janvier": 1, "janv.": 1, "février": 2, "févr.": 2, "fév.": 2, "mars": 3,
            "avril": 4, "avr.": 4, "mai": 5, "juin": 6, "juillet": 7, "juil.": 7, "août": 8,
            "septembre": 9, "sept.": 9, "octobre": 10, "oct.": 10, "novembre": 11,
            "nov.": 11, "décembre": 12, "déc.": 12},
    ordinals=_ordinals("premier deuxième troisième quatrième cinquième "
                       "sixième septième huitième neuvième dixième"),
    stopwords=_words(
        "le la les des du et est une un pour dans que qui sur pas au aux par avec ce cette "
        "sont été ont il elle ils elles nous vous se sa son ses leur leurs plus mais ou où "
        "comme être avoir fait entre après depuis lors sans sous chez aussi très"),
    link=("de", "d'", "d’"),
    determiners=_words("le la les l' l’ un une des du au aux ce cette ces"),
)

_ES = Conventions(
    code="es",
    units={w: i for i, w in enumerate(
        "cero _ dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce "
        "quince dieciséis diecisiete dieciocho diecinueve veinte".split()) if w != "_"}
    | {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
       "ochenta": 80, "noventa": 90, "cien": 100, "ciento": 100, "docena": 12, "mil": 1000,
       "veintiún": 21, "veintiuno": 21, "veintidós": 22, "veintitrés": 23, "decena": 10,
       "veintena": 20, "treintena": 30, "centenar": 100, "millar": 1000},
    scales={"mil": 1e3, "millón": 1e6, "millones": 1e6, "mil millones": 1e9,
            "billón": 1e12, "billones": 1e12, "mdd": 1e6, "mln": 1e6},
    percent=("por ciento", "puntos porcentuales"),
    currencies={"euro": "EUR", "euros": "EUR", "dólar": "USD", "dólares": "USD",
                "pesos": "MXN", "peso": "MXN", "libras": "GBP", "yenes": "JPY",
                "yuanes": "CNY", "eur": "EUR", "usd": "USD", "soles": "PEN", "reales": "BRL",
                "céntimos": "EUR", "bolívares": "VES"},
    speech_verbs=("dijo", "afirmó", "declaró", "explicó", "señaló", "aseguró", "añadió",
                  "indicó", "subrayó", "advirtió", "destacó", "comentó", "agregó", "sostuvo",
                  "reconoció", "manifestó", "apuntó", "precisó", "insistió", "lamentó",
                  "dice", "afirma", "explica", "señala", "asegura", "añade", "indica",
                  "ha dicho", "ha afirmado", "ha declarado", "ha explicado", "ha señalado",
                  "defendió", "defiende", "ha defendido", "reveló", "revela", "ha revelado",
                  "recordó", "recuerda", "ha recordado", "admitió", "admite", "ha admitido",
                  "reconoce", "ha reconocido", "advierte", "ha advertido", "insiste",
                  "ha insistido", "lamenta", "ha lamentado", "sostiene", "subraya",
                  "ha subrayado", "destaca", "ha destacado", "agrega", "ha agregado",
                  "relató", "relata", "contó", "ha contado", "comenta", "ha comentado",
                  "denunció", "denuncia", "ha denunciado", "concluyó", "ha concluido",
                  "detalló", "detalla", "ha detallado", "aclaró", "aclara", "ha aclarado",
                  "respondió", "responde", "ha respondido", "expresó", "ha expresado",
                  "anunció", "anuncia", "ha anunciado", "ha precisado", "ha manifestado",
                  "ha asegurado", "ha añadido", "ha indicado", "según"),
    according=("según", "de acuerdo con", "de acuerdo a"),
    months={"enero": 1, "ene.": 1, "febrero": 2, "feb.": 2, "marzo": 3, "mar.": 3,
            "abril": 4, "abr.": 4, "mayo": 5, "junio": 6, "jun.": 6, "julio": 7, "jul.": 7,
            "agosto": 8, "ago.": 8, "septiembre": 9, "setiembre": 9, "sept.": 9,
            "octubre": 10, "oct.": 10, "noviembre": 11, "nov.": 11, "diciembre": 12,
            "dic.": 12},
    ordinals=_ordinals("primero segundo tercero cuarto quinto sexto séptimo octavo noveno décimo"),
    stopwords=_words(
        "el la los las de del y que en un una por con para es fue se al como más pero sus "
        "su ha han lo le les ya este esta estos estas entre sobre también hasta desde muy "
        "sin porque cuando donde dijo según son está están había"),
    link=("de",),
    determiners=_words("el la los las un una unos unas del al este esta"),
)

_IT = Conventions(
    code="it",
    units={w: i for i, w in enumerate(
        "zero _ due tre quattro cinque sei sette otto nove dieci undici dodici tredici "
        "quattordici quindici sedici diciassette diciotto diciannove venti".split())
        if w != "_"}
    | {"trenta": 30, "quaranta": 40, "cinquanta": 50, "sessanta": 60, "settanta": 70,
       "ottanta": 80, "novanta": 90, "cento": 100, "mille": 1000, "dozzina": 12,
       "ventuno": 21, "ventidue": 22, "ventitré": 23, "decina": 10, "quindicina": 15,
       "ventina": 20, "trentina": 30, "cinquantina": 50, "centinaio": 100, "migliaio": 1000},
    scales={"mila": 1e3, "mille": 1e3, "milione": 1e6, "milioni": 1e6, "mln": 1e6,
            "miliardo": 1e9, "miliardi": 1e9, "mld": 1e9, "mrd": 1e9},
    percent=("per cento", "percento", "punti percentuali"),
    currencies={"euro": "EUR", "dollari": "USD", "dollaro": "USD", "sterline": "GBP",
                "franchi": "CHF", "yen": "JPY", "yuan": "CNY", "eur": "EUR", "usd": "USD",
                "centesimi": "EUR"},
    speech_verbs=("ha detto", "ha dichiarato", "ha spiegato", "ha affermato", "ha aggiunto",
                  "ha sottolineato", "ha precisato", "ha ribadito", "ha commentato",
                  "ha osservato", "ha ammesso", "ha annunciato", "ha avvertito",
                  "ha assicurato", "ha risposto", "ha concluso", "dice", "afferma", "spiega",
                  "aggiunge", "sottolinea", "dichiara", "precisa", "commenta", "osserva",
                  "ammette", "avverte", "racconta", "ha raccontato", "raccontò", "ricorda",
                  "ha ricordato", "denuncia", "ha denunciato", "conclude", "insiste",
                  "ha insistito", "replica", "ha replicato", "risponde", "ribadisce",
                  "assicura", "annuncia", "ha confessato", "lamenta", "ha lamentato",
                  "rivela", "ha rivelato", "spiegò", "dichiarò", "affermò", "aggiunse",
                  "sottolineò", "ha sostenuto", "sostiene", "evidenzia", "ha evidenziato",
                  "fa sapere", "ha fatto sapere", "chiarisce", "ha chiarito",
                  "disse", "secondo"),
    according=("secondo", "stando a"),
    months={"gennaio": 1, "genn.": 1, "febbraio": 2, "febbr.": 2, "marzo": 3, "aprile": 4,
            "maggio": 5, "giugno": 6, "luglio": 7, "agosto": 8, "settembre": 9, "sett.": 9,
            "ottobre": 10, "ott.": 10, "novembre": 11, "nov.": 11, "dicembre": 12,
            "dic.": 12},
    ordinals=_ordinals("primo secondo terzo quarto quinto sesto settimo ottavo nono decimo"),
    stopwords=_words(
        "il lo la gli le di del della dello dei delle degli e che un uno una per con è sono "
        "non ha hanno nel nella nei nelle al alla ai alle anche come più ma se sul sulla "
        "questo questa stato stata essere tra fra dopo ancora già quando secondo"),
    link=("di", "d'", "d’"),
    determiners=_words("il lo la i gli le l' l’ un una uno del della dei delle degli al alla"),
)

_PT = Conventions(
    code="pt",
    units={w: i for i, w in enumerate(
        "zero _ dois três quatro cinco seis sete oito nove dez onze doze treze catorze "
        "quinze dezesseis dezessete dezoito dezenove vinte".split()) if w != "_"}
    | {"duas": 2, "quatorze": 14, "dezasseis": 16, "dezassete": 17, "dezanove": 19,
       "trinta": 30, "quarenta": 40, "cinquenta": 50, "sessenta": 60, "setenta": 70,
       "oitenta": 80, "noventa": 90, "cem": 100, "dúzia": 12, "mil": 1000, "dezena": 10,
       "vintena": 20, "centena": 100, "milhar": 1000},
    scales={"mil": 1e3, "milhão": 1e6, "milhões": 1e6, "mi": 1e6, "bilhão": 1e9,
            "bilhões": 1e9, "bi": 1e9, "mil milhões": 1e9, "bilião": 1e12, "biliões": 1e12,
            "trilhão": 1e12, "trilhões": 1e12, "tri": 1e12},
    percent=("por cento", "pontos percentuais"),
    currencies={"euro": "EUR", "euros": "EUR", "dólar": "USD", "dólares": "USD",
                "reais": "BRL", "real": "BRL", "libras": "GBP", "ienes": "JPY",
                "iuanes": "CNY", "eur": "EUR", "usd": "USD", "escudos": "CVE",
                "kwanzas": "AOA", "meticais": "MZN", "centavos": "BRL"},
    speech_verbs=("disse", "afirmou", "declarou", "explicou", "sublinhou", "acrescentou",
                  "destacou", "garantiu", "referiu", "indicou", "adiantou", "salientou",
                  "afirma", "diz", "explica", "acrescenta", "reconheceu", "avisou",
                  "anunciou", "anuncia", "calcula", "calculou", "defende", "defendeu",
                  "lembra", "lembrou", "recorda", "recordou", "contou", "relata", "relatou",
                  "sublinha", "salienta", "refere", "admite", "reconhece", "garante", "avisa",
                  "alerta", "alertou", "insiste", "insistiu", "lamenta", "lamentou",
                  "declara", "observa", "ressalta", "destaca", "frisou", "frisa", "concluiu",
                  "conclui", "respondeu", "responde", "criticou", "critica", "denunciou",
                  "denuncia", "revelou", "revela", "comenta", "argumentou", "argumenta",
                  "assegurou", "assegura", "adianta", "apontou", "aponta", "esclareceu",
                  "esclarece", "reiterou", "reitera", "avaliou", "avalia", "estimou",
                  "ressaltou", "observou", "comentou", "admitiu", "segundo"),
    according=("segundo", "de acordo com", "conforme"),
    months={"janeiro": 1, "jan.": 1, "fevereiro": 2, "fev.": 2, "março": 3, "mar.": 3,
            "abril": 4, "abr.": 4, "maio": 5, "junho": 6, "jun.": 6, "julho": 7, "jul.": 7,
            "agosto": 8, "ago.": 8, "setembro": 9, "set.": 9, "outubro": 10, "out.": 10,
            "novembro": 11, "nov.": 11, "dezembro": 12, "dez.": 12},
    ordinals=_ordinals("primeiro segundo terceiro quarto quinto sexto sétimo oitavo nono décimo"),
    stopwords=_words(
        "o os as do da dos das e que em um uma para com não no na nos nas por foi ao aos "
        "são mais disse segundo seu sua seus suas ele ela eles elas isso este esta também "
        "já pelo pela pelos pelas entre sobre até desde quando ou mas"),
    link=("de",),
    determiners=_words("o a os as um uma uns umas do da dos das no na nos nas ao à"),
)

CONVENTIONS: dict[str, Conventions] = {c.code: c for c in (_DE, _FR, _ES, _IT, _PT)}
SUPPORTED = ("en", *CONVENTIONS)

_EN_STOP = _words(
    "the and of to in is was that for on with said it by as at from his her have has were "
    "are will be an this which who their they not but after had been would its than over "
    "about more into when also")
_STOP = {"en": _EN_STOP, **{c: v.stopwords for c, v in CONVENTIONS.items()}}
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Kana, Han, Hangul and any of them, compiled on first use (text/lazy_re.py): a class of
# 20,000 code points takes ~1 ms to compile, and most runs never meet one
_KANA_RE = lazy(r"[\u3040-\u30ff]")
_HAN_RE = lazy(r"[\u4e00-\u9fff]")
_HANGUL_RE = lazy(r"[\uac00-\ud7af]")
_CJK_RE = lazy(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_CJK_FIRST = "\u3040"  # the lowest code point of the scripts above


def _word_langs() -> dict[str, tuple[str, ...]]:
    """Each function word -> the languages that list it (one dict look-up per token)."""
    found: dict[str, tuple[str, ...]] = {}
    for code, words in _STOP.items():
        for word in words:
            found[word] = (*found.get(word, ()), code)
    return found


_WORD_LANGS = _word_langs()


@lru_cache(maxsize=1024)
def _detect(sample: str) -> str:
    # the script decides before any word count (all three lie at or above U+3040)
    if sample and max(sample) >= _CJK_FIRST and _CJK_RE.search(sample):
        kana = len(_KANA_RE.findall(sample))
        han = len(_HAN_RE.findall(sample))
        hangul = len(_HANGUL_RE.findall(sample))
        letters = sum(map(str.isalpha, sample)) or 1
        if (kana + han) / letters > 0.3:
            return "ja" if kana > 0.05 * (kana + han) else "zh"
        if hangul / letters > 0.3:
            return "ko"
    tokens = _TOKEN_RE.findall(sample.lower())
    if not tokens:
        return "en"
    scores = dict.fromkeys(_STOP, 0)
    for token in tokens:
        for code in _WORD_LANGS.get(token, ()):
            scores[code] += 1
    best = max(scores, key=lambda c: (scores[c], c == "en"))
    # A handful of shared words ("a", "e", "de") must not outvote English in a short text.
    if scores[best] < 3 or scores[best] < 0.06 * len(tokens):
        return "en"
    return best


def detect_language(text: str) -> str:
    """The ISO 639-1 code of `text`'s language from its function words (its script for
    Chinese, Japanese and Korean); "en" when nothing speaks for another language."""
    return _detect(text[:6000])


def conventions(code: str | None) -> Conventions | None:
    """The reading conventions of a supported non-English language, else None."""
    return CONVENTIONS.get(code or "")
