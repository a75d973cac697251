"""`llmextract summarize PATH... --ray [ADDRESS] --workers N [-o DIR]`: a batch on Ray Data
(the `ray` extra; docs/ray.md).

The driver lists the inputs (files, folders, JSONL files) into small rows: a file's path
(read by a worker, so on a multi-node cluster the files must be on a path every node sees)
or one JSONL line (its text travels in the row). `N` workers (`SummarizeBatch` actors) each
summarise batches with their own client, cache and pace. Records go to standard output,
or into `-o DIR` as JSONL (or Parquet) parts written by the workers. Exit status as
`summarize`: 0, 1 when some record has status "error", 2 usage, 130 interrupted.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmextract.config import Settings
from llmextract.errors import UsageError
from llmextract.read.article import STDIN
from llmextract.read.inputs import _iter_folder
from llmextract.run.batch import EXIT_ERRORS, EXIT_INTERRUPTED, EXIT_OK
from llmextract.run.ray_stage import (
    DEFAULT_BATCH_SIZE,
    FORWARDED_ENV,
    require_ray,
    summarize_dataset,
)

__all__ = ["RayOptions", "check_ray_options", "input_rows", "run_ray"]

RAY_FORMATS = ("jsonl", "parquet")


@dataclass(frozen=True)
class RayOptions:
    paths: list[str]
    address: str | None = None  # None: Ray's default (RAY_ADDRESS, a local cluster, or new)
    workers: int = 2
    output: str | None = None  # a folder (or URI: s3://...) of parts; None: standard output
    fmt: str = "jsonl"
    batch_size: int = DEFAULT_BATCH_SIZE
    num_cpus: float = 1.0  # CPUs Ray reserves for each worker


def check_ray_options(settings: Settings, opts: RayOptions, *, resume: bool = False) -> None:
    """What --ray cannot do, as usage errors before anything starts."""
    if opts.workers < 1:
        raise UsageError("--workers must be at least 1")
    if opts.fmt not in RAY_FORMATS:
        raise UsageError(f"--ray writes --format jsonl or parquet, not {opts.fmt}")
    if opts.fmt == "parquet" and opts.output is None:
        raise UsageError("--format parquet needs -o DIR (a folder of Parquet parts)")
    if opts.output is not None and "://" not in opts.output and os.path.isfile(opts.output):
        raise UsageError(f"with --ray, -o names a folder of parts: {opts.output} is a file")
    if resume:
        raise UsageError("--resume does not work with --ray: the cache serves the articles "
                         "already done (docs/ray.md)")
    if settings.record is not None or settings.replay is not None:
        raise UsageError("--record and --replay do not work with --ray (one cassette cannot "
                         "be shared by several workers)")
    if settings.web.feeds or settings.web.sitemaps:
        raise UsageError("--feed and --sitemap do not work with --ray")


def input_rows(paths: list[str]) -> Iterator[dict[str, Any]]:
    """The stage's input rows (`llmextract.run.ray_stage.row_article`) for `paths`: files
    and folders by path, JSONL files line by line, exactly as the single-process CLI
    would read them. Standard input, URLs and URL lists are usage errors here."""
    from llmextract.read.web.urls import is_url, looks_like_url_list

    for raw in paths:
        if raw == STDIN or (is_url(raw) and not os.path.lexists(raw)):
            raise UsageError(f"--ray reads files, folders and JSONL files, not {raw}")
        path = Path(raw)
        if path.is_dir():
            yield from (_file_row(p) for p in _iter_folder(path))
        elif path.suffix.lower() == ".jsonl":
            yield from _jsonl_rows(path)
        elif path.suffix.lower() in (".urls", ".csv", ".txt") and looks_like_url_list(path):
            raise UsageError(f"--ray does not fetch pages: {raw} is a list of URLs")
        else:
            yield _file_row(path)


def _file_row(path: Path) -> dict[str, Any]:
    # absolute for the worker (its working folder may differ), as given for the record
    return {"path": os.path.abspath(path), "input": str(path), "line": 0, "json": ""}


def _jsonl_rows(path: Path) -> Iterator[dict[str, Any]]:
    """One row per non-blank line, read as the single-process reader reads it."""
    where = os.path.abspath(path)
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    yield {"path": where, "input": str(path), "line": number, "json": line}
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _init(ray: Any, address: str | None) -> None:
    """Start or join the cluster; the model's key and endpoint travel as environment
    variables of the job (Ray's runtime_env), never inside the pickled settings."""
    env = {name: os.environ[name] for name in FORWARDED_ENV if os.environ.get(name)}
    kwargs: dict[str, Any] = {"runtime_env": {"env_vars": env}} if env else {}
    if address:
        kwargs["address"] = address
    try:
        ray.init(**kwargs)
    except ConnectionError as exc:
        raise UsageError(f"--ray {address or ''}: cannot reach the Ray cluster: {exc}") from None


def _to_stdout(out: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    write = sys.stdout.write
    for row in out.iter_rows():
        write(row["record"] + "\n")
        sys.stdout.flush()
        counts[row["status"]] += 1
    return counts


def _to_parts(out: Any, folder: str, fmt: str) -> tuple[Counter[str], int]:
    from llmextract.run.ray_sinks import sink_for

    # a local folder made absolute: the workers' working folder may differ
    sink = sink_for(folder if "://" in folder else os.path.abspath(folder), fmt)
    # Writing a part is light; reserving no CPU for it lets parts be written while the
    # workers hold the cluster's CPUs, instead of every record waiting in the object store
    # for the workers to finish.
    out.write_datasink(sink, ray_remote_args={"num_cpus": 0}, concurrency=1)
    return sink.counts, sink.parts


def run_ray(settings: Settings, opts: RayOptions, *, resume: bool = False) -> int:
    """Summarise every input on Ray; returns the exit status."""
    ray = require_ray()
    check_ray_options(settings, opts, resume=resume)
    rows = list(input_rows(opts.paths))
    if not rows:
        print("llmextract: no articles found in " + ", ".join(opts.paths)
              + " (looked for .txt, .md, .html and .jsonl files)", file=sys.stderr)
        return EXIT_OK
    started = time.monotonic()
    owned = not ray.is_initialized()  # a Python caller's own Ray session is left running
    if owned:
        _init(ray, opts.address)
    parts = 0
    try:
        # one block per batch, and at least one batch per worker
        blocks = min(len(rows), max(opts.workers, math.ceil(len(rows) / opts.batch_size)))
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
        out = summarize_dataset(ds, settings, workers=opts.workers,
                                batch_size=math.ceil(len(rows) / blocks),
                                num_cpus=opts.num_cpus)
        if opts.output is None:
            counts = _to_stdout(out)
        else:
            counts, parts = _to_parts(out, opts.output, opts.fmt)
    except KeyboardInterrupt:
        print("llmextract: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if owned:
            ray.shutdown()
    _report(counts, opts, parts, time.monotonic() - started)
    return EXIT_ERRORS if counts.get("error") else EXIT_OK


def _report(counts: Counter[str], opts: RayOptions, parts: int, seconds: float) -> None:
    total = sum(counts.values())
    by_status = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
    where = (f"; {parts} {opts.fmt} part{'s' if parts != 1 else ''} in {opts.output}"
             if opts.output is not None else "")
    print(f"llmextract: ray: {total} records ({by_status}) from {opts.workers} worker"
          f"{'s' if opts.workers != 1 else ''} in {seconds:.1f} s{where}", file=sys.stderr)
