"""Collecting a job: the batches' output files downloaded, each answer checked and grounded
into a record like the online path's, answers that fail validation re-asked online (see
`BatchJob.collect`)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import BaseModel

from llmextract.errors import ModelError, ModelOutputError, ModelUnavailableError, UsageError
from llmextract.jobs.manifest import Part, write_atomic
from llmextract.jobs.remote import JobError, Remote, need_key, update_part
from llmextract.jobs.requests import parse_answer
from llmextract.pipeline.article import Fetched, Pipeline
from llmextract.pipeline.cache import ResultCache
from llmextract.read.inputs import Article
from llmextract.run.progress import RunStats
from llmextract.schemas.record import Result, Usage

if TYPE_CHECKING:
    from llmextract.jobs.job import BatchJob

REASK = ("online", "none")


@dataclass
class CollectReport:
    written: int = 0
    skipped: int = 0  # already in the output (--resume)
    pending: list[str] = field(default_factory=list)  # parts not finished yet
    missing: int = 0  # requests without an answer in --from files
    unknown: list[str] = field(default_factory=list)  # custom_ids no part holds
    reasked: int = 0
    stats: RunStats = field(default_factory=RunStats)



def download(job: BatchJob) -> None:
    todo = [p for p in job.manifest.parts if p.batch_id and not p.local]
    if not todo:
        return
    remote: Remote | None = None
    try:
        for part in todo:
            if not part.finished:
                if remote is None:
                    need_key(job.settings)
                    remote = Remote(job.settings)
                assert part.batch_id is not None
                update_part(part, remote.retrieve(part.batch_id))
                job.manifest.save()
            if not part.finished:
                continue
            for file_id, name in ((part.output_file_id, part.output),
                                  (part.error_file_id, part.errors)):
                target = job.folder / name
                if file_id is None or target.exists():
                    continue
                if remote is None:
                    need_key(job.settings)
                    remote = Remote(job.settings)
                write_atomic(target, remote.content(file_id))
    finally:
        if remote is not None:
            remote.close()


async def collect_all(job: BatchJob, stream: IO[str] | None, skip: set[str], reask: str,
                      sources: list[Path] | None,
                      on_result: Callable[[Result], None] | None) -> CollectReport:
    report = CollectReport(skipped=len(skip))
    pipeline, cache = job._pipeline()
    client = pipeline.client
    written: set[str] = set(skip)
    owned: set[str] = set()
    lines: dict[str, dict[str, Any]] = {}
    if sources is not None:
        for source in sources:
            read_lines(source, lines)

    def emit(result: Result) -> None:
        if result.id in written:
            return
        written.add(result.id)
        if stream is not None:
            stream.write(result.to_json() + "\n")  # one whole line per write
            stream.flush()
        report.written += 1
        report.stats.add(result)
        if on_result is not None:
            on_result(result)

    try:
        for part in job.manifest.parts:
            if part.local:
                for row in rows(job.folder / part.records):
                    owned.add(row["custom_id"])
                    if row["record"]["id"] not in written:
                        emit(Result.model_validate(row["record"]))
                continue
            if sources is None and not part.finished:
                report.pending.append(part.name)
                for row in rows(job.folder / part.articles):
                    owned.add(row["custom_id"])
                continue
            here = lines
            if sources is None:
                here = {}
                for name in (part.output, part.errors):
                    if (job.folder / name).exists():
                        read_lines(job.folder / name, here)
            await collect_part(job, part, here, pipeline, reask, written, owned, emit,
                                     report, cache, sources is not None)
            if sources is None:
                report.unknown.extend(sorted(set(here) - owned))
        if sources is not None:
            report.unknown.extend(sorted(set(lines) - owned))
    finally:
        if client is not None:
            await client.aclose()
        if cache is not None:
            cache.close()
    return report


async def collect_part(job: BatchJob, part: Part, lines: dict[str, dict[str, Any]],
                       pipeline: Pipeline, reask: str, written: set[str],
                       owned: set[str], emit: Callable[[Result], None],
                       report: CollectReport, cache: ResultCache | None,
                       offline: bool) -> None:
    requests: dict[str, dict[str, Any]] | None = None
    again: list[tuple[Fetched, list[dict[str, Any]] | None, Usage, str]] = []
    form = job.settings.mode
    rm = response_model(job.schema)
    for row in rows(job.folder / part.articles):
        cid = row["custom_id"]
        owned.add(cid)
        if row["id"] in written:
            continue
        article = Article(id=row["id"], input=row.get("input"), text=row["text"],
                          warnings=tuple(row.get("warnings") or ()), meta=row.get("meta"))
        fetched = Fetched(article, time.perf_counter())
        if cache is not None:  # the cache key, for the record once it is made
            pipeline.prefetch(fetched)
            fetched.result = None  # the answer is here: a cached record is not used
        line = lines.get(cid)
        if line is None:
            if offline:
                report.missing += 1
                continue
            fetched.failure = ModelUnavailableError(absent(part), attempts=0)
            emit(pipeline.finish(fetched))
            continue
        body, failure = body_of(line, part)
        if body is None:
            fetched.failure = ModelUnavailableError(failure or "no answer", attempts=1,
                                                    usage=Usage(requests=1))
            emit(pipeline.finish(fetched))
            continue
        parsed = parse_answer(body, None, form, rm, job.schema,  # type: ignore[arg-type]
                              job.settings.model)
        if parsed.answer is not None:
            fetched.answer = parsed.answer
            emit(pipeline.finish(fetched))
            continue
        where = f"batch {part.batch_id or part.name}"
        if reask == "none":
            fetched.failure = ModelOutputError(
                f"{parsed.error} (in {where}; not re-asked: --reask none)", attempts=1,
                usage=parsed.usage)
            emit(pipeline.finish(fetched))
            continue
        if requests is None:
            requests = {r["custom_id"]: r["body"] for r in rows(job.folder / part.requests)}
        again_parsed = parse_answer(body, requests.get(cid), form, rm,  # type: ignore[arg-type]
                                    job.schema, job.settings.model)
        again.append((fetched, again_parsed.reask, parsed.usage or Usage(),
                      f"{parsed.error} in {where}"))
    if again:
        report.reasked += len(again)
        await reask_online(job, again, pipeline, emit)


async def reask_online(job: BatchJob,
                       again: list[tuple[Fetched, list[dict[str, Any]] | None, Usage, str]],
                       pipeline: Pipeline, emit: Callable[[Result], None]) -> None:
    """Answers that failed validation, asked again online: with instructor's re-ask
    messages after the batch answer (the request the online path's second attempt
    sends), or afresh when the answer could not be re-asked (truncated, no tool call)."""
    client = pipeline.client
    assert client is not None
    gate = asyncio.Semaphore(job.settings.max_in_flight)

    async def one(fetched: Fetched, followup: list[dict[str, Any]] | None,
                  spent: Usage, why: str) -> Fetched:
        async with gate:
            text = fetched.article.text or ""
            try:
                answer = await client.extract(text, followup)
                fetched.answer = dataclasses.replace(answer, usage=answer.usage + spent)
            except ModelError as exc:
                exc.usage = (exc.usage or Usage(requests=exc.attempts)) + spent
                exc.args = (f"{exc} (re-asked online after: {why})",)
                fetched.failure = exc
            return fetched

    tasks = [asyncio.create_task(one(*item)) for item in again]
    for task in asyncio.as_completed(tasks):
        emit(pipeline.finish(await task))



def response_model(schema: type[BaseModel]) -> type[BaseModel]:
    import instructor

    return instructor.openai_schema(schema)



def absent(part: Part) -> str:
    bid = f"batch {part.batch_id}" if part.batch_id else part.name
    status = part.status or part.state
    if status == "expired":
        return f"{bid} expired before this request ran (the 24h window passed)"
    if status == "failed":
        return f"{bid} failed" + (f": {part.message}" if part.message else "")
    if status in ("cancelled", "cancelling") or part.state == "cancelled":
        return f"{bid} was cancelled before this request ran"
    return f"{bid} ({status}) gave no answer for this request"


def body_of(line: dict[str, Any], part: Part) -> tuple[dict[str, Any] | None, str | None]:
    """An output line's chat.completion, or why there is none."""
    bid = f"batch {part.batch_id}" if part.batch_id else part.name
    error = line.get("error")
    response = line.get("response")
    if error:
        message = error.get("message") if isinstance(error, dict) else str(error)
        code = error.get("code") if isinstance(error, dict) else None
        return None, f"{bid}: the request failed" + (f" ({code})" if code else "") + (
            f": {message}" if message else "")
    if not isinstance(response, dict):
        return None, f"{bid}: the output line has no response"
    status = response.get("status_code")
    body = response.get("body")
    if status != 200 or not isinstance(body, dict):
        reason = ""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            reason = str(body["error"].get("message") or "")
        return None, f"{bid}: the request failed: HTTP {status}" + (
            f": {reason}" if reason else "")
    return body, None



def rows(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                yield json.loads(raw)



def read_lines(path: Path, into: dict[str, dict[str, Any]]) -> None:
    """Output or error lines by custom_id (the first line of an id wins; order is not
    guaranteed by any provider)."""
    try:
        fh = open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                cid = str(line["custom_id"])
            except (ValueError, KeyError, TypeError):
                raise JobError(f"{path}, line {n}: not a Batch API output line (no "
                               "custom_id); is this the output of a batch?") from None
            into.setdefault(cid, line)
