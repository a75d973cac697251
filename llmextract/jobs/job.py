"""`BatchJob`: submit articles to a provider's Batch API, follow them, collect the records.

    job = BatchJob.submit(["articles/"], "jobs/nightly", model="gpt-4o-mini")
    job.wait()                                   # or BatchJob.open(folder).status()
    report = job.collect("results.jsonl")

A job lives in one folder (JOBDIR): `manifest.json` (see `manifest`), and per part
`part-NNNN.requests.jsonl` (what is uploaded), `part-NNNN.articles.jsonl` (custom_id, id,
input, text: what collect needs to ground the answers), then the downloaded
`part-NNNN.output.jsonl` / `part-NNNN.errors.jsonl`. Articles served from the result cache
and unreadable inputs get their records at submit time, in a `local` part
(`part-NNNN.records.jsonl`): they are never submitted, and collect writes them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from llmextract import __version__
from llmextract.call.cassette import use_cassette
from llmextract.call.prompts import Prompt, load_prompt
from llmextract.config import Settings, default_cache_dir
from llmextract.errors import ModelError, ModelOutputError, ModelUnavailableError, UsageError
from llmextract.jobs.manifest import Manifest, Part, write_atomic
from llmextract.jobs.remote import JobError, Remote, describe, is_final
from llmextract.jobs.requests import BATCH_FORMS, RequestBuilder, custom_id, parse_answer
from llmextract.pipeline.article import Fetched, Pipeline
from llmextract.pipeline.cache import ResultCache
from llmextract.read.inputs import Article
from llmextract.run.progress import RunStats
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Result, Usage
from llmextract.schemas.user import schema_hash_of

__all__ = ["MAX_FILE_BYTES", "MAX_FILE_REQUESTS", "BatchJob", "CollectReport", "PartStatus"]

MAX_FILE_REQUESTS = 50_000
MAX_FILE_BYTES = 200 * 1024 * 1024
REASK = ("online", "none")
_KEPT = ("model", "base_url", "mode", "max_tokens", "temperature", "max_chars",
         "max_reasks", "max_transport_retries", "timeout", "include_text")


def _say(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One llmextract at a time works on a job folder (the lock dies with its process)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"another llmextract is working on {folder}: wait for it to "
                             "finish (or stop it), then run this again") from None
        yield
    finally:
        os.close(fd)


@dataclass
class PartStatus:
    name: str
    state: str
    status: str | None
    batch_id: str | None
    counts: dict[str, int] | None
    requests: int

    def line(self) -> str:
        counts = self.counts or {}
        done = f"{counts.get('completed', 0)}/{counts.get('total', self.requests)} done"
        if counts.get("failed"):
            done += f", {counts['failed']} failed"
        what = self.status or self.state
        return f"{self.name}  {self.batch_id or '-':<24} {what:<12} {done}"


@dataclass
class CollectReport:
    written: int = 0
    skipped: int = 0  # already in the output (--resume)
    pending: list[str] = field(default_factory=list)  # parts not finished yet
    missing: int = 0  # requests without an answer in --from files
    unknown: list[str] = field(default_factory=list)  # custom_ids no part holds
    reasked: int = 0
    stats: RunStats = field(default_factory=RunStats)


class BatchJob:
    """One job folder. Build with `submit` or `open`."""

    def __init__(self, manifest: Manifest, settings: Settings, prompt: Prompt,
                 schema: type[BaseModel] = ArticleSummary) -> None:
        self.manifest = manifest
        self.folder = manifest.folder
        self.settings = settings
        self.prompt = prompt
        self.schema = schema

    # -- opening --------------------------------------------------------------------------
    @staticmethod
    def batch_settings(settings: Settings) -> Settings:
        """The settings a batch runs with: an explicit form (`auto` means tools: nothing
        can be learned offline), never the user-schema path."""
        if settings.custom_schema:
            raise UsageError("batch jobs summarise into the news ArticleSummary; --schema is "
                             "not supported by `llmextract batch` yet (use summarize)")
        mode = "tools" if settings.mode == "auto" else settings.mode
        if mode not in BATCH_FORMS:
            raise UsageError(f"--mode {settings.mode} cannot be used in a batch: use tools "
                             "(the default) or json_schema")
        return dataclasses.replace(settings, mode=mode)

    @classmethod
    def open(cls, folder: str | os.PathLike[str], *, base_url: str | None = None,
             settings: Settings | None = None, **options: Any) -> BatchJob:
        """The job in `folder`, with the endpoint, model and options recorded there (the key
        from the environment; `base_url` overrides the recorded endpoint)."""
        path = Path(folder)
        manifest = Manifest.load(path)
        kept = {k: v for k, v in manifest.settings.items() if k in _KEPT}
        kept["base_url"] = base_url or manifest.endpoint
        if settings is not None:
            options = {"api_key": settings.api_key, "cache_dir": settings.cache_dir,
                       "use_cache": settings.use_cache, "record": settings.record,
                       "replay": settings.replay, "concurrency": settings.concurrency,
                       **options}
        resolved = Settings.resolve(**{**kept, **options})
        prompt = load_prompt("summarize")
        if manifest.settings.get("prompt_sha256") not in (None, prompt.sha256):
            _say(f"llmextract: warning: the prompt changed since {path} was submitted; "
                 "records name the prompt of this version")
        return cls(manifest, resolved, prompt)

    @classmethod
    def submit(cls, items: Iterable[Any], folder: str | os.PathLike[str], *,
               settings: Settings | None = None, export_only: bool = False,
               max_requests: int = MAX_FILE_REQUESTS, max_bytes: int = MAX_FILE_BYTES,
               on_note: Callable[[str], None] = _say, **options: Any) -> BatchJob:
        """Write request files for `items` (paths, texts, {"id", "text"} or Articles) into
        `folder`, then upload them and create one batch per file (unless `export_only`).
        Run again with the same inputs: nothing already in the folder is submitted twice,
        and unfinished uploads and creations are taken up where they stopped."""
        if settings is None:
            settings = Settings.resolve(**options)
        settings = cls.batch_settings(settings)
        if not export_only:
            _need_key(settings)
        path = Path(folder)
        prompt = load_prompt("summarize")
        with _locked(path):
            manifest = cls._manifest_for(path, settings, prompt, export_only)
            job = cls(manifest, settings, prompt)
            with use_cassette(record=settings.record, replay=settings.replay):
                added = asyncio.run(job._write_parts(items, max_requests, max_bytes))
                if added:
                    on_note(f"llmextract: {added} new request{'s' if added != 1 else ''} "
                            f"in {path}")
                elif not export_only:
                    on_note(f"llmextract: no new articles: everything is already in {path}")
                if not export_only:
                    job._send_parts(on_note)
        return job

    @classmethod
    def _manifest_for(cls, path: Path, settings: Settings, prompt: Prompt,
                      export_only: bool) -> Manifest:
        wanted = {k: getattr(settings, k) for k in _KEPT if k != "base_url"}
        wanted["max_tokens"] = settings.max_tokens or _max_tokens(settings)
        wanted.update(prompt=prompt.id, prompt_sha256=prompt.sha256,
                      schema_hash=schema_hash_of(ArticleSummary))
        if Manifest.exists(path):
            manifest = Manifest.load(path)
            diff = [k for k, v in wanted.items()
                    if manifest.settings.get(k, v) != v and k not in ("include_text",)]
            if manifest.endpoint != settings.base_url:
                diff.append("base_url")
            if diff:
                was = ", ".join(f"{k}={manifest.settings.get(k, manifest.endpoint)!r}"
                                for k in diff)
                raise UsageError(f"{path} holds a job with other options ({was}): submit "
                                 "these with the same options, or into a new --dir")
            if manifest.export_only and not export_only:
                manifest.export_only = False
            return manifest
        if path.exists() and any(p.name != ".lock" for p in path.iterdir()):
            raise UsageError(f"{path} is not empty and holds no batch job (no manifest.json):"
                             " choose a new or empty --dir")
        manifest = Manifest(folder=path, model=settings.model, endpoint=settings.base_url,
                            mode=settings.mode, max_tokens=int(wanted["max_tokens"]),
                            settings=wanted, export_only=export_only)
        manifest.save()
        return manifest

    # -- writing the request files ------------------------------------------------------
    def _known(self) -> set[str]:
        known: set[str] = set()
        for part in self.manifest.parts:
            name = part.records if part.local else part.articles
            with contextlib.suppress(FileNotFoundError), open(self.folder / name, "rb") as fh:
                for raw in fh:
                    known.add(json.loads(raw)["custom_id"])
        return known

    def _pipeline(self, client: Any = None) -> tuple[Pipeline, ResultCache | None]:
        s = self.settings
        cache = None
        if s.cache_enabled:
            cache = ResultCache(s.cache_dir or default_cache_dir(os.environ))
        if client is None:
            from llmextract.call.client import LazyModelClient

            client = LazyModelClient(s, self.prompt, self.schema)
        return Pipeline(s, self.prompt, client, cache), cache

    async def _write_parts(self, items: Iterable[Any], max_requests: int,
                           max_bytes: int) -> int:
        from llmextract.extractor import _as_articles

        known = self._known()
        pipeline, cache = self._pipeline()
        builder = RequestBuilder(self.settings, self.prompt, self.schema)
        writer = _PartWriter(self, max_requests, max_bytes)
        added = 0
        try:
            for article in _as_articles(items, self.settings.max_chars):
                text = article.text if article.text is not None else (article.error or "")
                cid = custom_id(article.id, text)
                if cid in known:
                    continue
                known.add(cid)
                fetched = Fetched(article, time.perf_counter())
                if not pipeline.prefetch(fetched) or article.text is None:
                    writer.local(cid, pipeline.finish(fetched))
                    continue
                line = await builder.line(cid, article.text)
                writer.request(cid, article, line)
                added += 1
            writer.close()
        finally:
            writer.abandon()
            await builder.aclose()
            if cache is not None:
                cache.close()
        return added

    # -- sending -------------------------------------------------------------------------
    def _send_parts(self, on_note: Callable[[str], None]) -> None:
        todo = [p for p in self.manifest.parts
                if p.state in ("written", "uploading", "uploaded", "creating")]
        if not todo:
            return
        remote = Remote(self.settings)
        try:
            for part in todo:
                self._send(remote, part)
                on_note(f"llmextract: {part.name}: batch {part.batch_id} ({part.count} "
                        f"request{'s' if part.count != 1 else ''}) {part.status}")
        finally:
            remote.close()

    def _send(self, remote: Remote, part: Part) -> None:
        m = self.manifest
        if part.state in ("written", "uploading"):
            data = (self.folder / part.requests).read_bytes()
            found = remote.find_file(part.upload_name, len(data)) if (
                part.state == "uploading") else None
            if found is None:
                part.state = "uploading"
                m.save()
                try:
                    found = remote.upload(part.upload_name, data)
                except Exception as exc:
                    part.state = "written" if is_final(exc) else "uploading"
                    part.message = describe(exc, self.settings)
                    m.save()
                    size = f"{len(data) / 1e6:.1f} MB, {part.count} requests"
                    hint = ("lower the part size (--max-file-mb / --max-file-requests) and "
                            "submit into a new --dir" if getattr(exc, "status_code", 0) == 413
                            else "fix that, then run the same submit again (nothing "
                                 "already uploaded is sent twice)")
                    raise JobError(f"{part.name} ({self.folder / part.requests}, {size}): "
                                   f"upload failed: {part.message}; {hint}") from exc
            part.file_id, part.state, part.message = found, "uploaded", None
            m.save()
        if part.state in ("uploaded", "creating"):
            assert part.file_id is not None
            batch = remote.find_batch(part.file_id) if part.state == "creating" else None
            tries = 0
            while batch is None:
                part.state = "creating"
                m.save()
                try:
                    batch = remote.create(part.file_id, {
                        "llmextract": __version__, "part": part.name})
                except Exception as exc:
                    tries += 1
                    part.message = describe(exc, self.settings)
                    m.save()
                    if is_final(exc) or tries >= remote.attempts:
                        raise JobError(
                            f"{part.name} (file {part.file_id}): creating its batch failed: "
                            f"{part.message}; run the same submit again: the file is not "
                            "uploaded again, and a batch the server made anyway is found"
                        ) from exc
                    time.sleep(remote.pause * 2 ** (tries - 1))
                    batch = remote.find_batch(part.file_id)
            part.batch_id, part.state, part.message = str(batch.id), "submitted", None
            _update(part, batch)
            m.save()

    # -- status and cancel ----------------------------------------------------------------
    def status(self, refresh: bool = True) -> list[PartStatus]:
        """Each part's batch state and request counts (asked from the server unless
        `refresh` is False)."""
        if refresh:
            self.refresh()
        return [PartStatus(p.name, p.state, p.status, p.batch_id, p.request_counts, p.count)
                for p in self.manifest.parts if not p.local]

    def refresh(self) -> None:
        todo = [p for p in self.manifest.parts if p.batch_id and not p.finished]
        if not todo:
            return
        _need_key(self.settings)
        with use_cassette(record=self.settings.record, replay=self.settings.replay):
            remote = Remote(self.settings)
            try:
                for part in todo:
                    assert part.batch_id is not None
                    _update(part, remote.retrieve(part.batch_id))
            finally:
                remote.close()
        with _locked(self.folder):
            self._merge_save()

    def _merge_save(self) -> None:
        """Save remote states without undoing what another process recorded meanwhile."""
        try:
            current = Manifest.load(self.folder)
        except UsageError:
            current = self.manifest
        mine = {p.name: p for p in self.manifest.parts}
        for part in current.parts:
            if part.name in mine and mine[part.name].batch_id == part.batch_id:
                new = mine[part.name]
                part.status, part.request_counts = new.status, new.request_counts
                part.output_file_id, part.error_file_id = new.output_file_id, new.error_file_id
                part.message = new.message or part.message
                if new.state == "cancelled":
                    part.state = "cancelled"
        current.save()
        self.manifest = current

    @property
    def done(self) -> bool:
        return all(p.finished for p in self.manifest.parts if not self.manifest.export_only)

    def wait(self, poll: float = 5.0, cap: float = 60.0, timeout: float | None = None,
             on_status: Callable[[list[PartStatus]], None] | None = None) -> list[PartStatus]:
        """Poll until every batch is finished (completed, failed, expired or cancelled),
        waiting `poll` seconds at first and 1.5 times longer each time, at most `cap`."""
        if any(p.state in ("written", "uploading", "uploaded", "creating")
               for p in self.manifest.parts):
            raise UsageError(f"some parts of {self.folder} were never submitted: run "
                             "`llmextract batch submit` again with the same inputs first")
        start, delay = time.monotonic(), poll
        while True:
            states = self.status()
            if on_status is not None:
                on_status(states)
            if self.done:
                return states
            if timeout is not None and time.monotonic() - start + delay > timeout:
                return states
            time.sleep(delay)
            delay = min(cap, delay * 1.5)

    def cancel(self) -> list[PartStatus]:
        """Cancel every batch not finished; parts never created are marked cancelled."""
        with _locked(self.folder):
            self.manifest = Manifest.load(self.folder)
            remote = None
            try:
                for part in self.manifest.parts:
                    if part.finished:
                        continue
                    if part.batch_id is None:
                        part.state = "cancelled"
                        continue
                    if remote is None:
                        _need_key(self.settings)
                        remote = Remote(self.settings)
                    _update(part, remote.cancel(part.batch_id))
                    self.manifest.save()
            finally:
                self.manifest.save()
                if remote is not None:
                    remote.close()
        return self.status(refresh=False)

    # -- collecting ------------------------------------------------------------------------
    def collect(self, output: str | os.PathLike[str] | IO[str] | None = None, *,
                resume: bool = False, reask: str = "online",
                sources: list[Path] | None = None,
                on_result: Callable[[Result], None] | None = None) -> CollectReport:
        """Write one record per article of every finished batch into `output` (a path or a
        text stream; None: only `on_result`). `resume`: skip the ids already in `output`
        and append. `reask`: "online" asks answers that fail validation again through the
        online API; "none" leaves them to the rules (status fallback). `sources`: read
        answers from these local output files instead of the server (`--from`)."""
        if reask not in REASK:
            raise UsageError("--reask must be online or none")
        from llmextract.run.resume import done_ids

        path = None if output is None or hasattr(output, "write") else Path(output)
        skip: set[str] = done_ids(path) if (resume and path is not None) else set()
        if resume and path is None and output is not None:
            raise UsageError("--resume needs -o OUT: the file whose records are skipped")
        with _locked(self.folder):
            self.manifest = Manifest.load(self.folder)
            if sources is None:
                with use_cassette(record=self.settings.record, replay=self.settings.replay):
                    self._download()
            stream: IO[str] | None
            if path is not None:
                stream = open(path, "a" if resume else "w", encoding="utf-8")  # noqa: SIM115
            else:
                stream = output  # type: ignore[assignment]
            try:
                with use_cassette(record=self.settings.record, replay=self.settings.replay):
                    return asyncio.run(self._collect(stream, skip, reask, sources, on_result))
            finally:
                if path is not None and stream is not None:
                    stream.close()

    def _download(self) -> None:
        todo = [p for p in self.manifest.parts if p.batch_id and not p.local]
        if not todo:
            return
        remote: Remote | None = None
        try:
            for part in todo:
                if not part.finished:
                    if remote is None:
                        _need_key(self.settings)
                        remote = Remote(self.settings)
                    assert part.batch_id is not None
                    _update(part, remote.retrieve(part.batch_id))
                    self.manifest.save()
                if not part.finished:
                    continue
                for file_id, name in ((part.output_file_id, part.output),
                                      (part.error_file_id, part.errors)):
                    target = self.folder / name
                    if file_id is None or target.exists():
                        continue
                    if remote is None:
                        _need_key(self.settings)
                        remote = Remote(self.settings)
                    write_atomic(target, remote.content(file_id))
        finally:
            if remote is not None:
                remote.close()

    async def _collect(self, stream: IO[str] | None, skip: set[str], reask: str,
                       sources: list[Path] | None,
                       on_result: Callable[[Result], None] | None) -> CollectReport:
        report = CollectReport(skipped=len(skip))
        pipeline, cache = self._pipeline()
        client = pipeline.client
        written: set[str] = set(skip)
        owned: set[str] = set()
        lines: dict[str, dict[str, Any]] = {}
        if sources is not None:
            for source in sources:
                _read_lines(source, lines)

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
            for part in self.manifest.parts:
                if part.local:
                    for row in _rows(self.folder / part.records):
                        owned.add(row["custom_id"])
                        if row["record"]["id"] not in written:
                            emit(Result.model_validate(row["record"]))
                    continue
                if sources is None and not part.finished:
                    report.pending.append(part.name)
                    for row in _rows(self.folder / part.articles):
                        owned.add(row["custom_id"])
                    continue
                here = lines
                if sources is None:
                    here = {}
                    for name in (part.output, part.errors):
                        if (self.folder / name).exists():
                            _read_lines(self.folder / name, here)
                await self._collect_part(part, here, pipeline, reask, written, owned, emit,
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

    async def _collect_part(self, part: Part, lines: dict[str, dict[str, Any]],
                            pipeline: Pipeline, reask: str, written: set[str],
                            owned: set[str], emit: Callable[[Result], None],
                            report: CollectReport, cache: ResultCache | None,
                            offline: bool) -> None:
        requests: dict[str, dict[str, Any]] | None = None
        again: list[tuple[Fetched, list[dict[str, Any]] | None, Usage, str]] = []
        form = self.settings.mode
        rm = _response_model(self.schema)
        for row in _rows(self.folder / part.articles):
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
                fetched.failure = ModelUnavailableError(_absent(part), attempts=0)
                emit(pipeline.finish(fetched))
                continue
            body, failure = _body_of(line, part)
            if body is None:
                fetched.failure = ModelUnavailableError(failure or "no answer", attempts=1,
                                                        usage=Usage(requests=1))
                emit(pipeline.finish(fetched))
                continue
            parsed = parse_answer(body, None, form, rm, self.schema,  # type: ignore[arg-type]
                                  self.settings.model)
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
                requests = {r["custom_id"]: r["body"] for r in _rows(self.folder / part.requests)}
            again_parsed = parse_answer(body, requests.get(cid), form, rm,  # type: ignore[arg-type]
                                        self.schema, self.settings.model)
            again.append((fetched, again_parsed.reask, parsed.usage or Usage(),
                          f"{parsed.error} in {where}"))
        if again:
            report.reasked += len(again)
            await self._reask(again, pipeline, emit)

    async def _reask(self, again: list[tuple[Fetched, list[dict[str, Any]] | None, Usage, str]],
                     pipeline: Pipeline, emit: Callable[[Result], None]) -> None:
        """Answers that failed validation, asked again online: with instructor's re-ask
        messages after the batch answer (the request the online path's second attempt
        sends), or afresh when the answer could not be re-asked (truncated, no tool call)."""
        client = pipeline.client
        assert client is not None
        gate = asyncio.Semaphore(self.settings.max_in_flight)

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


# -- helpers -------------------------------------------------------------------------------

class _PartWriter:
    """Appends requests to the open part, starting a new one at the limits; the part enters
    the manifest only once its files are whole and on disk."""

    def __init__(self, job: BatchJob, max_requests: int, max_bytes: int) -> None:
        self.job = job
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.part: Part | None = None
        self.files: tuple[IO[bytes], IO[bytes]] | None = None
        self.digest: Any = None
        self.local_part: Part | None = None
        self.local_file: IO[bytes] | None = None

    def _name(self) -> str:
        taken = len(self.job.manifest.parts) + (self.part is not None) + (
            self.local_part is not None)
        return f"part-{taken + 1:04d}"

    def request(self, cid: str, article: Article, line: bytes) -> None:
        import hashlib

        if self.part is not None and (self.part.count >= self.max_requests or (
                self.part.bytes + len(line) > self.max_bytes and self.part.count)):
            self._finish()
        if self.part is None:
            self.part = Part(name=self._name(), count=0)
            folder = self.job.folder
            self.files = (open(folder / self.part.requests, "wb"),  # noqa: SIM115
                          open(folder / self.part.articles, "wb"))  # noqa: SIM115
            self.digest = hashlib.sha256()
        assert self.files is not None
        row = {"custom_id": cid, "id": article.id, "input": article.input,
               "text": article.text, "warnings": list(article.warnings), "meta": article.meta}
        self.files[0].write(line)
        self.files[1].write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        self.digest.update(line)
        self.part.count += 1
        self.part.bytes += len(line)

    def local(self, cid: str, result: Result) -> None:
        if self.local_part is None:
            self.local_part = Part(name=self._name(), count=0, state="local")
            self.local_file = open(self.job.folder / self.local_part.records, "wb")  # noqa: SIM115
        assert self.local_file is not None
        row = {"custom_id": cid, "record": json.loads(result.to_json())}
        self.local_file.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        self.local_part.count += 1

    def _finish(self) -> None:
        assert self.part is not None and self.files is not None
        for fh in self.files:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        self.part.sha256 = self.digest.hexdigest()
        self.job.manifest.parts.append(self.part)
        self.job.manifest.save()
        self.part, self.files = None, None

    def close(self) -> None:
        if self.part is not None:
            self._finish()
        if self.local_part is not None:
            assert self.local_file is not None
            self.local_file.flush()
            os.fsync(self.local_file.fileno())
            self.local_file.close()
            self.job.manifest.parts.append(self.local_part)
            self.job.manifest.save()
            self.local_part, self.local_file = None, None

    def abandon(self) -> None:
        """After an error: close what is open (those files enter no manifest)."""
        for fh in (*(self.files or ()), self.local_file):
            if fh is not None:
                with contextlib.suppress(OSError):
                    fh.close()


def _need_key(settings: Settings) -> None:
    if settings.api_key or settings.base_url or settings.replay:
        return
    raise UsageError("the Batch API needs a key: set OPENAI_API_KEY (or pass --base-url for "
                     "an OpenAI-compatible endpoint); nothing was sent")


def _max_tokens(settings: Settings) -> int:
    from llmextract.call.modes import max_tokens_for

    return max_tokens_for(ArticleSummary, settings.model)


def _response_model(schema: type[BaseModel]) -> type[BaseModel]:
    import instructor

    return instructor.openai_schema(schema)


def _update(part: Part, batch: Any) -> None:
    part.status = str(batch.status)
    counts = getattr(batch, "request_counts", None)
    if counts is not None:
        part.request_counts = {"total": int(counts.total or 0),
                               "completed": int(counts.completed or 0),
                               "failed": int(counts.failed or 0)}
    part.output_file_id = getattr(batch, "output_file_id", None)
    part.error_file_id = getattr(batch, "error_file_id", None)
    errors = getattr(batch, "errors", None)
    data = getattr(errors, "data", None) if errors is not None else None
    if data:
        part.message = "; ".join(str(getattr(e, "message", e)) for e in data[:3])


def _absent(part: Part) -> str:
    bid = f"batch {part.batch_id}" if part.batch_id else part.name
    status = part.status or part.state
    if status == "expired":
        return f"{bid} expired before this request ran (the 24h window passed)"
    if status == "failed":
        return f"{bid} failed" + (f": {part.message}" if part.message else "")
    if status in ("cancelled", "cancelling") or part.state == "cancelled":
        return f"{bid} was cancelled before this request ran"
    return f"{bid} ({status}) gave no answer for this request"


def _body_of(line: dict[str, Any], part: Part) -> tuple[dict[str, Any] | None, str | None]:
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


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                yield json.loads(raw)


def _read_lines(path: Path, into: dict[str, dict[str, Any]]) -> None:
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
