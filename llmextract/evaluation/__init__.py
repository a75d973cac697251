"""`llmextract eval`: the quality of result records against a gold file (CONTRACT section 5).

    report = evaluate("out.jsonl", "gold.jsonl")   # or iterables of dicts / Result objects
    report.totals()["figures"].f1; report.format(details=True); report.to_dict()

Records join gold lines by `id`; figures, quotes and entities are matched one to one (greedy,
best overlap first). A gold line without a record scores as an empty prediction; a record
without a gold line is listed, not scored. The matching rules: README, "Measuring quality".
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from llmextract.errors import UsageError
from llmextract.evaluation.match import (
    ACCURACIES,
    FIGURE_OVERLAP,
    LIST_FIELDS,
    QUOTE_OVERLAP,
    entity_key,
    figure_overlap,
    match,
    overlap,
    quote_overlap,
    surname,
    value_ok,
    words,
)
from llmextract.schemas.reader import record_from_dict
from llmextract.schemas.record import Result

Source: TypeAlias = "str | Path | Iterable[Any]"

__all__ = ["Accuracy", "ArticleEval", "EvalInputError", "EvalReport", "FieldScore",
           "entity_key", "evaluate", "figure_overlap", "quote_overlap", "surname"]

class EvalInputError(UsageError):
    """A predictions or gold file that cannot be read; the message names the file and line."""


# --- Scores -----------------------------------------------------------------------------

def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class FieldScore:
    """Matched (tp), predicted but unmatched (fp) and gold but unmatched (fn) items."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: FieldScore) -> FieldScore:
        return FieldScore(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "predicted": self.tp + self.fp,
                "gold": self.tp + self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return _ratio(self.correct, self.total)

    def add(self, ok: bool) -> None:
        self.correct += ok
        self.total += 1

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": self.value}


@dataclass
class ArticleEval:
    """One article's scores; `misses` and `extras` hold the texts of unmatched gold and
    predicted items per field, `wrong` the mismatched speakers, types and metadata."""

    id: str
    status: str  # the record's status, or "missing" when the gold line has no record
    fields: dict[str, FieldScore] = field(default_factory=dict)
    accuracy: dict[str, Accuracy] = field(default_factory=dict)
    misses: dict[str, list[str]] = field(default_factory=dict)
    extras: dict[str, list[str]] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status,
                **{k: v.to_dict() for k, v in self.fields.items()},
                **{k: v.to_dict() for k, v in self.accuracy.items()},
                "misses": self.misses, "extras": self.extras, "wrong": self.wrong}


# --- Reading records and gold lines into one shape --------------------------------------

@dataclass
class _Items:
    status: str
    figures: list[tuple[str, float | None]]
    quotes: list[tuple[str, str | None]]
    entities: list[tuple[str, str | None]]
    published: str | None
    publisher: str | None
    title: str | None


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _texts(obj: dict[str, Any], name: str, key: str, extra: str) -> list[tuple[str, Any]]:
    raw = obj.get(name) or []
    if not isinstance(raw, list):
        raise ValueError(f"{name!r} is not a list")
    out = []
    for n, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get(key), str):
            raise ValueError(f"{name}[{n}] has no string {key!r}")
        value = item.get(extra)
        if extra == "value" and value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"figure {item[key]!r} has a value that is not a number: {value!r}")
        out.append((item[key], value))
    return out


def _items(obj: dict[str, Any], status: str) -> _Items:
    return _Items(status=status, figures=_texts(obj, "figures", "text", "value"),
                  quotes=[(t, _opt_str(s)) for t, s in _texts(obj, "quotes", "text", "speaker")],
                  entities=[(t, _opt_str(s)) for t, s in _texts(obj, "entities", "name", "type")],
                  published=_opt_str(obj.get("published")),
                  publisher=_opt_str(obj.get("publisher")), title=_opt_str(obj.get("title")))


def _from_object(obj: Any, gold: bool) -> tuple[str, _Items]:
    """(id, items) of a gold line, a result record (read by llmextract.schemas.reader,
    lenient about older versions) or a Result model."""
    if isinstance(obj, Result):
        return obj.id, _record_items(obj)
    if hasattr(obj, "model_dump"):
        obj = obj.model_dump(mode="json")
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    if not isinstance(obj.get("id"), (str, int)) or isinstance(obj.get("id"), bool):
        raise ValueError("no 'id'")
    key = str(obj["id"])
    if gold or "status" not in obj:  # a gold-shaped line (PRED may be a gold file too)
        return key, _items(obj, "gold" if gold else "ok")
    return key, _record_items(record_from_dict(obj))  # RecordError is a ValueError


def _record_items(result: Result) -> _Items:
    """The scored items of a result record, read through its typed fields."""
    s = result.summary
    if result.status == "error" or s is None:
        return _Items(result.status, [], [], [], None, None, None)
    return _Items(status=result.status, figures=[(f.text, f.value) for f in s.figures],
                  quotes=[(q.text, q.speaker) for q in s.quotes],
                  entities=[(e.name, e.type) for e in s.entities],
                  published=s.published.isoformat() if s.published else None,
                  publisher=s.publisher, title=s.title)


def _read_lines(path: Path) -> Iterator[tuple[str, Any]]:
    """(location, parsed object) per line of a JSONL file, or per element of a JSON array."""
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        text = sys.stdin.read() if name == "<stdin>" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalInputError(f"{name}: cannot read: {exc}") from None
    if text.lstrip().startswith("["):
        try:
            array = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EvalInputError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        for n, obj in enumerate(array):
            yield f"{name}: element {n}", obj
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield f"{name}:{lineno}", json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalInputError(f"{name}:{lineno}: not valid JSON: {exc.msg}") from None


def _load(source: Source, gold: bool, dups: list[str]) -> dict[str, _Items]:
    if isinstance(source, (str, Path)):
        objs: Iterable[tuple[str, Any]] = _read_lines(Path(source))
    else:
        what = "gold" if gold else "predictions"
        objs = ((f"<{what}>[{n}]", obj) for n, obj in enumerate(source))
    out: dict[str, _Items] = {}
    for where, obj in objs:
        try:
            key, items = _from_object(obj, gold)
        except ValueError as exc:
            raise EvalInputError(f"{where}: {exc}") from None
        if key in out:
            dups.append(f"{'gold' if gold else 'pred'} {key}")
            continue
        out[key] = items
    return out


# --- Scoring one article ----------------------------------------------------------------

def _score_list(ev: ArticleEval, name: str, pred: list[Any],
                gold: list[Any]) -> list[tuple[int, int]]:
    score = _entity_score(pred, gold) if name == "entities" else \
        _text_score(pred, gold, name == "figures")
    pairs = match(len(pred), len(gold), score)
    ev.fields[name] = FieldScore(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))
    got_p, got_g = {i for i, _ in pairs}, {j for _, j in pairs}
    ev.misses[name] = [g[0] for j, g in enumerate(gold) if j not in got_g]
    ev.extras[name] = [p[0] for i, p in enumerate(pred) if i not in got_p]
    return pairs


def _text_score(pred: list[tuple[str, Any]], gold: list[tuple[str, Any]], figures: bool,
                ) -> Callable[[int, int], float | None]:
    """Figures: overlap over the shorter text, values equal; quotes: over the longer text."""
    pw, gw = [words(t) for t, _ in pred], [words(t) for t, _ in gold]
    den, least = (min, FIGURE_OVERLAP) if figures else (max, QUOTE_OVERLAP)

    def score(i: int, j: int) -> float | None:
        s = overlap(pw[i], gw[j], den)
        ok = s >= least and (not figures or value_ok(pred[i][1], gold[j][1]))
        return s if ok else None
    return score


def _entity_score(pred: list[tuple[str, Any]], gold: list[tuple[str, Any]],
                  ) -> Callable[[int, int], float | None]:
    pk, gk = [entity_key(n) for n, _ in pred], [entity_key(n) for n, _ in gold]
    return lambda i, j: 1.0 if pk[i] and pk[i] == gk[j] else None


def _meta(ev: ArticleEval, name: str, pred: str | None, gold: str | None,
          norm: Callable[[str], object]) -> None:
    if gold is None:
        return
    ok = pred is not None and norm(pred) == norm(gold)
    ev.accuracy[name].add(ok)
    if not ok:
        ev.wrong.append(f"{name} {pred!r} (gold {gold!r})")


def _score_article(key: str, pred: _Items, gold: _Items) -> ArticleEval:
    ev = ArticleEval(id=key, status=pred.status,
                     accuracy={name: Accuracy() for name in ACCURACIES})
    _score_list(ev, "figures", pred.figures, gold.figures)
    for i, j in _score_list(ev, "quotes", pred.quotes, gold.quotes):
        (text, ps), gs = pred.quotes[i], gold.quotes[j][1]
        ok = surname(ps) == surname(gs)
        ev.accuracy["speaker"].add(ok)
        if not ok:
            ev.wrong.append(f"speaker {ps!r} (gold {gs!r}) of {_short(text)!r}")
    for i, j in _score_list(ev, "entities", pred.entities, gold.entities):
        ev.accuracy["entity_type"].add(pred.entities[i][1] == gold.entities[j][1])
    _meta(ev, "published", pred.published, gold.published, str.strip)
    _meta(ev, "publisher", pred.publisher, gold.publisher, entity_key)
    _meta(ev, "title", pred.title, gold.title, words)
    return ev


# --- The report -------------------------------------------------------------------------

def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


@dataclass
class EvalReport:
    """Scores per article (in gold order) plus the ids that could not be joined."""

    articles: list[ArticleEval]
    extra: list[str] = field(default_factory=list)  # record ids with no gold line
    missing: list[str] = field(default_factory=list)  # gold ids with no record
    duplicates: list[str] = field(default_factory=list)  # repeated ids (first one kept)

    def totals(self) -> dict[str, FieldScore]:
        return {n: sum((a.fields[n] for a in self.articles), FieldScore()) for n in LIST_FIELDS}

    def accuracies(self) -> dict[str, Accuracy]:
        return {n: sum((a.accuracy[n] for a in self.articles), Accuracy()) for n in ACCURACIES}

    def statuses(self) -> dict[str, int]:
        return dict(Counter(a.status for a in self.articles))

    def to_dict(self) -> dict[str, Any]:
        return {"articles_scored": len(self.articles), "statuses": self.statuses(),
                **{k: v.to_dict() for k, v in self.totals().items()},
                **{k: v.to_dict() for k, v in self.accuracies().items()},
                "records_without_gold": self.extra, "gold_without_record": self.missing,
                "duplicate_ids": self.duplicates,
                "articles": [a.to_dict() for a in self.articles]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def format(self, details: bool = False) -> str:
        """The human-readable table (and, with `details`, one row per article)."""
        lines = [f"{len(self.articles)} articles scored ("
                 + ", ".join(f"{k} {v}" for k, v in sorted(self.statuses().items())) + ")",
                 "", f"{'field':<10}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}"
                 f"{'recall':>8}{'F1':>8}"]
        for name, s in self.totals().items():
            lines.append(f"{name:<10}{s.tp:>6}{s.fp:>6}{s.fn:>6}{_fmt(s.precision):>11}"
                         f"{_fmt(s.recall):>8}{_fmt(s.f1):>8}")
        lines += ["", f"{'':<36}{'correct':>8}{'total':>7}{'accuracy':>10}"]
        for name, acc in self.accuracies().items():
            lines.append(f"{ACCURACIES[name]:<36}{acc.correct:>8}{acc.total:>7}"
                         f"{_fmt(acc.value):>10}")
        for label, ids in (("records without gold (not scored)", self.extra),
                           ("gold without record (scored as empty)", self.missing),
                           ("duplicate ids (first kept)", self.duplicates)):
            if ids:
                lines.append(f"{label}: {', '.join(ids)}")
        if details:
            lines += ["", *self._details()]
        return "\n".join(lines) + "\n"

    def _details(self) -> list[str]:
        head = f"{'id':<14}{'status':<9}{'figures':>10}{'quotes':>10}{'entities':>10}" \
               f"{'speaker':>9}{'date':>6}"
        lines = ["per article: TP/FP/FN of figures, quotes and entities; speakers right of "
                 "matched quotes; date ok, no or - (not in gold)", head]
        for a in self.articles:
            cells = ["/".join(str(x) for x in (s.tp, s.fp, s.fn)) for s in a.fields.values()]
            sp, date = a.accuracy["speaker"], a.accuracy["published"]
            mark = "-" if not date.total else ("ok" if date.correct else "no")
            lines.append(f"{a.id:<14}{a.status:<9}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}"
                         f"{f'{sp.correct}/{sp.total}':>9}{mark:>6}")
            for name, texts in a.misses.items():
                if texts:
                    lines.append(f"  missed {name}: " + "; ".join(_short(t) for t in texts))
            lines += [f"  wrong {w}" for w in a.wrong]
        return lines


def evaluate(pred: Source, gold: Source) -> EvalReport:
    """Score result records (`pred`: a JSONL or JSON-array file, `-` for standard input, or
    an iterable of record dicts / `Result` objects) against gold lines (a JSONL file or an
    iterable of dicts). Raises `EvalInputError` naming the file and line of a bad line."""
    dups: list[str] = []
    gold_items = _load(gold, True, dups)
    pred_items = _load(pred, False, dups)
    empty = _Items("missing", [], [], [], None, None, None)
    articles = [_score_article(key, pred_items.get(key, empty), g)
                for key, g in gold_items.items()]
    return EvalReport(articles=articles,
                      extra=[k for k in pred_items if k not in gold_items],
                      missing=[k for k in gold_items if k not in pred_items],
                      duplicates=dups)
