"""CPU time of the pipeline outside the model call, per ~600-word article.

For each of the project's test articles (tests/articles), padded to about 600 words with the
next article's paragraphs, time rules + grounding + reconciliation + the prose check of its
authored model answer (tests/answers), as the pipeline runs them after the model has
answered; the prose check (cleaning, sentence checks, support spans) is also timed alone.

    python bench/pipeline_cpu.py [--reps 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from llmextract.check.clean import clean_model
from llmextract.check.grounding import Locator, ground
from llmextract.check.prose import ArticleIndex, ground_summary
from llmextract.check.reconcile import reconcile
from llmextract.rules import RulesOutput, extract
from llmextract.schemas.news import ArticleSummary

ROOT = Path(__file__).resolve().parent.parent


def cases(target_words: int = 600) -> list[tuple[str, str, ArticleSummary]]:
    names = sorted(p.stem for p in (ROOT / "tests" / "answers").glob("*.json")
                   if (ROOT / "tests" / "articles" / f"{p.stem}.txt").exists())
    texts = {n: (ROOT / "tests" / "articles" / f"{n}.txt").read_text() for n in names}
    out = []
    for i, name in enumerate(names):
        text = texts[name]
        pad = texts[names[(i + 1) % len(names)]].split("\n\n")
        while len(text.split()) < target_words and pad:
            text += "\n\n" + pad.pop(0)
        answers = json.loads((ROOT / "tests" / "answers" / f"{name}.json").read_text())
        answer = ArticleSummary.model_validate(answers["answers"][-1])
        out.append((name, text, answer))
    return out


def once(text: str, answer: ArticleSummary) -> float:
    """The pipeline's CPU work for one answered article; returns the prose check's ms."""
    rules = extract(text, digest=False)  # as the pipeline: the model's prose is used
    loc = Locator(text)
    start = time.process_time()
    answer = clean_model(answer)
    prose_ms = time.process_time() - start
    grounded = ground(answer, text, loc,
                      quote_regions=[q.span for q in rules.summary.quotes if q.span],
                      figure_regions=[f.span for f in rules.summary.figures if f.span])
    summary, _, _ = reconcile(answer, grounded, rules, loc)
    return (prose_ms + prose_check(text, answer, rules, loc, summary.summary,
                                   summary.key_points)) * 1000


def prose_check(text: str, answer: ArticleSummary, rules: RulesOutput, loc: Locator,
                lead: str, points: list[str]) -> float:
    start = time.process_time()
    idx = ArticleIndex(loc, rules.sentences, rules.numbers)
    ground_summary(answer.summary, answer.key_points, idx, lambda: ("", []), (lead, points))
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=50)
    args = parser.parse_args()
    rows = []
    for name, text, answer in cases():
        once(text, answer)  # warm caches and regex compilation
        times, prose = [], []
        for _ in range(args.reps):
            start = time.process_time()
            prose.append(once(text, answer))
            times.append((time.process_time() - start) * 1000)
        rows.append((name, len(text.split()), statistics.median(times),
                     statistics.median(prose)))
        print(f"{name:<18} {rows[-1][1]:>5} words  {rows[-1][2]:6.2f} ms CPU, prose check "
              f"{rows[-1][3]:5.2f} ms (medians of {args.reps})")
    med = statistics.median(r[2] for r in rows)
    words = statistics.median(r[1] for r in rows)
    worst = max(r[2] for r in rows)
    print(f"median over articles: {med:.2f} ms CPU per article (~{words:.0f} words); "
          f"max {worst:.2f} ms; prose check median {statistics.median(r[3] for r in rows):.2f}"
          f" ms, max {max(r[3] for r in rows):.2f} ms")


if __name__ == "__main__":
    main()
