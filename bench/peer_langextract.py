"""google/langextract over a folder of articles: the peer `bench/vs_bare.py --peers
langextract` compares llmextract with.

    python bench/peer_langextract.py DIR --base-url URL [-j 8] [--max-char-buffer 4000]
                                     [--batch-length B] [--out SUMMARY.json]

Run it with the python of langextract's own virtual environment (bench/peers.py makes
one); it imports nothing of llmextract. One `lx.extract(documents, ...)` call over every
DIR/*.txt (an iterable of Documents: langextract batches chunks across documents): model_id
"gpt-4o-mini" (its OpenAI provider) at `model_url` = --base-url with the key from
OPENAI_API_KEY, `max_char_buffer` = --max-char-buffer (langextract's default is 1,000
characters), `max_workers` = `batch_length` = -j (requests in flight, like llmextract's
-j; langextract warns when batch_length < max_workers; --batch-length sets a longer
batch: langextract infers a whole batch, then parses and aligns it, then starts the next),
and every other setting at its default: schema constraints on (a strict `json_schema`
built from the examples), fence_output unset (so raw JSON), JSON format, one extraction
pass, no context window, parse errors suppressed (a chunk that fails to parse is dropped
with a warning: counted here). The prompt asks for what llmextract's schema holds per
item (figures with value, unit, describes, qualifier, attributed_to; quotes with speaker;
entities with type) with one invented example; the example sentences are no article's.

Writes SUMMARY.json (and the same line to stderr): articles, extractions by class and by
alignment status, chunks omitted for parse errors, the langextract version. Exit status
0 when langextract returned every document, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import langextract as lx

PROMPT = """\
Extract from the news article, in order of appearance, using the article's exact words:
- figure: each newsworthy number, its phrase copied character for character (e.g. "around
  1,100 casualties", "$1.7 billion"). Attributes: value (the number as a plain numeral,
  "$1.7 billion" is 1700000000; null for ranges and scores), unit (unit or currency, e.g.
  USD, percent, people), describes (what is counted, in a few words), qualifier (exact,
  approximately, at_least, more_than, less_than or up_to), attributed_to (who states it,
  or null).
- quote: each direct quotation, copied exactly, without its quotation marks. Attribute:
  speaker (the person or body quoted, or null).
- entity: each main person, organisation or place, its name exactly as written.
  Attribute: type (person, organization, location or other).
Never paraphrase, never join two quotations, never invent a number or a name."""

EXAMPLE_TEXT = (
    "HARBOURTON, March 3 (Coastal Wire) - About 1,200 residents were moved after the river "
    "rose by 2.5 metres. \"We expect the water to fall by Friday,\" said Mara Quill, the "
    "town's emergency officer.")


def examples() -> list[lx.data.ExampleData]:
    """One invented example: every class and attribute, a whole and a decimal value (so
    the schema takes integers and numbers)."""
    def fig(text: str, value: float, unit: str, describes: str,
            qualifier: str) -> lx.data.Extraction:
        return lx.data.Extraction("figure", text, attributes={
            "value": value, "unit": unit, "describes": describes, "qualifier": qualifier,
            "attributed_to": None})

    return [lx.data.ExampleData(text=EXAMPLE_TEXT, extractions=[
        lx.data.Extraction("entity", "HARBOURTON", attributes={"type": "location"}),
        lx.data.Extraction("entity", "Coastal Wire", attributes={"type": "organization"}),
        fig("About 1,200 residents", 1200, "people", "residents moved", "approximately"),
        fig("2.5 metres", 2.5, "metres", "rise of the river", "exact"),
        lx.data.Extraction("quote", "We expect the water to fall by Friday,",
                           attributes={"speaker": "Mara Quill"}),
        lx.data.Extraction("entity", "Mara Quill", attributes={"type": "person"}),
    ])]


class _Omitted(logging.Filter):
    """Counts langextract's "Chunk omitted from results (parse error)" warnings."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "omitted" in record.getMessage():
            self.count += 1
            return self.count <= 3  # show the first few only
        return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("-j", "--jobs", type=int, default=8)
    parser.add_argument("--max-char-buffer", type=int, default=4000)
    parser.add_argument("--batch-length", type=int, default=0,
                        help="chunks per batch (default: -j)")
    parser.add_argument("--out", help="write the summary JSON here")
    args = parser.parse_args()
    omitted = _Omitted()
    logging.getLogger("absl").addFilter(omitted)
    paths = sorted(Path(args.dir).glob("*.txt"))
    documents = [lx.data.Document(text=p.read_text(encoding="utf-8"), document_id=p.stem)
                 for p in paths]
    started = time.perf_counter()
    results = lx.extract(
        documents, prompt_description=PROMPT, examples=examples(), model_id="gpt-4o-mini",
        api_key=os.environ.get("OPENAI_API_KEY", "sk-not-a-key"), model_url=args.base_url,
        max_char_buffer=args.max_char_buffer, max_workers=args.jobs,
        batch_length=args.batch_length or args.jobs, show_progress=False)
    annotated = list(results) if isinstance(results, list) else [results]
    classes: Counter[str] = Counter()
    status: Counter[str] = Counter()
    for doc in annotated:
        for ext in doc.extractions or []:
            classes[ext.extraction_class] += 1
            status[ext.alignment_status.value if ext.alignment_status else "none"] += 1
    summary = {"langextract": version("langextract"), "articles": len(paths),
               "documents": len(annotated), "extractions": dict(classes),
               "alignment": dict(status), "chunks_omitted": omitted.count,
               "max_char_buffer": args.max_char_buffer, "jobs": args.jobs,
               "batch_length": args.batch_length or args.jobs,
               "extract_s": round(time.perf_counter() - started, 3)}
    line = json.dumps(summary)
    print(line, file=sys.stderr)
    if args.out:
        Path(args.out).write_text(line + "\n", encoding="utf-8")
    return 0 if len(annotated) == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main())
