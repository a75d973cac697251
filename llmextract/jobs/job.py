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
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from llmextract.call.cassette import use_cassette
from llmextract.call.prompts import Prompt, load_prompt
from llmextract.config import Settings, default_cache_dir
from llmextract.errors import UsageError
from llmextract.jobs.collect import REASK, CollectReport, collect_all, download
from llmextract.jobs.manifest import Manifest
from llmextract.jobs.remote import Remote, need_key, update_part
from llmextract.jobs.requests import BATCH_FORMS
from llmextract.jobs.submit import KEPT, manifest_for, send_parts, write_parts
from llmextract.pipeline.article import Pipeline
from llmextract.pipeline.cache import ResultCache
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Result

__all__ = ["MAX_FILE_BYTES", "MAX_FILE_REQUESTS", "BatchJob", "PartStatus"]

MAX_FILE_REQUESTS = 50_000
MAX_FILE_BYTES = 200 * 1024 * 1024


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
        kept = {k: v for k, v in manifest.settings.items() if k in KEPT}
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
            need_key(settings)
        path = Path(folder)
        prompt = load_prompt("summarize")
        with _locked(path):
            manifest = manifest_for(path, settings, prompt, export_only)
            job = cls(manifest, settings, prompt)
            with use_cassette(record=settings.record, replay=settings.replay):
                added = asyncio.run(write_parts(job, items, max_requests, max_bytes))
                if added:
                    on_note(f"llmextract: {added} new request{'s' if added != 1 else ''} "
                            f"in {path}")
                elif not export_only:
                    on_note(f"llmextract: no new articles: everything is already in {path}")
                if not export_only:
                    send_parts(job, on_note)
        return job

    def _pipeline(self, client: Any = None) -> tuple[Pipeline, ResultCache | None]:
        s = self.settings
        cache = None
        if s.cache_enabled:
            cache = ResultCache(s.cache_dir or default_cache_dir(os.environ))
        if client is None:
            from llmextract.call.client import LazyModelClient

            client = LazyModelClient(s, self.prompt, self.schema)
        return Pipeline(s, self.prompt, client, cache), cache

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
        need_key(self.settings)
        with use_cassette(record=self.settings.record, replay=self.settings.replay):
            remote = Remote(self.settings)
            try:
                for part in todo:
                    assert part.batch_id is not None
                    update_part(part, remote.retrieve(part.batch_id))
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
                        need_key(self.settings)
                        remote = Remote(self.settings)
                    update_part(part, remote.cancel(part.batch_id))
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
                    download(self)
            stream: IO[str] | None
            if path is not None:
                stream = open(path, "a" if resume else "w", encoding="utf-8")  # noqa: SIM115
            else:
                stream = output  # type: ignore[assignment]
            try:
                with use_cassette(record=self.settings.record, replay=self.settings.replay):
                    return asyncio.run(collect_all(self, stream, skip, reask, sources, on_result))
            finally:
                if path is not None and stream is not None:
                    stream.close()
