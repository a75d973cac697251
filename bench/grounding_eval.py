"""Grounding benchmark: does the pipeline refuse what a lying model invents?

For every article of a corpus (``CORPUS/articles/*.txt`` + ``CORPUS/gold.jsonl``) this
script builds an adversarial model answer from the gold truth, deterministically from
``--seed``:

- true figures, quotes and entities (the gold items in ``ArticleSummary`` shape);
- about 25% of the true figures and of the true quotes left out ("omitted");
- 2 invented figures (numbers the article never states), 1-2 fabricated quotes attributed
  to a real speaker, 1-2 invented people ("invented");
- about 20% of the kept true figures with a value given a wrong value, text kept verbatim
  ("contradicted");
- prose: the summary is the gold ``key_facts`` (true sentences, the facts paraphrased) with
  one invented sentence inserted, and the key points are the key facts with one invented
  point inserted; each invented sentence states an invented number and names an invented
  person.

It serves those answers from the project's fake OpenAI-compatible server, runs the real CLI
(``llmextract summarize DIR --base-url ...``) on copies of the articles in a temporary
folder, and scores the JSONL records: invented items dropped, contradicted values dropped,
true items kept, omitted items recovered by the rules, quotes verbatim, spans exact,
invented prose sentences removed, true ones kept, prose support spans inside the article.
It also times the in-process pipeline (rules + locate + ground + reconcile + prose) per
article.

    .venv/bin/python bench/grounding_eval.py [--corpus ../shared/corpus] [--seed 0]
                                             [--keep-dir DIR] [--json]

The articles are third-party texts: they are read at run time and copied only into a
temporary folder. Exit status is always 0 (a benchmark, not a test); the PASS/FAIL column
compares each number with the acceptance target.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DUMMY_KEY = "sk-bench-not-a-key"
IMPORT_RETRIES = 3
IMPORT_WAIT_S = 120

# Acceptance targets (fractions).
TARGETS = {
    "invented_dropped": 1.0,
    "contradicted_dropped": 0.90,
    "true_kept": 0.99,
    "invented_prose_dropped": 1.0,
    "true_prose_kept": 0.95,
    "prose_spans": 1.0,
    "omitted_figures_recovered": 0.50,
    "omitted_quotes_recovered": 0.50,
    "verbatim_quotes": 1.0,
    "spans_correct": 1.0,
}

# --------------------------------------------------------------------------------------
# Text normalisation (independent of llmextract.text.fold on purpose: the judge is not the
# code under test).
# --------------------------------------------------------------------------------------
_CHAR_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_EDGE = "\"' .,;:!?\u2026"
_TOKEN_RE = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*", re.UNICODE)
_NUMERAL_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def norm(text: str | None) -> str:
    """Lowercase, straight quotes, plain dashes, single spaces, no edge punctuation."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_CHAR_MAP).lower()
    return " ".join(text.split()).strip(_EDGE)


def tokens(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(norm(text))


def entity_key(name: str | None) -> str:
    key = norm(name).replace("'s", "")
    return key[4:] if key.startswith("the ") else key


def word_overlap_half(a: str, b: str) -> bool:
    """Do `a` and `b` share at least half of the shorter one's words?"""
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return False
    return len(ta & tb) * 2 >= min(len(ta), len(tb))


def token_overlap(a: str, b: str) -> float:
    """Shared words over the longer one's words (0..1)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    pool = list(tb)
    shared = 0
    for t in ta:
        if t in pool:
            pool.remove(t)
            shared += 1
    return shared / max(len(ta), len(tb))


def same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def numerals(text: str) -> set[float]:
    """Every numeral of `text` as a number, with common scales applied too."""
    out: set[float] = set()
    for m in _NUMERAL_RE.finditer(text):
        raw = m.group(0).rstrip(",")
        with contextlib.suppress(ValueError):
            v = float(raw.replace(",", ""))
            out.add(v)
            for scale in (1e2, 1e3, 1e6, 1e9, 1e12):
                out.add(v * scale)
            out.add(v / 100)
    return out


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    t = tokens(text)
    return {tuple(t[i:i + n]) for i in range(max(0, len(t) - n + 1))}


# --------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------
@dataclass
class Article:
    id: str
    path: Path
    text: str
    gold: dict[str, Any]


def read_article(path: Path) -> str:
    """The text as the CLI reads it (bytes decoded as UTF-8, BOM removed, nothing else)."""
    return path.read_bytes().decode("utf-8-sig", errors="replace")


def load_corpus(corpus: Path) -> list[Article]:
    gold: dict[str, dict[str, Any]] = {}
    with (corpus / "gold.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                gold[str(rec["id"])] = rec
    out = []
    for path in sorted((corpus / "articles").glob("*.txt")):
        if path.stem in gold:
            out.append(Article(path.stem, path, read_article(path), gold[path.stem]))
        else:
            print(f"warning: {path.name} has no gold record; skipped", file=sys.stderr)
    return out


def match_string(art: Article, others: list[Article]) -> str:
    """A distinctive substring of the article for the fake server's `match`."""
    lines = sorted((ln.strip() for ln in art.text.splitlines() if ln.strip()),
                   key=len, reverse=True)
    for line in lines:
        for cut in (120, 200, len(line)):
            cand = line[:cut].strip()
            if len(cand) >= 25 and all(cand not in o.text for o in others if o is not art):
                return cand
    raise SystemExit(f"no distinctive substring found for article {art.id}")


# --------------------------------------------------------------------------------------
# Adversarial answers
# --------------------------------------------------------------------------------------
_QUALIFIERS = (
    ("at least", "at_least"), ("no fewer than", "at_least"), ("more than", "more_than"),
    ("over ", "more_than"), ("above ", "more_than"), ("upwards of", "more_than"),
    ("fewer than", "less_than"), ("less than", "less_than"), ("under ", "less_than"),
    ("below ", "less_than"), ("up to", "up_to"), ("as many as", "up_to"),
    ("about", "approximately"), ("around", "approximately"), ("approximately", "approximately"),
    ("roughly", "approximately"), ("nearly", "approximately"), ("almost", "approximately"),
    ("close to", "approximately"), ("some ", "approximately"), ("an estimated", "approximately"),
    ("estimated", "approximately"),
)


def guess_qualifier(text: str) -> str:
    low = norm(text)
    first_digit = re.search(r"\d", low)
    prefix = " " + (low[: first_digit.start()] if first_digit else low) + " "
    for phrase, qual in _QUALIFIERS:
        if f" {phrase.strip()} " in prefix:
            return qual
    return "exact"


# (phrase template, value factory, describes, qualifier); `n` is drawn per template.
_INVENTED_FIGURES: tuple[tuple[str, str, str, str], ...] = (
    ("about {n:,} residents", "int:1100:9900:100", "residents affected", "approximately"),
    ("${m} million in damages", "mil:1.1:9.8", "estimated damages", "exact"),
    ("{n} people were evacuated", "int:130:980:10", "people evacuated", "exact"),
    ("a rise of {p} percent", "pct:2.1:9.8", "year-on-year increase", "exact"),
    ("more than {n:,} volunteers", "int:1200:8800:100", "volunteers deployed", "more_than"),
    ("{n} schools were closed", "int:13:97:1", "schools closed", "exact"),
    ("at least {n} vehicles", "int:140:870:10", "vehicles damaged", "at_least"),
    ("{n:,} tonnes of aid", "int:2300:9700:100", "aid delivered", "exact"),
)

_FABRICATED_QUOTES = (
    "We are doing everything in our power to support the families who have been affected",
    "Nobody expected things to move this quickly, and we were simply not prepared for it",
    "This is a turning point, and the coming weeks will show whether we made the right call",
    "I have never seen anything like this in all my years in this job",
    "Our priority now is to make sure that something like this can never happen again",
    "We will keep working with our partners until every last question has been answered",
    "People deserve honest answers, and they deserve them today, not in six months",
    "It is far too early to say what the long-term consequences will be",
)

_INVENTED_PROSE = (
    "{person}, a spokesperson for the regional authority, said {n:,} households were affected.",
    "According to {person}, about {n:,} residents signed a petition demanding an inquiry.",
    "Local official {person} estimated that {n:,} people had been moved to temporary shelters.",
    "{person} told reporters that {n:,} workers would be needed to repair the damage.",
    "An independent review led by {person} counted {n:,} complaints from the public.",
)

_FIRST = ("Marta", "Tomasz", "Priya", "Henrik", "Lucia", "Oren", "Ingrid", "Rafael", "Aiko",
          "Bastian", "Noemi", "Kwabena")
_LAST = ("Kowalczyk", "Lindqvist", "Barrientos", "Haverford", "Nakashima", "Delacroix",
         "Varga", "Whitcombe", "Okonkwo-Reyes", "Szabolcsi", "Ferrante", "Marchetti")


@dataclass
class Item:
    """One labelled item of an adversarial answer (or an omitted gold item)."""

    field: str  # figures | quotes | entities
    label: str  # true | invented | contradicted | omitted
    data: dict[str, Any]  # as sent to the model (omitted: the gold item in answer shape)
    gold_value: float | None = None  # contradicted: the true value

    @property
    def text(self) -> str:
        return str(self.data.get("name") if self.field == "entities" else self.data["text"])


@dataclass
class Case:
    art: Article
    answer: dict[str, Any]
    items: list[Item] = field(default_factory=list)


def _draw_number(spec: str, rng: random.Random) -> tuple[float, dict[str, Any]]:
    kind, *args = spec.split(":")
    if kind == "int":
        lo, hi, step = (int(a) for a in args)
        n = rng.randrange(lo, hi + 1, step)
        # Avoid round numbers that texts often state in passing.
        if n % 1000 == 0:
            n += step
        return float(n), {"n": n}
    lo_f, hi_f = (float(a) for a in args)
    m = round(rng.uniform(lo_f, hi_f), 1)
    if kind == "mil":
        return m * 1e6, {"m": m}
    return m, {"p": m}


def _invented_figures(art: Article, rng: random.Random, count: int) -> list[dict[str, Any]]:
    stated = numerals(art.text)
    out: list[dict[str, Any]] = []
    for template, spec, describes, qual in rng.sample(_INVENTED_FIGURES, len(_INVENTED_FIGURES)):
        if len(out) == count:
            break
        for _ in range(50):
            value, fmt = _draw_number(spec, rng)
            phrase = template.format(**fmt)
            nums = [float(x.replace(",", "")) for x in _NUMERAL_RE.findall(phrase)]
            if any(any(same_value(v, s) for s in stated) for v in [*nums, value]):
                continue
            if any(x in art.text for x in _NUMERAL_RE.findall(phrase)):
                continue
            out.append({"text": phrase, "value": int(value) if value.is_integer() else value,
                        "unit": None, "describes": describes, "qualifier": qual,
                        "attributed_to": None})
            break
    return out


def _fabricated_quotes(art: Article, rng: random.Random, count: int,
                       speakers: list[str]) -> list[dict[str, Any]]:
    have = shingles(art.text)
    out = []
    for sentence in rng.sample(_FABRICATED_QUOTES, len(_FABRICATED_QUOTES)):
        if len(out) == count:
            break
        if shingles(sentence) & have:
            continue
        speaker = rng.choice(speakers) if speakers else None
        out.append({"text": sentence, "speaker": speaker})
    return out


def _invented_people(art: Article, rng: random.Random, count: int) -> list[dict[str, Any]]:
    present = set(tokens(art.text))
    out: list[dict[str, Any]] = []
    firsts, lasts = list(_FIRST), list(_LAST)
    rng.shuffle(firsts)
    rng.shuffle(lasts)
    for first, last in zip(firsts, lasts, strict=False):
        if len(out) == count:
            break
        if {norm(first)} & present or set(tokens(last)) & present:
            continue
        out.append({"name": f"{first} {last}", "type": "person"})
    return out


def _invented_sentences(art: Article, rng: random.Random, count: int) -> list[str]:
    """Sentences that state an invented number and name an invented person."""
    stated = numerals(art.text)
    people = _invented_people(art, rng, count)
    out: list[str] = []
    for person, template in zip(people, rng.sample(_INVENTED_PROSE, count), strict=False):
        for _ in range(50):
            n = rng.randrange(1130, 9870, 10)
            if not any(same_value(n, v) for v in stated) and f"{n:,}" not in art.text:
                out.append(template.format(person=person["name"], n=n))
                break
    return out


def _round_sig(x: float, sig: int) -> float:
    if x == 0:
        return 0.0
    return round(x, sig - 1 - math.floor(math.log10(abs(x))))


def _sig_digits(value: float) -> int:
    digits = f"{value:.10g}".replace(".", "").replace("-", "").lstrip("0").split("e")[0]
    return max(2, len(digits.rstrip("0")) if float(value).is_integer() else len(digits))


def _contradict(value: float, text: str, rng: random.Random) -> float:
    """A wrong value for a figure whose text states `value`: x1.1-3 or an added digit."""
    stated = numerals(text)
    small_int = float(value).is_integer() and 0 < abs(value) < 10_000
    for _ in range(100):
        if value == 0:
            new = float(rng.randint(2, 9))
        elif small_int and rng.random() < 0.5:  # add a digit: 381 -> 3817
            new = float(f"{int(value)}{rng.randint(1, 9)}")
        else:
            new = _round_sig(value * rng.uniform(1.1, 3.0), _sig_digits(value))
            if float(value).is_integer():
                new = float(round(new))
        if not same_value(new, value) and not any(same_value(new, s) for s in stated):
            return new
    return value * 7.3  # practically never reached


def _sample_out(n: int, frac: float, rng: random.Random, at_least_one: bool) -> set[int]:
    k = round(n * frac)
    if at_least_one and n >= 2:
        k = max(1, k)
    return set(rng.sample(range(n), k)) if k else set()


def build_case(art: Article, seed: int) -> Case:
    rng = random.Random(f"grounding-eval:{seed}:{art.id}")
    gold = art.gold
    figures = [{"text": f["text"], "value": f.get("value"), "unit": None,
                "describes": f.get("what") or "figure", "qualifier": guess_qualifier(f["text"]),
                "attributed_to": None} for f in gold.get("figures", [])]
    quotes = [{"text": q["text"], "speaker": q.get("speaker")} for q in gold.get("quotes", [])]
    entities = [{"name": e["name"], "type": e.get("type", "other")}
                for e in gold.get("entities", [])]
    items: list[Item] = []

    omit_f = _sample_out(len(figures), 0.25, rng, True)
    omit_q = _sample_out(len(quotes), 0.25, rng, True)
    kept_f = [f for i, f in enumerate(figures) if i not in omit_f]
    kept_q = [q for i, q in enumerate(quotes) if i not in omit_q]
    items += [Item("figures", "omitted", f) for i, f in enumerate(figures) if i in omit_f]
    items += [Item("quotes", "omitted", q) for i, q in enumerate(quotes) if i in omit_q]

    valued = [i for i, f in enumerate(kept_f) if f["value"] is not None]
    k = round(len(valued) * 0.2)
    if valued:
        k = max(1, k)
    contradict = set(rng.sample(valued, k)) if k else set()
    answer_figs: list[tuple[dict[str, Any], Item]] = []
    for i, f in enumerate(kept_f):
        if i in contradict:
            new = _contradict(float(f["value"]), f["text"], rng)
            data = dict(f, value=int(new) if new.is_integer() and abs(new) < 1e15 else new)
            answer_figs.append((data, Item("figures", "contradicted", data, f["value"])))
        else:
            answer_figs.append((f, Item("figures", "true", f)))

    speakers = sorted({q["speaker"] for q in quotes if q.get("speaker")})
    if not speakers:
        speakers = [e["name"] for e in entities if e["type"] == "person"]
    inv_f = _invented_figures(art, rng, 2)
    inv_q = _fabricated_quotes(art, rng, rng.randint(1, 2), speakers)
    inv_p = _invented_people(art, rng, rng.randint(1, 2))

    # Interleave the invented items among the true ones (a model does not list them last).
    def mix(true: list[dict[str, Any]], fake: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = list(true)
        for f in fake:
            out.insert(rng.randint(0, len(out)), f)
        return out

    fig_list = mix([d for d, _ in answer_figs], inv_f)
    quote_list = mix(kept_q, inv_q)
    ent_list = mix(entities, inv_p)
    items += [it for _, it in answer_figs]
    items += [Item("quotes", "true", q) for q in kept_q]
    items += [Item("entities", "true", e) for e in entities]
    items += [Item("figures", "invented", f) for f in inv_f]
    items += [Item("quotes", "invented", q) for q in inv_q]
    items += [Item("entities", "invented", p) for p in inv_p]

    facts = [str(x) for x in gold.get("key_facts", [])]
    inv_s = _invented_sentences(art, rng, 2)

    def insert(sents: list[str], extra: list[str]) -> list[str]:
        out = list(sents)
        for x in extra:
            out.insert(rng.randint(0, len(out)), x)
        return out

    summary_sents = insert(facts[:3], inv_s[:1])
    points = insert(facts[:6], inv_s[1:2])
    items += [Item("summary", "true", {"text": f}) for f in facts[:3]]
    items += [Item("key_points", "true", {"text": f}) for f in facts[:6]]
    items += [Item("summary", "invented", {"text": inv_s[0]})] if inv_s else []
    items += [Item("key_points", "invented", {"text": inv_s[1]})] if len(inv_s) > 1 else []
    answer = {
        "title": gold.get("title"),
        "publisher": gold.get("publisher"),
        "authors": [],
        "published": gold.get("published"),
        "url": None,
        "summary": " ".join(summary_sents) or (gold.get("title") or "A news article."),
        "key_points": points,
        "figures": fig_list,
        "quotes": quote_list,
        "entities": ent_list,
        "topics": ["news"],
    }
    return Case(art, answer, items)


# --------------------------------------------------------------------------------------
# Running the real CLI against the fake server
# --------------------------------------------------------------------------------------
def _import_with_retry(what: str, *names: str) -> Any:
    """Import a module (and check it has `names`), waiting for work in progress."""
    import importlib

    for attempt in range(IMPORT_RETRIES + 1):
        try:
            module = importlib.import_module(what)
            for name in names:
                getattr(module, name)
            return module
        except Exception as exc:
            if attempt == IMPORT_RETRIES:
                raise
            print(f"import {what} failed ({type(exc).__name__}: {exc}); retrying in "
                  f"{IMPORT_WAIT_S}s", file=sys.stderr)
            for mod in [m for m in sys.modules if m == what or m.startswith("llmextract")]:
                sys.modules.pop(mod, None)
            time.sleep(IMPORT_WAIT_S)
    raise AssertionError("unreachable")


def _cli_command() -> list[str]:
    exe = Path(sys.executable).parent / "llmextract"
    if exe.exists():
        return [str(exe)]
    venv = ROOT / ".venv" / "bin" / "llmextract"
    if venv.exists():
        return [str(venv)]
    return [sys.executable, "-m", "llmextract"]


def run_cli(cases: list[Case], work: Path, jobs: int) -> tuple[list[dict[str, Any]],
                                                               dict[str, Any], str, float]:
    """Serve the answers, run `llmextract summarize`; (records, server stats, stderr, s)."""
    fakeserver = _import_with_retry("llmextract.fakeserver", "FakeServer")
    _import_with_retry("llmextract.pipeline.article", "Pipeline")  # what the CLI needs
    answers_dir = work / "answers"
    answers_dir.mkdir(parents=True, exist_ok=True)
    arts = [c.art for c in cases]
    for case in cases:
        payload = {"match": match_string(case.art, arts), "answers": [case.answer]}
        (answers_dir / f"{case.art.id}.json").write_text(
            json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="grounding-eval-articles-") as tmp:
        for case in cases:
            shutil.copyfile(case.art.path, Path(tmp) / case.art.path.name)
        env = dict(os.environ, OPENAI_API_KEY=DUMMY_KEY)
        env.pop("OPENAI_BASE_URL", None)
        with fakeserver.FakeServer(answers_dir=answers_dir) as srv:
            cmd = [*_cli_command(), "summarize", tmp, "--base-url", srv.base_url,
                   "-j", str(jobs)]
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900,
                                  check=False)
            wall = time.perf_counter() - start
            stats = srv.stats
    records = []
    for line in proc.stdout.splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                print(f"warning: non-JSON line on stdout: {line[:120]!r}", file=sys.stderr)
    (work / "output.jsonl").write_text(proc.stdout, encoding="utf-8")
    stderr = proc.stderr
    if proc.returncode != 0:
        stderr += f"\n[exit status {proc.returncode}]"
    return records, stats, stderr, wall


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------
@dataclass
class Tally:
    ok: int = 0
    total: int = 0

    def add(self, good: bool) -> None:
        self.total += 1
        self.ok += int(good)

    @property
    def rate(self) -> float | None:
        return self.ok / self.total if self.total else None

    def __iadd__(self, other: Tally) -> Tally:
        self.ok += other.ok
        self.total += other.total
        return self


@dataclass
class Scores:
    tallies: dict[str, Tally] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def t(self, key: str) -> Tally:
        return self.tallies.setdefault(key, Tally())

    def fail(self, art_id: str, message: str) -> None:
        self.failures.setdefault(art_id, []).append(message)


def _llm(item: dict[str, Any]) -> bool:
    return item.get("source") in ("llm", "both")


def _fig_matches(out: dict[str, Any], text: str, value: float | None) -> bool:
    return word_overlap_half(out.get("text", ""), text) and same_value(out.get("value"), value)


def _find_dropped(record: dict[str, Any], it: Item) -> dict[str, Any] | None:
    for d in record.get("dropped") or []:
        if d.get("field") != it.field:
            continue
        item = d.get("item") or {}
        if it.field == "entities":
            if entity_key(item.get("name")) == entity_key(it.text):
                return d
        elif norm(item.get("text")) == norm(it.text) and (
                it.field != "figures" or same_value(item.get("value"), it.data.get("value"))):
            return d
    return None


def _short(text: str, n: int = 70) -> str:
    text = " ".join(str(text).split())
    return repr(text if len(text) <= n else text[: n - 3] + "...")


def _fig_desc(f: dict[str, Any]) -> str:
    return f"{_short(f.get('text', ''))} (value {f.get('value')})"


def _kept_evidence(it: Item, summary: dict[str, Any]) -> dict[str, Any] | None:
    """The output item (source llm/both) that shows a refused item was kept anyway."""
    if it.field == "figures":
        value = it.data.get("value")
        for f in summary.get("figures") or []:
            if not _llm(f):
                continue
            if _fig_matches(f, it.text, value):
                return f
            # Invented values appear nowhere in the article: the same value is evidence.
            if it.label == "invented" and value is not None and same_value(f.get("value"),
                                                                           value):
                return f
        return None
    if it.field == "quotes":
        for q in summary.get("quotes") or []:
            if _llm(q) and token_overlap(q.get("text", ""), it.text) >= 0.6:
                return q
        return None
    for e in summary.get("entities") or []:
        if _llm(e) and entity_key(e.get("name")) == entity_key(it.text):
            return e
    return None


def _true_kept(it: Item, summary: dict[str, Any]) -> dict[str, Any] | None:
    if it.field == "figures":
        for f in summary.get("figures") or []:
            if _llm(f) and _fig_matches(f, it.text, it.data.get("value")):
                return f
        return None
    return _kept_evidence(it, summary)


def _recovered(it: Item, summary: dict[str, Any]) -> tuple[bool, str]:
    """(recovered by the rules, what the rules had nearby)."""
    rules_items = [x for x in summary.get(it.field) or [] if x.get("source") == "rules"]
    near = ""
    for x in rules_items:
        if it.field == "figures":
            gold_value = it.data.get("value")
            if word_overlap_half(x.get("text", ""), it.text):
                if gold_value is None or same_value(x.get("value"), gold_value):
                    return True, ""
                near = f"; rules gave {_fig_desc(x)}"
        else:
            score = token_overlap(x.get("text", ""), it.text)
            if score >= 0.6:
                return True, ""
            if score >= 0.25:
                near = f"; rules gave {_short(x.get('text', ''))} (overlap {score:.2f})"
    return False, near


def _check_output_items(art: Article, summary: dict[str, Any], sc: Scores) -> None:
    text = art.text
    for q in summary.get("quotes") or []:
        good = bool(q.get("text")) and q["text"] in text
        sc.t("verbatim_quotes").add(good)
        if not good:
            sc.fail(art.id, f"quote not verbatim [{q.get('source')}]: {_short(q.get('text'))}")
    for fld, key in (("figures", "text"), ("quotes", "text"), ("entities", "name")):
        for x in summary.get(fld) or []:
            span = x.get("span")
            want = x.get(key) or ""
            if not span:
                sc.t("spans_correct").add(False)
                sc.fail(art.id, f"{fld} span missing [{x.get('source')}]: {_short(want)}")
                continue
            got = text[span[0]:span[1]]
            good = got == want
            sc.t("spans_correct").add(good)
            if not good:
                sc.fail(art.id, f"{fld} span {span} [{x.get('source')}] is {_short(got, 50)}, "
                        f"item is {_short(want, 50)}")


def _rules_added(art: Article, summary: dict[str, Any], sc: Scores) -> None:
    """Informational: items the rules added, and how many of them the gold lists."""
    gold = art.gold
    for x in summary.get("figures") or []:
        if x.get("source") == "rules":
            sc.t("rules_added_figures").add(any(
                word_overlap_half(x.get("text", ""), g["text"])
                and (g.get("value") is None or same_value(x.get("value"), g.get("value")))
                for g in gold.get("figures", [])))
    for x in summary.get("quotes") or []:
        if x.get("source") == "rules":
            sc.t("rules_added_quotes").add(any(
                token_overlap(x.get("text", ""), g["text"]) >= 0.6
                for g in gold.get("quotes", [])))
    for x in summary.get("entities") or []:
        if x.get("source") == "rules":
            sc.t("rules_added_entities").add(any(
                entity_key(x.get("name")) == entity_key(g["name"])
                for g in gold.get("entities", [])))


def _prose_kept(it: Item, summary: dict[str, Any]) -> bool:
    if it.field == "summary":
        return norm(it.text) in norm(summary.get("summary"))
    return any(norm(it.text) == norm(p) for p in summary.get("key_points") or [])


def _check_prose(case: Case, rec: dict[str, Any], summary: dict[str, Any], sc: Scores) -> None:
    """Invented prose sentences removed (and listed in `dropped`), true ones kept, every
    support span inside the article."""
    art = case.art
    for it in case.items:
        if it.field not in ("summary", "key_points"):
            continue
        kept = _prose_kept(it, summary)
        if it.label == "invented":
            sc.t(f"invented_dropped_{it.field}").add(not kept)
            listed = any(d.get("field") == it.field and norm((d.get("item") or {}).get("text"))
                         == norm(it.text) for d in rec.get("dropped") or [])
            if not kept and not listed:
                sc.t("silent_drops").add(True)
            if kept:
                sc.fail(art.id, f"INVENTED {it.field} sentence KEPT {_short(it.text)}")
        else:
            sc.t(f"true_kept_{it.field}").add(kept)
            if not kept:
                d = next((d for d in rec.get("dropped") or [] if d.get("field") == it.field
                          and norm((d.get("item") or {}).get("text")) == norm(it.text)), None)
                why = f"dropped: {d['reason']}" if d else "absent from output"
                sc.fail(art.id, f"TRUE {it.field} sentence NOT KEPT {_short(it.text)}: {why}")
    for entry in rec.get("summary_support") or []:
        spans = entry.get("spans") or []
        good = bool(spans) and all(0 <= a < b <= len(art.text) for a, b in spans)
        sc.t("prose_spans").add(good)
        if not good:
            sc.fail(art.id, f"prose support spans {spans} invalid for {_short(entry.get('text'))}")


def score(cases: list[Case], records: list[dict[str, Any]]) -> Scores:
    sc = Scores()
    by_id = {str(r.get("id")): r for r in records}
    for case in cases:
        art = case.art
        rec = by_id.get(art.id)
        if rec is None:
            sc.notes.append(f"{art.id}: no output record")
            sc.fail(art.id, "no output record")
            continue
        status = rec.get("status")
        sc.t("status_ok").add(status == "ok")
        if status != "ok":
            err = rec.get("error") or {}
            sc.notes.append(f"{art.id}: status {status} ({err.get('type')}: "
                            f"{str(err.get('message'))[:120]})")
            sc.fail(art.id, f"record status {status}: the model answer was not used")
        summary = rec.get("summary") or {}
        for it in case.items:
            label, fld = it.label, it.field
            if fld in ("summary", "key_points"):
                continue  # scored by _check_prose
            if label == "true":
                got = _true_kept(it, summary)
                sc.t(f"true_kept_{fld}").add(got is not None)
                if got is None:
                    d = _find_dropped(rec, it)
                    why = f"dropped: {d['reason']}" if d else "absent from output"
                    if d is None and fld == "figures":
                        near = [f for f in summary.get("figures") or []
                                if word_overlap_half(f.get("text", ""), it.text)]
                        if near:
                            why += "; output has " + ", ".join(
                                f"{_fig_desc(f)} [{f.get('source')}]" for f in near[:2])
                    what = _fig_desc(it.data) if fld == "figures" else _short(it.text)
                    sc.fail(art.id, f"TRUE {fld[:-1]} NOT KEPT {what}: {why}")
            elif label in ("invented", "contradicted"):
                d = _find_dropped(rec, it)
                kept = None if d else _kept_evidence(it, summary)
                key = f"{label}_dropped_{fld}"
                sc.t(key).add(kept is None)
                if kept is None and d is None:
                    sc.t("silent_drops").add(True)
                if kept is not None:
                    what = _fig_desc(it.data) if fld == "figures" else _short(it.text)
                    extra = ""
                    if label == "contradicted":
                        extra = f" (true value {it.gold_value})"
                    shown = _fig_desc(kept) if fld == "figures" else _short(
                        kept.get("text") or kept.get("name"))
                    sc.fail(art.id, f"{label.upper()} {fld[:-1]} KEPT {what}{extra} -> output "
                            f"{shown} span {kept.get('span')} [{kept.get('source')}]")
            elif label == "omitted":
                ok, near = _recovered(it, summary)
                sc.t(f"omitted_recovered_{fld}").add(ok)
                if not ok:
                    what = _fig_desc(it.data) if fld == "figures" else _short(it.text)
                    sc.fail(art.id, f"omitted {fld[:-1]} not recovered {what}{near}")
        _check_prose(case, rec, summary, sc)
        _check_output_items(art, summary, sc)
        _rules_added(art, summary, sc)
    for label in ("invented_dropped", "true_kept"):
        total = Tally()
        for fld in ("summary", "key_points"):
            total += sc.tallies.get(f"{label}_{fld}", Tally())
        sc.tallies[f"{label}_prose"] = total
    for label in ("invented_dropped", "contradicted_dropped", "true_kept"):
        total = Tally()
        for fld in ("figures", "quotes", "entities"):
            if f"{label}_{fld}" in sc.tallies:
                total += sc.tallies[f"{label}_{fld}"]
        sc.tallies[label] = total
    return sc


# --------------------------------------------------------------------------------------
# Timing (in process, outside the model call)
# --------------------------------------------------------------------------------------
def time_pipeline(cases: list[Case], reps: int) -> dict[str, Any]:
    rules = _import_with_retry("llmextract.rules", "extract")
    grounding = _import_with_retry("llmextract.check.grounding")
    reconcile_mod = _import_with_retry("llmextract.check.reconcile")
    schema = _import_with_retry("llmextract.schemas.news")
    prose = _import_with_retry("llmextract.check.prose", "ground_summary")
    per: list[tuple[float, int, str]] = []
    for case in cases:
        text = case.art.text
        answer = schema.ArticleSummary.model_validate(case.answer)
        rules.extract(text)  # warm up (regex compilation, lazy tables)
        start = time.process_time()
        for _ in range(reps):
            rules_out = rules.extract(text)
            loc = grounding.Locator(text)
            grounded = grounding.ground(answer, text, loc)
            summary, _, _ = reconcile_mod.reconcile(answer, grounded, rules_out, loc)
            idx = prose.ArticleIndex(loc, rules_out.sentences, rules_out.numbers)
            prose.ground_summary(answer.summary, answer.key_points, idx,
                                 lambda: ("", []), (summary.summary, summary.key_points))
        ms = (time.process_time() - start) * 1000 / reps
        per.append((ms, len(text.split()), case.art.id))
    times = [p[0] for p in per]
    words_ = [p[1] for p in per]
    slowest = max(per)
    return {
        "reps": reps,
        "median_ms": round(statistics.median(times), 2),
        "max_ms": round(slowest[0], 2),
        "max_article": slowest[2],
        "max_article_words": slowest[1],
        "words_median": statistics.median(words_),
        "words_max": max(words_),
        "words_min": min(words_),
        "per_article": {a: {"ms": round(t, 2), "words": w} for t, w, a in per},
    }


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
_ROWS = (
    ("invented_dropped_figures", "invented figures dropped", None),
    ("invented_dropped_quotes", "fabricated quotes dropped", None),
    ("invented_dropped_entities", "invented people dropped", None),
    ("invented_dropped", "INVENTED DROPPED (all)", "invented_dropped"),
    ("contradicted_dropped_figures", "CONTRADICTED VALUES DROPPED", "contradicted_dropped"),
    ("true_kept_figures", "true figures kept", None),
    ("true_kept_quotes", "true quotes kept", None),
    ("true_kept_entities", "true entities kept", None),
    ("true_kept", "TRUE KEPT (all)", "true_kept"),
    ("invented_dropped_summary", "invented summary sentences removed", None),
    ("invented_dropped_key_points", "invented key points removed", None),
    ("invented_dropped_prose", "INVENTED PROSE REMOVED (all)", "invented_prose_dropped"),
    ("true_kept_summary", "true summary sentences kept", None),
    ("true_kept_key_points", "true key points kept", None),
    ("true_kept_prose", "TRUE PROSE KEPT (all)", "true_prose_kept"),
    ("prose_spans", "PROSE SUPPORT SPANS VALID", "prose_spans"),
    ("omitted_recovered_figures", "OMITTED FIGURES RECOVERED", "omitted_figures_recovered"),
    ("omitted_recovered_quotes", "OMITTED QUOTES RECOVERED", "omitted_quotes_recovered"),
    ("verbatim_quotes", "OUTPUT QUOTES VERBATIM", "verbatim_quotes"),
    ("spans_correct", "SPANS CORRECT", "spans_correct"),
    ("status_ok", "records with status ok", None),
    ("rules_added_figures", "rules-added figures in gold (info)", None),
    ("rules_added_quotes", "rules-added quotes in gold (info)", None),
    ("rules_added_entities", "rules-added entities in gold (info)", None),
)


def metrics(sc: Scores) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, _label, target in _ROWS:
        t = sc.tallies.get(key, Tally())
        entry: dict[str, Any] = {"ok": t.ok, "total": t.total,
                                 "rate": None if t.rate is None else round(t.rate, 4)}
        if target:
            entry["target"] = TARGETS[target]
            entry["pass"] = t.rate is not None and t.rate >= TARGETS[target] - 1e-12
        out[key] = entry
    return out


def print_report(cases: list[Case], sc: Scores, timing: dict[str, Any] | None,
                 extra: dict[str, Any]) -> None:
    m = metrics(sc)
    print(f"grounding benchmark: {len(cases)} articles, seed {extra['seed']}, corpus "
          f"{extra['corpus']}")
    print(f"CLI run: {extra['cli_wall_s']:.1f}s wall, server completions "
          f"{extra['server'].get('completions')}, by answer file "
          f"{len(extra['server'].get('by_match', {}))} (rules echo: "
          f"{extra['server'].get('by_match', {}).get('<rules>', 0)})")
    print()
    print(f"{'metric':38} {'rate':>7} {'count':>11} {'target':>7}  result")
    print("-" * 74)
    for key, label, target in _ROWS:
        e = m[key]
        rate = "   n/a" if e["rate"] is None else f"{e['rate'] * 100:6.1f}%"
        tgt = f"{TARGETS[target] * 100:5.0f}%" if target else ""
        verdict = ("PASS" if e["pass"] else "FAIL") if target else ""
        print(f"{label:38} {rate:>7} {e['ok']:>5}/{e['total']:<5} {tgt:>7}  {verdict}")
    silent = sc.tallies.get("silent_drops", Tally()).total
    print("-" * 74)
    print(f"refused items missing from output but not listed in `dropped` (silent): {silent}")
    if timing:
        print(f"pipeline CPU per article outside the model call (rules + Locator + ground + "
              f"reconcile + prose, {timing['reps']} reps): median {timing['median_ms']:.2f} ms, "
              f"max "
              f"{timing['max_ms']:.2f} ms ({timing['max_article']}, "
              f"{timing['max_article_words']} words); words per article median "
              f"{timing['words_median']:g}, min {timing['words_min']}, max "
              f"{timing['words_max']}")
    for note in sc.notes:
        print(f"note: {note}")
    if extra.get("stderr_tail"):
        print("CLI stderr (tail):")
        for line in extra["stderr_tail"].splitlines()[-8:]:
            print(f"  {line}")
    print()
    print("per-article failures:")
    if not sc.failures:
        print("  none")
    for art_id in sorted(sc.failures):
        print(f"  {art_id}:")
        for msg in sc.failures[art_id]:
            print(f"    - {msg}")


def _labels(cases: list[Case]) -> Iterator[dict[str, Any]]:
    for case in cases:
        for it in case.items:
            row = {"article": case.art.id, "field": it.field, "label": it.label,
                   "item": it.data}
            if it.label == "contradicted":
                row["true_value"] = it.gold_value
            yield row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder with articles/*.txt and gold.jsonl "
                        f"(default {DEFAULT_CORPUS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the perturbations")
    parser.add_argument("--keep-dir", type=Path, default=None,
                        help="keep the answer files, labels.jsonl and output.jsonl here")
    parser.add_argument("--json", action="store_true", help="print machine-readable numbers")
    parser.add_argument("-j", "--jobs", type=int, default=8, help="CLI -j (default 8)")
    parser.add_argument("--reps", type=int, default=20, help="timing repetitions (default 20)")
    parser.add_argument("--no-timing", action="store_true", help="skip the CPU timing")
    args = parser.parse_args(argv)

    cases = [build_case(a, args.seed) for a in load_corpus(args.corpus)]
    if not cases:
        print(f"no articles with gold found under {args.corpus}", file=sys.stderr)
        return 0
    with contextlib.ExitStack() as stack:
        if args.keep_dir:
            work = args.keep_dir
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="grounding-eval-")))
        with (work / "labels.jsonl").open("w", encoding="utf-8") as fh:
            for row in _labels(cases):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        records, stats, stderr, wall = run_cli(cases, work, args.jobs)
    sc = score(cases, records)
    timing = None if args.no_timing else time_pipeline(cases, args.reps)
    tail = "\n".join(ln for ln in stderr.splitlines() if ln.strip())[-1500:]
    counts: dict[str, int] = {}
    for case in cases:
        for it in case.items:
            k = f"{it.label}_{it.field}"
            counts[k] = counts.get(k, 0) + 1
    extra = {"seed": args.seed, "corpus": str(args.corpus), "cli_wall_s": wall,
             "server": stats, "stderr_tail": tail if ("Traceback" in tail or "[exit" in tail)
             else ""}
    if args.json:
        out = {
            "articles": len(cases),
            "seed": args.seed,
            "labels": counts,
            "metrics": metrics(sc),
            "silent_drops": sc.tallies.get("silent_drops", Tally()).total,
            "all_pass": all(e.get("pass", True) for e in metrics(sc).values()),
            "timing": timing,
            "cli_wall_s": round(wall, 2),
            "server": stats,
            "notes": sc.notes,
            "failures": sc.failures,
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print_report(cases, sc, timing, extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
