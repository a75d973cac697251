"""The extractor as a Ray Data stage (the `ray` extra; docs/ray.md).

    import ray
    from llmextract.run.ray_stage import summarize_dataset

    ds = ray.data.read_parquet("articles/")            # rows with "id" and "text" (or "html")
    out = summarize_dataset(ds, workers=4, base_url="http://vllm:8000/v1", concurrency=16)
    out.write_parquet("results/")                       # rows: id, status, record (JSON)

`SummarizeBatch` is a callable class for `Dataset.map_batches`: Ray builds it once per
worker (an actor), so each worker has one `Extractor`: one model client, one result cache,
one pace and rate limiter. Its concurrency (`-j`) and `--rpm`/`--tpm` are per worker: the
cluster's totals are workers x limit.

Rows in (any of):
- `{"id", "text"}` (optional `input`: the record's `input`),
- `{"id", "html"}` (optional `url`, `input`; the `html` extra),
- `{"path", "input"}`: a file read on the worker exactly as the CLI reads it,
- `{"path", "input", "line", "json"}`: line `line` (from 1) of a JSONL file, its text in
  `json` (read on the driver); `line` 0 (or none) means the whole file at `path`.

Rows out: `id`, `status` and `record`, the record's JSON exactly as `summarize -o x.jsonl`
writes it (`Result.to_json`). A batch Ray runs again (its worker died) gives the same ids;
with a cache shared by the workers, articles finished before the death are served from it.

This module imports Ray only inside `summarize_dataset`: `SummarizeBatch` itself needs none.
"""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llmextract.config import Settings
from llmextract.errors import UsageError
from llmextract.extractor import Extractor
from llmextract.read.inputs import (
    Article,
    html_article,
    jsonl_article,
    read_text_article,
    text_article,
    text_id,
)
from llmextract.schemas.record import Result

__all__ = ["INSTALL_HINT", "OUTPUT_COLUMNS", "SummarizeBatch", "for_workers", "require_ray",
           "row_article", "summarize_dataset"]

INSTALL_HINT = "pip install 'llmextract[ray]'"
OUTPUT_COLUMNS = ("id", "status", "record")
# Environment variables a worker needs from the driver (the key never travels in Settings).
FORWARDED_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID")
# rows per batch: enough to keep a worker's requests in flight, small enough that a batch
# Ray runs again after a worker died repeats little work
DEFAULT_BATCH_SIZE = 128


def require_ray() -> Any:
    """`import ray`, or a usage error naming the extra to install."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise UsageError(f"--ray needs Ray Data ({exc.name or 'ray'} is not installed): "
                         f"{INSTALL_HINT}") from None
    return ray


def for_workers(settings: Settings) -> dict[str, Any]:
    """SummarizeBatch's constructor arguments for `settings`: the settings without the API
    key, which each worker reads from its own environment (`OPENAI_API_KEY`), so it is
    never pickled into Ray's task specifications."""
    return {"settings": dataclasses.replace(settings, api_key=None),
            "key_from_env": settings.api_key is not None}


def row_article(row: Mapping[str, Any], max_chars: int) -> Article:
    """The Article of one input row (see the module docstring for the row shapes)."""
    path, shown = row.get("path"), row.get("input")
    if path and row.get("line"):
        return jsonl_article(str(row["json"]), int(row["line"]), str(shown or path), max_chars)
    if path:
        return read_text_article(Path(str(path)), max_chars, display=str(shown or path))
    art_id = row.get("id")
    art_id = None if art_id is None else str(art_id)
    if row.get("text") is None and isinstance(row.get("html"), str):
        url = row.get("url")
        return html_article(art_id or text_id(row["html"]), shown, row["html"], max_chars,
                            url=url if isinstance(url, str) else None)
    text = row.get("text")
    if not isinstance(text, str):
        return Article(art_id or "row", shown, error='expected a row with a string "text" or '
                       '"html" (and an "id"), or a "path"')
    return text_article(text, max_chars, id=art_id, input=shown)


def _rows(batch: Any) -> list[dict[str, Any]]:
    """A Ray Data batch (pyarrow Table, pandas DataFrame or dict of arrays) as dicts."""
    if hasattr(batch, "to_pylist"):
        return list(batch.to_pylist())
    if hasattr(batch, "to_dict"):
        return list(batch.to_dict("records"))
    columns = {name: list(values) for name, values in batch.items()}
    size = len(next(iter(columns.values()), []))
    return [{name: values[i] for name, values in columns.items()} for i in range(size)]


class SummarizeBatch:
    """A Ray Data stage: `ds.map_batches(SummarizeBatch,
    fn_constructor_kwargs=for_workers(settings), compute=ray.data.ActorPoolStrategy(size=N),
    batch_format="pyarrow")` (or `summarize_dataset`, which does that).

    Built once per worker; every batch goes through the same `Extractor` (its client, cache
    and pace live as long as the worker). The output rows keep each batch's input order
    (across blocks Ray keeps the order only with
    `DataContext.execution_options.preserve_order`).
    """

    def __init__(self, settings: Settings | None = None, *, key_from_env: bool = False,
                 **options: Any) -> None:
        """`settings` (or keyword `options` for `Settings.resolve`, read on the worker);
        with `key_from_env` (the driver had a key), the API key is this worker's
        `OPENAI_API_KEY`."""
        if settings is None:
            settings = Settings.resolve(**options)
        elif key_from_env and settings.api_key is None:
            key = os.environ.get("OPENAI_API_KEY")
            if not key:
                raise UsageError("OPENAI_API_KEY is not set on this Ray worker: set it on "
                                 "every node, or pass it in the job's runtime_env env_vars")
            settings = dataclasses.replace(settings, api_key=key)
        self.settings = settings
        self.extractor = Extractor(settings=settings)
        # Ray gives each worker a process of its own: collect cycles less often, as the CLI
        # does for a batch (short-lived objects are freed by reference counting; the
        # default gen-0 threshold rescans them, ~10% of a worker's CPU)
        gc.set_threshold(100_000, 50, 100)

    def __call__(self, batch: Any) -> dict[str, list[str]]:
        max_chars = self.settings.max_chars
        articles = [row_article(row, max_chars) for row in _rows(batch)]
        results = _in_order(articles, self.extractor.summarize_many(articles))
        return {"id": [r.id for r in results], "status": [r.status for r in results],
                "record": [r.to_json() for r in results]}


def _in_order(articles: list[Article], results: Any) -> list[Result]:
    """Results (in completion order) put back in the order of their articles."""
    slots: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        slots.setdefault(article.id, []).append(index)
    ordered: list[Result | None] = [None] * len(articles)
    extra: list[Result] = []
    for result in results:
        free = slots.get(result.id)
        if free:
            ordered[free.pop(0)] = result
        else:  # an id the pipeline changed: keep it, at the end
            extra.append(result)
    return [r for r in ordered if r is not None] + extra


def summarize_dataset(ds: Any, settings: Settings | None = None, *, workers: int = 2,
                      batch_size: int = DEFAULT_BATCH_SIZE, num_cpus: float = 1.0,
                      **options: Any) -> Any:
    """`ds` (a `ray.data.Dataset` of input rows) mapped through `workers` SummarizeBatch
    actors: a Dataset of `id`, `status`, `record` rows (lazy, as Ray Data is; write it with
    `write_parquet`, `write_json`, or iterate it). `settings`, or `options` for
    `Settings.resolve` (resolved here, on the driver); each worker gets them without the API
    key and reads `OPENAI_API_KEY` from its own environment."""
    ray = require_ray()
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if settings is None:
        settings = Settings.resolve(**options)
    return ds.map_batches(
        SummarizeBatch, fn_constructor_kwargs=for_workers(settings),
        compute=ray.data.ActorPoolStrategy(size=workers), batch_size=batch_size,
        batch_format="pyarrow", num_cpus=num_cpus)
